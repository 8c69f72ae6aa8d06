"""The scratch tree the analyzers' tools read: safe names, no config, one bad file isolated."""

from __future__ import annotations

from pathlib import Path

from reviewer.core.findings import SkipReason
from reviewer.core.scan_tree import plan_names, write_targets

HOSTILE = [
    "x",
    "x\\y",
    "x/y",
    "X",
    "app/.semgrepignore",
    ".semgrepignore",
    ".gitignore",
    "app/.gitignore",
    ".semgrep.yml",
    ".semgrep/rules.yml",
    "zizmor.yml",
    ".github/zizmor.yml",
    ".github/workflows/ci.yml",
    "Zizmor.YML",
    "app/../up.py",
    "../../etc/passwd.py",
    "./a.py",
    "a//b.py",
    "trailing/",
    "tab\tname.py",
    "new\nline.sh",
    "-rf.py",
    "--config=evil.yml",
    "app/Evil.py",
    "app/evil.py",
    "\U0001f600" * 100 + ".py",
    "deep/" * 300 + "f.py",
    "lib/jquery.min.js",
    "=f0.py",
    "=abc/x.py",
    "\udcff-undecodable.py",
    "name.",
    "a b/c d.py",
]


def _written_components(rel: str) -> list[str]:
    return rel.split("/")


def test_names_are_unique_case_insensitive_and_never_a_tool_config() -> None:
    plan = plan_names(HOSTILE)
    assert set(plan) == set(HOSTILE)
    written = list(plan.values())
    assert len({w.casefold() for w in written}) == len(written)
    files = {w.casefold() for w in written}
    for w in written:
        parts = _written_components(w)
        assert all(p and p not in (".", "..") and not p.startswith((".", "-")) for p in parts), w
        assert all(len(p.encode()) <= 120 for p in parts), w
        assert all(
            p.lower() not in ("zizmor.yml", "zizmor.yaml", ".semgrepignore") for p in parts
        ), w
        assert "\\" not in w and not any(ord(c) < 32 for c in w), w
        # no written file is also a folder of another
        assert not any("/".join(parts[:i]).casefold() in files for i in range(1, len(parts))), w


def test_plain_names_are_kept_and_extensions_survive() -> None:
    plan = plan_names(
        [
            "setup.py",
            "pkg/__init__.py",
            "tests/test_x.py",
            "Dockerfile",
            "ci/run.sh",
            ".github/workflows/ci.yml",
            "app/.eslintrc.js",
            "lib/jquery.min.js",
            "\U0001f600" * 100 + ".py",
        ]
    )
    assert plan["setup.py"] == "setup.py"
    assert plan["pkg/__init__.py"] == "pkg/__init__.py"
    assert plan["tests/test_x.py"] == "tests/test_x.py"
    assert plan["Dockerfile"] == "Dockerfile" and plan["ci/run.sh"] == "ci/run.sh"
    assert plan[".github/workflows/ci.yml"].endswith("/workflows/ci.yml")
    assert plan["app/.eslintrc.js"].startswith("app/=") and plan["app/.eslintrc.js"].endswith(".js")
    assert not plan["lib/jquery.min.js"].endswith(".min.js") and plan["lib/jquery.min.js"].endswith(
        ".js"
    )
    assert plan["\U0001f600" * 100 + ".py"].endswith(".py")


def test_the_plan_is_deterministic() -> None:
    assert plan_names(HOSTILE) == plan_names(list(HOSTILE))


def test_every_hostile_file_is_written_inside_the_tree_and_maps_back(tmp_path: Path) -> None:
    root = tmp_path / "src"
    root.mkdir()
    tree = write_targets(root, {p: f"# {n}\n" for n, p in enumerate(HOSTILE)}, analyzer="semgrep")
    assert tree.failed == []
    assert sorted(tree.names.values()) == sorted(HOSTILE)
    for rel, original in tree.names.items():
        dest = (root / rel).resolve()
        assert dest.is_relative_to(root.resolve())
        assert (
            dest.read_text(encoding="utf-8", errors="surrogateescape")
            == f"# {HOSTILE.index(original)}\n"
        )
    on_disk = {p.name for p in root.rglob("*")}
    assert not on_disk & {".semgrepignore", ".gitignore", ".semgrep.yml", ".semgrep", "zizmor.yml"}


def test_a_file_that_cannot_be_written_is_skipped_and_the_others_are_written(
    tmp_path: Path,
) -> None:
    root = tmp_path / "src"
    root.mkdir()
    files = {"a.py": "x = 1\n", "bad.py": "s = '\ud800'\n", "b.py": "y = 2\n"}  # a lone surrogate
    tree = write_targets(root, files, analyzer="semgrep")
    assert sorted(tree.names.values()) == ["a.py", "b.py"]
    (failed,) = tree.failed
    assert (failed.path, failed.reason, failed.analyzer) == (
        "bad.py",
        SkipReason.WRITE_ERROR,
        "semgrep",
    )
    assert "could not be written for semgrep" in failed.detail


def test_a_folder_that_cannot_be_created_skips_only_its_files(tmp_path: Path) -> None:
    root = tmp_path / "src"
    root.mkdir()
    (root / "taken").write_text("something else is here\n")  # the folder cannot be made
    tree = write_targets(root, {"taken/a.py": "x\n", "free/b.py": "y\n"}, analyzer="zizmor")
    assert list(tree.names.values()) == ["free/b.py"]
    assert [(s.path, s.reason) for s in tree.failed] == [("taken/a.py", SkipReason.WRITE_ERROR)]
