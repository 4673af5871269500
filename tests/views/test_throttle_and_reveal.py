"""Throttling decisions and reveal policies: pure functions of times, sizes and text."""

from __future__ import annotations

import itertools
import random
import re

import pytest

from helpers.views.received import Received
from helpers.views.reveal import (
    POLICIES,
    ParagraphEnds,
    Revealed,
    SentenceEnds,
    by_paragraph,
    by_sentence,
    by_token,
    shown_at,
    when_complete,
)
from helpers.views.throttle import Throttle, is_due, max_redraws, redraw_times, within_budget


def test_a_redraw_is_due_once_a_full_interval_has_passed() -> None:
    assert is_due(0.0, None, 20)
    assert not is_due(0.049, 0.0, 20)
    assert is_due(0.05, 0.0, 20)
    assert is_due(0.001, 0.0, None)


def test_fragments_within_an_interval_coalesce_and_the_last_is_flushed() -> None:
    arrivals = [0.00, 0.01, 0.02, 0.05, 0.06, 0.07, 0.20, 0.21]
    assert redraw_times(arrivals, 20) == [0.00, 0.05, 0.20, 0.21]
    assert redraw_times(arrivals, None) == arrivals
    assert redraw_times([0.0, 0.1], 20) == [0.0, 0.1]  # the last fragment was drawn: no extra flush


def test_fragments_that_share_a_moment_are_flushed_too() -> None:
    # Several events in one network read reach the view at the same recorded time.
    assert redraw_times([0.0, 0.06, 0.06, 0.06], 20) == [0.0, 0.06, 0.06]


def test_redraws_never_exceed_what_the_rate_allows() -> None:
    arrivals = [n * 0.013 for n in range(400)]
    assert len(redraw_times(arrivals, 20)) <= max_redraws(arrivals[-1] - arrivals[0], 20)
    assert max_redraws(1.0, 20) == 22


def test_the_budget_counts_what_redraws_draw_again() -> None:
    throttle = Throttle(rate=None, budget=1.0, max_pause=10)
    assert throttle.due(0.0, received=100)
    throttle.redrawn(0.0, open_chars=100)  # a 100-character open block is on screen
    assert throttle.due(0.01, received=100)  # redrawing it would replace 100 of 100 received: allowed
    throttle.redrawn(0.01, open_chars=150)
    assert throttle.replaced == 100
    assert not throttle.due(0.02, received=200)  # 100 + 150 > 200
    assert throttle.due(0.02, received=250)
    throttle.redrawn(0.03, open_chars=None)  # only the status changed: nothing drawn again
    assert (throttle.replaced, throttle.open_chars) == (100, 150)


def test_the_reader_never_waits_longer_than_the_maximum_pause() -> None:
    throttle = Throttle(rate=20, budget=0.0, max_pause=0.5)
    throttle.redrawn(0.0, open_chars=1000)
    assert not throttle.due(0.49, received=1000)
    assert throttle.due(0.5, received=1000)


def test_a_stalled_stream_waits_the_maximum_pause_or_one_interval_if_longer() -> None:
    assert Throttle(rate=20, max_pause=0.5).wait() == 0.5
    assert Throttle(rate=1, max_pause=0.5).wait() == 1.0
    assert Throttle(rate=None, max_pause=0.5).wait() == 0.5


@pytest.mark.parametrize("rate", [0, -1.0, float("nan"), float("inf")])
def test_a_rate_that_allows_no_redraw_or_is_no_number_is_refused(rate: float) -> None:
    with pytest.raises(ValueError, match=r"must be a number above 0 \(or None, for no limit\)"):
        Throttle(rate=rate)
    with pytest.raises(ValueError, match="must be a number above 0"):
        redraw_times([0.0, 1.0], rate)


@pytest.mark.parametrize("budget", [-1, float("nan"), float("inf")])
def test_a_budget_that_is_negative_or_no_number_is_refused(budget: float) -> None:
    with pytest.raises(ValueError, match=r"budget=.*must be a number >= 0 \(or None, for no cap\)"):
        Throttle(budget=budget)


def test_no_budget_means_no_cap() -> None:
    assert within_budget(10**9, 1, None)
    assert not within_budget(3, 2, 1.0)


# Reveal policies -------------------------------------------------------------------------------

TEXT = "Yes, take 200 mg. It helps.\n\nBut not if you have ulcers! Ask first"


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        (by_token, TEXT),
        (by_sentence, "Yes, take 200 mg. It helps.\n\nBut not if you have ulcers!"),
        (by_paragraph, "Yes, take 200 mg. It helps.\n\n"),
        (when_complete, ""),
    ],
)
def test_each_policy_shows_its_own_prefix_while_incomplete(policy, expected: str) -> None:
    assert policy(TEXT, False) == expected
    assert policy(TEXT, True) == TEXT


def test_a_sentence_does_not_end_at_a_list_number_or_a_decimal() -> None:
    assert by_sentence("1. Take 2.5 mg", False) == ""
    assert by_sentence("It is *done.* Next", False) == "It is *done.*"
    assert by_sentence("# Heading\nText", False) == "# Heading\n"


def test_every_policy_only_ever_grows() -> None:
    for policy in POLICIES.values():
        shown = [policy(TEXT[:end], False) for end in range(len(TEXT) + 1)]
        assert all(b.startswith(a) for a, b in itertools.pairwise(shown))
        assert all(TEXT.startswith(part) for part in shown)


def test_shown_at_replays_what_a_reader_saw() -> None:
    arrivals = [(0.7, "Yes, take"), (0.9, " 200 mg. It"), (1.4, " helps.\n\n"), (2.0, "But not")]
    assert shown_at(arrivals, 1.0, by_token, complete_at=2.0) == "Yes, take 200 mg. It"
    assert shown_at(arrivals, 1.0, by_sentence, complete_at=2.0) == "Yes, take 200 mg."
    assert shown_at(arrivals, 1.0, by_paragraph, complete_at=2.0) == ""
    assert shown_at(arrivals, 1.9, when_complete, complete_at=2.0) == ""
    assert shown_at(arrivals, 2.0, when_complete, complete_at=2.0) == "Yes, take 200 mg. It helps.\n\nBut not"


# Scanners: what a live view uses, reading only the text that arrived since its last redraw ------


def whole_text_sentences(text: str) -> str:
    """``by_sentence`` as first written: one scan of the whole text for the last sentence end."""
    ends = [match.end() for match in re.finditer(r"(?<![0-9])[.!?][\"')\]*_`]*(?=\s)|\n", text)]
    return text[: ends[-1]] if ends else ""


def whole_text_paragraphs(text: str) -> str:
    """``by_paragraph`` as first written: up to the last blank line of the whole text."""
    end = text.rfind("\n\n")
    return text[: end + 2] if end >= 0 else ""


@pytest.mark.parametrize(("scanner", "whole_text"), [(SentenceEnds, whole_text_sentences), (ParagraphEnds, whole_text_paragraphs)])
def test_a_scanner_fed_pieces_ends_where_a_scan_of_the_whole_text_ends(scanner, whole_text) -> None:
    """Random texts made of the characters that matter, cut anywhere: a mark, its closers and its space may arrive apart."""
    rng = random.Random(5)
    alphabet = [*"ab1 .!?\"')]*_`\n\t", "\u00a0"]
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        scan, read = scanner(), 0
        while read < len(text):
            piece = text[read : read + rng.randint(1, 5)]
            read += len(piece)
            assert scan.advance(piece) == len(whole_text(text[:read])), repr(text[:read])
        assert scanner().advance(text) == len(whole_text(text))


def test_a_long_run_of_closers_is_read_once() -> None:
    """A full stop followed by a very long run of closing characters: each arrives once, and the space ends it."""
    scan = SentenceEnds()
    assert scan.advance("Done.") == 0
    for _ in range(1000):
        assert scan.advance(")") == 0
    assert scan.advance(" next") == len("Done.") + 1000


TEXT_IN_PIECES = "Yes, take 200 mg. It helps.\n\nBut not if..."


@pytest.mark.parametrize("policy", list(POLICIES.values()))
def test_a_built_in_policy_never_joins_the_whole_text(policy, monkeypatch: pytest.MonkeyPatch) -> None:
    """What a view shows grows piece by piece, and the built-ins read only the newest text to decide it."""
    received = Received()
    revealed = Revealed(policy, received)

    def whole_text(self: Received) -> str:
        raise AssertionError("a built-in policy read the whole text")

    shown = ""
    monkeypatch.setattr(Received, "text", whole_text)
    for piece in ["Yes, take", " 200 mg. It", " helps.\n", "\nBut not", " if..."]:
        received.append(piece)
        fresh, again = revealed.advance(complete=False)
        shown += fresh
        assert not again
        assert shown == policy(TEXT_IN_PIECES[: received.length], False)
    fresh, _ = revealed.advance(complete=True)
    assert shown + fresh == TEXT_IN_PIECES


def test_a_policy_of_your_own_is_given_the_whole_text_and_may_take_text_back() -> None:
    received = Received()

    def short_answers_only(text: str, complete: bool) -> str:
        return text if complete or len(text) < 12 else text[:3]

    revealed = Revealed(short_answers_only, received)
    received.append("Yes, take")
    assert revealed.advance(complete=False) == ("Yes, take", False)
    received.append(" 200 mg.")
    assert revealed.advance(complete=False) == ("Yes", True), "it shows other text than before: start over"
    assert revealed.text() == "Yes" and revealed.shown == 3
    assert revealed.advance(complete=True) == (", take 200 mg.", False)
