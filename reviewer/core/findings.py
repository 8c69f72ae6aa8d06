"""The domain values of a review: Severity, Confidence, Finding, Skipped."""

from __future__ import annotations

import enum
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

CATEGORIES: tuple[str, ...] = (
    "remote-code-exec",
    "obfuscated-exec",
    "reverse-shell",
    "auth-bypass",
    "hardcoded-credential",
    "logic-bomb",
    "secret-harvest",
    "exfiltration",
    "credential-file-access",
    "dns-exfil",
    "clipboard-hijack",
    "install-hook",
    "ci-injection",
    "ci-secret-exfil",
    "dependency-risk",
    "tls-disabled",
    "crypto-weakened",
    "hidden-unicode",
    "prompt-injection",
    "binary-blob",
    "security-control-disabled",
    "new-outbound-endpoint",
    "ai-egress",
)


class Severity(enum.IntEnum):
    """How bad a finding is; ordered so that ``Severity.HIGH > Severity.MEDIUM``."""

    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            names = ", ".join(s.label for s in cls)
            raise ValueError(f"unknown severity {text!r}: use one of {names}") from None

    def bump(self, steps: int = 1) -> Severity:
        return Severity(min(int(Severity.CRITICAL), max(0, int(self) + steps)))


class Confidence(enum.IntEnum):
    """How sure the rule is that the match is what it claims."""

    LOW = 0
    MEDIUM = 1
    HIGH = 2

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Confidence:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown confidence {text!r}: use low, medium or high") from None


# ASCII whitespace only: a no-break or ideographic space, a line or paragraph separator is a
# character of the code (it can change a string's meaning), never formatting.
_WS = re.compile(r"[ \t\n\r\f\v]+")


def normalise_code(code: str) -> str:
    """Code with runs of ASCII whitespace collapsed to one space, so re-indenting or re-wrapping
    keeps a fingerprint; every other character, however long the code, counts."""
    return _WS.sub(" ", code).strip(" ")


def fingerprint(rule_id: str, path: str, code: str) -> str:
    """A stable id for a finding: rule + path + the whole normalised code, never the line number.

    ``code`` is the complete matched code (every line of the finding, untruncated) or, for a
    binary file, its content hash: a change anywhere in it is a new fingerprint.
    """
    h = hashlib.sha256()
    for part in (rule_id, path, normalise_code(code)):
        h.update(part.encode("utf-8", "surrogateescape"))
        h.update(b"\x00")
    return h.hexdigest()[:32]


def binary_code(content_sha256: str | None) -> str:
    """What a binary file's findings fingerprint: its bytes' hash (unknown: its own marker)."""
    return f"binary sha256:{content_sha256}" if content_sha256 else "binary (contents not known)"


@dataclass(frozen=True)
class Finding:
    """One thing a reviewer should look at, on the lines of one file."""

    rule_id: str
    category: str
    severity: Severity
    confidence: Confidence
    path: str
    start_line: int
    end_line: int
    message: str
    remediation: str = ""
    evidence: str = ""
    fingerprint: str = ""
    analyzer: str = ""
    capabilities: frozenset[str] = field(default_factory=frozenset)
    extra: tuple[tuple[str, str], ...] = ()

    def with_fingerprint(self) -> Finding:
        """This finding fingerprinted from its evidence, unless it has a fingerprint already."""
        if self.fingerprint:
            return self
        return _replace(self, fingerprint=fingerprint(self.rule_id, self.path, self.evidence))

    def fingerprinted(self, code: str) -> Finding:
        """This finding fingerprinted from ``code``, the whole code it matched."""
        return _replace(self, fingerprint=fingerprint(self.rule_id, self.path, code))

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "category": self.category,
            "severity": self.severity.label,
            "confidence": self.confidence.label,
            "path": self.path,
            "start_line": self.start_line,
            "end_line": self.end_line,
            "message": self.message,
            "remediation": self.remediation,
            "evidence": self.evidence,
            "fingerprint": self.fingerprint,
            "analyzer": self.analyzer,
            "capabilities": sorted(self.capabilities),
            "extra": dict(self.extra),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        return cls(
            rule_id=data["rule_id"],
            category=data["category"],
            severity=Severity.parse(data["severity"]),
            confidence=Confidence.parse(data["confidence"]),
            path=data["path"],
            start_line=int(data["start_line"]),
            end_line=int(data["end_line"]),
            message=data["message"],
            remediation=data.get("remediation", ""),
            evidence=data.get("evidence", ""),
            fingerprint=data.get("fingerprint", ""),
            analyzer=data.get("analyzer", ""),
            capabilities=frozenset(data.get("capabilities", ())),
            extra=tuple(sorted((str(k), str(v)) for k, v in data.get("extra", {}).items())),
        )

    def sort_key(self) -> tuple[Any, ...]:
        return (self.path, self.start_line, -int(self.severity), self.rule_id)


def _replace(obj: Any, **changes: Any) -> Any:
    import dataclasses

    return dataclasses.replace(obj, **changes)


class SkipReason(enum.StrEnum):
    """Why a file or an analyzer was not analysed."""

    BINARY = "binary"
    TOO_LARGE = "too-large"
    UNDECODABLE = "undecodable"
    TIMED_OUT = "timed-out"
    UNPARSABLE = "unparsable"
    PARTLY_PARSED = "partly-parsed"  # analysed, except the lines the parser had to skip
    ANALYZER_ERROR = "analyzer-error"
    SCAN_BUDGET = "scan-budget"
    WRITE_ERROR = "write-error"  # could not be handed to an analyzer's tool
    NOT_LISTED = "not-listed"  # beyond what GitHub lists of a pull request
    DELETED = "deleted"
    IGNORED = "ignored"

    @property
    def not_analysed(self) -> bool:
        """True when a file skipped for this reason was not (wholly) analysed, so a check that
        skipped it must not be green. Binary files follow the binary-blob rules instead; ignored
        paths are the policy's own choice; partly parsed files were analysed but for a few
        lines; deleted files add nothing."""
        return self not in _ANALYSED_ENOUGH


_ANALYSED_ENOUGH = frozenset(
    {SkipReason.BINARY, SkipReason.PARTLY_PARSED, SkipReason.DELETED, SkipReason.IGNORED}
)


@dataclass(frozen=True)
class Skipped:
    """A file (or an analyzer on a file) that was not analysed, and why."""

    path: str
    reason: SkipReason
    detail: str = ""
    analyzer: str = ""

    def to_dict(self) -> dict[str, str]:
        return {
            "path": self.path,
            "reason": self.reason.value,
            "detail": self.detail,
            "analyzer": self.analyzer,
        }
