"""What a shell command line does: fetch, run what it fetched, run encoded code, wire a shell."""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from reviewer.core.behaviour.capabilities import CapabilityTable

__all__ = ["CommandFacts", "read_command"]

_MAX = 8000
_SEPARATORS = frozenset({"|", "||", "&&", ";", "&", "|&", ";;", "(", ")", "\n"})
_PREFIXES = frozenset({"sudo", "nohup", "env", "exec", "time", "nice", "start", "/b", "call"})
_RUNNABLE_EXT = (
    ".exe",
    ".sh",
    ".ps1",
    ".bat",
    ".cmd",
    ".vbs",
    ".msi",
    ".py",
    ".scr",
    ".dll",
    ".hta",
    ".jar",
    ".bin",
    ".elf",
)
_INLINE_FETCH = (
    "downloadstring",
    "downloadfile",
    "downloaddata",
    "net.webclient",
    "invoke-webrequest",
    "start-bitstransfer",
    "invoke-restmethod",
)
_DECODERS = frozenset({"base64", "base32", "xxd", "openssl", "gunzip", "zcat", "certutil"})
_INLINE_RUN = ("iex", "invoke-expression", "start-process", "invoke-item")


@dataclass(frozen=True)
class CommandFacts:
    """Facts about one command line, from its tokens."""

    programs: tuple[str, ...] = ()
    fetches: bool = False
    runs_fetched: bool = False
    encoded: bool = False
    shell_over_network: bool = False
    sends: bool = False
    resolves: bool = False
    has_url: bool = False
    uploads: bool = False  # a network command sends a file, or the output of another command
    python_code: tuple[str, ...] = ()  # the code of ``python -c CODE``
    opens_url: bool = False  # a browser or ``start`` opens a URL


def _tokens(text: str) -> list[str]:
    lexer = shlex.shlex(text[:_MAX], posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    try:
        return list(lexer)
    except ValueError:  # unbalanced quotes: fall back to whitespace
        return text[:_MAX].split()


def _program(token: str) -> str:
    name = token.replace("\\", "/").rsplit("/", 1)[-1].lower()
    return name.removesuffix(".exe")


def _segments(tokens: list[str]) -> list[list[str]]:
    out: list[list[str]] = [[]]
    for tok in tokens:
        if tok in _SEPARATORS:
            out.append([])
        else:
            out[-1].append(tok)
    return [s for s in out if s]


def read_command(text: str, caps: CapabilityTable, *, depth: int = 0) -> CommandFacts:
    """Read a command line (a shell string or argv joined by spaces) for the behaviours above."""
    tokens = _tokens(text)
    lowered = [t.lower() for t in tokens]
    segments = _segments(tokens)
    programs: list[str] = []
    fetch_seg = -1
    runs = encoded = shell = sends = resolves = uploads = False
    decode_seg = -1
    python_code: list[str] = []
    opens = False
    for i, seg in enumerate(segments):
        k = 0
        while k < len(seg) - 1 and (
            _program(seg[k]) in _PREFIXES or "=" in seg[k] and not seg[k].startswith("-")
        ):
            k += 1
        prog = _program(seg[k])
        programs.append(prog)
        args = [a.lower() for a in seg[k + 1 :]]
        if prog in caps.fetch_programs and (
            prog not in ("certutil", "bitsadmin")
            or any("urlcache" in a or "transfer" in a for a in args)
        ):
            fetch_seg = i if fetch_seg < 0 else fetch_seg
            if prog == "mshta" and any("://" in a for a in args):
                runs = True
        if prog in caps.send_programs:
            sends = True
            if any(_uploads(a, seg_raw) for a, seg_raw in zip(args, seg[k + 1 :], strict=False)):
                uploads = True
        if prog in caps.dns_programs and any("." in a and not a.startswith("-") for a in args):
            resolves = True
        if any(
            _program(t) in caps.open_programs and any("://" in a for a in seg[j + 1 :])
            for j, t in enumerate(seg)
        ):
            opens = True
        if prog.startswith("python") and "-c" in seg[k + 1 : -1]:
            python_code.append(seg[seg.index("-c", k + 1) + 1])
        if prog in caps.powershell and any(a in caps.encoded_flags for a in args):
            encoded = True
        if prog in _DECODERS and any(a in ("-d", "--decode", "-r", "-D", "-a") for a in args):
            decode_seg = i if decode_seg < 0 else decode_seg
        if decode_seg >= 0 and i > decode_seg and prog in caps.run_programs:
            encoded = True
        if prog in ("nc", "ncat", "netcat") and any(a in ("-e", "-c") for a in args):
            shell = True
        if prog == "socat" and any(a.startswith("exec:") for a in args):
            shell = True
        if (
            fetch_seg >= 0
            and i > fetch_seg
            and (
                prog in caps.run_programs
                or seg[k].startswith("./")
                or seg[k].lower().endswith(_RUNNABLE_EXT)
            )
        ):
            runs = True
        if depth < 2 and prog in caps.powershell | {"sh", "bash", "cmd", "zsh", "dash"}:
            for a in seg[k + 1 :]:
                if " " in a:
                    inner = read_command(a, caps, depth=depth + 1)
                    runs |= inner.runs_fetched
                    encoded |= inner.encoded
                    shell |= inner.shell_over_network
                    if inner.fetches and fetch_seg < 0:
                        fetch_seg = i
    inline_fetch = any(w in t for t in lowered for w in _INLINE_FETCH)
    if inline_fetch:
        fetch_seg = max(fetch_seg, 0)
        if any(t.strip("(;|") in _INLINE_RUN or t.startswith("iex") for t in lowered):
            runs = True
    if any("/dev/tcp/" in t or "/dev/udp/" in t for t in lowered):
        shell = True
    return CommandFacts(
        programs=tuple(programs),
        fetches=fetch_seg >= 0,
        runs_fetched=runs and fetch_seg >= 0,
        encoded=encoded,
        shell_over_network=shell,
        sends=sends,
        resolves=resolves,
        has_url=any("://" in t for t in lowered),
        uploads=uploads or (sends and _substitutes(text[:_MAX])),
        python_code=tuple(python_code[:4]),
        opens_url=opens,
    )


_IDENTITY_PROGRAMS = (
    "whoami",
    "hostname",
    "uname",
    "id",
    "pwd",
    "ifconfig",
    "ipconfig",
    "cat ",
    "ls",
)


def _substitutes(text: str) -> bool:
    """A command line that splices the output of an identity command into itself."""
    for opener in ("$(", "`"):
        at = text.find(opener)
        while at >= 0:
            if any(text[at + len(opener) :].lstrip().startswith(p) for p in _IDENTITY_PROGRAMS):
                return True
            at = text.find(opener, at + 1)
    return False


def _uploads(arg: str, raw: str) -> bool:
    """A network command's argument that carries local data: ``@file``, ``$(cmd)``, `` `cmd` ``,
    ``$HOME``-style variables."""
    if "=@" in arg or arg.startswith("@") and len(arg) > 1:
        return True
    for opener in ("$(", "`"):
        at = raw.find(opener)
        if at >= 0 and any(
            raw[at + len(opener) :].lstrip().startswith(p) for p in _IDENTITY_PROGRAMS
        ):
            return True
    return any(
        v in raw
        for v in (
            "$HOME",
            "$USER",
            "${USER",
            "${HOME",
            "$HOSTNAME",
            "%USERNAME%",
            "%COMPUTERNAME%",
            "$PWD",
            "$(pwd)",
        )
    )
