"""The ai-egress analyzer: finds the call sites in each file and ranks them by what they send."""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence

from reviewer.core.analyzers.added import iter_added
from reviewer.core.analyzers.ai_egress.python import PythonFile
from reviewer.core.analyzers.ai_egress.rules import ANALYZER, RULE_FOR, RULES, SENDS, Site
from reviewer.core.analyzers.ai_egress.text import (
    CONFIG_SUFFIXES,
    MANIFESTS,
    sdk_lines,
    text_sites,
    url_vendor,
)
from reviewer.core.analyzers.ai_egress.vendors import Vendor
from reviewer.core.analyzers.base import AnalysisFile, AnalyzerOutput, ScanContext, clip_line
from reviewer.core.findings import Finding, Severity
from reviewer.core.paths import is_doc_path, is_program_like, is_test_path
from reviewer.core.rules import RuleMeta


class AIEgressAnalyzer:
    """Code that sends data to AI services, by vendor and country, ranked by what it sends."""

    name = ANALYZER

    def analyze(self, files: Sequence[AnalysisFile], ctx: ScanContext) -> AnalyzerOutput:
        out = AnalyzerOutput()
        for file in files:
            if (
                file.change.binary
                or not file.change.added
                or (is_doc_path(file.path) and not MANIFESTS.search(file.path))
            ):
                continue
            out.findings.extend(self._file(file))
        return out

    def _file(self, file: AnalysisFile) -> Iterator[Finding]:
        tests = is_test_path(file.path)
        added = set(file.change.added)
        sites: list[Site] = []
        sdk: list[tuple[int, Vendor, str]] = []
        tree = _parse_python(file)
        parsed = False
        if tree is not None:
            try:
                py = PythonFile(tree, file.lines())
                sites = [s for s in py.sites() if added & set(range(s.line, s.end_line + 1))]
                sdk = [(n, v, f"import of {mod}") for n, v, mod in py.imports if n in added]
                parsed = True
            except RecursionError:  # nesting too deep for the tree walk: read it line by line
                sites, sdk = [], []
            if parsed:
                for n, raw in iter_added(file):  # API hosts named outside any call
                    v = url_vendor(clip_line(raw))
                    if v is not None:
                        sdk.append((n, v, "its API host"))
        if not parsed and (
            MANIFESTS.search(file.path)
            or is_program_like(file.path, file.text[:200])
            or file.path.lower().endswith(CONFIG_SUFFIXES)
        ):
            sites = list(text_sites(file))
            sdk = list(sdk_lines(file))
        seen: set[str] = set()
        for s in sites:
            seen.add(s.vendor.name)
            yield self._site_finding(file.path, s, tests)
        for n, v, what in sdk:
            if v.name in seen:
                continue
            seen.add(v.name)
            yield self._finding(
                RULES["ai-egress-sdk"],
                file.path,
                n,
                n,
                Severity.INFO,
                v,
                f"The change adds {what}: code here can now reach {_who(v)}. Nothing "
                "sent to it was found on these lines; check what will be.",
                what,
                (),
            )

    def _site_finding(self, path: str, s: Site, tests: bool) -> Finding:
        ordered = [k for k in SENDS if k in s.sends and not (k == "file" and "tree" in s.sends)]
        severity = max((SENDS[k][1] for k in ordered), default=Severity.LOW)
        if tests:
            severity = min(severity, Severity.LOW)
        if s.vendor.local:
            severity = min(severity, Severity.LOW)  # the data stays on this machine
        rule = RULES[
            RULE_FOR.get(
                max((SENDS[k][1] for k in ordered), default=Severity.LOW), "ai-egress-call"
            )
        ]
        what = ", ".join(SENDS[k][0] for k in ordered) or "a prompt built here"
        tail = (
            "The data stays on this machine unless the server is moved elsewhere."
            if s.vendor.local
            else "What reaches an AI service leaves the organisation's control; check the vendor "
            "and country are allowed to receive it."
        )
        message = f"This code {s.how}: it sends {what} to {_who(s.vendor)}. {tail}"
        return self._finding(
            rule, path, s.line, s.end_line, severity, s.vendor, message, s.evidence, tuple(ordered)
        )

    @staticmethod
    def _finding(
        meta: RuleMeta,
        path: str,
        start: int,
        end: int,
        severity: Severity,
        v: Vendor,
        message: str,
        evidence: str,
        sends: tuple[str, ...],
    ) -> Finding:
        extra = (
            ("vendor", v.name),
            ("country", v.country),
            ("local", "yes" if v.local else "no"),
            ("sends", ",".join(sends)),
        )
        return meta.finding(
            analyzer=ANALYZER,
            path=path,
            start_line=start,
            end_line=end,
            message=message,
            evidence=evidence,
            severity=severity,
            extra=extra,
        )


def _who(v: Vendor) -> str:
    if v.local:
        return f"{v.name}, a model server on this machine"
    return f"{v.name} ({v.country})"


def _parse_python(file: AnalysisFile) -> ast.Module | None:
    if not file.path.endswith((".py", ".pyw")) and not file.text.startswith(
        "#!/usr/bin/env python"
    ):
        return None
    try:
        return ast.parse(file.text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
