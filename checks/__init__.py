"""The Gatehouse rule pack: semgrep rules with their test files, and detection data.

Shipped inside the wheel; ``CHECKS_DIR`` is where it was installed.
"""

from pathlib import Path

CHECKS_DIR = Path(__file__).resolve().parent
SEMGREP_DIR = CHECKS_DIR / "semgrep"
DATA_DIR = CHECKS_DIR / "data"
