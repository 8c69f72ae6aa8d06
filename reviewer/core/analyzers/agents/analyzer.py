"""The agents analyzer: changes to instruction files, injected orders in them and in code
comments, and agent CLIs run without approval."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Sequence

from reviewer.core.analyzers.added import iter_added
from reviewer.core.analyzers.agents.data import agent_file_kind, agent_flags
from reviewer.core.analyzers.agents.instructions import (
    clip,
    comment_text_of,
    dangers_in,
    html_comment_lines,
    unaddressed_order,
)
from reviewer.core.analyzers.agents.patterns import (
    AI_ADDRESS,
    DISK_SCOPE,
    KEYWORDS,
    LETTERS,
    OVERRIDE,
    SCOPE_HINTS,
    SCRIPT_ENTRY,
    SEARCH_VERB,
    SECRET_TARGETS,
    UNADDRESSED_HINT,
    UNADDRESSED_KINDS,
)
from reviewer.core.analyzers.agents.rules import ANALYZER, RULES
from reviewer.core.analyzers.base import AnalysisFile, AnalyzerOutput, ScanContext
from reviewer.core.findings import Finding, Severity
from reviewer.core.paths import is_code_path, is_doc_path, is_test_path
from reviewer.core.rules import RuleMeta


class AgentAnalyzer:
    """Agent instruction files, injected instructions, and agent CLIs run without approval."""

    name = ANALYZER

    def analyze(self, files: Sequence[AnalysisFile], ctx: ScanContext) -> AnalyzerOutput:
        out = AnalyzerOutput()
        instruction_texts = [
            f.text
            for f in files
            if not f.change.binary and agent_file_kind(f.path) == "instruction"
        ]
        for file in files:
            if file.change.binary:
                continue
            kind = agent_file_kind(file.path)
            lines = list(iter_added(file))
            if not lines:
                continue
            if kind is not None:
                out.findings.append(self._changed(file, kind, lines[0][0]))
            if kind == "ignore":
                out.findings.extend(self._ignore_entries(file, lines, instruction_texts))
            elif kind is not None:
                out.findings.extend(self._instructions(file, lines))
            else:
                out.findings.extend(self._comments_and_docs(file, lines))
            out.findings.extend(self._agent_cli(file, lines, kind))
        return out

    # -- agent files -------------------------------------------------------

    def _changed(self, file: AnalysisFile, kind: str, first: int) -> Finding:
        meta = RULES["agent-file-changed"]
        what = {
            "instruction": "an instruction file that AI coding agents load as standing orders",
            "config": "an AI-agent configuration file (tools, MCP servers, permissions)",
            "ignore": "an agent ignore file that hides paths from the AI's view",
        }[kind]
        message = (
            f"This change edits {file.path}, {what}. Text here steers the next agent that works "
            "in the repository, with the user's permissions; read every added line as an "
            "instruction to it."
        )
        return self._finding(
            meta,
            file.path,
            first,
            message,
            f"{kind} file {file.path}",
            severity=Severity.LOW if kind != "ignore" else Severity.INFO,
        )

    def _instructions(self, file: AnalysisFile, lines: list[tuple[int, str]]) -> Iterator[Finding]:
        meta = RULES["agent-instruction-dangerous"]
        for n, line in lines:
            dangers = dangers_in(line)
            if not dangers:
                continue
            kinds = sorted({d.kind for d in dangers})
            # In prose a piped installer may be advice; in an agent's tool config it runs on
            # every start.
            only_pipe = (
                kinds == ["remote code piped into a shell"]
                and agent_file_kind(file.path) != "config"
            )
            severity = Severity.MEDIUM if only_pipe else meta.severity
            if len(kinds) >= 2 and not only_pipe:
                severity = Severity.CRITICAL
            message = (
                f"This agent instruction file asks the AI for {', '.join(kinds)} "
                f'("{clip(dangers[0].text, 80)}"). Agents follow such files without asking '
                "the user, so this line is an order to whichever AI opens the repository next."
            )
            yield self._finding(meta, file.path, n, message, clip(line), severity=severity)

    def _ignore_entries(
        self, file: AnalysisFile, lines: list[tuple[int, str]], instruction_texts: list[str]
    ) -> Iterator[Finding]:
        meta = RULES["agent-ignore-hides-script"]
        for n, line in lines:
            entry = line.strip()
            if not entry or entry.startswith("#") or entry.startswith("!"):
                continue
            bare = entry.strip("/").lstrip("*").lstrip("/")
            if not SCRIPT_ENTRY.search(bare):
                continue
            base = posixpath.basename(bare)
            named = bool(base) and any(base in text for text in instruction_texts)
            severity = Severity.HIGH if named else meta.severity
            tail = (
                " An agent instruction file in this change tells the AI about that very file, so "
                "the agent is steered to run something it cannot inspect."
                if named
                else ""
            )
            message = (
                f"This agent ignore file hides `{entry}` from the AI's view of the repository."
                f"{tail} An agent that cannot read a script cannot warn about what it does."
            )
            yield self._finding(meta, file.path, n, message, entry, severity=severity)

    # -- comments and documents ----------------------------------------------

    def _comments_and_docs(
        self, file: AnalysisFile, lines: list[tuple[int, str]]
    ) -> Iterator[Finding]:
        meta = RULES["agent-comment-injection"]
        doc = is_doc_path(file.path)
        code = is_code_path(file.path, file.text[:200])
        tests = is_test_path(file.path)
        last_addressed = -10  # a comment block that speaks to an AI carries over a few lines
        hidden = html_comment_lines(file.text) if doc else frozenset()
        for n, line in lines:
            if len(line) < 12:
                continue
            text = comment_text_of(line) if code and not doc else line
            if not text:
                continue
            if n - last_addressed > 3 and KEYWORDS.isdisjoint(LETTERS.findall(text.lower())):
                continue
            addressed = bool(AI_ADDRESS.search(text))
            override = OVERRIDE.search(text)
            if addressed or override:
                last_addressed = n
            elif n - last_addressed <= 3:
                addressed = True
            if not addressed and not override and (doc or not UNADDRESSED_HINT.search(text)):
                continue
            dangers = dangers_in(text)
            if not addressed and not override:
                # Unaddressed comments count only for orders no code comment gives a human.
                dangers = [
                    d for d in dangers if d.kind in UNADDRESSED_KINDS and unaddressed_order(text, d)
                ]
            if not dangers:
                continue
            kinds = sorted({d.kind for d in dangers})
            if tests:
                severity = Severity.LOW
            elif doc and n in hidden and (addressed or override):
                # Words to an AI inside an HTML comment: invisible on the rendered page, read by
                # agents.
                severity = meta.severity
            elif doc or not (addressed or override):
                severity = Severity.MEDIUM
            else:
                severity = meta.severity
            where = "document" if doc else "code comment"
            message = (
                f"This {where} speaks to an AI and asks for {', '.join(kinds)} "
                f'("{clip(dangers[0].text, 80)}"). Coding agents read comments and docs as '
                "context and may obey them; people reviewing the code usually skim past them."
            )
            yield self._finding(meta, file.path, n, message, clip(line), severity=severity)

    # -- agent CLIs -------------------------------------------------------------

    def _agent_cli(
        self, file: AnalysisFile, lines: list[tuple[int, str]], kind: str | None
    ) -> Iterator[Finding]:
        flags = agent_flags()
        doc = is_doc_path(file.path) and kind is None
        tests = is_test_path(file.path)
        by_line = dict(lines)
        numbers = sorted(by_line)
        bypass_lines: list[int] = []
        bypass = RULES["agent-cli-permission-bypass"]
        for n in numbers:
            line = by_line[n]
            if "-" not in line and "bypassPermissions" not in line:
                continue
            m = flags.distinctive.search(line)
            flag = m.group(0) if m else None
            if flag is None:
                g = flags.generic.search(line)
                if g is not None:
                    window = "\n".join(by_line.get(k, "") for k in range(n - 3, n + 4))
                    if flags.cli_pattern.search(window):
                        flag = g.group(0)
            if flag is None:
                continue
            bypass_lines.append(n)
            severity = Severity.LOW if doc else Severity.MEDIUM if tests else bypass.severity
            message = (
                f"This line runs a coding-agent CLI with `{flag}`, which lets the agent run "
                "shell commands and edit files without asking anyone. Code that starts an agent "
                "this way hands it the user's machine and credentials; check what prompt it is "
                "given and why approval must be off."
            )
            yield self._finding(bypass, file.path, n, message, clip(line), severity=severity)
        hunt = RULES["agent-prompt-secret-hunt"]
        for n in numbers:
            line = by_line[n]
            if len(line) < 60:
                continue
            low = line.lower()
            if (
                not any(h in low for h in SCOPE_HINTS)
                or not DISK_SCOPE.search(line)
                or not SEARCH_VERB.search(line)
            ):
                continue
            targets = {m.group(0).lower() for m in SECRET_TARGETS.finditer(line)}
            if len(targets) < 3:
                continue
            severity = Severity.LOW if doc else Severity.MEDIUM if tests else hunt.severity
            if (bypass_lines or flags.cli_pattern.search(file.text)) and not doc and not tests:
                severity = Severity.CRITICAL
            message = (
                "This text asks to search the machine for secrets ("
                f"{', '.join(sorted(targets)[:6])}). Handed to a coding agent, a prompt like this "
                "turns the developer's own AI into a credential and wallet scanner; check where "
                "the text goes and what happens to the results."
            )
            yield self._finding(hunt, file.path, n, message, clip(line), severity=severity)

    @staticmethod
    def _finding(
        meta: RuleMeta,
        path: str,
        line: int,
        message: str,
        evidence: str,
        *,
        severity: Severity | None = None,
    ) -> Finding:
        return meta.finding(
            analyzer=ANALYZER,
            path=path,
            start_line=line,
            end_line=line,
            message=message,
            evidence=evidence,
            severity=meta.severity if severity is None else severity,
        )
