"""Finding construction: a judged flow becomes a finding with its message and capabilities."""

from __future__ import annotations

from reviewer.core.analyzers.base import AnalysisFile
from reviewer.core.behaviour.capabilities import CapabilityTable
from reviewer.core.behaviour.flow_model import Flow
from reviewer.core.behaviour.verdicts import ANALYZER, RULES, Verdict
from reviewer.core.findings import Finding

_WHY = {
    "py-behaviour-remote-code-run": "Whoever controls that server decides what runs here, after "
    "review, and can change it at any time: this is a remote-code-execution backdoor.",
    "py-behaviour-downloaded-file-run": "A program fetched at run time was never reviewed and can "
    "be replaced by whoever controls the host: this is a dropper.",
    "py-behaviour-command-fetch-run": "Fetch-and-run is how droppers start their payload; the "
    "downloaded content never passes review.",
    "py-behaviour-command-encoded": "An encoded command hides what runs from every reviewer.",
    "py-behaviour-command-shell-socket": "Whoever listens at the other end gets a shell.",
    "py-behaviour-decoded-exec": "Code hidden in an encoded blob is never reviewed; legitimate "
    "code has no reason to hide what it runs.",
    "py-behaviour-credential-file-sent": "Those files hold keys and session tokens; sending them "
    "out is credential theft.",
    "py-behaviour-environment-sent": "The environment holds CI tokens, cloud keys and passwords; "
    "sending it out is secret harvesting.",
    "py-behaviour-secret-sent": "Credentials sent from code that runs on install or import reach "
    "whoever owns the endpoint.",
    "py-behaviour-identity-sent": "Reporting who and where the code runs is how typosquatting and "
    "dependency-confusion packages find their victims.",
    "py-behaviour-dns-exfil": "DNS lookups pass most firewalls, so data hidden in host names "
    "leaves even locked-down networks.",
    "py-behaviour-clipboard-sent": "Clipboards hold passwords, keys and wallet addresses.",
    "py-behaviour-unasked-request": "A request on install or import tells its owner where the "
    "package landed (the address, the time) and is how out-of-band probes confirm a victim.",
    "py-behaviour-command-sends-data": "Local files and machine details sent to a remote host "
    "are how probes and stealers report what they found.",
    "py-behaviour-renamed-exec": "Renaming exec hides code execution from a reader and from "
    "name-based checks; obfuscators do it, ordinary code does not.",
    "py-behaviour-hidden-endpoint": "Legitimate code has no reason to hide where it sends data.",
    "py-behaviour-file-sent": "Uploading files on install or import is data theft.",
    "py-behaviour-key-material-sent": "Whoever receives a private key or seed owns the "
    "account, the wallet or the cloud identity it protects.",
    "py-behaviour-socket-shell": "Whoever is at the other end of the connection gets a shell.",
}

_TAG_LABEL = {
    "env-dump": "the whole environment",
    "env-secret": "a secret environment variable",
    "identity": "the machine's identity (host, user, home or working directory)",
    "clipboard": "the clipboard",
    "credential-file": "a credential store path",
    "network-data": "downloaded content",
    "decoded": "decoded data",
    "encoded": "encoding",
    "downloaded-file": "a downloaded file",
    "socket": "a network socket",
    "file-data": "a local file",
    "key-material": "a private key or seed",
}


def build_finding(
    flow: Flow, verdict: Verdict, file: AnalysisFile, caps: CapabilityTable
) -> Finding:
    meta = RULES[verdict.rule_id]
    lines = file.lines()
    evidence = lines[flow.line - 1].strip()[:240] if 0 < flow.line <= len(lines) else ""
    return Finding(
        rule_id=meta.rule_id,
        category=meta.category,
        severity=verdict.severity,
        confidence=meta.confidence,
        path=flow.path,
        start_line=flow.line,
        end_line=flow.line,
        message=_message(flow, verdict, caps),
        remediation=meta.remediation,
        evidence=evidence,
        analyzer=ANALYZER,
        capabilities=frozenset(_capabilities(flow)),
        extra=(("context", flow.context.name.lower()), ("sink", flow.sink_name)),
    )


_WHAT = {
    "py-behaviour-command-fetch-run": "fetches something from the network and runs it",
    "py-behaviour-command-encoded": "runs an encoded script, hidden from review",
    "py-behaviour-command-shell-socket": "wires a shell to a network connection",
    "py-behaviour-command-sends-data": "sends a local file or a command's output to a remote host",
    "py-behaviour-unasked-request": "makes a network request",
    "py-behaviour-hidden-endpoint": "sends a request to an address decoded at run time",
    "py-behaviour-renamed-exec": "calls exec or eval under another name, on a built value",
}


def _message(flow: Flow, verdict: Verdict, caps: CapabilityTable) -> str:
    where = flow.context.label
    fn = f"`{flow.function}`" if flow.function != "<module>" else "module-level code"
    if verdict.rule_id in _WHAT:
        what = _WHAT[verdict.rule_id]
        if flow.sink_kind == "command-line" and flow.command is not None:
            progs = ", ".join(dict.fromkeys(p for p in flow.command.programs if p))[:120]
            head = (
                f"The command line run by `{flow.sink_name}` at line {flow.line} ({progs}) {what}"
            )
        else:
            head = f"At line {flow.line}, {fn} {what} (`{flow.sink_name}`)"
        return f"{head}; it runs {where}. {_WHY[verdict.rule_id]}"
    parts = []
    for tag, line in flow.tags:
        label = _TAG_LABEL.get(tag, tag)
        parts.append(f"{label} (line {line})")
    sink = caps.sink_labels.get(flow.sink_kind, flow.sink_kind)
    via = (
        f" (a helper called here, which sends it on at its line {flow.via[0]})" if flow.via else ""
    )
    fn = f" in `{flow.function}`" if flow.function != "<module>" else " at module level"
    return (
        f"Data from {' and '.join(parts)} reaches {sink} (`{flow.sink_name}`) at line "
        f"{flow.line}{via},{fn}, which runs {where}. {_WHY[verdict.rule_id]}"
    )


def _capabilities(flow: Flow) -> set[str]:
    tags = flow.tag_set()
    caps: set[str] = set()
    if "env-dump" in tags:
        caps.add("env-dump")
    if "env-secret" in tags:
        caps.add("env-read")
    if "credential-file" in tags:
        caps.add("credential-file")
    if "decoded" in tags:
        caps.add("decode")
    if flow.sink_kind in ("network", "mail"):
        caps.add("network-send")
    if flow.sink_kind == "dns":
        caps.add("dns-lookup")
    if flow.sink_kind in ("code", "command", "module", "native", "command-line"):
        caps.add("exec")
    return caps
