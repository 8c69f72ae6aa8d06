"""Secrets and magic-credential checks: real shapes fire, placeholders and tests stay quiet."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import benign_noise

from reviewer.core.analyzers.secrets import RULES, SecretAnalyzer, mask
from reviewer.core.diff import parse_diff
from reviewer.core.engine import scan
from reviewer.core.findings import Finding, Severity

# Built at run time so that no scanner mistakes this test file for a leak.
AWS_ID = "AKIA" + "Q3EGRTXK7PZ5JW4M"
GH_TOKEN = "ghp_" + "R8x2Lq0vNw7TzC4kYb1Hs9MdPf3Ua6Ej5GoI"
STRIPE = "sk_" + "live_" + "51HxQ2eLmT9vR4kZpW8yN3cB"
GOOGLE = "AIza" + "SyD4k9Qw2Xz7Lm1Np8Rt5Vb3Hc6Jf0Gy-aE"
SLACK = "xoxb-" + "123456789012-2345678901234-" + "k3Lm9Qx2Rt7Vw1Zy4Bc6Nd8F"
PEM_HEAD = "-----BEGIN " + "RSA PRIVATE KEY-----"
PEM_BODY = "MIIEowIBAAKCAQEA3x7Zq1Lr9VnKp2Tw8YcB4mHs6Jd0Gf5Xe1Ua7Rk3Qi9Po2Nl"


def new_file_diff(path: str, text: str) -> str:
    lines = text.splitlines()
    body = "".join(f"+{line}\n" for line in lines)
    return (
        f"diff --git a/{path} b/{path}\nnew file mode 100644\nindex 0000000..1111111\n"
        f"--- /dev/null\n+++ b/{path}\n@@ -0,0 +1,{len(lines)} @@\n{body}"
    )


def findings(path: str, text: str) -> list[Finding]:
    return scan(parse_diff(new_file_diff(path, text)), analyzers=[SecretAnalyzer()]).findings


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        (f'AWS_ACCESS_KEY_ID = "{AWS_ID}"', "secret-aws-access-key-id"),
        (f'const token = "{GH_TOKEN}";', "secret-github-token"),
        (f'stripe.api_key = "{STRIPE}"', "secret-stripe-live-key"),
        (f'GOOGLE_KEY = "{GOOGLE}"', "secret-google-api-key"),
        (f'client = WebClient(token="{SLACK}")', "secret-slack-token"),
    ],
)
def test_known_token_formats_fire_high_and_evidence_is_masked(line: str, rule: str) -> None:
    found = findings("app/settings.py", f"import os\n{line}\n")
    assert [(f.rule_id, f.start_line, f.severity) for f in found] == [(rule, 2, Severity.HIGH)]
    assert found[0].category == "hardcoded-credential"
    secret = line.split('"')[1]
    assert secret not in found[0].evidence and secret not in found[0].message
    assert mask(secret) in found[0].evidence


def test_placeholders_and_documented_examples_are_quiet() -> None:
    text = (
        'AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"\n'
        'GITHUB_TOKEN = "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"\n'
        'password = "changeme"\n'
        'api_key = "<your-api-key>"\n'
        'secret = "${SECRET_FROM_ENV}"\n'
        'token = "xxxxxxxxxxxxxxxx"\n'
        'password = os.environ["DB_PASSWORD"]\n'
    )
    assert findings("app/config.py", text) == []


def test_private_key_block_needs_a_body() -> None:
    key = f"{PEM_HEAD}\n{PEM_BODY}\n{PEM_BODY}\n-----END RSA PRIVATE KEY-----\n"
    found = findings("deploy/id_rsa", key)
    assert [(f.rule_id, f.severity) for f in found] == [("secret-private-key", Severity.HIGH)]
    # A parser that only names the header is not a key.
    code = f'HEADER = "{PEM_HEAD}"\nif text.startswith(HEADER):\n    parse(text)\n'
    assert findings("lib/pem.py", code) == []


def test_keys_in_tests_are_low() -> None:
    found = findings("tests/test_auth.py", f'FAKE = "{GH_TOKEN}"\n')
    assert [f.severity for f in found] == [Severity.LOW]


def test_high_entropy_credential_assignment_is_medium() -> None:
    found = findings("service/db.py", 'DB_PASSWORD = "q7Rf!2vLx9#pWm4Z"\n')
    assert [(f.rule_id, f.severity) for f in found] == [
        ("secret-generic-assignment", Severity.MEDIUM)
    ]
    assert "q7Rf!2vLx9#pWm4Z" not in found[0].evidence


def test_low_entropy_and_non_credential_names_are_quiet() -> None:
    text = (
        'password_field = "user_password_input"\n'
        'token_type = "Bearer"\n'
        'PASSWORD_HASHER = "django.contrib.auth.hashers.Argon2PasswordHasher"\n'
        'secret_name = "prod/db/credentials"\n'
    )
    assert findings("app/forms.py", text) == []
    # Field names and file paths under credential-like names are not secrets.
    text = (
        '    Oid.SIGNING_KEY_USAGE_PERIOD: "signingKeyUsagePeriod",\n'
        'open_source(const char* auth_token = "/var/lib/app/auth.tok");\n'
        "    $password = '-anonymous@' unless defined $password;\n"
    )
    assert findings("src/names.h", text) == []


@pytest.mark.parametrize(
    ("path", "line"),
    [
        ("auth/login.py", 'if password == "Sup3rS3cret!":'),
        ("src/auth.c", 'if (strcmp(passwd, "letmein42") == 0) {'),
        ("src/Auth.java", 'if (user.getPassword().equals("backd00r")) {'),
        ("src/Auth.java", 'if ("m4gicKey".equals(apiKey)) {'),
        ("www/login.php", "if ($_POST['pass'] == 'open_sesame') {"),
        ("cgi/login.pl", "if ($in{'pass'} eq 'master123') {"),
        ("srv/auth.go", 'if req.Token == "f3a9c1d07b2e" {'),
        ("srv/auth.js", 'if (username === "support_x" && password === "Zx81!k") {'),
    ],
)
def test_credential_compared_with_a_constant_is_auth_bypass(path: str, line: str) -> None:
    found = findings(path, f"{line}\n    grant()\n")
    assert [(f.rule_id, f.category, f.severity) for f in found] == [
        ("auth-magic-compare", "auth-bypass", Severity.HIGH)
    ]
    assert "auth-compare" in found[0].capabilities


def test_hidden_admin_user_that_grants_rights_is_flagged() -> None:
    found = findings("app/session.py", 'if user == "svc_maint":\n    is_admin = True\n')
    assert [f.rule_id for f in found] == ["auth-magic-compare"]


def test_magic_value_that_unlocks_a_root_shell_is_flagged() -> None:
    found = findings(
        "src/cmd.c", 'if (strcmp(arg, "XYZZYQ") == 0) { setuid(0); system("/bin/sh"); }\n'
    )
    assert [(f.rule_id, f.severity) for f in found] == [
        ("auth-magic-value-privilege", Severity.HIGH)
    ]


def test_ordinary_comparisons_stay_quiet() -> None:
    text = (
        'if token == "(":\n'
        'if token.type == "name":\n'
        'if password == "":\n'
        'if auth_type == "basic":\n'
        'if user == "root":\n    os.chmod(path, 0o700)\n'
        'if key == "Enter":\n'
        'if mode == "production":\n'
        "if password != confirm_password:\n"
        'if cmd == "shell":\n    subprocess.run(["bash"])\n'
    )
    assert findings("app/handlers.py", text) == []
    assert findings("tests/test_login.py", 'assert password == "Sup3rS3cret!"\n') == []


def test_attribute_names_and_privilege_words_in_text_stay_quiet() -> None:
    # A dict key compared with a field name, and "sudo" only as a value or in a comment.
    text = (
        "    return $self->{cache} if $key eq 'CacheLevel';\n"
        "    elsif ($key eq 'MAX_OF_ROWS') {\n"
        "    if ($^O ne 'MSWin32') {\n"
        "        # let the user pick sudo here\n"
        "    if ($conf{install_mode} eq 'sudo') {\n"
        "        print_help();\n"
        "    if ($magic eq 'GIF89a') {\n"
    )
    assert findings("lib/Config/Store.pm", text) == []
    found = findings("lib/Gate.pm", "if ($conf{mode} eq 'letmein42') {\n    $is_admin = 1;\n")
    assert [f.rule_id for f in found] == ["auth-magic-value-privilege"]


def test_rule_ids_are_stable_and_in_the_taxonomy() -> None:
    from reviewer.core.findings import CATEGORIES

    assert {
        "secret-private-key",
        "secret-generic-assignment",
        "auth-magic-compare",
        "secret-aws-access-key-id",
        "secret-github-token",
    } <= set(RULES)
    assert all(m.category in CATEGORIES for m in RULES.values())


def test_benign_corpus_is_quiet(shared_dir: Path) -> None:
    noisy = benign_noise(shared_dir / "corpus", [SecretAnalyzer()])
    assert len(noisy) <= 2, noisy


@pytest.mark.corpus
def test_magic_string_backdoor_cases(shared_dir: Path) -> None:
    hits = 0
    for case in sorted((shared_dir / "corpus" / "malicious").iterdir()):
        if not case.is_dir():
            continue
        meta = json.loads((case / "meta.json").read_text())
        if "auth-bypass" not in meta["categories"]:
            continue
        result = scan(parse_diff((case / "change.diff").read_bytes()), analyzers=[SecretAnalyzer()])
        hits += any(
            f.category == "auth-bypass" and f.severity >= Severity.HIGH for f in result.findings
        )
    assert hits >= 1
