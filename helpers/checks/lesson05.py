"""Automatic checks for the exercises of lesson 05 (a streaming web app).

Exercise 1 serves the student's event generator behind ``POST /api/stream`` on 127.0.0.1 (the
course's ``EventStream`` response, a replaying client that notes what it sends and whether its
response was closed) and reads it with ``httpx2`` as a browser would, three times: a whole answer,
an answer broken by an error event, and a page that leaves while the model is silent. Exercise 2
feeds the student's parser a body cut into chunks in the ways a network cuts them. Every run is
bounded (seconds, bytes, requests), so an unfinished or runaway attempt gets a verdict, not a hang.
``judge_*`` return a :class:`Verdict` (tests use them); ``check_*`` print it (the notebook uses them).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import inspect
import itertools
import json
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import anthropic
import httpx2
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from helpers import config
from helpers.checks.bounded import run_in_thread
from helpers.checks.common import Exercise, Verdict, a_type, first_line, not_a_function, recorded_request
from helpers.errors import NoRecordingError
from helpers.replay import recording_file, sse
from helpers.replay.matching import meaningful_body, request_json
from helpers.teaching.fault_plan import FaultPlan
from helpers.web.app import EventStream
from helpers.web.events import event
from helpers.web.server import serve_in_background

RECORDING = "web_markdown"
ERROR_FAULT = "error@after=40"  # an overloaded_error event in the middle of the answer
LEAVE_SPEED = 10.0  # the leaving run replays ten times faster than recorded ...
LEAVE_FAULT = "stall@after=12,seconds=30"  # ... so the model's 30 s silence after a few pieces lasts 3 s
FIRST_EVENT_WITHIN_S = 2.0  # a relay that streams has sent its first event long before the silence ends
CLOSED_WITHIN_S = 1.5  # once the page has left, the model's response must be closed within this
READ_LIMIT_S = 3.0  # one response is read for at most this long (a right relay needs well under 1 s) ...
SLOW_S = 1.5  # at no-wait speed a whole answer through a relay that waits for nothing takes far less
READ_LIMIT_BYTES = 1_000_000  # ... and this many bytes
PARSE_LIMIT_S = 5.0  # exercise 2: the parser's whole run
EVENT_NAMES = ("text", "done", "error")
FIELDS = ("event", "data", "id", "retry")

RELAY_EVENTS = Exercise(
    1,
    "relay_events",
    recipe="write `async def relay_events(client, messages):` with `yield` inside: in `async with "
    "client.messages.stream(model=helpers.MODEL, max_tokens=MAX_TOKENS, messages=messages) as stream:` yield "
    'sse("text", {"text": text}) for each piece of stream.text_stream; after the loop yield sse("done", ...) with '
    "the final message's stop_reason and usage; around it all, catch anthropic.APIStatusError and yield "
    'sse("error", {"type": err.type, "message": err.api_message}).',
    returns="nothing: yield each event as bytes",
    kind=bytes,
    kind_words="bytes",
)
PARSE_SSE = Exercise(
    2,
    "parse_sse",
    recipe="join pending + chunk, turn each b'\\r\\n' into b'\\n', split at b'\\n\\n' and keep the last part as the new "
    "pending; decode each finished block, skip lines that start with ':', read 'event:' and 'data:' lines (one "
    "space after the colon is optional), join the data lines with '\\n', and keep the events that have data, "
    "named 'message' when they have no event line.",
    returns="(events, pending): a list of (name, data) pairs and the bytes still waiting for their blank line",
    kind=tuple,
    kind_words="a tuple (events, pending)",
)


# What the recording holds -----------------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    """The exercise recording's answer, as a relay should pass it on."""

    request: dict[str, Any]
    pieces: list[str]
    stop_reason: str
    usage: dict[str, int]
    early_output_tokens: int  # what message_start says, before the final count arrives

    @property
    def text(self) -> str:
        return "".join(self.pieces)

    @property
    def messages(self) -> list[Any]:
        return list(self.request["messages"])


@functools.cache
def expected() -> Expected:
    """The exercise recording as the SDK reads it, and the early output count its message_start carries."""
    request = recorded_request(RECORDING)
    with FaultPlan([""]).client() as client, client.messages.stream(**request) as stream:
        pieces = list(stream.text_stream)
        message = stream.get_final_message()
    body = recording_file.load(config.fixtures_dir() / f"{RECORDING}.json").exchanges[-1].response.body
    start = next(e for e in sse.parse(body).events if e.event == "message_start").json()
    usage = {"input_tokens": message.usage.input_tokens, "output_tokens": message.usage.output_tokens}
    return Expected(request, pieces, str(message.stop_reason), usage, int(start["message"]["usage"]["output_tokens"]))


# Exercise 1: serving the student's generator ----------------------------------------------------


@dataclass
class Seen:
    """What the server saw of the student's generator in one run."""

    made: Any = None  # what calling the function returned, when it was not an async iterator
    returned: Any = None  # what awaiting it gave, when it was a coroutine
    error: Exception | None = None  # what it raised, if anything
    chunks: int = 0
    str_chunks: int = 0
    bad_chunk: Any = None  # a chunk that was neither bytes nor str


class WatchedPlan(FaultPlan):
    """A fault plan that also keeps the JSON body of each request it serves."""

    bodies: list[dict[str, Any]]

    def __post_init__(self) -> None:
        super().__post_init__()
        self.bodies = []

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        self.bodies.append(request_json(request) or {})
        return await super().handle_async_request(request)


async def _watched(
    events: Callable[..., Any], client: anthropic.AsyncAnthropic, messages: list[Any], seen: Seen
) -> AsyncGenerator[bytes, None]:
    """The student's events passed on unchanged (str encoded, as Starlette does); a failure is noted, not raised.

    Ending quietly instead of raising keeps a student's traceback out of the server's log; what the
    page would have seen (a connection cut short) is what the verdict then says.
    """
    try:
        made = events(client, messages)
    except Exception as err:
        seen.error = err
        return
    if inspect.iscoroutine(made):
        try:
            seen.returned = await asyncio.wait_for(made, READ_LIMIT_S)
        except Exception as err:
            seen.error = err
        seen.made = made
        return
    if not isinstance(made, AsyncIterator):
        seen.made = made
        if inspect.isgenerator(made):
            made.close()
        return
    try:
        async for chunk in made:
            if isinstance(chunk, str):
                seen.str_chunks += 1
                chunk = chunk.encode()
            if not isinstance(chunk, bytes):
                seen.bad_chunk = chunk
                return
            seen.chunks += 1
            yield chunk
    except Exception as err:
        seen.error = err
    finally:
        closing = getattr(made, "aclose", None)
        if closing is not None:
            with contextlib.suppress(Exception):
                await closing()


def relay_app(events: Callable[..., Any], plan: FaultPlan, seen: Seen) -> Starlette:
    """``POST /api/stream`` relaying ``events(client, messages)``; the client replays through ``plan``."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.client = plan.async_client()
        yield
        await app.state.client.close()

    async def stream(request: Request) -> Response:
        messages = (await request.json())["messages"]
        return EventStream(_watched(events, request.app.state.client, messages, seen))

    return Starlette(routes=[Route("/api/stream", stream, methods=["POST"])], lifespan=lifespan)


@dataclass
class Run:
    """One request to the student's relay, as the browser saw it and as the model's side saw it."""

    plan: WatchedPlan
    seen: Seen
    body: bytes = b""
    broken: str = ""  # how reading the response failed, if it did
    first_event_at: float | None = None  # seconds from the POST to the first complete event
    closed_after_leaving: bool | None = None  # leaving run: was the model's response closed in time?
    events: list[tuple[str, Any]] = field(default_factory=list)
    seconds: float = 0.0  # from the POST to the end of reading

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.events]

    def data_of(self, name: str) -> list[Any]:
        return [data for n, data in self.events if n == name]


def run_relay(events: Callable[..., Any], fault: str = "", leave: bool = False) -> Run:
    """Serve ``events`` on 127.0.0.1 and POST the exercise's conversation once.

    ``leave``: replay fast with a long silence, read until the first event, then close the
    connection as a page does when the reader presses Stop, and watch the model's response.
    """
    plan = WatchedPlan([fault], speed=LEAVE_SPEED if leave else 0.0, limit=3)
    seen = Seen()
    run = Run(plan, seen)
    body = {"messages": expected().messages}
    with serve_in_background(relay_app(events, plan, seen)) as server:
        started = time.perf_counter()
        try:
            with (
                httpx2.Client(
                    timeout=httpx2.Timeout(READ_LIMIT_S, read=FIRST_EVENT_WITHIN_S if leave else READ_LIMIT_S), trust_env=False
                ) as http,
                http.stream("POST", server.url + "api/stream", json=body) as response,
            ):
                for chunk in response.iter_raw():
                    run.body += chunk
                    if run.first_event_at is None and sse.parse(run.body).events:  # a comment is no event
                        run.first_event_at = time.perf_counter() - started
                    waited = time.perf_counter() - started
                    if leave and (run.first_event_at is not None or waited > FIRST_EVENT_WITHIN_S):
                        break
                    if waited > READ_LIMIT_S or len(run.body) > READ_LIMIT_BYTES:
                        break
        except httpx2.TransportError as err:
            run.broken = f"{type(err).__name__}: {err}"
        run.seconds = time.perf_counter() - started
        if leave:
            left = time.perf_counter()
            while time.perf_counter() - left < CLOSED_WITHIN_S and not (plan.attempts and plan.attempts[0].closed):
                time.sleep(0.02)
            run.closed_after_leaving = bool(plan.attempts and plan.attempts[0].closed)
    run.events = [(e.event or "message", _json_or_none(e.data)) for e in sse.parse(run.body).events]
    return run


def _json_or_none(data: str) -> Any:
    try:
        return json.loads(data)
    except ValueError:
        return None


def judge_relay_events(relay_events: Callable[..., Any]) -> Verdict:
    """Exercise 1: a whole answer, an answer broken by an error event, and a page that leaves early."""
    ex = RELAY_EVENTS
    if not callable(relay_events):
        return not_a_function(ex, relay_events)
    want = expected()
    whole = run_relay(relay_events)
    verdict = _not_a_generator(whole.seen) or _slow(whole) or _failed(whole) or _own_client(whole) or _framing(whole.body)
    verdict = verdict or _whole_answer(whole, want)
    if verdict is not None:
        return verdict
    broken = run_relay(relay_events, fault=ERROR_FAULT)
    verdict = _failed(broken, during="an answer broken off by an error event") or _framing(broken.body) or _error_forwarded(broken, want)
    if verdict is not None:
        return verdict
    left = run_relay(relay_events, fault=LEAVE_FAULT, leave=True)
    verdict = _left(left)
    if verdict is not None:
        return verdict
    texts, done = len(whole.data_of("text")), whole.data_of("done")[0]
    partial = "".join(d["text"] for d in broken.data_of("text"))
    note = " Your events were str; Starlette encodes str as UTF-8, so the bytes on the wire are the same." if whole.seen.str_chunks else ""
    read = left.plan.attempts[0]
    return ex.verdict(
        "correct",
        right=f"{texts} text events carried the whole answer ({len(want.text)} characters), then done with stop_reason "
        f"{done['stop_reason']} and usage {done['usage']['input_tokens']} in / {done['usage']['output_tokens']} out; "
        f"the broken answer ended with an error event ({broken.data_of('error')[0]['type']}) after {len(partial)} "
        f"characters; and when the page left after the first event, the model's response was closed "
        f"({read.chunks_read} chunks read, the rest never downloaded).{note}",
    )


def _slow(run: Run) -> Verdict | None:
    """A relay that waits of its own accord: a sleep per piece, or a blocking call that stalls the server."""
    if run.seconds <= SLOW_S or not run.seen.chunks:
        return None
    return RELAY_EVENTS.verdict(
        "wrong",
        wrong=f"the model's answer arrived at once (no-wait replay), yet your relay took {run.seconds:.1f} s to pass it on"
        + (" and was cut off there" if run.seconds >= READ_LIMIT_S else "")
        + ": something in its loop waits.",
        hint="yield each event as soon as its piece arrives; no sleep in the loop (time.sleep would also stall the whole "
        "server, which runs every page's relay on one event loop).",
    )


def _not_a_generator(seen: Seen) -> Verdict | None:
    ex = RELAY_EVENTS
    if seen.chunks or seen.bad_chunk is not None or (seen.made is None and seen.error is None):
        return None
    if isinstance(seen.error, NotImplementedError) or (
        seen.error is None and inspect.iscoroutine(seen.made) and seen.returned in (None, ...)
    ):
        return ex.verdict("unfinished", wrong="relay_events has no `yield` yet, so it sends the page nothing.", hint=ex.recipe)
    if inspect.isgenerator(seen.made):
        return ex.verdict(
            "wrong",
            wrong="relay_events is a plain generator (`def` with `yield`): the server awaits async events, and the "
            "client is an AsyncAnthropic.",
            hint="write `async def relay_events(client, messages):`, use `async with` and `async for` inside, and yield.",
        )
    if inspect.iscoroutine(seen.made) or seen.made is not None:
        what = seen.returned if inspect.iscoroutine(seen.made) else seen.made
        if seen.error is not None and not isinstance(seen.error, NotImplementedError):
            return None  # reported by _failed
        if what in (None, ...):
            return ex.verdict("unfinished", wrong="relay_events has no `yield` yet, so it sends the page nothing.", hint=ex.recipe)
        return ex.verdict(
            "wrong",
            wrong=f"relay_events returned {a_type(what)} at the end instead of yielding each event: the page would get "
            "nothing until the whole answer was read.",
            hint="yield each event as soon as it is made (`yield sse(...)` inside the loop); a generator has no `return value`.",
        )
    return None


def _failed(run: Run, during: str = "a whole answer") -> Verdict | None:
    """The verdict when the generator raised, yielded something that is not bytes, or sent no request."""
    ex, seen, err = RELAY_EVENTS, run.seen, run.seen.error
    if seen.bad_chunk is not None:
        return ex.verdict(
            "wrong",
            wrong=f"it yielded {a_type(seen.bad_chunk)} ({_short(seen.bad_chunk)}): a response body is bytes.",
            hint='yield the framed event as bytes: sse("text", {"text": text}), which ends in .encode().',
        )
    if err is None:
        return None
    if isinstance(err, anthropic.APIStatusError) and during != "a whole answer":
        return ex.verdict(
            "wrong",
            wrong=f"during {during}, the SDK's {type(err).__name__} escaped your generator after {seen.chunks} chunks: the "
            "server can only cut the connection, and the page learns that something broke, not what.",
            hint="catch anthropic.APIStatusError around the stream and yield an error event with err.type and "
            "err.api_message; the page then keeps the partial answer and says why it ended.",
        )
    if isinstance(err, NoRecordingError) or (run.plan.bodies and _request_problem(run.plan.bodies[0])):
        return _request_verdict(run)
    if isinstance(err, TypeError) and "JSON serializable" in str(err):
        return ex.verdict(
            "wrong",
            wrong=f"during {during}, it raised {first_line(err)}",
            hint="json.dumps writes dicts, lists, strings and numbers, not SDK objects: send "
            "{'input_tokens': message.usage.input_tokens, 'output_tokens': message.usage.output_tokens}.",
        )
    return ex.verdict("wrong", wrong=f"during {during}, it raised {first_line(err)} after {seen.chunks} chunks.", hint=ex.recipe)


def _own_client(run: Run) -> Verdict | None:
    if run.plan.requests:
        return None
    return RELAY_EVENTS.verdict(
        "wrong",
        wrong="it never sent a request with the client it was given.",
        hint="use the `client` and `messages` parameters: the server hands each request its own client (its requests are "
        "the ones the check can break and watch).",
    )


def _request_problem(body: dict[str, Any]) -> str:
    """What differs from the recorded request, in words; empty if nothing does."""
    want = meaningful_body({**recorded_request(RECORDING), "stream": True})
    got = meaningful_body(body)
    if not got["stream"]:
        return "stream"
    for key in ("messages", "max_tokens"):
        if got.get(key) != want.get(key):
            return key
    extra = sorted(set(got) - set(want))
    return extra[0] if extra else ""


def _request_verdict(run: Run) -> Verdict:
    ex = RELAY_EVENTS
    problem = _request_problem(run.plan.bodies[0]) if run.plan.bodies else ""
    if problem == "stream":
        return ex.verdict(
            "wrong",
            wrong="it asked the model with messages.create(...) and no stream: the answer arrives in one piece at the end, "
            "so the page would wait as long as without a relay.",
            hint="use `async with client.messages.stream(...) as stream:` and yield an event for each piece of stream.text_stream.",
        )
    what = {"messages": "a different conversation", "max_tokens": "a different max_tokens"}.get(problem, f"an extra field {problem!r}")
    return ex.verdict(
        "wrong",
        wrong=f"it sent a request that no recording answers: {what}.",
        hint="send model=helpers.MODEL, max_tokens=MAX_TOKENS and the messages you are given, and nothing else.",
    )


def _short(value: Any, limit: int = 70) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _framing(body: bytes) -> Verdict | None:
    """The verdict when the bytes are not well-framed server-sent events with JSON data."""
    ex = RELAY_EVENTS
    lines = body.decode("utf-8", errors="replace").replace("\r\n", "\n").split("\n")
    if not body:
        return ex.verdict("wrong", wrong="it sent no bytes at all.", hint=ex.recipe)
    if not any(line.startswith("data:") for line in lines):
        return ex.verdict(
            "wrong",
            wrong=f"its bytes have no `data:` line (they start {_short(body[:50])}): a browser's parser drops a line that "
            "is not a field, so the page would show nothing.",
            hint="frame each event as lines: f\"event: text\\ndata: {json.dumps({'text': text})}\\n\\n\".",
        )
    if b"\n\n" not in body.replace(b"\r\n", b"\n"):
        return ex.verdict(
            "wrong",
            wrong="no event ends with a blank line, so a browser never dispatches one: the page would wait for ever.",
            hint="end every event with an empty line: the framed event ends in \\n\\n (one \\n ends the data line, the "
            "second makes the blank line).",
        )
    stray = [line for line in lines if line and not line.startswith(":") and line.partition(":")[0] not in FIELDS]
    if stray:
        return ex.verdict(
            "wrong",
            wrong=f"a line of the body is not a field: {_short(stray[0], 50)}. A newline inside the data (the text's own "
            "newline, or indented JSON) starts a line the browser drops, and a blank line in it ends the event early.",
            hint="put the data on one line: json.dumps(...) writes a newline as \\n (and leave out indent=).",
        )
    blocks = body.replace(b"\r\n", b"\n").split(b"\n\n")
    merged = [block for block in blocks if sum(line.startswith(b"event:") for line in block.split(b"\n")) > 1]
    if merged:
        return ex.verdict(
            "wrong",
            wrong=f"several events ran together into one ({_short(merged[0][:70])}): without a blank line between them, a "
            "browser reads one event whose data lines are all joined.",
            hint="end every event with an empty line: the framed event ends in \\n\\n.",
        )
    parsed = sse.parse(body)
    for found in parsed.events:
        if _json_or_none(found.data) is None:
            return ex.verdict(
                "wrong",
                wrong=f"the data of an event is not JSON: {_short(found.data, 50)}.",
                hint="write data: json.dumps({...}) so that quotes and newlines are escaped and the page can JSON.parse it.",
            )
    if parsed.undispatched:
        return ex.verdict(
            "wrong",
            wrong=f"the last event has no blank line after it ({_short(parsed.trailing[-40:])}): a browser never dispatches it.",
            hint="end every event, the last one too, with \\n\\n.",
        )
    return None


def _texts(run: Run) -> tuple[Verdict | None, str]:
    """The text the text events carry, or the verdict when their names or data are not as asked."""
    ex = RELAY_EVENTS
    unknown = [name for name in run.names if name not in EVENT_NAMES]
    if unknown:
        return ex.verdict(
            "wrong",
            wrong=f"it sent an event named {unknown[0]!r}: the page handles text, done and error"
            + (" (an event without an `event:` line is called 'message')." if unknown[0] == "message" else "."),
            hint="start each event with its name: `event: text`, `event: done` or `event: error`.",
        ), ""
    texts = run.data_of("text")
    shapes = [d for d in texts if not (isinstance(d, dict) and set(d) == {"text"} and isinstance(d["text"], str))]
    if shapes:
        return ex.verdict(
            "wrong",
            wrong=f'a text event\'s data is {_short(shapes[0], 50)}, not an object with the piece under "text".',
            hint='send data: json.dumps({"text": text}).',
        ), ""
    return None, "".join(d["text"] for d in texts)


def _whole_answer(run: Run, want: Expected) -> Verdict | None:
    ex = RELAY_EVENTS
    verdict, text = _texts(run)
    if verdict is not None:
        return verdict
    if "error" in run.names:
        if run.plan.bodies and _request_problem(run.plan.bodies[0]):
            return _request_verdict(run)
        return ex.verdict(
            "wrong",
            wrong=f"it sent an error event for an answer that completed: {_short(run.data_of('error')[0])}.",
            hint="send an error event only from the except block, when the stream fails.",
        )
    texts = [d["text"] for d in run.data_of("text")]
    if not texts:
        return ex.verdict(
            "wrong", wrong="it sent no text event.", hint='yield sse("text", {"text": text}) for each piece of stream.text_stream.'
        )
    if text != want.text:
        growing = len(texts) > 1 and all(b.startswith(a) for a, b in itertools.pairwise(texts))
        if growing and texts[-1] == want.text:
            return ex.verdict(
                "wrong",
                wrong=f"each text event carries the text so far ({len(text)} characters in all for a {len(want.text)}-character "
                "answer): the page appends what it gets, and the bytes grow with the square of the answer.",
                hint="send each new piece once: yield an event for `text`, not for the growing total.",
            )
        return ex.verdict(
            "wrong",
            wrong=f"the text events carry {len(text)} characters; the answer has {len(want.text)}.",
            hint="yield one text event for every piece of stream.text_stream, unchanged, until the loop ends.",
        )
    if len(texts) == 1:
        return ex.verdict(
            "wrong",
            wrong="the whole answer came in one text event, once the model had finished: the page waits as long as without streaming.",
            hint="yield an event for each piece inside `async for text in stream.text_stream:`, as it arrives.",
        )
    return _final_event(run, want, len(texts))


def _final_event(run: Run, want: Expected, texts: int) -> Verdict | None:
    ex = RELAY_EVENTS
    names = run.names
    if "done" not in names:
        return ex.verdict(
            "wrong",
            right=f"{texts} text events carried the whole answer.",
            wrong="no final event: the page cannot tell a finished answer from a connection that broke.",
            hint='after the loop, message = await stream.get_final_message(); yield sse("done", {"stop_reason": '
            'message.stop_reason, "usage": {...}}).',
        )
    if names.count("done") > 1 or names[-1] != "done":
        return ex.verdict(
            "wrong",
            wrong=f"the done event is not the single last event (events: {_names(names)}).",
            hint="yield done once, after the loop over stream.text_stream, as the very last event.",
        )
    done = run.data_of("done")[0]
    if not isinstance(done, dict) or done.get("stop_reason") != want.stop_reason:
        return ex.verdict(
            "wrong",
            wrong=f"the done event says {_short(done, 60)}, without stop_reason {want.stop_reason!r}.",
            hint="take stop_reason from await stream.get_final_message() after the loop.",
        )
    usage = done.get("usage")
    if not isinstance(usage, dict) or not {"input_tokens", "output_tokens"} <= set(usage):
        return ex.verdict(
            "wrong",
            wrong=f"the done event has no usage with input_tokens and output_tokens ({_short(done, 60)}).",
            hint="add usage: {'input_tokens': message.usage.input_tokens, 'output_tokens': message.usage.output_tokens}.",
        )
    if usage["output_tokens"] != want.usage["output_tokens"] or usage["input_tokens"] != want.usage["input_tokens"]:
        early = usage["output_tokens"] == want.early_output_tokens
        return ex.verdict(
            "wrong",
            wrong=f"usage says {usage['output_tokens']} output tokens; the answer had {want.usage['output_tokens']}"
            + (": that is message_start's early count." if early else "."),
            hint="take usage from await stream.get_final_message() after the loop: the final count arrives in the last events.",
        )
    return None


def _names(names: list[str]) -> str:
    """``text x110, done``: a run of event names, compressed."""
    parts: list[str] = []
    for name in names:
        if parts and parts[-1].split(" x")[0] == name:
            head, _, count = parts[-1].partition(" x")
            parts[-1] = f"{head} x{int(count or 1) + 1}"
        else:
            parts.append(name)
    return ", ".join(parts)


def _error_forwarded(run: Run, want: Expected) -> Verdict | None:
    ex = RELAY_EVENTS
    verdict, text = _texts(run)
    if verdict is not None:
        return verdict
    where = f"when the model's stream broke off with an overloaded_error event after {len(text)} characters"
    if "error" not in run.names:
        if "done" in run.names:
            return ex.verdict(
                "wrong",
                wrong=f"{where}, it sent done: the page would show a cut answer as complete.",
                hint="catch anthropic.APIStatusError and yield an error event instead; send done only after a stream that finished.",
            )
        return ex.verdict(
            "wrong",
            wrong=f"{where}, it ended without an error event: the error was swallowed, and the page cannot say why the answer stopped.",
            hint='in the except block, yield sse("error", {"type": err.type, "message": err.api_message}) instead of passing.',
        )
    if run.names.count("error") > 1 or run.names[-1] != "error":
        return ex.verdict(
            "wrong",
            wrong=f"{where}, the error event was not the last event ({_names(run.names)}).",
            hint="nothing follows an error event: yield it last.",
        )
    data = run.data_of("error")[0]
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("type"), str)
        or not isinstance(data.get("message"), str)
        or not data["message"]
    ):
        return ex.verdict(
            "wrong",
            wrong=f'{where}, the error event\'s data is {_short(data, 60)}, not {{"type": ..., "message": ...}}.',
            hint='yield sse("error", {"type": err.type, "message": err.api_message}).',
        )
    if data["type"] != "overloaded_error":
        return ex.verdict(
            "wrong",
            wrong=f"{where}, the error event's type is {data['type']!r}: the page needs the API's type to decide what to say "
            "(overloaded: try again shortly).",
            hint="use err.type, the API's error type (here overloaded_error), not the exception's class name.",
        )
    if not want.text.startswith(text):
        return ex.verdict("wrong", wrong=f"{where}, the text sent before the error is not the start of the answer.", hint=ex.recipe)
    return None


def _left(run: Run) -> Verdict | None:
    ex = RELAY_EVENTS
    if run.first_event_at is None or run.first_event_at > FIRST_EVENT_WITHIN_S:
        return ex.verdict(
            "wrong",
            wrong=f"the model sent its first pieces at once and then went silent, and after {FIRST_EVENT_WITHIN_S:g} s the page "
            "still had no event: your relay waits for the whole answer before it sends anything.",
            hint="yield each event inside the loop over stream.text_stream, not after collecting every piece.",
        )
    if not run.closed_after_leaving:
        return ex.verdict(
            "wrong",
            wrong=f"the page left after the first event, while the model was silent, and {CLOSED_WITHIN_S:g} s later the "
            "model's response was still open: it would go on generating, and billing, an answer nobody reads.",
            hint="read the stream inside your generator, in `async with client.messages.stream(...)`: when the page leaves, the "
            "server cancels the generator and the `async with` closes the response. Do not read the model's stream in a "
            "task of its own (or cancel that task in a finally block), and do not catch the cancellation and carry on.",
        )
    return None


# Exercise 2: the page's SSE parser --------------------------------------------------------------


APP_EVENTS = (
    b": ping\n\n"
    + event("blocks", {"from": 0, "frozen": [], "tail": "<h2>Showing an answer</h2>\n"})
    + event("blocks", {"from": 0, "frozen": ["<h2>Showing an answer as it arrives</h2>\n"], "tail": "<p>A page can</p>\n"})
    + event("blocks", {"from": 1, "frozen": ["<p>A page can display it: naïve, café, “quoted” — done.</p>\n"], "tail": ""})
    + b": ping\n\n"
    + event("done", {"stop_reason": "end_turn", "usage": {"input_tokens": 31, "output_tokens": 314}})
)
SPEC_EVENTS = (
    b": a comment line, then an event without a name\n"
    b"data: first\n\n"
    b"event: text\ndata:no space after the colon\n\n"
    b"event: text\ndata: two lines\ndata: of data\n\n"
    b"event: text\ndata:   indented, and spaces at the end  \n\n"
    + 'event: text\ndata: {"text": "a line\u2028separator inside"}\n\n'.encode()
    + b"event: ignored\n\n"
    b"id: 7\nretry: 3000\nevent: done\ndata: {}\n\n"
)


@dataclass(frozen=True)
class Case:
    """A body cut into chunks, and what it is meant to catch."""

    kind: str  # the difficulty it adds: whole, split, crlf, crlf_split, character, format, bytes
    label: str
    chunks: tuple[bytes, ...]

    @property
    def body(self) -> bytes:
        return b"".join(self.chunks)


def _cut(body: bytes, positions: list[int]) -> tuple[bytes, ...]:
    edges = [0, *sorted(p for p in set(positions) if 0 < p < len(body)), len(body)]
    return tuple(body[a:b] for a, b in itertools.pairwise(edges))


def parse_cases() -> list[Case]:
    """The bodies exercise 2 is checked on, the simplest first: each adds one difficulty."""
    app, crlf = APP_EVENTS, APP_EVENTS.replace(b"\n", b"\r\n")
    ascii_cuts = [n for n in range(5, len(app), 37) if all(b < 128 for b in app[n - 3 : n + 3])]
    multibyte = app.index("ï".encode())
    truncated = app + b'event: blocks\ndata: {"from":2'
    return [
        Case("whole", "the app's events in one chunk", (app,)),
        Case("split", "the app's events in chunks cut in the middle of events", _cut(app, ascii_cuts)),
        Case("crlf", "the app's events with lines ending in \\r\\n (CRLF), in one chunk", (crlf,)),
        Case(
            "crlf_split",
            "CRLF events cut between each \\r and its \\n",
            _cut(crlf, [n + 1 for n in range(len(crlf)) if crlf[n : n + 1] == b"\r"]),
        ),
        Case("character", "the app's events cut inside a character of two bytes (ï)", _cut(app, [multibyte + 1])),
        Case(
            "format",
            "events that use more of the format: no event line, no space after 'data:', two data lines, spaces kept in "
            "the data, a Unicode line separator inside the data, no data, id and retry",
            (SPEC_EVENTS,),
        ),
        Case(
            "bytes",
            "the app's events one byte at a time, and a last event whose blank line never came",
            _cut(truncated, list(range(len(truncated)))),
        ),
    ]


def reference_events(body: bytes) -> list[tuple[str, str]]:
    """What a browser dispatches for ``body`` (WHATWG rules, via the course's SSE parser): events with data.

    The course's parser also keeps an event that has a name and no data line, which a browser
    drops; no body here has an empty ``data:`` line, so "has data" and "has a data line" agree.
    """
    return [(e.event or "message", e.data) for e in sse.parse(body).events if e.data]


@dataclass
class ParseRun:
    """Each call's result, or why the run stopped."""

    calls: list[list[Any]] = field(default_factory=list)  # the events each call returned
    problem: Verdict | None = None


def _feed(parse_sse: Callable[..., Any], case: Case) -> ParseRun:
    ex, run, pending = PARSE_SSE, ParseRun(), b""
    for n, chunk in enumerate(case.chunks):
        try:
            result = parse_sse(pending, chunk)
        except NotImplementedError:
            run.problem = ex.verdict("unfinished", wrong="parse_sse still raises NotImplementedError.", hint=ex.recipe)
            return run
        except Exception as err:
            hint = ex.recipe
            if isinstance(err, UnicodeDecodeError):
                hint = (
                    "decode whole events, not chunks: the two bytes of a character can arrive in two chunks. "
                    "Split the bytes at b'\\n\\n' first, then decode each finished block."
                )
            elif isinstance(err, TypeError) and "bytes" in str(err) and "str" in str(err):
                hint = "keep pending as bytes (what follows the last blank line, undecoded): the next chunk is bytes too."
            run.problem = ex.verdict("wrong", wrong=f"on {case.label}, call {n + 1} raised {first_line(err)}", hint=hint)
            return run
        if result is None or result is Ellipsis:
            if n == 0:
                run.problem = ex.verdict("unfinished", wrong=f"parse_sse still returns {result!r}.", hint=ex.recipe)
            else:
                run.problem = ex.verdict(
                    "wrong", wrong=f"on {case.label}, call {n + 1} returned {result!r}.", hint=f"return {ex.returns}, on every path."
                )
            return run
        if not (isinstance(result, tuple) and len(result) == 2 and isinstance(result[0], list)):
            run.problem = ex.verdict(
                "wrong",
                wrong=f"it returned {a_type(result)} ({_short(result, 60)}), not a tuple (events, pending).",
                hint=f"return {ex.returns}.",
            )
            return run
        events, pending = result
        bad = [e for e in events if not (isinstance(e, tuple) and len(e) == 2 and all(isinstance(x, str) for x in e))]
        if bad:
            parsed = isinstance(bad[0], tuple) and len(bad[0]) == 2 and isinstance(bad[0][1], (dict, list))
            run.problem = ex.verdict(
                "wrong",
                wrong=f"on {case.label}, an event is {_short(bad[0], 60)}, not a pair of strings (name, data).",
                hint="leave the data as the text of its data lines; the page calls JSON.parse (json.loads) on it afterwards."
                if parsed
                else "append (name, data) for each event: two strings.",
            )
            return run
        run.calls.append(list(events))
    return run


def _due(case: Case) -> list[list[tuple[str, str]]]:
    """The events each call should return: those whose blank line arrived with that chunk."""
    due, seen = [], 0
    received = b""
    for chunk in case.chunks:
        received += chunk
        complete = reference_events(received[: _last_blank_end(received)])
        due.append(complete[seen:])
        seen = len(complete)
    return due


def _last_blank_end(body: bytes) -> int:
    normal = body.replace(b"\r\n", b"\n")
    cut = normal.rfind(b"\n\n")
    if cut < 0:
        return 0
    # map the position in the normalised body back to the raw body
    lines_before = normal[: cut + 2].count(b"\n")
    position, count = 0, 0
    while count < lines_before:
        position = body.index(b"\n", position) + 1
        count += 1
    return position


def judge_parse_sse(parse_sse: Callable[..., Any]) -> Verdict:
    """Exercise 2: the events of each body, each returned by the call whose chunk completed it."""
    ex = PARSE_SSE
    if not callable(parse_sse):
        return not_a_function(ex, parse_sse)
    code = getattr(parse_sse, "__code__", None)
    ran = run_in_thread(lambda: _judge_parse(parse_sse), PARSE_LIMIT_S, code.co_filename if code else "")
    if ran.timed_out:
        return ex.verdict(
            "wrong",
            wrong=f"it was still running after {PARSE_LIMIT_S:g} s.{ran.where}",
            hint="make sure each call ends: split pending + chunk once with .split(b'\\n\\n'), without a while loop that may never stop.",
        )
    if ran.result.error is not None:
        raise ran.result.error  # the check's own bug: never hidden as a student's
    verdict: Verdict = ran.result.value
    return verdict


def _judge_parse(parse_sse: Callable[..., Any]) -> Verdict:
    ex = PARSE_SSE
    cases = parse_cases()
    for case in cases:
        run = _feed(parse_sse, case)
        if run.problem is not None:
            return run.problem
        due = _due(case)
        got_all = [e for call in run.calls for e in call]
        want_all = [e for call in due for e in call]
        if run.calls != due:
            wrong, hint = _wrong_events(case, got_all, want_all, run.calls, due)
            return ex.verdict("wrong", wrong=f"on {case.label}: {wrong}", hint=hint)
    total = sum(len(reference_events(case.body)) for case in cases)
    return ex.verdict(
        "correct",
        right=f"on {len(cases)} bodies ({total} events), cut the ways a network cuts them (mid-event, between \\r and \\n, inside "
        "a character, a byte at a time), every event came out whole, once, as soon as its blank line arrived, and the event "
        "still arriving at the end was kept back.",
    )


def _wrong_events(
    case: Case, got: list[Any], want: list[tuple[str, str]], calls: list[list[Any]], due: list[list[tuple[str, str]]]
) -> tuple[str, str]:
    """What went wrong and the hint for it, judged by the one difficulty this case adds to the ones before it."""
    if got == want:
        late = next(n for n, (a, b) in enumerate(zip(calls, due, strict=False)) if a != b)
        return (
            f"the events are right, but call {late + 1} returned {len(calls[late])} where {len(due[late])} had just been completed: "
            "events came out late.",
            "return every event whose blank line has arrived, in the call that brought it: the page should not wait for the next chunk.",
        )
    if len(got) < len(want) and got == want[: len(got)] and case.kind == "whole":
        return (
            f"the last {len(want) - len(got)} events were held back although their blank line had arrived: events came out late.",
            "return every event whose blank line has arrived, in the call that brought it: the page should not wait for the next chunk.",
        )
    if case.kind == "whole":
        return _whole_mistake(got, want)
    if case.kind == "crlf":
        return "the events of a body whose lines end in \\r\\n came out wrong (or not at all).", (
            "turn each b'\\r\\n' into b'\\n' before you split at blank lines: the format allows CRLF, LF or CR line ends."
        )
    if case.kind == "crlf_split":
        return (
            f"it returned {len(got)} events for {len(want)}: a \\r at the end of a chunk and its \\n at the start of the next "
            "were not taken for one line end.",
            "turn b'\\r\\n' into b'\\n' after joining pending + chunk, not in each chunk alone: "
            "a \\r at the end waits in pending for its \\n.",
        )
    if case.kind == "character" or any("\ufffd" in data for _, data in got):
        return (
            "a character came out wrong (as \ufffd, a replacement character): its two bytes arrived in two chunks, "
            "and each was decoded alone.",
            "decode whole events, not chunks: split the bytes at b'\\n\\n' first, then decode each finished block.",
        )
    if case.kind == "format":
        return _spec_mistake(got, want)
    if len(got) == len(want) + 1 and got[:-1] == want:
        return (
            f"it returned {_short(got[-1], 60)}, an event whose blank line never came.",
            "an event is complete only at its blank line: what follows the last blank line stays pending "
            "(and is dropped if the stream ends).",
        )
    if len(got) < len(want):
        return (
            f"{len(want) - len(got)} of its {len(want)} events were lost or garbled: an event was cut between two chunks.",
            "keep the bytes after the last blank line and return them as pending: the next call puts them in front of its chunk.",
        )
    return (
        f"it returned {len(got)} events ({_short(got[:2], 80)}…) where {len(want)} were due: "
        "it returned parts of events before their blank line arrived.",
        "an event is complete only at its blank line: keep what follows the last one in pending.",
    )


def _whole_mistake(got: list[Any], want: list[tuple[str, str]]) -> tuple[str, str]:
    if not got:
        return "no event came out.", "an event ends at a blank line: split pending + chunk at b'\\n\\n'."
    comments = [e for e in got if e[1].startswith(":") or e[0].startswith(":") or e == ("message", "")]
    if comments or len(got) > len(want):
        return (
            f"it returned {len(got)} events where the body has {len(want)}: a heartbeat (': ping') is a comment, not an event.",
            "skip lines that start with ':' and keep only events that have data.",
        )
    spaced = [e for e in got if e[1].startswith(" ") or e[1].startswith("data:")]
    if spaced:
        return f"an event's data is {spaced[0][1][:40]!r}.", "the data is what follows 'data:', without the one space after the colon."
    return f"it returned {_short(got[:2], 90)}…, expected {_short(want[:2], 90)}….", PARSE_SSE.recipe


def _spec_mistake(got: list[Any], want: list[tuple[str, str]]) -> tuple[str, str]:
    names = [name for name, _ in got]
    spaced = "  indented, and spaces at the end  "
    if ("text", spaced) not in got and ("text", spaced.strip()) in got:
        return (
            "'data:   indented, and spaces at the end  ' lost its spaces.",
            "remove only the one space after 'data:', nothing else: the data is the model's text, spaces and all (no .strip()).",
        )
    if any(data.endswith("a line") for _, data in got if isinstance(data, str)):
        return (
            "a data line was cut at a Unicode line separator (U+2028) inside the JSON.",
            "split lines at '\\n' only (after turning '\\r\\n' into '\\n'): str.splitlines() also splits at U+2028 and U+0085, "
            "which JSON may carry unescaped.",
        )
    if ("ignored", "") in got or any(data == "" for _, data in got):
        return "it returned an event that has no data line.", "an event without data is not dispatched: keep only events with data."
    if want[0] not in got and any(data == "first" for _, data in got):
        return (
            f"an event without an 'event:' line came out as {_short(next(e for e in got if e[1] == 'first'))}.",
            "name it 'message': that is the default.",
        )
    if ("text", "no space after the colon") not in got:
        return (
            "'data:no space after the colon' came out wrong.",
            "the space after the colon is optional: take what follows 'data:', then drop one leading space if there is one.",
        )
    if ("text", "two lines\nof data") not in got:
        return "an event with two data lines came out wrong.", "join all the data lines of one event with '\\n'."
    if "done" not in names:
        return "an event with id: and retry: lines was lost.", "ignore fields you do not use (id, retry); the event still has its data."
    return f"it returned {_short(got, 90)}, expected {_short(want, 90)}.", PARSE_SSE.recipe


# What the notebook calls -----------------------------------------------------------------------


def exercise_conversation() -> list[Any]:
    """The conversation exercise 1 relays, to try your generator yourself."""
    return expected().messages


def check_relay_events(relay_events: Callable[..., Any]) -> None:
    """Print the verdict for exercise 1."""
    print(judge_relay_events(relay_events))


def check_parse_sse(parse_sse: Callable[..., Any]) -> None:
    """Print the verdict for exercise 2."""
    print(judge_parse_sse(parse_sse))
