"""Throttling decisions and reveal policies: pure functions of times, sizes and text."""

from __future__ import annotations

import itertools

import pytest

from helpers.views.reveal import POLICIES, by_paragraph, by_sentence, by_token, shown_at, when_complete
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
