"""Lesson 01: the exercise checks accept the reference solutions, name each typical mistake
and never crash on unfinished work; the timeline's data preparation is right."""

from __future__ import annotations

import datetime
import time
from typing import Any

import matplotlib
import pytest
from exercise_testing import assert_verdict, load_solutions, not_implemented, unfinished

import helpers
from helpers.checks import lesson01 as checks
from helpers.teaching import timeline

matplotlib.use("Agg")


solutions = load_solutions("01_text_stream.py")


# The reference solutions pass ----------------------------------------------------------------


def test_solution_collect_text_passes() -> None:
    assert_verdict(checks.judge_collect_text(solutions.collect_text), "correct", "all 372 characters")


@pytest.mark.realtime  # the check waits as recorded (about a second) to judge a wall clock
def test_solution_time_to_first_token_passes() -> None:
    assert_verdict(checks.judge_time_to_first_token(solutions.time_to_first_token), "correct", "recorded at 0.93 s", "recorded pace")


def test_solution_first_sentence_passes() -> None:
    assert_verdict(checks.judge_first_sentence(solutions.first_sentence), "correct", "never read")


def test_check_prints_the_verdict(capsys: pytest.CaptureFixture[str]) -> None:
    checks.check_first_sentence(unfinished)
    assert capsys.readouterr().out.startswith("Exercise 3 (first_sentence): not finished yet.\n")


# Unfinished work is reported as unfinished, never raised ------------------------------------


@pytest.mark.parametrize("body", [unfinished, not_implemented])
@pytest.mark.parametrize("judge", [checks.judge_collect_text, checks.judge_time_to_first_token, checks.judge_first_sentence])
def test_unfinished_exercise_is_not_finished(judge: Any, body: Any) -> None:
    verdict = judge(body)
    assert_verdict(verdict, "unfinished", "To do:")
    assert not verdict.passed


@pytest.mark.parametrize("judge", [checks.judge_collect_text, checks.judge_time_to_first_token, checks.judge_first_sentence])
def test_passing_a_call_instead_of_the_function(judge: Any) -> None:
    assert_verdict(judge(None), "wrong", "got None", "without parentheses")


# Exercise 1: typical mistakes ----------------------------------------------------------------


def prints_but_returns_none(stream: Any) -> None:
    for text in stream.text_stream:
        print(text, end="", flush=True)


def adds_events_to_a_string(stream: Any) -> str:
    text = ""
    for event in stream:
        text += event
    return text


def returns_the_list(stream: Any) -> list[str]:
    pieces = []
    for text in stream.text_stream:
        print(text, end="", flush=True)
        pieces.append(text)
    return pieces


def keeps_the_last_piece(stream: Any) -> str:
    kept = ""
    for text in stream.text_stream:
        print(text, end="", flush=True)
        kept = text
    return kept


def returns_inside_the_loop(stream: Any) -> str:
    for text in stream.text_stream:
        print(text, end="", flush=True)
        return text
    return ""


def prints_nothing(stream: Any) -> str:
    return "".join(stream.text_stream)


def prints_lines(stream: Any) -> str:
    pieces = []
    for text in stream.text_stream:
        print(text, flush=True)
        pieces.append(text)
    return "".join(pieces)


def forgets_flush(stream: Any) -> str:
    pieces = []
    for text in stream.text_stream:
        print(text, end="")
        pieces.append(text)
    return "".join(pieces)


def prints_at_the_end(stream: Any) -> str:
    text = "".join(stream.text_stream)
    print(text, flush=True)
    return text


@pytest.mark.parametrize(
    ("attempt", "phrases"),
    [
        (prints_but_returns_none, ["Right: it printed 372 characters", "it returned None", "return the whole text"]),
        (adds_events_to_a_string, ["raised TypeError"]),
        (returns_the_list, ["a list of 31 items", '"".join(pieces)']),
        (keeps_the_last_piece, ["only the last piece"]),
        (returns_inside_the_loop, ["only the first piece", "after the loop"]),
        (prints_nothing, ["Right: it returned the whole answer", "printed nothing"]),
        (prints_lines, ["on a line of its own", 'end=""']),
        (forgets_flush, ["30 of them waited in the output buffer", "flush=True"]),
        (prints_at_the_end, ["in one go"]),
    ],
)
def test_collect_text_mistakes(attempt: Any, phrases: list[str]) -> None:
    assert_verdict(checks.judge_collect_text(attempt), "wrong", *phrases)


# Exercise 2: typical mistakes ----------------------------------------------------------------


def time_at_headers(client: Any, request: dict[str, Any]) -> float:
    with client.messages.stream(**request) as stream:
        seconds = helpers.stopwatch(client).elapsed()
        stream.until_done()
    return seconds


def time_at_first_event(client: Any, request: dict[str, Any]) -> float:
    with client.messages.stream(**request) as stream:
        for _ in stream:
            return helpers.stopwatch(client).elapsed()
    return 0.0


def time_after_the_loop(client: Any, request: dict[str, Any]) -> float:
    with client.messages.stream(**request) as stream:
        for _ in stream.text_stream:
            pass
        return helpers.stopwatch(client).elapsed()


def time_with_stopwatch(client: Any, request: dict[str, Any]) -> float:
    """The course's clock, read at the first piece: the recording's time under replay."""
    clock = helpers.stopwatch(client)
    with client.messages.stream(**request) as stream:
        for _ in stream.text_stream:
            return clock.elapsed()
    return 0.0


def perf_counter_timing(start: str = "before", read: str = "first piece", absolute: bool = False, scale: float = 1.0) -> Any:
    """A time_to_first_token on time.perf_counter(): the clock started ``start`` ("before" the request, or "inside" the with
    block) and read at the ``read`` moment ("first piece", "first event", "headers" or "end"); ``absolute`` returns the
    clock's own reading."""

    def measure(client: Any, request: dict[str, Any]) -> float:
        started = time.perf_counter()
        with client.messages.stream(**request) as stream:
            if start == "inside":
                started = time.perf_counter()
            if read == "headers":
                seconds = time.perf_counter()
                stream.until_done()
            elif read == "first event":
                seconds = next(iter(stream)) and time.perf_counter()
            else:
                for _ in stream.text_stream:
                    seconds = time.perf_counter()
                    if read == "first piece":
                        break
        return (seconds if absolute else seconds - started) * scale

    return measure


def wall_clock(clock: str = "perf_counter", ending: Any = None) -> Any:
    """A time_to_first_token timed from just before the request to the first piece on ``clock`` (a function of ``time``,
    or "datetime"), returning ``ending(difference)`` (the difference itself by default)."""

    def measure(client: Any, request: dict[str, Any]) -> Any:
        read = datetime.datetime.now if clock == "datetime" else getattr(time, clock)
        started = read()
        with client.messages.stream(**request) as stream:
            for _ in stream.text_stream:
                difference = read() - started
                return difference if ending is None else ending(difference)
        return 0.0

    return measure


def streams_five_times(client: Any, request: dict[str, Any]) -> float:
    for _ in range(5):
        with client.messages.stream(**request) as stream:
            stream.until_done()
    return 5.0


def reads_twice_at_once(client: Any, request: dict[str, Any]) -> float:
    with client.messages.stream(**request) as stream:
        for _ in stream.text_stream:
            started = time.perf_counter()
            return time.perf_counter() - started
    return 1.0


def time_in_milliseconds(client: Any, request: dict[str, Any]) -> float:
    return time_with_stopwatch(client, request) * 1000


def time_as_text(client: Any, request: dict[str, Any]) -> str:
    return f"{time_with_stopwatch(client, request):.2f} s"


def time_rounded(client: Any, request: dict[str, Any]) -> float:
    return round(time_with_stopwatch(client, request), 2)


def time_on_another_client(client: Any, request: dict[str, Any]) -> float:
    with helpers.make_client("replay", speed=0) as own:
        return time_with_stopwatch(own, request)


def time_with_a_changed_request(client: Any, request: dict[str, Any]) -> float:
    return time_with_stopwatch(client, {**request, "max_tokens": 50})


def streams_and_returns_nothing(client: Any, request: dict[str, Any]) -> None:
    time_with_stopwatch(client, request)


def notebook_stopwatch(tried: str) -> Any:
    """Reads a stopwatch made for another client (the notebook's ``stopwatch``), last used as ``tried``: "whole answer" or
    "first piece" (the student tried a function that returns at the first piece on the notebook's client first)."""
    notebook_client = helpers.make_client("replay", speed=0)
    stopwatch = helpers.stopwatch(notebook_client)
    with notebook_client.messages.stream(**checks.exercise_request()) as stream:
        for _ in stream.text_stream:
            if tried == "first piece":
                break

    def measure(client: Any, request: dict[str, Any]) -> float:
        with client.messages.stream(**request) as stream:
            for _ in stream.text_stream:
                return stopwatch.elapsed()
        return 0.0

    return measure


@pytest.mark.parametrize(
    ("attempt", "phrases"),
    [
        (time_at_headers, ["response headers arrived"]),
        (time_at_first_event, ["message_start"]),
        (time_after_the_loop, ["whole answer had arrived"]),
        (time_in_milliseconds, ["milliseconds"]),
        (time_as_text, ["a str, not a number of seconds"]),
        (time_on_another_client, ["never sent a request with the client it was given"]),
        (time_with_a_changed_request, ["no recording answers", "unchanged"]),
        (streams_and_returns_nothing, ["Right: it streamed the answer", "returned None"]),
        (notebook_stopwatch("whole answer"), ["2.1248 both times", "not read on the `client`", "the notebook's `stopwatch`"]),
        (notebook_stopwatch("first piece"), ["0.93 both times", "not read on the `client`", "helpers.stopwatch(client)"]),
        (lambda client, request: time_with_stopwatch(client, request) * 1e6, ["microseconds"]),
        (lambda client, request: time_with_stopwatch(client, request) and 10**400, ["too large to be a time"]),
    ],
)
def test_time_to_first_token_mistakes(attempt: Any, phrases: list[str]) -> None:
    assert_verdict(checks.judge_time_to_first_token(attempt), "wrong", *phrases)


def test_time_rounded_to_hundredths_passes() -> None:
    assert checks.judge_time_to_first_token(time_rounded).passed


def test_the_course_stopwatch_passes_without_waiting() -> None:
    assert_verdict(checks.judge_time_to_first_token(time_with_stopwatch), "correct", "0.93 s, the moment the first text arrived")


@pytest.mark.realtime  # each waits as recorded, up to the whole 2.1 s answer
@pytest.mark.parametrize(
    ("attempt", "phrases"),
    [
        (perf_counter_timing(read="headers"), ["when the response began", "inside the loop"]),
        (perf_counter_timing(read="first event"), ["when the response began", "inside the loop"]),
        (perf_counter_timing(read="end"), ["whole answer had arrived"]),
        (perf_counter_timing(start="inside"), ["the clock started inside the with block", "just before `with client.messages.stream"]),
        (perf_counter_timing(absolute=True), ["a clock's own reading", "time.perf_counter() - started"]),
        (perf_counter_timing(scale=1000), ["milliseconds"]),
        (reads_twice_at_once, ["about zero", "not both at the same moment"]),
        (streams_five_times, ["more than once", "stream the request once"]),
        (wall_clock(ending=round), ["it returned 1 ", "rounded to whole seconds", "round(seconds, 2)"]),
        (wall_clock(ending=int), ["it returned 0 ", "cut off", "int(seconds)"]),
        (wall_clock("perf_counter_ns"), ["nanoseconds", "perf_counter_ns"]),
        (wall_clock("datetime", lambda d: d.microseconds), ["microseconds", ".total_seconds()"]),
        (wall_clock("process_time"), ["time.process_time()", "CPU time", "waits for the network"]),
    ],
    ids=[
        "headers",
        "first-event",
        "end",
        "started-inside",
        "absolute",
        "milliseconds",
        "zero",
        "five-requests",
        "whole-seconds-rounded",
        "whole-seconds-cut",
        "nanoseconds",
        "microseconds",
        "process-time",
    ],
)
def test_time_to_first_token_wall_clock_mistakes(attempt: Any, phrases: list[str]) -> None:
    assert_verdict(checks.judge_time_to_first_token(attempt), "wrong", *phrases)


@pytest.mark.realtime
@pytest.mark.parametrize(
    "attempt",
    [wall_clock("monotonic"), wall_clock("datetime", datetime.timedelta.total_seconds), wall_clock(ending=lambda s: round(s, 2))],
    ids=["monotonic", "timedelta-total-seconds", "rounded-to-hundredths"],
)
def test_other_wall_clocks_pass(attempt: Any) -> None:
    assert_verdict(checks.judge_time_to_first_token(attempt), "correct", "on your clock")


@pytest.mark.realtime
def test_time_dot_time_is_a_wall_clock_too() -> None:
    def with_time_time(client: Any, request: dict[str, Any]) -> float:
        started = time.time()
        with client.messages.stream(**request) as stream:
            for _ in stream.text_stream:
                return time.time() - started
        return 0.0

    assert_verdict(checks.judge_time_to_first_token(with_time_time), "correct", "on your clock")


# Exercise 3: typical mistakes ----------------------------------------------------------------


def keeps_whole_pieces(client: Any, request: dict[str, Any]) -> str:
    kept = []
    with client.messages.stream(**request) as stream:
        for event in stream:
            if event.type == "text":
                kept.append(event.text)
                if "." in event.text:
                    break
    return "".join(kept)


def keeps_everything(client: Any, request: dict[str, Any]) -> str:
    with client.messages.stream(**request) as stream:
        return stream.get_final_text()


def breaks_then_waits_for_the_rest(client: Any, request: dict[str, Any]) -> str:
    with client.messages.stream(**request) as stream:
        for text in stream.text_stream:
            if "." in text:
                break
        text = stream.get_final_text()
    return checks.cut_after_first_full_stop(text)


def stops_at_the_first_piece(client: Any, request: dict[str, Any]) -> str:
    with client.messages.stream(**request) as stream:
        for text in stream.text_stream:
            return text
    return ""


def splits_at_the_full_stop(client: Any, request: dict[str, Any]) -> str:
    kept = ""
    with client.messages.stream(**request) as stream:
        for text in stream.text_stream:
            kept += text
            if "." in kept:
                break
    return kept.split(".")[0]


def adds_a_newline(client: Any, request: dict[str, Any]) -> str:
    return solutions.first_sentence(client, request) + "\n"


def streams_and_forgets_to_return(client: Any, request: dict[str, Any]) -> None:
    solutions.first_sentence(client, request)


@pytest.mark.parametrize(
    ("attempt", "phrases"),
    [
        (keeps_whole_pieces, ["18 characters after the full stop", "' Throughput is how'", "text.index('.') + 1"]),
        (keeps_everything, ["the whole answer"]),
        (breaks_then_waits_for_the_rest, ["Right: it kept the first sentence", "until 2.12 s", "complete at 1.28 s"]),
        (stops_at_the_first_piece, ["only 4 of the sentence's 110 characters"]),
        (splits_at_the_full_stop, ["without its full stop", "split('.')[0]", "text.index('.') + 1"]),
        (adds_a_newline, ["1 character more"]),
        (streams_and_forgets_to_return, ["Right: it streamed the answer", "returned None"]),
    ],
)
def test_first_sentence_mistakes(attempt: Any, phrases: list[str]) -> None:
    assert_verdict(checks.judge_first_sentence(attempt), "wrong", *phrases)


def test_exercise_request_is_answered_by_the_recording() -> None:
    with helpers.make_client("replay", speed=0) as client, client.messages.stream(**checks.exercise_request()) as stream:
        assert stream.get_final_message().stop_reason == "end_turn"


# The timeline's data preparation -------------------------------------------------------------


def test_streaming_curve_accumulates_characters() -> None:
    curve = timeline.streaming_curve([(0.5, 3), (0.7, 0), (1.0, 4)])
    assert curve.times == [0.0, 0.5, 0.7, 1.0]
    assert curve.chars == [0, 3, 3, 7]
    assert (curve.first_text_at, curve.complete_at, curve.total) == (0.5, 1.0, 7)


def test_blocking_curve_is_blank_until_the_end() -> None:
    curve = timeline.blocking_curve(7, 1.2)
    assert (curve.times, curve.chars) == ([0.0, 1.2], [0, 7])
    assert curve.first_text_at == curve.complete_at == 1.2


def test_extended_holds_the_last_value() -> None:
    curve = timeline.blocking_curve(7, 1.2)
    assert timeline.extended(curve, 2.0).times == [0.0, 1.2, 2.0]
    assert timeline.extended(curve, 2.0).chars == [0, 7, 7]
    assert timeline.extended(curve, 1.0) == curve


def test_plot_draws_both_lines() -> None:
    ax = timeline.plot_visible_text([(0.5, 3), (1.0, 4)], blocking_latency=1.1)
    assert [line.get_label() for line in ax.get_lines()][:2] == ["streaming", "blocking"]
    matplotlib.pyplot.close(ax.figure)
