"""A delivery's outcome: what the store records when several handlers each did their part."""

from __future__ import annotations

from reviewer.app.outcome import DONE, IGNORED, failed, merge


def test_the_first_failure_wins_and_keeps_its_reason_in_the_stored_text():
    assert str(merge([DONE, failed("GitHub answered 502"), failed("later")])) == (
        "failed: GitHub answered 502"
    )


def test_any_part_done_is_done_and_nothing_done_is_ignored():
    assert str(merge([IGNORED, None, DONE])) == "done"
    assert str(merge([IGNORED, None])) == "ignored"
    assert str(merge([])) == "ignored"


def test_a_reason_that_starts_like_a_state_is_not_mistaken_for_one():
    assert not merge([failed("")]).kind == "done"
    assert merge([DONE]).failed is False
    assert merge([failed("done")]).failed
