"""A behaviour model of Python code: what it can reach, where it sends it, what it runs, and when.

``capabilities`` reads what names do from data; ``flow`` follows data from sources through
transforms to sinks, within and across functions and files; ``context`` says when code runs;
``analyzer`` turns flows into findings whose severity comes from that evidence.
"""

from reviewer.core.behaviour.analyzer import RULES, BehaviourAnalyzer, rule_metas

__all__ = ["RULES", "BehaviourAnalyzer", "rule_metas"]
