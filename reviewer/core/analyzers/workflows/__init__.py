"""CI workflows: zizmor's audits plus checks for what it does not look for.

GitHub Actions workflows (``.github/workflows/*.yml``) and action definitions
(``action.yml``) are audited by zizmor, offline, in one process per scan, when the whole
file is known. Gatehouse's own checks then look for the shapes of CI attacks zizmor does not
name: a privileged trigger that runs the pull request's code, the whole secrets context or
environment sent over the network, a new workflow that ships data out on every push, new
self-hosted runners and widened permissions. When only diff hunks are known, the checks
read the added lines and their visible context.

Severity follows "correlate, don't count": an unpinned action or a broad permission alone is
low; injection of untrusted text into a shell and secret exfiltration are high or critical.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from reviewer.core.analyzers.base import AnalysisFile, AnalyzerOutput, ScanContext
from reviewer.core.analyzers.workflows.checks import structured_checks
from reviewer.core.analyzers.workflows.lines import line_checks
from reviewer.core.analyzers.workflows.parse import Workflow, parse_workflow
from reviewer.core.analyzers.workflows.rules import ANALYZER, RULES, rule_metas
from reviewer.core.analyzers.workflows.zizmor import run_zizmor, zizmor_binary
from reviewer.core.changeset import FileChange
from reviewer.core.findings import Skipped, SkipReason
from reviewer.core.manifests.lines import KnownLines, known_lines

__all__ = ["RULES", "WorkflowAnalyzer", "is_workflow", "rule_metas", "zizmor_binary"]


def is_workflow(path: str) -> bool:
    """A GitHub Actions workflow or action definition."""
    low = path.lower()
    name = low.rsplit("/", 1)[-1]
    if name in ("action.yml", "action.yaml"):
        return True
    return (low.startswith(".github/workflows/") or "/.github/workflows/" in low) and name.endswith(
        (".yml", ".yaml")
    )


class WorkflowAnalyzer:
    """zizmor plus Gatehouse's own CI checks over workflows a change touches."""

    name = ANALYZER

    def __init__(
        self, *, use_zizmor: bool = True, zizmor_timeout_s: int = 60, zizmor_path: str | None = None
    ) -> None:
        """``zizmor_path`` overrides where the zizmor executable is looked for."""
        self.use_zizmor = use_zizmor
        self.zizmor_timeout_s = zizmor_timeout_s
        self.zizmor_path = zizmor_path
        self.last_zizmor_seconds = 0.0  # copied back by the engine from a bounded child

    def analyze(self, files: Sequence[AnalysisFile], ctx: ScanContext) -> AnalyzerOutput:
        out = AnalyzerOutput()
        targets = [f.change for f in files if is_workflow(f.path) and not f.change.binary]
        if not targets:
            return out
        whole: dict[str, tuple[FileChange, KnownLines, Workflow]] = {}
        partial: list[tuple[FileChange, KnownLines]] = []
        for change in targets:
            known = known_lines(change)
            parsed = parse_workflow(known) if known.whole else None
            if parsed is not None:
                whole[change.path] = (change, known, parsed)
            else:
                partial.append((change, known))
        covered: set[str] = set()
        if self.use_zizmor and whole:
            texts = {p: known.text() for p, (_, known, _) in whole.items()}
            started = time.monotonic()
            covered = run_zizmor(texts, out, exe=self.zizmor_path, timeout_s=self.zizmor_timeout_s)
            self.last_zizmor_seconds = time.monotonic() - started
        elif whole:
            out.skipped += [
                Skipped(p, SkipReason.IGNORED, "zizmor is turned off", ANALYZER) for p in whole
            ]
        for path, (change, known, wf) in whole.items():
            out.findings.extend(
                structured_checks(path, change, known, wf, zizmor_ran=path in covered)
            )
        for change, known in partial:
            out.findings.extend(line_checks(change.path, known, zizmor_ran=False))
            why = "only diff hunks are known" if not known.whole else "not valid workflow YAML"
            out.skipped.append(
                Skipped(
                    change.path,
                    SkipReason.UNPARSABLE,
                    f"{why}: zizmor needs the whole file; Gatehouse's line checks ran",
                    "zizmor",
                )
            )
        return out
