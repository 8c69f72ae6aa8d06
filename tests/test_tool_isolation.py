"""semgrep and zizmor run apart from the service: minimal environment, explicit safe targets,
and every target semgrep was given is accounted for (scanned, or skipped with a reason).

The tools are replaced by small scripts that record what they received (their environment,
their command line, the files in their folder) and answer as the real tool would.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from reviewer.core.analyzers.semgrep import SemgrepAnalyzer
from reviewer.core.analyzers.workflows import WorkflowAnalyzer
from reviewer.core.diff import parse_diff
from reviewer.core.engine import ScanResult, scan
from reviewer.core.findings import SkipReason

RULES = Path(__file__).parent / "fixtures" / "rules"
SECRETS = {
    "GATEHOUSE_WEBHOOK_SECRET": "whsec-do-not-leak",
    "GATEHOUSE_PRIVATE_KEY": "-----BEGIN KEY",
    "GATEHOUSE_DATABASE_URL": "postgresql://gh:db-password@db/gatehouse",
    "SEMGREP_APP_TOKEN": "semgrep-login-token",
    "AWS_SECRET_ACCESS_KEY": "aws-secret",
}

_RECORDER = """#!{python}
import json, os, sys
targets = [a for a in sys.argv[1:] if os.path.isfile(a) and not a.endswith("rules.yml")]
with open({record!r}, "w") as fh:
    files = sorted(os.path.relpath(os.path.join(d, f)) for d, _, fs in os.walk(".") for f in fs)
    json.dump({{"env": dict(os.environ), "argv": sys.argv[1:], "cwd": os.getcwd(),
               "files": files, "targets": targets}}, fh)
answer = {answer}
if answer is None:
    print("[]")
else:
    left_out = set(answer["skip"]) | set(answer["drop"])
    paths = {{"scanned": [t for t in targets if t not in left_out],
              "skipped": [{{"path": t, "reason": r}} for t, r in answer["skip"].items()]}}
    print(json.dumps({{"results": [], "errors": [], "paths": paths}}))
"""


def _recorder(tmp_path: Path, name: str, answer: dict[str, Any] | None) -> tuple[str, Path]:
    record = tmp_path / f"{name}.json"
    exe = tmp_path / name
    exe.write_text(_RECORDER.format(python=sys.executable, record=str(record), answer=repr(answer)))
    exe.chmod(0o755)
    return str(exe), record


def _new_files(files: dict[str, str]) -> bytes:
    out = b""
    for path, body in files.items():
        lines = body.splitlines()
        hunk = "".join(f"+{ln}\n" for ln in lines)
        out += (
            f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n+++ b/{path}\n"
            f"@@ -0,0 +1,{len(lines)} @@\n{hunk}"
        ).encode()
    return out


def _semgrep_scan(
    tmp_path: Path, files: dict[str, str], answer: dict[str, Any]
) -> tuple[ScanResult, dict[str, Any]]:
    exe, record = _recorder(tmp_path, "semgrep", answer)
    analyzer = SemgrepAnalyzer(rules_dir=RULES, semgrep_path=exe)
    result = scan(parse_diff(_new_files(files)), analyzers=[analyzer])
    return result, json.loads(record.read_text())


@pytest.fixture
def service_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in SECRETS.items():
        monkeypatch.setenv(key, value)


def _assert_minimal(env: dict[str, str]) -> None:
    assert not set(SECRETS) & set(env), sorted(env)
    assert not any(v in SECRETS.values() for v in env.values())
    assert set(env) <= {
        "PATH",
        "HOME",
        "LANG",
        "LC_ALL",
        "TMPDIR",
        "SEMGREP_ENABLE_VERSION_CHECK",
        "SEMGREP_SEND_METRICS",
        "ZIZMOR_OFFLINE",
        "NO_COLOR",
        "LC_CTYPE",
    }, sorted(env)
    assert "gatehouse" in env["HOME"] and Path(env["HOME"]) != Path.home()


def test_semgrep_never_sees_the_services_secrets(tmp_path: Path, service_secrets: None) -> None:
    """Attack: a semgrep (or a rule, or a plug-in) that reads its environment would find the
    webhook secret, the App key and the database password of the service."""
    _, seen = _semgrep_scan(tmp_path, {"app/a.py": "x = 1\n"}, {"skip": {}, "drop": []})
    _assert_minimal(seen["env"])
    assert seen["env"]["SEMGREP_ENABLE_VERSION_CHECK"] == "0"


def test_zizmor_never_sees_the_services_secrets(tmp_path: Path, service_secrets: None) -> None:
    exe, record = _recorder(tmp_path, "zizmor", None)
    workflow = (
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo hi\n"
    )
    scan(
        parse_diff(
            _new_files({".github/workflows/ci.yml": workflow, ".github/zizmor.yml": "rules: {}\n"})
        ),
        analyzers=[WorkflowAnalyzer(zizmor_path=exe)],
    )
    seen = json.loads(record.read_text())
    _assert_minimal(seen["env"])
    assert "--no-config" in seen["argv"]
    assert not any(
        Path(f).name in ("zizmor.yml", "zizmor.yaml") or "/." in "/" + f for f in seen["files"]
    )


def test_semgrep_gets_explicit_targets_under_safe_names_and_no_config_from_the_pr(
    tmp_path: Path,
) -> None:
    files = {
        "app/.semgrepignore": "#!/bin/sh\n*\n",
        "-rf.py": "x = 1\n",
        "x": "#!/bin/sh\necho\n",
        "x\\y": "#!/bin/sh\necho\n",
        "app/a.py": "y = 2\n",
    }
    result, seen = _semgrep_scan(tmp_path, files, {"skip": {}, "drop": []})
    assert not result.degraded and not result.not_analysed, (result.errors, result.skipped)
    assert len(seen["targets"]) == len(files)
    assert "app/a.py" in seen["targets"]
    assert not any(t.startswith("-") for t in seen["targets"])
    pr_written = [f for f in seen["files"] if f != ".semgrepignore"]
    assert not any(Path(f).name.startswith(".") for f in pr_written), pr_written
    assert (
        ".semgrepignore" in seen["files"]
    )  # ours, at the root: semgrep's built-in ignores are off


def test_a_target_semgrep_neither_scanned_nor_skipped_is_an_analysis_error(tmp_path: Path) -> None:
    """Fail closed: a file semgrep silently left out (a newer semgrep's file selection, an ignore
    file it found somewhere) is not "no findings"."""
    result, _ = _semgrep_scan(
        tmp_path, {"app/a.py": "x = 1\n", "app/b.py": "y = 2\n"}, {"skip": {}, "drop": ["app/b.py"]}
    )
    assert result.degraded
    assert any("app/b.py" in e and "neither scanned nor skipped" in e for e in result.errors)
    assert [(s.path, s.reason) for s in result.not_analysed] == [
        ("app/b.py", SkipReason.ANALYZER_ERROR)
    ]


def test_a_target_semgrep_skipped_is_listed_as_not_analysed_with_its_reason(tmp_path: Path) -> None:
    result, _ = _semgrep_scan(
        tmp_path,
        {"app/a.py": "x = 1\n", "app/b.js": "y = 2\n"},
        {"skip": {"app/b.js": "too_big"}, "drop": []},
    )
    assert not result.degraded
    (s,) = result.not_analysed
    assert (s.path, s.reason, s.analyzer) == ("app/b.js", SkipReason.TOO_LARGE, "semgrep")
    assert "too_big" in s.detail


@pytest.mark.parametrize("tool", ["semgrep", "zizmor"])
def test_the_tools_that_select_files_are_pinned_to_a_tested_range(tool: str) -> None:
    """A newer semgrep or zizmor may choose files differently: the dependency has an upper bound,
    and what is installed here (what the suite tested) is inside it."""
    import tomllib
    from importlib.metadata import version

    from packaging.requirements import Requirement

    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())["project"]
    (req,) = [Requirement(r) for r in project["dependencies"] if Requirement(r).name == tool]
    assert any(spec.operator in ("<", "<=", "==", "~=") for spec in req.specifier), str(req)
    assert req.specifier.contains(version(tool)), (str(req), version(tool))


def test_a_semgrep_error_names_the_prs_path_not_the_generated_one() -> None:
    """Whatever name a file was written under, what the check run says names the PR's path."""
    from reviewer.core.changeset import ChangeSet
    from reviewer.core.diff import parse_file_patch

    path = "svc/.hidden dir/run.py"
    broken = "def f(:\n  exec(base64.b64decode('eA=='))\n}}}}((((\n"
    change = parse_file_patch(
        path, "@@ -1,0 +1,1 @@\n+}}}}((((\n", status="modified", head_text=broken
    )
    result = scan(
        ChangeSet(files=(change,), has_head=True), analyzers=[SemgrepAnalyzer(rules_dir=RULES)]
    )
    assert result.degraded
    assert any(path in e for e in result.errors), result.errors
    assert not any("=" in e.replace(path, "") for e in result.errors), result.errors
    assert [s.path for s in result.skipped] == [path]
