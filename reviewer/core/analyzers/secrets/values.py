"""What a secret value looks like (masked for display, a placeholder or not) and a
credential-named assignment, found in linear time."""

import re

from reviewer.core.analyzers.added import shannon_entropy
from reviewer.core.analyzers.secrets.data import SecretData


def mask(secret: str) -> str:
    """A secret reduced to a hint a reviewer can match without learning it."""
    keep = 4 if len(secret) >= 16 else 2 if len(secret) >= 8 else 0
    return f"{secret[:keep]}{'*' * 6}({len(secret)} chars)"


def masked_line(line: str, secret: str) -> str:
    shown = line.replace(secret, mask(secret)).strip()
    return shown if len(shown) <= 160 else shown[:160] + "..."


def is_placeholder(value: str, data: SecretData) -> bool:
    low = value.lower()
    if len(set(low)) <= 2:
        return True
    if any(p in low for p in data.placeholders):
        return True
    if re.fullmatch(r"[a-z_]+|[A-Z_]+|[\d.]+|[a-f0-9]{1,7}|\W+", value):
        return True
    return bool(re.search(r"(.)\1{5,}|0123|1234|abcd|wxyz|qwer", low))


def looks_secret(value: str) -> bool:
    classes = sum(bool(re.search(p, value)) for p in (r"[a-z]", r"[A-Z]", r"\d", r"[^A-Za-z0-9]"))
    if len(value) < 10 or classes < 2:
        return False
    threshold = 3.0 if len(value) < 16 else 3.5
    return shannon_entropy(value) >= threshold


# ---------------------------------------------------------------- assignments

# A credential-named assignment, found in linear time: each name-like token once (possessive,
# so a long run of name characters is never re-scanned from each of its positions), then the
# operator and quoted value anchored at its end. The token must hold a credential name that only
# word characters follow (``db.password``, ``API_KEY``, ``client-secret``).
_ASSIGN_NAME = re.compile(r"[\w$.\-]++")
_ASSIGN_VALUE = re.compile(
    r"[\"'\]]?\s*+(?::=|=>|(?<![=!<>])=(?!=)|:)\s*+"
    r"(?:[rbuf]|@)?(?P<q>[\"'`])(?P<val>[^\"'`\s]{8,200}+)(?P=q)"
)
_CONFIG_ASSIGN = re.compile(
    r"(?i)^\s*+(?:(?:export|ENV|ARG)\s++)?(?P<name>[\w.\-]++)\s*+[:=]\s*+"
    r"(?P<val>[^\s\"'#;,]{10,200}+)\s*+$"
)
_WORD_RUN = re.compile(r"\w*+")
_WORD_OR_DOLLAR_RUN = re.compile(r"[\w$]*+")
# Longer than any credential name in the data: how far before the token's last segment a name
# that spans a separator (``api-key``) may start.
_NAME_REACH = 64


def _ends_in_credential_name(token: str, names: re.Pattern[str], tail: re.Pattern[str]) -> bool:
    """True when a credential name in ``token`` is followed only by ``tail`` characters."""
    run = tail.match(token[::-1])  # tail patterns match the empty string too
    k = len(token) - (run.end() if run else 0)  # where the final run of tail characters starts
    m = names.search(token, max(0, k - _NAME_REACH))
    while m is not None and m.end() < k:
        m = names.search(token, m.start() + 1)
    return m is not None


def credential_assignment(line: str, data: SecretData, config: bool) -> tuple[str, str] | None:
    """(name, value) of the first credential-named assignment of a quoted literal on ``line``
    (or, in a config file, of a bare value), else None."""
    for token in _ASSIGN_NAME.finditer(line):
        value = _ASSIGN_VALUE.match(line, token.end())
        if value and _ends_in_credential_name(
            token.group(), data.credential_name, _WORD_OR_DOLLAR_RUN
        ):
            return token.group(), value.group("val")
    if config:
        m = _CONFIG_ASSIGN.match(line)
        if m and _ends_in_credential_name(m.group("name"), data.credential_name, _WORD_RUN):
            return m.group("name"), m.group("val")
    return None
