"""Run semgrep once per scan, offline, over every eligible file, with the pack in checks/."""

from __future__ import annotations

import json
import re
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Sequence


from reviewer.core.analyzers.base import AnalysisFile, AnalyzerOutput, ScanContext
from reviewer.core.analyzers.fragments import balance_fragment
from reviewer.core.findings import Finding, SkipReason, Skipped
from reviewer.core.rules import load_semgrep_rules, meta_of
from reviewer.core.workdir import write_tree
from reviewer.core.changeset import text_lines

OFFLINE_FLAGS = ("--metrics=off", "--disable-version-check")
# Files semgrep cannot parse or has no rules for still go through the other analyzers.
_SEMGREP_LANGS = {
    "python", "javascript", "typescript", "go", "java", "ruby", "php", "c", "cpp", "bash",
    "perl", "csharp", "rust", "kotlin", "yaml", "json", "dockerfile", "swift", "cmake",
    "powershell",  # no semgrep parser: generic (regex) rules still read it
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


_CONFIG_CACHE: dict[tuple[str, ...], str] = {}


def _config_text(ids: tuple[str, ...], rules: list[dict[str, Any]]) -> str:
    """The rules as one semgrep config (JSON is YAML), built once per set of rules."""
    text = _CONFIG_CACHE.get(ids)
    if text is None:
        text = json.dumps({"rules": rules})
        if len(_CONFIG_CACHE) > 16:
            _CONFIG_CACHE.clear()
        _CONFIG_CACHE[ids] = text
    return text


def semgrep_env() -> dict[str, str]:
    env = dict(os.environ)
    env["SEMGREP_ENABLE_VERSION_CHECK"] = "0"
    env["SEMGREP_SEND_METRICS"] = "off"
    env.pop("SEMGREP_APP_TOKEN", None)
    return env


class SemgrepAnalyzer:
    """Pattern rules from ``checks/semgrep``, run by semgrep's fast engine."""

    name = "semgrep"
    runs_in_subprocess = True  # bounded by its own timeouts, so the engine runs it in-process

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
        return self.analyze_many([(files, ctx)])[0]

    def analyze_many(self, groups: Sequence[tuple[Sequence[AnalysisFile], ScanContext]]) -> list[AnalyzerOutput]:
        """Analyse several changes with ONE semgrep process (per-commit scans, corpus evaluation).

        Each group's files live in a folder of their own, so paths never collide and every
        result and error goes back to the group it came from.
        """
        outs = [AnalyzerOutput() for _ in groups]
        if not groups:
            return outs
        options = groups[0][1].options
        rules = [r for r in self.rules if r["id"] not in options.disabled_rules]
        metas = {r["id"]: meta_of(r) for r in rules}
        targets: list[dict[str, str]] = [{f.path: _target_text(f) for f in files if _wants(f)}
                                         for files, _ in groups]
        texts: list[dict[str, str]] = [{f.path: f.text for f in files} for files, _ in groups]
        # Post-images rebuilt from hunks (no whole file): fragments that may not parse.
        rebuilt: list[set[str]] = [{f.path for f in files if not f.change.whole_post_image}
                                   for files, _ in groups]
        if not rules or not any(targets):
            return outs
        single = len(groups) == 1
        with tempfile.TemporaryDirectory(prefix="gatehouse-") as tmp:
            root = Path(tmp)
            config = root / "rules.yml"
            config.write_text(_config_text(tuple(r["id"] for r in rules), rules), encoding="utf-8")
            tree = root / "src"
            tree.mkdir()
            where: dict[str, tuple[int, str]] = {}
            for i, group_targets in enumerate(targets):
                if not group_targets:
                    continue
                sub = tree if single else tree / f"g{i}"
                sub.mkdir(exist_ok=True)
                prefix = "" if single else f"g{i}/"
                for rel, original in write_tree(sub, group_targets, rename=target_name).items():
                    where[prefix + rel] = (i, original)
            (tree / ".semgrepignore").write_text("# scan everything, tests included\n")
            started = time.monotonic()
            try:
                proc = subprocess.run(
                    self.command(config, tree, groups[0][1]), capture_output=True, env=semgrep_env(),
                    timeout=options.scan_timeout_s, cwd=tmp, stdin=subprocess.DEVNULL,
                )
            except subprocess.TimeoutExpired:
                for out, group_targets in zip(outs, targets):
                    if group_targets:
                        out.errors.append(f"semgrep did not finish within {options.scan_timeout_s}s")
                        out.skipped += [Skipped(p, SkipReason.TIMED_OUT, "semgrep scan budget", self.name)
                                        for p in group_targets]
                return outs
            finally:
                self.last_semgrep_seconds = time.monotonic() - started
            try:
                report = json.loads(proc.stdout or b"{}")
            except json.JSONDecodeError:
                report = {}
            if proc.returncode not in (0, 1) or "results" not in report:
                err = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
                for out, group_targets in zip(outs, targets):
                    if group_targets:
                        out.errors.append(f"semgrep exited {proc.returncode}: {err[0][:300]}")
                        out.skipped += [Skipped(p, SkipReason.ANALYZER_ERROR, "semgrep failed", self.name)
                                        for p in group_targets]
                return outs
            for res in report.get("results", []):
                located = self._locate(res.get("path", ""), tree, where)
                if located is None:
                    continue
                i, original = located
                f = self._finding(res, original, metas, texts[i])
                if f is not None:
                    outs[i].findings.append(f)
            for err in report.get("errors", []):
                located = self._locate(err.get("path", ""), tree, where) if err.get("path") else None
                if located is None:
                    for out, group_targets in zip(outs, targets):
                        if group_targets:
                            self._error(err, None, out)
                else:
                    i, original = located
                    self._error(err, original, outs[i], rebuilt=original in rebuilt[i])
        return outs

    @staticmethod
    def _locate(path: str, tree: Path, where: dict[str, tuple[int, str]]) -> tuple[int, str] | None:
        p = Path(path)
        if not p.is_absolute():
            p = tree.parent / p
        try:
            rel = p.resolve().relative_to(tree.resolve()).as_posix()
        except ValueError:
            rel = path
        return where.get(rel)

    def _finding(self, res: dict[str, Any], original: str, metas: dict[str, Any],
                 texts: dict[str, str]) -> Finding | None:
        rid = res.get("check_id", "").rsplit(".", 1)[-1] if res.get("check_id") not in metas else res["check_id"]
        meta = metas.get(rid)
        if meta is None:
            return None
        start = int(res["start"]["line"])
        end = int(res["end"]["line"])
        text = texts.get(original, "")
        lines = text_lines(text)
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

    def _error(self, err: dict[str, Any], path: str | None, out: AnalyzerOutput, *,
               rebuilt: bool = False) -> None:
        """A semgrep error. It degrades the scan, except where parsing a fragment is expected
        to fail: a post-image rebuilt from the diff's hunks (gaps between hunks, code cut
        mid-statement) is listed as partly parsed or unparsable, not as a broken analysis."""
        kind = err.get("type", "error")
        kind = str(kind[0]) if isinstance(kind, list) else str(kind)
        msg = str(err.get("message", "")).strip().splitlines()[0:1]
        detail = _strip_tmp(msg[0])[:200] if msg else ""
        text = f"semgrep {kind}" + (f" on {path}" if path else "") + (f": {detail}" if detail else "")
        if "imeout" in kind:
            reason = SkipReason.TIMED_OUT
        elif kind == "PartialParsing":
            reason = SkipReason.PARTLY_PARSED
        else:
            reason = SkipReason.UNPARSABLE
        if path and rebuilt and kind in _PARSE_ERRORS:
            out.skipped.append(Skipped(path, reason, f"rebuilt from the diff's hunks; {detail}"[:300],
                                       self.name))
            return
        out.errors.append(text)
        if path:
            out.skipped.append(Skipped(path, reason, text, self.name))


_PARSE_ERRORS = frozenset({"PartialParsing", "Syntax error", "Lexical error", "Other syntax error"})
_TMP_PATH = re.compile(r"\S*gatehouse-[^/\s]+/src/(?:g\d+/)?")


def _strip_tmp(message: str) -> str:
    """semgrep names the scratch copy; say the file's own path instead."""
    return _TMP_PATH.sub("", message)


# Extension-less files that are prose, not programs.
_PROSE_NAMES = {"readme", "license", "licence", "copying", "notice", "authors", "contributors",
                "changelog", "changes", "history", "news", "todo", "install", "version", "owners",
                "codeowners", "patents", "makefile"}


def _wants(f: AnalysisFile) -> bool:
    """Files semgrep should see: known languages, and extension-less scripts (generic rules)."""
    from reviewer.core.analyzers.base import language_of

    if language_of(f.path, f.text) in _SEMGREP_LANGS:
        return True
    name = f.path.rsplit("/", 1)[-1]
    return "." not in name and name.lower() not in _PROSE_NAMES and bool(f.text.strip())


def _target_text(f: AnalysisFile) -> str:
    """The text semgrep scans: a diff-only fragment gets its open brackets closed so it parses."""
    from reviewer.core.analyzers.base import language_of

    if f.change.head_text is not None:
        return f.text
    return balance_fragment(f.text, language_of(f.path, f.text))


def target_name(path: str) -> str:
    """The name a file is written under for semgrep.

    semgrep never scans ``*.min.js``-style names, even when asked to; a minified file in a
    pull request is exactly where a payload hides, so it is written as ``*.min_.js``.
    Findings map back to the original path.
    """
    head, _, name = path.rpartition("/")
    parts = name.split(".")
    if len(parts) >= 3 and parts[-2].lower() == "min":
        parts[-2] = parts[-2] + "_"
        name = ".".join(parts)
    return f"{head}/{name}" if head else name
