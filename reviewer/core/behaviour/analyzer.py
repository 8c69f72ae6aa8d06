"""The behaviour analyzer: Python flows from sources to sinks, weighed by when the code runs."""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass

from reviewer.core.analyzers.base import AnalysisFile, AnalyzerOutput, ScanContext
from reviewer.core.analyzers.blobs import is_generated_path
from reviewer.core.behaviour.capabilities import CapabilityTable, table
from reviewer.core.behaviour.context import FileContexts, contexts_of, file_context
from reviewer.core.behaviour.flow import SOURCE_TAGS, Flow, FlowAnalysis, ModuleInfo, module_name
from reviewer.core.behaviour.parse import parse_python, pth_source
from reviewer.core.findings import Confidence, Finding, Severity, Skipped, SkipReason
from reviewer.core.rules import RuleMeta, rule_maker

__all__ = ["RULES", "BehaviourAnalyzer", "judge", "rule_metas"]

ANALYZER = "behaviour"
_MAX_FINDINGS_PER_FILE = 12
_BEACON = "py-behaviour-unasked-request"
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


class BehaviourAnalyzer:
    """What the change's Python code can reach, where it sends it, what it runs, and when."""

    name = ANALYZER

    def __init__(self, caps: CapabilityTable | None = None) -> None:
        self._caps = caps

    def analyze(self, files: Sequence[AnalysisFile], ctx: ScanContext) -> AnalyzerOutput:
        out = AnalyzerOutput()
        caps = self._caps or table()
        parsed: list[tuple[AnalysisFile, ModuleInfo]] = []
        for file in files:
            if not _is_python(file) or is_generated_path(file.path):
                continue
            source = pth_source(file.text) if file.path.lower().endswith(".pth") else file.text
            result = parse_python(source, file.path)
            if result.tree is None:
                if file.change.whole_post_image:
                    out.skipped.append(
                        Skipped(
                            file.path,
                            SkipReason.UNPARSABLE,
                            f"not Python 2 or 3: {result.error}",
                            ANALYZER,
                        )
                    )
                continue
            if result.note.startswith(tuple("0123456789")):
                # Lines left out of a whole file are code nobody analysed (fail closed); in a
                # post-image rebuilt from hunks, gaps and cut statements are expected.
                reason = (
                    SkipReason.UNPARSABLE
                    if file.change.whole_post_image
                    else SkipReason.PARTLY_PARSED
                )
                out.skipped.append(Skipped(file.path, reason, result.note[:200], ANALYZER))
            parsed.append(
                (
                    file,
                    ModuleInfo(
                        file.path,
                        module_name(file.path),
                        result.tree,
                        FileContexts(module=file_context(file.path)),
                    ),
                )
            )
        if not parsed:
            return out
        _link_contexts([m for _, m in parsed])
        analysis = FlowAnalysis([m for _, m in parsed], caps)
        flows = analysis.run()
        for path, why in analysis.partial.items():
            out.skipped.append(Skipped(path, SkipReason.PARTLY_PARSED, why, ANALYZER))
        by_path = {f.path: f for f, _ in parsed}
        per_file: dict[str, int] = {}
        verdicts = [(flow, judge(flow)) for flow in sorted(flows, key=lambda f: (f.path, f.line))]
        stronger = {(f.path, f.line) for f, v in verdicts if v and v.rule_id != _BEACON}
        for flow, verdict in verdicts:
            if verdict is None or verdict.severity < Severity.LOW:
                continue
            if verdict.rule_id == _BEACON and (flow.path, flow.line) in stronger:
                continue  # the line already says more than "a request is made"
            if per_file.get(flow.path, 0) >= _MAX_FINDINGS_PER_FILE:
                continue
            per_file[flow.path] = per_file.get(flow.path, 0) + 1
            out.findings.append(_finding(flow, verdict, by_path[flow.path], caps))
        return out


def _is_python(file: AnalysisFile) -> bool:
    from reviewer.core.analyzers.base import language_of

    return file.path.lower().endswith(".pth") or language_of(file.path, file.text[:200]) == "python"


def _link_contexts(modules: list[ModuleInfo]) -> None:
    """Settle when each file's code runs: a module imported at module level of code that runs
    unasked runs unasked too; a function another file of the change uses counts as called."""
    used: dict[str, set[str]] = {}
    for m in modules:
        names: set[str] = set()
        for n in ast.walk(m.tree):
            if isinstance(n, ast.Name):
                names.add(n.id)
            elif isinstance(n, ast.Attribute):
                names.add(n.attr)
            elif isinstance(n, (ast.Import, ast.ImportFrom)):
                names.update(a.name.rsplit(".", 1)[-1] for a in n.names)
        used[m.path] = names
    everyone: dict[str, int] = {}
    for names in used.values():
        for name in names:
            everyone[name] = everyone.get(name, 0) + 1
    for m in modules:
        own = used[m.path]
        external = frozenset(n for n, count in everyone.items() if count > (1 if n in own else 0))
        ctx = m.contexts.module
        for other in modules:
            if other is m or not other.contexts.module.unasked:
                continue
            if _imports_module(other, m.name) and ctx.weight < other.contexts.module.weight:
                ctx = other.contexts.module
        m.contexts = contexts_of(m.tree, m.path, ctx, external)


def _imports_module(m: ModuleInfo, name: str) -> bool:
    if not name:
        return False
    leaf = name.rsplit(".", 1)[-1]
    for node in m.tree.body:
        if isinstance(node, ast.Import) and any(
            a.name == name or a.name.endswith("." + leaf) for a in node.names
        ):
            return True
        if isinstance(node, ast.ImportFrom):
            mod = node.module or ""
            if mod == name or mod.endswith(leaf) or any(a.name == leaf for a in node.names):
                return True
    return False


def _finding(flow: Flow, verdict: Verdict, file: AnalysisFile, caps: CapabilityTable) -> Finding:
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
