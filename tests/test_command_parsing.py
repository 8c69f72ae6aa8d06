"""Parsing ``/gatehouse`` comment commands: what a reviewer types, and what Gatehouse reads."""

from __future__ import annotations

from reviewer.app.commands import Command, fingerprint_arg, is_bot, parse_command


def test_the_first_command_line_of_a_comment_is_read_and_case_does_not_matter():
    body = (
        "Looks odd to me.\n  /GateHouse ignore 0123456789abcdef 'false positive'\n/gatehouse rescan"
    )
    assert parse_command(body) == Command(
        "ignore", ("0123456789abcdef", "false positive"), "0123456789abcdef 'false positive'"
    )


def test_a_bare_command_means_help_and_a_comment_without_one_is_no_command():
    assert parse_command("/gatehouse") == Command("help", (), "")
    assert parse_command("please /gatehouse rescan") is None
    assert parse_command("") is None


def test_an_unbalanced_quote_still_parses_word_by_word():
    assert parse_command('/gatehouse ai "claude').args == ('"claude',)


def test_a_fingerprint_must_be_long_enough_hex():
    assert fingerprint_arg(Command("ignore", ("ABCDEF0123456789",), "")) == "abcdef0123456789"
    assert fingerprint_arg(Command("ignore", ("abc123",), "")) is None
    assert fingerprint_arg(Command("ignore", (), "")) is None


def test_bots_are_recognised_by_type_or_login():
    assert is_bot({"type": "Bot", "login": "x"})
    assert is_bot({"type": "User", "login": "renovate[bot]"})
    assert not is_bot({"type": "User", "login": "alice"})
