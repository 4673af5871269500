"""Automatic checks for the exercises of lesson 01 (streaming text).

Each check runs the student's function against the exercise recording with its own replay
client at no-wait speed, so the verdict is the same in every course mode and at every speed
(exercise 2 also runs once with the recording's text held back, to see that the value comes from
its client, and runs a value that is not the recording's clock again at the recorded pace, to
judge a wall clock's reading).
``judge_*`` return a :class:`Verdict` (tests use them); ``check_*`` print it (the notebook uses
them). A check never raises because an exercise is unfinished or wrong: it says what is right,
what is wrong, and what to try.
"""

from __future__ import annotations

import contextlib
import math
import numbers
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from helpers.checks.common import (
    Exercise,
    Printout,
    RequestCap,
    Verdict,
    attempt,
    crashed,
    is_blank,
    not_a_function,
    not_finished,
    recorded_request,
    replay_client,
    returned_none,
    seconds,
    sent_nothing,
    wrong_kind,
)
from helpers.client import make_client, stopwatch

EXERCISE_RECORDING = "latency_terms"
_SAME_TIME = 0.006  # seconds: a student who rounds to 0.01 s still matches

COLLECT_TEXT = Exercise(
    1,
    "collect_text",
    recipe='loop over stream.text_stream, print each piece with print(text, end="", flush=True), '
    'keep the pieces in a list, and return "".join(pieces) after the loop.',
    returns='the whole text as one string: return "".join(pieces)',
    kind=str,
    kind_words="a string",
)
TIME_TO_FIRST_TOKEN = Exercise(
    2,
    "time_to_first_token",
    recipe="take started = time.perf_counter() just before `with client.messages.stream(**request) as stream:`; inside, "
    "loop over stream.text_stream and return time.perf_counter() - started at the first piece "
    "(or helpers.stopwatch(client).elapsed() there).",
    returns="the time you measured, in seconds, as a float",
    kind=numbers.Real,
    kind_words="a number of seconds",
)
FIRST_SENTENCE = Exercise(
    3,
    "first_sentence",
    recipe="add the pieces of stream.text_stream to a string; once it contains '.', break out of the "
    "loop and return the text up to and including that '.'.",
    returns="the text you kept, as one str",
    kind=str,
    kind_words="a string",
)


def exercise_request() -> dict[str, Any]:
    """The request the checks send (the exercise recording's), to try your function yourself."""
    return recorded_request(EXERCISE_RECORDING)


def cut_after_first_full_stop(text: str) -> str:
    """The text up to and including its first '.', or all of it if there is none."""
    end = text.find(".")
    return text if end < 0 else text[: end + 1]


@dataclass(frozen=True)
class Reference:
    """What the exercise recording delivers and when, read on the recording's clock."""

    pieces: tuple[tuple[float, str], ...]
    headers_at: float
    first_event_at: float
    complete_at: float

    @property
    def text(self) -> str:
        return "".join(piece for _, piece in self.pieces)

    @property
    def first_text_at(self) -> float:
        return self.pieces[0][0]

    def _sentence_end(self) -> tuple[float, str]:
        """When the first full stop arrived, and the text up to the end of its piece."""
        so_far = ""
        for at, piece in self.pieces:
            so_far += piece
            if "." in so_far:
                return at, so_far
        return self.complete_at, so_far

    @property
    def sentence_done_at(self) -> float:
        return self._sentence_end()[0]

    @property
    def through_full_stop_piece(self) -> str:
        """What a loop that keeps whole pieces holds when it breaks at the first full stop."""
        return self._sentence_end()[1]


def reference() -> Reference:
    """Stream the exercise recording once, noting the moments the exercises ask about."""
    with replay_client() as client:
        clock = stopwatch(client)
        pieces: list[tuple[float, str]] = []
        first_event_at = None
        with client.messages.stream(**exercise_request()) as stream:
            headers_at = clock.elapsed()
            for event in stream:
                if first_event_at is None:
                    first_event_at = clock.elapsed()
                if event.type == "text":
                    pieces.append((clock.elapsed(), event.text))
            complete_at = clock.elapsed()
    return Reference(tuple(pieces), headers_at, first_event_at or headers_at, complete_at)


def _characters(count: int) -> str:
    return f"{count} character{'' if count == 1 else 's'}"


@dataclass(frozen=True)
class Run:
    """A ``(client, request)`` exercise that returned a value of the right kind, and how far it read."""

    value: Any
    read_until: float  # the recording's clock when the function returned


def _run_with_request(exercise: Exercise, function: Any) -> Verdict | Run:
    """Call ``function(client, request)`` on a fresh replay client.

    A Verdict when the function is missing, unfinished, raised, ignored its client, or returned
    nothing or the wrong kind of value; otherwise the Run for the exercise's own judgement.
    """
    if not callable(function):
        return not_a_function(exercise, function)
    with replay_client() as client:
        result = attempt(function, client, exercise_request())
        read_until = stopwatch(client).elapsed()
    failure = crashed(exercise, result)
    if failure:
        return failure
    if read_until == 0:
        return sent_nothing(
            exercise,
            result,
            hint="use the `client` and `request` parameters (not the notebook's own client); "
            "the check times your function on its own client.",
        )
    if is_blank(result.value):
        return returned_none(exercise, right="it streamed the answer.")
    return wrong_kind(exercise, result.value) or Run(result.value, read_until)


# Exercise 1: print each piece as it arrives and return the whole text --------------------------


def judge_collect_text(collect_text: Callable[[Any], Any]) -> Verdict:
    """Exercise 1: print each piece as it arrives (flushed) and return the whole text."""
    ex = COLLECT_TEXT
    if not callable(collect_text):
        return not_a_function(ex, collect_text)
    with replay_client() as client, client.messages.stream(**exercise_request()) as stream:
        printout = Printout(stopwatch(client).elapsed)
        with contextlib.redirect_stdout(printout):
            result = attempt(collect_text, stream)
    printed = printout.getvalue()
    failure = crashed(ex, result)
    if failure:
        return failure
    if result.unfinished and not printed:
        return not_finished(ex, result)
    expected = reference()
    printed_right = f"it printed {len(printed)} characters." if printed else ""
    if is_blank(result.value):
        return returned_none(ex, right=printed_right)
    if isinstance(result.value, (list, tuple)):
        return ex.verdict(
            "wrong",
            right=printed_right,
            wrong=f"it returned a {type(result.value).__name__} of {len(result.value)} items instead of one string.",
            hint=f"return {ex.returns}.",
        )
    wrong_value = wrong_kind(ex, result.value)
    if wrong_value:
        return wrong_value
    if result.value != expected.text:
        wrong, hint = _wrong_collected_text(result.value, expected)
        return ex.verdict("wrong", right=printed_right, wrong=wrong, hint=hint)
    return _judge_printout(printed, printout, expected)


def _wrong_collected_text(value: str, expected: Reference) -> tuple[str, str]:
    """What is wrong with the text collect_text returned, with a hint."""
    text = expected.text
    if value == "":
        return "it returned an empty string.", "add every piece from stream.text_stream to what you return."
    if value == expected.pieces[-1][1]:
        return (
            f"it returned only the last piece, {value!r}.",
            "each loop turn replaced the text; collect every piece, e.g. pieces.append(text).",
        )
    if value == expected.pieces[0][1]:
        return f"it returned only the first piece, {value!r}.", "the return is inside the loop; move it after the loop."
    if text.startswith(value):
        return f"it returned the first {len(value)} of {len(text)} characters.", "let the loop run to the end before returning."
    return (
        f"the returned text differs from the answer from character {_first_difference(value, text)}.",
        "return exactly the pieces text_stream gave, joined with nothing in between.",
    )


def _judge_printout(printed: str, printout: Printout, expected: Reference) -> Verdict:
    """collect_text returned the right text: judge what it printed, and when."""
    ex, text = COLLECT_TEXT, expected.text
    right = f"it returned the whole answer, {len(text)} characters."
    if not printed:
        return ex.verdict(
            "wrong",
            right=right,
            wrong="it printed nothing, so a reader would see a blank screen until the end.",
            hint='print each piece as it arrives: print(text, end="", flush=True).',
        )
    if printed.rstrip("\n") != text:
        if printed.replace("\n", "") == text.replace("\n", ""):
            wrong, hint = (
                "it printed each piece on a line of its own.",
                'pass end="" so the pieces join up: print(text, end="", flush=True).',
            )
        else:
            wrong = f"what it printed differs from the answer from character {_first_difference(printed, text)}."
            hint = "print each piece exactly as it arrives, and nothing else."
        return ex.verdict("wrong", right=right, wrong=wrong, hint=hint)
    if len(printout.write_moments) < 2:
        return ex.verdict(
            "wrong",
            right=right,
            wrong="it printed the text in one go, after the loop: the reader saw nothing until the end.",
            hint="print each piece inside the loop, as it arrives.",
        )
    if printout.unflushed:
        return ex.verdict(
            "wrong",
            right=right + " It printed the pieces as they arrived.",
            wrong=f"{printout.unflushed} of them waited in the output buffer because nothing flushed it.",
            hint='add flush=True: print(text, end="", flush=True). A terminal otherwise shows a line at a time.',
        )
    return ex.verdict(
        "correct",
        right=f"it printed {len(expected.pieces)} pieces as they arrived, flushing each one, and returned all {len(text)} characters.",
    )


def _first_difference(a: str, b: str) -> int:
    return next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))


# Exercise 2: time to first token ---------------------------------------------------------------

_WALL_EARLY, _WALL_LATE = 0.02, 0.25  # seconds a wall clock may read before or after a recorded moment (pacing, a busy machine)
_LATER = 5.0  # seconds the check's second run of the recording holds its text back, to see whether the value moves with it
_HELD_BACK = f"stall@after=1,seconds={_LATER:g}"  # after message_start: the headers and the first event keep their moments


def judge_time_to_first_token(time_to_first_token: Callable[[Any, dict[str, Any]], Any]) -> Verdict:
    """Exercise 2: seconds from sending the request to the first piece of text.

    The first run replays without waiting, which a reading of ``helpers.stopwatch(client)`` (the
    recording's clock) passes at once. A second no-wait run holds the recording's text back, so a
    value that does not move with it was not read on the client's clock. Any other value may come
    from a wall clock such as ``time.perf_counter()``, which reads about zero there, so the function
    runs again with the recording replayed at its recorded pace and that value is judged as a wall clock's.
    """
    ex = TIME_TO_FIRST_TOKEN
    run = _run_with_request(ex, time_to_first_token)
    if isinstance(run, Verdict):
        return run
    too_large = _too_large(run.value)
    if too_large:
        return too_large
    expected = reference()
    value = float(run.value)
    verdict = _judge_unmoved(time_to_first_token, value, expected) or _judge_recording_clock(value, expected)
    if verdict is not None:
        return verdict
    paced = _run_paced(time_to_first_token)
    if isinstance(paced, Verdict):
        return paced
    return _judge_wall_clock(paced, expected)


def _judge_unmoved(function: Callable[..., Any], value: float, expected: Reference) -> Verdict | None:
    """Run the function on a recording whose text comes later; a verdict if its value stayed the same, else None.

    A reading of ``helpers.stopwatch(client)`` moves with the recording, and a wall clock never reads
    the same to the nanosecond twice; a stopwatch made for another client (the notebook's own
    ``stopwatch``) keeps that client's last reading, whatever this client does.
    """
    before_the_hold = (expected.headers_at, expected.first_event_at)
    if value < 0.05 or any(abs(value - moment) <= _SAME_TIME for moment in before_the_hold):
        return None  # about zero (a wall clock without waits) or a moment the held-back run keeps
    with replay_client(_HELD_BACK) as client:
        again = _run_again(function, client)
    if isinstance(again, Verdict):
        return again
    if float(again.value) != value:
        return None
    return TIME_TO_FIRST_TOKEN.verdict(
        "wrong",
        wrong=f"it returned {value:g} both times the check ran it, though the second time the first text came "
        f"{_LATER:g} s later: the number was not read on the `client` your function was given. A stopwatch made for another "
        "client, such as the notebook's `stopwatch` (made for the notebook's own client), keeps that client's last reading.",
        hint="make the clock from the client your function is given: clock = helpers.stopwatch(client), and return "
        "clock.elapsed() at the first piece (or use time.perf_counter() - started).",
    )


def _judge_recording_clock(value: float, expected: Reference) -> Verdict | None:
    """The verdict for a value read on the recording's clock (right, or a known wrong moment); None for any other value."""
    ex, first = TIME_TO_FIRST_TOKEN, expected.first_text_at
    if abs(value - first) <= _SAME_TIME:
        return ex.verdict(
            "correct",
            right=f"{seconds(value)}, the moment the first text arrived "
            f"(the headers came at {seconds(expected.headers_at)}, the whole answer at {seconds(expected.complete_at)}).",
        )
    mistakes = [
        (
            expected.headers_at,
            "that is when the response headers arrived, when the with block was entered, before any text.",
            "read the clock inside the loop, when the first piece arrives.",
        ),
        (
            expected.first_event_at,
            "that is when the first event (message_start) arrived; it carries no text.",
            "time the first piece of stream.text_stream, or the first event whose type is 'text'.",
        ),
        (expected.complete_at, "that is when the whole answer had arrived.", "read the clock at the first piece, not after the loop."),
        (first * 1000, "that looks like milliseconds.", "return seconds."),
        (first * 1e6, "that looks like microseconds.", "return seconds."),
        (first * 1e9, "that looks like nanoseconds.", "return seconds."),
    ]
    for moment, wrong, hint in mistakes:
        if abs(value - moment) <= _SAME_TIME * max(1.0, moment):
            return ex.verdict("wrong", wrong=f"it returned {value:g}: {wrong}", hint=hint)
    return None


@dataclass(frozen=True)
class Rerun:
    """Another run of the function, on a replay client the check chose: what it returned, and how long it took."""

    value: Any
    took: float  # wall-clock seconds the call lasted
    cpu: float  # CPU seconds the process used meanwhile (what time.process_time() advanced by)


def _run_paced(function: Callable[..., Any]) -> Verdict | Rerun:
    """Call ``function(client, request)`` on a replay client that waits as recorded, so a wall clock reads real seconds."""
    with make_client("replay", speed=1, backup=False, fault="", nearest=False) as client:
        return _run_again(function, client)  # one 2 s answer at most


def _run_again(function: Callable[..., Any], client: Any) -> Verdict | Rerun:
    """Call ``function(client, request)`` allowing one request; a Verdict if it sent more, raised or returned no number."""
    started, cpu_started = time.perf_counter(), time.process_time()
    result = attempt(function, client.with_middleware(RequestCap(1)), exercise_request())
    took, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    if result.stopped:
        return TIME_TO_FIRST_TOKEN.verdict(
            "wrong",
            wrong="it sent the request more than once; the check stopped it at the second.",
            hint="stream the request once and time its first piece.",
        )
    failure = crashed(TIME_TO_FIRST_TOKEN, result)
    if failure:
        return failure
    return wrong_kind(TIME_TO_FIRST_TOKEN, result.value) or _too_large(result.value) or Rerun(result.value, took, cpu)


def _too_large(value: Any) -> Verdict | None:
    """The verdict for a whole number too large to be any float (not a time); None for a number a float can hold."""
    try:
        float(value)
    except OverflowError:
        return TIME_TO_FIRST_TOKEN.verdict(
            "wrong", wrong="it returned a whole number too large to be a time in seconds.", hint=TIME_TO_FIRST_TOKEN.recipe
        )
    return None


def _near(value: float, moment: float) -> bool:
    """Whether a wall clock's reading is this recorded moment, give or take the replay's pacing."""
    return moment - _WALL_EARLY <= value <= moment + _WALL_LATE


def _judge_wall_clock(paced: Rerun, expected: Reference) -> Verdict:
    """Judge a value measured on a wall clock while the recording played at its recorded pace."""
    ex, first = TIME_TO_FIRST_TOKEN, expected.first_text_at
    value, took = float(paced.value), paced.took
    paced_as_recorded = "with the recording replayed at its recorded pace"
    whole = _whole_seconds(paced.value, first)
    if whole:
        return ex.verdict(
            "wrong",
            wrong=f"it returned {paced.value!r} {paced_as_recorded}, but the first text came {seconds(first)} after the request: {whole}",
            hint="keep the fraction of a second: return the difference as it is (or round(seconds, 2), which keeps hundredths).",
        )
    if _near(value, first):
        return ex.verdict(
            "correct",
            right=f"{value:.2f} s on your clock {paced_as_recorded}: the first text was recorded at {seconds(first)} "
            f"(the headers at {seconds(expected.headers_at)}, the whole answer at {seconds(expected.complete_at)}). "
            "Live, the same code measures the real wait.",
        )
    if expected.headers_at - _WALL_EARLY <= value <= expected.first_event_at + _WALL_LATE:
        return ex.verdict(
            "wrong",
            wrong=f"it returned {value:.2f} s {paced_as_recorded}: that is when the response began (headers at "
            f"{seconds(expected.headers_at)}), before any text.",
            hint="read the clock inside the loop, when the first piece arrives.",
        )
    if _near(value, first - expected.headers_at):
        return ex.verdict(
            "wrong",
            wrong=f"it returned {value:.2f} s {paced_as_recorded}, but the first text came {seconds(first)} after the request: "
            f"the clock started inside the with block, after the {seconds(expected.headers_at)} the response headers took.",
            hint="read time.perf_counter() just before `with client.messages.stream(**request) as stream:`, where the request is sent.",
        )
    if expected.pieces[-1][0] - _WALL_EARLY <= value <= expected.complete_at + _WALL_LATE:
        return ex.verdict(
            "wrong",
            wrong=f"it returned {value:.2f} s {paced_as_recorded}: that is when the whole answer had arrived.",
            hint="read the clock at the first piece, not after the loop.",
        )
    for per_second, unit, why in _UNITS:
        if _near(value / per_second, first):
            return ex.verdict("wrong", wrong=f"it returned {value:g}: that looks like {unit}{why}", hint=_IN_SECONDS)
    if value > took + 1:
        return ex.verdict(
            "wrong",
            wrong=f"it returned {value:g}, but your function ran for only {took:.2f} s: that is a clock's own reading, not the "
            "time since the request was sent.",
            hint="subtract: started = time.perf_counter() before the request, then time.perf_counter() - started at the first piece.",
        )
    if 0 <= value < 0.05 and _cpu_time(value, paced.cpu):
        return ex.verdict(
            "wrong",
            wrong=f"it returned {value:.3f} s {paced_as_recorded}, though your function ran for {took:.2f} s: that looks like "
            "time.process_time() (or thread_time()), which counts the CPU time your program used, not the time that passed. "
            "It stands still while the program waits for the network, and waiting is most of the time to first token.",
            hint="use a wall clock, which keeps counting while you wait: started = time.perf_counter() before the request, then "
            "time.perf_counter() - started at the first piece.",
        )
    if 0 <= value < 0.05:
        return ex.verdict(
            "wrong",
            wrong=f"it returned {value:.3f} s, about zero, {paced_as_recorded}: the first text came {seconds(first)} after the request.",
            hint="start the clock before the request is sent and read it when the first piece arrives, not both at the same moment.",
        )
    return ex.verdict(
        "wrong", wrong=f"it returned {value:g} s, but the first text arrived {seconds(first)} after the request.", hint=ex.recipe
    )


_UNITS = (
    (1e3, "milliseconds", "."),
    (1e6, "microseconds", ": a timedelta's .microseconds is only its microseconds part, and .total_seconds() the whole of it."),
    (1e9, "nanoseconds", ": time.perf_counter_ns() counts nanoseconds."),
)
_IN_SECONDS = "return seconds: time.perf_counter() - started (or a timedelta's .total_seconds())."


def _whole_seconds(value: Any, first: float) -> str:
    """Why the value is the first text's moment cut or rounded to whole seconds; "" if it is not."""
    if isinstance(value, bool) or float(value) not in (math.floor(first), math.ceil(first)) or float(first).is_integer():
        return ""
    if not isinstance(value, numbers.Integral) and float(value) == 0:
        return ""  # 0.0 from a float clock is about zero, judged as that
    if float(value) < first:
        return "the fraction of a second was cut off, as int(seconds) (or math.floor) does: it keeps whole seconds only."
    return "it was rounded to whole seconds, as round(seconds) without a number of digits (or math.ceil) does."


def _cpu_time(value: float, cpu: float) -> bool:
    """Whether a reading near zero is the CPU time the process used during the call (time.process_time()), not a wall clock's.

    A process_time() difference taken around the request cannot exceed what the whole call used, and holds most of
    it; two wall-clock readings taken at once hold almost none.
    """
    return 0.3 * cpu <= value <= cpu + 0.001 and value > 0.0002


# Exercise 3: stop after the first sentence ---------------------------------------------------


def judge_first_sentence(first_sentence: Callable[[Any, dict[str, Any]], Any]) -> Verdict:
    """Exercise 3: keep only the first sentence and stop reading the stream there."""
    run = _run_with_request(FIRST_SENTENCE, first_sentence)
    return run if isinstance(run, Verdict) else _judge_kept_sentence(run.value, run.read_until, reference())


def _judge_kept_sentence(value: str, read_until: float, expected: Reference) -> Verdict:
    ex, text = FIRST_SENTENCE, expected.text
    sentence = cut_after_first_full_stop(text)
    if value != sentence:
        wrong, hint = _wrong_sentence(value, sentence, expected)
        return ex.verdict("wrong", wrong=wrong, hint=hint)
    right = f"it kept the first sentence, {len(sentence)} of {len(text)} characters."
    if read_until > expected.sentence_done_at + 1e-9:
        return ex.verdict(
            "wrong",
            right=right,
            wrong=f"it went on reading until {seconds(read_until)}; the sentence was complete at {seconds(expected.sentence_done_at)}.",
            hint="break out of the loop as soon as the '.' arrives. get_final_message() or "
            "get_final_text() after a break waits for the rest of the answer.",
        )
    return ex.verdict(
        "correct",
        right=f"{right} It stopped reading at {seconds(read_until)}; the whole answer takes "
        f"{seconds(expected.complete_at)}, so the other {len(text) - len(sentence)} characters were never read.",
    )


def _wrong_sentence(value: str, sentence: str, expected: Reference) -> tuple[str, str]:
    """What is wrong with the kept text, with a hint."""
    cut = "cut the text right after the full stop: text[: text.index('.') + 1]."
    if value == expected.text:
        return "it returned the whole answer.", FIRST_SENTENCE.recipe
    if value == expected.through_full_stop_piece:
        extra = value[len(sentence) :]
        return f"it kept {_characters(len(extra))} after the full stop ({extra!r}): the piece with the '.' goes on.", cut
    if value.startswith(sentence):
        return f"it kept {_characters(len(value) - len(sentence))} more than the first sentence.", cut
    if value == sentence[:-1]:
        return (
            "it kept the sentence without its full stop: text.split('.')[0] (or text[: text.index('.')]) cuts it off.",
            cut,
        )
    if sentence.startswith(value):
        return (
            f"it kept only {len(value)} of the sentence's {len(sentence)} characters.",
            "keep adding pieces until the text so far contains '.'.",
        )
    if value.strip() == sentence.strip():
        return "the sentence is right, but with extra spaces or newlines around it.", "return the text exactly as it arrived."
    return f"it returned {value[:60]!r}, which is not how the answer starts.", FIRST_SENTENCE.recipe


# What the notebook calls -----------------------------------------------------------------------


def check_collect_text(collect_text: Callable[[Any], Any]) -> None:
    """Print the verdict for exercise 1."""
    print(judge_collect_text(collect_text))


def check_time_to_first_token(time_to_first_token: Callable[[Any, dict[str, Any]], Any]) -> None:
    """Print the verdict for exercise 2."""
    print(judge_time_to_first_token(time_to_first_token))


def check_first_sentence(first_sentence: Callable[[Any, dict[str, Any]], Any]) -> None:
    """Print the verdict for exercise 3."""
    print(judge_first_sentence(first_sentence))
