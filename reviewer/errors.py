"""The one exception root of Gatehouse, and a subclass per boundary."""

from __future__ import annotations


class GatehouseError(Exception):
    """Root of every error Gatehouse raises on purpose."""

    def diagnostics(self) -> str:
        """Text meant for the person who has to fix the input."""
        return str(self)


class DiffError(GatehouseError):
    """A diff could not be read. Names the input and what to do."""

    def __init__(self, source: str, problem: str, fix: str = "") -> None:
        self.source = source
        self.problem = problem
        self.fix = fix
        super().__init__(f"{source}: {problem}" + (f" ({fix})" if fix else ""))


class SourceError(GatehouseError):
    """A change could not be collected from a repository."""


class RuleError(GatehouseError):
    """A rule in the rule pack is malformed."""


class ToolError(GatehouseError):
    """An external analysis tool (semgrep, zizmor) failed."""


class ConfigError(GatehouseError):
    """A setting or a repository's configuration is invalid."""
