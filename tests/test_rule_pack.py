"""The semgrep rule pack in checks/semgrep: annotations hold, metadata is complete, and
the pack stays quiet on ordinary commits while catching the corpus incidents it targets.

``semgrep --test`` runs ONCE for the whole pack, with the fast engine (``--experimental``):
the classic engine gives the same verdicts but takes minutes instead of about two seconds.
"""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import yaml

from checks import SEMGREP_DIR
from reviewer.core.analyzers.semgrep import OFFLINE_FLAGS, semgrep_binary, semgrep_env
from reviewer.core.capabilities import CAPABILITIES
from reviewer.core.findings import CATEGORIES, Severity
from reviewer.core.rules import is_rule_file, load_semgrep_rules, meta_of, rule_files

# Rule ids say which language they target; `generic-` rules are regex rules over many.
_PREFIXES = (
    "py-",
    "js-",
    "go-",
    "java-",
    "rb-",
    "php-",
    "c-",
    "pl-",
    "sh-",
    "generic-",
    "dockerfile-",
)
# semgrep's own severity is kept in step with Gatehouse's scale.
_SEMGREP_SEVERITY = {
    Severity.INFO: "INFO",
    Severity.LOW: "INFO",
    Severity.MEDIUM: "WARNING",
    Severity.HIGH: "ERROR",
    Severity.CRITICAL: "ERROR",
}


def _targets(rule_file: Path) -> list[Path]:
    """Test targets beside a rule: same stem, any other extension (YAML ones as ``.test.yml``)."""
    stem = rule_file.stem
    found = []
    for p in rule_file.parent.iterdir():
        if p == rule_file or not p.is_file() or is_rule_file(p):
            continue
        if p.name.startswith(stem + ".") and p.name[len(stem) + 1 :].count(".") <= 1:
            found.append(p)
    return sorted(found)


@pytest.fixture(scope="module")
def semgrep_test_report() -> dict[str, Any]:
    """One ``semgrep --test`` run over the whole pack, as JSON."""
    proc = subprocess.run(
        [semgrep_binary(), "--experimental", "--test", "--json", *OFFLINE_FLAGS, str(SEMGREP_DIR)],
        capture_output=True,
        env=semgrep_env(),
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    try:
        return json.loads(proc.stdout)
    except json.JSONDecodeError:
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-5:]
        pytest.fail(f"semgrep --test printed no JSON (exit {proc.returncode}): {' | '.join(err)}")


def test_every_rule_annotation_holds(semgrep_test_report: dict[str, Any]) -> None:
    failures = []
    for checks in semgrep_test_report.get("results", {}).values():
        for rid, check in checks.get("checks", {}).items():
            if check.get("passed"):
                continue
            for target, m in check.get("matches", {}).items():
                expected = set(m.get("expected_lines", []))
                reported = set(m.get("reported_lines", []))
                failures.append(
                    f"{rid} on {Path(target).name}: missed lines {sorted(expected - reported)}, "
                    f"unexpected lines {sorted(reported - expected)}"
                )
            for err in check.get("errors", []):
                failures.append(f"{rid}: {str(err)[:200]}")
    assert not failures, "rules whose annotations did not hold:\n" + "\n".join(failures)
    for key in ("config_with_errors", "config_missing_tests"):
        assert not semgrep_test_report.get(key), f"{key}: {semgrep_test_report[key]}"


def test_semgrep_tested_every_rule(semgrep_test_report: dict[str, Any]) -> None:
    results = semgrep_test_report.get("results", {}).values()
    tested = {rid for c in results for rid in c.get("checks", {})}
    loaded = {r["id"] for r in load_semgrep_rules()}
    assert loaded, "the rule pack is empty"
    assert loaded <= tested, f"rules semgrep --test never ran: {sorted(loaded - tested)}"


def test_every_rule_file_loads_and_is_named_after_its_rule() -> None:
    rules = load_semgrep_rules()
    by_file: dict[str, list[str]] = defaultdict(list)
    for r in rules:
        by_file[r["metadata"]["source-file"]].append(r["id"])
    assert len(rules) == len(rule_files()), "every rule file holds exactly one rule"
    for source, ids in by_file.items():
        path = SEMGREP_DIR / source
        assert ids == [path.stem], f"{source}: one rule per file, id == file stem (got {ids})"
        assert path.parent.name == meta_of(next(r for r in rules if r["id"] == ids[0])).category, (
            f"{source}: the folder must be the rule's category"
        )
        assert path.stem.startswith(_PREFIXES), f"{source}: id needs a language prefix {_PREFIXES}"


def test_every_rule_has_metadata_a_reviewer_can_use() -> None:
    for rule in load_semgrep_rules():
        meta = meta_of(rule)
        md = rule["metadata"]
        where = md["source-file"]
        assert meta.category in CATEGORIES, where
        rationale = str(md.get("rationale") or "").strip()
        assert rationale and "\n" not in rationale, f"{where}: a one-line rationale is required"
        assert meta.remediation, f"{where}: remediation is required"
        assert meta.capabilities, f"{where}: capabilities must name what the code can do"
        unknown = set(meta.capabilities) - set(CAPABILITIES)
        assert not unknown, f"{where}: capabilities outside the vocabulary: {sorted(unknown)}"
        assert str(md.get("confidence")) in ("low", "medium", "high"), where
        assert rule["severity"] == _SEMGREP_SEVERITY[meta.severity], (
            f"{where}: semgrep severity {rule['severity']} does not match {meta.severity.label}"
        )
        message = " ".join(str(rule["message"]).split())
        assert len(message) >= 150, f"{where}: the message must explain the risk"


def test_every_rule_has_a_target_with_positive_and_negative_cases() -> None:
    for rule_file in rule_files():
        rid = rule_file.stem
        targets = _targets(rule_file)
        assert targets, f"{rule_file.name}: no test target named {rid}.<ext> beside it"
        text = "\n".join(t.read_text(encoding="utf-8") for t in targets)
        for tag in ("ruleid", "ok"):
            pattern = rf"\b{tag}:\s*{re.escape(rid)}\b"
            assert re.search(pattern, text), f"{rid}: no `{tag}: {rid}` annotation in its target"


def test_yaml_targets_are_never_loaded_as_rules() -> None:
    for path in SEMGREP_DIR.rglob("*"):
        if path.suffix in (".yml", ".yaml") and is_rule_file(path):
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
            assert isinstance(doc, dict) and "rules" in doc, (
                f"{path.name} is loaded as a rule file but is not one: name it *.test.yml"
            )


# --- the pack against real commits -------------------------------------------------------

# written path -> (case, path in the diff, added line numbers)
_Index = dict[str, tuple[str, str, frozenset[int]]]


def _post_images(diff_paths: list[Path], root: Path) -> _Index:
    """Write the post-image of every file of the diffs under ``root``; map it to its added lines."""
    from reviewer.core.analyzers.base import language_of
    from reviewer.core.analyzers.semgrep.targets import SEMGREP_LANGS
    from reviewer.core.diff import parse_diff
    from reviewer.core.scan_tree import plan_names

    index: _Index = {}
    for diff in diff_paths:
        case = f"{diff.parent.name}/{diff.stem}"
        for change in parse_diff(diff.read_bytes()).files:
            if change.binary or change.status.value == "deleted":
                continue
            text = change.post_image()
            if language_of(change.path, text) not in SEMGREP_LANGS:
                continue
            rel = f"{case}/{plan_names([change.path])[change.path]}"
            dest = root / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(text, encoding="utf-8", errors="surrogateescape")
            index[rel] = (case, change.path, frozenset(change.added))
    return index


def _scan(root: Path, index: _Index) -> list[tuple[str, str, str, Severity, int]]:
    """Run the pack once over ``root``: (case, path, rule, severity, line) on added lines."""
    rules = load_semgrep_rules()
    metas = {r["id"]: meta_of(r) for r in rules}
    config = root.parent / "rules.yml"
    config.write_text(yaml.safe_dump({"rules": rules}, sort_keys=False), encoding="utf-8")
    (root / ".semgrepignore").write_text("# scan everything\n")
    proc = subprocess.run(
        [
            semgrep_binary(),
            "--experimental",
            "--config",
            str(config),
            "--json",
            *OFFLINE_FLAGS,
            "--disable-nosem",
            "--no-git-ignore",
            "--quiet",
            "--timeout",
            "10",
            "-j",
            "2",
            str(root),
        ],
        capture_output=True,
        env=semgrep_env(),
        timeout=600,
        stdin=subprocess.DEVNULL,
        cwd=root.parent,
    )
    out = []
    for res in json.loads(proc.stdout)["results"]:
        rel = Path(res["path"]).resolve().relative_to(root.resolve()).as_posix()
        case, path, added = index[rel]
        lines = range(res["start"]["line"], res["end"]["line"] + 1)
        if any(n in added for n in lines):
            meta = metas[res["check_id"].rsplit(".", 1)[-1]]
            out.append((case, path, meta.rule_id, meta.severity, res["start"]["line"]))
    return out


def test_pack_is_quiet_on_ordinary_commits(corpus_dir: Path) -> None:
    """Within the scoring targets: <= 3 medium+ per 10k added lines, <= 2% commits with high+."""
    diffs = sorted((corpus_dir / "benign").glob("*/*.diff"))
    added = sum(json.loads(d.with_suffix(".json").read_text())["added_lines"] for d in diffs)
    with tempfile.TemporaryDirectory(prefix="gatehouse-pack-") as tmp:
        root = Path(tmp) / "src"
        found = _scan(root, _post_images(diffs, root))
    medium = [f for f in found if f[3] >= Severity.MEDIUM]
    high_commits = {f[0] for f in found if f[3] >= Severity.HIGH}
    detail = "\n".join(f"{c} {p}:{n} {r}" for c, p, r, _, n in medium)
    assert len(medium) * 10_000 / added <= 3.0, f"too noisy on benign commits:\n{detail}"
    assert len(high_commits) / len(diffs) <= 0.02, f"benign commits failing: {sorted(high_commits)}"


# Incidents this pack alone must catch (others need the unicode, workflow or manifest analyzers).
_PACK_CASES = (
    "2010-proftpd-133c-acidbitchez-backdoor",
    "2011-vsftpd-234-smiley-backdoor",
    "2018-webmin-password-change-qx-backdoor",
    "2021-php-src-zerodium-backdoor",
    "2022-colors-js-liberty-infinite-loop",
    "2022-pypi-ctx-env-exfil",
    "2024-xz-utils-landlock-cmake-sabotage",
    "2025-nx-s1ngularity-telemetry-ai-cli",
)


def test_pack_flags_the_incidents_it_targets(corpus_dir: Path) -> None:
    cases = [corpus_dir / "malicious" / c for c in _PACK_CASES]
    cases = [c for c in cases if c.is_dir()]
    if not cases:
        pytest.skip("none of the targeted incidents is in the corpus")
    with tempfile.TemporaryDirectory(prefix="gatehouse-pack-") as tmp:
        root = Path(tmp) / "src"
        index = _post_images([c / "change.diff" for c in cases], root)
        found = _scan(root, index)
    missed = []
    for case_dir in cases:
        meta = json.loads((case_dir / "meta.json").read_text())
        marked = {p: set(v or []) for p, v in meta["malicious_lines"].items()}
        hit = False
        for case, path, _rid, sev, line in found:
            if case != f"{case_dir.name}/change" or sev < Severity.MEDIUM or path not in marked:
                continue
            lines = marked[path]
            hit = hit or not lines or any(abs(line - m) <= 2 for m in lines)
        if not hit:
            missed.append(case_dir.name)
    assert not missed, f"incidents the pack no longer catches: {missed}"
