"""Lesson 06's quiz: who retries what, typed errors, a retry loop, stalls, continuing an answer, tools that run once.

Behaviour checked on anthropic 2.14.0: the retry loop in ``SyncAPIClient.request``
(``_base_client.py``) covers one attempt up to its response headers, and ``_should_retry``
takes 408, 409, 429 and >= 500; an ``error`` event raises a bare ``APIStatusError`` with the
response's status, 200 (``Stream.__stream__`` in ``_streaming.py``, ``make_status_error`` in
``_error_classes.py``); ``_idempotency_header`` is left unset. The printed values were run under
replay with the lesson's fault plans (``helpers.teaching.fault_plan.FaultPlan``).
"""

from __future__ import annotations

from helpers.teaching.quiz import Choice, Order, Quiz

ERROR_EVENT_CLASS = """\
try:
    with FaultPlan(["error@after=10"]).client().messages.stream(**backoff_request) as stream:
        stream.until_done()
except anthropic.OverloadedError:
    print("overloaded")
except anthropic.APIStatusError as err:
    print(err.status_code, err.type)"""

NAIVE_RETRY = """\
def answer(client, request):
    for attempt in range(1, 4):
        try:
            with client.messages.stream(**request) as stream:
                for text in stream.text_stream:
                    print(text, end="", flush=True)
                return stream.get_final_message()
        except Exception:
            time.sleep(1)"""

STALL_AFTER_THE_FACT = """\
async with client.messages.stream(**request) as stream:
    last = time.monotonic()
    async for event in stream:
        if time.monotonic() - last > stall_seconds:
            raise TimeoutError
        last = time.monotonic()"""

CUT_SNAPSHOT = """\
snapshot = stream.current_message_snapshot
print(snapshot.stop_reason, snapshot.usage.output_tokens)"""


def quiz() -> Quiz:
    """A fresh quiz (its score starts at zero)."""
    return Quiz(
        "Lesson 06 · Quick quiz",
        [
            Choice(
                "Your client has `max_retries=5`. The connection drops after half the answer has streamed. "
                "How many times does the SDK retry?",
                (
                    "5 times, with growing waits.",
                    "Once: a dropped connection is a connection error.",
                    "Not at all: httpx2.RemoteProtocolError reaches your code, after one request.",
                    "Until the whole answer has arrived.",
                ),
                2,
                (
                    "The SDK's retry loop covers one HTTP attempt up to its response headers; the body is read afterwards, by your "
                    "loop, outside it.",
                    "The SDK retries connection errors while it sends the request and waits for the headers; this one happens while "
                    "your loop reads the body.",
                    "Right: one request, and an httpx2.TransportError in your code. Retrying it is your job.",
                    "The SDK never retries a stream that failed midway, and max_retries bounds even what it does retry.",
                ),
            ),
            Choice(
                "The plan's stream gets an `overloaded_error` event after some text.",
                ("overloaded", "200 overloaded_error", "529 overloaded_error", "Nothing: until_done() ignores error events."),
                1,
                (
                    "OverloadedError is the class for an HTTP 529; the class is chosen by the response's status, and this response "
                    "began with 200.",
                    "Right: a mid-stream error event is raised as a bare APIStatusError whose status_code is the response's. "
                    "Branch on err.type for error events.",
                    "status_code is the response's, and the response said 200 before the error event came.",
                    "until_done() reads the stream to its end, and the error event raises on the way.",
                ),
                code=ERROR_EVENT_CLASS,
                kind="prints",
            ),
            Choice(
                "This retries a streamed answer up to three times.",
                (
                    "Only the wait: it should grow, time.sleep(attempt); the rest is a sound retry loop.",
                    "return inside the with block skips closing the stream, so each retry leaves a connection open.",
                    "except Exception also catches Ctrl-C, so the reader cannot stop it.",
                    "It retries everything (a 400 too), waits 1 s with no growth or jitter, returns None after the last failure, "
                    "and prints the answer from its start again at each retry.",
                ),
                3,
                (
                    "A growing wait fixes one of the four: it would still retry a 400, return None when every attempt failed, and "
                    "repeat the text the reader has seen.",
                    "Leaving a with block by return closes it like any other exit.",
                    "Ctrl-C raises KeyboardInterrupt, a BaseException and not an Exception: it gets through.",
                    "Right: check is_retryable, back off with jitter, re-raise after the last attempt, and show only "
                    "attempt_text[len(shown):]. It also accepts a stream that ended without a stop_reason, and never tells the "
                    "reader why the text stopped.",
                ),
                code=NAIVE_RETRY,
                kind="bug",
            ),
            Choice(
                "This stall detector should give up on a stream that stays silent for `stall_seconds`.",
                (
                    "It measures a gap only once the next event has arrived, so it cancels nothing: it waits out the whole silence.",
                    "time.monotonic() can jump; use time.time().",
                    "It should put asyncio.timeout(stall_seconds) around the whole stream instead.",
                    "Raising TimeoutError inside async with leaves the response open.",
                ),
                0,
                (
                    "Right: put the limit on the wait itself, await asyncio.wait_for(anext(events), timeout=stall_seconds), which "
                    "cancels the read; leaving async with closes the stream, then retry. (And if the silence was the end, this code "
                    "says nothing at all.)",
                    "time.monotonic() is the clock for intervals: it never goes back; time.time() can.",
                    "That limits the total time, not the silence: a 0.5 s limit cut off a healthy answer that was never silent for "
                    "more than 0.2 s.",
                    "Leaving async with, by an exception or otherwise, closes the response.",
                ),
                code=STALL_AFTER_THE_FACT,
                kind="bug",
            ),
            Choice(
                "Why jitter, when exponential backoff already spreads retries out?",
                (
                    "Backoff spreads one client's retries over time, but clients that failed together come back together, at 0.5 s, "
                    "1 s, 2 s…; a random factor spreads them apart.",
                    "Jitter spreads one client's retries further apart than doubling does.",
                    "Jitter keeps a 400 from being retried.",
                ),
                0,
                (
                    "Right: the server sees a trickle instead of a wave (the recorded answer of this lesson says the same).",
                    "Doubling already spreads one client's retries; jitter is about the many clients that failed at the same moment.",
                    "Which failures to retry is a separate decision (is_retryable); jitter only changes when.",
                ),
            ),
            Choice(
                "A stream broke mid-answer on `claude-sonnet-4-6`. Why not send the partial text as the last, assistant, message "
                "so the model carries on?",
                (
                    "That is prefilling, which Claude 4.6 models refuse with HTTP 400; keep the partial text as an assistant turn and "
                    "add a user turn that quotes where it stopped.",
                    "It works, but the model starts its answer again from the beginning.",
                    "There is no need: the SDK's retry continues the answer.",
                    "It works; it just costs more than a retry.",
                ),
                0,
                (
                    "Right: BadRequestError, invalid_request_error; the conversation must end with a user message. Or retry from the "
                    "start, when little was shown or the output must be whole.",
                    "On these models it does not work at all: the request is refused with a 400.",
                    "The SDK never retries a stream that failed midway, and never continues one.",
                    "It is refused with a 400. And continuing a long partial answer saves generating it again.",
                ),
            ),
            Choice(
                "The connection dropped after 20 events; `message_start` had said `output_tokens=5`, and 282 characters had arrived.",
                ("None 5", "None 70", "end_turn 102", "An AttributeError: a failed stream has no snapshot."),
                0,
                (
                    "Right: the final count arrives in message_delta, which never came. Log request_id, the snapshot's input_tokens, "
                    "this 5 marked as an early count, and an estimate from the characters received.",
                    "About 70 is an estimate from 282 characters at 4 a token; the snapshot's count is not updated piece by piece.",
                    "102 is the whole answer's count, from a stream that finished; this one never got its message_delta.",
                    "The snapshot keeps what arrived before the failure; only its stop reason and final usage are missing.",
                ),
                code=CUT_SNAPSHOT,
                kind="prints",
            ),
            Choice(
                "Your retry re-sends a conversation whose last assistant turn called `charge_card`. "
                "What keeps the card from being charged twice?",
                (
                    "Results kept by tool_use id across retries; and, for a retry in which the model asks again with a new id, an "
                    "idempotency key that the payment service honours.",
                    "The idempotency header the SDK adds to each Messages request, which the API uses to drop repeats.",
                    "Nothing is needed: the model remembers that it called the tool.",
                    "Running tools only from a message whose stop_reason is 'tool_use'.",
                ),
                0,
                (
                    "Right: the re-sent turn has the same id, so the stored result is sent and the tool does not run; the key, built "
                    "from the user's turn and the call's name and input, catches what the id cannot.",
                    "The SDK adds no idempotency header to Messages requests (it leaves _idempotency_header unset); the key is your "
                    "application's.",
                    "The model has no memory between requests, and your loop runs every call it is given unless you stop it.",
                    "That rule is needed too, but a retried turn that finished with tool_use passes it, and would run again.",
                ),
            ),
            Order(
                "A retry loop meets a dropped connection, from first to last.",
                (
                    "the attempt streams, and the reader sees its text",
                    "the connection drops mid-answer",
                    "is_retryable(err) says a later attempt may succeed, and attempts remain",
                    "tell the reader what happened, and how long the wait is",
                    "sleep(backoff_delay(attempt)): doubling, capped, times a random factor",
                    "the next attempt streams, showing only attempt_text[len(shown):]",
                ),
                shown=(2, 5, 1, 3, 0, 4),
                explanation=(
                    "Decide first whether to try again at all; tell the reader before the wait; and show each character once across "
                    "attempts. After the last attempt, re-raise."
                ),
            ),
        ],
    )
