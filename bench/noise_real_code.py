"""Noise on real, trusted code: how often the pack fires on files it has never seen.

    python bench/noise_real_code.py [--sample 120] [--seed 7] [--kinds python,js,shell,perl,c]

Installed, trusted code (the interpreter's standard library, this virtualenv's packages, the npm
that ships with node, shell scripts beside the system shell, Perl modules, C headers) is found
at run time, grouped into pseudo-commits of files from one package, and each file is presented
as a new-file diff so every line counts as added. The figures are the ones the corpus scores:
medium+ findings per 10k added lines (target <= 3) and the share of pseudo-commits with a
high or critical finding (target <= 2%), plus the rules behind them with one example each.
Nothing found here is copied into the repository.
"""

from __future__ import annotations

import argparse
import collections
import os
import random
import re
import shutil
import site
import subprocess
import sys
import sysconfig
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from reviewer.core.analyzers.base import ScanOptions
from reviewer.core.diff import parse_diff
from reviewer.core.engine import scan_many
from reviewer.core.findings import Severity

MAX_BYTES = 400_000  # larger files are generated tables, not the code a PR adds
# Characters str.splitlines() breaks on but git does not: a diff line holding one cannot be
# presented as one added line, so such files are counted apart instead of scanned.
_ODD_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]|\r(?!\n)")
SHELL_SHEBANGS = (
    b"#!/bin/sh",
    b"#!/bin/bash",
    b"#!/usr/bin/env bash",
    b"#!/usr/bin/env sh",
    b"#! /bin/sh",
)


@dataclass(frozen=True)
class Source:
    """One installed file: where it is, and the path it gets inside its pseudo-commit."""

    kind: str
    package: str
    path: Path
    rel: str


@dataclass(frozen=True)
class PseudoCommit:
    """A handful of files of one package, scanned as one change."""

    kind: str
    package: str
    files: tuple[Source, ...]


def _walk(root: Path, suffixes: tuple[str, ...]) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in {"__pycache__", ".git"})
        for name in sorted(filenames):
            if name.endswith(suffixes):
                yield Path(dirpath) / name


def _package_of(rel: str) -> str:
    head = rel.split("/", 1)[0]
    return head[:-3] if head.endswith(".py") else head


def python_sources() -> Iterator[Source]:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    venv_sites = [Path(p) for p in site.getsitepackages() if Path(p).is_dir()]
    for p in _walk(stdlib, (".py",)):
        rel = p.relative_to(stdlib).as_posix()
        if rel.startswith(("site-packages/", "dist-packages/")):
            continue
        yield Source("python-stdlib", "stdlib/" + _package_of(rel), p, rel)
    for root in venv_sites:
        for p in _walk(root, (".py",)):
            rel = p.relative_to(root).as_posix()
            yield Source("python-site", _package_of(rel), p, rel)


def js_sources() -> Iterator[Source]:
    npm = shutil.which("npm")
    if not npm:
        return
    try:
        root = Path(
            subprocess.run(
                [npm, "root", "-g"], capture_output=True, text=True, timeout=30, check=True
            ).stdout.strip()
        )
    except (OSError, subprocess.SubprocessError):
        return
    npm_dir = root / "npm"
    if not npm_dir.is_dir():
        return
    for p in _walk(npm_dir, (".js", ".cjs", ".mjs")):
        rel = p.relative_to(npm_dir).as_posix()
        parts = rel.split("/")
        # node_modules/<name>/... (or @scope/<name>) is one package; the rest is npm itself
        if "node_modules" in parts:
            i = len(parts) - 1 - parts[::-1].index("node_modules")
            name = "/".join(parts[i + 1 : i + 3]) if parts[i + 1].startswith("@") else parts[i + 1]
        else:
            name = "npm"
        yield Source("js-npm", name, p, rel)


def _system_dirs() -> tuple[Path, Path] | None:
    sh = shutil.which("sh")
    if not sh:
        return None
    bindir = Path(sh).parent
    return bindir, bindir.parent / "share"


def shell_sources() -> Iterator[Source]:
    dirs = _system_dirs()
    if not dirs:
        return
    bindir, share = dirs
    candidates = [p for p in sorted(bindir.iterdir()) if p.is_file()]
    if share.is_dir():
        candidates += [p for p in _walk(share, ("",)) if p.suffix in {"", ".sh", ".bash"}]
    for p in candidates:
        try:
            with p.open("rb") as fh:
                head = fh.read(64)
        except OSError:
            continue
        if not head.startswith(SHELL_SHEBANGS):
            continue
        base = bindir if p.is_relative_to(bindir) else share
        rel = p.relative_to(base).as_posix()
        name = "bin" if base is bindir else rel.split("/", 1)[0]
        yield Source("shell", name, p, rel if rel.endswith((".sh", ".bash")) else rel + ".sh")


def perl_sources() -> Iterator[Source]:
    perl = shutil.which("perl")
    if not perl:
        return
    try:
        out = subprocess.run(
            [perl, "-e", 'print join "\\n", @INC'],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return
    seen: set[Path] = set()
    for d in (Path(x) for x in out.splitlines() if x.strip()):
        if not d.is_dir():
            continue
        for p in _walk(d, (".pm", ".pl")):
            real = p.resolve()
            if real in seen:
                continue
            seen.add(real)
            rel = p.relative_to(d).as_posix()
            yield Source("perl", _package_of(rel), p, rel)


def c_sources() -> Iterator[Source]:
    roots = [Path(sysconfig.get_paths()["include"])]
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc:
        try:
            out = subprocess.run(
                [cc, "-xc", "-E", "-v", "-"], input="", capture_output=True, text=True, timeout=30
            ).stderr
            in_list = False
            for line in out.splitlines():
                if line.startswith("#include <...>"):
                    in_list = True
                elif line.startswith("End of search list"):
                    in_list = False
                elif in_list and Path(line.strip()).is_dir():
                    roots.append(Path(line.strip()))
        except (OSError, subprocess.SubprocessError):
            pass
    seen: set[Path] = set()
    for root in roots:
        if not root.is_dir():
            continue
        for p in _walk(root, (".h", ".c")):
            real = p.resolve()
            if real in seen:
                continue
            seen.add(real)
            rel = p.relative_to(root).as_posix()
            yield Source(
                "c", root.name + "/" + rel.rsplit("/", 1)[0] if "/" in rel else root.name, p, rel
            )


FINDERS = {
    "python": python_sources,
    "js": js_sources,
    "shell": shell_sources,
    "perl": perl_sources,
    "c": c_sources,
}


def read_text(path: Path) -> str | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if not data or len(data) > MAX_BYTES or b"\x00" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def new_file_diff(rel: str, text: str) -> str:
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    out = [
        f"diff --git a/{rel} b/{rel}",
        "new file mode 100644",
        "--- /dev/null",
        f"+++ b/{rel}",
        f"@@ -0,0 +1,{len(lines)} @@",
    ]
    out += ["+" + line for line in lines]
    if not text.endswith("\n"):
        out.append("\\ No newline at end of file")
    return "\n".join(out) + "\n"


def pseudo_commits(
    sources: list[Source], rng: random.Random, lo: int, hi: int
) -> list[PseudoCommit]:
    by_pkg: dict[tuple[str, str], list[Source]] = collections.defaultdict(list)
    for s in sources:
        by_pkg[(s.kind, s.package)].append(s)
    commits = []
    for (kind, pkg), files in sorted(by_pkg.items()):
        files = files[:]
        rng.shuffle(files)
        while files:
            n = rng.randint(lo, hi)
            commits.append(PseudoCommit(kind, pkg, tuple(files[:n])))
            files = files[n:]
    return commits


def sample_commits(commits: list[PseudoCommit], n: int, rng: random.Random) -> list[PseudoCommit]:
    """Up to ``n`` commits, spread evenly over the kinds of code so no kind crowds out the rest."""
    if n <= 0 or n >= len(commits):
        return commits
    by_kind: dict[str, list[PseudoCommit]] = collections.defaultdict(list)
    for c in commits:
        by_kind[c.kind].append(c)
    for group in by_kind.values():
        rng.shuffle(group)
    picked: list[PseudoCommit] = []
    while len(picked) < n and any(by_kind.values()):
        for kind in sorted(by_kind):
            if by_kind[kind] and len(picked) < n:
                picked.append(by_kind[kind].pop())
    return picked


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--sample",
        "--limit",
        dest="sample",
        type=int,
        default=150,
        help="pseudo-commits to scan, spread over the kinds (0: all; default 150)",
    )
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument(
        "--kinds", default=",".join(FINDERS), help=f"comma list of {', '.join(FINDERS)}"
    )
    ap.add_argument(
        "--files", default="5-20", help="files per pseudo-commit, as LO-HI (default 5-20)"
    )
    ap.add_argument("--batch", type=int, default=40, help="pseudo-commits per scan_many call")
    ap.add_argument(
        "--min-severity", default="medium", help="list findings at or above this (default medium)"
    )
    ap.add_argument("--show", type=int, default=1, help="example locations per rule (default 1)")
    args = ap.parse_args()
    lo, hi = (int(x) for x in args.files.split("-", 1))
    floor = Severity.parse(args.min_severity)
    rng = random.Random(args.seed)

    t0 = time.monotonic()
    sources: list[Source] = []
    for kind in (k.strip() for k in args.kinds.split(",") if k.strip()):
        if kind not in FINDERS:
            ap.error(f"unknown kind {kind!r}: use {', '.join(FINDERS)}")
        found = list(FINDERS[kind]())
        print(f"found {len(found):6d} {kind} files", file=sys.stderr)
        sources += found
    commits = sample_commits(pseudo_commits(sources, rng, lo, hi), args.sample, rng)

    n_files = n_lines = odd_files = 0
    n_commits = high_commits = 0
    medium_plus = 0
    # per kind: commits, lines, medium+ findings, commits with high+
    per_kind: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0, 0, 0])
    by_rule: dict[str, list[str]] = collections.defaultdict(list)
    rule_sev: dict[str, Severity] = {}
    degraded: list[str] = []
    for i in range(0, len(commits), max(1, args.batch)):
        batch = commits[i : i + args.batch]
        changesets, origins = [], []
        for c in batch:
            parts, where = [], {}
            for s in c.files:
                text = read_text(s.path)
                if text is None or not text.strip():
                    continue
                if _ODD_BREAKS.search(text):
                    odd_files += 1
                    continue
                parts.append(new_file_diff(s.rel, text))
                where[s.rel] = s
            if parts:
                changesets.append(parse_diff("".join(parts), source=f"{c.kind}:{c.package}"))
                origins.append((c, where))
        results = scan_many(changesets, options=ScanOptions(max_file_bytes=MAX_BYTES))
        for cs, (c, where), result in zip(changesets, origins, results, strict=True):
            skipped = {s.path for s in result.skipped}
            lines = sum(f.added_count for f in cs.files if f.path not in skipped)
            n_commits += 1
            n_files += len(cs.files)
            n_lines += lines
            k = per_kind[c.kind]
            k[0] += 1
            k[1] += lines
            high = False
            for f in result.findings:
                if f.severity >= Severity.MEDIUM:
                    medium_plus += 1
                    k[2] += 1
                if f.severity >= Severity.HIGH:
                    high = True
                if f.severity >= floor:
                    src = where.get(f.path)
                    loc = f"{src.path}:{f.start_line}" if src else f"{f.path}:{f.start_line}"
                    by_rule[f.rule_id].append(loc)
                    rule_sev[f.rule_id] = max(rule_sev.get(f.rule_id, Severity.INFO), f.severity)
            if result.errors:
                degraded.append(f"{c.kind}:{c.package}: {result.errors[0][:160]}")
            high_commits += high
            k[3] += high
        print(f"scanned {n_commits}/{len(commits)} pseudo-commits", file=sys.stderr)

    per10k = medium_plus * 10_000 / n_lines if n_lines else 0.0
    share = high_commits / n_commits if n_commits else 0.0
    print(f"pseudo-commits            {n_commits}")
    print(f"files                     {n_files}")
    print(f"added lines               {n_lines}")
    print(f"medium+ findings          {medium_plus}")
    print(f"medium+ per 10k lines     {per10k:.2f}   (target <= 3)")
    print(f"commits with high+        {high_commits} ({share:.1%})   (target <= 2%)")
    print(f"files left out            {odd_files}   (line breaks other than LF/CRLF inside lines)")
    note = "   (figures undercount: see below)" if degraded else ""
    print(f"degraded pseudo-commits   {len(degraded)}{note}")
    print(f"seconds                   {time.monotonic() - t0:.0f}")
    for line in sorted(set(d.split(": ", 1)[1] for d in degraded))[:5]:
        print(f"  degraded: {line}")
    print("\nby kind                    commits   lines  med+/10k  high+ commits")
    for kind, (nc, nl, nm, nh) in sorted(per_kind.items()):
        print(f"  {kind:24s} {nc:7d} {nl:7d} {nm * 10_000 / max(nl, 1):9.2f} {nh:6d}")
    if by_rule:
        print(f"\nrules at or above {floor.label}, most frequent first")
        for rule, locs in sorted(by_rule.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            print(f"  {len(locs):4d}  {rule_sev[rule].label:8s} {rule}")
            for loc in locs[: args.show]:
                print(f"          e.g. {loc}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
