"""zizmor, run offline over the whole workflows of a change, its results mapped back to the
pull request's paths and re-rated (see ``rules.ZIZMOR``)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from reviewer.core.analyzers.base import AnalyzerOutput
from reviewer.core.analyzers.workflows.patterns import UNTRUSTED, first_party
from reviewer.core.analyzers.workflows.rules import RULES, ZIZMOR, ZIZMOR_DEFAULT
from reviewer.core.changeset import text_lines
from reviewer.core.findings import Confidence, Finding, Severity, Skipped, SkipReason
from reviewer.core.scan_tree import write_targets

__all__ = ["run_zizmor", "zizmor_binary"]

_S, _C = Severity, Confidence


def zizmor_binary() -> str | None:
    """The zizmor executable next to this interpreter, else on PATH, else None."""
    here = Path(sys.executable).parent / "zizmor"
    if here.exists():
        return str(here)
    return shutil.which("zizmor")


def run_zizmor(
    texts: dict[str, str],
    out: AnalyzerOutput,
    *,
    exe: str | None,
    timeout_s: int,
) -> set[str]:
    """Run zizmor once over every whole workflow (``texts``: path -> text); returns the paths
    it audited. Its findings, errors and skipped files go to ``out``; ``exe`` None looks for
    the executable (:func:`zizmor_binary`)."""
    exe = exe if exe is not None else zizmor_binary()
    if exe is None or not Path(exe).is_file():
        out.errors.append(
            "zizmor is not installed: workflows were checked by Gatehouse's rules only "
            "(install it with `pip install zizmor`)"
        )
        out.skipped += [
            Skipped(p, SkipReason.ANALYZER_ERROR, "zizmor not installed", "zizmor") for p in texts
        ]
        return set()
    with tempfile.TemporaryDirectory(prefix="gatehouse-zizmor-") as tmp:
        root = Path(tmp) / "src"
        root.mkdir()
        home = Path(tmp) / "home"
        home.mkdir(mode=0o700)
        # Safe generated names (never zizmor.yml or a dotfile), explicit inputs, and
        # --no-config: nothing in the PR configures zizmor.
        written = write_targets(root, texts, analyzer="zizmor")
        out.skipped += written.failed
        mapping = written.names
        if not mapping:
            return set()
        cmd = [
            exe,
            "--offline",
            "--no-config",
            "--no-progress",
            "--no-exit-codes",
            "--format",
            "json",
            "--persona",
            "regular",
            *(str(root / rel) for rel in sorted(mapping)),
        ]
        try:
            proc = subprocess.run(
                cmd,
                capture_output=True,
                timeout=timeout_s,
                cwd=tmp,
                stdin=subprocess.DEVNULL,
                env=_zizmor_env(home),
                check=False,
            )
        except subprocess.TimeoutExpired:
            out.errors.append(f"zizmor did not finish within {timeout_s}s")
            out.skipped += [
                Skipped(p, SkipReason.TIMED_OUT, "zizmor time limit", "zizmor")
                for p in mapping.values()
            ]
            return set()
        stderr = proc.stderr.decode("utf-8", "replace")
        try:
            results = json.loads(proc.stdout or b"[]")
        except json.JSONDecodeError:
            results = None
        if proc.returncode != 0 or not isinstance(results, list):
            last = (stderr.strip().splitlines() or ["no output"])[-1][:300]
            out.errors.append(f"zizmor exited {proc.returncode}: {last}")
            out.skipped += [
                Skipped(p, SkipReason.ANALYZER_ERROR, "zizmor failed", "zizmor")
                for p in mapping.values()
            ]
            return set()
        failed = _zizmor_rejected(stderr, root, mapping)
        for rel in failed:
            out.skipped.append(
                Skipped(
                    mapping[rel],
                    SkipReason.UNPARSABLE,
                    "zizmor could not parse this workflow",
                    "zizmor",
                )
            )
        for res in results:
            f = _zizmor_finding(res, root, mapping, texts)
            if f is not None:
                out.findings.append(f)
        return {orig for rel, orig in mapping.items() if rel not in failed}


def _zizmor_env(home: Path) -> dict[str, str]:
    """A minimal environment: no tokens reach zizmor, its HOME is private, and it stays offline."""
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "TMPDIR")}
    env["HOME"] = str(home)
    env["ZIZMOR_OFFLINE"] = "true"
    env["NO_COLOR"] = "1"
    return env


def _zizmor_rejected(stderr: str, root: Path, mapping: dict[str, str]) -> set[str]:
    """Relative paths zizmor warned it could not parse or collect."""
    bad: set[str] = set()
    for line in stderr.splitlines():
        if "failed" not in line.lower():
            continue
        for rel in mapping:
            if rel in line:
                bad.add(rel)
        if not any(rel in line for rel in mapping):
            bad.update(mapping)  # it did not say which: trust none of them
    return bad


def _zizmor_path(
    res: dict[str, Any], root: Path, mapping: dict[str, str]
) -> tuple[str, dict[str, Any]] | None:
    for loc in res.get("locations", []):
        sym = loc.get("symbolic", {})
        if sym.get("kind") != "Primary":
            continue
        key = sym.get("key", {})
        local = key.get("Local") if isinstance(key, dict) else None
        raw = (local or {}).get("verbatim_path") or (local or {}).get("given_path") or ""
        try:
            rel = Path(raw).resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            rel = raw
        if rel in mapping:
            return mapping[rel], loc
    return None


def _zizmor_finding(
    res: dict[str, Any], root: Path, mapping: dict[str, str], texts: dict[str, str]
) -> Finding | None:
    ident = str(res.get("ident", "unknown"))
    where = _zizmor_path(res, root, mapping)
    if where is None:
        return None
    path, loc = where
    concrete = loc.get("concrete", {}).get("location", {})
    start = int(concrete.get("start_point", {}).get("row", 0)) + 1
    end_point = concrete.get("end_point", {})
    end = int(end_point.get("row", start - 1)) + (0 if end_point.get("column", 1) == 0 else 1)
    end = start if end - start > 2 or end < start else end  # a whole job: point at its first line
    cat, sev, why = ZIZMOR.get(ident, ZIZMOR_DEFAULT)
    det = res.get("determinations", {})
    zsev = str(det.get("severity", "")).lower()
    zconf = str(det.get("confidence", "")).lower()
    feature = str(loc.get("concrete", {}).get("feature", ""))
    lines = text_lines(texts.get(path, ""))
    evidence = "\n".join(lines[start - 1 : end])[:500] or feature[:500]
    if ident == "template-injection" and not UNTRUSTED.search(evidence + "\n" + feature):
        # inputs, ref names, matrix values: only people with write access choose them
        sev = _S.LOW
    if ident == "unpinned-uses" and first_party(feature):
        sev = _S.INFO
    annotation = str(loc.get("symbolic", {}).get("annotation", "")).strip()
    message = f"zizmor `{ident}`: {res.get('desc', why)}" + (
        f" ({annotation})" if annotation else ""
    )
    rid = f"zizmor-{ident}"
    meta = RULES.get(rid)
    return Finding(
        rule_id=rid,
        category=cat,
        severity=sev,
        confidence={"high": _C.HIGH, "medium": _C.MEDIUM}.get(zconf, _C.LOW),
        path=path,
        start_line=start,
        end_line=end,
        message=message,
        remediation=(meta.remediation if meta else "")
        + (f" {res.get('url')}" if res.get("url") else ""),
        evidence=evidence,
        analyzer="zizmor",
        extra=(("zizmor_severity", zsev), ("zizmor_confidence", zconf)),
    )
