"""A behaviour model of Python code: what it can reach, where it sends it, what it runs, and when.

``capabilities`` reads what names do from data; ``flow`` follows data from sources through
transforms to sinks, within and across functions and files (``flow_model`` holds what a flow is
made of, ``linking`` resolves calls across files, ``taint``, ``calls`` and ``sinks`` walk one
function); ``context`` says when code runs; ``verdicts`` judges each flow, ``report`` builds its
finding and ``analyzer`` runs it all over a change.
"""

from reviewer.core.behaviour.analyzer import BehaviourAnalyzer
from reviewer.core.behaviour.verdicts import RULES, rule_metas

__all__ = ["RULES", "BehaviourAnalyzer", "rule_metas"]
