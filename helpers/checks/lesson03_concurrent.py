"""Lesson 03, exercise 5: run one reply's tool calls concurrently and return their results in order.

The check hands the student's ``run_concurrently(calls, run)`` the ``tool_use`` blocks of recorded
replies (streamed through the SDK) and its own ``run``: the real tool, made slow by a stated wait
(the first call slowest, so the calls finish in the other order), which notes when each call
started and ended. From those moments it tells concurrent from one-after-the-other (and a function
that returned while its calls still ran), and from the results it tells each result paired with its
own call from one paired by finishing order. The last case mixes calls that succeed with one that
fails, so a failure that swallows the other results shows.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from helpers.checks.common import (
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
    replay_client,
    wrong_kind,
)
from helpers.checks.tool_results import FAILED_BLOCK, RESULT_BLOCK, canonical_result, result_turn_mistake, same_json
from helpers.errors import LimitReached
from helpers.teaching.course_tools import ToolFailure, call_tool, describe_call, run_tool, tool_uses

RUN_CONCURRENTLY = Exercise(
    5,
    "run_concurrently",
    recipe="with ThreadPoolExecutor() as pool: outputs = pool.map(run, calls) runs them all at once and gives the outputs in "
    f"the calls' order; for each (block, output) of zip(calls, outputs) build {RESULT_BLOCK}. A run that raises ToolFailure "
    f"gets {FAILED_BLOCK} (catch it inside a small function you map, since map re-raises it).",
    returns="the list of tool_result blocks, one per call, in the order of the calls",
    kind=list,
    kind_words="a list of tool_result blocks",
)
SLOWEST = 0.15  # seconds the first call's stated service takes; each later call takes less
GRACE = 0.02  # seconds for threads a function started, and did not wait for, to reach `run` (every call waits longer)
CALL_CAP = 8  # calls of run a check allows, per reply: the cap keeps the check within a couple of seconds
CASES: tuple[tuple[tuple[str, ...], str], ...] = (  # the recordings whose calls make one case, and what the case is
    (("tools_exercise_1",), "a reply with two get_weather calls"),
    (("tools_unknown_city_1",), "a reply whose one call fails"),
    (("tools_exercise_1", "tools_unknown_city_1"), "three calls of which one fails"),
)


@dataclass
class TimedRun:
    """The check's ``run``: the real tool behind a stated wait, noting when each call started and ended."""

    waits: dict[str, float]
    moments: list[tuple[str, float, float]] = field(default_factory=list)  # (call id, started, ended)
    started: int = 0  # calls begun, ended or not
    pool_sizes: list[int] = field(default_factory=list)  # max_workers of the ThreadPoolExecutor each call ran in
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, block: Any) -> dict[str, Any]:
        with self._lock:
            if self.started >= CALL_CAP:  # a runaway loop gets a verdict, not minutes of waits
                raise LimitReached(f"it called run more than {CALL_CAP} times")
            self.started += 1
            size = _pool_size()
            if size is not None:
                self.pool_sizes.append(size)
        started = time.perf_counter()
        try:
            time.sleep(self.waits.get(getattr(block, "id", ""), 0.0))
            return call_tool(block)
        finally:
            with self._lock:
                self.moments.append((getattr(block, "id", ""), started, time.perf_counter()))

    def unfinished_at(self, moment: float) -> int:
        """How many of the calls begun so far had not ended by ``moment``."""
        with self._lock:
            return self.started - sum(1 for _, _, ended in self.moments if ended <= moment)

    def ran(self, call_id: str) -> int:
        return sum(1 for i, _, _ in self.moments if i == call_id)

    def one_after_the_other(self) -> bool:
        """Whether some call started only once another had ended: they did not all run at once."""
        return any(b_start >= a_end for a, _, a_end in self.moments for b, b_start, _ in self.moments if a != b)


def _pool_size() -> int | None:
    """The max_workers of the ThreadPoolExecutor whose worker thread this is; None in any other thread.

    A pool's worker thread runs with a weak reference to its pool as its first argument.
    """
    args = getattr(threading.current_thread(), "_args", None)
    reference = args[0] if isinstance(args, tuple) and args else None
    pool = reference() if isinstance(reference, weakref.ref) else None
    size = getattr(pool, "_max_workers", None) if isinstance(pool, ThreadPoolExecutor) else None
    return size if isinstance(size, int) else None


def judge_run_concurrently(run_concurrently: Callable[[Sequence[Any], Callable[[Any], Any]], Any]) -> Verdict:
    """Exercise 5: every call run at once, and one tool_result per call, in the calls' order, paired by id."""
    ex = RUN_CONCURRENTLY
    if not callable(run_concurrently):
        return not_a_function(ex, run_concurrently)
    passed: list[str] = []
    for names, what in CASES:
        calls = [call for name in names for call in recorded_calls(name)]
        runner = TimedRun({call.id: SLOWEST / (n + 1) for n, call in enumerate(calls)})
        result = attempt(run_concurrently, calls, runner)
        returned_at = time.perf_counter()
        time.sleep(GRACE)
        still_running = runner.unfinished_at(returned_at)
        right = f"it handled {_listed(passed)}." if passed else ""
        if not passed and result.unfinished and not runner.started:
            return not_finished(ex, result)
        stuck = never_returned(ex, result)
        if stuck is not None:
            return stuck
        if result.stopped:
            return ex.verdict(
                "wrong", right=right, wrong=f"for {what}, {result.stopped}; the check stopped it.", hint="run each call once."
            )
        if still_running and result.error is None:
            return ex.verdict(
                "wrong",
                right=right,
                wrong=f"for {what}, it returned while {still_running} of the {runner.started} calls it started were still "
                "running: it never waited for them (threads started and never joined, or futures never waited for), so their "
                "results were not there yet.",
                hint="wait for every call before building the results: thread.join() on each thread, future.result() on each "
                "future, or pool.map inside `with ThreadPoolExecutor() as pool:`, which waits as the block ends.",
            )
        if isinstance(result.error, ToolFailure):
            return ex.verdict(
                "wrong",
                right=right,
                wrong=f"for {what}, {first_line(result.error)} came out of your function: the pool hands a call's "
                "exception to whoever asks for its result.",
                hint=f"catch ToolFailure in a small function that runs one call and builds its block, and map that: {FAILED_BLOCK}.",
            )
        failure = crashed(ex, result)
        if failure:
            return failure
        if is_blank(result.value):
            return ex.verdict("wrong", right=right, wrong=f"for {what}, it returned None.", hint=f"return {ex.returns}.")
        problem = wrong_kind(ex, result.value) or _mistake(what, list(result.value), calls, runner, right)
        if problem:
            return problem
        passed.append(what)
    return ex.verdict(
        "correct",
        right=f"it ran the calls at the same time and returned their results in the calls' order, each with its own id, for "
        f"{_listed(passed)}.",
    )


def _listed(items: Sequence[str]) -> str:
    return ", ".join(items[:-1]) + f" and {items[-1]}" if len(items) > 1 else "".join(items)


def recorded_calls(name: str) -> list[Any]:
    """The tool_use blocks of one recorded reply, as the SDK gives them."""
    with replay_client() as client, client.messages.stream(**recorded_request(name)) as stream:
        return tool_uses(stream.get_final_message().content)


def _mistake(what: str, value: list[Any], calls: list[Any], runner: TimedRun, right: str) -> Verdict | None:
    ex = RUN_CONCURRENTLY
    if any(isinstance(item, Future) for item in value):
        return ex.verdict(
            "wrong",
            right=right,
            wrong=f"for {what}, it returned Future objects: handles on calls, not their results.",
            hint="wait for each and build its block from future.result(), or use pool.map, which gives the outputs.",
        )
    if not runner.moments:
        return ex.verdict(
            "wrong",
            right=right,
            wrong=f"for {what}, it never called `run`, so the check cannot see the calls run.",
            hint="run each call with the `run` you are given (it is course_tools.call_tool, with a service's wait).",
        )
    twice = [call for call in calls if runner.ran(call.id) > 1]
    if twice:
        return ex.verdict(
            "wrong",
            right=right,
            wrong=f"for {what}, it ran {describe_call(twice[0])} {runner.ran(twice[0].id)} times; a tool call runs once.",
            hint="run each call once, and keep its output (or its future) with its block.",
        )
    if len(calls) > 1 and runner.one_after_the_other() and runner.pool_sizes and min(runner.pool_sizes) < len(calls):
        workers = min(runner.pool_sizes)
        return ex.verdict(
            "wrong",
            right=right,
            wrong=f"for {what}, not every call ran at once: the pool has {workers} worker{'s' if workers != 1 else ''} "
            f"(ThreadPoolExecutor(max_workers={workers})) for {len(calls)} calls, so {len(calls) - workers} of them waited "
            "for a free worker.",
            hint="give the pool a worker for each call: ThreadPoolExecutor() (its default is enough here) or "
            "ThreadPoolExecutor(max_workers=len(calls)).",
        )
    if len(calls) > 1 and runner.one_after_the_other():
        return ex.verdict(
            "wrong",
            right=right,
            wrong=f"for {what}, the calls ran one after the other: each started only when the one before had finished.",
            hint="submit every call before waiting for any: pool.map(run, calls), or all the pool.submit(...) first, then "
            ".result() on each (a .result() right after its submit waits for that call alone).",
        )
    if value and all(isinstance(item, dict) and item.get("type") != "tool_result" for item in value):
        return ex.verdict(
            "wrong",
            right=right,
            wrong=f"for {what}, it returned the tools' outputs, not tool_result blocks.",
            hint=f"wrap each output with its call's id: {RESULT_BLOCK}.",
        )
    expected = [run_tool(call) for call in calls]
    if same_json([canonical_result(item) for item in value], expected):
        return None
    lost = _lost_to_a_failure(value, calls, expected)
    if lost:
        return ex.verdict(
            "wrong",
            right=right,
            wrong=f"for {what}, {lost}",
            hint="catch ToolFailure inside a small function that runs ONE call and builds its block, and map that function: "
            "a try around pool.map(...) catches the first failure for every call at once, since map re-raises it when its "
            f"result is asked for. The failed call gets {FAILED_BLOCK}; the others keep their own output.",
        )
    by_id = {
        item["tool_use_id"]: canonical_result(item) for item in value if isinstance(item, dict) and isinstance(item.get("tool_use_id"), str)
    }
    if len(value) == len(expected) and same_json([by_id.get(r["tool_use_id"]) for r in expected], expected):
        return ex.verdict(
            "wrong",
            right=right,
            wrong=f"for {what}, every result is right and paired by id, but they come in the order the calls finished.",
            hint="return them in the calls' order: pool.map gives that order, or look each block's result up by its id at the end.",
        )
    turn = {"role": "user", "content": value}
    wrong = result_turn_mistake(f"for {what}, the results", turn, {"role": "user", "content": expected}, [_as_dict(c) for c in calls])
    return ex.verdict("wrong", right=right, wrong=wrong or f"for {what}, the results differ from {expected}.", hint=ex.recipe)


def _lost_to_a_failure(value: list[Any], calls: list[Any], expected: list[dict[str, Any]]) -> str:
    """What a one-for-all failure cost, when every call that succeeded came back marked as failed; "" otherwise."""
    failed = [call for call, result in zip(calls, expected, strict=True) if result.get("is_error")]
    succeeded = [(call, result) for call, result in zip(calls, expected, strict=True) if not result.get("is_error")]
    by_id = {item["tool_use_id"]: item for item in value if isinstance(item, dict) and isinstance(item.get("tool_use_id"), str)}
    if not failed or not succeeded or not all(by_id.get(call.id, {}).get("is_error") for call, _ in succeeded):
        return ""
    call, result = succeeded[0]
    return (
        f"only {describe_call(failed[0])} failed, but every result says is_error: the output of {describe_call(call)} "
        f"({result['content']}) was lost to the other call's failure."
    )


def _as_dict(call: Any) -> dict[str, Any]:
    return {"id": call.id, "name": call.name, "input": call.input}


def check_run_concurrently(run_concurrently: Callable[[Sequence[Any], Callable[[Any], Any]], Any]) -> None:
    """Print the verdict for exercise 5."""
    print(judge_run_concurrently(run_concurrently))
