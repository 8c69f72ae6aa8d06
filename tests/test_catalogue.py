"""The rule catalogue: every rule listed once, and docs/rules.md kept in step with the pack."""

from __future__ import annotations

from pathlib import Path

from reviewer.core.catalogue import catalogue, render_markdown
from reviewer.core.findings import CATEGORIES

DOCS = Path(__file__).resolve().parents[1] / "docs" / "rules.md"


def test_every_rule_has_a_category_severity_and_rationale():
    metas = catalogue()
    ids = [m.rule_id for m in metas]
    assert len(ids) == len(set(ids)), "a rule id is used twice"
    for m in metas:
        assert m.category in CATEGORIES and m.rationale, m.rule_id


def test_every_category_of_the_taxonomy_has_a_rule():
    covered = {m.category for m in catalogue()}
    assert set(CATEGORIES) - covered == set()


def test_generated_page_is_current():
    assert DOCS.read_text(encoding="utf-8") == render_markdown(catalogue()), (
        "docs/rules.md is out of date: run `make docs`"
    )
