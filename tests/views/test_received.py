"""The text a view keeps: handed out once each, in order, with lone surrogates replaced where it enters."""

from __future__ import annotations

import pytest

from helpers.views.received import Received, clean


def test_each_character_is_read_once_and_taken_once_in_order() -> None:
    received = Received()
    for piece in ["ab", "", "cde", "f"]:
        received.append(piece)
    assert received.read() == "abcdef"
    assert received.take(2) == "ab"
    received.append("gh")
    assert received.take(3) == "cde", "only what has been read can be taken"
    assert received.read() == "gh" and received.read() == ""
    assert received.take(3) == "fgh" and received.take(0) == ""
    assert received.text() == "abcdefgh" and received.length == 8


def test_the_whole_text_includes_what_was_not_read_yet() -> None:
    received = Received()
    received.append("one ")
    received.read()
    received.append("two")
    assert received.text() == "one two"
    assert received.text() is received.text(), "joined once until more arrives"


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [
        ("plain ascii", "plain ascii"),
        ("\ud800", "\ufffd"),
        ("low \udfff alone", "low \ufffd alone"),
        ("a pair \ud83d\ude00 is its character", "a pair \U0001f600 is its character"),
        ("reversed \ude00\ud83d", "reversed \ufffd\ufffd"),
        ("é\ud800\U0001f600", "é\ufffd\U0001f600"),
        ("odd but valid: \x00 \x1b \ufeff \uffff \U0010ffff \u202e", "odd but valid: \x00 \x1b \ufeff \uffff \U0010ffff \u202e"),
    ],
)
def test_lone_surrogates_become_the_replacement_character(text: str, cleaned: str) -> None:
    assert clean(text) == cleaned
    cleaned.encode("utf-8")  # what the front end is sent must be UTF-8
