"""The capability vocabulary that rules and analyzers tag findings with.

A capability is something code *can do*. Alone, each is everyday code and its
finding stays low or info; ``reviewer.core.correlate`` raises severity when a
file (or a change) holds a dangerous chain of them.
"""

from __future__ import annotations

CAPABILITIES: dict[str, str] = {
    "env-read": "reads one or a few environment variables",
    "env-dump": "reads or serialises the whole environment",
    "credential-file": (
        "reads credential stores (~/.ssh, ~/.aws, .npmrc, browser profiles, wallets, keychains)"
    ),
    "source-tree-read": "walks or archives the source tree or home directory",
    "network-send": "sends data over the network (HTTP client, socket write, curl/wget, fetch)",
    "network-fetch": "downloads content from the network",
    "socket-connect": "opens a raw outbound socket",
    "dns-lookup": "resolves names whose labels are built from data",
    "new-endpoint": "a URL, host or IP literal the change adds",
    "suspicious-endpoint": "a paste site, webhook collector, tunnel, file-sharing host or raw IP",
    "decode": "decodes or decrypts an embedded payload (base64, hex, zlib, XOR, AES)",
    "exec": "evaluates code or runs a program built at run time",
    "shell-spawn": "starts an interactive shell or binds a shell to a descriptor",
    "install-hook": "runs at install or import time (npm lifecycle scripts, setup.py commands)",
    "time-trigger": "branches on the current date or time",
    "auth-compare": "compares a credential with a constant in an authentication path",
    "hidden-unicode": "carries invisible or bidirectional Unicode",
    "agent-file": "is an instruction file for an AI coding agent",
    "agent-cli": "launches a coding-agent CLI",
    "destructive": "deletes or overwrites files or history on a large scale",
    "clipboard": "reads or replaces the clipboard",
    "obfuscated": "is packed, minified or encoded beyond what people write",
    "security-off": (
        "turns off a security control (TLS checks, sandboxing, landlock, signature checks)"
    ),
}
