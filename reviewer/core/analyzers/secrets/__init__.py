"""Secrets in code, and credentials compared with constants in authentication paths.

Two kinds of finding: a key or token committed in clear (known formats from
``checks/data/secrets.yml``, PEM private keys, and credential-named assignments
with high-entropy values), and a check of a password, token or user name against
a literal -- the shape of a magic password, master key or hidden admin account.
Both work line by line on any language, including partial code.
Evidence never carries a secret in clear: it is masked before it leaves here.

The package: :mod:`.data` (the secret formats), :mod:`.rules`, :mod:`.values` (secret values
and credential assignments), :mod:`.compare` (auth comparisons), :mod:`.analyzer`.
"""

from reviewer.core.analyzers.secrets.analyzer import SecretAnalyzer
from reviewer.core.analyzers.secrets.rules import RULES, rule_metas
from reviewer.core.analyzers.secrets.values import mask

__all__ = ["SecretAnalyzer", "RULES", "rule_metas", "mask"]
