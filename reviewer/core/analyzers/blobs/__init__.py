"""Obfuscation and blobs: encoded payloads, minified lines and binaries added to source.

People do not write base64, long hex or ``\\x..`` escapes by hand in source files;
packers and payload droppers do. This analyzer flags the payload itself (its
decoding and execution is a pattern rule's job) and binary files that a change
slips in next to code. The path classes it reads live in :mod:`reviewer.core.paths`.

The package: :mod:`.rules`, :mod:`.binaries` (binary files), :mod:`.payloads` (what an
encoded payload looks like), :mod:`.analyzer`.
"""

from reviewer.core.analyzers.blobs.analyzer import BlobAnalyzer
from reviewer.core.analyzers.blobs.rules import RULES, rule_metas

__all__ = ["BlobAnalyzer", "RULES", "rule_metas"]
