"""The secret formats (``checks/data/secrets.yml``): token shapes, credential names and
placeholders."""

import functools
import re
from dataclasses import dataclass
from typing import Any

import yaml

from checks import DATA_DIR
from reviewer.core.findings import Severity

_DATA_FILE = "secrets.yml"


@dataclass(frozen=True)
class _TokenFormat:
    rule_id: str
    name: str
    pattern: re.Pattern[str]
    severity: Severity
    hints: tuple[str, ...] = ()


@dataclass(frozen=True)
class SecretData:
    tokens: tuple[_TokenFormat, ...]
    private_key: re.Pattern[str]
    credential_name: re.Pattern[str]
    placeholders: tuple[str, ...]
    exempt_values: frozenset[str]
    token_hint: re.Pattern[str]


@functools.lru_cache(maxsize=1)
def secret_data() -> SecretData:
    path = DATA_DIR / _DATA_FILE
    try:
        doc: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
        tokens = tuple(
            _TokenFormat(
                rule_id=f"secret-{t['id']}",
                name=str(t["name"]),
                pattern=re.compile(t["pattern"]),
                severity=Severity.parse(str(t.get("severity", "high"))),
                hints=tuple(str(h) for h in t.get("hints", ())),
            )
            for t in doc["tokens"]
        )
        return SecretData(
            tokens=tokens,
            private_key=re.compile(doc["private_key_pattern"]),
            credential_name=re.compile(rf"(?i){doc['credential_names']}"),
            placeholders=tuple(str(p).lower() for p in doc["placeholder_markers"]),
            exempt_values=frozenset(str(v).lower() for v in doc["compare_exempt_values"]),
            token_hint=re.compile(
                "|".join(re.escape(h) for t in tokens for h in (t.hints or ("",)))
            ),
        )
    except (OSError, yaml.YAMLError, KeyError, TypeError, re.error, ValueError) as exc:
        raise ValueError(
            f"{path}: cannot load secret formats ({exc}); fix the file or reinstall the checks pack"
        ) from None
