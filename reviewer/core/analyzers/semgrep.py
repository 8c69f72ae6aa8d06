"""Run semgrep once per scan, offline, over every eligible file, with the pack in checks/."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Sequence

import yaml

from reviewer.core.analyzers.base import AnalysisFile, AnalyzerOutput, ScanContext
from reviewer.core.findings import Confidence, Finding, Severity, SkipReason, Skipped
from reviewer.core.rules import load_semgrep_rules, meta_of
from reviewer.core.workdir import write_tree

OFFLINE_FLAGS = ("--metrics=off", "--disable-version-check")
# Files semgrep cannot parse or has no rules for still go through the other analyzers.
_SEMGREP_LANGS = {
    "python", "javascript", "typescript", "go", "java", "ruby", "php", "c", "cpp", "bash",
    "perl", "csharp", "rust", "kotlin", "yaml", "json", "dockerfile", "swift",
}


def semgrep_binary() -> str:
    """The semgrep executable next to this interpreter, else the one on PATH."""
    here = Path(sys.executable).parent / "semgrep"
    if here.exists():
        return str(here)
    found = shutil.which("semgrep")
    if not found:
        raise FileNotFoundError("semgrep is not installed: run `pip install semgrep` (or `make dev`)")
    return found


def semgrep_env() -> dict[str, str]:
    env = dict(os.environ)
    env["SEMGREP_ENABLE_VERSION_CHECK"] = "0"
    env["SEMGREP_SEND_METRICS"] = "off"
    env.pop("SEMGREP_APP_TOKEN", None)
    return env


class SemgrepAnalyzer:
    """Pattern rules from ``checks/semgrep``, run by semgrep's fast engine."""

    name = "semgrep"

    def __init__(self, experimental: bool = True, rules_dir: Path | None = None) -> None:
        self.experimental = experimental
        self.rules_dir = rules_dir
        self._rules: list[dict[str, Any]] | None = None
        self.last_semgrep_seconds = 0.0

    @property
    def rules(self) -> list[dict[str, Any]]:
        if self._rules is None:
            self._rules = load_semgrep_rules(self.rules_dir) if self.rules_dir else load_semgrep_rules()
        return self._rules

    def command(self, config: Path, target: Path, ctx: ScanContext) -> list[str]:
        cmd = [semgrep_binary()]
        if self.experimental:
            cmd.append("--experimental")
        cmd += [
            "--config", str(config), "--json", *OFFLINE_FLAGS, "--disable-nosem",
            "--no-git-ignore", "--quiet",
            "--timeout", str(ctx.options.file_timeout_s),
            "--max-target-bytes", str(ctx.options.max_file_bytes),
            "-j", str(ctx.options.jobs),
            str(target),
        ]
        return cmd

    def analyze(self, files: Sequence[AnalysisFile], ctx: ScanContext) -> AnalyzerOutput:
        out = AnalyzerOutput()
        rules = [r for r in self.rules if r["id"] not in ctx.options.disabled_rules]
        targets = {f.path: f.text for f in files if _wants(f)}
        if not targets or not rules:
            return out
        metas = {r["id"]: meta_of(r) for r in rules}
        texts = {f.path: f.text for f in files}
        with tempfile.TemporaryDirectory(prefix="gatehouse-") as tmp:
            root = Path(tmp)
            config = root / "rules.yml"
            config.write_text(yaml.safe_dump({"rules": rules}, sort_keys=False), encoding="utf-8")
            tree = root / "src"
            tree.mkdir()
            mapping = write_tree(tree, targets)
            (tree / ".semgrepignore").write_text("# scan everything, tests included\n")
            started = time.monotonic()
            try:
                proc = subprocess.run(
                    self.command(config, tree, ctx), capture_output=True, env=semgrep_env(),
                    timeout=ctx.options.scan_timeout_s, cwd=tmp, stdin=subprocess.DEVNULL,
                )
            except subprocess.TimeoutExpired:
                out.errors.append(f"semgrep did not finish within {ctx.options.scan_timeout_s}s")
                out.skipped += [Skipped(p, SkipReason.TIMED_OUT, "semgrep scan budget", self.name) for p in targets]
                return out
            finally:
                self.last_semgrep_seconds = time.monotonic() - started
            try:
                report = json.loads(proc.stdout or b"{}")
            except json.JSONDecodeError:
                report = {}
            if proc.returncode not in (0, 1) or "results" not in report:
                err = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
                out.errors.append(f"semgrep exited {proc.returncode}: {err[0][:300]}")
                out.skipped += [Skipped(p, SkipReason.ANALYZER_ERROR, "semgrep failed", self.name) for p in targets]
                return out
            for res in report.get("results", []):
                f = self._finding(res, tree, mapping, metas, texts)
                if f is not None:
                    out.findings.append(f)
            for err in report.get("errors", []):
                self._error(err, tree, mapping, out)
        return out

    def _rel(self, path: str, tree: Path, mapping: dict[str, str]) -> str | None:
        p = Path(path)
        try:
            rel = p.resolve().relative_to(tree.resolve()).as_posix()
        except ValueError:
            rel = path
        return mapping.get(rel)

    def _finding(self, res: dict[str, Any], tree: Path, mapping: dict[str, str],
                 metas: dict[str, Any], texts: dict[str, str]) -> Finding | None:
        original = self._rel(res.get("path", ""), tree, mapping)
        rid = res.get("check_id", "").rsplit(".", 1)[-1] if res.get("check_id") not in metas else res["check_id"]
        meta = metas.get(rid)
        if original is None or meta is None:
            return None
        start = int(res["start"]["line"])
        end = int(res["end"]["line"])
        text = texts.get(original, "")
        lines = text.splitlines()
        evidence = "\n".join(lines[start - 1:end])[:2000]
        extra = res.get("extra", {})
        md = extra.get("metadata", {}) or {}
        return Finding(
            rule_id=rid,
            category=meta.category,
            severity=meta.severity,
            confidence=meta.confidence,
            path=original,
            start_line=start,
            end_line=end,
            message=" ".join(str(extra.get("message", "")).split()),
            remediation=meta.remediation,
            evidence=evidence,
            analyzer=self.name,
            capabilities=frozenset(md.get("capabilities") or ()),
        )

    def _error(self, err: dict[str, Any], tree: Path, mapping: dict[str, str], out: AnalyzerOutput) -> None:
        kind = str(err.get("type", "error"))
        kind = kind[0] if isinstance(err.get("type"), list) else kind
        path = self._rel(err.get("path", ""), tree, mapping) if err.get("path") else None
        msg = str(err.get("message", "")).strip().splitlines()[0:1]
        text = f"semgrep {kind}" + (f" on {path}" if path else "") + (f": {msg[0][:200]}" if msg else "")
        out.errors.append(text)
        if path:
            reason = SkipReason.TIMED_OUT if "imeout" in kind else SkipReason.UNPARSABLE
            out.skipped.append(Skipped(path, reason, text, self.name))


def _wants(f: AnalysisFile) -> bool:
    from reviewer.core.analyzers.base import language_of

    return language_of(f.path, f.text) in _SEMGREP_LANGS
