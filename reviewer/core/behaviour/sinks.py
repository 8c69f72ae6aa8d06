"""Where a walk meets sinks: recording flows, the commands they run, downloaded files."""

from __future__ import annotations

import ast

from reviewer.core.behaviour.commands import CommandFacts, read_command
from reviewer.core.behaviour.flow_model import (
    MAX_FLOWS_PER_FILE,
    SOURCE_TAGS,
    Flow,
    ModuleInfo,
    Summary,
    Taint,
    built_name,
    const_str,
    flow_key,
    path_key,
    union_taint,
)
from reviewer.core.behaviour.linking import ChangeIndex


class SinkRecorder:
    """The state of one pass over one function (or a module body), and what it records."""

    def __init__(self, analysis: ChangeIndex, module: ModuleInfo, fn: ast.AST | None) -> None:
        self.a = analysis
        self.m = module
        self.caps = analysis.caps
        self.fn = fn
        self.context = module.contexts.of(fn)
        self.env: dict[str, Taint] = {}
        self.aliases: dict[str, str] = {}
        self.handles: dict[str, str] = {}
        self.values: dict[str, list[ast.AST]] = {}
        self.local_downloads: set[str] = set()
        self.owner = module.methods.get(id(fn)) if fn is not None else None
        self.summary: Summary | None = None
        self.fname = getattr(fn, "name", "<module>")
        if fn is not None:
            self.summary = Summary()
            args = fn.args  # type: ignore[attr-defined]
            params = [*args.posonlyargs, *args.args]
            for i, p in enumerate(params):
                self.env[p.arg] = {f"param:{i}": fn.lineno, f"keep:{i}": fn.lineno}  # type: ignore[attr-defined]
            for p in (args.vararg, args.kwarg, *args.kwonlyargs):
                if p is not None:
                    self.env[p.arg] = {f"param:{len(params)}": fn.lineno}  # type: ignore[attr-defined]
            self.params = {p.arg: i for i, p in enumerate(params)}

    def _sink(
        self,
        node: ast.Call,
        kind: str,
        name: str,
        args: Taint,
        recv: Taint,
        kw: dict[str | None, Taint],
    ) -> None:
        line = node.lineno
        if kind == "command":
            facts = self._command_facts(node)
            for code in facts.python_code if facts is not None else ():
                self.a.embedded(self.m, code, line, self.context)
            if facts is not None and (
                facts.runs_fetched or facts.encoded or facts.shell_over_network or facts.uploads
            ):
                self._emit(
                    Flow(
                        self.m.path,
                        "command-line",
                        name,
                        line,
                        (),
                        self.context,
                        self.fname,
                        command=facts,
                    )
                )
            elif (
                facts is not None
                and self.context.unasked
                and (facts.fetches and facts.has_url or facts.resolves or facts.opens_url)
            ):
                self._emit(Flow(self.m.path, "beacon", name, line, (), self.context, self.fname))
            if facts is not None and (facts.sends or facts.resolves):
                data = {
                    k: v
                    for k, v in args.items()
                    if k in SOURCE_TAGS or k.startswith("param:") or k == "encoded"
                }
                if data:
                    self._record(
                        "dns" if facts.resolves and not facts.sends else "network", name, line, data
                    )
            for stream in ("stdin", "stdout", "stderr"):
                if "socket" in kw.get(stream, {}):
                    self._record("descriptor", name, line, kw[stream])
            dl = self._downloaded_in(node) or self._downloaded_named(node)
            if dl:
                self._record("command", name, line, {"downloaded-file": line})
        if kind == "native" and self._downloaded_in(node):
            self._record("native", name, line, {"downloaded-file": line})
        if kind == "code" and self._downloaded_in(node):
            self._record("code", name, line, {"downloaded-file": line})
        if kind == "dns" and self.context.unasked and "identity" not in args:
            self._emit(Flow(self.m.path, "beacon", name, line, (), self.context, self.fname))
        if kind == "network" and "decoded" in args:
            self._emit(
                Flow(self.m.path, "hidden-endpoint", name, line, (), self.context, self.fname)
            )
        if kind == "network" and self.context.unasked:
            self._emit(Flow(self.m.path, "beacon", name, line, (), self.context, self.fname))
        if kind == "dns" and node.args and not built_name(node.args[0]) and "encoded" not in args:
            args = {k: v for k, v in args.items() if k != "identity"}  # resolving its own host name
        if kind in ("network", "mail", "dns") and name.startswith("socket.socket."):
            args = union_taint(args, {k: v for k, v in recv.items() if k != "socket"})
        self._record(kind, name, line, args)

    def _command_argument(self, node: ast.Call, index: int, sink_name: str) -> None:
        """A helper that runs its parameter as a command, called with a command line."""
        if not 0 <= index < len(node.args):
            return
        facts = self._command_facts(node, [node.args[index]])
        if facts is not None and (facts.runs_fetched or facts.encoded or facts.shell_over_network):
            self._emit(
                Flow(
                    self.m.path,
                    "command-line",
                    sink_name,
                    node.lineno,
                    (),
                    self.context,
                    self.fname,
                    via=(node.lineno,),
                    command=facts,
                )
            )

    def _command_facts(
        self, node: ast.Call, exprs: list[ast.expr] | None = None
    ) -> CommandFacts | None:
        parts: list[str] = []
        if exprs is None:
            exprs = [
                *node.args[:2],
                *(k.value for k in node.keywords if k.arg in ("args", "cmd", "command")),
            ]
        for a in exprs:
            parts.extend(self._strings_in(a))
        if not parts:
            return None
        return read_command(" ".join(parts), self.caps)

    def _mark_download(self, key: str) -> None:
        """A path written from a download: a variable is known in its function (and, at module
        level, in every function), a literal path in the whole file."""
        if key.startswith("name:"):
            self.local_downloads.add(key)
            if self.fn is None:
                self.m.downloads.add(key)
        else:
            self.m.downloads.add(key)

    def _downloads(self) -> set[str]:
        return self.m.downloads | self.local_downloads

    def _downloaded_named(self, node: ast.Call) -> bool:
        """A command line that names a file written from a download (``python x.py``)."""
        names = {
            k[4:].replace("\\", "/").rsplit("/", 1)[-1]
            for k in self._downloads()
            if k.startswith("str:")
        }
        names.discard("")
        if not names:
            return False
        words = {
            w.strip("\"'").replace("\\", "/").rsplit("/", 1)[-1]
            for text in self._strings_in(node)
            for w in text.split()
        }
        return bool(names & words)

    def _strings_in(self, node: ast.AST, depth: int = 0) -> list[str]:
        """String constants of an expression, and those of the variables it uses (two levels)."""
        parts: list[str] = []
        for sub in ast.walk(node):
            text = const_str(sub)
            if text:
                parts.append(text)
            elif isinstance(sub, ast.Name) and sub.id in self.values and depth < 2:
                for value in self.values[sub.id]:
                    parts.extend(self._strings_in(value, depth + 1))
            if len(parts) > 64:
                break
        return parts

    def _downloaded_in(self, node: ast.Call) -> bool:
        all_dl = self._downloads()
        if not all_dl:
            return False
        for a in [*node.args, *(k.value for k in node.keywords)]:
            for sub in ast.walk(a):
                if (
                    isinstance(
                        sub,
                        (ast.Name, ast.Constant, ast.Call, ast.Attribute, ast.JoinedStr, ast.BinOp),
                    )
                    and path_key(sub) in all_dl
                ):
                    return True
        return False

    def _record(
        self,
        kind: str,
        name: str,
        line: int,
        taint: Taint,
        *,
        via: tuple[int, ...] = (),
        path_line: int | None = None,
    ) -> None:
        if not taint:
            return
        if self.summary is not None:
            for tag in taint:
                if tag.startswith("param:"):
                    self.summary.param_sinks.add((int(tag[6:]), kind, name, line))
        real = {k: v for k, v in taint.items() if not k.startswith(("param:", "keep:"))}
        if kind in ("network", "mail", "dns"):
            keep = SOURCE_TAGS | {"file-data"} if self.context.unasked else SOURCE_TAGS
            real = {k: v for k, v in real.items() if k in keep or k == "encoded"}
            if "file-data" in real and kind == "network":
                real.pop("network-data", None)
            if not (real.keys() & (SOURCE_TAGS | {"file-data"})) or set(real) == {"network-data"}:
                return
        elif kind in ("code", "command", "module", "native"):
            real = {
                k: v for k, v in real.items() if k in ("network-data", "decoded", "downloaded-file")
            }
        elif kind == "descriptor":
            real = {k: v for k, v in real.items() if k == "socket"}
        if not real:
            return
        at = path_line if path_line is not None else line
        self._emit(
            Flow(
                self.m.path,
                kind,
                name,
                at,
                tuple(sorted(real.items(), key=lambda kv: kv[1])),
                self.context,
                self.fname,
                via=via,
            )
        )

    def _emit(self, flow: Flow) -> None:
        if len(self.a.flows) >= MAX_FLOWS_PER_FILE * max(1, len(self.a.modules)):
            return
        key = flow_key(flow)
        known = self.a.flows.get(key)
        if known is None or flow.context.weight > known.context.weight:
            self.a.flows[key] = flow
