"""Hidden Unicode: text that reads differently from how a compiler, shell or AI reads it.

Bidirectional controls reorder what an editor shows (Trojan Source); zero-width,
filler and tag characters are invisible; variation selectors can smuggle bytes;
letters from Cyrillic or Greek can forge Latin identifiers. Ordinary text in
other languages (a Chinese README, a Russian translation, emoji) stays quiet.

The package: :mod:`.chars` (character tables, ``reveal``, ``skeleton``), :mod:`.rules`,
:mod:`.context` (where a character stands), :mod:`.analyzer` (the analyzer).
"""

from reviewer.core.analyzers.unicode.analyzer import UnicodeAnalyzer
from reviewer.core.analyzers.unicode.chars import reveal, skeleton
from reviewer.core.analyzers.unicode.rules import RULES, rule_metas

__all__ = ["UnicodeAnalyzer", "RULES", "rule_metas", "reveal", "skeleton"]
