"""What every exercise check shares: verdicts in plain words, calling a student's code safely, and
the replay client, recorded request and stdout stand-in a check runs that code with.

A check never raises because an exercise is unfinished or wrong. It calls the student's
function through ``attempt``, keeps any exception as data, and turns what it found into a
``Verdict``: a heading, then Right / Wrong / Hint lines (So far / To do while unfinished).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import anthropic

from helpers import config
from helpers.checks.attempts import Attempt as Attempt  # re-exported: every check module takes these from here
from helpers.checks.attempts import is_blank as is_blank
from helpers.checks.bounded import run_in_thread
from helpers.client import make_client
from helpers.errors import LimitReached, NoRecordingError
from helpers.replay import recording_file

Status = Literal["correct", "unfinished", "wrong"]
_HEADINGS: dict[Status, str] = {"correct": "correct.", "unfinished": "not finished yet.", "wrong": "not right yet."}


@dataclass(frozen=True)
class Verdict:
    """What a check found, in plain words: a heading, then Right / Wrong / Hint lines."""

    exercise: str
    status: Status
    lines: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return self.status == "correct"

    def __str__(self) -> str:
        return "\n".join([f"{self.exercise}: {_HEADINGS[self.status]}", *(f"  {line}" for line in self.lines)])


@dataclass(frozen=True)
class Exercise:
    """One exercise: the function the student writes, what it returns, and how to write it."""

    number: int
    function: str
    recipe: str
    returns: str
    kind: type | tuple[type, ...]
    kind_words: str

    def verdict(self, status: Status, right: str = "", wrong: str = "", hint: str = "") -> Verdict:
        """An unfinished exercise is not wrong: its lines read "So far" and "To do" instead."""
        problem, advice = ("So far: ", "To do: ") if status == "unfinished" else ("Wrong: ", "Hint: ")
        labelled = (("Right: ", right), (problem, wrong), (advice, hint))
        title = f"Exercise {self.number} ({self.function})"
        return Verdict(title, status, tuple(label + text for label, text in labelled if text))


class RequestCap:
    """Middleware that keeps each request's JSON body, and stops the student's code past ``limit`` requests."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.bodies: list[dict[str, Any]] = []

    def __call__(self, request: Any, call_next: Any) -> Any:
        if len(self.bodies) >= self.limit:
            raise LimitReached(f"it sent more than {self.limit} requests")
        self.bodies.append(dict(request.json or {}))
        return call_next(request)


CALL_SECONDS = 5.0  # how long one call of a student's function may run before the check gives up on it


def attempt(function: Callable[..., Any], *args: Any) -> Attempt:
    """Call the student's function, keeping any exception as data instead of raising it.

    It runs in a worker thread: a loop that never ends gets a verdict after ``CALL_SECONDS``
    (naming the line it was on) instead of hanging the notebook.
    """
    code = getattr(function, "__code__", None)
    ran = run_in_thread(lambda: function(*args), CALL_SECONDS, code.co_filename if code is not None else "")
    if ran.timed_out:
        return Attempt(still_running=f"it was still running after {CALL_SECONDS:g} s.{ran.where}")
    return ran.result


def first_line(err: Exception) -> str:
    """``TypeError: its message``, one line: enough to find the bug, short enough to read in a verdict."""
    text = str(err).strip().splitlines()
    line = text[0] if text else ""
    return f"{type(err).__name__}: {line[:160]}" if line else type(err).__name__


def not_a_function(exercise: Exercise, given: Any) -> Verdict:
    """The verdict for ``check_f(f())``: a call's result where the function itself belongs."""
    name = exercise.function
    what = "None" if given is None else f"a {type(given).__name__}"
    return exercise.verdict(
        "wrong",
        wrong=f"the check needs your function itself, but got {what}.",
        hint=f"pass the name without parentheses: check_{name}({name}).",
    )


def never_returned(exercise: Exercise, result: Attempt) -> Verdict | None:
    """The verdict for a call that was still running when its time ran out; None if it returned."""
    if not result.still_running:
        return None
    return exercise.verdict(
        "wrong",
        wrong=f"{exercise.function} never returned: {result.still_running}",
        hint="make sure every loop in it ends: a `for` over a stream ends with the answer, a `while` needs a condition that becomes false.",
    )


def crashed(exercise: Exercise, result: Attempt) -> Verdict | None:
    """The verdict for a function that raised; None if it returned."""
    name, err = exercise.function, result.error
    if result.still_running:
        return never_returned(exercise, result)
    if result.stopped:
        return exercise.verdict(
            "wrong",
            wrong=f"{name}'s loop never ended: {result.stopped}, and the check stopped it there.",
            hint="send each request once per turn, and stop when the reply no longer asks for anything; cap the turns too.",
        )
    if isinstance(err, NotImplementedError):
        return exercise.verdict("unfinished", wrong=f"{name} still raises NotImplementedError.", hint=exercise.recipe)
    if isinstance(err, NoRecordingError):
        return exercise.verdict(
            "wrong",
            wrong=f"{name} sent a request that no recording answers.",
            hint="send the request you are given, unchanged: client.messages.stream(**request).",
        )
    if err is not None:
        return exercise.verdict("wrong", wrong=f"{name} raised {first_line(err)}", hint=exercise.recipe)
    return None


def not_finished(exercise: Exercise, result: Attempt) -> Verdict:
    """The verdict for the shipped body (see ``Attempt.unfinished``): not wrong, just not written yet."""
    return exercise.verdict("unfinished", wrong=f"{exercise.function} still returns {result.value!r}.", hint=exercise.recipe)


def returned_none(exercise: Exercise, right: str = "", where: str = "") -> Verdict:
    """The verdict for a function that did its work but forgot to return: ``where`` (``"for X,"``) names the case."""
    return exercise.verdict("wrong", right=right, wrong=f"{where} it returned None.".lstrip(), hint=f"return {exercise.returns}.")


def sent_nothing(exercise: Exercise, result: Attempt, hint: str) -> Verdict:
    """The verdict for a function that returned without a request on its client: not finished if it is
    still the shipped body, else wrong (it used the notebook's own client, say).

    The check can only watch (and time) the client it passes in; ``hint`` says which parameters to use.
    """
    if result.unfinished:
        return not_finished(exercise, result)
    return exercise.verdict("wrong", wrong="it never sent a request with the client it was given.", hint=hint)


def a_type(value: Any) -> str:
    """``a str``, ``an int``: the type of a value, with its article."""
    name = type(value).__name__
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


def seconds(value: float) -> str:
    """``0.93 s``: a moment on the recording's clock, as every verdict writes it (hundredths are what a reader compares)."""
    return f"{value:.2f} s"


def wrong_kind(exercise: Exercise, value: Any) -> Verdict | None:
    """A verdict when the function returned the wrong kind of value, else None."""
    if isinstance(value, bool) or not isinstance(value, exercise.kind):
        wrong = f"it returned {a_type(value)}, not {exercise.kind_words}."
        return exercise.verdict("wrong", wrong=wrong, hint=f"return {exercise.returns}.")
    return None


def replay_client(fault: str = "") -> anthropic.Anthropic:
    """A no-wait replay client for a check: never live, never tinkering, and faulted only when a check asks."""
    return make_client("replay", speed=0, backup=False, fault=fault, nearest=False)


def recorded_request(name: str) -> dict[str, Any]:
    """The request a recording answers, ready for ``client.messages.stream(**request)``."""
    body = dict(recording_file.load(config.fixtures_dir() / f"{name}.json").request.body)
    body.pop("stream", None)
    return {**body, "model": config.course_model()}


class Printout(io.StringIO):
    """A stand-in for stdout that keeps each write with the stream's clock, and counts writes never flushed.

    What was printed is not enough: a check also judges when (as the pieces arrived, or all after the
    loop) and whether a terminal would have shown it then (flushed). ``clock`` reads the stream's
    progress, so text printed only after the loop shows up as written at a single moment.
    """

    def __init__(self, clock: Callable[[], float]) -> None:
        super().__init__()
        self.writes: list[tuple[float, str]] = []
        self.unflushed = 0  # writes followed by another write before any flush
        self._clock = clock
        self._pending = False

    def write(self, text: str) -> int:
        """Keep the text with the clock's moment; a write while the previous one waits unflushed counts as unflushed."""
        if text:
            if self._pending:
                self.unflushed += 1
            self._pending = True
            self.writes.append((self._clock(), text))
        return super().write(text)

    def flush(self) -> None:
        """What ``print(..., flush=True)`` calls: everything written so far has reached the screen."""
        self._pending = False
        super().flush()

    @property
    def write_moments(self) -> set[float]:
        """The distinct moments anything was written: one moment means it all came out at once."""
        return {at for at, _ in self.writes}

    def printed_at(self, marker: str) -> list[float]:
        """When each occurrence of ``marker`` was printed, in order."""
        return [at for at, text in self.writes for _ in range(text.count(marker))]
