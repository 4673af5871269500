"""Lesson 06: what the SDK does with each failure the notebook shows, the fault plans it uses, and
the exercise checks (they accept the reference solutions and right variants, name each typical
mistake with its own hint, and never hang or crash on unfinished work)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import anthropic
import httpx2
import pytest
from exercise_testing import assert_verdict, load_solutions, not_implemented, unfinished

from helpers.checks import lesson06 as checks
from helpers.errors import LimitReached
from helpers.teaching.fault_plan import FaultPlan

pytestmark = pytest.mark.realtime  # serves HTTP on 127.0.0.1 or waits real seconds: out of the quick loop

solutions = load_solutions("06_failures_and_recovery.py")
REQUEST = checks.exercise_request()


# The SDK facts the lesson states (anthropic 2.14.0) ---------------------------------------------


def test_an_error_event_raises_a_bare_status_error_that_carries_the_body_fields() -> None:
    plan = FaultPlan(["error@after=10"])
    with pytest.raises(anthropic.APIStatusError) as caught, plan.client().messages.stream(**REQUEST) as stream:
        stream.until_done()
    err = caught.value
    assert type(err) is anthropic.APIStatusError and err.status_code == 200 and err.type == "overloaded_error"
    assert err.error_code is None and err.request_id == stream.request_id and plan.requests == 1


def test_a_dropped_connection_is_the_http_library_s_error_and_is_not_retried_even_with_sdk_retries_on() -> None:
    plan = FaultPlan(["drop@after=10", ""])
    with pytest.raises(httpx2.RemoteProtocolError), plan.client(max_retries=2).messages.stream(**REQUEST) as stream:
        stream.until_done()
    assert plan.requests == 1


def test_the_sdk_retries_http_errors_before_the_stream_but_not_a_400() -> None:
    plan = FaultPlan(["http=529", ""])
    with plan.client(max_retries=2).messages.stream(**REQUEST) as stream:
        assert stream.get_final_message().stop_reason == "end_turn"
    assert plan.requests == 2
    plan = FaultPlan(["http=400", ""])
    with pytest.raises(anthropic.BadRequestError) as caught, plan.client(max_retries=2).messages.stream(**REQUEST):
        pass
    assert plan.requests == 1 and caught.value.type == "invalid_request_error"


def test_a_cut_stream_never_gets_its_final_usage() -> None:
    with FaultPlan(["drop@after=20"]).client() as client, client.messages.stream(**REQUEST) as stream:
        with pytest.raises(httpx2.TransportError):
            stream.until_done()
        snapshot = stream.current_message_snapshot
    with FaultPlan([""]).client() as client, client.messages.stream(**REQUEST) as stream:
        final = stream.get_final_message()
    assert snapshot.stop_reason is None and snapshot.usage.output_tokens < final.usage.output_tokens
    assert snapshot.usage.input_tokens == final.usage.input_tokens


def test_the_continuation_recording_answers_the_partial_text_of_the_lesson_s_drop() -> None:
    partial = checks.partial_text("drop@after=20")
    continuation = checks.recorded_request("recovery_continue")
    assert continuation["messages"][1] == {"role": "assistant", "content": partial}
    assert continuation["messages"][-1]["role"] == "user" and partial.split(". ")[-1] in continuation["messages"][-1]["content"]


@pytest.mark.parametrize(
    ("code", "kind", "retryable"),
    [
        ("contract_spend_limit_reached", anthropic.ContractSpendLimitReachedError, False),
        ("enforced_spend_limit_reached", anthropic.EnforcedSpendLimitReachedError, False),
        (None, anthropic.RateLimitError, True),
    ],
)
def test_a_spend_limit_is_a_rate_limit_error_that_is_not_retried(code: str | None, kind: type, retryable: bool) -> None:
    from anthropic._error_classes import make_status_error

    error: dict[str, Any] = {"type": "rate_limit_error", "message": "limit", "details": {"error_code": code} if code else None}
    body = {"type": "error", "error": error}
    request = httpx2.Request("POST", "https://api.anthropic.com/v1/messages")
    err = make_status_error("limit", body=body, response=httpx2.Response(429, json=body, request=request))
    assert type(err) is kind and isinstance(err, anthropic.RateLimitError) and err.error_code == code
    assert solutions.is_retryable(err) is retryable


def test_a_plan_stops_a_runaway_loop_with_an_exception_except_exception_cannot_catch() -> None:
    plan = FaultPlan(["error@after=10"], limit=3)
    client = plan.client()
    with pytest.raises(LimitReached):
        while True:
            try:
                with client.messages.stream(**REQUEST) as stream:
                    stream.until_done()
            except Exception:
                continue
    assert plan.requests == 3


# Exercise checks: the reference solutions and right variants pass -------------------------------


def test_solution_stream_with_retries_passes() -> None:
    assert_verdict(checks.judge_stream_with_retries(solutions.stream_with_retries), "correct", "raised the last error")


def test_solution_stream_with_stall_timeout_passes() -> None:
    assert_verdict(checks.judge_stream_with_stall_timeout(solutions.stream_with_stall_timeout), "correct", "TimeoutError")


def test_solution_run_tools_once_passes() -> None:
    assert_verdict(checks.judge_run_tools_once(solutions.run_tools_once), "correct", "ran once")


def retries_with_sdk_style_jitter(client: Any, request: Any, show: Any, notice: Any, max_attempts: int = 4, sleep: Any = time.sleep) -> Any:
    """A right variant: the SDK's own backoff shape (0.5 s doubling, minus up to 25 %), a list of pieces, events."""
    shown: list[str] = []
    for attempt in range(max_attempts):
        text = ""
        try:
            with client.messages.stream(**request) as stream:
                for event in stream:
                    if event.type == "text":
                        text += event.text
                        if len(text) > len("".join(shown)):
                            shown.append(text[len("".join(shown)) :])
                            show(shown[-1])
                message = stream.get_final_message()
                if message.stop_reason is None:
                    raise httpx2.RemoteProtocolError("ended early")
                return message
        except (anthropic.APIStatusError, anthropic.APIConnectionError, httpx2.TransportError) as err:
            status = getattr(err, "status_code", 0)
            retryable = not isinstance(err, anthropic.APIStatusError) or status >= 500 or err.type == "overloaded_error"
            if not retryable or attempt == max_attempts - 1:
                notice("giving up")
                raise
            delay = min(8.0, 0.5 * 2**attempt) * (1 - 0.25 * random.random())
            notice(f"retrying in {delay:.2f} s")
            sleep(delay)
    return None


async def stall_with_text_stream_and_timeout_block(client: Any, request: Any, stall_seconds: float, max_attempts: int = 3) -> str:
    """A right variant: asyncio.timeout around each read of text_stream, rescheduled after every piece."""
    for attempt in range(max_attempts):
        pieces = []
        try:
            async with client.messages.stream(**request) as stream:
                texts = stream.text_stream.__aiter__()
                while True:
                    async with asyncio.timeout(stall_seconds):
                        try:
                            pieces.append(await anext(texts))
                        except StopAsyncIteration:
                            break
            return "".join(pieces)
        except TimeoutError:
            if attempt == max_attempts - 1:
                raise
    raise AssertionError


def tools_once_with_dict_blocks(message: Any, results: dict[str, Any], run_tool: Any) -> list[Any]:
    """A right variant: a comprehension over the message as a dict, setdefault-style caching."""
    if message.stop_reason != "tool_use":
        return []
    for block in message.content:
        if block.type == "tool_use" and block.id not in results:
            results[block.id] = run_tool(block)
    return [results[block.id] for block in message.content if block.type == "tool_use"]


@pytest.mark.parametrize(
    ("judge", "variant"),
    [
        (checks.judge_stream_with_retries, retries_with_sdk_style_jitter),
        (checks.judge_stream_with_stall_timeout, stall_with_text_stream_and_timeout_block),
        (checks.judge_run_tools_once, tools_once_with_dict_blocks),
    ],
)
def test_right_variants_pass(judge: Any, variant: Any) -> None:
    assert judge(variant).passed, str(judge(variant))


def test_check_prints_the_verdict(capsys: pytest.CaptureFixture[str]) -> None:
    checks.check_stream_with_retries(unfinished)
    checks.check_run_tools_once(unfinished)
    out = capsys.readouterr().out
    assert "Exercise 1 (stream_with_retries): not finished yet." in out and "Exercise 3 (run_tools_once): not finished yet." in out


async def async_unfinished(*_: Any) -> None:
    """The shipped body of exercise 2."""
    ...


@pytest.mark.parametrize(
    ("judge", "body"),
    [
        (checks.judge_stream_with_retries, unfinished),
        (checks.judge_stream_with_retries, not_implemented),
        (checks.judge_stream_with_stall_timeout, async_unfinished),
        (checks.judge_stream_with_stall_timeout, not_implemented),
        (checks.judge_run_tools_once, unfinished),
        (checks.judge_run_tools_once, not_implemented),
    ],
)
def test_unfinished_exercise_is_not_finished(judge: Any, body: Any) -> None:
    assert_verdict(judge(body), "unfinished", "To do:")


@pytest.mark.parametrize("judge", [checks.judge_stream_with_retries, checks.judge_stream_with_stall_timeout, checks.judge_run_tools_once])
def test_passing_a_call_instead_of_the_function(judge: Any) -> None:
    assert_verdict(judge(None), "wrong", "got None", "without parentheses")


# Exercise 1: typical mistakes --------------------------------------------------------------------


def retrying(
    *,
    retryable: Any = solutions.is_retryable,
    delay: Any = solutions.backoff_delay,
    skip_shown: bool = True,
    keep_retry_text: bool = True,
    tell: bool = True,
    tell_give_up: bool = True,
    tell_last: bool = True,
    pieces: str = "past_shown",
    check_stop_reason: bool = True,
    bounded: bool = True,
    give_up: str = "raise",
    sleep_after_last: bool = False,
    own_sleep: bool = False,
) -> Any:
    """The reference wrapper with one mistake switched on."""

    def wrapper(client: Any, request: Any, show: Any, notice: Any, max_attempts: int = 4, sleep: Any = time.sleep) -> Any:
        shown = ""
        attempt = 0
        while not bounded or attempt < max_attempts:
            attempt += 1
            attempt_text = ""
            try:
                with client.messages.stream(**request) as stream:
                    for text in stream.text_stream:
                        attempt_text += text
                        if not skip_shown:
                            show(text)
                        elif pieces == "whole":
                            if len(attempt_text) > len(shown):
                                show(text)  # the whole piece, also when it began before the end of what is on screen
                                shown = attempt_text
                        elif pieces == "skip_crossing":
                            if len(attempt_text) - len(text) >= len(shown):
                                show(text)  # only pieces that begin past what is on screen
                                shown = attempt_text
                        elif len(attempt_text) > len(shown) and (keep_retry_text or attempt == 1):
                            show(attempt_text[len(shown) :])
                            shown = attempt_text
                    message = stream.get_final_message()
                if check_stop_reason and message.stop_reason is None:
                    raise solutions.StreamEndedEarly("cut short")
                return message
            except Exception as err:
                last = bounded and attempt == max_attempts
                if not retryable(err) or last:
                    if tell_give_up and (tell_last or not last):
                        notice("giving up")
                    if sleep_after_last:
                        sleep(delay(attempt))
                    if give_up == "return":
                        return stream.current_message_snapshot
                    if give_up == "wrap":
                        raise RuntimeError("the answer failed") from None
                    raise
                if tell:
                    notice("trying again")
                wait = delay(attempt)
                time.sleep(0.3) if own_sleep else sleep(wait)
        return None

    return wrapper


def shows_all_at_once(client: Any, request: Any, show: Any, notice: Any, max_attempts: int = 4, sleep: Any = time.sleep) -> Any:
    with client.messages.stream(**request) as stream:
        message = stream.get_final_message()
    show(message.content[0].text)
    return message


def retries_only_error_events(err: Exception) -> bool:
    return (isinstance(err, anthropic.APIStatusError) and err.status_code == 200) or isinstance(
        err, (httpx2.TransportError, solutions.StreamEndedEarly)
    )


@pytest.mark.parametrize(
    ("attempt", "phrases"),
    [
        (retrying(retryable=lambda err: True), ["HTTP 400", "sent the same request 4 times", "a 400 says the request itself is wrong"]),
        (
            retrying(retryable=lambda err: isinstance(err, anthropic.APIStatusError)),
            ["connection dropped", "RemoteProtocolError", "httpx2.TransportError"],
        ),
        (retrying(retryable=retries_only_error_events), ["HTTP 529", "raised OverloadedError", "status >= 500"]),
        (retrying(check_stop_reason=False), ["ends before message_delta", "returned after one request", "stop_reason"]),
        (
            retrying(retryable=lambda err: not isinstance(err, solutions.StreamEndedEarly) and solutions.is_retryable(err)),
            ["ends before message_delta", "raised StreamEndedEarly", "noticed the early end"],
        ),
        (retrying(delay=lambda attempt: 0.0), ["waited only 0.000 s", "start the backoff"]),
        (retrying(delay=lambda attempt: 1.0), ["waited 1.0 s before every retry", "never grows", "2 **"]),
        (retrying(delay=lambda attempt: 0.5 * 2 ** (attempt - 1)), ["runs waited exactly the same times", "jitter", "random.uniform"]),
        (
            retrying(delay=lambda attempt: random.uniform(0, 0.5 * 2 ** (attempt - 1))),
            ["less than half an earlier one", "full jitter", "random.uniform(0.5, 1.0)"],
        ),
        (retrying(delay=lambda attempt: 0.5 * random.uniform(0.5, 1.0)), ["not even 1.5 times the first", "base doubles"]),
        (retrying(tell_give_up=False), ["HTTP 400", "raised without a word", "when you give up too"]),
        (retrying(tell_last=False), ["when every stream fails", "said nothing when it gave up", "giving up"]),
        (retrying(pieces="whole"), ["twice where the first attempt stopped", "shown whole", "attempt_text[len(shown):]"]),
        (retrying(pieces="skip_crossing"), ["missed", "was skipped", "even from the middle of a piece"]),
        (retrying(delay=lambda attempt: 100.0 * attempt), ["waited up to 300 s", "cap the wait"]),
        (retrying(bounded=False), ["never stopped", "12 requests", "max_attempts + 1"]),
        (retrying(skip_shown=False), ["saw the first", "twice", "attempt_text[len(shown):]"]),
        (retrying(keep_retry_text=False), ["characters: the rest never reached the screen"]),
        (retrying(tell=False), ["retried without a word", "notice("]),
        (retrying(give_up="return"), ["when every stream fails", "the caller thinks it succeeded", "re-raise"]),
        (retrying(give_up="wrap"), ["with HTTP 400", "raised RuntimeError", "re-raise the anthropic.BadRequestError"]),
        (retrying(sleep_after_last=True), ["slept 4 times for 4 attempts", "sleep only before a retry"]),
        (retrying(own_sleep=True), ["without calling the sleep function it was given", "not time.sleep"]),
        (shows_all_at_once, ["called show once, with the whole answer"]),
    ],
)
def test_stream_with_retries_mistakes(attempt: Any, phrases: list[str]) -> None:
    assert_verdict(checks.judge_stream_with_retries(attempt), "wrong", *phrases)


async def written_async(client: Any, request: Any, show: Any, notice: Any, max_attempts: int = 4, sleep: Any = time.sleep) -> Any:
    return solutions.stream_with_retries(client, request, show, notice, max_attempts, sleep)


def test_an_async_def_wrapper_is_told_the_exercise_is_synchronous() -> None:
    assert_verdict(checks.judge_stream_with_retries(written_async), "wrong", "returned a coroutine", "synchronous", "drop async")


def judged_in_a_process_of_its_own(judge: str, attempt: str) -> tuple[str, float]:
    """The verdict and seconds of ``checks.<judge>(<attempt>)`` run in a fresh interpreter: the loop it leaves
    spinning in a thread (as it would in a student's kernel) ends with that process, not in this test session."""
    code = (
        "import sys, time; sys.path[:0] = ['tests/checks', 'tests']\n"
        "import test_lesson06 as t\n"
        "started = time.perf_counter()\n"
        f"verdict = t.checks.{judge}(t.{attempt})\n"
        "print(f'{time.perf_counter() - started:.2f}')\n"
        "print(verdict, flush=True)\n"
        "import os; os._exit(0)\n"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-W", "ignore", "-c", code], cwd=root, capture_output=True, text=True, timeout=60, check=True)
    seconds, _, verdict = done.stdout.partition("\n")
    return verdict, float(seconds)


def catches_everything(client: Any, request: Any, show: Any, notice: Any, max_attempts: int = 4, sleep: Any = time.sleep) -> Any:
    shown = ""
    while True:
        try:
            with client.messages.stream(**request) as stream:
                attempt_text = ""
                for text in stream.text_stream:
                    attempt_text += text
                    if len(attempt_text) > len(shown):
                        show(attempt_text[len(shown) :])
                        shown = attempt_text
                message = stream.get_final_message()
            if message.stop_reason is None:
                raise solutions.StreamEndedEarly("cut short")
            return message
        except:  # noqa: E722 - the mistake under test: it also catches the check's LimitReached
            notice("again")
            with contextlib.suppress(BaseException):  # the check's sleep raises once the request limit is reached
                sleep(0.5)


def test_a_loop_that_catches_everything_is_judged_in_time_and_told_to_restart_the_kernel() -> None:
    verdict, seconds = judged_in_a_process_of_its_own("judge_stream_with_retries", "catches_everything")
    assert seconds < 10 and "not right yet" in verdict, verdict
    assert "never stopped" in verdict and "restart the kernel" in verdict and "bare `except:`" in verdict, verdict


@pytest.mark.parametrize(
    ("delay", "status"),
    [
        (solutions.backoff_delay, "correct"),
        (lambda attempt: 0.5 * random.uniform(0.5, 1.0), "wrong"),  # jitter around a base that never grows
        (lambda attempt: random.uniform(0, 0.5 * 2 ** (attempt - 1)), "wrong"),  # full jitter
    ],
)
def test_backoff_verdicts_do_not_depend_on_luck(delay: Any, status: str) -> None:
    verdicts = {str(checks.judge_stream_with_retries(retrying(delay=delay))) for _ in range(3)}
    assert len(verdicts) == 1 or (status == "wrong" and all("not right yet" in verdict for verdict in verdicts)), verdicts
    assert all(status in verdict.splitlines()[0] for verdict in verdicts) or status == "wrong", verdicts


def test_a_regroup_step_sends_the_same_text_in_pieces_that_cross_the_first_attempt_s_end() -> None:
    with FaultPlan(["", "regroup"]).client() as client:
        with client.messages.stream(**REQUEST) as stream:
            first = list(stream.text_stream)
        with client.messages.stream(**REQUEST) as stream:
            second = list(stream.text_stream)
            assert stream.get_final_message().stop_reason == "end_turn"
    assert "".join(first) == "".join(second) and len(second) < len(first)
    ends = {len("".join(second[:n])) for n in range(len(second) + 1)}
    assert len(checks.partial_text(f"error@after={checks.BREAK_AFTER}")) not in ends


def test_a_swallowed_400_is_named() -> None:
    def swallow_400(err: Exception) -> bool:
        if isinstance(err, anthropic.BadRequestError):
            raise solutions.StreamEndedEarly("hidden") from None
        return solutions.is_retryable(err)

    assert_verdict(checks.judge_stream_with_retries(retrying(retryable=swallow_400)), "wrong", "HTTP 400", "do not swallow")


def test_a_wrapper_that_never_uses_its_client_is_told_so() -> None:
    def own_client(client: Any, request: Any, show: Any, notice: Any, max_attempts: int = 4, sleep: Any = time.sleep) -> Any:
        return solutions.stream_with_retries(FaultPlan([""]).client(), request, show, notice, max_attempts, sleep)

    assert_verdict(checks.judge_stream_with_retries(own_client), "wrong", "never sent a request with the client it was given")


# Exercise 2: typical mistakes --------------------------------------------------------------------


async def total_time_limit(client: Any, request: Any, stall_seconds: float, max_attempts: int = 3) -> str:
    for attempt in range(max_attempts):
        try:
            async with asyncio.timeout(stall_seconds), client.messages.stream(**request) as stream:
                return await stream.get_final_text()
        except TimeoutError:
            if attempt == max_attempts - 1:
                raise
    raise AssertionError


async def checks_the_gap_after_each_event(client: Any, request: Any, stall_seconds: float, max_attempts: int = 3) -> str:
    for attempt in range(max_attempts):
        async with client.messages.stream(**request) as stream:
            last = time.monotonic()
            stalled = False
            async for _ in stream:
                stalled = stalled or time.monotonic() - last > stall_seconds  # only noticed once the next event is here
                last = time.monotonic()
            if not stalled or attempt == max_attempts - 1:
                return await stream.get_final_text()
    raise AssertionError


def stalls(*, retry: bool = True, bounded: bool = True, swallow: bool = False, accumulate: bool = False, shield: bool = False) -> Any:
    """The reference exercise 2 with one mistake switched on."""

    async def wrapper(client: Any, request: Any, stall_seconds: float, max_attempts: int = 3) -> str:
        pieces: list[str] = []
        attempt = 0
        while not bounded or attempt < max_attempts:
            attempt += 1
            if not accumulate:
                pieces = []
            try:
                if shield:
                    stream = await client.messages.stream(**request).__aenter__()
                    texts = stream.text_stream.__aiter__()
                    while True:
                        try:
                            pieces.append(await asyncio.wait_for(asyncio.shield(anext(texts)), stall_seconds))
                        except StopAsyncIteration:
                            break
                else:
                    async with client.messages.stream(**request) as stream:
                        texts = stream.text_stream.__aiter__()
                        while True:
                            try:
                                pieces.append(await asyncio.wait_for(anext(texts), stall_seconds))
                            except StopAsyncIteration:
                                break
                return "".join(pieces)
            except TimeoutError:
                if not retry or (bounded and attempt == max_attempts):
                    if swallow:
                        return "".join(pieces)
                    raise
        return "".join(pieces)

    return wrapper


def whole_attempt_limit(seconds: float | None = None, factor: float = 3.0) -> Any:
    """A timeout around each whole attempt: ``seconds``, or ``factor`` times stall_seconds."""

    async def wrapper(client: Any, request: Any, stall_seconds: float, max_attempts: int = 3) -> str:
        for attempt in range(max_attempts):
            try:
                async with asyncio.timeout(seconds or factor * stall_seconds), client.messages.stream(**request) as stream:
                    return await stream.get_final_text()
            except TimeoutError:
                if attempt == max_attempts - 1:
                    raise
        raise AssertionError

    return wrapper


async def forgets_await(client: Any, request: Any, stall_seconds: float, max_attempts: int = 3) -> str:
    for attempt in range(max_attempts):
        try:
            async with client.messages.stream(**request) as stream:
                events = stream.__aiter__()
                while True:
                    try:
                        asyncio.wait_for(anext(events), timeout=stall_seconds)  # type: ignore[unused-coroutine]
                    except StopAsyncIteration:
                        break
                return await stream.get_final_text()
        except TimeoutError:
            if attempt == max_attempts - 1:
                raise
    raise AssertionError


def sync_stall_timeout(client: Any, request: Any, stall_seconds: float, max_attempts: int = 3) -> str:
    with client.messages.stream(**request) as stream:
        return "".join(stream.text_stream)


@pytest.mark.parametrize(
    ("attempt", "phrases"),
    [
        (total_time_limit, ["healthy answer", "cut off a stream that was still flowing", "limited the whole stream's time"]),
        (whole_attempt_limit(factor=3), ["healthy answer", "still flowing", "limited the whole stream's time"]),
        (whole_attempt_limit(seconds=1.2), ["healthy answer", "still flowing", "limited the whole stream's time"]),
        (whole_attempt_limit(seconds=2.6), ["goes silent", "sat through the whole silence", "limited the whole stream's time"]),
        (checks_the_gap_after_each_event, ["sat through the whole silence", "never cancelled", "asyncio.wait_for"]),
        (stalls(retry=False), ["raised TimeoutError", "instead of starting again", "catch TimeoutError"]),
        (stalls(bounded=False), ["every stream stalls", "requests with max_attempts=2", "bound the attempts"]),
        (stalls(swallow=True), ["every stream stalls", "the caller thinks the answer is complete", "do not swallow the timeout"]),
        (stalls(accumulate=True), ["stalled attempt's", "followed by the whole answer", "starts the answer over"]),
        (stalls(shield=True), ["never closed", "async with"]),
        (sync_stall_timeout, ["raised", "async def"]),
    ],
)
def test_stream_with_stall_timeout_mistakes(attempt: Any, phrases: list[str]) -> None:
    verdict = checks.judge_stream_with_stall_timeout(attempt)
    assert_verdict(verdict, "wrong", *phrases)
    if attempt is checks_the_gap_after_each_event:
        assert "whole stream's time" not in str(verdict)


def test_a_forgotten_await_is_named_in_time_and_told_to_restart_the_kernel() -> None:
    verdict, seconds = judged_in_a_process_of_its_own("judge_stream_with_stall_timeout", "forgets_await")
    assert seconds < 10 and "not right yet" in verdict, verdict
    assert "never awaited" in verdict and "asyncio.wait_for without await" in verdict and "restart the kernel" in verdict, verdict


def test_the_stall_verdict_reports_the_measured_time_into_the_silence() -> None:
    verdict = str(checks.judge_stream_with_stall_timeout(solutions.stream_with_stall_timeout))
    assert re.search(r"each cancelled 0\.[4-7]\d and 0\.[4-7]\d s into its silence", verdict), verdict


# Exercise 3: typical mistakes --------------------------------------------------------------------


def no_cache(message: Any, results: dict[str, Any], run_tool: Any) -> list[Any]:
    if message.stop_reason != "tool_use":
        return []
    return [run_tool(block) for block in message.content if block.type == "tool_use"]


def never_stores(message: Any, results: dict[str, Any], run_tool: Any) -> list[Any]:
    if message.stop_reason != "tool_use":
        return []
    return [results.get(block.id) or run_tool(block) for block in message.content if block.type == "tool_use"]


def cached_by_name(message: Any, results: dict[str, Any], run_tool: Any) -> list[Any]:
    if message.stop_reason != "tool_use":
        return []
    answers = []
    for block in message.content:
        if block.type == "tool_use":
            if block.name not in results:
                results[block.name] = run_tool(block)
            answers.append(results[block.name])
    return answers


def runs_unfinished_messages(message: Any, results: dict[str, Any], run_tool: Any) -> list[Any]:
    answers = []
    for block in message.content:
        if block.type == "tool_use":
            if block.id not in results:
                results[block.id] = run_tool(block)
            answers.append(results[block.id])
    return answers


def returns_only_new_results(message: Any, results: dict[str, Any], run_tool: Any) -> list[Any]:
    if message.stop_reason != "tool_use":
        return []
    answers = []
    for block in message.content:
        if block.type == "tool_use" and block.id not in results:
            results[block.id] = run_tool(block)
            answers.append(results[block.id])
    return answers


def setdefault_runs_first(message: Any, results: dict[str, Any], run_tool: Any) -> list[Any]:
    if message.stop_reason != "tool_use":
        return []
    return [results.setdefault(block.id, run_tool(block)) for block in message.content if block.type == "tool_use"]


def all_stored_results(message: Any, results: dict[str, Any], run_tool: Any) -> list[Any]:
    solutions.run_tools_once(message, results, run_tool)
    return list(results.values())


def cached_by_input(message: Any, results: dict[str, Any], run_tool: Any) -> list[Any]:
    if message.stop_reason != "tool_use":
        return []
    answers = []
    for block in message.content:
        if block.type == "tool_use":
            key = json.dumps(block.input, sort_keys=True)
            if key not in results:
                results[key] = run_tool(block)
            answers.append(results[key])
    return answers


def cached_by_message(message: Any, results: dict[str, Any], run_tool: Any) -> list[Any]:
    if message.stop_reason != "tool_use":
        return []
    if message.id not in results:
        results[message.id] = [run_tool(block) for block in message.content if block.type == "tool_use"]
    return list(results[message.id])


def a_generator(message: Any, results: dict[str, Any], run_tool: Any) -> Any:
    if message.stop_reason != "tool_use":
        return
    for block in message.content:
        if block.type == "tool_use":
            if block.id not in results:
                results[block.id] = run_tool(block)
            yield results[block.id]


def forgets_return(message: Any, results: dict[str, Any], run_tool: Any) -> None:
    solutions.run_tools_once(message, results, run_tool)


def returns_contents(message: Any, results: dict[str, Any], run_tool: Any) -> list[Any]:
    return [answer["content"] for answer in solutions.run_tools_once(message, results, run_tool)]


@pytest.mark.parametrize(
    ("attempt", "phrases"),
    [
        (no_cache, ["ran 2 tool call(s) twice", "4 runs for 2 calls", "look for block.id in results"]),
        (never_stores, ["ran 2 tool call(s) twice", "store each result in results[block.id]"]),
        (cached_by_name, ["ran the tool once for two different calls", "not by block.name"]),
        (runs_unfinished_messages, ["stop_reason None", "ran 2 tool call(s)", "return [] unless"]),
        (returns_only_new_results, ["not what the next request needs", "also when it came from results"]),
        (forgets_return, ["Right: it ran the tools.", "returned None"]),
        (returns_contents, ["not what the next request needs", "one tool_result per tool_use block"]),
        (setdefault_runs_first, ["ran 2 tool call(s) twice", "runs the tool first", "before setdefault looks"]),
        (all_stored_results, ["already held an earlier call's result", "returned that result too", "this message's only"]),
        (cached_by_input, ["stored the results under", "not under the tool_use blocks' ids", "same input"]),
        (cached_by_message, ["stored the results under 'msg_", "key results by block.id"]),
        (a_generator, ["returned a generator", "return answers"]),
    ],
)
def test_run_tools_once_mistakes(attempt: Any, phrases: list[str]) -> None:
    assert_verdict(checks.judge_run_tools_once(attempt), "wrong", *phrases)
