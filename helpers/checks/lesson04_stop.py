"""Lesson 04, exercise 5: a Stop that cancels the reading task and keeps the partial text.

The student writes ``async def read_until_stopped(client, request, view, stop)``: stream the
request into the view until the answer ends or ``stop`` (an ``asyncio.Event``, what a Stop
button sets) is set, then return the text kept. The check runs it three times with a real
``AsyncAnthropic`` replaying through a ``FaultPlan`` (so it sees every chunk read and whether the
response was closed): once without Stop, once with Stop pressed while pieces flow, and once with
Stop pressed while the model is silent, where only a cancelled task stops at once. Each run is
bounded (``bounded``), so a loop that never ends is named, not waited for.
"""

from __future__ import annotations

import asyncio
import gc
import inspect
import time
import traceback
import warnings
from dataclasses import dataclass, field
from typing import Any, Literal

import anthropic

from helpers.checks.bounded import Bounded, Cancelled, await_within, run_async
from helpers.checks.common import (
    Attempt,
    Exercise,
    Verdict,
    a_type,
    crashed,
    first_line,
    is_blank,
    not_a_function,
    not_finished,
    recorded_request,
    returned_none,
)
from helpers.teaching.fault_plan import FaultPlan
from helpers.views.stream_view import StreamView

RECORDING = "web_markdown"
SPEED = 10.0  # the runs with Stop replay ten times faster than recorded: the answer takes about 0.5 s
STALL_AFTER = 40  # events: the silent run's model goes quiet after these ...
STALL_FAULT = f"stall@after={STALL_AFTER},seconds=15"  # ... for 15 recorded seconds, 1.5 s at SPEED
PRESS_AT_PIECE = 30  # the flowing run presses Stop as this piece goes into the view
SILENT_FOR = 0.3  # the silent run presses Stop once nothing has arrived for this long ...
PRESS_BY = 1.0  # ... or this long after the run began, whatever the code did
PROMPT_S = 0.5  # from the press to the function's return: a Stop that takes longer waited for something
RUN_S = 2.5  # one run at most
CHECK_S = 4.5  # the three runs together at most
GRACE_S = 0.05  # after the return: long enough for a cancelled task to run its `async with` exit

Press = Literal["never", "at_piece", "when_silent"]

READ_UNTIL_STOPPED = Exercise(
    5,
    "read_until_stopped",
    recipe="in `async def read(): async with client.messages.stream(**request) as stream: async for text in "
    "stream.text_stream: view.append(text)`; start it with `reading = asyncio.create_task(read())`, then `await "
    "asyncio.wait([reading, asyncio.create_task(stop.wait())], return_when=asyncio.FIRST_COMPLETED)`; if reading is "
    "not done, Stop was pressed: reading.cancel() and wait for it to end; then view.finish(cut=...) and return view.text.",
    returns="the text kept, as a str: return view.text",
    kind=str,
    kind_words="a str",
)


class StopEvent(asyncio.Event):
    """The exercise's ``stop``: an ``asyncio.Event`` that notes whether the student's code ever looked at it."""

    looked = False

    def is_set(self) -> bool:
        self.looked = True
        return super().is_set()

    async def wait(self) -> Literal[True]:
        self.looked = True
        return await super().wait()


class StopView(StreamView):
    """The exercise's view, noting when each piece was appended (``time.perf_counter()``); it presses Stop at piece ``press_at_piece``."""

    def __init__(self, clock: Any) -> None:
        super().__init__(clock=clock, widgets=True)
        self.appended_at: list[float] = []
        self.press_at_piece = 0  # 0: never
        self.press: Any = None

    def append(self, fragment: str) -> None:
        self.appended_at.append(time.perf_counter())
        super().append(fragment)
        if len(self.appended_at) == self.press_at_piece and self.press is not None:
            self.press()


@dataclass
class StopRun:
    """What one run of the student's function did, seen from the view, the stream and the clock."""

    plan: FaultPlan
    view: StopView
    result: Attempt = field(default_factory=Attempt)
    bounded: Bounded | None = None
    awaited: bool = False  # calling the function gave something to await: it is an `async def`
    started: float = 0.0
    pressed_at: float | None = None
    pieces_at_press: int = 0
    returned_at: float | None = None
    closed_at_return: bool = False  # the response was closed at the very moment the function returned
    cancel_pending: bool = False  # ... and a task of the student's had been cancelled but had not ended yet
    closed_soon_after: bool = False
    swallowed: bool = False  # a task of the student's was cancelled, yet ended as if it had finished
    loop: asyncio.AbstractEventLoop | None = None
    stop: StopEvent | None = None

    @property
    def pieces_after_press(self) -> int:
        return len(self.view.appended_at) - self.pieces_at_press if self.pressed_at is not None else 0

    @property
    def read_to_end(self) -> bool:
        return bool(self.plan.attempts) and self.plan.attempts[0].finished

    @property
    def timed_out(self) -> bool:
        return self.bounded is not None and self.bounded.timed_out

    def press(self) -> None:
        """What a Stop button does: set the event (on the run's event loop)."""
        if self.pressed_at is None and self.stop is not None:
            self.pressed_at = time.perf_counter()
            self.pieces_at_press = len(self.view.appended_at)
            self.stop.set()


def _filename(function: Any) -> str:
    return str(getattr(getattr(function, "__code__", None), "co_filename", ""))


def run_once(read_until_stopped: Any, step: str, speed: float, press: Press, seconds: float) -> StopRun:
    """One run against a plan serving ``step`` at ``speed``, Stop pressed as ``press`` says."""
    plan = FaultPlan([step], speed=speed, limit=3)
    run = StopRun(plan, StopView(plan.stopwatch))
    filename = _filename(read_until_stopped)
    students: list[asyncio.Task[Any]] = []

    def factory(loop: asyncio.AbstractEventLoop, coro: Any, **options: Any) -> asyncio.Task[Any]:
        task = asyncio.Task(coro, loop=loop, **options)
        if getattr(getattr(coro, "cr_code", None), "co_filename", None) == filename:
            students.append(task)
        return task

    def note_return() -> None:
        """What holds at the very moment the function returns, before anything else runs on the event loop."""
        run.returned_at = time.perf_counter()
        run.closed_at_return = bool(plan.attempts) and plan.attempts[0].closed
        run.cancel_pending = any(task.cancelling() and not task.done() for task in students)

    async def noting_return(made: Any) -> Any:
        try:
            return await made
        finally:
            note_return()

    async def main() -> None:
        run.loop = asyncio.get_running_loop()
        run.loop.set_task_factory(factory)
        run.stop = StopEvent()
        if press == "at_piece":
            run.view.press_at_piece, run.view.press = PRESS_AT_PIECE, run.press
        async with plan.async_client() as client:
            try:
                made = read_until_stopped(client, recorded_request(RECORDING), run.view, run.stop)
            except Exception as err:
                run.result = Attempt(error=err)
                return
            if not inspect.isawaitable(made):
                run.result = Attempt(value=made)
                return
            run.awaited = True
            outcome = await await_within(noting_return(made), seconds, filename)
            await asyncio.sleep(GRACE_S)
            run.closed_soon_after = bool(plan.attempts) and plan.attempts[0].closed
            run.swallowed = any(task.done() and not task.cancelled() and task.cancelling() for task in students)
            if isinstance(outcome, Bounded):
                run.bounded = outcome
            else:
                run.result = outcome

    def tick() -> None:
        if press != "when_silent" or run.pressed_at is not None or run.loop is None:
            return
        reads = plan.attempts[0].read_at if plan.attempts else []
        now = time.perf_counter()
        if (reads and now - reads[-1] >= SILENT_FOR) or now - run.started >= PRESS_BY:
            run.loop.call_soon_threadsafe(run.press)

    run.started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # "coroutine ... was never awaited": the verdict says it better
        bounded = run_async(main, seconds + 0.5, filename, tick)
        if run.result.error is not None:
            _let_go(run.result.error)
    if bounded.blocked and run.stop is not None:
        # Its event loop is blocked, so call_soon_threadsafe would never run: set the flag itself, from this
        # thread, so that a loop that polls stop.is_set() without awaiting can end instead of spinning on.
        run.stop.set()
    if bounded.timed_out and run.bounded is None:
        run.bounded = bounded
    if bounded.result.error is not None and run.result.error is None:  # raised where the check could not catch it
        run.result = bounded.result
    return run


def _let_go(error: BaseException) -> None:
    """Drop what the frames of an error's traceback hold (a coroutine passed where a task belongs, say), and collect
    it now: "coroutine ... was never awaited" is then said while the warning is ignored, not later in the notebook."""
    err: BaseException | None = error
    seen: set[int] = set()
    while err is not None and id(err) not in seen:
        seen.add(id(err))
        traceback.clear_frames(err.__traceback__)
        err = err.__cause__ or err.__context__
    gc.collect()


def judge_read_until_stopped(read_until_stopped: Any) -> Verdict:
    """Exercise 5: the whole answer without Stop; Stop while pieces flow; Stop while the model is silent."""
    ex = READ_UNTIL_STOPPED
    if not callable(read_until_stopped):
        return not_a_function(ex, read_until_stopped)
    deadline = time.perf_counter() + CHECK_S

    def budget() -> float:
        return max(1.0, min(RUN_S, deadline - time.perf_counter()))

    whole = run_once(read_until_stopped, "", 0.0, "never", budget())
    verdict = _judge_whole(whole)
    if verdict is not None:
        return verdict
    answer = whole.view.text
    flowing = run_once(read_until_stopped, "", SPEED, "at_piece", budget())
    verdict = _judge_stopped(flowing, "Stop pressed while pieces were arriving", answer)
    if verdict is not None:
        return verdict
    silent = run_once(read_until_stopped, STALL_FAULT, SPEED, "when_silent", budget())
    verdict = _judge_stopped(silent, "Stop pressed while the model was silent", answer)
    if verdict is not None:
        return verdict
    after = silent.pieces_after_press
    read = "nothing more went into it" if not after else f"{after} more piece{'s' if after > 1 else ''} went into it"
    return ex.verdict(
        "correct",
        right=f"without Stop the view showed the whole answer ({len(answer)} characters), not marked as cut. With "
        f"Stop pressed while the model was silent, reading ended at once: the view kept the {len(silent.view.text)} "
        f"characters that had arrived, marked as cut, {read}, and the HTTP response was closed by the time your "
        "function returned. The same with Stop pressed while pieces were arriving.",
    )


def _never_ended(run: StopRun, during: str) -> Verdict:
    ex = READ_UNTIL_STOPPED
    bounded = run.bounded
    assert bounded is not None
    if bounded.blocked:
        return ex.verdict(
            "wrong",
            wrong=f"{during}, read_until_stopped never ended: after {bounded.seconds:.1f} s it was still running without "
            "ever awaiting. While async code runs without `await`, the event loop can run nothing else: not the "
            f"reading, not the Stop click.{bounded.where}",
            hint="wait with `await` (await asyncio.wait(...), await stop.wait()), never with time.sleep or a `while` loop "
            "that does not await: the event loop runs the stream and the Stop button only while your code awaits.",
        )
    return ex.verdict(
        "wrong",
        wrong=f"{during}, read_until_stopped never ended: after {bounded.seconds:.1f} s it was still waiting.{bounded.where}",
        hint="wait for whichever comes first, the end of the reading or Stop: await asyncio.wait([reading, "
        "asyncio.create_task(stop.wait())], return_when=asyncio.FIRST_COMPLETED).",
    )


def _crashed(run: StopRun, during: str) -> Verdict | None:
    ex = READ_UNTIL_STOPPED
    err = run.result.error
    if err is None:
        return None
    text = str(err)
    if isinstance(err, Cancelled):
        return ex.verdict(
            "wrong",
            wrong=f"{during}, read_until_stopped raised CancelledError: awaiting a cancelled task (`await reading` "
            "after reading.cancel()) re-raises its CancelledError in your function, and nothing caught it.",
            hint="awaiting a cancelled task re-raises CancelledError: catch it (try: await reading, except "
            "asyncio.CancelledError: pass), or wait with await asyncio.wait([reading]), which does not raise.",
        )
    if "closed before its body was read" in text or "StreamClosed" in type(err).__name__:
        return ex.verdict(
            "wrong",
            wrong=f"{during}, it raised {first_line(err)}: after Stop it asked the closed stream for more "
            "(get_final_message() or get_final_text() reads the rest of the answer).",
            hint="after Stop there is no final message: the response is closed and the rest was never sent. Keep the "
            "text the view received and return view.text.",
        )
    if isinstance(err, TypeError) and "coroutines is forbidden" in text:
        return ex.verdict(
            "wrong",
            wrong=f"{during}, it raised {first_line(err).rstrip('.')}: asyncio.wait takes tasks, and stop.wait() called on its own "
            "is a coroutine, which nothing runs (Python then warns that it was never awaited).",
            hint="make it a task first: asyncio.wait([reading, asyncio.create_task(stop.wait())], return_when=asyncio.FIRST_COMPLETED).",
        )
    if isinstance(err, TypeError) and ("context manager" in text or "not iterable" in text):
        return ex.verdict(
            "wrong",
            wrong=f"{during}, it raised {first_line(err)}: the client is an AsyncAnthropic, so its stream is read with "
            "`async with` and `async for`.",
            hint="write `async with client.messages.stream(**request) as stream:` and `async for text in stream.text_stream:`.",
        )
    return crashed(ex, run.result)


def _judge_whole(run: StopRun) -> Verdict | None:
    """The run without Stop: the whole answer, shown, finished, not cut, returned, response closed."""
    ex = READ_UNTIL_STOPPED
    during = "without Stop"
    if run.timed_out:
        return _never_ended(run, during)
    verdict = _crashed(run, during)
    if verdict is not None:
        return verdict
    if run.result.unfinished and not run.plan.requests:
        return not_finished(ex, run.result)
    if not run.awaited:
        return ex.verdict(
            "wrong",
            wrong=f"it returned {a_type(run.result.value)} at once, without awaiting anything: it is a plain `def`.",
            hint="write `async def read_until_stopped(client, request, view, stop):`, so it can await the stream and Stop.",
        )
    if not run.plan.requests:
        return ex.verdict("wrong", wrong="it never sent a request with the client it was given.", hint=ex.recipe)
    view, answer = run.view, _answer()
    if view.text != answer:
        return ex.verdict(
            "wrong",
            wrong=f"{during}, the view received {len(view.text)} of the answer's {len(answer)} characters.",
            hint="append each piece of stream.text_stream to the view, as it arrives: view.append(text).",
        )
    if view.withdrawn is not None or not view.done:
        return ex.verdict(
            "wrong",
            wrong=f"{during}, the view was never finished: the last pieces the throttle held back are not drawn, and its "
            "status still says it is streaming.",
            hint="call view.finish() once the reading has ended (view.finish(cut=True) if Stop ended it).",
        )
    if view.cut:
        return ex.verdict(
            "wrong",
            wrong=f"{during}, the view was marked as cut, but nobody pressed Stop: the answer is complete.",
            hint="cut=True only when Stop ended the reading: note `cut = not reading.done()` before you cancel, and "
            "call view.finish(cut=cut).",
        )
    verdict = _returned(run, during, answer)
    if verdict is not None:
        return verdict
    return None


def _answer() -> str:
    """The whole answer of the exercise's recording."""
    with FaultPlan([""]).client() as client, client.messages.stream(**recorded_request(RECORDING)) as stream:
        return stream.get_final_text()


def _returned(run: StopRun, during: str, kept: str) -> Verdict | None:
    ex = READ_UNTIL_STOPPED
    value = run.result.value
    if is_blank(value):
        return returned_none(ex, where=f"{during},")
    if isinstance(value, anthropic.BaseModel):
        return ex.verdict(
            "wrong",
            wrong=f"{during}, it returned {a_type(value)}, not the text. After a Stop there is no final message: "
            "get_final_message() then gives the partial one, with stop_reason None.",
            hint="return the text the view received: view.text.",
        )
    if not isinstance(value, str):
        return ex.verdict("wrong", wrong=f"{during}, it returned {a_type(value)}, not a str.", hint=f"return {ex.returns}.")
    if value != kept:
        lost = " (an empty string: the partial text is lost)" if not value else ""
        return ex.verdict(
            "wrong",
            wrong=f"{during}, it returned {len(value)} characters{lost}, but the view had received {len(kept)}.",
            hint=f"return {ex.returns}.",
        )
    if not run.closed_at_return and run.cancel_pending:
        return ex.verdict(
            "wrong",
            wrong=f"{during}, the HTTP response was still open when read_until_stopped returned: it called "
            "reading.cancel() and returned at once, while the reading task had not ended yet, so its `async with` had "
            "not closed the response (it did so only after your function had returned).",
            hint="cancel() only asks; wait for the task to end (await asyncio.wait([reading])) so its async with closes "
            "the response before you return.",
        )
    if not run.closed_at_return:
        later = " (it was closed only later, when Python threw the abandoned stream away)" if run.closed_soon_after else ""
        return ex.verdict(
            "wrong",
            wrong=f"{during}, the HTTP response was still open when read_until_stopped returned{later}: live, the "
            "connection stays open and the model goes on generating (and billing) the rest.",
            hint="open the stream with `async with client.messages.stream(**request) as stream:`; leaving the block, "
            "at the end, by a return or by a cancellation, closes the response.",
        )
    return None


def _ended_before_stop(run: StopRun, during: str, answer: str) -> Verdict:
    """The function returned before the check pressed Stop, although the answer had not ended: it stopped on its own."""
    after = (run.returned_at or run.started) - run.started
    kept = f"with {len(run.view.text)} of the answer's {len(answer)} characters"
    if run.stop is not None and not run.stop.looked:
        why = (
            "It never looks at `stop` (neither stop.wait() nor stop.is_set()): it stopped on a timer of its own, so "
            "the reading was cut by its own timeout, not by the reader."
        )
    else:
        why = "Something of its own ended the reading (a timeout?), not Stop."
    return READ_UNTIL_STOPPED.verdict(
        "wrong",
        wrong=f"{during}: read_until_stopped returned after {after:.1f} s, before Stop was pressed, {kept}. {why}",
        hint="end the reading when stop is set, never on a timer (asyncio.wait_for with a timeout cuts every answer that "
        "takes longer): await asyncio.wait([reading, asyncio.create_task(stop.wait())], return_when=asyncio.FIRST_COMPLETED).",
    )


def _judge_stopped(run: StopRun, during: str, answer: str) -> Verdict | None:
    """A run with Stop: reading ends at once, the partial text stays, marked as cut, and the response is closed."""
    ex = READ_UNTIL_STOPPED
    if run.timed_out:
        return _never_ended(run, during)
    verdict = _crashed(run, during)
    if verdict is not None:
        return verdict
    if run.pressed_at is None and run.returned_at is not None:
        return _ended_before_stop(run, during, answer)
    if run.pressed_at is None:
        return ex.verdict(
            "wrong",
            wrong=f"{during}: the check could not press Stop, because the event loop never ran its click.",
            hint="wait with `await`, never with time.sleep or a loop that does not await.",
        )
    view = run.view
    if run.read_to_end and run.pieces_after_press == 0:
        return ex.verdict(
            "wrong",
            wrong=f"{during}: the view received nothing more, but the HTTP body was still read to its end: "
            "get_final_message() (or until_done) after Stop waits for the whole answer.",
            hint="after Stop there is no final message: don't call get_final_message(); keep the text the view "
            "received and return view.text.",
        )
    if run.read_to_end:
        if run.swallowed:
            return ex.verdict(
                "wrong",
                wrong=f"{during}: reading went on, {run.pieces_after_press} more pieces went into the view after Stop. "
                "A task was cancelled but caught the CancelledError and carried on.",
                hint="don't swallow CancelledError: let it end the reading (if you catch it to mark the text as cut, "
                "re-raise it or return at once).",
            )
        return ex.verdict(
            "wrong",
            wrong=f"{during}: reading went on, {run.pieces_after_press} more pieces went into the view after Stop"
            + ", to the end of the answer: the stop was only looked at after the loop, or not at all.",
            hint="Stop must end the reading itself: run the reading as a task and cancel it when stop is set.",
        )
    waited = (run.returned_at or time.perf_counter()) - run.pressed_at
    if waited > PROMPT_S:
        return ex.verdict(
            "wrong",
            wrong=f"{during}: Stop took {waited:.1f} s to take effect; it waited for the next piece to arrive. A flag "
            "checked between pieces is only seen when a piece comes, and a silent model sends none.",
            hint="cancel the reading task when stop is set (reading.cancel()): cancelling wakes it where it waits for the network.",
        )
    if view.withdrawn is not None:
        return ex.verdict(
            "wrong",
            wrong=f"{during}: the view withdrew the text, so the reader lost what they had been reading.",
            hint="withdraw is for an answer that turned out not to be one (a refusal); on Stop keep the text and mark "
            "it: view.finish(cut=True).",
        )
    if not view.done:
        return ex.verdict(
            "wrong",
            wrong=f"{during}: the view was never finished, so the pieces the throttle held back are not drawn and it "
            "does not say it was cut.",
            hint="after the reading has ended, call view.finish(cut=True) when Stop ended it.",
        )
    if not view.cut:
        if run.swallowed:
            return ex.verdict(
                "wrong",
                wrong=f"{during}: the view says the answer is complete. The reading task caught the CancelledError and "
                "ended as if the answer had ended, so nothing could tell a Stop from the end.",
                hint="don't swallow CancelledError in the reading task; decide `cut` from the task (not done when Stop "
                "came), then view.finish(cut=cut).",
            )
        return ex.verdict(
            "wrong",
            wrong=f"{during}: the view kept the partial text but says it is complete ({len(view.text)} of "
            f"{len(answer)} characters): a reader takes it for the whole answer.",
            hint="mark it: view.finish(cut=True) when Stop ended the reading.",
        )
    if not view.text:
        return ex.verdict("wrong", wrong=f"{during}: the view kept no text at all.", hint=READ_UNTIL_STOPPED.recipe)
    return _returned(run, during, view.text)


def check_read_until_stopped(read_until_stopped: Any) -> None:
    """Print the verdict for exercise 5."""
    print(judge_read_until_stopped(read_until_stopped))
