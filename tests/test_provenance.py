"""AI provenance: which signals mark a PR as AI-assisted, and which do not."""

from __future__ import annotations

import pytest

from reviewer.app.provenance import PRFacts, detect, load_signatures, parse_trailers
from reviewer.errors import ConfigError

SIGS = load_signatures()


def _detect(**kw: object) -> object:
    return detect(PRFacts(**kw), SIGS)  # type: ignore[arg-type]


def test_plain_human_pr_is_not_ai_assisted() -> None:
    p = _detect(
        author="alice",
        head_ref="fix/login",
        body="Fixes the login cursor position.",
        labels=("bug",),
        commit_messages=("Fix login\n\nCo-authored-by: Bob <bob@example.com>",),
    )
    assert not p.ai_assisted and p.tools == ()


@pytest.mark.parametrize(
    "message,tool",
    [
        ("Add x\n\nCo-authored-by: Claude <noreply@anthropic.com>", "Claude Code"),
        (
            "Add x\n\nCo-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>",
            "GitHub Copilot",
        ),
        ("Add x\n\nCo-authored-by: aider (gpt-4o) <noreply@aider.chat>", "Aider"),
        ("Add x\n\nCo-authored-by: Someone <agent@cursor.com>", "Cursor"),
        ("Add x\n\nAssisted-by: Gemini", "Gemini"),
    ],
)
def test_commit_trailers_name_the_tool(message: str, tool: str) -> None:
    p = _detect(commit_messages=(message,))
    assert p.ai_assisted and p.tools == (tool,)


def test_an_ai_trailer_with_an_unknown_tool_still_counts() -> None:
    p = _detect(commit_messages=("Add x\n\nGenerated-by: HomeGrownLLM v2",))
    assert p.ai_assisted and p.tools == ("unknown AI tool",)


def test_trailer_only_counts_in_the_trailer_block() -> None:
    p = _detect(commit_messages=("Co-authored-by: Claude <noreply@anthropic.com> in the subject",))
    assert not p.ai_assisted


def test_body_marker_label_author_and_branch() -> None:
    assert _detect(body="Summary\n\n🤖 Generated with [Claude Code](https://claude.com)").tools == (
        "Claude Code",
    )
    assert _detect(body="Generated with care by our team").ai_assisted is False
    assert _detect(labels=("ai-generated",)).ai_assisted
    assert _detect(author="devin-ai-integration[bot]", author_type="Bot").tools == ("Devin",)
    assert _detect(author="Copilot", author_type="Bot").tools == ("GitHub Copilot",)
    assert _detect(head_ref="codex/fix-tests").tools == ("OpenAI Codex",)
    assert _detect(head_ref="feature/codex-support").ai_assisted is False


def test_vendor_and_country_are_reported() -> None:
    p = _detect(
        head_ref="copilot/fix", commit_messages=("x\n\nCo-authored-by: Qwen-Coder <q@example.com>",)
    )
    assert set(p.vendors) == {"GitHub (Microsoft)", "Alibaba Cloud"}
    assert ("Qwen Code", "Alibaba Cloud", "CN") in p.vendors_by_tool


def test_manual_flag() -> None:
    p = _detect(manual_tool="", manual_by="maintainer")
    assert p.ai_assisted and "maintainer" in str(p.evidence[0])
    assert _detect(manual_tool="windsurf").tools == ("Windsurf",)


def test_organisation_signatures_extend_the_builtin_ones() -> None:
    sigs = SIGS.extended(
        [
            {
                "name": "InternalBot",
                "vendor": "Acme",
                "country": "DE",
                "patterns": [r"\binternalbot\b"],
                "branches": ["ib/"],
            }
        ]
    )
    assert detect(PRFacts(head_ref="ib/task-1"), sigs).tools == ("InternalBot",)
    with pytest.raises(ConfigError, match="not a valid regular expression"):
        SIGS.extended([{"name": "Broken", "patterns": ["(unclosed"]}])


def test_parse_trailers() -> None:
    assert parse_trailers("Subject\n\nBody text.\n\nSigned-off-by: A <a@x>\nAssisted-by: Tool") == [
        ("signed-off-by", "A <a@x>"),
        ("assisted-by", "Tool"),
    ]
    assert parse_trailers("Only a subject") == []


def test_every_builtin_tool_has_vendor_and_country() -> None:
    for tool in SIGS.tools:
        assert tool.vendor and len(tool.country) == 2, tool.name
        assert tool.patterns or tool.bots or tool.branches, tool.name


def test_a_generic_marker_adds_no_tool_when_a_specific_one_is_named() -> None:
    facts = PRFacts(
        labels=("ai-assisted",),
        commit_messages=(
            "Add x\n\nCo-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>",
        ),
    )
    prov = detect(facts, load_signatures())
    assert prov.tools == ("GitHub Copilot",)
    assert prov.describe() == "GitHub Copilot (GitHub (Microsoft), US)"
    assert {e.kind for e in prov.evidence} == {"label", "trailer"}


def test_a_generic_marker_alone_still_reads_as_an_unknown_tool() -> None:
    prov = detect(PRFacts(labels=("ai-assisted",)), load_signatures())
    assert prov.tools == ("unknown AI tool",)


def test_a_maintainers_earlier_ai_mark_is_read_back_from_the_registry_rows():
    from reviewer.app.provenance import manual_flag

    rows = [
        {"repo": "o/r", "pr": 7, "tools": ["unknown AI tool"], "evidence": ["label: x"]},
        {"repo": "o/r", "pr": 8, "tools": ["Claude"], "evidence": ["manual: Claude by @ann x"]},
        {"repo": "o/r", "pr": 9, "tools": ["unknown AI tool"], "evidence": ["manual: marked"]},
    ]
    assert manual_flag(rows, "o/r", 8) == ("Claude", "ann")
    assert manual_flag(rows, "o/r", 9) == ("", None)
    assert manual_flag(rows, "o/r", 7) == (None, None)
    assert manual_flag(rows, "other/r", 8) == (None, None)
