"""Python source to an ``ast`` tree: Python 3 first, then Python 2 read through 2to3, bounded."""

from __future__ import annotations

import ast
import warnings
from dataclasses import dataclass

__all__ = ["Parsed", "parse_python", "pth_source"]

_MAX_PY2_BYTES = 300_000  # the 2to3 parser is pure Python: only files of ordinary size


@dataclass(frozen=True)
class Parsed:
    """A tree, or why there is none; ``note`` says when the file was read as Python 2."""

    tree: ast.Module | None
    note: str = ""
    error: str = ""


def pth_source(text: str) -> str:
    """The lines of a ``.pth`` file that Python executes at start-up (those starting ``import``),
    with every other line blanked so line numbers stay those of the file."""
    out = []
    for line in text.split("\n"):
        stripped = line.lstrip()
        out.append(stripped if stripped.startswith(("import ", "import\t")) else "")
    return "\n".join(out)


def parse_python(text: str, path: str) -> Parsed:
    """Parse ``text``; a file that only Python 2 accepts is converted with 2to3 first."""
    text = text.removeprefix("\ufeff")  # a byte-order mark Python itself would skip
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return Parsed(ast.parse(text, filename=path))
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        first = (
            f"{type(exc).__name__}: {getattr(exc, 'msg', exc)} (line {getattr(exc, 'lineno', '?')})"
        )
    converted = _from_python2(text, path)
    if converted is None:
        return _salvage(text, first)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return Parsed(ast.parse(converted, filename=path), note="read as Python 2")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return _salvage(text, first)


def _salvage(text: str, error: str) -> Parsed:
    """The top-level statements that parse on their own, at their own lines; the rest is dropped
    and the file reported as partly parsed. Each line is parsed at most once."""
    lines = text.split("\n")
    starts = [
        i
        for i, line in enumerate(lines)
        if line[:1] and not line[:1].isspace() and line[:1] not in "#)]}"
    ]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    body: list[ast.stmt] = []
    dropped = 0
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(lines)
        chunk = "\n".join(lines[start:end])
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                tree = ast.parse(chunk)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            dropped += end - start
            continue
        ast.increment_lineno(tree, start)
        body.extend(tree.body)
    if not body:
        return Parsed(None, error=error)
    module = ast.Module(body=body, type_ignores=[])
    return Parsed(module, note=f"{dropped} lines that do not parse were left out ({error})")


_FIXERS = (
    "print",
    "exec",
    "except",
    "raise",
    "ne",
    "numliterals",
    "repr",
    "tuple_params",
    "execfile",
    "apply",
    "has_key",
    "unicode",
    "long",
    "basestring",
    "xrange",
    "raw_input",
)


def _from_python2(text: str, path: str) -> str | None:
    if len(text) > _MAX_PY2_BYTES:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from lib2to3 import refactor  # stdlib up to Python 3.12
            from lib2to3.pgen2.parse import ParseError
            from lib2to3.pgen2.tokenize import TokenError
    except ImportError:
        return None
    tool = refactor.RefactoringTool([f"lib2to3.fixes.fix_{name}" for name in _FIXERS])
    source = text if text.endswith("\n") else text + "\n"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return str(tool.refactor_string(source, path))
    except (
        ParseError,
        TokenError,
        SyntaxError,
        ValueError,
        RecursionError,
        AssertionError,
        KeyError,
        IndexError,
        AttributeError,
        TypeError,
    ):
        return None
