"""Repository policy: parsed, validated with what and where, merged over org defaults."""

from __future__ import annotations

import pytest

from reviewer.app.repo_config import ScanPolicy, merge_config, parse_config
from reviewer.core.findings import Severity
from reviewer.errors import ConfigError
from reviewer.service.repo_config import load_repo_config


def test_defaults_without_any_file() -> None:
    cfg = merge_config([])
    assert cfg.scan is ScanPolicy.AI_SIGNALS and cfg.fail_on is Severity.HIGH
    assert "built-in defaults" in cfg.describe()


def test_a_full_file_is_parsed() -> None:
    text = """
scan: all
ignore_paths: ["vendor/**", "*.min.js"]
fail_on: medium
allowed_domains: [api.example.com]
disabled_rules: [some-rule]
ai_signatures:
  - name: InternalBot
    patterns: ['\\binternalbot\\b']
require_human_for:
  tools: [Devin]
  countries: [cn]
"""
    cfg = merge_config([(".github/gatehouse.yml", parse_config(text, ".github/gatehouse.yml"))])
    assert cfg.scan is ScanPolicy.ALL and cfg.fail_on is Severity.MEDIUM
    assert cfg.ignore_paths == ("vendor/**", "*.min.js")
    assert cfg.allowed_domains == {"api.example.com"} and cfg.disabled_rules == {"some-rule"}
    assert cfg.human_tools == {"devin"} and cfg.human_countries == {"CN"}


def test_dismiss_requires_defaults_to_write_and_can_be_raised() -> None:
    assert merge_config([]).dismiss_requires == "write"
    cfg = merge_config([("f", parse_config("dismiss_requires: admin\n", "f"))])
    assert cfg.dismiss_requires == "admin"


@pytest.mark.parametrize(
    "text,where",
    [
        ("scan: sometimes\n", "line 1, scan"),
        ("scan: all\nfail_on: severe\n", "line 2, fail_on"),
        ("colour: blue\n", "line 1, colour: unknown setting"),
        ("ignore_paths: 3\n", "line 1, ignore_paths"),
        ("require_human_for: [x]\n", "line 1, require_human_for"),
        ("ai_signatures:\n  - name: X\n    patterns: ['(']\n", "ai_signatures"),
        ("scan: [unclosed\n", "not valid YAML"),
        ("- a list\n", "must be a mapping"),
        ("dismiss_requires: triage\n", "line 1, dismiss_requires"),
    ],
)
def test_errors_say_what_and_where(text: str, where: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_config(text, ".github/gatehouse.yml")
    assert ".github/gatehouse.yml" in str(err.value) and where in str(err.value)


class Contents:
    """A real implementation of the contents seam over a dict: (repo, path, ref) -> bytes."""

    def __init__(self, files: dict[tuple[str, str, str | None], bytes]) -> None:
        self.files = files
        self.asked: list[tuple[str, str, str | None]] = []

    def get_content(self, repo: str, path: str, *, ref: str | None = None) -> bytes | None:
        self.asked.append((repo, path, ref))
        return self.files.get((repo, path, ref))


def test_repo_file_overrides_org_defaults_and_is_read_from_the_default_branch() -> None:
    src = Contents(
        {
            (
                "acme/.github",
                ".github/gatehouse.yml",
                None,
            ): b"scan: all\nfail_on: critical\nignore_paths: [docs/**]\n",
            ("acme/widgets", ".github/gatehouse.yml", "main"): b"fail_on: medium\n",
        }
    )
    cfg = load_repo_config(src, "acme/widgets", default_branch="main")
    assert (
        cfg.scan is ScanPolicy.ALL
        and cfg.fail_on is Severity.MEDIUM
        and cfg.ignore_paths == ("docs/**",)
    )
    assert ("acme/widgets", ".github/gatehouse.yml", "main") in src.asked
    assert len(cfg.sources) == 2


def test_empty_file_is_the_defaults() -> None:
    assert parse_config("", "f") == {} and parse_config("# nothing\n", "f") == {}
