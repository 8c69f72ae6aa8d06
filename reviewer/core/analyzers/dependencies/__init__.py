"""Dependency changes: new packages, look-alike names, install hooks, sources and registries.

Reads the manifests of every ecosystem Gatehouse knows (package.json, requirements files,
setup.py/setup.cfg, pyproject.toml, Pipfile, go.mod, Gemfile, Cargo.toml, registry config
files) from the whole post-image when it is known and from the diff's hunks otherwise, and
looks only at what the change adds. A name is "new" when neither the base file nor the
change's removed lines declare it.

Severity follows "correlate, don't count": an unfamiliar name or an install hook alone is
low; a near-miss of a popular name, a hook that fetches or decodes a payload, or a package
served from a tunnel or paste host is high.

The package: :mod:`.rules` (rule table, finding builder), :mod:`.sources` (where a package
comes from), :mod:`.registries` (registry settings), :mod:`.files` (build scripts, setup.py,
lockfiles), :mod:`.analyzer` (the analyzer that runs them on each manifest).
"""

from reviewer.core.analyzers.dependencies.analyzer import DependencyAnalyzer
from reviewer.core.analyzers.dependencies.rules import NEW_PACKAGE_DAYS, RULES, rule_metas

__all__ = ["DependencyAnalyzer", "RULES", "NEW_PACKAGE_DAYS", "rule_metas"]
