"""The semgrep analyzer: one offline run per scan over every eligible file, its results and
skips mapped back to the change's paths."""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reviewer.core.analyzers.base import AnalysisFile, AnalyzerOutput, ScanContext
from reviewer.core.analyzers.semgrep.targets import semgrep_wants, target_text
from reviewer.core.analyzers.semgrep.tool import (
    COVERAGE_RULE,
    OFFLINE_FLAGS,
    config_text,
    memory_flag,
    semgrep_binary,
    semgrep_env,
)
from reviewer.core.changeset import text_lines
from reviewer.core.findings import Finding, Skipped, SkipReason
from reviewer.core.rules import load_semgrep_rules, meta_of
from reviewer.core.scan_tree import write_targets


class SemgrepAnalyzer:
    """Pattern rules from ``checks/semgrep``, run by semgrep's fast engine."""

    name = "semgrep"
    runs_in_subprocess = True  # bounded by its own timeouts, so the engine runs it in-process

    def __init__(
        self,
        experimental: bool = True,
        rules_dir: Path | None = None,
        *,
        semgrep_path: str | None = None,
    ) -> None:
        """``semgrep_path`` overrides where the semgrep executable is looked for."""
        self.experimental = experimental
        self.rules_dir = rules_dir
        self.semgrep_path = semgrep_path
        self._rules: list[dict[str, Any]] | None = None
        self.last_semgrep_seconds = 0.0

    @property
    def rules(self) -> list[dict[str, Any]]:
        if self._rules is None:
            self._rules = (
                load_semgrep_rules(self.rules_dir) if self.rules_dir else load_semgrep_rules()
            )
        return self._rules

    def command(self, config: Path, targets: Sequence[str], ctx: ScanContext) -> list[str]:
        """The semgrep command line for explicit targets (relative paths, none starting with a
        dash); ``--verbose`` makes the JSON list the targets semgrep skipped, with a reason."""
        cmd = [self.semgrep_path or semgrep_binary()]
        if self.experimental:
            # The scan tree is the project root: rules' ``paths:`` (``tests/``, ``bench/``) apply to
            # explicit targets as they would to the repository (without it, only to basenames).
            cmd += ["--experimental", "--project-root", "."]
        cmd += [
            "--config",
            str(config),
            "--json",
            *OFFLINE_FLAGS,
            "--disable-nosem",
            "--no-git-ignore",
            "--verbose",
            "--timeout",
            str(ctx.options.file_timeout_s),
            "--max-target-bytes",
            str(ctx.options.max_file_bytes),
            *memory_flag(ctx.options.analysis_memory_limit_bytes),
            "-j",
            str(ctx.options.jobs),
            *targets,
        ]
        return cmd

    def analyze(self, files: Sequence[AnalysisFile], ctx: ScanContext) -> AnalyzerOutput:
        return self.analyze_many([(files, ctx)])[0]

    def analyze_many(
        self, groups: Sequence[tuple[Sequence[AnalysisFile], ScanContext]]
    ) -> list[AnalyzerOutput]:
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
        targets: list[dict[str, str]] = [
            {f.path: target_text(f) for f in files if semgrep_wants(f)} for files, _ in groups
        ]
        texts: list[dict[str, str]] = [{f.path: f.text for f in files} for files, _ in groups]
        # Post-images rebuilt from hunks (no whole file): fragments that may not parse.
        rebuilt: list[set[str]] = [
            {f.path for f in files if not f.change.whole_post_image} for files, _ in groups
        ]
        if not rules or not any(targets):
            return outs
        single = len(groups) == 1
        with tempfile.TemporaryDirectory(prefix="gatehouse-") as tmp:
            root = Path(tmp)
            config = root / "rules.yml"
            config.write_text(
                config_text(
                    tuple(r["id"] for r in rules) + (COVERAGE_RULE["id"],), [*rules, COVERAGE_RULE]
                ),
                encoding="utf-8",
            )
            home = root / "home"
            home.mkdir(mode=0o700)
            tree = root / "src"
            tree.mkdir()
            # Ours, at the project root: semgrep's built-in ignores (tests/, vendor/...) are off.
            # No file of the PR is ever written under this or any other tool's config name.
            (tree / ".semgrepignore").write_text("# scan everything, tests included\n")
            where: dict[str, tuple[int, str]] = {}
            for i, group_targets in enumerate(targets):
                if not group_targets:
                    continue
                prefix = "" if single else f"g{i}/"
                written = write_targets(
                    tree / prefix if prefix else tree, group_targets, analyzer=self.name
                )
                outs[i].skipped += written.failed
                for rel, original in written.names.items():
                    where[prefix + rel] = (i, original)
            if not where:
                return outs
            started = time.monotonic()
            try:
                proc = subprocess.run(
                    self.command(config, sorted(where), groups[0][1]),
                    capture_output=True,
                    env=semgrep_env(home),
                    timeout=options.scan_timeout_s,
                    cwd=tree,
                    check=False,
                    stdin=subprocess.DEVNULL,
                )
            except subprocess.TimeoutExpired:
                for i, original in where.values():
                    outs[i].skipped.append(
                        Skipped(original, SkipReason.TIMED_OUT, "semgrep scan budget", self.name)
                    )
                for i in {i for i, _ in where.values()}:
                    outs[i].errors.append(
                        f"semgrep did not finish within {options.scan_timeout_s}s"
                    )
                return outs
            finally:
                self.last_semgrep_seconds = time.monotonic() - started
            try:
                report = json.loads(proc.stdout or b"{}")
            except json.JSONDecodeError:
                report = {}
            if (
                proc.returncode not in (0, 1)
                or not isinstance(report, dict)
                or "results" not in report
            ):
                err = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [
                    "no output"
                ]
                for i, original in where.values():
                    outs[i].skipped.append(
                        Skipped(original, SkipReason.ANALYZER_ERROR, "semgrep failed", self.name)
                    )
                for i in {i for i, _ in where.values()}:
                    outs[i].errors.append(
                        f"semgrep exited {proc.returncode}: {_strip_tmp(err[0])[:300]}"
                    )
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
                located = (
                    self._locate(err.get("path", ""), tree, where) if err.get("path") else None
                )
                if located is None:
                    for out, group_targets in zip(outs, targets, strict=True):
                        if group_targets:
                            self._error(err, None, out)
                else:
                    i, original = located
                    self._error(
                        err,
                        original,
                        outs[i],
                        rebuilt=original in rebuilt[i],
                        written=self._rel(err.get("path", ""), tree),
                    )
            self._coverage(report, tree, where, outs)
        return outs

    def _coverage(
        self,
        report: dict[str, Any],
        tree: Path,
        where: dict[str, tuple[int, str]],
        outs: list[AnalyzerOutput],
    ) -> None:
        """Fail closed on what semgrep did not read: a target it skipped is listed as skipped
        with semgrep's reason; a target it neither scanned nor skipped is an analysis error."""
        raw_paths = report.get("paths")
        paths: dict[str, Any] = raw_paths if isinstance(raw_paths, dict) else {}
        scanned = {self._rel(str(p), tree) for p in paths.get("scanned") or ()}
        skipped = {
            self._rel(str(s.get("path", "")), tree): s
            for s in paths.get("skipped") or ()
            if isinstance(s, dict)
        }
        for rel, (i, original) in sorted(where.items()):
            if rel in scanned:
                continue
            entry = skipped.get(rel)
            if entry is not None:
                why = str(entry.get("reason", "unknown"))
                detail = _strip_tmp(str(entry.get("details") or ""))[:200]
                outs[i].skipped.append(
                    Skipped(
                        original,
                        _SKIP_REASONS.get(why, SkipReason.ANALYZER_ERROR),
                        f"semgrep skipped it ({why}{': ' + detail if detail else ''})",
                        self.name,
                    )
                )
            else:
                outs[i].errors.append(
                    f"semgrep neither scanned nor skipped {original!r}: it was not analysed"
                )
                outs[i].skipped.append(
                    Skipped(
                        original,
                        SkipReason.ANALYZER_ERROR,
                        "semgrep neither scanned nor skipped it",
                        self.name,
                    )
                )

    @staticmethod
    def _rel(path: str, tree: Path) -> str:
        """A path semgrep reports, as a path relative to the scan tree."""
        p = Path(path)
        if p.is_absolute():
            try:
                return p.relative_to(tree).as_posix()
            except ValueError:
                try:
                    return p.resolve().relative_to(tree.resolve()).as_posix()
                except ValueError:
                    return path
        return p.as_posix()

    @classmethod
    def _locate(
        cls, path: str, tree: Path, where: dict[str, tuple[int, str]]
    ) -> tuple[int, str] | None:
        return where.get(cls._rel(path, tree))

    def _finding(
        self, res: dict[str, Any], original: str, metas: dict[str, Any], texts: dict[str, str]
    ) -> Finding | None:
        rid = (
            res.get("check_id", "").rsplit(".", 1)[-1]
            if res.get("check_id") not in metas
            else res["check_id"]
        )
        meta = metas.get(rid)
        if meta is None:
            return None
        start = int(res["start"]["line"])
        end = int(res["end"]["line"])
        text = texts.get(original, "")
        lines = text_lines(text)
        evidence = "\n".join(lines[start - 1 : end])[:2000]
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

    def _error(
        self,
        err: dict[str, Any],
        path: str | None,
        out: AnalyzerOutput,
        *,
        rebuilt: bool = False,
        written: str | None = None,
    ) -> None:
        """A semgrep error. It degrades the scan, except where parsing a fragment is expected
        to fail: a post-image rebuilt from the diff's hunks (gaps between hunks, code cut
        mid-statement) is listed as partly parsed or unparsable, not as a broken analysis."""
        kind = err.get("type", "error")
        kind = str(kind[0]) if isinstance(kind, list) else str(kind)
        msg = str(err.get("message", "")).strip().splitlines()[0:1]
        detail = _strip_tmp(msg[0]) if msg else ""
        if path and written:  # semgrep names the file it was given; say the PR's path instead
            detail = detail.replace(written, path)
        detail = detail[:200]
        text = (
            f"semgrep {kind}" + (f" on {path}" if path else "") + (f": {detail}" if detail else "")
        )
        if "imeout" in kind:
            reason = SkipReason.TIMED_OUT
        elif kind == "PartialParsing":
            reason = SkipReason.PARTLY_PARSED
        else:
            reason = SkipReason.UNPARSABLE
        if path and rebuilt and kind in _PARSE_ERRORS:
            out.skipped.append(
                Skipped(path, reason, f"rebuilt from the diff's hunks; {detail}"[:300], self.name)
            )
            return
        out.errors.append(text)
        if path:
            out.skipped.append(Skipped(path, reason, text, self.name))


# semgrep's reasons for skipping a target it was given (its JSON ``paths.skipped``).
_SKIP_REASONS = {
    "too_big": SkipReason.TOO_LARGE,
    "exceeded_size_limit": SkipReason.TOO_LARGE,
    "minified": SkipReason.UNPARSABLE,
    "binary": SkipReason.UNPARSABLE,  # text to us
    "analysis_failed_parser_or_internal_error": SkipReason.UNPARSABLE,
    "timeout": SkipReason.TIMED_OUT,
}
_PARSE_ERRORS = frozenset({"PartialParsing", "Syntax error", "Lexical error", "Other syntax error"})
_TMP_PATH = re.compile(r"\S*gatehouse-[^/\s]+/src/(?:g\d+/)?")


def _strip_tmp(message: str) -> str:
    """semgrep names the scratch copy; say the file's own path instead."""
    return _TMP_PATH.sub("", message)
