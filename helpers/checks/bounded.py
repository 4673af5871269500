"""Running a student's code with a deadline, and saying where it was when time ran out.

A loop that never ends must get a verdict, not hang the notebook: the code runs in a worker
thread (its own event loop, for async code), and the check waits for it at most a number of
seconds. Python cannot stop a thread, so one that is still running is left behind (a daemon);
what the check can do is read the thread's stack, or a task's, and name the student's line that
was running or waiting, so the verdict says *which* loop never ended.
"""

from __future__ import annotations

import asyncio
import linecache
import sys
import threading
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from types import FrameType
from typing import Any

from helpers.checks.attempts import Attempt, call_now


@dataclass(frozen=True)
class Bounded:
    """What a bounded run gave: the attempt, or, if time ran out, the student's line it was still on."""

    result: Attempt
    seconds: float
    timed_out: bool = False
    blocked: bool = False  # time ran out with the thread busy (no ``await``), not with a task waiting
    stuck_at: str = ""  # ``line 7, `while not stop.is_set():```: where the student's code was when time ran out

    @property
    def where(self) -> str:
        """What a verdict says of a run that never ended: where it was, and what to do about a thread still running."""
        where = f" It was still at {self.stuck_at}." if self.stuck_at else ""
        return where + (RESTART if self.blocked else "")


GIVE_UP_AFTER = 1.0  # seconds a run may go on once it is known never to end
RESTART = " It may still be running in the background, using the processor: restart the kernel (Kernel > Restart) once it is fixed."


def source_line(frames: list[FrameType], filename: str) -> str:
    """Where the innermost of ``frames`` that runs code from ``filename`` is, in words; "" if none does.

    ``line 5, `time.sleep(0.01)`, in the loop at line 4, `while not stop.is_set():``: the loop is what never ended.
    """
    for frame in reversed(frames):
        if frame.f_code.co_filename == filename:
            lineno = _line_of(frame)
            here = _quoted(filename, lineno)
            loop = _enclosing_loop(filename, lineno)
            return f"{here}, in the loop at {_quoted(filename, loop)}" if loop and loop != lineno else here
    return ""


def in_a_while_loop(stuck_at: str) -> bool:
    """Whether the line ``source_line`` named is a ``while`` loop, or inside one: a loop whose condition may never change."""
    return "`while " in stuck_at


def _line_of(frame: FrameType) -> int:
    """The line a frame is on. Read from another thread, ``f_lineno`` can be None (an instruction with no line of
    its own): then the line of the last instruction before it that has one."""
    if frame.f_lineno is not None:
        return frame.f_lineno
    line = frame.f_code.co_firstlineno
    for start, _, number in frame.f_code.co_lines():
        if start > frame.f_lasti:
            break
        line = number if number is not None else line
    return line


def _quoted(filename: str, lineno: int) -> str:
    text = linecache.getline(filename, lineno).strip()
    return f"line {lineno}, `{text}`" if text else f"line {lineno}"


_LOOPS = ("while ", "for ", "async for ")


def _enclosing_loop(filename: str, lineno: int) -> int | None:
    """The line of the innermost ``while`` or ``for`` around ``lineno`` (or on it), within its function; None if none."""
    indent: int | None = None
    for number in range(lineno, 0, -1):
        line = linecache.getline(filename, number)
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        depth = len(line) - len(line.lstrip())
        if indent is not None and depth >= indent:
            continue
        indent = depth
        if stripped.startswith(_LOOPS):
            return number
        if stripped.startswith(("def ", "async def ")):
            return None
    return None


def _task_frames(task: asyncio.Future[Any]) -> list[FrameType]:
    """The frames a waiting task is in, outermost first: its coroutine's, then each coroutine it awaits.

    (``Task.get_stack()`` gives only the outermost, so a line inside an awaited coroutine would be missed.)
    """
    frames: list[FrameType] = []
    awaiting = task.get_coro() if isinstance(task, asyncio.Task) else None
    while awaiting is not None:
        frame = getattr(awaiting, "cr_frame", None) or getattr(awaiting, "gi_frame", None)
        if frame is None:
            break
        frames.append(frame)
        awaiting = getattr(awaiting, "cr_await", None) or getattr(awaiting, "gi_yieldfrom", None)
    return frames


def _thread_frames(thread: threading.Thread) -> list[FrameType]:
    """The frames a running thread is in, outermost first."""
    frame = sys._current_frames().get(thread.ident or -1)
    frames: list[FrameType] = []
    while frame is not None:
        frames.append(frame)
        frame = frame.f_back
    return frames[::-1]


def run_in_thread(
    call: Callable[[], Any],
    seconds: float,
    filename: str = "",
    tick: Callable[[], None] = lambda: None,
    give_up: Callable[[], bool] = lambda: False,
) -> Bounded:
    """Run ``call`` in a daemon thread for at most ``seconds``; if it is still running, where in ``filename`` it is.

    ``tick`` is called every few milliseconds meanwhile (a check presses Stop from there). Once
    ``give_up()`` says the run will never end (its request limit reached, a coroutine never
    awaited), a run still going a second later is given up at once: waiting out the whole budget
    would teach nothing more. ``call`` may itself return a ``Bounded`` (``await_within`` does,
    when a task waited too long): it is passed on.
    """
    outcome: list[Attempt] = []

    def work() -> None:
        try:
            outcome.append(call_now(call))
        except BaseException as err:  # SystemExit or KeyboardInterrupt from a student's code: reported, not raised
            outcome.append(Attempt(error=RuntimeError(f"{type(err).__name__} {err}")))

    started = time.perf_counter()
    worker = threading.Thread(target=work, name="course-check", daemon=True)
    worker.start()
    hopeless_since = None
    while worker.is_alive() and time.perf_counter() - started < seconds:
        worker.join(0.01)
        tick()
        if hopeless_since is None and give_up():
            hopeless_since = time.perf_counter()
        if hopeless_since is not None and time.perf_counter() - hopeless_since > GIVE_UP_AFTER:
            break
    elapsed = time.perf_counter() - started
    if worker.is_alive():
        return Bounded(Attempt(), elapsed, timed_out=True, blocked=True, stuck_at=source_line(_thread_frames(worker), filename))
    result = outcome[0]
    if isinstance(result.value, Bounded):
        return result.value
    return Bounded(result, elapsed)


class Cancelled(Exception):
    """A ``CancelledError`` that ended a student's coroutine (one it awaited, or its own task's), kept as an
    ``Exception`` so that a verdict can name it: ``CancelledError`` itself is a ``BaseException``."""


async def await_within(made: Any, seconds: float, filename: str) -> Attempt | Bounded:
    """Await what a student's async function returned, for at most ``seconds``; a task that waits longer is cancelled.

    Returns the attempt (a ``CancelledError`` that ended it as a ``Cancelled`` error), or a ``Bounded``
    naming the line the task was waiting at.
    """
    started = time.perf_counter()
    task: asyncio.Future[Any] = asyncio.ensure_future(made)
    done, _ = await asyncio.wait([task], timeout=seconds)
    if not done:
        stuck_at = source_line(_task_frames(task), filename)
        task.cancel()
        await asyncio.wait([task], timeout=0.5)  # a task that swallows the cancel is left to run
        return Bounded(Attempt(), time.perf_counter() - started, timed_out=True, stuck_at=stuck_at)
    if task.cancelled():
        return Attempt(error=Cancelled("CancelledError"))
    try:
        return Attempt(value=task.result())
    except Exception as err:  # a student's bug is reported, never raised
        return Attempt(error=err)


def run_async(
    main: Callable[[], Coroutine[Any, Any, Any]], seconds: float, filename: str, tick: Callable[[], None] = lambda: None
) -> Bounded:
    """``asyncio.run(main())`` in a worker thread (a notebook's own event loop is already running), within ``seconds``."""
    return run_in_thread(lambda: asyncio.run(main()), seconds, filename, tick)
