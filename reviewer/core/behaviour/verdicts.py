"""The behaviour rules and their verdicts: which rule a flow deserves, and how severe."""

from __future__ import annotations

from dataclasses import dataclass

from reviewer.core.behaviour.flow_model import SOURCE_TAGS, Flow
from reviewer.core.findings import Confidence, Severity
from reviewer.core.rules import RuleMeta, rule_maker

__all__ = ["ANALYZER", "RULES", "Verdict", "judge", "rule_metas"]

ANALYZER = "behaviour"
_meta = rule_maker(f"python:{ANALYZER}", languages=("python",))
_H, _M, _C = Severity.HIGH, Severity.MEDIUM, Severity.CRITICAL

RULES: dict[str, RuleMeta] = {
    m.rule_id: m
    for m in (
        _meta(
            "py-behaviour-remote-code-run",
            "remote-code-exec",
            _C,
            Confidence.HIGH,
            "Content downloaded from the network reaches exec/eval, a command or a module loader.",
            "Never run downloaded code; ship it in the package, pinned and reviewed.",
        ),
        _meta(
            "py-behaviour-downloaded-file-run",
            "remote-code-exec",
            _H,
            Confidence.HIGH,
            "A file written from a download is then run as a program, script or library.",
            "Ship what the code needs in the package; do not download and start programs.",
        ),
        _meta(
            "py-behaviour-command-fetch-run",
            "remote-code-exec",
            _H,
            Confidence.HIGH,
            "A command line fetches something from the network and runs it.",
            "Remove the download-and-run; declare dependencies so the package manager installs "
            "them.",
        ),
        _meta(
            "py-behaviour-command-encoded",
            "obfuscated-exec",
            _H,
            Confidence.HIGH,
            "A command runs an encoded script (PowerShell -EncodedCommand), hidden from review.",
            "Write the command in clear text, or remove it.",
        ),
        _meta(
            "py-behaviour-command-shell-socket",
            "reverse-shell",
            _C,
            Confidence.HIGH,
            "A command wires a shell to a network connection (/dev/tcp, nc -e): a reverse shell.",
            "Remove it.",
        ),
        _meta(
            "py-behaviour-decoded-exec",
            "obfuscated-exec",
            _H,
            Confidence.HIGH,
            "Decoded, decrypted or decompressed data is executed as code or as a command.",
            "Ship readable source; never execute an embedded encoded payload.",
        ),
        _meta(
            "py-behaviour-credential-file-sent",
            "credential-file-access",
            _H,
            Confidence.HIGH,
            "Data read from a credential store (SSH keys, cloud or browser credentials, wallets) "
            "reaches the network.",
            "Remove the read and the send; rotate any credential this code could reach.",
        ),
        _meta(
            "py-behaviour-environment-sent",
            "secret-harvest",
            _H,
            Confidence.HIGH,
            "The whole environment (with every token in it) reaches the network.",
            "Send an explicit, allow-listed set of fields, never the environment.",
        ),
        _meta(
            "py-behaviour-secret-sent",
            "secret-harvest",
            _M,
            Confidence.MEDIUM,
            "An environment variable named as a secret reaches the network from code that runs "
            "unasked.",
            "Do not send credentials from install or import time code.",
        ),
        _meta(
            "py-behaviour-identity-sent",
            "exfiltration",
            _M,
            Confidence.MEDIUM,
            "The machine's identity (host name, user name, home, working directory) reaches the "
            "network.",
            "Do not report who and where the code runs; remove the call.",
        ),
        _meta(
            "py-behaviour-dns-exfil",
            "dns-exfil",
            _H,
            Confidence.MEDIUM,
            "Collected data is turned into a host name that is looked up: DNS exfiltration.",
            "Remove the lookup; DNS is not a channel for data.",
        ),
        _meta(
            "py-behaviour-clipboard-sent",
            "exfiltration",
            _H,
            Confidence.HIGH,
            "The clipboard's contents reach the network.",
            "Remove the clipboard read and the send.",
        ),
        _meta(
            "py-behaviour-unasked-request",
            "exfiltration",
            _M,
            Confidence.MEDIUM,
            "A network request is made by code that runs unasked (on install, on import, at "
            "start).",
            "Make network access an explicit call the user makes, never a side effect of install "
            "or "
            "import.",
        ),
        _meta(
            "py-behaviour-command-sends-data",
            "exfiltration",
            _M,
            Confidence.MEDIUM,
            "A network command (curl, wget, nc...) uploads a local file or the output of another "
            "command (whoami, hostname...).",
            "Remove the upload; nothing should leave the machine as a side effect of this code.",
        ),
        _meta(
            "py-behaviour-renamed-exec",
            "obfuscated-exec",
            _M,
            Confidence.MEDIUM,
            "exec or eval is called under another name, on a value built at run time.",
            "Call code by its name, or better, do not evaluate built strings at all.",
        ),
        _meta(
            "py-behaviour-hidden-endpoint",
            "exfiltration",
            _M,
            Confidence.MEDIUM,
            "A network request goes to an address that is decoded at run time, hidden from review.",
            "Write the endpoint in clear text so a reviewer can see where data goes.",
        ),
        _meta(
            "py-behaviour-file-sent",
            "exfiltration",
            _M,
            Confidence.MEDIUM,
            "Local file contents are sent over the network by code that runs unasked.",
            "Install and import must not upload files; make it an explicit command.",
        ),
        _meta(
            "py-behaviour-key-material-sent",
            "secret-harvest",
            _M,
            Confidence.MEDIUM,
            "A private key, wallet seed or secret access key reaches the network as it is (or "
            "merely "
            "encoded).",
            "Never send key material; send what it computes (a signature, an address) if anything.",
        ),
        _meta(
            "py-behaviour-socket-shell",
            "reverse-shell",
            _C,
            Confidence.HIGH,
            "A network socket becomes a process's standard input/output: a reverse shell.",
            "Remove it.",
        ),
    )
}


def rule_metas() -> list[RuleMeta]:
    """Catalogue entries of this analyzer's rules."""
    return list(RULES.values())


@dataclass(frozen=True)
class Verdict:
    """A rule, the severity the evidence supports, and what to tell the reviewer."""

    rule_id: str
    severity: Severity


def judge(flow: Flow) -> Verdict | None:
    """The rule and severity a flow deserves, or None when it is everyday code."""
    tags = flow.tag_set()
    kind = flow.sink_kind
    weight = flow.context.weight
    if kind == "command-line" and flow.command is not None:
        if flow.command.shell_over_network:
            return _adjust("py-behaviour-command-shell-socket", weight)
        if flow.command.runs_fetched:
            return _adjust("py-behaviour-command-fetch-run", weight)
        if flow.command.encoded:
            return _adjust("py-behaviour-command-encoded", weight)
        if flow.command.uploads:
            return _adjust("py-behaviour-command-sends-data", weight)
        return None
    if kind == "beacon":
        return (
            Verdict("py-behaviour-unasked-request", Severity.MEDIUM)
            if flow.context.unasked
            else None
        )
    if kind == "renamed-exec":
        return _adjust("py-behaviour-renamed-exec", weight)
    if kind == "hidden-endpoint":
        return _adjust("py-behaviour-hidden-endpoint", weight)
    if kind == "descriptor":
        return _adjust("py-behaviour-socket-shell", weight) if "socket" in tags else None
    if kind in ("code", "command", "module", "native"):
        if "network-data" in tags:
            return _adjust("py-behaviour-remote-code-run", weight)
        if "downloaded-file" in tags:
            return _adjust("py-behaviour-downloaded-file-run", weight)
        if "decoded" in tags and not flow.sink_name.endswith(("pickle.loads", "dill.loads")):
            return _adjust("py-behaviour-decoded-exec", weight)
        return None
    if kind not in ("network", "mail", "dns"):
        return None
    bump = weight + (1 if "encoded" in tags else 0)
    if kind == "dns" and tags & SOURCE_TAGS - {"network-data"}:
        return _adjust("py-behaviour-dns-exfil", bump)
    if "credential-file" in tags:
        return _adjust("py-behaviour-credential-file-sent", bump)
    if "env-dump" in tags:
        return _adjust("py-behaviour-environment-sent", bump)
    if "clipboard" in tags:
        return _adjust("py-behaviour-clipboard-sent", bump)
    if "key-material" in tags:
        return _adjust("py-behaviour-key-material-sent", bump)
    if "identity" in tags:
        return _adjust("py-behaviour-identity-sent", bump)
    if "env-secret" in tags and flow.context.unasked:
        return _adjust("py-behaviour-secret-sent", bump)
    if "file-data" in tags and flow.context.unasked:
        return _adjust("py-behaviour-file-sent", 0)
    return None


def _adjust(rule_id: str, steps: int) -> Verdict:
    base = RULES[rule_id].severity
    return Verdict(rule_id, base.bump(steps) if steps else base)
