"""Lesson 05: the exercise checks accept the reference solutions and right variants, name each typical
mistake with its own hint, and never hang or crash on unfinished work; the app's hooks the lesson
uses (a page a notebook may frame, the relay timeline picture) do what they say.

Exercise 1's attempts are served on 127.0.0.1 by the check itself; the ones that reach its last
run (a page that leaves while the model is silent) take a few seconds each and are marked slow.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import anthropic
import httpx2
import matplotlib
import pytest
from exercise_testing import assert_verdict, load_solutions, not_implemented, unfinished

import helpers
from helpers.checks import lesson05 as checks
from helpers.web import create_app, serve_in_background
from helpers.web.app import LOCAL_FRAME_ANCESTORS, PAGE_HEADERS
from helpers.web.timeline import frame_times, plot_relay_timeline

pytestmark = pytest.mark.realtime  # serves HTTP on 127.0.0.1 or waits real seconds: out of the quick loop

matplotlib.use("Agg")

solutions = load_solutions("05_streaming_web_app.py")
sse = solutions.sse
MAX_TOKENS = solutions.MAX_TOKENS


def request(messages: list[Any]) -> dict[str, Any]:
    return {"model": helpers.MODEL, "max_tokens": MAX_TOKENS, "messages": messages}


def usage_of(message: Any) -> dict[str, int]:
    return {"input_tokens": message.usage.input_tokens, "output_tokens": message.usage.output_tokens}


# The reference solutions pass; unfinished work is reported as unfinished ------------------------


def test_solution_relay_events_passes() -> None:
    assert_verdict(
        checks.judge_relay_events(solutions.relay_events),
        "correct",
        "110 text events carried the whole answer (1181 characters)",
        "stop_reason end_turn",
        "error event (overloaded_error)",
        "the model's response was closed",
    )


def test_solution_parse_sse_passes() -> None:
    assert_verdict(checks.judge_parse_sse(solutions.parse_sse), "correct", "on 7 bodies", "as soon as its blank line arrived")


async def shipped_stub(client: Any, messages: Any) -> None:
    """The notebook's exercise 1 cell as shipped: an async function with no yield."""
    ...


@pytest.mark.parametrize(
    ("judge", "bodies"),
    [(checks.judge_relay_events, [shipped_stub, not_implemented]), (checks.judge_parse_sse, [unfinished, not_implemented])],
)
def test_unfinished_work_or_a_call_instead_of_a_function_never_crashes(judge: Any, bodies: list[Any]) -> None:
    for body in bodies:
        assert_verdict(judge(body), "unfinished", "To do:")
    assert_verdict(judge(None), "wrong", "got None", "without parentheses")


def test_check_prints_the_verdict(capsys: pytest.CaptureFixture[str]) -> None:
    checks.check_parse_sse(unfinished)
    assert capsys.readouterr().out.startswith("Exercise 2 (parse_sse): not finished yet.\n")


# Exercise 1: right variants --------------------------------------------------------------------


async def yields_str(client: Any, messages: Any) -> AsyncIterator[str]:
    async for chunk in solutions.relay_events(client, messages):
        yield chunk.decode()


async def raw_events_with_crlf_and_a_heartbeat(client: Any, messages: Any) -> AsyncIterator[bytes]:
    """messages.create(stream=True) and the raw events; CRLF line ends, a comment first, each line its own chunk."""

    def lines(name: str, data: dict[str, Any]) -> list[bytes]:
        return [f"event: {name}\r\n".encode(), f"data: {json.dumps(data)}\r\n\r\n".encode()]

    yield b": hello\r\n\r\n"
    try:
        async with await client.messages.create(**request(messages), stream=True) as stream:
            usage: dict[str, int] = {}
            stop_reason = None
            async for raw in stream:
                if raw.type == "message_start":
                    usage["input_tokens"] = raw.message.usage.input_tokens
                elif raw.type == "content_block_delta" and raw.delta.type == "text_delta":
                    for line in lines("text", {"text": raw.delta.text}):
                        yield line
                elif raw.type == "message_delta":
                    usage["output_tokens"] = raw.usage.output_tokens
                    stop_reason = raw.delta.stop_reason
        for line in lines("done", {"stop_reason": stop_reason, "usage": usage}):
            yield line
    except anthropic.APIError as err:
        for line in lines("error", {"type": getattr(err, "type", None) or "api_error", "message": str(err)}):
            yield line


async def final_message_in_finally(client: Any, messages: Any) -> AsyncIterator[bytes]:
    """Harmless in anthropic 2.14.0: once the page's cancellation has gone through text_stream, the stream's
    iterator has ended, so get_final_message() returns the snapshot at once and reads nothing more."""
    try:
        async with client.messages.stream(**request(messages)) as stream:
            try:
                async for text in stream.text_stream:
                    yield sse("text", {"text": text})
            finally:
                message = await stream.get_final_message()  # "for the usage", even when the page has left
        yield sse("done", {"stop_reason": message.stop_reason, "usage": usage_of(message)})
    except anthropic.APIStatusError as err:
        yield sse("error", {"type": err.type, "message": err.api_message})


@pytest.mark.slow
@pytest.mark.parametrize("variant", [yields_str, raw_events_with_crlf_and_a_heartbeat, final_message_in_finally])
def test_right_variants_of_relay_events_pass(variant: Any) -> None:
    verdict = checks.judge_relay_events(variant)
    assert_verdict(verdict, "correct", "the model's response was closed")
    assert ("Your events were str" in str(verdict)) == (variant is yields_str)


# Exercise 1: typical mistakes -----------------------------------------------------------------


def framed_with(template: str) -> Any:
    """A relay that is right except for how it frames its text events."""

    async def relay(client: Any, messages: Any) -> AsyncIterator[bytes]:
        async with client.messages.stream(**request(messages)) as stream:
            async for text in stream.text_stream:
                yield template.format(text=text, json=json.dumps({"text": text}), indented=json.dumps({"text": text}, indent=2)).encode()
            message = await stream.get_final_message()
        yield sse("done", {"stop_reason": message.stop_reason, "usage": usage_of(message)})

    return relay


async def raw_text(client: Any, messages: Any) -> AsyncIterator[bytes]:
    async with client.messages.stream(**request(messages)) as stream:
        async for text in stream.text_stream:
            yield text.encode()


async def last_event_without_blank_line(client: Any, messages: Any) -> AsyncIterator[bytes]:
    """Everything right but the last event, which lacks its blank line."""
    async with client.messages.stream(**request(messages)) as stream:
        async for text in stream.text_stream:
            yield sse("text", {"text": text})
        message = await stream.get_final_message()
    yield sse("done", {"stop_reason": message.stop_reason, "usage": usage_of(message)})[:-1]


async def no_final_event(client: Any, messages: Any) -> AsyncIterator[bytes]:
    async with client.messages.stream(**request(messages)) as stream:
        async for text in stream.text_stream:
            yield sse("text", {"text": text})


async def done_inside_the_loop(client: Any, messages: Any) -> AsyncIterator[bytes]:
    async with client.messages.stream(**request(messages)) as stream:
        async for text in stream.text_stream:
            yield sse("text", {"text": text})
            snapshot = stream.current_message_snapshot
            yield sse("done", {"stop_reason": snapshot.stop_reason, "usage": usage_of(snapshot)})


async def done_without_usage(client: Any, messages: Any) -> AsyncIterator[bytes]:
    async with client.messages.stream(**request(messages)) as stream:
        async for text in stream.text_stream:
            yield sse("text", {"text": text})
        message = await stream.get_final_message()
    yield sse("done", {"stop_reason": message.stop_reason})


async def early_usage(client: Any, messages: Any) -> AsyncIterator[bytes]:
    async with client.messages.stream(**request(messages)) as stream:
        usage = None
        async for text in stream.text_stream:
            usage = usage or usage_of(stream.current_message_snapshot)
            yield sse("text", {"text": text})
        message = await stream.get_final_message()
    yield sse("done", {"stop_reason": message.stop_reason, "usage": usage})


async def dumps_the_usage_object(client: Any, messages: Any) -> AsyncIterator[bytes]:
    async with client.messages.stream(**request(messages)) as stream:
        async for text in stream.text_stream:
            yield sse("text", {"text": text})
        message = await stream.get_final_message()
    yield sse("done", {"stop_reason": message.stop_reason, "usage": message.usage})


async def unnamed_events(client: Any, messages: Any) -> AsyncIterator[bytes]:
    async with client.messages.stream(**request(messages)) as stream:
        async for text in stream.text_stream:
            yield f"data: {json.dumps({'text': text})}\n\n".encode()


async def data_is_a_bare_string(client: Any, messages: Any) -> AsyncIterator[bytes]:
    async with client.messages.stream(**request(messages)) as stream:
        async for text in stream.text_stream:
            yield f"event: text\ndata: {json.dumps(text)}\n\n".encode()


async def text_so_far(client: Any, messages: Any) -> AsyncIterator[bytes]:
    so_far = ""
    async with client.messages.stream(**request(messages)) as stream:
        async for text in stream.text_stream:
            so_far += text
            yield sse("text", {"text": so_far})


async def create_without_stream(client: Any, messages: Any) -> AsyncIterator[bytes]:
    message = await client.messages.create(**request(messages))
    yield sse("text", {"text": message.content[0].text})
    yield sse("done", {"stop_reason": message.stop_reason, "usage": usage_of(message)})


async def create_without_stream_caught(client: Any, messages: Any) -> AsyncIterator[bytes]:
    try:
        async for chunk in create_without_stream(client, messages):
            yield chunk
    except anthropic.AnthropicError as err:
        yield sse("error", {"type": type(err).__name__, "message": str(err)})


async def whole_text_at_the_end(client: Any, messages: Any) -> AsyncIterator[bytes]:
    async with client.messages.stream(**request(messages)) as stream:
        text = await stream.get_final_text()
        message = await stream.get_final_message()
    yield sse("text", {"text": text})
    yield sse("done", {"stop_reason": message.stop_reason, "usage": usage_of(message)})


async def other_max_tokens(client: Any, messages: Any) -> AsyncIterator[bytes]:
    async with client.messages.stream(model=helpers.MODEL, max_tokens=2048, messages=messages) as stream:
        async for text in stream.text_stream:
            yield sse("text", {"text": text})


async def own_client(client: Any, messages: Any) -> AsyncIterator[bytes]:
    async with helpers.make_async_client("replay", speed=0, fault="") as mine:
        async for chunk in solutions.relay_events(mine, messages):
            yield chunk


def plain_generator(client: Any, messages: Any) -> Any:
    yield sse("text", {"text": "Hello"})


async def returns_a_list(client: Any, messages: Any) -> list[bytes]:
    return [chunk async for chunk in solutions.relay_events(client, messages)]


async def does_not_catch(client: Any, messages: Any) -> AsyncIterator[bytes]:
    async with client.messages.stream(**request(messages)) as stream:
        async for text in stream.text_stream:
            yield sse("text", {"text": text})
        message = await stream.get_final_message()
    yield sse("done", {"stop_reason": message.stop_reason, "usage": usage_of(message)})


async def swallows_the_error(client: Any, messages: Any) -> AsyncIterator[bytes]:
    try:
        async for chunk in does_not_catch(client, messages):
            yield chunk
    except anthropic.APIStatusError:
        pass


async def done_after_the_error(client: Any, messages: Any) -> AsyncIterator[bytes]:
    try:
        async for chunk in does_not_catch(client, messages):
            yield chunk
    except anthropic.APIStatusError:
        yield sse("done", {"stop_reason": None, "usage": {"input_tokens": 0, "output_tokens": 0}})


async def class_name_as_type(client: Any, messages: Any) -> AsyncIterator[bytes]:
    try:
        async for chunk in does_not_catch(client, messages):
            yield chunk
    except anthropic.APIStatusError as err:
        yield sse("error", {"type": type(err).__name__, "message": str(err)})


async def sleeps_between_pieces(client: Any, messages: Any) -> AsyncIterator[bytes]:
    """A relay that paces itself: each piece waits 80 ms before it goes out (13 s for this answer)."""
    async for chunk in solutions.relay_events(client, messages):
        await asyncio.sleep(0.08)
        yield chunk


async def blocks_the_server(client: Any, messages: Any) -> AsyncIterator[bytes]:
    """time.sleep in an async relay: every page's relay on this server stops while it sleeps."""
    async for chunk in solutions.relay_events(client, messages):
        time.sleep(0.05)
        yield chunk


@pytest.mark.parametrize(
    ("attempt", "phrases"),
    [
        (sleeps_between_pieces, ["your relay took 3.", "something in its loop waits", "no sleep in the loop"]),
        (blocks_the_server, ["something in its loop waits", "time.sleep would also stall the whole server"]),
        (framed_with("event: text\ndata: {json}\n"), ["several events ran together", "ends in \\n\\n"]),
        (raw_text, ["no `data:` line", "frame each event as lines"]),
        (framed_with("event: text\ndata: {text}\n\n"), ["is not a field", "json.dumps(...) writes a newline as \\n"]),
        (framed_with("event: text\ndata: {indented}\n\n"), ["is not a field", "leave out indent="]),
        (framed_with('event: text\ndata: {{"text": "{text}"}}\n\n'), ["is not a field", "json.dumps"]),
        (last_event_without_blank_line, ["the last event has no blank line after it", "the last one too"]),
        (unnamed_events, ["named 'message'", "`event: text`"]),
        (data_is_a_bare_string, ['not an object with the piece under "text"', 'json.dumps({"text": text})']),
        (text_so_far, ["carries the text so far", "not for the growing total"]),
        (no_final_event, ["Right: 110 text events carried the whole answer", "no final event", "get_final_message()"]),
        (done_inside_the_loop, ["not the single last event", "text, done, text, done"]),
        (done_without_usage, ["no usage with input_tokens and output_tokens"]),
        (early_usage, ["usage says 4 output tokens; the answer had 314: that is message_start's early count"]),
        (dumps_the_usage_object, ["TypeError: Object of type Usage is not JSON serializable", "not SDK objects"]),
        (create_without_stream, ["messages.create(...) and no stream", "client.messages.stream(...)"]),
        (create_without_stream_caught, ["messages.create(...) and no stream"]),
        (whole_text_at_the_end, ["the whole answer came in one text event", "as it arrives"]),
        (other_max_tokens, ["no recording answers: a different max_tokens", "max_tokens=MAX_TOKENS"]),
        (own_client, ["never sent a request with the client it was given"]),
        (plain_generator, ["a plain generator", "async def relay_events"]),
        (returns_a_list, ["returned a list at the end instead of yielding each event"]),
        (does_not_catch, ["APIStatusError escaped your generator", "catch anthropic.APIStatusError"]),
        (swallows_the_error, ["ended without an error event: the error was swallowed"]),
        (done_after_the_error, ["it sent done: the page would show a cut answer as complete"]),
        (class_name_as_type, ["type is 'APIStatusError'", "use err.type"]),
    ],
)
def test_relay_events_mistakes(attempt: Any, phrases: list[str]) -> None:
    assert_verdict(checks.judge_relay_events(attempt), "wrong", *phrases)


async def collects_then_sends(client: Any, messages: Any) -> AsyncIterator[bytes]:
    chunks = [chunk async for chunk in solutions.relay_events(client, messages)]
    for chunk in chunks:
        yield chunk


async def reads_in_a_task_of_its_own(client: Any, messages: Any) -> AsyncIterator[bytes]:
    queue: asyncio.Queue[bytes | None] = asyncio.Queue()

    async def pump() -> None:
        async for chunk in solutions.relay_events(client, messages):
            await queue.put(chunk)
        await queue.put(None)

    pumping = asyncio.ensure_future(pump())  # never cancelled when the page leaves
    while (chunk := await queue.get()) is not None:
        yield chunk
    await pumping


@pytest.mark.slow
@pytest.mark.parametrize(
    ("attempt", "phrases"),
    [
        (collects_then_sends, ["still had no event", "waits for the whole answer"]),
        (reads_in_a_task_of_its_own, ["still open", "a task of its own"]),
    ],
)
def test_relay_events_mistakes_seen_when_the_page_leaves(attempt: Any, phrases: list[str]) -> None:
    assert_verdict(checks.judge_relay_events(attempt), "wrong", *phrases)


# Exercise 2: right variants --------------------------------------------------------------------


def parse_by_lines(pending: bytes, chunk: bytes) -> tuple[list[tuple[str, str]], bytes]:
    """A line-by-line reader that keeps its unfinished event as raw bytes (the WHATWG algorithm's shape)."""
    buffer = pending + chunk
    events: list[tuple[str, str]] = []
    start = 0  # where the event being read began
    name, data = "message", list[str]()
    position = 0
    while True:
        end = buffer.find(b"\n", position)
        if end < 0:  # a line still arriving (a lone \r at the end waits here for its \n)
            break
        line = buffer[position:end].removesuffix(b"\r").decode()
        position = end + 1
        if not line:
            if data:
                events.append((name, "\n".join(data)))
            name, data, start = "message", [], position
        elif not line.startswith(":"):
            field, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if field == "event":
                name = value
            elif field == "data":
                data.append(value)
    return events, buffer[start:]


def parse_with_regex(pending: bytes, chunk: bytes) -> tuple[list[tuple[str, str]], bytes]:
    import re

    parts = re.split(rb"\r?\n\r?\n", pending + chunk)
    events = []
    for block in parts[:-1]:
        lines = re.split(r"\r?\n", block.decode())  # not splitlines(): that also splits at U+2028
        fields = [line.split(":", 1) for line in lines if line and not line.startswith(":")]
        data = [value.removeprefix(" ") for key, value in fields if key == "data"]
        name = next((value.removeprefix(" ") for key, value in reversed(fields) if key == "event"), "message")
        if data:
            events.append((name, "\n".join(data)))
    return events, parts[-1]


@pytest.mark.parametrize("variant", [parse_by_lines, parse_with_regex])
def test_right_variants_of_parse_sse_pass(variant: Any) -> None:
    assert_verdict(checks.judge_parse_sse(variant), "correct")


# Exercise 2: typical mistakes -----------------------------------------------------------------


def blocks_to_events(blocks: list[bytes], strip_one_space: bool = True, join_data: bool = True, default: str = "message") -> list[Any]:
    events = []
    for block in blocks:
        name, data = default, list[str]()
        for line in block.decode().split("\n"):
            if line.startswith(":"):
                continue
            field, _, value = line.partition(":")
            value = value.removeprefix(" ") if strip_one_space else value
            if field == "event":
                name = value
            elif field == "data":
                data = [*data, value] if join_data else [value]
        if data:
            events.append((name, "\n".join(data)))
    return events


def each_chunk_alone(pending: bytes, chunk: bytes) -> tuple[list[Any], bytes]:
    return blocks_to_events(chunk.replace(b"\r\n", b"\n").split(b"\n\n")[:-1]), b""


def lf_only(pending: bytes, chunk: bytes) -> tuple[list[Any], bytes]:
    *blocks, rest = (pending + chunk).split(b"\n\n")
    return blocks_to_events(blocks), rest


def crlf_per_chunk(pending: bytes, chunk: bytes) -> tuple[list[Any], bytes]:
    *blocks, rest = (pending + chunk.replace(b"\r\n", b"\n")).split(b"\n\n")
    return blocks_to_events(blocks), rest


def decodes_each_chunk(pending: bytes, chunk: bytes) -> tuple[list[Any], str]:
    text = (pending.decode() if isinstance(pending, bytes) else pending) + chunk.decode()
    *blocks, rest = text.replace("\r\n", "\n").split("\n\n")
    return blocks_to_events([b.encode() for b in blocks]), rest


def decodes_each_chunk_leniently(pending: bytes, chunk: bytes) -> tuple[list[Any], bytes]:
    text = pending.decode("utf-8", "replace") + chunk.decode("utf-8", "replace")
    *blocks, rest = text.replace("\r\n", "\n").split("\n\n")
    return blocks_to_events([b.encode() for b in blocks]), rest.encode()


def keeps_comments(pending: bytes, chunk: bytes) -> tuple[list[Any], bytes]:
    *blocks, rest = (pending + chunk).replace(b"\r\n", b"\n").split(b"\n\n")
    return [("message", block.decode()) if block.startswith(b":") else blocks_to_events([block])[0] for block in blocks], rest


def slices_six_characters(pending: bytes, chunk: bytes) -> tuple[list[Any], bytes]:
    *blocks, rest = (pending + chunk).replace(b"\r\n", b"\n").split(b"\n\n")
    events = []
    for block in blocks:
        lines = block.decode().split("\n")
        data = [line[6:] for line in lines if line.startswith("data:")]
        name = next((line[7:] for line in lines if line.startswith("event:")), "message")
        if data:
            events.append((name, "\n".join(data)))
    return events, rest


def keeps_the_last_data_line(pending: bytes, chunk: bytes) -> tuple[list[Any], bytes]:
    *blocks, rest = (pending + chunk).replace(b"\r\n", b"\n").split(b"\n\n")
    return blocks_to_events(blocks, join_data=False), rest


def no_default_name(pending: bytes, chunk: bytes) -> tuple[list[Any], bytes]:
    *blocks, rest = (pending + chunk).replace(b"\r\n", b"\n").split(b"\n\n")
    return blocks_to_events(blocks, default=""), rest


def returns_the_partial_event(pending: bytes, chunk: bytes) -> tuple[list[Any], bytes]:
    *blocks, rest = (pending + chunk).replace(b"\r\n", b"\n").split(b"\n\n")
    return blocks_to_events([*blocks, rest]), b""


def strips_the_data(pending: bytes, chunk: bytes) -> tuple[list[Any], bytes]:
    events, rest = solutions.parse_sse(pending, chunk)
    return [(name, data.strip()) for name, data in events], rest


def splits_with_splitlines(pending: bytes, chunk: bytes) -> tuple[list[Any], bytes]:
    *blocks, rest = (pending + chunk).replace(b"\r\n", b"\n").split(b"\n\n")
    events = []
    for block in blocks:
        name, data = "message", []
        for line in block.decode().splitlines():
            field, _, value = line.partition(":")
            if field == "event":
                name = value.removeprefix(" ")
            elif field == "data":
                data.append(value.removeprefix(" "))
        if data:
            events.append((name, "\n".join(data)))
    return events, rest


def parses_the_json(pending: bytes, chunk: bytes) -> tuple[list[Any], bytes]:
    events, rest = solutions.parse_sse(pending, chunk)
    return [(name, json.loads(data)) for name, data in events], rest


def returns_only_events(pending: bytes, chunk: bytes) -> list[Any]:
    return solutions.parse_sse(pending, chunk)[0]


def one_call_late(pending: bytes, chunk: bytes) -> tuple[list[Any], bytes]:
    """Holds each finished event back until the next one has begun (splits before 'event:')."""
    buffer = (pending + chunk).replace(b"\r\n", b"\n")
    cut = buffer.rfind(b"\n\n", 0, max(buffer.rfind(b"\n\n"), 0))
    if cut < 0:
        return [], buffer
    return solutions.parse_sse(b"", buffer[: cut + 2])[0], buffer[cut + 2 :]


def never_ends(pending: bytes, chunk: bytes) -> tuple[list[Any], bytes]:
    """Waits for a blank line that is already there (and gives up only long after the check has)."""
    buffer, deadline = pending + chunk, time.monotonic() + checks.PARSE_LIMIT_S + 2
    while b"\n\n" in buffer and time.monotonic() < deadline:
        time.sleep(0.05)  # forgot to cut the event off
    return [], buffer


@pytest.mark.parametrize(
    ("attempt", "phrases"),
    [
        (each_chunk_alone, ["cut in the middle of events", "lost or garbled", "return them as pending"]),
        (strips_the_data, ["lost its spaces", "no .strip()"]),
        (splits_with_splitlines, ["cut at a Unicode line separator (U+2028)", "str.splitlines()"]),
        (lf_only, ["lines ending in \\r\\n", "came out wrong (or not at all)", "turn each b'\\r\\n' into b'\\n'"]),
        (crlf_per_chunk, ["cut between each \\r and its \\n", "not in each chunk alone"]),
        (
            decodes_each_chunk,
            ["inside a character", "UnicodeDecodeError", "decode whole events, not chunks", "then decode each finished block"],
        ),
        (decodes_each_chunk_leniently, ["replacement character", "decode whole events, not chunks"]),
        (keeps_comments, ["a heartbeat (': ping') is a comment", "skip lines that start with ':'"]),
        (slices_six_characters, ["no space after the colon", "drop one leading space if there is one"]),
        (keeps_the_last_data_line, ["two data lines", "join all the data lines"]),
        (no_default_name, ["without an 'event:' line came out as ('', 'first')", "'message'"]),
        (returns_the_partial_event, ["before their blank line arrived", "keep what follows the last one in pending"]),
        (parses_the_json, ["not a pair of strings", "JSON.parse"]),
        (returns_only_events, ["returned a list", "not a tuple (events, pending)"]),
        (one_call_late, ["held back although their blank line had arrived", "in the call that brought it"]),
    ],
)
def test_parse_sse_mistakes(attempt: Any, phrases: list[str]) -> None:
    assert_verdict(checks.judge_parse_sse(attempt), "wrong", *phrases)


@pytest.mark.slow
def test_a_parser_that_never_returns_gets_a_verdict_after_the_time_limit() -> None:
    assert_verdict(
        checks.judge_parse_sse(never_ends),
        "wrong",
        "still running after 5 s",
        "in the loop at line",
        'while b"\\n\\n" in buffer',
        "without a while loop",
    )


def test_the_parse_cases_are_what_a_browser_dispatches() -> None:
    """The reference events agree with the reference solution fed the whole body at once, and with the SDK's decoder."""
    from anthropic._streaming import SSEDecoder

    for case in checks.parse_cases():
        events, _ = solutions.parse_sse(b"", case.body)
        assert events == checks.reference_events(case.body), case.label
        decoded = [(e.event or "message", e.data) for e in SSEDecoder().iter_bytes(iter([case.body])) if e.data]
        if "never came" not in case.label:  # the SDK's decoder dispatches a trailing event at the end; a browser does not
            assert decoded == events, case.label


# The app's hooks the lesson uses ------------------------------------------------------------------


def test_an_embeddable_app_lets_pages_on_this_machine_frame_it_and_the_default_lets_none() -> None:
    with serve_in_background(create_app(lambda: helpers.make_async_client("replay", speed=0), embeddable=True)) as server:
        policy = httpx2.get(server.url, timeout=10).headers["content-security-policy"]
    assert f"frame-ancestors {LOCAL_FRAME_ANCESTORS}" in policy and "'none'" in policy  # object-src and base-uri stay 'none'
    assert policy.replace(f"frame-ancestors {LOCAL_FRAME_ANCESTORS}", "frame-ancestors 'none'") == PAGE_HEADERS["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in PAGE_HEADERS["Content-Security-Policy"]
    assert "*" not in LOCAL_FRAME_ANCESTORS.replace(":*", "")  # any port of this machine, no other host


def test_frames_are_drawn_at_the_next_tick_and_coalesce() -> None:
    assert frame_times([0.001, 0.002, 0.020, 0.020], fps=60) == pytest.approx([1 / 60, 2 / 60])


def test_the_relay_timeline_has_a_row_per_side_and_the_bytes() -> None:
    browser = [(0.52, b"event: text\ndata: {}\n\n"), (0.7, b"event: done\ndata: {}\n\n")]
    figure = plot_relay_timeline(model=[(0.5, "Hello"), (0.6, " there")], browser=browser)
    ticks, growth = figure.axes
    assert [label.get_text() for label in ticks.get_yticklabels()] == ["page redraws", "events at the page", "pieces from the model"]
    assert [line.get_label() for line in growth.get_lines()] == ["text from the model (characters)", "bytes at the page"]
    matplotlib.pyplot.close(figure)
