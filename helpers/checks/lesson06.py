"""Automatic checks for the exercises of lesson 06 (failures and recovery).

Each check drives the student's function with replay clients that fail on a plan
(``helpers.teaching.fault_plan``): the first stream breaks, the next one succeeds, or every one
breaks. Budgets are bounded: a plan serves at most ``REQUEST_LIMIT`` requests, and each run has
a wall-clock cap, so a retry loop that never stops gets a verdict, not a hang. ``judge_*``
return a :class:`Verdict` (tests use them); ``check_*`` print it (the notebook uses them).
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
import json
import random
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import anthropic
import httpx2

from helpers import config
from helpers.checks.bounded import RESTART, Bounded, run_in_thread
from helpers.checks.common import (
    Attempt,
    Exercise,
    Verdict,
    attempt,
    crashed,
    first_line,
    is_blank,
    never_returned,
    not_a_function,
    not_finished,
    recorded_request,
    returned_none,
    sent_nothing,
)
from helpers.errors import LimitReached, NoRecordingError
from helpers.replay import sse
from helpers.replay.recording_file import load
from helpers.teaching.fault_plan import REGROUP, FaultPlan

RECORDING = "recovery_answer"
BREAK_AFTER = 10  # events: the faults of exercise 1 strike in the answer's second sentence
REQUEST_LIMIT = 12  # no exercise needs more; a loop that sends more never stops by itself
WALL_SECONDS = 6.0  # a run that takes longer is judged (a loop that never yields may still run in its thread)
MAX_ATTEMPTS = 4
BACKOFF_SEEDS = (11, 12, 13, 14, 15, 16)  # the runs where every stream fails, each with random seeded: a fixed verdict

STALL_SPEED = 2.0  # exercise 2 replays at twice the recorded pace: the whole answer takes about 0.9 s
STALL_SECONDS = 0.5  # the student's limit: longer than any normal gap in that answer (at most 0.2 s)
STALL_AFTER = 6  # events before the silence
STALL_FAULT = f"stall@after={STALL_AFTER},seconds=4"  # 4 recorded seconds: a 2 s silence at that speed
STALL_SILENCE = 4 / STALL_SPEED
STALL_ATTEMPTS = 2
STALL_SLACK = 0.3  # a stalled attempt must end within STALL_SECONDS + this of its silence's start
LONG_RECORDING = "render_ibuprofen"  # a healthy answer of about 2.4 s at STALL_SPEED, never silent for more than 0.2 s
CHECK_SECONDS = 9.0  # all the runs of one check of exercise 2 together

TOOL_RECORDING = "recovery_tool_1"

RETRIES = Exercise(
    1,
    "stream_with_retries",
    recipe="for each attempt up to max_attempts: stream with `with client.messages.stream(**request) as stream:`, "
    "show only the text the reader has not seen yet, and return stream.get_final_message() when its stop_reason is "
    "set; on a retryable failure call notice(...), sleep(backoff_delay(attempt)) and try again; otherwise, or after "
    "the last attempt, raise.",
    returns="the final Message: stream.get_final_message()",
    kind=anthropic.BaseModel,
    kind_words="a Message",
)
STALLS = Exercise(
    2,
    "stream_with_stall_timeout",
    recipe="write it as `async def`; for each attempt, `async with client.messages.stream(**request) as stream:`, take "
    "`events = stream.__aiter__()` and wait for each next event with `await asyncio.wait_for(anext(events), "
    "timeout=stall_seconds)` until StopAsyncIteration; on TimeoutError try again, and raise it after the last attempt.",
    returns="the answer's text as a str",
    kind=str,
    kind_words="a str",
)
TOOLS = Exercise(
    3,
    "run_tools_once",
    recipe="return [] unless message.stop_reason == 'tool_use'; for each tool_use block, call run_tool(block) only if "
    "block.id is not in results, store what it returns in results[block.id], and return the results of all the "
    "blocks, in order.",
    returns="a list of tool_result blocks, one per tool_use block",
    kind=list,
    kind_words="a list of tool_result blocks",
)


def exercise_request() -> dict[str, Any]:
    """The request exercises 1 and 2 stream, to try your functions yourself."""
    return recorded_request(RECORDING)


def answer_text(request: dict[str, Any] | None = None) -> str:
    """The whole answer of the exercises' recording (or of ``request``'s)."""
    with FaultPlan([""]).client() as client, client.messages.stream(**(request or exercise_request())) as stream:
        return stream.get_final_text()


def partial_text(fault: str) -> str:
    """The text that arrives before ``fault`` breaks the recording."""
    with FaultPlan([fault]).client() as client:
        pieces: list[str] = []
        try:
            with client.messages.stream(**exercise_request()) as stream:
                pieces.extend(stream.text_stream)
        except (anthropic.APIStatusError, httpx2.TransportError):
            pass
        return "".join(pieces)


# Running a student's function within budgets ---------------------------------------------------


@dataclass
class Run:
    """What one bounded run of a student's function did."""

    plan: FaultPlan
    result: Attempt
    seconds: float
    limit_hit: bool = False
    timed_out: bool = False
    shown: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    sleeps: list[float] = field(default_factory=list)
    closed_at_return: list[bool] = field(default_factory=list)  # exercise 2: each attempt's stream, when the function returned
    never_awaited: bool = False  # a "coroutine ... was never awaited" warning was raised during the run
    still_running: bool = False  # the check could not stop it: it goes on in its thread
    ended: float = 0.0  # time.perf_counter() when the run ended

    @property
    def text(self) -> str:
        return "".join(str(piece) for piece in self.shown)

    @property
    def raised(self) -> BaseException | None:
        return self.result.error


NEVER_AWAITED = "was never awaited"


@dataclass(frozen=True)
class Ran:
    """A bounded run (``helpers.checks.bounded``), and whether it left a coroutine never awaited."""

    bounded: Bounded
    never_awaited: bool

    @property
    def result(self) -> Attempt:
        return self.bounded.result

    @property
    def limit_hit(self) -> bool:
        """The plan's request limit stopped it (``LimitReached``)."""
        return bool(self.bounded.result.stopped)

    @property
    def still_running(self) -> bool:
        """It goes on in its thread after the check returned: Python cannot stop a thread."""
        return self.bounded.blocked


def _bounded(call: Callable[[], Any], seconds: float, runaway: Callable[[], bool] = lambda: False) -> Ran:
    """Run ``call`` in a worker thread for at most ``seconds``, noting a "coroutine ... was never awaited" warning.

    A run that warned so, or for which ``runaway()`` became true (its request limit reached), is given up a
    second later: such a loop never ends.
    """
    caught: list[str] = []
    worker: list[threading.Thread] = []

    def tracked() -> Any:
        worker.append(threading.current_thread())
        return call()

    def note(message: Any, category: Any, *_: Any, **__: Any) -> None:
        if worker and threading.current_thread() is worker[0]:  # not a thread an earlier attempt left spinning
            caught.append(str(message))

    def never_awaited() -> bool:
        return any(NEVER_AWAITED in message for message in caught)

    with warnings.catch_warnings():
        warnings.simplefilter("always", RuntimeWarning)
        warnings.showwarning = note
        bounded = run_in_thread(tracked, seconds, give_up=lambda: runaway() or never_awaited())
    return Ran(bounded, never_awaited())


def _chain(err: BaseException | None) -> list[BaseException]:
    """The error and those it was raised from (``raise ... from err``, or during their handling unless ``from None``)."""
    found: list[BaseException] = []
    while err is not None and err not in found:
        found.append(err)
        err = err.__cause__ or (None if err.__suppress_context__ else err.__context__)
    return found


def _raised(run: Run, kind: type[BaseException] | tuple[type[BaseException], ...]) -> bool:
    return any(isinstance(err, kind) for err in _chain(run.raised))


# Exercise 1: retry with backoff ----------------------------------------------------------------


@contextmanager
def _seeded(seed: int | None) -> Iterator[None]:
    """``random`` seeded for one run (its state restored after), so a backoff's verdict does not depend on luck."""
    if seed is None:
        yield
        return
    state = random.getstate()
    random.seed(seed)
    try:
        yield
    finally:
        random.setstate(state)


def run_retries(
    stream_with_retries: Callable[..., Any], steps: list[str], max_attempts: int = MAX_ATTEMPTS, seed: int | None = BACKOFF_SEEDS[0]
) -> Run:
    """One run of exercise 1 against a plan, with recording show, notice and sleep functions."""
    plan = FaultPlan(steps, limit=REQUEST_LIMIT)
    shown: list[str] = []
    notices: list[str] = []
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        if plan.requests >= REQUEST_LIMIT:
            raise LimitReached("slept after the request limit")
        sleeps.append(seconds)

    with plan.client() as client, _seeded(seed):
        request = exercise_request()
        ran = _bounded(
            lambda: stream_with_retries(client, request, shown.append, notices.append, max_attempts, sleep),
            WALL_SECONDS,
            runaway=lambda: plan.requests >= REQUEST_LIMIT,
        )
    return Run(
        plan, ran.result, ran.bounded.seconds, ran.limit_hit, ran.bounded.timed_out, shown, notices, sleeps, still_running=ran.still_running
    )


RECOVERIES: tuple[tuple[str, str, str], ...] = (
    (
        f"error@after={BREAK_AFTER}",
        "an overloaded_error event mid-stream",
        "an error event raises anthropic.APIStatusError with status_code 200 and err.type 'overloaded_error': that is "
        "retryable, so catch it, wait, and stream again.",
    ),
    (
        f"drop@after={BREAK_AFTER}",
        "a connection dropped mid-stream",
        "a dropped connection raises httpx2.RemoteProtocolError, which is no anthropic error: catch httpx2.TransportError "
        "too, and retry it.",
    ),
    (
        f"eof@after={BREAK_AFTER}",
        "a stream that just ends before message_delta",
        "a stream that ends early raises nothing: after the loop, check stream.get_final_message().stop_reason; None "
        "means cut short, so treat it like a dropped connection and retry.",
    ),
    (
        "http=529",
        "HTTP 529 overloaded before the stream (the SDK's own retries are off here)",
        "anthropic.OverloadedError (HTTP 529) is a server error (status >= 500): retry it like the error event.",
    ),
)


def judge_stream_with_retries(stream_with_retries: Callable[..., Any]) -> Verdict:
    """Exercise 1: a whole stream, each recoverable failure then success, a 400, and a failure that never ends."""
    ex = RETRIES
    if not callable(stream_with_retries):
        return not_a_function(ex, stream_with_retries)
    full = answer_text()
    verdict = _judge_clean(run_retries(stream_with_retries, [""]), full)
    if verdict is not None:
        return verdict
    passed = ["a whole stream"]
    for fault, what, hint in RECOVERIES:  # the retry's text arrives in other pieces: they cross the on-screen end
        verdict = _judge_recovery(run_retries(stream_with_retries, [fault, REGROUP]), full, fault, what, hint, passed)
        if verdict is not None:
            return verdict
        passed.append(what)
    verdict = _judge_bad_request(run_retries(stream_with_retries, ["http=400"]), passed)
    if verdict is not None:
        return verdict
    passed.append("a 400 it did not retry")
    forever = f"error@after={BREAK_AFTER}"
    runs = [run_retries(stream_with_retries, [forever], seed=seed) for seed in BACKOFF_SEEDS]
    verdict = _judge_persistent(runs, full, passed)
    if verdict is not None:
        return verdict
    waits = ", ".join(f"{s:.2f}" for s in runs[0].sleeps)
    return ex.verdict(
        "correct",
        right=f"it showed each character once and told the reader, through {'; '.join(passed)}; when every stream "
        f"failed it stopped after {MAX_ATTEMPTS} attempts, waiting {waits} s (growing, and different each run), told "
        "the reader it was giving up, and raised the last error.",
    )


def _judge_common(run: Run, right: str, where: str) -> Verdict | None:
    """What every scenario judges first: a run that never ended, a crash, nothing sent, nothing returned."""
    ex = RETRIES
    if inspect.iscoroutine(run.result.value):
        run.result.value.close()
        return ex.verdict(
            "wrong",
            right=right,
            wrong="it returned a coroutine, not a Message: it is written as `async def`, so its body never ran.",
            hint="this exercise is synchronous (client is an anthropic.Anthropic): drop async and await, and write "
            "`def stream_with_retries(...)` with `with client.messages.stream(**request) as stream:`.",
        )
    if run.limit_hit or run.timed_out:
        return ex.verdict(
            "wrong",
            right=right,
            wrong=f"{where}, it never stopped: {run.plan.requests} requests"
            + (f" in {run.seconds:.0f} s, and it was still going." if run.timed_out else f" (the check's limit is {REQUEST_LIMIT}).")
            + (RESTART if run.still_running else ""),
            hint="loop `for attempt in range(1, max_attempts + 1):` and raise after the last attempt, so the number of "
            "requests is bounded whatever happens; catch `Exception`, never everything with a bare `except:`.",
        )
    if run.plan.requests == 0:
        if run.result.error is not None and not run.result.unfinished:
            return crashed(ex, run.result)
        return sent_nothing(ex, run.result, hint="stream with the `client` and `request` parameters the check passes in.")
    return None


def _judge_clean(run: Run, full: str) -> Verdict | None:
    ex = RETRIES
    failure = _judge_common(run, "", "on a stream that succeeded")
    if failure:
        return failure
    if run.result.error is not None:
        return crashed(ex, run.result)
    if run.plan.requests > 1:
        return ex.verdict(
            "wrong",
            wrong=f"on a stream that succeeded at once, it sent {run.plan.requests} requests.",
            hint="return as soon as an attempt gives a finished message; retry only after a failure.",
        )
    if not run.shown:
        return ex.verdict(
            "wrong",
            wrong="it never called show(text), so the reader saw nothing.",
            hint="call show(piece) for each new piece of stream.text_stream as it arrives.",
        )
    if len(run.shown) == 1 and len(full) > 100:
        return ex.verdict(
            "wrong",
            wrong="it called show once, with the whole answer: the reader waited for all of it.",
            hint="call show(piece) inside the loop over stream.text_stream, as each piece arrives.",
        )
    if run.text != full:
        return ex.verdict("wrong", wrong=f"the reader saw {_said(run.text)}, not the answer.", hint=ex.recipe)
    return _judge_message(run, full, "on a stream that succeeded")


def _judge_message(run: Run, full: str, where: str, right: str = "") -> Verdict | None:
    ex = RETRIES
    value = run.result.value
    if is_blank(value):
        return returned_none(ex, right=right or "it showed the answer.", where=f"{where},")
    if not isinstance(value, anthropic.BaseModel) or not hasattr(value, "stop_reason"):
        return ex.verdict("wrong", right=right, wrong=f"{where}, it returned {_said(value)}.", hint=f"return {ex.returns}.")
    text = "".join(getattr(block, "text", "") for block in getattr(value, "content", []))
    if value.stop_reason is None or text != full:
        return ex.verdict(
            "wrong",
            right=right,
            wrong=f"{where}, it returned a message that is not finished (stop_reason={value.stop_reason!r}, "
            f"{len(text)} of {len(full)} characters).",
            hint="return the message of the attempt that finished: stream.get_final_message() with a stop_reason.",
        )
    return None


def _judge_recovery(run: Run, full: str, fault: str, what: str, hint: str, passed: list[str]) -> Verdict | None:
    ex = RETRIES
    right = f"it handled {', '.join(passed)}."
    where = f"with {what}, then a stream that succeeds"
    failure = _judge_common(run, right, where)
    if failure:
        return failure
    if run.raised is not None or (run.plan.requests == 1 and fault.startswith("eof")):
        said = f"it raised {_line(run.raised)}" if run.raised is not None else "it returned after one request"
        if fault.startswith("eof") and run.raised is not None:
            hint = "it noticed the early end, which is right; now treat it like a dropped connection: retryable."
        return ex.verdict("wrong", right=right, wrong=f"{where}, {said} instead of trying again.", hint=hint)
    if run.plan.requests == 1:
        return ex.verdict(
            "wrong",
            right=right,
            wrong=f"{where}, it returned after the failure as if the answer were complete.",
            hint="do not swallow the error: only a stream that finished with a stop_reason is a success; retry the rest.",
        )
    partial = partial_text(fault)
    verdict = _judge_waits(run, right, where, floor=False)  # the size of the waits is judged when every stream fails
    if verdict:
        return verdict
    if not run.notices:
        return ex.verdict(
            "wrong",
            right=right,
            wrong=f"{where}, it retried without a word: notice(...) was never called.",
            hint="tell the reader what happened before you wait, e.g. notice(f'interrupted; trying again in {delay:.1f} s').",
        )
    verdict = _judge_shown(run.text, full, partial, right, where)
    if verdict:
        return verdict
    return _judge_message(run, full, where, right)


def _judge_waits(run: Run, right: str, where: str, floor: bool = True) -> Verdict | None:
    ex = RETRIES
    if not run.sleeps:
        if run.seconds > 0.2:
            return ex.verdict(
                "wrong",
                right=right,
                wrong=f"{where}, it waited {run.seconds:.1f} s without calling the sleep function it was given.",
                hint="call sleep(delay), the parameter, not time.sleep: the check passes a sleep that only notes the delay.",
            )
        return ex.verdict(
            "wrong",
            right=right,
            wrong=f"{where}, it retried at once, without waiting.",
            hint="back off: call sleep(delay) before each retry, with delay = backoff_delay(attempt) (about 0.5 s, then 1, 2...).",
        )
    if floor and min(run.sleeps) < 0.05:
        return ex.verdict(
            "wrong",
            right=right,
            wrong=f"{where}, it waited only {min(run.sleeps):.3f} s before retrying.",
            hint="start the backoff at a useful size: the first wait about 0.25-0.5 s, then doubling (backoff_delay(attempt)); "
            "a random factor that starts at 0 (full jitter) can make a wait almost nothing, so keep it between 0.5 and 1.",
        )
    return None


def _judge_shown(text: str, full: str, partial: str, right: str, where: str) -> Verdict | None:
    ex = RETRIES
    if text == full:
        return None
    if (partial and text.startswith(partial + partial[:20])) or text.count(partial[:40]) > 1:
        wrong = (
            f"{where}, the reader saw the first {len(partial)} characters twice: {len(text)} characters for a {len(full)}-character answer."
        )
        hint = "the retry starts the answer over: keep what is on screen and show only the part past it, attempt_text[len(shown):]."
    elif partial and text.startswith(partial) and len(text) > len(full) and full.endswith(text[len(partial) :]):
        extra = len(text) - len(full)
        wrong = (
            f"{where}, the reader saw {extra} character(s) twice where the first attempt stopped: the retry's text came "
            "in other pieces, and the piece that crossed the end of what was on screen was shown whole."
        )
        hint = (
            "a retry's pieces need not break where the first attempt's did: show the part of the text past what is "
            "on screen, attempt_text[len(shown):], not whole pieces."
        )
    elif partial and text.startswith(partial) and len(partial) < len(text) < len(full) and full.endswith(text[len(partial) :]):
        wrong = (
            f"{where}, the reader missed {len(full) - len(text)} character(s) right after what the first attempt "
            "showed: the retry's piece that crossed the end of what was on screen was skipped."
        )
        hint = (
            "a retry's pieces need not break where the first attempt's did: when attempt_text grows past what is on "
            "screen, show attempt_text[len(shown):], even from the middle of a piece."
        )
    elif full.startswith(text):
        wrong = f"{where}, the reader saw {len(text)} of the answer's {len(full)} characters: the rest never reached the screen."
        hint = (
            "after a retry, show every new character past what is already on screen: attempt_text[len(shown):], "
            "where shown is kept across attempts."
        )
    else:
        wrong = f"{where}, the reader saw {_said(text)}, which is not the answer."
        hint = (
            "keep `shown` across attempts; in each attempt add each piece to attempt_text and show "
            "attempt_text[len(shown):] when it is longer."
        )
    return ex.verdict("wrong", right=right, wrong=wrong, hint=hint)


def _judge_bad_request(run: Run, passed: list[str]) -> Verdict | None:
    ex = RETRIES
    right = f"it handled {', '.join(passed)}."
    where = "with HTTP 400 invalid_request_error"
    failure = _judge_common(run, right, where)
    if failure:
        return failure
    if run.plan.requests > 1:
        return ex.verdict(
            "wrong",
            right=right,
            wrong=f"{where}, it sent the same request {run.plan.requests} times.",
            hint="a 400 says the request itself is wrong, so every retry fails the same way: retry only overloaded, "
            "5xx and connection failures, and raise anthropic.BadRequestError at once.",
        )
    if not _raised(run, anthropic.BadRequestError):
        said = f"it raised {_line(run.raised)}" if isinstance(run.raised, Exception) else "it returned normally"
        return ex.verdict(
            "wrong",
            right=right,
            wrong=f"{where}, {said}, so the caller never learns that the request must change.",
            hint="do not swallow the error: re-raise the anthropic.BadRequestError (a bare `raise` inside the except).",
        )
    if not run.notices:
        return ex.verdict(
            "wrong",
            right=right,
            wrong=f"{where}, it raised without a word: notice(...) was never called, so the reader's answer just stops.",
            hint="tell the reader when you give up too, before the `raise`: e.g. notice('this request cannot succeed as "
            "it is; not retrying').",
        )
    return None


def _judge_persistent(runs: list[Run], full: str, passed: list[str]) -> Verdict | None:
    ex = RETRIES
    right = f"it handled {', '.join(passed)}."
    where = "when every stream fails"
    run = runs[0]
    failure = _judge_common(run, right, where)
    if failure:
        return failure
    if run.plan.requests > MAX_ATTEMPTS:
        return ex.verdict(
            "wrong",
            right=right,
            wrong=f"{where}, it sent {run.plan.requests} requests with max_attempts={MAX_ATTEMPTS}.",
            hint="bound the attempts: `for attempt in range(1, max_attempts + 1):`, and raise after the last one.",
        )
    if not isinstance(run.raised, Exception):
        return ex.verdict(
            "wrong",
            right=right,
            wrong=f"{where}, it returned {_said(run.result.value)} after {run.plan.requests} attempts: the caller thinks it succeeded.",
            hint="do not swallow the error: after the last attempt, tell the reader and re-raise it (`raise`).",
        )
    if not _raised(run, anthropic.APIStatusError):
        return ex.verdict(
            "wrong",
            right=right,
            wrong=f"{where}, it raised {_line(run.raised)} instead of the stream's own error.",
            hint="re-raise the error of the last attempt (a bare `raise` in the except block), so the caller can branch on its type.",
        )
    if run.plan.requests < MAX_ATTEMPTS:
        return ex.verdict(
            "wrong",
            right=right,
            wrong=f"{where}, it gave up after {run.plan.requests} attempts, though max_attempts={MAX_ATTEMPTS}.",
            hint="make max_attempts attempts in all: `for attempt in range(1, max_attempts + 1):`.",
        )
    if len(run.sleeps) >= MAX_ATTEMPTS:
        return ex.verdict(
            "wrong",
            right=right,
            wrong=f"{where}, it slept {len(run.sleeps)} times for {MAX_ATTEMPTS} attempts: it waited after the last one for nothing.",
            hint="after the last attempt, raise at once; sleep only before a retry.",
        )
    if len(run.notices) <= len(run.sleeps):
        return ex.verdict(
            "wrong",
            right=right,
            wrong=f"{where}, it told the reader about each retry ({len(run.notices)} notice(s) for {len(run.sleeps)} "
            "wait(s)) but said nothing when it gave up.",
            hint="before the last `raise`, tell the reader it is giving up: e.g. notice(f'still failing after "
            "{attempt} attempts; giving up').",
        )
    for each in runs:
        verdict = _judge_waits(each, right, where, floor=max(each.sleeps, default=0) < 0.05)
        if verdict:
            return verdict
    verdict = _judge_backoff(runs, right, where)
    for each in runs:
        verdict = verdict or _judge_waits(each, right, where)
    return verdict or _judge_persistent_text(run, right, where)


def _judge_backoff(runs: list[Run], right: str, where: str) -> Verdict | None:
    """The waits of the runs where every stream failed, each with ``random`` seeded: a verdict that is not luck."""
    ex = RETRIES
    run = runs[0]
    waits = [round(s, 3) for s in run.sleeps]
    if len(set(waits)) == 1:
        return ex.verdict(
            "wrong",
            right=right,
            wrong=f"{where}, it waited {waits[0]} s before every retry: the wait never grows.",
            hint="back off exponentially: base * 2 ** (attempt - 1), capped, so a server that stays busy gets more room each time.",
        )
    if max(max(each.sleeps, default=0) for each in runs) > 60:
        return ex.verdict(
            "wrong",
            right=right,
            wrong=f"{where}, it waited up to {max(max(each.sleeps, default=0) for each in runs):.0f} s.",
            hint="cap the wait (min(cap, base * 2 ** (attempt - 1)), cap about 8 s): a reader will not wait minutes.",
        )
    if all(each.sleeps == run.sleeps for each in runs):
        return ex.verdict(
            "wrong",
            right=right,
            wrong=f"{where}, {len(runs)} runs waited exactly the same times, {waits} s: every client would retry in step.",
            hint="add jitter: multiply each wait by random.uniform(0.5, 1.0), so clients that failed together retry apart.",
        )
    for each in runs:
        seen = [round(s, 3) for s in each.sleeps]
        if any(later < earlier * 0.5 for earlier, later in itertools.combinations(each.sleeps, 2)):
            return ex.verdict(
                "wrong",
                right=right,
                wrong=f"{where}, one run waited {seen} s: a later wait was less than half an earlier one.",
                hint="a random factor that starts at 0 (full jitter, random.uniform(0, base)) can make a retry wait "
                "almost nothing after a long wait; keep the factor between 0.5 and 1 (random.uniform(0.5, 1.0)) so "
                "each wait is at least half its base, and grow the base: base * 2 ** (attempt - 1).",
            )
    for each in runs:
        seen = [round(s, 3) for s in each.sleeps]
        if len(each.sleeps) > 1 and each.sleeps[-1] < 1.5 * each.sleeps[0]:
            return ex.verdict(
                "wrong",
                right=right,
                wrong=f"{where}, one run waited {seen} s: the last wait is not even 1.5 times the first, so the wait "
                "does not really grow; the jitter only shuffles it.",
                hint="back off exponentially: the base doubles each retry, base * 2 ** (attempt - 1), and the random "
                "factor (0.5 to 1) only spreads it.",
            )
    return None


def _judge_persistent_text(run: Run, right: str, where: str) -> Verdict | None:
    ex = RETRIES
    partial = partial_text(f"error@after={BREAK_AFTER}")
    if run.text != partial:
        return _judge_shown(run.text, partial, partial, right, where) or ex.verdict(
            "wrong", right=right, wrong=f"{where}, the reader saw {_said(run.text)}.", hint=ex.recipe
        )
    return None


def _line(err: BaseException | None) -> str:
    """``first_line`` for any raised error (a student's code may raise a BaseException)."""
    return first_line(err) if isinstance(err, Exception) else type(err).__name__


def _said(value: Any, limit: int = 60) -> str:
    text = repr(value)
    if isinstance(value, str) and len(value) > limit:
        return f"{value[: limit - 10]!r}… ({len(value)} characters)"
    return text if len(text) <= limit else text[: limit - 1] + "…"


# Exercise 2: a stall timeout -------------------------------------------------------------------


def run_stalls(
    stream_with_stall_timeout: Callable[..., Any],
    steps: list[str],
    max_attempts: int = STALL_ATTEMPTS,
    request: dict[str, Any] | None = None,
    seconds: float = WALL_SECONDS,
) -> Run:
    """One run of exercise 2 against a plan served at ``STALL_SPEED``, in its own event loop and thread."""
    plan = FaultPlan(steps, speed=STALL_SPEED, limit=REQUEST_LIMIT)
    request = request or exercise_request()
    closed: list[bool] = []

    def call() -> Any:
        async def bounded() -> Any:
            async with plan.async_client() as client:
                try:
                    result = stream_with_stall_timeout(client, request, STALL_SECONDS, max_attempts)
                    return await asyncio.wait_for(result, seconds) if inspect.isawaitable(result) else result
                finally:  # before the event loop ends, which would close whatever the function left open
                    closed.extend(a.closed for a in plan.attempts)

        return asyncio.run(bounded())

    ran = _bounded(call, seconds + 0.5, runaway=lambda: plan.requests > max_attempts)
    timed_out = ran.bounded.timed_out or (isinstance(ran.result.error, TimeoutError) and ran.bounded.seconds >= seconds)
    run = Run(plan, ran.result, ran.bounded.seconds, ran.limit_hit, timed_out, closed_at_return=closed)
    run.never_awaited, run.still_running = ran.never_awaited, ran.still_running
    run.ended = time.perf_counter()
    return run


def _attempt_end(run: Run, index: int) -> float:
    """When attempt ``index`` of a run ended: its body closed, the next attempt started, or the run ended."""
    attempts = run.plan.attempts
    ends = [attempts[index].closed_at or run.ended]
    if index + 1 < len(attempts):
        ends.append(attempts[index + 1].started)
    return min(ends)


def _silence(run: Run, index: int) -> tuple[float, bool]:
    """When attempt ``index``'s last event before a silence arrived, and whether it read on after a silence of 1 s."""
    reads = run.plan.attempts[index].read_at or [run.plan.attempts[index].started]
    for earlier, later in itertools.pairwise(reads):
        if later - earlier >= 1.0:
            return earlier, True
    return reads[-1], False


def judge_stream_with_stall_timeout(stream_with_stall_timeout: Callable[..., Any]) -> Verdict:
    """Exercise 2: a long healthy stream, a stall then a healthy stream, and streams that always stall."""
    ex = STALLS
    if not callable(stream_with_stall_timeout):
        return not_a_function(ex, stream_with_stall_timeout)
    deadline = time.perf_counter() + CHECK_SECONDS

    def budget() -> float:
        return max(1.0, min(WALL_SECONDS, deadline - time.perf_counter()))

    long_request = recorded_request(LONG_RECORDING)
    healthy = run_stalls(stream_with_stall_timeout, [""], request=long_request, seconds=budget())
    verdict = _judge_healthy(healthy, answer_text(long_request))
    if verdict is not None:
        return verdict
    full = answer_text()
    verdict = _judge_stall_then_ok(run_stalls(stream_with_stall_timeout, [STALL_FAULT, ""], seconds=budget()), full)
    if verdict is not None:
        return verdict
    forever = run_stalls(stream_with_stall_timeout, [STALL_FAULT], seconds=budget())
    verdict = _judge_always_stalls(forever)
    if verdict is not None:
        return verdict
    into = [_attempt_end(forever, i) - _silence(forever, i)[0] for i in range(forever.plan.requests)]
    return ex.verdict(
        "correct",
        right=f"it let a healthy {healthy.seconds:.1f}-second stream finish, cancelled a stream silent for more than "
        f"{STALL_SECONDS} s and started again without repeating any text, and when every stream stalled it stopped after "
        f"{STALL_ATTEMPTS} attempts, {forever.seconds:.1f} s in all, each cancelled "
        f"{' and '.join(f'{s:.2f}' for s in into)} s into its silence, and raised TimeoutError.",
    )


def _stall_common(run: Run, right: str, where: str) -> Verdict | None:
    ex = STALLS
    if run.limit_hit or (run.plan.requests > STALL_ATTEMPTS):
        return ex.verdict(
            "wrong",
            right=right,
            wrong=f"{where}, it sent {run.plan.requests} requests with max_attempts={STALL_ATTEMPTS}.",
            hint="bound the attempts: `for attempt in range(1, max_attempts + 1):`, and raise TimeoutError after the last.",
        )
    if run.never_awaited and run.timed_out:
        return ex.verdict(
            "wrong",
            right=right,
            wrong=f"{where}, a coroutine was never awaited, and {run.seconds:.1f} s later it was still running."
            + (RESTART if run.still_running else ""),
            hint="you called asyncio.wait_for without await (or anext, or another coroutine): it only builds a "
            "coroutine, which never runs, "
            "so the loop spins and never reads. Write `await asyncio.wait_for(anext(events), timeout=stall_seconds)`.",
        )
    if run.timed_out:
        return ex.verdict(
            "wrong",
            right=right,
            wrong=f"{where}, it was still running after {run.seconds:.0f} s." + (RESTART if run.still_running else ""),
            hint="bound the attempts, and make each wait for an event end after stall_seconds: "
            "asyncio.wait_for(anext(events), stall_seconds).",
        )
    if run.result.error is not None and "coroutine" in str(run.result.error) and "await" in str(run.result.error):
        return ex.verdict("wrong", right=right, wrong=f"it raised {first_line(run.result.error)}", hint=ex.recipe)
    if run.plan.requests == 0:
        if run.result.error is not None and not run.result.unfinished:
            return crashed(ex, run.result)
        return sent_nothing(ex, run.result, hint="stream with the `client` and `request` parameters the check passes in.")
    return None


def _judge_healthy(run: Run, full: str) -> Verdict | None:
    ex = STALLS
    where = "on a healthy answer that takes about 2.4 s in all, never silent for more than 0.2 s"
    failure = _stall_common(run, "", where)
    if failure:
        return failure
    if run.result.unfinished and run.result.error is None:
        return not_finished(ex, run.result)
    if isinstance(run.raised, TimeoutError) or run.plan.requests > 1:
        said = f"it raised {_line(run.raised)}" if run.raised is not None else f"it sent {run.plan.requests} requests"
        cut = _attempt_end(run, 0)
        after_start, after_event = cut - run.plan.attempts[0].started, cut - _silence(run, 0)[0]
        if after_event < STALL_SECONDS - 0.1 and after_start >= STALL_SECONDS - 0.1:
            hint = (
                "you limited the whole stream's time; limit the silence since the last event: give each wait for the "
                "next event its own timeout, `await asyncio.wait_for(anext(events), timeout=stall_seconds)`, so a long "
                "but lively answer is never cut."
            )
        else:
            hint = (
                f"it gave up {after_event:.2f} s after an event, though the limit is stall_seconds ({STALL_SECONDS} s): "
                "use the parameter, `await asyncio.wait_for(anext(events), timeout=stall_seconds)`."
            )
        return ex.verdict(
            "wrong",
            wrong=f"{where}, {said}: it cut off a stream that was still flowing, {after_start:.1f} s after it started "
            f"and {after_event:.2f} s after its last event.",
            hint=hint,
        )
    if run.result.error is not None:
        return crashed(ex, run.result)
    if is_blank(run.result.value):
        return returned_none(ex, right="it streamed the answer.", where=f"{where},")
    if not isinstance(run.result.value, str):
        return ex.verdict("wrong", wrong=f"it returned {_said(run.result.value)}.", hint=f"return {ex.returns}.")
    if run.result.value != full:
        return ex.verdict("wrong", wrong=f"{where}, it returned {_said(run.result.value)}.", hint=f"return {ex.returns}.")
    return None


def _judge_stall_then_ok(run: Run, full: str) -> Verdict | None:
    ex = STALLS
    right = "it let a healthy stream finish."
    where = f"with a stream that goes silent for 2 s after {STALL_AFTER} events (limit {STALL_SECONDS} s), then a healthy one"
    failure = _stall_common(run, right, where)
    if failure:
        return failure
    silence_start, read_on = _silence(run, 0)
    into = _attempt_end(run, 0) - silence_start
    if read_on and run.plan.requests > 1 and not run.plan.attempts[0].finished:
        return ex.verdict(
            "wrong",
            right=right,
            wrong=f"{where}, its first attempt sat through the whole silence and was cancelled only "
            f"{_attempt_end(run, 0) - run.plan.attempts[0].started:.1f} s after it started, while the stream was flowing again.",
            hint="you limited the whole stream's time; limit the silence since the last event: "
            "`await asyncio.wait_for(anext(events), timeout=stall_seconds)` for each event.",
        )
    if read_on and run.plan.requests > 1:
        return ex.verdict(
            "wrong",
            right=right,
            wrong=f"{where}, its first attempt never cancelled the stream: it sat through the whole silence and read on, "
            "and only then started again.",
            hint="a check made after the next event arrives comes too late: wrap the wait itself, "
            "`await asyncio.wait_for(anext(events), timeout=stall_seconds)`, which cancels the read when the time is up.",
        )
    if read_on:
        return ex.verdict(
            "wrong",
            right=right,
            wrong=f"{where}, nothing ended the silence: it waited the whole {STALL_SILENCE:.0f} s for the stream to go on.",
            hint="limit the silence since the last event: wrap each wait for the next event, "
            "`await asyncio.wait_for(anext(events), timeout=stall_seconds)`, which cancels the read when the time is up.",
        )
    if into > STALL_SECONDS + STALL_SLACK:
        return ex.verdict(
            "wrong",
            right=right,
            wrong=f"{where}, its first attempt was cancelled {into:.1f} s into the silence, not {STALL_SECONDS} s: the "
            "limit did not start at the last event.",
            hint="you limited the whole stream's time; limit the silence since the last event: "
            "`await asyncio.wait_for(anext(events), timeout=stall_seconds)` for each event.",
        )
    if run.raised is not None:
        return ex.verdict(
            "wrong",
            right=right,
            wrong=f"{where}, it raised {_line(run.raised)} after {run.plan.requests} request(s) instead of starting again.",
            hint="catch TimeoutError around the attempt and try again; raise only after the last attempt.",
        )
    if not run.closed_at_return[0]:
        return ex.verdict(
            "wrong",
            right=right,
            wrong=f"{where}, the stalled stream was never closed: its connection stays open.",
            hint="open each attempt with `async with client.messages.stream(**request) as stream:`, so leaving it closes the stream.",
        )
    value = run.result.value
    if is_blank(value):
        return returned_none(ex, right=right, where=f"{where},")
    if not isinstance(value, str):
        return ex.verdict("wrong", right=right, wrong=f"it returned {_said(value)}.", hint=f"return {ex.returns}.")
    if value != full:
        partial = partial_text(f"eof@after={STALL_AFTER}")
        if partial and value == partial + full:
            wrong = f"{where}, it returned the stalled attempt's {len(partial)} characters followed by the whole answer."
            hint = "a retry starts the answer over: return the text of the attempt that finished only."
        else:
            wrong = f"{where}, it returned {_said(value)}."
            hint = "return the text of the attempt that finished: its final message's text."
        return ex.verdict("wrong", right=right, wrong=wrong, hint=hint)
    return None


def _judge_always_stalls(run: Run) -> Verdict | None:
    ex = STALLS
    right = "it let a healthy stream finish and retried a stalled one."
    where = f"when every stream stalls, with max_attempts={STALL_ATTEMPTS}"
    failure = _stall_common(run, right, where)
    if failure:
        return failure
    if run.raised is None:
        return ex.verdict(
            "wrong",
            right=right,
            wrong=f"{where}, it returned {_said(run.result.value)}: the caller thinks the answer is complete.",
            hint="do not swallow the timeout: after the last attempt, raise TimeoutError (a bare `raise` in the except).",
        )
    if not isinstance(run.raised, TimeoutError):
        return ex.verdict(
            "wrong",
            right=right,
            wrong=f"{where}, it raised {_line(run.raised)}.",
            hint="let the TimeoutError of the last attempt through, so the caller can tell a stall from other failures.",
        )
    if run.plan.requests < STALL_ATTEMPTS:
        return ex.verdict(
            "wrong",
            right=right,
            wrong=f"{where}, it gave up after {run.plan.requests} attempt(s).",
            hint="make max_attempts attempts in all: `for attempt in range(1, max_attempts + 1):`.",
        )
    if not all(run.closed_at_return):
        return ex.verdict(
            "wrong",
            right=right,
            wrong=f"{where}, a stalled stream was left open.",
            hint="open each attempt with `async with client.messages.stream(**request) as stream:`, so leaving it closes the stream.",
        )
    return None


# Exercise 3: tools run once --------------------------------------------------------------------


def tool_request() -> dict[str, Any]:
    """Turn 1 of the reminders conversation."""
    return recorded_request(TOOL_RECORDING)


def tool_result_for(block: Any) -> dict[str, Any]:
    """What the lesson's schedule_reminder tool answers for one tool_use block."""
    return {
        "type": "tool_result",
        "tool_use_id": block.id,
        "content": json.dumps({"scheduled": True, "text": block.input["text"], "at": block.input["at"]}),
    }


class WatchedResults(dict[str, Any]):
    """The ``results`` dict a check passes in: it notes whether the student's code ever looked in it."""

    looked = False
    used_setdefault = False

    def setdefault(self, key: str, default: Any = None) -> Any:
        self.used_setdefault = True
        self.looked = True
        return super().setdefault(key, default)

    def __contains__(self, key: object) -> bool:
        self.looked = True
        return super().__contains__(key)

    def get(self, key: str, default: Any = None) -> Any:
        self.looked = True
        return super().get(key, default)

    def __getitem__(self, key: str) -> Any:
        self.looked = True
        return super().__getitem__(key)


@dataclass
class ToolRun:
    """One conversation the check drove with the student's function."""

    calls: list[str]
    results: WatchedResults
    outcome: Attempt
    requests: int


def converse(run_tools_once: Callable[..., Any], steps: list[str], turns: int = 3) -> ToolRun:
    """The reminders conversation, retried from its start when a stream fails, as an app might write it."""
    plan = FaultPlan(steps, limit=REQUEST_LIMIT)
    calls: list[str] = []
    results = WatchedResults()

    def run_tool(block: Any) -> dict[str, Any]:
        calls.append(block.id)
        return tool_result_for(block)

    def conversation() -> Any:
        with plan.client() as client:
            for _ in range(turns):  # a whole-turn retry: the first request goes out again
                request = tool_request()
                messages = list(request["messages"])
                try:
                    while True:
                        with client.messages.stream(**{**request, "messages": messages}) as stream:
                            message = stream.get_final_message()
                        if message.stop_reason != "tool_use":
                            return message
                        answers = run_tools_once(message, results, run_tool)
                        if is_blank(answers):
                            return answers
                        messages += [{"role": "assistant", "content": message.content}, {"role": "user", "content": answers}]
                except anthropic.APIStatusError:
                    continue
        return None

    outcome = _bounded(conversation, WALL_SECONDS).result
    return ToolRun(calls, results, outcome, plan.requests)


def finished_tool_message() -> Any:
    """Turn 1 of the reminders conversation, whole: two tool_use blocks, stop_reason 'tool_use'."""
    with FaultPlan([""]).client() as client, client.messages.stream(**tool_request()) as stream:
        return stream.get_final_message()


def identical_calls_message() -> Any:
    """Turn 1 with its second tool call made the same as the first (same name and input, its own id)."""
    message = finished_tool_message()
    blocks = [block for block in message.content if block.type == "tool_use"]
    twin = blocks[1].model_copy(update={"name": blocks[0].name, "input": dict(blocks[0].input)})
    return message.model_copy(update={"content": [twin if block is blocks[1] else block for block in message.content]})


def _tool_ids(message: Any) -> list[str]:
    return [block.id for block in message.content if block.type == "tool_use"]


def unfinished_tool_message() -> Any:
    """Turn 1 cut after both tool_use blocks stopped, before message_delta: stop_reason is None."""
    body = load(config.fixtures_dir() / f"{TOOL_RECORDING}.json").exchanges[-1].response.body
    names = [event.event for event in sse.parse(body).events]
    cut = len(names) - names[::-1].index("content_block_stop")
    with FaultPlan([f"eof@after={cut}"]).client() as client, client.messages.stream(**tool_request()) as stream:
        return stream.get_final_message()


def judge_run_tools_once(run_tools_once: Callable[..., Any]) -> Verdict:
    """Exercise 3: a conversation whose second turn fails and is retried from the start, and an unfinished message."""
    ex = TOOLS
    if not callable(run_tools_once):
        return not_a_function(ex, run_tools_once)
    first = attempt(run_tools_once, finished_tool_message(), WatchedResults(), tool_result_for)
    stuck = never_returned(ex, first)
    if stuck is not None:
        return stuck
    if inspect.isgenerator(first.value):
        return ex.verdict(
            "wrong",
            wrong="it returned a generator (its body uses yield), not a list.",
            hint="build a list and return it: `answers.append(results[block.id])` in the loop, then `return answers`; "
            "the next request's content needs a list, and a generator runs nothing until someone iterates it.",
        )
    run = converse(run_tools_once, ["", "error@after=6", "", ""])
    where = "in a conversation whose second request failed and was retried from the start"
    result = run.outcome
    if result.error is not None and not isinstance(result.error, NoRecordingError):
        return crashed(ex, result) or ex.verdict("wrong", wrong=f"it raised {first_line(result.error)}", hint=ex.recipe)
    if result.unfinished and not run.calls:
        return not_finished(ex, result)
    if result.error is None and is_blank(result.value) and run.calls:
        return returned_none(ex, right="it ran the tools.", where=f"{where},")
    ids = set(run.calls)
    if len(ids) == 1 and len(run.calls) < 4:
        return ex.verdict(
            "wrong",
            wrong=f"{where}, it ran the tool once for two different calls of it (same name, different inputs).",
            hint="key the results by block.id, not by block.name: each tool_use block is its own call.",
        )
    twice = sorted({i for i in run.calls if run.calls.count(i) > 1})
    if twice:
        wrong = (
            f"{where}, it ran {len(twice)} tool call(s) twice: {len(run.calls)} runs for {len(ids)} calls, "
            "so two reminders were created twice."
        )
        if run.results.used_setdefault:
            hint = (
                "results.setdefault(block.id, run_tool(block)) runs the tool first: Python evaluates run_tool(block) "
                "before setdefault looks in results. Look first: `if block.id not in results: results[block.id] = "
                "run_tool(block)`."
            )
        elif not run.results.looked:
            hint = "before running a block, look for block.id in results and reuse the stored result: the dict is kept across retries."
        elif not run.results:
            hint = "store each result in results[block.id] after running it, so a retry finds it there."
        else:
            hint = "look for the block's own id: `if block.id not in results:` run it and store results[block.id]."
        return ex.verdict("wrong", wrong=wrong, hint=hint)
    if isinstance(result.error, NoRecordingError) or not hasattr(result.value, "stop_reason"):
        return ex.verdict(
            "wrong",
            right=f"it ran each of the {len(ids)} calls once." if ids else "",
            wrong=f"{where}, the tool results it returned were not what the next request needs.",
            hint="return one tool_result per tool_use block, in order, each the dict run_tool returned (or the stored one) "
            "for that block, also when it came from results.",
        )
    if set(run.results) != ids:
        keys = ", ".join(_said(key, 36) for key in list(run.results)[:2])
        return ex.verdict(
            "wrong",
            right=f"it ran each of the {len(ids)} calls once.",
            wrong=f"{where}, it stored the results under {keys}, not under the tool_use blocks' ids.",
            hint="key results by block.id, one entry per tool_use block: two calls with the same input, or in the same "
            "message, are still separate calls.",
        )
    calls: list[str] = []

    def run_tool(block: Any) -> dict[str, Any]:
        calls.append(block.id)
        return tool_result_for(block)

    message = finished_tool_message()
    earlier = {"type": "tool_result", "tool_use_id": "toolu_earlier_call", "content": "{}"}
    outcome = attempt(run_tools_once, message, WatchedResults(toolu_earlier_call=earlier), run_tool)
    stuck = never_returned(ex, outcome)
    if stuck is not None:
        return stuck
    expected = [tool_result_for(block) for block in message.content if block.type == "tool_use"]
    if outcome.error is None and outcome.value != expected:
        extra = isinstance(outcome.value, list) and earlier in outcome.value
        return ex.verdict(
            "wrong",
            right=f"it ran each of the {len(ids)} calls once across the retry.",
            wrong="with a results dict that already held an earlier call's result, it returned "
            + ("that result too: the next request would answer a call this message never made." if extra else _said(outcome.value) + "."),
            hint="results keeps every call run so far: return this message's only, `results[block.id]` for each "
            "tool_use block of message, in order.",
        )
    calls.clear()
    twins = identical_calls_message()
    outcome = attempt(run_tools_once, twins, WatchedResults(), run_tool)
    stuck = never_returned(ex, outcome)
    if stuck is not None:
        return stuck
    if outcome.error is None and calls != _tool_ids(twins):
        return ex.verdict(
            "wrong",
            right=f"it ran each of the {len(ids)} calls once across the retry.",
            wrong=f"on a message with two identical tool calls (same name and input, two ids), it ran {len(calls)} of them.",
            hint="key results by block.id: two identical calls are still two calls, and each needs its own tool_result.",
        )
    calls.clear()
    outcome = attempt(run_tools_once, unfinished_tool_message(), {}, run_tool)
    stuck = never_returned(ex, outcome)
    if stuck is not None:
        return stuck
    if outcome.error is not None:
        return ex.verdict("wrong", wrong=f"on an unfinished message, it raised {first_line(outcome.error)}", hint=ex.recipe)
    if calls or outcome.value:
        return ex.verdict(
            "wrong",
            right=f"it ran each of the {len(ids)} calls once across the retry.",
            wrong="on a message cut off before message_delta (stop_reason None), it ran "
            + (f"{len(calls)} tool call(s)." if calls else "nothing but still returned results."),
            hint="run nothing until the message is finished: return [] unless message.stop_reason == 'tool_use'.",
        )
    return ex.verdict(
        "correct",
        right=f"across a retry from the start, each of the {len(ids)} tool calls ran once and its stored result was "
        "sent again; a message cut off before message_delta ran nothing.",
    )


# What the notebook calls -----------------------------------------------------------------------


def check_stream_with_retries(stream_with_retries: Callable[..., Any]) -> None:
    """Print the verdict for exercise 1."""
    print(judge_stream_with_retries(stream_with_retries))


def check_stream_with_stall_timeout(stream_with_stall_timeout: Callable[..., Any]) -> None:
    """Print the verdict for exercise 2."""
    print(judge_stream_with_stall_timeout(stream_with_stall_timeout))


def check_run_tools_once(run_tools_once: Callable[..., Any]) -> None:
    """Print the verdict for exercise 3."""
    print(judge_run_tools_once(run_tools_once))
