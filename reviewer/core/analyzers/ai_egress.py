"""AI egress: code the change makes talk to an AI service, and what it sends there.

The vendors are data (``checks/data/ai-vendors.yml``: name, country, API hosts, SDK modules and
packages, agent CLIs, CI actions, local model servers). Python is read with ``ast``: SDK
imports and clients, HTTP calls to a vendor's host, agent CLIs run through ``subprocess``, and
what flows into the call within its function (source files found by walking the tree, the
environment, secrets, credential files, user input). Other files are read line by line with the
endpoint analyzer's host extraction. Severity follows what is sent: the environment, secrets or
credential files are high, the repository's source files medium, a prompt or user input low,
an SDK dependency or API host alone info. Each finding carries ``vendor``, ``country`` and
``local`` in ``extra``, for the repository policy (``ai_egress:``) to allow or block.
"""

from __future__ import annotations

import ast
import functools
import posixpath
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import yaml

from checks import DATA_DIR
from reviewer.core.analyzers.added import iter_added
from reviewer.core.analyzers.base import AnalysisFile, AnalyzerOutput, ScanContext, clip_line
from reviewer.core.analyzers.endpoints import data_named, endpoints_in
from reviewer.core.findings import Confidence, Finding, Severity
from reviewer.core.paths import is_doc_path, is_program_like, is_test_path
from reviewer.core.rules import RuleMeta, rule_maker

__all__ = ["AIEgressAnalyzer", "RULES", "rule_metas", "Vendor", "vendors", "vendor_for_host"]

ANALYZER = "ai-egress"
CATEGORY = "ai-egress"
_DATA_FILE = "ai-vendors.yml"


@dataclass(frozen=True)
class Vendor:
    """An AI service code can send data to."""

    name: str
    country: str
    hosts: tuple[str, ...] = ()
    python: tuple[str, ...] = ()
    packages: frozenset[str] = frozenset()
    clis: tuple[tuple[str, str], ...] = ()
    actions: frozenset[str] = frozenset()
    local: bool = False
    ports: frozenset[int] = frozenset()
    paths: tuple[str, ...] = ()


def _strs(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value or ())


@functools.lru_cache(maxsize=1)
def vendors() -> tuple[Vendor, ...]:
    """Every vendor and local model server of the data file."""
    path = DATA_DIR / _DATA_FILE
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        out = [
            Vendor(
                str(v["name"]),
                str(v.get("country") or "unknown"),
                hosts=tuple(h.lower() for h in _strs(v.get("hosts"))),
                python=_strs(v.get("python")),
                packages=frozenset(p.lower() for p in _strs(v.get("packages"))),
                clis=tuple((str(c[0]), str(c[1])) for c in v.get("clis") or ()),
                actions=frozenset(a.lower() for a in _strs(v.get("actions"))),
            )
            for v in doc["vendors"]
        ]
        out += [
            Vendor(
                str(v["name"]),
                "local",
                python=_strs(v.get("python")),
                packages=frozenset(p.lower() for p in _strs(v.get("packages"))),
                local=True,
                ports=frozenset(int(p) for p in v.get("ports") or ()),
                paths=_strs(v.get("paths")),
            )
            for v in doc.get("local") or ()
        ]
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError, IndexError) as exc:
        raise ValueError(
            f"{path}: cannot load AI vendors ({exc}); fix the file or reinstall the checks pack"
        ) from None
    return tuple(out)


_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "0.0.0.0", "::1", "host.docker.internal"})


def vendor_for_host(host: str, *, port: int | None = None, path: str = "") -> Vendor | None:
    """The vendor whose API ``host`` is (a subdomain counts), or the local model server on
    ``port`` of this machine."""
    host = host.lower().rstrip(".")
    if host in _LOCAL_HOSTS:
        return next(
            (
                v
                for v in vendors()
                if v.local
                and port in v.ports
                and (not v.paths or any(path.startswith(p) for p in v.paths))
            ),
            None,
        )
    for v in vendors():
        if any(host == h or host.endswith("." + h) for h in v.hosts):
            return v
    return None


def _vendor_for_module(dotted: str) -> Vendor | None:
    for v in vendors():
        if any(dotted == m or dotted.startswith(m + ".") for m in v.python):
            return v
    return None


def _vendor_for_package(name: str) -> Vendor | None:
    low = name.lower()
    return next((v for v in vendors() if low in v.packages), None)


_meta = rule_maker(f"python:{ANALYZER}", category=CATEGORY)

RULES: dict[str, RuleMeta] = {
    m.rule_id: m
    for m in (
        _meta(
            "ai-egress-secrets",
            Severity.HIGH,
            Confidence.MEDIUM,
            "Code sends the environment, secrets or credential files to an AI service.",
            "Send the model only the text it needs; never environment variables, keys or "
            "credential files. Check the vendor is one the organisation allows.",
            ("network-send", "env-read"),
        ),
        _meta(
            "ai-egress-source",
            Severity.MEDIUM,
            Confidence.MEDIUM,
            "Code sends the repository's source files to an AI service (walks the tree, reads "
            "files, or runs a coding agent in the checkout).",
            "Make sure the organisation allows this vendor and country to receive its code; "
            "list it under ai_egress.allowed_vendors, or remove the upload.",
            ("network-send", "source-tree-read"),
        ),
        _meta(
            "ai-egress-call",
            Severity.LOW,
            Confidence.MEDIUM,
            "Code sends data (a prompt, user input, file contents) to an AI service.",
            "Check what reaches the prompt and that the vendor is allowed to receive it.",
            ("network-send",),
        ),
        _meta(
            "ai-egress-sdk",
            Severity.INFO,
            Confidence.HIGH,
            "The change adds an AI vendor's SDK, API host or CI action.",
            "Check the vendor is one the organisation allows (ai_egress in .github/gatehouse.yml).",
            (),
        ),
    )
}


def rule_metas() -> list[RuleMeta]:
    """Catalogue entries of this analyzer's rules."""
    return list(RULES.values())


# What flows, strongest first: (label, words in the message, severity).
_SENDS: dict[str, tuple[str, Severity]] = {
    "env": ("the whole environment", Severity.HIGH),
    "credential": ("credential files", Severity.HIGH),
    "secret": ("secrets read from the environment", Severity.HIGH),
    "tree": ("the repository's source files", Severity.MEDIUM),
    "agent": (
        "the checkout the agent runs in (an agent reads the repository's files)",
        Severity.MEDIUM,
    ),
    "file": ("file contents", Severity.LOW),
    "user": ("user input", Severity.LOW),
}
_RULE_FOR = {
    Severity.HIGH: "ai-egress-secrets",
    Severity.MEDIUM: "ai-egress-source",
    Severity.LOW: "ai-egress-call",
}


@dataclass(frozen=True)
class _Site:
    vendor: Vendor
    line: int
    end_line: int
    how: str  # "calls the OpenAI SDK", "posts to api.deepseek.com", "runs `claude -p`"
    sends: frozenset[str]
    evidence: str


# ---------------------------------------------------------------- Python


_SECRET_NAME = re.compile(r"(?i)(?:token|secret|passw|api_?key|private|credential|auth)")
_CRED_PATH = re.compile(
    r"~/\.ssh|\.ssh/id_|\bid_rsa\b|\bid_ed25519\b|\.aws/credentials|\.netrc\b|"
    r"\.npmrc\b|\.pypirc\b|\.git-credentials|\.docker/config\.json|\.kube/config|"
    r"/etc/shadow|\.gnupg|\.config/gh/hosts"
)
_TREE_CALLS = frozenset(
    {"os.walk", "glob.glob", "glob.iglob", "os.listdir", "os.scandir", "inspect.getsource"}
)
_TREE_METHODS = frozenset({"rglob", "glob", "iterdir", "walk"})
_READ_METHODS = frozenset({"read_text", "read_bytes", "read", "readlines"})
_USER_CALLS = frozenset({"input", "sys.stdin.read", "request.get_json", "request.get_data"})
_USER_ATTRS = (
    "request.json",
    "request.form",
    "request.args",
    "request.data",
    "request.values",
    "request.files",
    "sys.argv",
    "sys.stdin",
)
_SUBPROCESS = frozenset(
    {
        "subprocess.run",
        "subprocess.call",
        "subprocess.check_call",
        "subprocess.check_output",
        "subprocess.Popen",
        "os.system",
        "os.popen",
        "asyncio.create_subprocess_exec",
        "asyncio.create_subprocess_shell",
    }
)
_HTTP_METHODS = frozenset(
    {"post", "put", "patch", "get", "request", "urlopen", "Request", "stream", "fetch"}
)
_SEND_METHODS = frozenset(
    {
        "create",
        "generate_content",
        "generate",
        "chat",
        "complete",
        "completion",
        "stream",
        "send_message",
        "invoke",
        "call",
        "embed",
        "embeddings",
        "parse",
        "generate_content_async",
        "acreate",
        "ainvoke",
        "query",
        "messages",
    }
)
# Keyword arguments that configure a client or authenticate it: not data sent.
_CONFIG_KWARGS = frozenset(
    {
        "api_key",
        "key",
        "token",
        "auth",
        "headers",
        "organization",
        "project",
        "base_url",
        "api_base",
        "model",
        "timeout",
        "max_retries",
        "http_client",
        "default_headers",
        "endpoint",
        "region",
        "location",
        "max_tokens",
        "temperature",
        "stream",
        "cwd",
        "env",
        "check",
        "text",
        "capture_output",
        "shell",
        "verify",
    }
)


def _dotted(node: ast.AST) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    elif isinstance(node, ast.Call):
        parts.append(_dotted(node.func) + "()")
    else:
        return ""
    return ".".join(reversed(parts))


def _const_strings(node: ast.AST) -> Iterator[str]:
    for n in ast.walk(node):
        if isinstance(n, ast.Constant) and isinstance(n.value, str):
            yield n.value


class _Python:
    """One Python file: where it reaches AI services and what it sends them."""

    def __init__(self, tree: ast.Module, lines: Sequence[str]) -> None:
        self.tree = tree
        self.lines = lines
        self.aliases: dict[str, str] = {}  # local name -> dotted module or object
        self.bound: dict[str, Vendor] = {}  # names bound to clients and API URLs
        self.imports: list[tuple[int, Vendor, str]] = []
        # function name -> what its return value carries (a helper that gathers the source
        # tree or the environment is a source where it is called)
        self.returns: dict[str, set[str]] = {}
        self._bind()
        self._summarise_returns()

    # -- names ------------------------------------------------------------
    def _bind(self) -> None:
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    self.aliases[a.asname or a.name.split(".")[0]] = (
                        a.name if a.asname else a.name.split(".")[0]
                    )
                    v = _vendor_for_module(a.name)
                    if v is not None:
                        self.imports.append((node.lineno, v, a.name))
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for a in node.names:
                    full = f"{node.module}.{a.name}"
                    self.aliases[a.asname or a.name] = full
                    v = _vendor_for_module(full) or _vendor_for_module(node.module)
                    if v is not None:
                        self.imports.append((node.lineno, v, full))
        for _ in range(2):  # a client built from a URL constant bound earlier
            for node in ast.walk(self.tree):
                if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    v = self.vendor_of(node.value)
                    if v is not None:
                        for t in targets:
                            name = _dotted(t)
                            if name:
                                self.bound[name] = v

    def _resolve(self, dotted: str) -> str:
        root, _, rest = dotted.partition(".")
        full = self.aliases.get(root)
        return f"{full}.{rest}" if full and rest else full or dotted

    def vendor_of(self, node: ast.AST) -> Vendor | None:
        """The AI vendor an expression stands for: a client, an SDK object, an API URL."""
        if isinstance(node, ast.Call):
            over = self._base_url(node)
            if over is not None:
                return over
            return self.vendor_of(node.func)
        if isinstance(node, (ast.Name, ast.Attribute)):
            dotted = _dotted(node)
            for name in self._prefixes(dotted):
                if name in self.bound:
                    return self.bound[name]
            if isinstance(node, ast.Attribute) and not dotted:
                return self.vendor_of(node.value)
            if "()" in dotted and isinstance(node, ast.Attribute):
                return self.vendor_of(node.value)
            return _vendor_for_module(self._resolve(dotted)) if dotted else None
        if isinstance(node, (ast.Constant, ast.JoinedStr, ast.BinOp)):
            for text in _const_strings(node):
                v = _url_vendor(text)
                if v is not None:
                    return v
        return None

    @staticmethod
    def _prefixes(dotted: str) -> Iterator[str]:
        parts = dotted.split(".")
        for i in range(len(parts), 0, -1):
            yield ".".join(parts[:i])

    def _base_url(self, call: ast.Call) -> Vendor | None:
        for kw in call.keywords:
            if kw.arg in ("base_url", "api_base", "host", "endpoint"):
                for text in _const_strings(kw.value):
                    v = _url_vendor(text)
                    if v is not None:
                        return v
                if (
                    isinstance(kw.value, (ast.Name, ast.Attribute))
                    and _dotted(kw.value) in self.bound
                ):
                    return self.bound[_dotted(kw.value)]
        return None

    # -- sites -------------------------------------------------------------
    def _summarise_returns(self) -> None:
        """Label each function of the file by what it returns, to a fixed point (bounded: a
        label is only ever added, and there are few labels)."""
        functions = [
            n for n in ast.walk(self.tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
        ]
        for _ in range(4):
            changed = False
            for fn in functions:
                taint = _Taint(fn, self)
                labels: set[str] = set()
                for node in _walk_scope(fn):
                    if isinstance(node, ast.Return) and node.value is not None:
                        labels |= taint.labels(node.value)
                known = self.returns.setdefault(fn.name, set())
                if not labels <= known:
                    known |= labels
                    changed = True
            if not changed:
                return

    def sites(self) -> Iterator[_Site]:
        for scope in self._scopes():
            taint = _Taint(scope, self)
            for node in _walk_scope(scope):
                if isinstance(node, ast.Call):
                    site = self._site(node, taint)
                    if site is not None:
                        yield site

    def _scopes(self) -> Iterator[ast.AST]:
        yield self.tree
        for node in ast.walk(self.tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield node

    def _site(self, call: ast.Call, taint: _Taint) -> _Site | None:
        func = _dotted(call.func)
        resolved = self._resolve(func) if func else ""
        method = func.rsplit(".", 1)[-1] if func else ""
        if resolved in _SUBPROCESS:
            return self._cli_site(call, taint)
        if method in _HTTP_METHODS and call.args or any(k.arg == "url" for k in call.keywords):
            target = (
                call.args[0]
                if call.args
                else next(k.value for k in call.keywords if k.arg == "url")
            )
            v = self.vendor_of(target)
            if v is not None:
                sends = taint.flowing([*call.args[1:], *call.keywords])
                host = next(
                    (h for h in v.hosts if any(h in s for s in _const_strings(target))), v.name
                )
                return self._make(v, call, f"sends a request to {host}", sends)
        if not isinstance(call.func, ast.Attribute):
            return None
        v = self.vendor_of(call.func.value)
        if v is None or method[:1].isupper():
            return None  # not an AI client, or a constructor (configuration, not data)
        sends = taint.flowing([*call.args, *call.keywords])
        if not sends and method not in _SEND_METHODS:
            return None
        return self._make(v, call, f"calls the {v.name} API (`{_clip(func, 60)}`)", sends)

    def _cli_site(self, call: ast.Call, taint: _Taint) -> _Site | None:
        if not call.args:
            return None
        argv = call.args[0]
        words: list[str] = []
        if isinstance(argv, (ast.List, ast.Tuple)):
            words = [
                e.value if isinstance(e, ast.Constant) and isinstance(e.value, str) else "?"
                for e in argv.elts
            ]
        else:
            words = " ".join(_const_strings(argv)).split()
        hit = _cli_vendor(words)
        if hit is None:
            return None
        v, command = hit
        sends = taint.flowing([argv, *call.args[1:], *call.keywords]) | {"agent"}
        return self._make(v, call, f"runs `{command}`", sends)

    def _make(self, v: Vendor, call: ast.Call, how: str, sends: Iterable[str]) -> _Site:
        end = getattr(call, "end_lineno", None) or call.lineno
        text = self.lines[call.lineno - 1] if 0 < call.lineno <= len(self.lines) else ""
        return _Site(v, call.lineno, end, how, frozenset(sends), _clip(text.strip(), 160))


def _walk_scope(scope: ast.AST) -> Iterator[ast.AST]:
    """The nodes of one function (or the module) without descending into nested functions."""
    stack = list(ast.iter_child_nodes(scope))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            if isinstance(node, ast.ClassDef):
                stack.extend(
                    n
                    for n in node.body
                    if not isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                )
            continue
        yield node
        stack.extend(ast.iter_child_nodes(node))


class _Taint:
    """What each name of one scope holds: labels from _SENDS, propagated through assignments."""

    def __init__(self, scope: ast.AST, py: _Python) -> None:
        self.py = py
        self.names: dict[str, set[str]] = {}
        nodes = list(_walk_scope(scope))
        for _ in range(3):
            for node in nodes:
                self._assign(node)

    def _add(self, target: ast.AST, labels: set[str]) -> None:
        if not labels:
            return
        for t in ast.walk(target):
            name = _dotted(t) if isinstance(t, (ast.Name, ast.Attribute)) else ""
            if name:
                self.names.setdefault(name, set()).update(labels)

    def _assign(self, node: ast.AST) -> None:
        if isinstance(node, ast.Assign):
            labels = self.labels(node.value)
            for t in node.targets:
                self._add(t, labels)
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and node.value is not None:
            self._add(node.target, self.labels(node.value))
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
            self._add(node.target, self.labels(node.iter))
        elif isinstance(node, ast.NamedExpr):
            self._add(node.target, self.labels(node.value))
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            self._add(node.optional_vars, self.labels(node.context_expr))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("append", "extend", "write", "update", "add", "insert", "join")
        ):
            self._add(node.func.value, self.labels_of_all(node.args))

    def labels_of_all(self, nodes: Iterable[ast.AST]) -> set[str]:
        out: set[str] = set()
        for n in nodes:
            out |= self.labels(n)
        return out

    def flowing(self, args: Sequence[ast.AST]) -> set[str]:
        """Labels of what the arguments carry, leaving out configuration and credentials kwargs."""
        out: set[str] = set()
        for a in args:
            if isinstance(a, ast.keyword):
                if a.arg in _CONFIG_KWARGS:
                    continue
                a = a.value
            out |= self.labels(a)
        return out

    def labels(self, node: ast.AST) -> set[str]:  # noqa: C901 - one case per kind of source
        if isinstance(node, ast.Name):
            return set(self.names.get(node.id, ()))
        if isinstance(node, ast.Constant):
            return (
                {"credential"}
                if isinstance(node.value, str) and _CRED_PATH.search(node.value)
                else set()
            )
        if isinstance(node, ast.Subscript):
            base = self.py._resolve(_dotted(node.value))
            if base == "os.environ":
                key = node.slice
                named = (
                    key.value
                    if isinstance(key, ast.Constant) and isinstance(key.value, str)
                    else ""
                )
                return {"secret"} if _SECRET_NAME.search(named) else set()
            return self.labels(node.value) | self.labels(node.slice)
        if isinstance(node, ast.Attribute):
            dotted = self.py._resolve(_dotted(node))
            if dotted == "os.environ":
                return {"env"}
            raw = _dotted(node)
            if any(
                d == u or d.startswith(u + ".") or d.endswith("." + u)
                for u in _USER_ATTRS
                for d in (raw, dotted)
            ):
                return {"user"}
            return set(self.names.get(_dotted(node), ())) | self.labels(node.value)
        if isinstance(node, ast.Call):
            return self._call(node)
        if isinstance(node, (ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef)):
            return set()
        return self.labels_of_all(ast.iter_child_nodes(node))

    def _call(self, node: ast.Call) -> set[str]:
        raw = _dotted(node.func)
        dotted = self.py._resolve(raw) if raw else ""
        method = raw.rsplit(".", 1)[-1] if raw else ""
        args = [*node.args, *(k.value for k in node.keywords)]
        if dotted.startswith("os.environ.") or dotted == "os.getenv":
            if method in ("copy", "items", "keys", "values") or (
                dotted == "os.getenv" and not node.args
            ):
                return {"env"}
            named = next(
                (
                    a.value
                    for a in node.args[:1]
                    if isinstance(a, ast.Constant) and isinstance(a.value, str)
                ),
                "",
            )
            return {"secret"} if _SECRET_NAME.search(named) else set()
        if dotted in _SUBPROCESS or dotted == "subprocess.getoutput":
            words = clip_line(" ".join(_const_strings(node)))
            out = set()
            if re.search(r"\bgit\b.*\b(?:ls-files|diff|show|archive|log)\b", words):
                out.add("tree")
            if re.search(r"(?:^|\s)(?:env|printenv)(?:\s|$)", words):
                out.add("env")
            return out | self.labels_of_all(args)
        out = self.labels_of_all(args)
        if isinstance(node.func, ast.Attribute):
            out |= self.labels(node.func.value)
        if dotted in _TREE_CALLS or method in _TREE_METHODS:
            out.add("tree")
        if dotted in ("open", "io.open", "builtins.open") or method in _READ_METHODS:
            out.add("file")
        if dotted in _USER_CALLS or raw in _USER_CALLS:
            out.add("user")
        if isinstance(node.func, ast.Name) or (
            isinstance(node.func, ast.Attribute) and _dotted(node.func.value) in ("self", "cls")
        ):
            out |= self.py.returns.get(method, set())  # a helper of this file
        return out


# ---------------------------------------------------------------- text files


def _url_vendor(text: str) -> Vendor | None:
    if "." not in text and "localhost" not in text:
        return None
    for ep in endpoints_in(clip_line(text)):
        port = None
        if ep.kind == "url":
            try:
                port = urlsplit(ep.text).port
            except ValueError:
                port = None
        v = vendor_for_host(ep.host, port=port, path=ep.path)
        if v is not None:
            return v
    return None


def _cli_vendor(words: Sequence[str]) -> tuple[Vendor, str] | None:
    """The vendor of an agent CLI run non-interactively in ``words`` (argv or a shell line)."""
    for i, word in enumerate(words):
        base = posixpath.basename(word.strip("\"'`("))
        for v in vendors():
            for command, flag in v.clis:
                if base != command:
                    continue
                rest = words[i + 1 : i + 12]
                if (
                    flag == rest[0]
                    if rest and not flag.startswith("-")
                    else flag in rest or any(r.startswith(flag + "=") for r in rest)
                ):
                    return v, f"{command} {flag}"
    return None


_IMPORT_JS = re.compile(
    r"""(?:\bfrom|\brequire\s*\(|\bimport\s*\(|^\s*import)\s*["']([^"'\n]{1,100})["']"""
)
_USES = re.compile(r"\buses:\s*[\"']?([\w.-]{1,100}/[\w.-]{1,100})")
_PACKAGE_TOKEN = re.compile(r"@?[A-Za-z0-9][\w.-]{0,100}(?:/[\w.-]{1,100})?")
_CONFIG_SUFFIXES = (".yml", ".yaml", ".json", ".toml", ".env", ".cfg", ".ini", ".py", ".pyw")
_MANIFESTS = re.compile(
    r"(?i)(?:^|/)(?:requirements[\w.-]*\.txt|pyproject\.toml|setup\.py|setup\.cfg|"
    r"package\.json|pipfile|environment\.ya?ml)$"
)
_SHELL_SOURCES = re.compile(
    r"\bgit\s+(?:diff|show|ls-files|archive|log\s+-p)\b|\$\(\s*cat\s"
    r"|<\s*[\w/.-]{1,100}\.\w{1,10}\b"
)


def _text_sites(file: AnalysisFile) -> Iterator[_Site]:
    lines = dict(iter_added(file))
    v: Vendor | None
    for n, raw in lines.items():
        line = clip_line(raw)
        if not line.strip():
            continue
        window = "\n".join(clip_line(lines.get(k, "")) for k in range(n - 2, n + 3))
        sends = {
            "env" if "env" in c else "credential" if "credential" in c else "tree"
            for _, c in data_named(window)
        }
        words = line.replace("|", " | ").replace(";", " ; ").split()
        hit = _cli_vendor(words)
        if hit is not None:
            v, command = hit
            extra = {"tree"} if _SHELL_SOURCES.search(window) else set()
            yield _Site(
                v,
                n,
                n,
                f"runs `{command}`",
                frozenset(sends | extra | {"agent"}),
                _clip(line.strip(), 160),
            )
            continue
        m = _USES.search(line)
        if m:
            v = next((x for x in vendors() if m.group(1).lower() in x.actions), None)
            if v is not None:
                yield _Site(
                    v,
                    n,
                    n,
                    f"runs the CI action {m.group(1)}",
                    frozenset(sends | {"agent"}),
                    _clip(line.strip(), 160),
                )
                continue
        v = _url_vendor(line)
        if v is not None:
            yield _Site(
                v, n, n, f"talks to the {v.name} API", frozenset(sends), _clip(line.strip(), 160)
            )


def _sdk_lines(file: AnalysisFile) -> Iterator[tuple[int, Vendor, str]]:
    manifest = bool(_MANIFESTS.search(file.path))
    for n, raw in iter_added(file):
        line = clip_line(raw)
        if manifest:
            for tok in _PACKAGE_TOKEN.findall(line):
                v = _vendor_for_package(tok)
                if v is not None:
                    yield n, v, f"dependency {tok}"
                    break
        else:
            m = _IMPORT_JS.search(line)
            if m:
                v = _vendor_for_package(m.group(1))
                if v is not None:
                    yield n, v, f"import of {m.group(1)}"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


class AIEgressAnalyzer:
    """Code that sends data to AI services, by vendor and country, ranked by what it sends."""

    name = ANALYZER

    def analyze(self, files: Sequence[AnalysisFile], ctx: ScanContext) -> AnalyzerOutput:
        out = AnalyzerOutput()
        for file in files:
            if (
                file.change.binary
                or not file.change.added
                or (is_doc_path(file.path) and not _MANIFESTS.search(file.path))
            ):
                continue
            out.findings.extend(self._file(file))
        return out

    def _file(self, file: AnalysisFile) -> Iterator[Finding]:
        tests = is_test_path(file.path)
        added = set(file.change.added)
        sites: list[_Site] = []
        sdk: list[tuple[int, Vendor, str]] = []
        tree = _parse_python(file)
        parsed = False
        if tree is not None:
            try:
                py = _Python(tree, file.lines())
                sites = [s for s in py.sites() if added & set(range(s.line, s.end_line + 1))]
                sdk = [(n, v, f"import of {mod}") for n, v, mod in py.imports if n in added]
                parsed = True
            except RecursionError:  # nesting too deep for the tree walk: read it line by line
                sites, sdk = [], []
            if parsed:
                for n, raw in iter_added(file):  # API hosts named outside any call
                    v = _url_vendor(clip_line(raw))
                    if v is not None:
                        sdk.append((n, v, "its API host"))
        if not parsed and (
            _MANIFESTS.search(file.path)
            or is_program_like(file.path, file.text[:200])
            or file.path.lower().endswith(_CONFIG_SUFFIXES)
        ):
            sites = list(_text_sites(file))
            sdk = list(_sdk_lines(file))
        seen: set[str] = set()
        for s in sites:
            seen.add(s.vendor.name)
            yield self._site_finding(file.path, s, tests)
        for n, v, what in sdk:
            if v.name in seen:
                continue
            seen.add(v.name)
            yield self._finding(
                RULES["ai-egress-sdk"],
                file.path,
                n,
                n,
                Severity.INFO,
                v,
                f"The change adds {what}: code here can now reach {_who(v)}. Nothing "
                "sent to it was found on these lines; check what will be.",
                what,
                (),
            )

    def _site_finding(self, path: str, s: _Site, tests: bool) -> Finding:
        ordered = [k for k in _SENDS if k in s.sends and not (k == "file" and "tree" in s.sends)]
        severity = max((_SENDS[k][1] for k in ordered), default=Severity.LOW)
        if tests:
            severity = min(severity, Severity.LOW)
        if s.vendor.local:
            severity = min(severity, Severity.LOW)  # the data stays on this machine
        rule = RULES[
            _RULE_FOR.get(
                max((_SENDS[k][1] for k in ordered), default=Severity.LOW), "ai-egress-call"
            )
        ]
        what = ", ".join(_SENDS[k][0] for k in ordered) or "a prompt built here"
        tail = (
            "The data stays on this machine unless the server is moved elsewhere."
            if s.vendor.local
            else "What reaches an AI service leaves the organisation's control; check the vendor "
            "and country are allowed to receive it."
        )
        message = f"This code {s.how}: it sends {what} to {_who(s.vendor)}. {tail}"
        return self._finding(
            rule, path, s.line, s.end_line, severity, s.vendor, message, s.evidence, tuple(ordered)
        )

    @staticmethod
    def _finding(
        meta: RuleMeta,
        path: str,
        start: int,
        end: int,
        severity: Severity,
        v: Vendor,
        message: str,
        evidence: str,
        sends: tuple[str, ...],
    ) -> Finding:
        extra = (
            ("vendor", v.name),
            ("country", v.country),
            ("local", "yes" if v.local else "no"),
            ("sends", ",".join(sends)),
        )
        return Finding(
            rule_id=meta.rule_id,
            category=meta.category,
            severity=severity,
            confidence=meta.confidence,
            path=path,
            start_line=start,
            end_line=end,
            message=message,
            remediation=meta.remediation,
            evidence=evidence,
            analyzer=ANALYZER,
            capabilities=frozenset(meta.capabilities),
            extra=extra,
        )


def _who(v: Vendor) -> str:
    if v.local:
        return f"{v.name}, a model server on this machine"
    return f"{v.name} ({v.country})"


def _parse_python(file: AnalysisFile) -> ast.Module | None:
    if not file.path.endswith((".py", ".pyw")) and not file.text.startswith(
        "#!/usr/bin/env python"
    ):
        return None
    try:
        return ast.parse(file.text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
