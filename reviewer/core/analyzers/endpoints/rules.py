"""The endpoint rule table."""

from __future__ import annotations

from reviewer.core.findings import Confidence, Severity
from reviewer.core.rules import RuleMeta, rule_maker

ANALYZER = "endpoints"


_meta = rule_maker(f"python:{ANALYZER}")


RULES: dict[str, RuleMeta] = {
    m.rule_id: m
    for m in (
        _meta(
            "endpoint-new-host",
            "new-outbound-endpoint",
            Severity.INFO,
            Confidence.HIGH,
            "Code or configuration names a host the project did not name before.",
            "Check that the host belongs to a service the project means to talk to.",
            ("new-endpoint",),
        ),
        _meta(
            "endpoint-suspicious-host",
            "new-outbound-endpoint",
            Severity.MEDIUM,
            Confidence.MEDIUM,
            "A new URL points at a kind of service attackers use to receive data or serve "
            "payloads (paste site, request collector, tunnel, file drop, chat webhook, dynamic "
            "DNS, free hosting).",
            "Replace it with an endpoint the organisation controls, or explain why the product "
            "must talk to it; add trusted domains to the allow-list.",
            ("new-endpoint", "suspicious-endpoint"),
        ),
        _meta(
            "endpoint-raw-ip",
            "new-outbound-endpoint",
            Severity.MEDIUM,
            Confidence.MEDIUM,
            "A new public IP address literal: a destination no DNS name, certificate or review "
            "explains.",
            "Use a named host the organisation controls; check who owns the address.",
            ("new-endpoint", "suspicious-endpoint"),
        ),
        _meta(
            "endpoint-encoded-ip",
            "new-outbound-endpoint",
            Severity.HIGH,
            Confidence.HIGH,
            "A URL spells its IP address in decimal, hex or octal to hide where it goes.",
            "Write the address plainly and check who owns it; nobody encodes an address by "
            "accident.",
            ("new-endpoint", "suspicious-endpoint", "obfuscated"),
        ),
        _meta(
            "endpoint-exfiltration",
            "exfiltration",
            Severity.HIGH,
            Confidence.MEDIUM,
            "Environment variables, credential files or the source tree are sent to a URL on the "
            "same or an adjacent line.",
            "Remove the upload; if telemetry is intended, send an explicit allow-list of fields "
            "to an endpoint the organisation controls.",
            ("network-send", "new-endpoint"),
        ),
    )
}


def rule_metas() -> list[RuleMeta]:
    """Catalogue entries of this analyzer's rules."""
    return list(RULES.values())
