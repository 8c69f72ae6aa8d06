"""Packages named in install commands (``pip install x``, ``npm i x``) on any line of any file.

READMEs, Dockerfiles, CI workflows and scripts install packages too; a misspelt or invented
name there is as dangerous as one in a manifest.
"""

from __future__ import annotations

import re

from reviewer.core.manifests.model import DeclaredDependency, Ecosystem, SourceKind
from reviewer.core.manifests.npm import dependency_of
from reviewer.core.manifests.python import requirement

_PIP = re.compile(
    r"\b(?:pip3?|uv\s+pip|python[\d.]*\s+-m\s+pip|pipx|poetry|uv)\s+(?:install|add)\b([^;&|\n#`]*)"
)
_NPM = re.compile(
    r"\b(?:npm\s+(?:install|i|add)|yarn\s+(?:global\s+)?add|pnpm\s+(?:add|install|i)|bun\s+add|(npx|pnpx|bunx))\b([^;&|\n#`]*)"
)
_GEM = re.compile(r"\bgem\s+install\b([^;&|\n#`]*)")
# Options whose next word is a value, not a package.
_PIP_VALUE_OPTS = {
    "-r",
    "--requirement",
    "-c",
    "--constraint",
    "-i",
    "--index-url",
    "--extra-index-url",
    "--trusted-host",
    "-f",
    "--find-links",
    "-t",
    "--target",
    "--python",
    "--prefix",
    "--root",
    "-e",
    "--editable",
    "--platform",
    "--python-version",
    "--only-binary",
    "--no-binary",
    "--cache-dir",
    "--src",
    "--group",
    "-p",
    "--with",
    "--index",
}
_NPM_VALUE_OPTS = {
    "--registry",
    "--prefix",
    "-C",
    "--cache",
    "--tag",
    "--workspace",
    "-w",
    "--filter",
    "--package",
    "-p",
}
# What may stand before an install command: the start of a line or of a shell command.
_CMD_PREFIX = re.compile(
    r"(?:^|&&|\|\||;|\||\$\(|`|\bRUN|\brun:|\bsudo|\bexec|^\s*[$>#]|^\s*-)\s*(?:\w+=\S+\s+)*$"
)
_SHELLISH_NAMES = (
    "dockerfile",
    "containerfile",
    "makefile",
    "gnumakefile",
    "justfile",
    "procfile",
    "vagrantfile",
)
_SHELLISH_EXT = (
    ".sh",
    ".bash",
    ".zsh",
    ".ksh",
    ".mk",
    ".ps1",
    ".bat",
    ".cmd",
    ".yml",
    ".yaml",
    ".md",
    ".rst",
    ".txt",
    ".dockerfile",
    ".toml",
    ".cfg",
    ".ini",
    ".nix",
    ".envrc",
)


def reads_commands(path: str) -> bool:
    """Files where install commands are instructions, not prose or program text."""
    name = path.rsplit("/", 1)[-1].lower()
    return name.startswith(_SHELLISH_NAMES) or name.endswith(_SHELLISH_EXT) or name in (".envrc",)


_PY_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(?:\[[^\]]*\])?(?:[<>=!~]=?.*)?$")
_NPM_NAME = re.compile(r"^(?:@[a-z0-9][\w.-]*/)?[a-z0-9][\w.-]*(?:@[^\s]+)?$")


def install_commands(path: str, line: int, text: str) -> list[DeclaredDependency]:
    """Dependencies named by install commands on one line."""
    found: list[DeclaredDependency] = []
    for m in _PIP.finditer(text):
        if not _CMD_PREFIX.search(text[: m.start()]):
            continue
        for word in _words(m.group(1), _PIP_VALUE_OPTS):
            if _PY_NAME.match(word) and word not in (".", "pip", "setuptools", "wheel"):
                dep = requirement(path, line, word, "command")
                if dep is not None:
                    found.append(dep)
            elif "://" in word:
                dep = requirement(path, line, word, "command")
                if dep is not None:
                    found.append(dep)
    for m in _NPM.finditer(text):
        if not _CMD_PREFIX.search(text[: m.start()]):
            continue
        words = _words(m.group(2), _NPM_VALUE_OPTS)
        for word in (
            words[:1] if m.group(1) else words
        ):  # npx runs one package; the rest are its arguments
            if (
                not _NPM_NAME.match(word)
                and "://" not in word
                and not word.startswith(("github:", "git+"))
            ):
                continue
            name, _, version = (
                word.rpartition("@")
                if word.count("@") > (1 if word.startswith("@") else 0)
                else (word, "", "")
            )
            dep = (
                dependency_of(path, line, "command", name, version or "*")
                if "://" not in word and not word.startswith(("github:", "git+"))
                else dependency_of(path, line, "command", "x", word)
            )
            if dep is not None:
                found.append(
                    dep
                    if dep.kind is SourceKind.REGISTRY
                    else DeclaredDependency(
                        Ecosystem.NPM, "", word, path, line, "command", dep.kind, word
                    )
                )
    for m in _GEM.finditer(text):
        if not _CMD_PREFIX.search(text[: m.start()]):
            continue
        for word in _words(
            m.group(1), {"-v", "--version", "--source", "-s", "-i", "--install-dir"}
        ):
            if re.match(r"^[A-Za-z0-9][\w.-]*$", word):
                found.append(
                    DeclaredDependency(Ecosystem.RUBYGEMS, word, "", path, line, "command")
                )
    return found


def _words(args: str, value_opts: set[str]) -> list[str]:
    words: list[str] = []
    skip = False
    for raw in args.split():
        word = raw.strip("'\"")
        if skip:
            skip = False
            continue
        if not word or "$" in word or "{" in word or word.startswith(("<", ">")):
            if word.startswith(("<", ">")):
                break
            continue
        if word.startswith("-"):
            skip = word in value_opts
            continue
        if (
            word.endswith((".txt", ".whl", ".tar.gz", ".zip", ".tgz", ".toml", ".cfg", ".json"))
            and "://" not in word
        ):
            continue
        if word.startswith((".", "/", "~")):
            continue
        if word[-1] in ".,:;!?)(" or word[0] in "(":
            break  # prose, not a command line
        if word in ("-", "--"):
            break
        words.append(word)
    return words
