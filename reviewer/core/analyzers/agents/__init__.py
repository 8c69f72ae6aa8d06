"""Prompt injection aimed at coding agents, and code that drives agents without a leash.

Instruction files (AGENTS.md, CLAUDE.md, .cursorrules, ...) are read by the next AI
that opens the repository, so text there is a standing order to it. This analyzer
notes every change to such files, ranks imperative instructions to destroy,
exfiltrate, hide or run something first, and flags code that launches agent CLIs
with their approval prompts turned off or with prompts that hunt for secrets.

The package: :mod:`.data` (instruction files, agent CLIs), :mod:`.rules`, :mod:`.patterns`
(the text patterns), :mod:`.instructions` (reading an order), :mod:`.analyzer`.
"""

from reviewer.core.analyzers.agents.analyzer import AgentAnalyzer
from reviewer.core.analyzers.agents.data import agent_file_kind
from reviewer.core.analyzers.agents.rules import RULES, rule_metas

__all__ = ["AgentAnalyzer", "RULES", "rule_metas", "agent_file_kind"]
