"""What a Python name can do (source, sink, transform), from the capability data file."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import yaml

from checks import DATA_DIR
from reviewer.errors import RuleError

__all__ = ["CapabilityTable", "table"]

_FILE = "capabilities.yml"
SINK_KINDS = ("network", "mail", "dns", "code", "command", "native", "module", "descriptor")


@dataclass(frozen=True)
class CapabilityTable:
    """The capability data, as lookups by qualified name."""

    sources: dict[str, str]  # qualified call -> source tag
    source_labels: dict[str, str]
    env_mappings: frozenset[str]
    env_getters: frozenset[str]
    secret_words: tuple[str, ...]
    key_words: tuple[str, ...]
    credential_paths: tuple[str, ...]
    sinks: dict[str, str]  # qualified call -> sink kind
    sink_labels: dict[str, str]
    decoders: frozenset[str]
    decode_methods: frozenset[str]
    decode_codecs: frozenset[str]
    encoders: frozenset[str]
    encode_methods: frozenset[str]
    fetch_programs: frozenset[str]
    send_programs: frozenset[str]
    dns_programs: frozenset[str]
    run_programs: frozenset[str]
    open_programs: frozenset[str]
    encoded_flags: frozenset[str]
    powershell: frozenset[str]

    def is_secret_name(self, name: str) -> bool:
        """True when an environment variable's name says it holds a secret."""
        low = name.lower()
        return any(w in low for w in self.secret_words)

    def is_key_material(self, name: str) -> bool:
        """True when a variable, attribute or key's name says it holds a private key or a seed."""
        if len(name) > 80:
            return False
        low = name.lower().replace("-", "_")
        return any(w in low for w in self.key_words)

    def credential_path_in(self, text: str) -> str:
        """The credential-store marker a string literal names, or ''."""
        if len(text) > 400:
            return ""
        low = text.lower().replace("\\", "/")
        if low.endswith("/.env") or low == ".env":
            return ".env"
        for marker in self.credential_paths:
            if marker != ".env" and marker in low:
                return marker
        return ""


def _words(doc: dict[str, object], *keys: str) -> list[str]:
    node: object = doc
    for key in keys:
        if not isinstance(node, dict):
            raise RuleError(f"{_FILE}: expected a mapping at {'.'.join(keys)}")
        node = node.get(key, [])
    if not isinstance(node, list) or not all(isinstance(x, str) for x in node):
        raise RuleError(f"{_FILE}: {'.'.join(keys)} must be a list of names")
    return [str(x) for x in node]


@functools.lru_cache(maxsize=1)
def table() -> CapabilityTable:
    """The capability table, loaded once; raises RuleError naming the file and the key."""
    path = DATA_DIR / _FILE
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RuleError(f"{path}: cannot load the capability data: {exc}") from None
    if not isinstance(doc, dict):
        raise RuleError(f"{path}: expected a mapping with sources, sinks and transforms")
    sources: dict[str, str] = {}
    source_labels: dict[str, str] = {}
    for tag, entry in (doc.get("sources") or {}).items():
        source_labels[tag] = str(entry.get("label", tag))
        for name in _words(doc, "sources", tag, "calls"):
            sources[name] = tag
    sinks: dict[str, str] = {}
    sink_labels: dict[str, str] = {}
    for kind, entry in (doc.get("sinks") or {}).items():
        if kind not in SINK_KINDS:
            raise RuleError(f"{path}: sink kind {kind!r} is not one of {', '.join(SINK_KINDS)}")
        sink_labels[kind] = str(entry.get("label", kind))
        for name in _words(doc, "sinks", kind, "calls"):
            sinks.setdefault(name, kind)
    lower = functools.partial(map, str.lower)
    return CapabilityTable(
        sources=sources,
        source_labels=source_labels,
        env_mappings=frozenset(_words(doc, "environment", "mappings")),
        env_getters=frozenset(_words(doc, "environment", "getters")),
        secret_words=tuple(lower(_words(doc, "environment", "secret_words"))),
        key_words=tuple(lower(_words(doc, "key_material"))),
        credential_paths=tuple(lower(_words(doc, "credential_paths"))),
        sinks=sinks,
        sink_labels=sink_labels,
        decoders=frozenset(_words(doc, "transforms", "decode", "calls")),
        decode_methods=frozenset(_words(doc, "transforms", "decode", "methods")),
        decode_codecs=frozenset(lower(_words(doc, "transforms", "decode", "codecs"))),
        encoders=frozenset(_words(doc, "transforms", "encode", "calls")),
        encode_methods=frozenset(_words(doc, "transforms", "encode", "methods")),
        fetch_programs=frozenset(lower(_words(doc, "commands", "fetch"))),
        send_programs=frozenset(lower(_words(doc, "commands", "send"))),
        dns_programs=frozenset(lower(_words(doc, "commands", "dns"))),
        run_programs=frozenset(lower(_words(doc, "commands", "run"))),
        open_programs=frozenset(lower(_words(doc, "commands", "open"))),
        encoded_flags=frozenset(lower(_words(doc, "commands", "encoded_flags"))),
        powershell=frozenset(lower(_words(doc, "commands", "powershell"))),
    )
