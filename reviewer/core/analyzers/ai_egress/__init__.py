"""AI egress: code the change makes talk to an AI service, and what it sends there.

The vendors are data (``checks/data/ai-vendors.yml``: name, country, API hosts, SDK modules and
packages, agent CLIs, CI actions, local model servers). Python is read with ``ast``: SDK
imports and clients, HTTP calls to a vendor's host, agent CLIs run through ``subprocess``, and
what flows into the call within its function (source files found by walking the tree, the
environment, secrets, credential files, user input). Other files are read line by line with the
endpoint analyzer's host extraction. Severity follows what is sent: the environment, secrets or
credential files are high, the repository's source files medium, a prompt or user input low,
an SDK dependency or API host alone info. Each finding carries ``vendor``, ``country`` and
``local`` in ``extra``, for the repository policy (``ai_egress:``) to allow or block.

The package: :mod:`.vendors` (the vendor data), :mod:`.rules` (rule table, call sites),
:mod:`.python_names` and :mod:`.python` (Python files), :mod:`.text` (other files),
:mod:`.analyzer` (the analyzer).
"""

from reviewer.core.analyzers.ai_egress.analyzer import AIEgressAnalyzer
from reviewer.core.analyzers.ai_egress.rules import RULES, rule_metas
from reviewer.core.analyzers.ai_egress.vendors import Vendor, vendor_for_host, vendors

__all__ = ["AIEgressAnalyzer", "RULES", "rule_metas", "Vendor", "vendors", "vendor_for_host"]
