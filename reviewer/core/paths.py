"""What kind of file a path names: tests, docs, generated or vendored files, data, program
source, binary assets. The text analyzers share these classes to lower severity or skip lines.
"""

from __future__ import annotations

import posixpath
import re

from reviewer.core.analyzers.base import language_of

__all__ = [
    "ASSET_EXT",
    "CODE_LANGS",
    "is_code_path",
    "is_data_path",
    "is_doc_path",
    "is_generated_path",
    "is_program_like",
    "is_test_path",
    "path_parts",
]

_TEST_DIRS = frozenset(
    {
        "test",
        "tests",
        "testing",
        "__tests__",
        "spec",
        "specs",
        "testdata",
        "test-data",
        "test_data",
        "fixtures",
        "fixture",
        "__fixtures__",
        "__snapshots__",
        "__mocks__",
        "mocks",
        "testutils",
        "e2e",
        "golden",
        "snapshots",
        "testcases",
        "examples",
        "example",
    }
)
_TEST_FILE = re.compile(
    r"(?:^test_.*|.*_test\.[a-z]+|.*[._-](?:test|spec)s?\.[a-z]+|.*Tests?\.(?:java|kt|cs|swift|scala)"
    r"|conftest\.py|.*_spec\.rb)$",
    re.I,
)
_DOC_EXT = frozenset(
    {
        ".md",
        ".markdown",
        ".rst",
        ".txt",
        ".adoc",
        ".asciidoc",
        ".textile",
        ".org",
        ".rdoc",
        ".pod",
        ".man",
        ".1",
        ".tex",
    }
)
_DOC_NAMES = re.compile(
    r"^(?:readme|changelog|changes|history|news|license|licence|copying|authors|"
    r"contributors|contributing|notice|security|code_of_conduct|releasing|upgrading)"
    r"(?:\.[a-z]+)?$",
    re.I,
)
_DOC_DIRS = frozenset(
    {
        "doc",
        "docs",
        "documentation",
        "man",
        "changelog.d",
        "changes",
        "newsfragments",
        "news",
        "_posts",
        "website",
        "site",
    }
)
_GENERATED_FILE = re.compile(
    r"(?:\.min\.(?:js|css|mjs)|[.-]bundle\.js|\.map|\.snap|\.lock|-lock\.json|-lock\.ya?ml|"
    r"^go\.sum|^npm-shrinkwrap\.json|\.pb\.go|_pb2(?:_grpc)?\.pyi?|\.pb\.(?:cc|h)|\.generated\.\w+|"
    r"\.g\.dart|\.designer\.cs|\.svg|\.pbxproj|\.ipynb|\.csv|\.tsv)$",
    re.I,
)
_GENERATED_DIRS = frozenset(
    {
        "dist",
        "build",
        "vendor",
        "vendored",
        "node_modules",
        "third_party",
        "third-party",
        "thirdparty",
        "external",
        "extern",
        "deps",
        "_vendor",
        "__snapshots__",
        "generated",
        "gen",
        "out",
        "target",
        "bower_components",
        "site-packages",
        "testdata",
        "fixtures",
        "__fixtures__",
        "snapshots",
    }
)
_DATA_EXT = frozenset(
    {
        ".json",
        ".jsonl",
        ".ndjson",
        ".csv",
        ".tsv",
        ".xml",
        ".svg",
        ".yaml",
        ".yml",
        ".toml",
        ".ini",
        ".cfg",
        ".conf",
        ".lock",
        ".sum",
        ".txt",
        ".dat",
        ".pem",
        ".crt",
        ".cer",
        ".key",
        ".pub",
        ".asc",
        ".gpg",
        ".sig",
        ".patch",
        ".diff",
        ".po",
        ".pot",
        ".properties",
        ".plist",
        ".storyboard",
        ".xib",
        ".resx",
    }
)
# The languages of programs (as language_of names them); semgrep reads these plus YAML and JSON.
# powershell has no semgrep parser: the pack's generic (regex) rules still read it.
CODE_LANGS = frozenset(
    {
        "python",
        "javascript",
        "typescript",
        "go",
        "java",
        "ruby",
        "php",
        "c",
        "cpp",
        "bash",
        "perl",
        "csharp",
        "rust",
        "kotlin",
        "swift",
        "powershell",
        "cmake",
        "dockerfile",
    }
)
_EXTRA_CODE_EXT = frozenset(
    {
        ".lua",
        ".scala",
        ".groovy",
        ".gradle",
        ".bat",
        ".cmd",
        ".vbs",
        ".vb",
        ".dart",
        ".ex",
        ".exs",
        ".erl",
        ".clj",
        ".r",
        ".jl",
        ".m",
        ".mm",
        ".zig",
        ".nim",
        ".hs",
        ".fs",
        ".psm1",
        ".fish",
        ".ksh",
        ".awk",
        ".sql",
        ".vue",
        ".svelte",
        ".astro",
        ".coffee",
        ".tf",
        ".hcl",
        ".nix",
        ".mk",
        ".makefile",
        ".mak",
    }
)


def path_parts(path: str) -> list[str]:
    """The lower-cased parts of a path (either slash)."""
    return [p.lower() for p in path.replace("\\", "/").split("/")]


def is_test_path(path: str) -> bool:
    """Tests, fixtures, examples and test data."""
    parts = path_parts(path)
    return any(p in _TEST_DIRS for p in parts[:-1]) or bool(_TEST_FILE.match(parts[-1]))


def is_doc_path(path: str) -> bool:
    """Prose for people: READMEs, changelogs, docs folders, markup files."""
    parts = path_parts(path)
    name = parts[-1]
    ext = posixpath.splitext(name)[1]
    return (
        ext in _DOC_EXT or bool(_DOC_NAMES.match(name)) or any(p in _DOC_DIRS for p in parts[:-1])
    )


def is_generated_path(path: str) -> bool:
    """Minified, bundled, locked, vendored or generated files, and snapshots."""
    parts = path_parts(path)
    if bool(_GENERATED_FILE.search(parts[-1])):
        return True
    # Shell and PowerShell scripts under build/ are the build's own source, not its output.
    script = posixpath.splitext(parts[-1].lower())[1] in _BUILD_SCRIPT_EXT
    return any(p in _GENERATED_DIRS and not (script and p == "build") for p in parts[:-1])


_BUILD_SCRIPT_EXT = frozenset({".sh", ".bash", ".ps1", ".psm1", ".bat", ".cmd"})


def is_data_path(path: str) -> bool:
    """Structured data and config formats rather than program text."""
    return posixpath.splitext(path.lower())[1] in _DATA_EXT


def is_code_path(path: str, text: str = "") -> bool:
    """Program source a build or interpreter runs."""
    name = path.rsplit("/", 1)[-1].lower()
    if name in (
        "makefile",
        "gnumakefile",
        "rakefile",
        "gemfile",
        "jenkinsfile",
        "vagrantfile",
        "justfile",
    ):
        return True
    if language_of(path, text) in CODE_LANGS:
        return True
    return posixpath.splitext(name)[1] in _EXTRA_CODE_EXT


def is_program_like(path: str, text: str = "") -> bool:
    """Code, or a text file of unknown kind (scripts often have odd or no extensions)."""
    if is_code_path(path, text):
        return True
    ext = posixpath.splitext(path.lower())[1]
    return not (is_doc_path(path) or is_data_path(path) or ext in ASSET_EXT)


# Images, fonts, media and office documents: binary files that are not programs.
ASSET_EXT = frozenset(
    {
        ".png",
        ".jpg",
        ".jpeg",
        ".gif",
        ".bmp",
        ".ico",
        ".icns",
        ".webp",
        ".avif",
        ".tif",
        ".tiff",
        ".psd",
        ".xcf",
        ".svgz",
        ".heic",
        ".woff",
        ".woff2",
        ".ttf",
        ".otf",
        ".eot",
        ".pdf",
        ".mp3",
        ".mp4",
        ".m4a",
        ".wav",
        ".ogg",
        ".oga",
        ".webm",
        ".mov",
        ".avi",
        ".flac",
        ".docx",
        ".xlsx",
        ".pptx",
        ".odt",
        ".ods",
        ".odp",
        ".doc",
        ".xls",
        ".ppt",
        ".epub",
        ".cur",
        ".ani",
        ".pbm",
        ".pgm",
        ".ppm",
        ".xpm",
        ".dds",
        ".ktx",
        ".glb",
        ".fbx",
        ".blend",
        ".mo",
        ".sqlite",
        ".db",
    }
)
