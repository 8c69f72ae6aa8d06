"""Secrets in code, and credentials compared with constants in authentication paths.

Two kinds of finding: a key or token committed in clear (known formats from
``checks/data/secrets.yml``, PEM private keys, and credential-named assignments
with high-entropy values), and a check of a password, token or user name against
a literal -- the shape of a magic password, master key or hidden admin account.
Both work line by line on any language, including partial code.
Evidence never carries a secret in clear: it is masked before it leaves here.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from checks import DATA_DIR
from reviewer.core.analyzers.added import iter_added, shannon_entropy
from reviewer.core.analyzers.base import AnalysisFile, AnalyzerOutput, ScanContext
from reviewer.core.findings import Confidence, Finding, Severity
from reviewer.core.paths import (
    is_data_path,
    is_doc_path,
    is_generated_path,
    is_program_like,
    is_test_path,
)
from reviewer.core.rules import RuleMeta, rule_maker

__all__ = ["SecretAnalyzer", "RULES", "rule_metas", "mask"]

ANALYZER = "secrets"
_DATA_FILE = "secrets.yml"


@dataclass(frozen=True)
class _TokenFormat:
    rule_id: str
    name: str
    pattern: re.Pattern[str]
    severity: Severity
    hints: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Data:
    tokens: tuple[_TokenFormat, ...]
    private_key: re.Pattern[str]
    credential_name: re.Pattern[str]
    placeholders: tuple[str, ...]
    exempt_values: frozenset[str]
    token_hint: re.Pattern[str]


@functools.lru_cache(maxsize=1)
def _data() -> _Data:
    path = DATA_DIR / _DATA_FILE
    try:
        doc: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
        tokens = tuple(
            _TokenFormat(
                rule_id=f"secret-{t['id']}",
                name=str(t["name"]),
                pattern=re.compile(t["pattern"]),
                severity=Severity.parse(str(t.get("severity", "high"))),
                hints=tuple(str(h) for h in t.get("hints", ())),
            )
            for t in doc["tokens"]
        )
        return _Data(
            tokens=tokens,
            private_key=re.compile(doc["private_key_pattern"]),
            credential_name=re.compile(rf"(?i){doc['credential_names']}"),
            placeholders=tuple(str(p).lower() for p in doc["placeholder_markers"]),
            exempt_values=frozenset(str(v).lower() for v in doc["compare_exempt_values"]),
            token_hint=re.compile(
                "|".join(re.escape(h) for t in tokens for h in (t.hints or ("",)))
            ),
        )
    except (OSError, yaml.YAMLError, KeyError, TypeError, re.error, ValueError) as exc:
        raise ValueError(
            f"{path}: cannot load secret formats ({exc}); fix the file or reinstall the checks pack"
        ) from None


_meta = rule_maker(f"python:{ANALYZER}")


_ROTATE = (
    "Revoke and rotate the credential now (it is in the repository history), then load it "
    "from a secret store or environment variable at run time."
)
_FIXED_RULES: tuple[RuleMeta, ...] = (
    _meta(
        "secret-private-key",
        "hardcoded-credential",
        Severity.HIGH,
        Confidence.HIGH,
        "A private key in PEM form is committed to the repository.",
        _ROTATE,
    ),
    _meta(
        "secret-generic-assignment",
        "hardcoded-credential",
        Severity.MEDIUM,
        Confidence.LOW,
        "A credential-named variable is assigned a literal that looks like a real secret.",
        _ROTATE,
    ),
    _meta(
        "auth-magic-compare",
        "auth-bypass",
        Severity.HIGH,
        Confidence.MEDIUM,
        "A password, token, key or user name is compared with a constant: the shape of a magic "
        "password, master key or hidden admin account.",
        "Authenticate only against stored, hashed credentials; remove hard-coded values and "
        "check who added them and why.",
        ("auth-compare",),
    ),
    _meta(
        "auth-magic-value-privilege",
        "auth-bypass",
        Severity.HIGH,
        Confidence.MEDIUM,
        "Input compared with a constant unlocks root privileges, a shell or admin rights.",
        "Remove the hidden trigger; privileged actions must follow real authentication.",
        ("auth-compare", "exec"),
    ),
)


def _all_rules() -> dict[str, RuleMeta]:
    rules = {m.rule_id: m for m in _FIXED_RULES}
    for t in _data().tokens:
        rules[t.rule_id] = _meta(
            t.rule_id,
            "hardcoded-credential",
            t.severity,
            Confidence.HIGH,
            f"A {t.name} is committed in clear.",
            _ROTATE,
        )
    return rules


RULES: dict[str, RuleMeta] = _all_rules()


def rule_metas() -> list[RuleMeta]:
    """Catalogue entries of this analyzer's rules."""
    return list(RULES.values())


def mask(secret: str) -> str:
    """A secret reduced to a hint a reviewer can match without learning it."""
    keep = 4 if len(secret) >= 16 else 2 if len(secret) >= 8 else 0
    return f"{secret[:keep]}{'*' * 6}({len(secret)} chars)"


def _masked_line(line: str, secret: str) -> str:
    shown = line.replace(secret, mask(secret)).strip()
    return shown if len(shown) <= 160 else shown[:160] + "..."


def _is_placeholder(value: str, data: _Data) -> bool:
    low = value.lower()
    if len(set(low)) <= 2:
        return True
    if any(p in low for p in data.placeholders):
        return True
    if re.fullmatch(r"[a-z_]+|[A-Z_]+|[\d.]+|[a-f0-9]{1,7}|\W+", value):
        return True
    return bool(re.search(r"(.)\1{5,}|0123|1234|abcd|wxyz|qwer", low))


def _looks_secret(value: str) -> bool:
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


def _credential_assignment(line: str, data: _Data, config: bool) -> tuple[str, str] | None:
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


# ---------------------------------------------------------------- auth comparisons

# Bounded (a name of at most 128 characters, at most 8 accessors, each part possessive): a run of
# `a.a.a...` could otherwise start a scan to the end of the line at each of its names. A longer
# chain still matches from one of its later names, which is the name the check looks at.
_OPERAND = (
    r"(?:\$?[A-Za-z_][\w$]{0,127}+(?:(?:\.|->|::)[A-Za-z_][\w$]{0,127}+"
    r"|\[\s*+(?:[\"'][\w\-]{1,128}+[\"']|:?[\w\-]{1,128}+)\s*+\]"
    r"|\{\s*+[\"']?[\w\-]{1,128}+[\"']?\s*+\}|\(\s*+\)|\(\s*+[\"'][\w\-]{1,128}+[\"']\s*+\)){0,8})"
)
_LIT = r"(?P<q>[\"'])(?P<lit>[^\"'\n\\]{1,100})(?P=q)"
_LIT2 = r"(?P<q2>[\"'])(?P<lit2>[^\"'\n\\]{1,100})(?P=q2)"
_OP = r"\s*(?:===?|!==?|<>|\beq\b|\bne\b)\s*"
_COMPARE = re.compile(
    rf"(?<![\w^])(?P<lhs>{_OPERAND}){_OP}{_LIT}(?!\s*[\w.(\[])"
    rf"|(?<![\w.])" + _LIT2 + rf"{_OP}(?P<rhs>{_OPERAND})(?![\w(])"
    rf"|\b(?:str(?:n)?(?:case)?cmp|memcmp|wcscmp|_?stricmp|hash_equals|compare_digest|secure_compare|"
    rf"timingSafeEqual|constant_time_compare|ConstantTimeCompare|EqualFold|Objects\.equals|"
    rf"String\.Equals|string\.Equals)\s*\(\s*(?P<fa>[^,()]+?(?:\([^()]*\))?)\s*,\s*(?P<fb>[^,()]+?)\s*[,)]"
    rf"|(?P<mlhs>{_OPERAND})\.(?:equals|equalsIgnoreCase|Equals|eql\?|equal\?|contentEquals)\s*\(\s*"
    rf"(?P<q3>[\"'])(?P<mlit>[^\"'\n\\]{{1,100}})(?P=q3)\s*\)"
    rf"|(?P<q4>[\"'])(?P<rlit>[^\"'\n\\]{{1,100}})(?P=q4)\.(?:equals|equalsIgnoreCase|Equals)\s*\(\s*"
    rf"(?P<rname>{_OPERAND})\s*\)"
)
_STRONG_NAME = re.compile(
    r"(?i)pass(?:wd|word|phrase|code)?$|pwd$|^pass|secret|api_?key|apikey|"
    r"master_?(?:key|pass)|auth_?(?:key|code|token|secret)|access_?(?:key|token)|"
    r"private_?key|backdoor|magic_?(?:word|pass\w*|key|token|phrase|code|string|value)|"
    r"skeleton_?key|admin_?(?:pass|key|token|secret)"
)
_WEAK_NAME = re.compile(
    r"(?i)^(?:token|tok|key|otp|pin|cred(?:ential)?s?|auth|sig(?:nature)?|hmac|"
    r"license(?:_?key)?|authorization|x-api-key|x-auth-token|api-key|x-token)$"
)
_USER_NAME = re.compile(
    r"(?i)^(?:user(?:_?name)?|login|uname|usr|admin|account|principal|"
    r"remote_?user|(?:auth|login)_?user)$"
)
_NOT_A_CREDENTIAL = re.compile(
    r"(?i)type|kind|field|header|prefix|suffix|url|uri|path|file|dir|env|var|len|count|format|"
    r"pattern|regex|label|policy|mode|method|scheme|source|provider|strategy|backend|style|status|"
    r"state|flag|option|arg|param|_id$|[a-z]Id$|index|hint|prompt|message|msg|error|attr|class|"
    r"validator|endpoint|location|store|manager|helper|char|name$|names|display|placeholder|"
    r"policy|version|encoding|algorithm|algo|cipher|hash_?type|length|size|width|_at$|expir|"
    r"position|pos$|text$|value_?type|col|row|column|event|action|cmd|command|step|stage|tokeniz|"
    r"keyword|keyboard|keymap|keyframe|monkey"
)
_GRANT = re.compile(
    r"(?i)setuid\s*\(\s*0|setgid\s*\(\s*0|seteuid\s*\(\s*0|\bis_?admin\w*\s*=\s*(?:true|1)|"
    r"\badmin\w*\s*=\s*(?:true|1)\b|authenticated\s*=\s*(?:true|1)|logged_?in\s*=\s*"
    r"(?:true|1)|\bsuperuser\s*=\s*(?:true|1)|grant_?all|\bsudo\b|privilege"
)
_EXEC = re.compile(
    r"(?i)\bsystem\s*\(|\bpopen\s*\(|\bexec[lv]?p?e?\s*\(|/bin/(?:ba)?sh\b|"
    r"\bshell_exec\b|\bpassthru\b|child_process|subprocess|os\.system|Runtime\.getRuntime"
)
_TEST_LINE = re.compile(
    r"^\s*(?:assert|expect|self\.assert|t\.(?:Error|Fatal)|require\.|check\.|"
    r"@pytest|it\(|describe\(|test\()",
    re.I,
)


_LONG_RUN = re.compile(r"[A-Za-z0-9_\-]{16}|-----BEGIN")
_CRED_HINTS = ("pass", "pwd", "secret", "key", "token", "bearer", "credential")
_COMPARE_HINT = re.compile(r"==|!=|<>|\beq\b|\bne\b|cmp|[Ee]qual|[Cc]ompare")
_KEY_BODY = re.compile(r"(?:^|\\n|[\"'`]\s*\+?\s*)[A-Za-z0-9+/]{40,}={0,2}", re.M)


# A literal made of words (`TraceLevel`, `NUM_OF_FIELDS`, `content-type`) names a field or an
# option; a magic password or key has digits or symbols mixed in.
_IDENTIFIER_WORDS = re.compile(r"[A-Za-z]+(?:[_\-. ][A-Za-z]+)*")
_PATH_LIKE = re.compile(r"(?:[A-Za-z]:)?(?:~|\.{1,2})?[/\\][\w.\-/\\]*")
# A string runs to its closing quote or, unterminated, to the end of the line (possessive: an
# unclosed quote is scanned once, not once per quote after it).
_STRING_OR_COMMENT = re.compile(
    r"\"(?:[^\"\\\n]++|\\.)*+(?:\"|$)|'(?:[^'\\\n]++|\\.)*+(?:'|$)|(?:^|\s)(?:#|//).*$", re.M
)


def _code_only(text: str) -> str:
    """``text`` without string literals and line comments (roughly, any language)."""
    return _STRING_OR_COMMENT.sub(" ", text)


def _last_name(operand: str) -> str:
    keys = re.findall(r"[\[{(]\s*[\"':]?([\w\-]+)[\"']?\s*[\]})]", operand)
    if keys:
        return keys[-1]
    parts = re.split(r"\.|->|::", operand.replace("()", ""))
    return parts[-1].lstrip("$")


@dataclass(frozen=True)
class _Compare:
    name: str
    literal: str
    strength: str  # "strong" | "weak" | "user" | "other"


def _compares(line: str) -> Iterator[_Compare]:
    for m in _COMPARE.finditer(line):
        g = m.groupdict()
        if g["lhs"] is not None:
            operand, lit = g["lhs"], g["lit"]
        elif g["rhs"] is not None:
            operand, lit = g["rhs"], g["lit2"]
        elif g["fa"] is not None:
            a, b = g["fa"].strip(), g["fb"].strip()
            qa = re.fullmatch(r"[\"']([^\"']{1,100})[\"']", a)
            qb = re.fullmatch(r"[\"']([^\"']{1,100})[\"']", b)
            if qa and not qb:
                operand, lit = b, qa.group(1)
            elif qb and not qa:
                operand, lit = a, qb.group(1)
            else:
                continue
        elif g["mlhs"] is not None:
            operand, lit = g["mlhs"], g["mlit"]
        else:
            operand, lit = g["rname"], g["rlit"]
        name = _last_name(operand)
        if _NOT_A_CREDENTIAL.search(name) and not _USER_NAME.match(name):
            strength = "other"
        elif _STRONG_NAME.search(name):
            strength = "strong"
        elif _WEAK_NAME.match(name):
            strength = "weak"
        elif _USER_NAME.match(name):
            strength = "user"
        else:
            strength = "other"
        yield _Compare(name=name, literal=lit, strength=strength)


class SecretAnalyzer:
    """Committed secrets and constant-credential checks on added lines."""

    name = ANALYZER

    def analyze(self, files: Sequence[AnalysisFile], ctx: ScanContext) -> AnalyzerOutput:
        out = AnalyzerOutput()
        data = _data()
        for file in files:
            if file.change.binary:
                continue
            out.findings.extend(self._file(file, data))
        return out

    def _file(self, file: AnalysisFile, data: _Data) -> Iterator[Finding]:
        path = file.path
        tests = is_test_path(path)
        doc = is_doc_path(path)
        generated = is_generated_path(path)
        code = is_program_like(path, file.text[:200])
        config = is_data_path(path) or path.rsplit("/", 1)[-1].lower().startswith(".env")
        lines = list(iter_added(file))
        by_line = dict(lines)
        for n, line in lines:
            if len(line) < 8:
                continue
            found = False
            if data.token_hint.search(line) and _LONG_RUN.search(line):
                for f in self._token_formats(path, n, line, data, tests or generated, doc):
                    found = True
                    yield f
            if found:
                continue
            key = data.private_key.search(line)
            if key and _KEY_BODY.search(
                line[key.end() :] + "\n" + by_line.get(n + 1, "") + "\n" + by_line.get(n + 2, "")
            ):
                yield self._private_key(path, n, line, key.group(1), tests or generated, doc)
                continue
            if not tests and not doc and not generated:
                f2 = self._assignment(path, n, line, data, code, config)
                if f2:
                    yield f2
                if code:
                    yield from self._auth(path, n, line, by_line, data)

    def _token_formats(
        self, path: str, n: int, line: str, data: _Data, quiet: bool, doc: bool
    ) -> Iterator[Finding]:
        for fmt in data.tokens:
            if fmt.hints and not any(h in line for h in fmt.hints):
                continue
            m = fmt.pattern.search(line)
            if not m:
                continue
            secret = m.group(1) if m.groups() else m.group(0)
            if "EXAMPLE" in secret.upper():
                continue
            if fmt.rule_id != "secret-jwt" and _is_placeholder(secret[-16:], data):
                continue
            meta = RULES[fmt.rule_id]
            severity = fmt.severity
            if quiet:
                severity = Severity.LOW
            elif doc:
                severity = min(severity, Severity.MEDIUM)
            message = (
                f"This line commits a {fmt.name} ({mask(secret)}). Anyone who can read the "
                "repository, its forks or its history can use it; a credential in a pull request "
                "is also how a change can quietly give its author access to production."
            )
            yield Finding(
                rule_id=meta.rule_id,
                category=meta.category,
                severity=severity,
                confidence=meta.confidence,
                path=path,
                start_line=n,
                end_line=n,
                message=message,
                remediation=meta.remediation,
                evidence=_masked_line(line, secret),
                analyzer=ANALYZER,
            )
            return

    @staticmethod
    def _private_key(path: str, n: int, line: str, kind: str, quiet: bool, doc: bool) -> Finding:
        meta = RULES["secret-private-key"]
        severity = Severity.LOW if quiet else Severity.MEDIUM if doc else meta.severity
        message = (
            f"This change adds a {kind} block. A private key in the repository lets anyone with "
            "read access impersonate its owner (servers, signing, SSH); check what it unlocks."
        )
        return Finding(
            rule_id=meta.rule_id,
            category=meta.category,
            severity=severity,
            confidence=meta.confidence,
            path=path,
            start_line=n,
            end_line=n,
            message=message,
            remediation=meta.remediation,
            evidence=line.strip()[:80],
            analyzer=ANALYZER,
        )

    @staticmethod
    def _assignment(
        path: str, n: int, line: str, data: _Data, code: bool, config: bool
    ) -> Finding | None:
        low = line.lower()
        if not any(h in low for h in _CRED_HINTS):
            return None
        found = _credential_assignment(line, data, config)
        if found is None:
            return None
        name, value = found
        last = _last_name(name)
        if (
            _NOT_A_CREDENTIAL.search(last)
            or _is_placeholder(value, data)
            or not _looks_secret(value)
        ):
            return None
        if re.search(r"[${}%<>]|^\w+\(|::|\.\w+\(", value):
            return None  # interpolation or a reference, not a literal
        if _IDENTIFIER_WORDS.fullmatch(value) or _PATH_LIKE.fullmatch(value):
            return None  # a field name (`privateKeyUsage`) or a path (`/dev/urandom`), not a secret
        meta = RULES["secret-generic-assignment"]
        message = (
            f"`{last}` is set to a literal that looks like a real secret ({mask(value)}, "
            f"{shannon_entropy(value):.1f} bits/char). Secrets in source end up in every clone "
            "and fork; check whether it is live."
        )
        return Finding(
            rule_id=meta.rule_id,
            category=meta.category,
            severity=meta.severity,
            confidence=meta.confidence,
            path=path,
            start_line=n,
            end_line=n,
            message=message,
            remediation=meta.remediation,
            evidence=_masked_line(line, value),
            analyzer=ANALYZER,
        )

    def _auth(
        self, path: str, n: int, line: str, by_line: dict[int, str], data: _Data
    ) -> Iterator[Finding]:
        if ("'" not in line and '"' not in line) or not _COMPARE_HINT.search(line):
            return
        if _TEST_LINE.match(line):
            return
        window = "\n".join(by_line.get(k, "") for k in range(n, n + 3))
        for cmp in _compares(line):
            lit = cmp.literal
            low = lit.lower().strip()
            if low in data.exempt_values or len(low) < 3 or not re.search(r"[A-Za-z0-9]", lit):
                continue
            if low == cmp.name.lower() or re.search(r"[{}%$]|^\s|\s$", lit) or len(set(low)) <= 1:
                continue
            # Privileges are granted by code: the words "sudo" or "privilege" in a string or a
            # comment (the compared value itself, a help text) grant nothing.
            grant = _GRANT.search(_code_only(window))
            execs = _EXEC.search(window.replace(lit, ""))
            secretish = (
                _looks_secret(lit) or bool(re.search(r"[A-Z].*\d|\d.*[A-Z]", lit))
            ) and not _IDENTIFIER_WORDS.fullmatch(lit)
            if cmp.strength == "strong":
                rule, why = (
                    "auth-magic-compare",
                    f"the credential `{cmp.name}` is checked against a constant",
                )
            elif cmp.strength == "weak" and (secretish or grant):
                rule, why = "auth-magic-compare", f"`{cmp.name}` is checked against a constant"
            elif cmp.strength == "user" and (grant or self._second_credential(window, data)):
                rule, why = (
                    "auth-magic-compare",
                    (
                        f"the account name `{cmp.name}` is checked against a "
                        "constant right before access is granted"
                    ),
                )
            elif grant or (execs and (secretish or lit.isupper()) and len(lit) >= 6):
                rule, why = (
                    "auth-magic-value-privilege",
                    (
                        f'`{cmp.name}` is compared with the constant "{lit[:40]}" and a match '
                        + ("grants privileges" if grant else "runs a command or shell")
                    ),
                )
            else:
                continue
            meta = RULES[rule]
            message = (
                f"Here {why}. A fixed value in an authentication path works for anyone who "
                "knows it -- the classic shape of a magic password, master key or hidden admin "
                "account. Check that this is not a way in that bypasses normal login."
            )
            yield Finding(
                rule_id=meta.rule_id,
                category=meta.category,
                severity=meta.severity,
                confidence=meta.confidence,
                path=path,
                start_line=n,
                end_line=n,
                message=message,
                remediation=meta.remediation,
                evidence=_masked_line(line, lit) if cmp.strength != "other" else line.strip()[:160],
                analyzer=ANALYZER,
                capabilities=frozenset(meta.capabilities),
            )
            return

    @staticmethod
    def _second_credential(window: str, data: _Data) -> bool:
        for cmp in _compares(window):
            if cmp.literal.lower() in data.exempt_values:
                continue
            if cmp.strength == "strong" or cmp.strength == "weak" and _looks_secret(cmp.literal):
                return True
        return False
