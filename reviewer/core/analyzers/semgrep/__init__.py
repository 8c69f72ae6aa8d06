"""Run semgrep once per scan, offline, over every eligible file, with the pack in checks/.

The package: :mod:`.tool` (the executable, its environment and config), :mod:`.targets`
(which files it sees and the text it scans), :mod:`.analyzer`.
"""

from reviewer.core.analyzers.semgrep.analyzer import SemgrepAnalyzer
from reviewer.core.analyzers.semgrep.tool import OFFLINE_FLAGS, semgrep_binary, semgrep_env

__all__ = ["SemgrepAnalyzer", "OFFLINE_FLAGS", "semgrep_binary", "semgrep_env"]
