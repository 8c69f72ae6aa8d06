"""Calls: capabilities of the call table, and summaries of the functions in the change."""

from __future__ import annotations

import ast

from reviewer.core.behaviour.flow_model import (
    CARRIER_METHODS,
    CARRIERS,
    PATH_JOINS,
    SOCKET_SENDS,
    Flow,
    ModuleInfo,
    Taint,
    const_str,
    path_key,
    union_taint,
)
from reviewer.core.behaviour.taint import TaintWalker


class Walker(TaintWalker):
    """One pass over one function (or a module body) of one file."""

    def _call(self, node: ast.Call) -> Taint:
        func = node.func
        q = self.qual(func)
        meth = func.attr if isinstance(func, ast.Attribute) else None
        arg_taints = [self.ev(a) for a in node.args]
        kw_taints = {k.arg: self.ev(k.value) for k in node.keywords}
        args = union_taint(*arg_taints, *kw_taints.values())
        recv: Taint = {}
        if isinstance(func, ast.Attribute):
            recv = self.ev(func.value)
        elif not isinstance(func, ast.Name):
            recv = self.ev(func)
        elif q is None:
            recv = {k: v for k, v in self.ev(func).items() if k in ("decoded", "network-data")}
        line = node.lineno
        caps = self.caps
        if q in caps.env_getters:
            key = const_str(node.args[0]) if node.args else None
            if key is None:
                return {"env-dump": line}
            return {"env-secret": line} if caps.is_secret_name(key) else {}
        result: Taint = union_taint(args, recv)
        if q not in caps.encoders and q not in CARRIERS and meth not in CARRIER_METHODS:
            # what a key computes (a signature, an address) is not the key
            result = {
                k: v for k, v in result.items() if k != "key-material" and not k.startswith("keep:")
            }
        if meth in ("get", "getenv") and self.caps.is_key_material(
            (const_str(node.args[-1]) if node.args else "") or ""
        ):
            result = union_taint(result, {"key-material": line})
        if q is not None and q in caps.sources:
            result = union_taint(result, {caps.sources[q]: line})
        mapped = self.qual(node.args[0]) if q == "map" and node.args else None
        if (
            q in caps.decoders
            or mapped in caps.decoders
            or meth in caps.decode_methods
            or (
                meth == "decode"
                and node.args
                and (const_str(node.args[0]) or "").lower() in caps.decode_codecs
            )
        ):
            result = union_taint(result, {"decoded": line})
        elif (
            q in caps.encoders
            or meth in caps.encode_methods
            or (
                meth == "encode"
                and node.args
                and (const_str(node.args[0]) or "").lower() in caps.decode_codecs
            )
        ):
            if result:
                result = union_taint(result, {"encoded": line})
        elif q in ("socket.socket", "socket.create_connection", "socket.fromfd"):
            result = union_taint(result, {"socket": line})
        if q in PATH_JOINS and len(node.args) > 1:
            joined = "/".join(const_str(a) or "x" for a in node.args)
            if self.a.credential_path(joined):
                result = union_taint(result, {"credential-file": line})
        if q in ("open", "io.open", "codecs.open"):
            result = union_taint(
                {k: v for k, v in result.items() if k != "identity"}, {"file-data": line}
            )
        if q in ("urllib.request.urlretrieve", "urllib.urlretrieve") and len(node.args) >= 2:
            self._mark_download(path_key(node.args[1]))
        if meth in ("write", "writelines") and ("network-data" in args or "decoded" in args):
            target = func.value if isinstance(func, ast.Attribute) else None
            if isinstance(target, ast.Name) and target.id in self.handles:
                self._mark_download(self.handles[target.id])
            elif (
                isinstance(target, ast.Call)
                and target.args
                and self.qual(target.func) in ("open", "io.open")
            ):
                self._mark_download(path_key(target.args[0]))
        if (
            isinstance(func, ast.Attribute)
            and meth in ("write_bytes", "write_text")
            and ("network-data" in args or "decoded" in args)
        ):
            self._mark_download(path_key(func.value))
        kind = caps.sinks.get(q) if q is not None else None
        if kind is None and meth in SOCKET_SENDS and "socket" in recv:
            kind, q = "network", f"socket.socket.{meth}"  # a wrapped socket (TLS, a helper's)
        if (
            kind == "code"
            and isinstance(func, ast.Name)
            and func.id != q
            and q in ("exec", "eval")
            and node.args
            and not isinstance(node.args[0], ast.Constant)
        ):
            self._emit(Flow(self.m.path, "renamed-exec", q, line, (), self.context, self.fname))
        if kind is not None:
            self._sink(node, kind, q or "", args, recv, kw_taints)
        resolved = None
        if kind is None and (isinstance(func, (ast.Name, ast.Attribute))):
            name = func.id if isinstance(func, ast.Name) else func.attr
            owner = (
                self.owner
                if isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and func.value.id in ("self", "cls")
                else None
            )
            resolved = self.a.resolve_function(
                self.m, q, name, owner, isinstance(func, ast.Attribute)
            )
        if resolved is not None:
            result = self._apply_summary(node, resolved, arg_taints, kw_taints, recv)
        return result

    def _apply_summary(
        self,
        node: ast.Call,
        resolved: tuple[ModuleInfo, ast.AST, bool],
        arg_taints: list[Taint],
        kw_taints: dict[str | None, Taint],
        recv: Taint,
    ) -> Taint:
        target_m, fn, bound = resolved
        summary = self.a.summaries.get(id(fn))
        if summary is None:  # not summarised yet: an unknown call, which keeps no key as it is
            return {
                k: v
                for k, v in union_taint(*arg_taints, *kw_taints.values()).items()
                if k != "key-material" and not k.startswith("keep:")
            }
        offset = 1 if bound else 0
        params = [p.arg for p in (*fn.args.posonlyargs, *fn.args.args)]  # type: ignore[attr-defined]
        by_index: dict[int, Taint] = {}
        for i, t in enumerate(arg_taints):
            by_index[i + offset] = union_taint(by_index.get(i + offset, {}), t)
        for name, t in kw_taints.items():
            if name in params:
                by_index[params.index(name)] = union_taint(by_index.get(params.index(name), {}), t)
        if bound and offset:
            by_index[0] = recv
        for pi in summary.writes_download:
            if 0 <= pi - offset < len(node.args):
                self._mark_download(path_key(node.args[pi - offset]))
        for pi, kind, sink_name, sink_line in summary.param_sinks:
            if kind == "command":
                self._command_argument(node, pi - offset, sink_name)
            if (
                kind in ("command", "code", "native")
                and 0 <= pi - offset < len(node.args)
                and path_key(node.args[pi - offset]) in self._downloads()
            ):
                self._record(
                    kind,
                    sink_name,
                    sink_line,
                    {"downloaded-file": node.lineno},
                    via=(sink_line,),
                    path_line=node.lineno,
                )
            arg_t = by_index.get(pi)
            if arg_t:
                self._record(
                    kind, sink_name, sink_line, arg_t, via=(sink_line,), path_line=node.lineno
                )
        out: Taint = dict(summary.returns)
        for pi in summary.passes:
            t = by_index.get(pi, {})
            if pi not in summary.intact and "key-material" in t:
                t = {k: v for k, v in t.items() if k != "key-material"}
            out = union_taint(out, t)
        return out
