"""The secret rule table: fixed rules plus one per token format."""

from reviewer.core.analyzers.secrets.data import secret_data
from reviewer.core.findings import Confidence, Severity
from reviewer.core.rules import RuleMeta, rule_maker

ANALYZER = "secrets"


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
    for t in secret_data().tokens:
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
