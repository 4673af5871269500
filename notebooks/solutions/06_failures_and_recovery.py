"""Reference solutions for the exercises of notebooks/06_failures_and_recovery.ipynb.

Try the exercises first. Each function has the notebook's signature, so it can be pasted into
its exercise cell as it is; the check cell below that cell then reports it correct.
"""

import asyncio
import random
import time

import anthropic
import httpx2

RETRYABLE_TYPES = {"overloaded_error", "api_error", "rate_limit_error", "timeout_error"}
NOT_RETRYABLE_CODES = {"contract_spend_limit_reached", "enforced_spend_limit_reached"}  # 429s that waiting does not fix


class StreamEndedEarly(Exception):
    """The stream closed cleanly before message_delta: no stop_reason, the answer is cut short."""


def is_retryable(err):
    """True for failures a later attempt may not meet: overload, server errors, dropped or cut streams."""
    if isinstance(err, anthropic.APIStatusError):
        if err.error_code in NOT_RETRYABLE_CODES:
            return False  # a spend limit: a later attempt fails the same way
        return err.type in RETRYABLE_TYPES or err.status_code in (408, 409, 429) or err.status_code >= 500
    return isinstance(err, (anthropic.APIConnectionError, httpx2.TransportError, StreamEndedEarly))


def backoff_delay(retry, base=0.5, cap=8.0):
    """Seconds to wait before retry number `retry` (1, 2, ...): doubling, capped, times a random 0.5-1."""
    return min(cap, base * 2 ** (retry - 1)) * random.uniform(0.5, 1.0)


def stream_with_retries(client, request, show, notice, max_attempts=4, sleep=time.sleep):
    """Exercise 1: stream `request`, showing each character once; retry retryable failures with backoff."""
    shown = ""  # what the reader has on screen, across attempts
    for attempt in range(1, max_attempts + 1):
        attempt_text = ""
        try:
            with client.messages.stream(**request) as stream:
                for text in stream.text_stream:
                    attempt_text += text
                    if not (shown.startswith(attempt_text) or attempt_text.startswith(shown)):
                        notice("the new answer differs from what you read; here it is from the start")
                        shown = ""
                    if len(attempt_text) > len(shown):
                        show(attempt_text[len(shown) :])  # only what the reader has not seen yet
                        shown = attempt_text
                message = stream.get_final_message()
            if message.stop_reason is None:
                raise StreamEndedEarly("the stream ended before message_delta")
            return message
        except Exception as err:
            if not is_retryable(err):
                notice(f"this request cannot succeed as it is ({type(err).__name__}); not retrying")
                raise
            if attempt == max_attempts:
                notice(f"still failing after {attempt} attempts; giving up")
                raise
            delay = backoff_delay(attempt)
            notice(f"interrupted ({type(err).__name__}); trying again in {delay:.1f} s")
            sleep(delay)
    raise AssertionError("unreachable: the last attempt returns or raises")


async def stream_with_stall_timeout(client, request, stall_seconds, max_attempts=3):
    """Exercise 2: the answer's text; a stream silent for `stall_seconds` is cancelled and started again."""
    for attempt in range(1, max_attempts + 1):
        try:
            async with client.messages.stream(**request) as stream:
                events = stream.__aiter__()
                while True:
                    try:
                        await asyncio.wait_for(anext(events), timeout=stall_seconds)
                    except StopAsyncIteration:
                        break
                message = await stream.get_final_message()
            return "".join(block.text for block in message.content if block.type == "text")
        except TimeoutError:
            if attempt == max_attempts:
                raise
    raise AssertionError("unreachable: the last attempt returns or raises")


def run_tools_once(message, results, run_tool):
    """Exercise 3: the tool_result blocks for `message`, running each tool_use id at most once."""
    if message.stop_reason != "tool_use":
        return []  # an unfinished message: its tool calls may be cut short, so run nothing
    answers = []
    for block in message.content:
        if block.type == "tool_use":
            if block.id not in results:
                results[block.id] = run_tool(block)
            answers.append(results[block.id])
    return answers
