"""New outbound endpoints: URLs, host names and raw IPs that the change adds.

An endpoint is *new* when the pre-change text (base contents, removed and context
lines) did not already name it, so moving a URL is not news. Ordinary new hosts
are noted at info level for the correlator; kinds of services attackers favour
(paste sites, request collectors, tunnels, anonymous file drops, chat webhooks,
dynamic DNS, free hosting, raw or encoded IPs) are ranked from
``checks/data/endpoints.yml``. Sending the environment, credential files or the
source tree to an endpoint on the same or an adjacent line is exfiltration.

The package: :mod:`.hosts` (the host catalogue), :mod:`.rules`, :mod:`.extract` (endpoints
and sent data in a line), :mod:`.analyzer`.
"""

from reviewer.core.analyzers.endpoints.analyzer import EndpointAnalyzer
from reviewer.core.analyzers.endpoints.extract import Endpoint, data_named, endpoints_in
from reviewer.core.analyzers.endpoints.hosts import classify_host
from reviewer.core.analyzers.endpoints.rules import RULES, rule_metas

__all__ = [
    "EndpointAnalyzer",
    "RULES",
    "rule_metas",
    "classify_host",
    "Endpoint",
    "endpoints_in",
    "data_named",
]
