"""Automatic checks for the exercises of lesson 04 (progressive rendering).

``judge_*`` return a :class:`Verdict` (tests use them); ``check_*`` print it (the notebook uses
them). Exercises 1 and 2 are pure functions, checked on cases taken from the lesson's
recordings; exercise 3 streams the exercise recording with the check's own replay client at
no-wait speed into a view the check makes, so the verdict is the same in every course mode.
Exercises 4 (frozen blocks and an open tail) and 5 (a Stop that cancels the reading) have their
own modules, ``lesson04_blocks`` and ``lesson04_stop``; their checks are offered here too, so the
notebook finds every check in one place. A check never raises because an exercise is unfinished or wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise
from typing import Any

import anthropic

from helpers.checks.common import (
    Exercise,
    Verdict,
    a_type,
    attempt,
    crashed,
    is_blank,
    never_returned,
    not_a_function,
    not_finished,
    recorded_request,
    replay_client,
    returned_none,
    sent_nothing,
    wrong_kind,
)
from helpers.checks.lesson04_blocks import check_split_blocks, judge_split_blocks
from helpers.checks.lesson04_stop import check_read_until_stopped, judge_read_until_stopped
from helpers.checks.recorded import recorded_arrivals
from helpers.client import stopwatch
from helpers.views.markdown_blocks import render_markdown
from helpers.views.reveal import by_paragraph
from helpers.views.stream_view import StreamView
from helpers.views.throttle import redraw_times

EXERCISE_RECORDING = "render_side_python"
CAVEAT_RECORDING = "render_ibuprofen"

REDRAW_MOMENTS = Exercise(
    1,
    "redraw_moments",
    recipe="keep the time of the last redraw; for each arrival, redraw (append its time) when there was none yet "
    "or at least 1 / rate seconds have passed since it; after the loop, if the last arrival was not drawn, append its time.",
    returns="the list of redraw times, in seconds",
    kind=list,
    kind_words="a list of times",
)
REVEAL_BY_PARAGRAPH = Exercise(
    2,
    "reveal_by_paragraph",
    recipe='return text if complete; otherwise find the last blank line, end = text.rfind("\\n\\n"), and return '
    'text[: end + 2] (or "" if there is none).',
    returns="the part of the text to show, as a string",
    kind=str,
    kind_words="a string",
)
SHOW_STREAM = Exercise(
    3,
    "show_stream",
    recipe="inside `with client.messages.stream(**request) as stream:`, call view.append(text) for each piece of "
    "stream.text_stream; after the loop call view.finish() and return stream.get_final_message().",
    returns="the final message: return stream.get_final_message()",
    kind=anthropic.types.Message,
    kind_words="the final Message",
)


def exercise_request() -> dict[str, Any]:
    """The request exercise 3 streams, to try your function yourself."""
    return recorded_request(EXERCISE_RECORDING)


def _value_of(ex: Exercise, function: Callable[..., Any], *args: Any) -> Any:
    """What a pure exercise function returned, or the verdict if it raised, is unfinished or returned the wrong kind."""
    result = attempt(function, *args)
    failure = crashed(ex, result)
    if failure:
        return failure
    if result.unfinished:
        return not_finished(ex, result)
    return wrong_kind(ex, result.value) or result.value


# Exercise 1: when a throttled view redraws ------------------------------------------------------


def _redraw_cases() -> list[tuple[str, list[float], float]]:
    recorded = [at for at, _ in recorded_arrivals(EXERCISE_RECORDING)]
    return [
        ("the exercise recording at 20 redraws a second", recorded, 20.0),
        ("the exercise recording at 4 redraws a second", recorded, 4.0),
        ("pieces exactly one interval apart", [0.0, 0.05, 0.1, 0.15], 20.0),
        ("pieces that arrive between two ticks of a clock", [0.04, 0.06, 0.12], 20.0),
        ("several pieces that arrive at the same moment", [0.0, 0.06, 0.06, 0.06], 20.0),
    ]


def judge_redraw_moments(redraw_moments: Callable[[list[float], float], Any]) -> Verdict:
    """Exercise 1: the times a view throttled to ``rate`` redraws, including the final flush."""
    ex = REDRAW_MOMENTS
    if not callable(redraw_moments):
        return not_a_function(ex, redraw_moments)
    for label, arrivals, rate in _redraw_cases():
        value = _value_of(ex, redraw_moments, list(arrivals), rate)
        if isinstance(value, Verdict):
            return value
        not_times = [t for t in value if isinstance(t, bool) or not isinstance(t, (int, float))]
        if not_times:
            return ex.verdict(
                "wrong",
                wrong=f"for {label}, the list holds {not_times[0]!r} ({a_type(not_times[0])}), not a time in seconds.",
                hint="append the arrival times themselves (numbers like 0.05), not pieces, pairs or text.",
            )
        expected = redraw_times(arrivals, rate)
        if [round(t, 9) for t in value] != [round(t, 9) for t in expected]:
            wrong, hint = _wrong_redraws(list(value), expected, arrivals, rate)
            return ex.verdict("wrong", wrong=f"for {label}: {wrong}", hint=hint)
    recorded = redraw_times([at for at, _ in recorded_arrivals(EXERCISE_RECORDING)], 20.0)
    return ex.verdict(
        "correct",
        right=f"every case matches; the exercise recording's pieces make {len(recorded)} redraws at 20 a second, "
        "the last one the final flush.",
    )


def _wrong_redraws(value: list[float], expected: list[float], arrivals: list[float], rate: float) -> tuple[str, str]:
    if value == arrivals and expected != arrivals:
        return (
            f"it redraws at every one of the {len(arrivals)} pieces.",
            "skip a piece that arrives less than 1 / rate seconds after the last redraw.",
        )
    if value == expected[:-1]:
        return (
            "the last pieces are never drawn: the view stops one redraw short.",
            "after the loop, if the last arrival did not redraw, append its time: the final state is always flushed.",
        )
    close = [(a, b) for a, b in pairwise(value) if 0 < b - a < 1 / rate - 1e-9]
    if close:
        a, b = close[0]
        return (
            f"two redraws came less than {1 / rate:g} s apart, at {a:g} s and {b:g} s.",
            "measure each interval from the last redraw, not from fixed ticks of a clock.",
        )
    if [round(t, 9) for t in value] == [round(t, 9) for t in redraw_times(arrivals, 1 / rate)]:
        return (
            f"it waited {rate:g} seconds between redraws: that is rate itself, the number of redraws a second.",
            "the shortest interval between two redraws is 1 / rate seconds (0.05 s at 20 a second): compare with >= 1 / rate.",
        )
    if len(value) < len(expected):
        return (
            f"it returned {len(value)} redraws where {len(expected)} were due ({expected}).",
            "a piece that arrives exactly 1 / rate seconds after the last redraw redraws too: compare with >=.",
        )
    return (
        f"it returned {value[:8]}{'…' if len(value) > 8 else ''}, expected {expected[:8]}{'…' if len(expected) > 8 else ''}.",
        REDRAW_MOMENTS.recipe,
    )


# Exercise 2: reveal whole paragraphs only --------------------------------------------------------


def judge_reveal_by_paragraph(reveal_by_paragraph: Callable[[str, bool], Any]) -> Verdict:
    """Exercise 2: show only finished paragraphs while the answer is incomplete, everything once it is."""
    ex = REVEAL_BY_PARAGRAPH
    if not callable(reveal_by_paragraph):
        return not_a_function(ex, reveal_by_paragraph)
    text = "".join(piece for _, piece in recorded_arrivals(CAVEAT_RECORDING))
    cases = [(text[:end], False) for end in range(0, len(text), 23)] + [(text, True), ("", True)]
    probe = attempt(reveal_by_paragraph, text, True)
    stuck = never_returned(ex, probe)
    if stuck is not None:
        return stuck
    written = isinstance(probe.value, str)  # it returns text somewhere: not the stub
    for sample, complete in cases:
        value = _value_of(ex, reveal_by_paragraph, sample, complete)
        if isinstance(value, Verdict) and value.status == "unfinished" and written:
            return ex.verdict(
                "wrong",
                wrong=f"it returned None for {sample[-40:]!r} (complete={complete}), where no paragraph is finished yet.",
                hint="return '' when there is nothing to show yet: the view needs a str, and None is not one.",
            )
        if isinstance(value, Verdict):
            return value
        expected = by_paragraph(sample, complete)
        if value.rstrip("\n") != expected.rstrip("\n"):
            wrong, hint = _wrong_reveal(value, expected, sample, complete)
            return ex.verdict("wrong", wrong=wrong, hint=hint)
    paragraphs = text.count("\n\n") + 1
    return ex.verdict(
        "correct",
        right=f"on {len(cases)} moments of the medical answer it showed whole paragraphs only, and all "
        f"{paragraphs} once complete: a caveat in the same paragraph as its statement always comes with it.",
    )


def _wrong_reveal(value: str, expected: str, sample: str, complete: bool) -> tuple[str, str]:
    where = f"with complete={complete} and {len(sample)} characters received"
    if not sample.startswith(value):
        return f"{where}, it returned text that is not the start of what was received.", "return a prefix of text: text[: end]."
    if complete:
        return f"{where}, it held back the end of a finished answer.", "when complete is True, return the whole text."
    if value == sample:
        return f"{where}, it showed a paragraph that is still being written.", 'stop at the last blank line: text.rfind("\\n\\n").'
    if "\n\n" not in sample and value == sample[:1]:
        return (
            f"{where}, it showed the first character although no paragraph was finished: text.rfind('\\n\\n') is -1 "
            "when there is no blank line yet, and -1 + 2 cuts after one character.",
            "check for -1 first: when there is no blank line yet, return ''.",
        )
    if len(value) > len(expected) and "\n\n" not in value[len(expected) :]:
        return (
            f"{where}, it showed part of an unfinished paragraph (it stopped at a single line break?).",
            'a paragraph ends at a blank line, "\\n\\n": a list\'s lines belong to one paragraph-like block.',
        )
    return f"{where}, it showed {len(value)} characters where {len(expected.rstrip())} were due.", REVEAL_BY_PARAGRAPH.recipe


# Exercise 3: stream into a view ----------------------------------------------------------------


class WatchedView(StreamView):
    """The exercise's view, noting when each piece was appended (on the recording's clock) and each finish()."""

    def __init__(self, clock: Any) -> None:
        super().__init__(clock=clock, widgets=True)
        self.watch = clock
        self.appended_at: list[float] = []
        self.finishes = 0

    def append(self, fragment: str) -> None:
        self.appended_at.append(self.watch.elapsed())
        super().append(fragment)

    def finish(self, cut: bool = False) -> None:
        self.finishes += 1
        super().finish(cut)


def _not_progressive(view: WatchedView, last_arrival: float) -> tuple[str, str] | None:
    """A view that drew the answer all at the end, or finished (so redrew at once) again and again."""
    if view.finishes > 1:
        return (
            f"it called view.finish() {view.finishes} times. finish() draws at once, whatever the throttle says: "
            f"after every piece it redraws every time ({view.stats.redraws} redraws), which is what throttling exists to avoid.",
            "call view.finish() once, after the loop; inside it only view.append(text).",
        )
    if view.appended_at and min(view.appended_at) >= last_arrival:
        return (
            f"the text went into the view only after the whole answer had arrived ({len(view.appended_at)} append(s), "
            f"the first at {min(view.appended_at):.2f} s, the last piece arrived at {last_arrival:.2f} s): a reader saw "
            "nothing until the end, so nothing was shown progressively.",
            "append each piece inside the loop over stream.text_stream, as it arrives; get the final message after the loop.",
        )
    return None


def judge_show_stream(show_stream: Callable[[Any, dict[str, Any], StreamView], Any]) -> Verdict:
    """Exercise 3: stream a request into a view, finish it, return the final message."""
    ex = SHOW_STREAM
    if not callable(show_stream):
        return not_a_function(ex, show_stream)
    with replay_client() as client:
        view = WatchedView(stopwatch(client))
        result = attempt(show_stream, client, exercise_request(), view)
        read_until = stopwatch(client).elapsed()
    failure = crashed(ex, result)
    if failure:
        return failure
    if read_until == 0:
        return sent_nothing(ex, result, hint="use the `client`, `request` and `view` parameters; the check gives your function its own.")
    arrivals = recorded_arrivals(EXERCISE_RECORDING)
    expected = "".join(piece for _, piece in arrivals)
    problem = _view_problem(view, expected) or _not_progressive(view, arrivals[-1][0])
    if problem:
        return ex.verdict("wrong", wrong=problem[0], hint=problem[1])
    right = f"the view showed the whole answer, {len(expected)} characters in {view.stats.redraws} redraws, rendered as Markdown."
    if is_blank(result.value):
        return returned_none(ex, right=right)
    if isinstance(result.value, str):
        return ex.verdict("wrong", right=right, wrong="it returned the text, not the message.", hint=f"return {ex.returns}.")
    wrong_value = wrong_kind(ex, result.value)
    if wrong_value:
        return wrong_value
    message = result.value
    return ex.verdict(
        "correct",
        right=f"{right} It returned the final message (stop_reason {message.stop_reason}, {message.usage.output_tokens} output tokens).",
    )


def _view_problem(view: StreamView, expected: str) -> tuple[str, str] | None:
    if not view.text:
        return "the view received no text.", "call view.append(text) for each piece of stream.text_stream."
    if view.text != expected:
        if len(view.text) > len(expected):
            return (
                f"the view received {len(view.text)} characters for a {len(expected)}-character answer: "
                "it was given the text so far each time, not each new piece.",
                "append each piece as it arrives: view.append(text).",
            )
        return (
            f"the view received {len(view.text)} of the answer's {len(expected)} characters.",
            "let the loop run to the end of stream.text_stream.",
        )
    if not view.done:
        return (
            "the view was never finished, so the last pieces may never be drawn.",
            "call view.finish() after the loop: it always draws the final state.",
        )
    if view.html != render_markdown(expected):
        return "the view does not show the whole answer.", SHOW_STREAM.recipe
    return None


# What the notebook calls -----------------------------------------------------------------------


def check_redraw_moments(redraw_moments: Callable[[list[float], float], Any]) -> None:
    """Print the verdict for exercise 1."""
    print(judge_redraw_moments(redraw_moments))


def check_reveal_by_paragraph(reveal_by_paragraph: Callable[[str, bool], Any]) -> None:
    """Print the verdict for exercise 2."""
    print(judge_reveal_by_paragraph(reveal_by_paragraph))


def check_show_stream(show_stream: Callable[[Any, dict[str, Any], StreamView], Any]) -> None:
    """Print the verdict for exercise 3."""
    print(judge_show_stream(show_stream))


__all__ = [
    "check_read_until_stopped",
    "check_redraw_moments",
    "check_reveal_by_paragraph",
    "check_show_stream",
    "check_split_blocks",
    "exercise_request",
    "judge_read_until_stopped",
    "judge_redraw_moments",
    "judge_reveal_by_paragraph",
    "judge_show_stream",
    "judge_split_blocks",
    "recorded_arrivals",
]
