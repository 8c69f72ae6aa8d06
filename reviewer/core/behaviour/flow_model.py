"""What a flow is made of: tags, flows, function summaries and the per-file index of names.

Inside a function, values carry *tags* (where their data came from: the environment, a
credential file, the network, a decoder...). A ``Flow`` is one tagged value reaching a sink; a
summary says which of a function's parameters reach which sinks and what its return carries.
"""

from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass, field

from reviewer.core.behaviour.commands import CommandFacts
from reviewer.core.behaviour.context import Context, FileContexts

MAX_ROUNDS = 4
MAX_FLOWS_PER_FILE = 200
Taint = dict[str, int]  # tag -> the line where the tag entered the value

# Tags a value can carry. ``param:N`` marks a function's N-th parameter while it is summarised.
SOURCE_TAGS = frozenset(
    {
        "env-dump",
        "env-secret",
        "identity",
        "clipboard",
        "credential-file",
        "network-data",
        "key-material",
    }
)
BUILTINS = frozenset(dir(builtins)) | {"execfile", "reload", "unicode", "raw_input"}
BUILTIN_PREFIXES = ("__builtins__.", "builtins.", "__builtin__.", "__builtins__.__dict__.")


@dataclass(frozen=True)
class Flow:
    """Tagged data reaching a sink, or a command line that does something on its own."""

    path: str
    sink_kind: str
    sink_name: str
    line: int
    tags: tuple[tuple[str, int], ...]
    context: Context
    function: str
    via: tuple[int, ...] = ()
    command: CommandFacts | None = None

    def tag_set(self) -> frozenset[str]:
        return frozenset(t for t, _ in self.tags)


@dataclass
class Summary:
    param_sinks: set[tuple[int, str, str, int]] = field(
        default_factory=set
    )  # (param, kind, name, line)
    returns: dict[str, int] = field(default_factory=dict)
    passes: set[int] = field(default_factory=set)
    intact: set[int] = field(default_factory=set)  # parameters returned as they are (or encoded)
    writes_download: set[int] = field(default_factory=set)  # path parameters given a download

    def key(self) -> tuple[object, ...]:
        return (
            frozenset(self.param_sinks),
            frozenset(self.returns),
            frozenset(self.passes),
            frozenset(self.intact),
            frozenset(self.writes_download),
        )


@dataclass
class ModuleInfo:
    """One parsed file of the change, with its imports and functions."""

    path: str
    name: str
    tree: ast.Module
    contexts: FileContexts
    imports: dict[str, str] = field(default_factory=dict)
    star: list[str] = field(default_factory=list)
    functions: dict[str, list[ast.AST]] = field(default_factory=dict)
    methods: dict[int, str] = field(default_factory=dict)  # function node id -> class name
    class_methods: dict[str, dict[str, ast.AST]] = field(default_factory=dict)
    globals: dict[str, Taint] = field(default_factory=dict)
    class_env: dict[str, Taint] = field(default_factory=dict)
    downloads: set[str] = field(default_factory=set)  # keys of paths written from downloads
    aliases: dict[str, str] = field(default_factory=dict)  # module-level names of capabilities


def module_name(path: str) -> str:
    """The dotted module a path would import as (``src/`` and ``lib/`` prefixes dropped)."""
    parts = path.replace("\\", "/").split("/")
    if parts and parts[0] in ("src", "lib") and len(parts) > 1:
        parts = parts[1:]
    last = parts[-1]
    if last.endswith((".py", ".pyw")):
        last = last.rsplit(".", 1)[0]
    parts[-1] = last
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(p for p in parts if p)


def const_str(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, str):
            return node.value
        if isinstance(node.value, bytes):
            return node.value.decode("latin-1")
    return None


def union_taint(*taints: Taint) -> Taint:
    out: Taint = {}
    for t in taints:
        for tag, line in t.items():
            if tag not in out or line < out[tag]:
                out[tag] = line
    return out


def index_module(info: ModuleInfo) -> None:
    is_pkg = info.path.endswith("__init__.py")
    package = info.name if is_pkg else info.name.rpartition(".")[0]
    for node in ast.walk(info.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    info.imports[alias.asname] = alias.name
                else:
                    root = alias.name.split(".")[0]
                    info.imports[root] = root
        elif isinstance(node, ast.ImportFrom):
            mod = node.module or ""
            if node.level:
                base = package.split(".") if package else []
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                mod = ".".join([*base, mod] if mod else base)
            for alias in node.names:
                if alias.name == "*":
                    info.star.append(mod)
                else:
                    info.imports[alias.asname or alias.name] = (
                        f"{mod}.{alias.name}" if mod else alias.name
                    )
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            info.functions.setdefault(node.name, []).append(node)
        elif isinstance(node, ast.ClassDef):
            table = info.class_methods.setdefault(node.name, {})
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    table.setdefault(item.name, item)
                    info.methods[id(item)] = node.name


PATH_JOINS = frozenset(
    {"os.path.join", "pathlib.Path", "pathlib.PurePath", "posixpath.join", "ntpath.join"}
)
CARRIERS = frozenset(
    {
        "str",
        "repr",
        "bytes",
        "bytearray",
        "list",
        "dict",
        "tuple",
        "format",
        "json.dumps",
        "urllib.parse.urlencode",
        "urllib.parse.quote",
    }
)
CARRIER_METHODS = frozenset(
    {
        "encode",
        "decode",
        "format",
        "join",
        "hex",
        "strip",
        "append",
        "update",
        "copy",
        "items",
        "values",
        "replace",
        "read",
        "lower",
        "upper",
    }
)
SOCKET_SENDS = frozenset({"send", "sendall", "sendto", "connect", "connect_ex"})


def flow_key(flow: Flow) -> tuple[object, ...]:
    return (flow.path, flow.line, flow.sink_kind, flow.tag_set(), flow.command)


def looks_like_python(text: str) -> bool:
    head = text[:4000]
    return (
        ("import " in head or "exec(" in head or "eval(" in head)
        and ("(" in head)
        and not head.lstrip().startswith(">>>")
    )


def built_name(node: ast.AST) -> bool:
    """True for a host name assembled from parts (f-string, concatenation, format, join)."""
    if isinstance(node, (ast.JoinedStr, ast.BinOp)):
        return True
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("format", "join")
    )


def path_key(node: ast.AST) -> str:
    """A stable key for a path expression, so a downloaded file is known where it is run."""
    if isinstance(node, ast.Name):
        return f"name:{node.id}"
    text = const_str(node)
    if (
        text is None
        and isinstance(node, ast.JoinedStr)
        and all(isinstance(v, ast.Constant) for v in node.values)
    ):
        text = "".join(str(v.value) for v in node.values)  # type: ignore[attr-defined]
    if text is not None:
        return f"str:{text}"
    try:
        dumped = ast.dump(node)
    except (RecursionError, ValueError):
        return "?"
    return dumped[:300]


def merge_summary(old: Summary | None, new: Summary) -> Summary:
    if old is None:
        return new
    return Summary(
        writes_download=old.writes_download | new.writes_download,
        intact=old.intact | new.intact,
        param_sinks=old.param_sinks | new.param_sinks,
        returns=union_taint(old.returns, new.returns),
        passes=old.passes | new.passes,
    )
