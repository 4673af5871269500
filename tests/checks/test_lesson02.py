"""Lesson 02: what the SDK does with each recording and each broken stream the notebook shows,
and the exercise checks (they accept the reference solutions, name each typical mistake and
never crash on unfinished work)."""

from __future__ import annotations

import json
import time
from typing import Any

import anthropic
import httpx2
import pytest
from exercise_testing import assert_verdict, load_solutions, not_implemented, unfinished

import helpers
from helpers.checks import lesson02 as checks
from helpers.replay import event_order

BASICS = checks.OUTCOME_RECORDING


solutions = load_solutions("02_event_model.py")


def replay(fault: str = "", max_retries: int = 2) -> anthropic.Anthropic:
    return helpers.make_client("replay", speed=0, fault=fault, max_retries=max_retries)


def request(name: str) -> dict[str, Any]:
    return checks.recorded_request(name)


def final_message(name: str) -> Any:
    with replay() as client, client.messages.stream(**request(name)) as stream:
        return stream.get_final_message()


def raw_events(name: str, fault: str = "") -> list[Any]:
    with replay(fault) as client:
        return list(client.messages.create(**request(name), stream=True))


def kinds(events: list[Any]) -> list[str]:
    return [e.delta.type if e.type == "content_block_delta" else e.type for e in events]


class Attempts:
    """SDK middleware that counts HTTP attempts and notes each status."""

    def __init__(self) -> None:
        self.statuses: list[int] = []

    def __call__(self, req: Any, call_next: Any) -> Any:
        response = call_next(req)
        self.statuses.append(response.status_code)
        return response


# Every stop reason, from its recording --------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "stop_reason"),
    [
        ("events_sse_basics", "end_turn"),
        ("events_tool_use", "tool_use"),
        ("events_max_tokens", "max_tokens"),
        ("events_stop_sequence", "stop_sequence"),
        ("events_refusal", "refusal"),
        ("events_thinking", "end_turn"),
        ("events_citations", "end_turn"),
        ("events_retry_529", "end_turn"),
    ],
)
def test_each_recording_streams_its_stop_reason_legally(name: str, stop_reason: str) -> None:
    assert final_message(name).stop_reason == stop_reason
    with replay() as client, client.messages.with_streaming_response.create(**request(name), stream=True) as response:
        verdict = event_order.validate_body(response.read())
    assert verdict.ok and verdict.stop_reason == stop_reason, verdict.problems


def test_max_tokens_cuts_mid_sentence_at_the_limit() -> None:
    message = final_message("events_max_tokens")
    assert message.usage.output_tokens == request("events_max_tokens")["max_tokens"]
    assert not message.content[0].text.rstrip().endswith((".", "!", "?"))


def test_stop_sequence_is_named_and_left_out_of_the_text() -> None:
    message = final_message("events_stop_sequence")
    assert message.stop_sequence == "4." and message.stop_sequence in request("events_stop_sequence")["stop_sequences"]
    assert "4." not in message.content[0].text


def test_refusal_carries_stop_details() -> None:
    details = final_message("events_refusal").stop_details
    assert details is not None and details.type == "refusal" and details.category == "cyber"


def test_tool_input_arrives_as_json_pieces_that_join_to_the_final_input() -> None:
    events = raw_events("events_tool_use")
    pieces = [e.delta.partial_json for e in events if e.type == "content_block_delta" and e.delta.type == "input_json_delta"]
    assert pieces[0] == "" and len(pieces) > 2
    assert json.loads("".join(pieces)) == final_message("events_tool_use").content[1].input == {"city": "Paris", "unit": "celsius"}


def test_thinking_and_one_signature_come_before_the_text() -> None:
    order = kinds(raw_events("events_thinking"))
    signature = order.index("signature_delta")
    assert order.count("signature_delta") == 1 and set(order[3:signature]) == {"thinking_delta"}
    assert order[signature + 1 : signature + 3] == ["content_block_stop", "content_block_start"]
    assert "text_delta" not in order[:signature]
    message = final_message("events_thinking")
    assert [b.type for b in message.content] == ["thinking", "text"] and len(message.content[0].signature) > 100


def test_citations_delta_comes_before_the_cited_text() -> None:
    events = raw_events("events_citations")
    block_1 = [kinds([e])[0] for e in events if getattr(e, "index", None) == 1]
    assert block_1[:3] == ["content_block_start", "citations_delta", "text_delta"]
    citations = final_message("events_citations").content[1].citations
    assert citations is not None and citations[0].cited_text.startswith("The first text arrives")


def test_the_sdk_drops_the_ping_that_is_on_the_wire() -> None:
    with replay() as client, client.messages.with_streaming_response.create(**request(BASICS), stream=True) as response:
        names = [line.removeprefix("event: ") for line in response.iter_lines() if line.startswith("event: ")]
    assert names.count("ping") == 1 and names.index("ping") == 2
    assert "ping" not in [e.type for e in raw_events(BASICS)] and len(raw_events(BASICS)) == len(names) - 1


def test_stream_helper_yields_enriched_events_and_a_growing_snapshot() -> None:
    with replay() as client, client.messages.stream(**request("events_tool_use")) as stream:
        seen = []
        for event in stream:
            seen.append(event)
            if event.type == "content_block_stop":
                assert stream.current_message_snapshot.stop_reason is None
    snapshots = [e.snapshot for e in seen if e.type == "input_json"]
    assert snapshots[0] == {} and snapshots[-1] == {"city": "Paris", "unit": "celsius"}
    stops = [e for e in seen if e.type == "content_block_stop"]
    assert [s.content_block.type for s in stops] == ["text", "tool_use"]
    assert seen[-1].type == "message_stop" and seen[-1].message.stop_reason == "tool_use"


# Failures -------------------------------------------------------------------------------------


def stream_until_failure(client: anthropic.Anthropic) -> tuple[str, Exception | None, Any]:
    shown = ""
    with client.messages.stream(**request(BASICS)) as stream:
        try:
            for text in stream.text_stream:
                shown += text
        except Exception as err:  # the point of these tests: which exception, exactly
            return shown, err, stream.current_message_snapshot
        return shown, None, stream.get_final_message()


def test_error_event_raises_a_bare_status_error_200_unretried_and_keeps_the_partial_text() -> None:
    attempts = Attempts()
    shown, err, snapshot = stream_until_failure(replay("error@after=8").with_middleware(attempts))
    assert type(err) is anthropic.APIStatusError and err.status_code == 200 and err.type == "overloaded_error"
    assert not isinstance(err, anthropic.OverloadedError)
    assert shown and snapshot.content[0].text == shown and snapshot.stop_reason is None
    assert attempts.statuses == [200]


def test_dropped_connection_raises_the_raw_transport_error_unretried() -> None:
    attempts = Attempts()
    shown, err, snapshot = stream_until_failure(replay("drop@after=8").with_middleware(attempts))
    assert type(err) is httpx2.RemoteProtocolError and not isinstance(err, anthropic.APIError)
    assert shown and snapshot.content[0].text == shown and attempts.statuses == [200]


def test_clean_early_end_is_a_silent_partial_message() -> None:
    shown, err, message = stream_until_failure(replay("eof@after=8"))
    assert err is None and message.stop_reason is None and message.content[0].text == shown
    assert message.usage.output_tokens == raw_events(BASICS)[0].message.usage.output_tokens
    with replay("eof@after=8") as client, client.messages.with_streaming_response.create(**request(BASICS), stream=True) as response:
        assert event_order.validate_body(response.read()).ended == "truncated"


def test_529_before_the_first_byte_is_retried_once_then_streams() -> None:
    attempts = Attempts()
    client = replay().with_middleware(attempts)
    raw = client.messages.with_raw_response.create(**request("events_retry_529"), stream=True)
    assert raw.retries_taken == 1 and raw.status_code == 200
    assert [e.type for e in raw.parse()][-1] == "message_stop"
    assert attempts.statuses == [529, 200]


def test_529_without_retries_raises_overloaded_error_before_any_event() -> None:
    with pytest.raises(anthropic.OverloadedError) as caught, replay(max_retries=0).messages.stream(**request("events_retry_529")):
        pytest.fail("the stream opened")
    assert caught.value.status_code == 529 and caught.value.type == "overloaded_error"


# Exercise checks: the reference solutions pass --------------------------------------------------


def test_solution_accumulate_passes() -> None:
    assert_verdict(checks.judge_accumulate(solutions.accumulate), "correct", "all 7 recordings")


def test_solution_stream_outcome_passes() -> None:
    assert_verdict(checks.judge_stream_outcome(solutions.stream_outcome), "correct", "'truncated'", "'dropped'")


def test_accumulate_as_an_sdk_model_passes() -> None:
    def as_model(events: Any) -> Any:
        return anthropic.types.Message.construct(**solutions.accumulate(events))

    assert checks.judge_accumulate(as_model).passed


def test_check_prints_the_verdict(capsys: pytest.CaptureFixture[str]) -> None:
    checks.check_accumulate(unfinished)
    checks.check_stream_outcome(unfinished)
    out = capsys.readouterr().out
    assert "Exercise 1 (accumulate): not finished yet." in out and "Exercise 2 (stream_outcome): not finished yet." in out


# Unfinished work is reported as unfinished, never raised ------------------------------------


@pytest.mark.parametrize("body", [unfinished, not_implemented])
@pytest.mark.parametrize("judge", [checks.judge_accumulate, checks.judge_stream_outcome])
def test_unfinished_exercise_is_not_finished(judge: Any, body: Any) -> None:
    assert_verdict(judge(body), "unfinished", "To do:")


@pytest.mark.parametrize("judge", [checks.judge_accumulate, checks.judge_stream_outcome])
def test_passing_a_call_instead_of_the_function(judge: Any) -> None:
    assert_verdict(judge(None), "wrong", "got None", "without parentheses")


# Exercise 1: typical mistakes ----------------------------------------------------------------


def skipping(event_type: str, delta_type: str | None = None) -> Any:
    """The reference accumulate with one kind of event left unhandled."""

    def handled(event: Any) -> bool:
        return not (event.type == event_type and (delta_type is None or event.delta.type == delta_type))

    return lambda events: solutions.accumulate(filter(handled, events))


def first_block_only(events: Any) -> Any:
    return solutions.accumulate(e for e in events if getattr(e, "index", 0) == 0)


def adds_output_tokens(events: Any) -> Any:
    events = list(events)
    message = solutions.accumulate(events)
    message["usage"]["output_tokens"] += events[0].message.usage.output_tokens
    return message


def keeps_tool_json_as_text(events: Any) -> Any:
    events = list(events)
    message = solutions.accumulate(events)
    for block in message["content"]:
        if block["type"] == "tool_use":
            block["input"] = json.dumps(block["input"])
    return message


def loads_each_fragment(events: Any) -> Any:
    """json.loads on each input_json_delta piece, as if every piece were JSON."""
    events = list(events)
    for event in events:
        if event.type == "content_block_delta" and event.delta.type == "input_json_delta" and event.delta.partial_json:
            json.loads(event.delta.partial_json)
    return solutions.accumulate(events)


def forgets_return(events: Any) -> None:
    solutions.accumulate(events)


def returns_text(events: Any) -> str:
    return "".join(e.delta.text for e in events if e.type == "content_block_delta" and e.delta.type == "text_delta")


def reads_every_delta_as_text(events: Any) -> Any:
    events = list(events)
    "".join(e.delta.text for e in events if e.type == "content_block_delta")  # an input_json_delta has no .text
    return solutions.accumulate(events)


def keeps_sdk_blocks(events: Any) -> Any:
    """Appends event.content_block itself, not its .to_dict()."""
    message: dict[str, Any] = {}
    for event in events:
        if event.type == "message_start":
            message = event.message.to_dict()
        elif event.type == "content_block_start":
            message["content"].append(event.content_block)
    return message


def appends_to_missing_citations(events: Any) -> Any:
    """The table's citation rule followed without creating the list first."""
    events = list(events)
    blocks: dict[int, dict[str, Any]] = {}
    for event in events:
        if event.type == "content_block_start":
            blocks[event.index] = event.content_block.to_dict()
        elif event.type == "content_block_delta" and event.delta.type == "citations_delta":
            blocks[event.index]["citations"].append(event.delta.citation.to_dict())  # KeyError: no list yet
    return solutions.accumulate(events)


def imports_the_sdks_fold(events: Any) -> Any:
    """The SDK's own fold, imported: right answers, none of the student's own work."""
    from anthropic.lib.streaming._messages import accumulate_event

    snapshot = None
    for event in events:
        snapshot = accumulate_event(event=event, current_snapshot=snapshot)
    return snapshot.to_dict()


def folds_with_the_sdk_inside_a_helper(events: Any) -> Any:
    from anthropic.lib.streaming import _messages

    def step(snapshot: Any, event: Any) -> Any:
        return _messages.accumulate_event(event=event, current_snapshot=snapshot)

    snapshot = None
    for event in events:
        snapshot = step(snapshot, event)
    return snapshot.to_dict()


@pytest.mark.parametrize(
    ("attempt", "phrases"),
    [
        (imports_the_sdks_fold, ["calls the SDK's own accumulate_event", "write the fold yourself"]),
        (folds_with_the_sdk_inside_a_helper, ["calls the SDK's own accumulate_event"]),
        (keeps_sdk_blocks, ["content has blocks ['TextBlock']", "to_dict()"]),
        (appends_to_missing_citations, ["events_citations", "raised KeyError", "start the list when the block has none"]),
        (skipping("message_delta"), ["on events_sse_basics", "stop_reason is None; the SDK's is 'end_turn'", "message_delta"]),
        (first_block_only, ["on events_tool_use", "content has blocks ['text'], the SDK's message has ['text', 'tool_use']"]),
        (skipping("content_block_delta", "text_delta"), ["content[0].text is ''", "text_delta"]),
        (
            skipping("content_block_stop"),
            ["Right: it matches the SDK on events_sse_basics.", "events_tool_use", "content[1].input is {}", "json.loads"],
        ),
        (skipping("content_block_delta", "thinking_delta"), ["events_thinking", "content[0].thinking is ''"]),
        (skipping("content_block_delta", "signature_delta"), ["content[0].signature is ''", "replace"]),
        (skipping("content_block_delta", "citations_delta"), ["events_citations", "content[1].citations is None", "citation.to_dict()"]),
        (adds_output_tokens, ["usage.output_tokens is 49; the SDK's is 44", "plus the final count", "do not add"]),
        (keeps_tool_json_as_text, ["content[1].input is", "parse the joined pieces"]),
        (loads_each_fragment, ["raised JSONDecodeError", "a piece of JSON, not JSON", "join them"]),
        (forgets_return, ["Right: it read the events.", "on events_sse_basics (one text block), it returned None."]),
        (returns_text, ["returned a str, not a dict"]),
        (reads_every_delta_as_text, ["on events_tool_use", "raised AttributeError", "check event.delta.type"]),
    ],
)
def test_accumulate_mistakes(attempt: Any, phrases: list[str]) -> None:
    assert_verdict(checks.judge_accumulate(attempt), "wrong", *phrases)


def test_stop_details_mistake_is_caught_on_the_refusal() -> None:
    def forgets_stop_details(events: Any) -> Any:
        message = solutions.accumulate(events)
        message["stop_details"] = None
        return message

    assert_verdict(checks.judge_accumulate(forgets_stop_details), "wrong", "on events_refusal", "stop_details is None")


def test_early_output_count_is_named() -> None:
    def keeps_early_count(events: Any) -> Any:
        events = list(events)
        message = solutions.accumulate(events)
        message["usage"]["output_tokens"] = events[0].message.usage.output_tokens
        return message

    assert_verdict(checks.judge_accumulate(keeps_early_count), "wrong", "message_start's early count")


# Exercise 1: the wrong attempts of a student who is stuck (issue 9's audit) -----------------------


def student_fold(events: Any, block: Any = None, on_text: Any = None, on_message_delta: Any = None) -> Any:
    """The fold a student writes from the lesson's table, with one step done their way.

    ``block(message, event)`` picks the block a delta (or a tool's content_block_stop) goes to;
    ``on_text`` and ``on_message_delta`` replace the handling of a text_delta or message_delta.
    """
    block = block or (lambda message, event: message["content"][event.index])
    message: Any = None
    pieces: dict[int, str] = {}
    for event in events:
        if event.type == "message_start":
            message = event.message.to_dict()
        elif event.type == "content_block_start":
            message["content"].append(event.content_block.to_dict())
        elif event.type == "content_block_delta" and event.delta.type == "text_delta" and on_text:
            on_text(message, event)
        elif event.type == "content_block_delta":
            target, delta = block(message, event), event.delta
            if delta.type == "text_delta":
                target["text"] += delta.text
            elif delta.type == "citations_delta":
                target["citations"] = (target.get("citations") or []) + [delta.citation.to_dict()]
            elif delta.type == "input_json_delta":
                pieces[event.index] = pieces.get(event.index, "") + delta.partial_json
            elif delta.type == "thinking_delta":
                target["thinking"] += delta.thinking
            elif delta.type == "signature_delta":
                target["signature"] = delta.signature
        elif event.type == "content_block_stop" and event.index in pieces:
            block(message, event)["input"] = json.loads(pieces[event.index])
        elif event.type == "message_delta" and on_message_delta:
            on_message_delta(message, event)
        elif event.type == "message_delta":
            details = event.delta.stop_details
            message.update(stop_reason=event.delta.stop_reason, stop_sequence=event.delta.stop_sequence)
            message["stop_details"] = details.to_dict() if details else None
            message["usage"]["output_tokens"] = event.usage.output_tokens
    return message


def writes_to(pick: Any, only_deltas: bool = False) -> Any:
    """A fold that sends deltas (and, unless ``only_deltas``, the tool input) to ``pick(message, event)``."""

    def block(message: Any, event: Any) -> Any:
        return message["content"][event.index] if only_deltas and event.type != "content_block_delta" else pick(message, event)

    return lambda events: student_fold(events, block=block)


def text_into_first_block(message: Any, event: Any) -> None:
    first = message["content"][0]
    first["text"] = first.get("text", "") + event.delta.text  # .get: no KeyError, the text lands quietly


def text_delta_opens_a_block(message: Any, event: Any) -> None:
    message["content"].append({"type": "text", "text": event.delta.text})


def stop_fields_only(message: Any, event: Any) -> None:
    message["stop_reason"] = event.delta.stop_reason


def usage_from_the_delta(message: Any, event: Any) -> None:
    message["stop_reason"] = event.delta.stop_reason
    message["usage"]["output_tokens"] = event.delta.usage.output_tokens


def stop_reason_from_the_event(message: Any, event: Any) -> None:
    message["stop_reason"] = event.stop_reason


def stop_reason_and_usage_only(message: Any, event: Any) -> None:
    message["stop_reason"] = event.delta.stop_reason
    message["usage"]["output_tokens"] = event.usage.output_tokens


ADDRESS = "apply it to content[event.index], not always to content[0]"

STUCK_ATTEMPTS = {
    "always content[0]": (writes_to(lambda m, e: m["content"][0]), ["events_tool_use", "block 0 (text) holds 'input'", ADDRESS]),
    "deltas to content[0]": (
        writes_to(lambda m, e: m["content"][0], only_deltas=True),
        ["events_thinking", "a text_delta for block 1 went to a block without a 'text' field", ADDRESS],
    ),
    "text into content[0], quietly": (
        lambda events: student_fold(events, on_text=text_into_first_block),
        ["events_thinking", "block 0 (thinking) holds 'text'", ADDRESS],
    ),
    "content[event.index - 1]": (writes_to(lambda m, e: m["content"][e.index - 1]), ["events_tool_use", ADDRESS]),
    "content[event.index + 1]": (
        writes_to(lambda m, e: m["content"][e.index + 1]),
        ["raised IndexError", "event.index counts from 0", "not content[event.index + 1]"],
    ),
    "a new block per text_delta": (
        lambda events: student_fold(events, on_text=text_delta_opens_a_block),
        ["content has blocks ['text', 'text',", "only a content_block_start opens a block (1 here)", "never appends a new one"],
    ),
    "message_delta's usage forgotten": (
        lambda events: student_fold(events, on_message_delta=stop_fields_only),
        ["usage.output_tokens is 5; the SDK's is 44", "message_start's early count", "overwrite usage['output_tokens']"],
    ),
    "usage read from event.delta": (
        lambda events: student_fold(events, on_message_delta=usage_from_the_delta),
        ["'Delta' object has no attribute 'usage'", "event.usage.output_tokens, not event.delta.usage"],
    ),
    "stop_reason read from the event": (
        lambda events: student_fold(events, on_message_delta=stop_reason_from_the_event),
        ["no attribute 'stop_reason'", "keeps the stop fields in its delta: event.delta.stop_reason"],
    ),
    "stop_sequence and stop_details forgotten": (
        lambda events: student_fold(events, on_message_delta=stop_reason_and_usage_only),
        ["on events_stop_sequence", "stop_sequence is None; the SDK's is '4.'", "copy stop_reason, stop_sequence and stop_details"],
    ),
}


@pytest.mark.parametrize(("attempt", "phrases"), list(STUCK_ATTEMPTS.values()), ids=list(STUCK_ATTEMPTS))
def test_a_stuck_students_fold_is_told_its_own_mistake(attempt: Any, phrases: list[str]) -> None:
    verdict = checks.judge_accumulate(attempt)
    assert_verdict(verdict, "wrong", *phrases)
    assert "check event.delta.type" not in str(verdict)  # the generic hint issue 9 complained of


def test_writing_to_the_last_block_is_right_because_blocks_never_overlap() -> None:
    assert checks.judge_accumulate(writes_to(lambda m, e: m["content"][-1])).passed


def test_misplaced_names_the_block_that_holds_anothers_content() -> None:
    sdk = {"content": [{"type": "text", "text": "ab"}, {"type": "text", "text": "cd"}]}
    assert checks.misplaced(sdk, sdk) is None
    assert checks.misplaced({"content": [{"type": "text", "text": "abcd"}, {"type": "text", "text": ""}]}, sdk) == (
        "block 0's text goes on with the text of a later block"
    )
    assert checks.misplaced({"content": [{"type": "text", "text": "abab"}, sdk["content"][1]]}, sdk) is None  # doubled, not moved


# Exercise 2: typical mistakes ----------------------------------------------------------------


def catches_nothing(client: Any, req: dict[str, Any]) -> tuple[str, str]:
    with client.messages.stream(**req) as stream:
        text = "".join(stream.text_stream)
        return text, stream.get_final_message().stop_reason or "truncated"


def catches_only_api_errors(client: Any, req: dict[str, Any]) -> tuple[str, str]:
    pieces: list[str] = []
    try:
        with client.messages.stream(**req) as stream:
            for text in stream.text_stream:
                pieces.append(text)
            return "".join(pieces), stream.get_final_message().stop_reason or "truncated"
    except anthropic.APIError:
        return "".join(pieces), "error"


def always_end_turn(client: Any, req: dict[str, Any]) -> tuple[str, str]:
    text, _ = solutions.stream_outcome(client, req)
    return text, "end_turn"


def stop_reason_even_if_none(client: Any, req: dict[str, Any]) -> tuple[str, Any]:
    text, ending = solutions.stream_outcome(client, req)
    return text, None if ending == "truncated" else ending


def loses_the_text_on_error(client: Any, req: dict[str, Any]) -> tuple[str, str]:
    text, ending = solutions.stream_outcome(client, req)
    return ("" if ending == "error" else text), ending


def streams_on_its_own_client(client: Any, req: dict[str, Any]) -> tuple[str, str]:
    with helpers.make_client("replay", speed=0) as own:
        return solutions.stream_outcome(own, req)


def returns_the_text_only(client: Any, req: dict[str, Any]) -> str:
    return solutions.stream_outcome(client, req)[0]


def streams_and_forgets_to_return(client: Any, req: dict[str, Any]) -> None:
    solutions.stream_outcome(client, req)


def calls_everything_an_error(client: Any, req: dict[str, Any]) -> tuple[str, str]:
    pieces: list[str] = []
    try:
        with client.messages.stream(**req) as stream:
            for text in stream.text_stream:
                pieces.append(text)
            return "".join(pieces), stream.get_final_message().stop_reason or "truncated"
    except Exception:
        return "".join(pieces), "error"


def catches_the_sdks_connection_error(client: Any, req: dict[str, Any]) -> tuple[str, str]:
    pieces: list[str] = []
    try:
        with client.messages.stream(**req) as stream:
            for text in stream.text_stream:
                pieces.append(text)
            return "".join(pieces), stream.get_final_message().stop_reason or "truncated"
    except anthropic.APIConnectionError:  # the SDK wraps errors before the response, not a drop mid-body
        return "".join(pieces), "dropped"
    except anthropic.APIStatusError:
        return "".join(pieces), "error"


def only_end_turn_is_finished(client: Any, req: dict[str, Any]) -> tuple[str, str]:
    text, ending = solutions.stream_outcome(client, req)
    return text, "truncated" if ending == "max_tokens" else ending


def final_text_after_the_fact(client: Any, req: dict[str, Any]) -> tuple[str, str]:
    try:
        with client.messages.stream(**req) as stream:
            return stream.get_final_text(), stream.get_final_message().stop_reason or "truncated"
    except anthropic.APIStatusError:
        return "", "error"
    except httpx2.TransportError:
        return "", "dropped"


@pytest.mark.parametrize(
    ("attempt", "phrases"),
    [
        (
            catches_nothing,
            ["Right: it handled a stream that finished, a stream cut off by max_tokens.", "raised APIStatusError", "status 200"],
        ),
        (catches_only_api_errors, ["a connection dropped", "raised RemoteProtocolError", "httpx2.TransportError"]),
        (always_end_turn, ["cut off by max_tokens, the ending was 'end_turn'; it should be 'max_tokens'"]),
        (stop_reason_even_if_none, ["the ending was None; it should be 'truncated'"]),
        (loses_the_text_on_error, ["overloaded error event", "it returned no text, but 93 characters had arrived"]),
        (streams_on_its_own_client, ["never sent a request with the client it was given"]),
        (returns_the_text_only, ["returned a str, not a pair (text, ending)"]),
        (streams_and_forgets_to_return, ["Right: it streamed the answer", "returned None"]),
        (calls_everything_an_error, ["the ending was 'error'; it should be 'dropped'", "an `except Exception` that answers 'error'"]),
        (catches_the_sdks_connection_error, ["raised RemoteProtocolError", "the SDK does not wrap"]),
        (only_end_turn_is_finished, ["max_tokens is a stop_reason", "only for a stream whose stop_reason is None"]),
        (final_text_after_the_fact, ["overloaded error event", "it returned no text, but 93 characters had arrived"]),
    ],
)
def test_stream_outcome_mistakes(attempt: Any, phrases: list[str]) -> None:
    assert_verdict(checks.judge_stream_outcome(attempt), "wrong", *phrases)


# The check's own pieces ------------------------------------------------------------------------


def test_recorded_request_is_ready_for_the_stream_helper() -> None:
    body = checks.recorded_request("events_stop_sequence")
    assert "stream" not in body and body["model"] == helpers.MODEL and body["stop_sequences"] == ["4."]
    assert checks.exercise_request() == checks.recorded_request(BASICS)


def test_compared_fields_follow_each_block_type() -> None:
    message = {
        "id": "m",
        "model": "x",
        "role": "assistant",
        "content": [{"type": "thinking", "thinking": "t", "signature": "s"}, {"type": "text", "text": "a", "citations": []}],
        "stop_reason": "end_turn",
        "usage": {"input_tokens": 1, "output_tokens": 2},
    }
    fields = dict(checks.compared_fields(message))
    assert fields["content"] == ["thinking", "text"]
    assert fields["content[0].signature"] == "s" and fields["content[1].citations"] is None
    assert fields["stop_sequence"] is None and fields["usage.output_tokens"] == 2


def test_first_difference_names_the_first_differing_field() -> None:
    sdk = {"id": "m", "content": [{"type": "text", "text": "ab"}], "usage": {"output_tokens": 9}}
    assert checks.first_difference(sdk, sdk) is None
    mine = {**sdk, "content": [{"type": "text", "text": "a"}], "usage": {"output_tokens": 1}}
    difference = checks.first_difference(mine, sdk)
    assert difference is not None and (difference.path, difference.yours, difference.sdk) == ("content[0].text", "a", "ab")
    assert checks.first_difference({}, sdk).path == "id"


def test_a_block_type_that_is_no_string_is_reported_not_raised() -> None:
    def unhashable_type(events: Any) -> Any:
        message = solutions.accumulate(events)
        message["content"][0]["type"] = ["text"]
        return message

    assert_verdict(checks.judge_accumulate(unhashable_type), "wrong", "content has blocks [['text']], the SDK's message has ['text'].")


# Exercise 3: first output and first visible text -------------------------------------------------


def timed(pick_output, pick_text, raw=False, after_loop=False, scale=1.0, clock=None):
    """An attempt at exercise 3 that reads the clock at the events ``pick_*`` choose."""

    def attempt(client, request):
        watch = clock() if clock else helpers.stopwatch(client).elapsed
        output = text = None
        events = client.messages.create(**request, stream=True) if raw else client.messages.stream(**request).__enter__()
        seen = []
        for event in events:
            seen.append((event, watch()))
        if after_loop:
            return watch() * scale, watch() * scale
        for event, at in seen:
            if output is None and pick_output(event):
                output = at
            if pick_text(event, text):
                text = at
        return output * scale, text * scale

    return attempt


def wall_clock():
    """Seconds since now on the machine's clock: what `start = time.monotonic()` measures."""
    start = time.monotonic()
    return lambda: time.monotonic() - start


def block_start(e):
    return e.type == "content_block_start"


def text_delta(e, so_far=None):
    return e.type == "content_block_delta" and e.delta.type == "text_delta" and so_far is None


def any_delta(e, so_far=None):
    return e.type == "content_block_delta" and so_far is None


def every_text_delta(e, so_far=None):
    return e.type == "content_block_delta" and e.delta.type == "text_delta"


@pytest.mark.parametrize(
    "attempt",
    [solutions.first_output_and_text, timed(block_start, text_delta), timed(block_start, text_delta, raw=True)],
    ids=["solution", "helper-stream", "raw-events"],
)
def test_first_output_and_text_right_variants(attempt):
    assert_verdict(checks.judge_first_output_and_text(attempt), "correct", "omitted thinking")


@pytest.mark.parametrize(
    "attempt, phrases",
    [
        (timed(lambda e: e.type == "message_start", text_delta), ["message_start comes with the response headers"]),
        (timed(lambda e: text_delta(e), text_delta), ["both are the first text"]),
        (timed(block_start, any_delta), ["a signature_delta carries no text"]),
        (timed(lambda e: any_delta(e), text_delta), ["the first delta here is the thinking block's signature_delta"]),
        (timed(block_start, every_text_delta), ["that is the last text_delta"]),
        (timed(block_start, text_delta, after_loop=True), ["read the clock inside the loop"]),
        (timed(block_start, text_delta, scale=1000), ["not milliseconds"]),
        (timed(block_start, text_delta, clock=wall_clock), ["wall clock"]),
        (lambda c, r: tuple(reversed(solutions.first_output_and_text(c, r))), ["the wrong way round"]),
    ],
    ids=[
        "message-start",
        "text-twice",
        "signature-as-text",
        "first-delta",
        "last-text",
        "after-loop",
        "milliseconds",
        "wall-clock",
        "swapped",
    ],
)
def test_first_output_and_text_mistakes_each_get_their_hint(attempt, phrases):
    assert_verdict(checks.judge_first_output_and_text(attempt), "wrong", "the output began at", *phrases)


def test_first_output_and_text_unfinished_and_odd_returns():
    assert_verdict(checks.judge_first_output_and_text(unfinished), "unfinished", "So far:")
    assert_verdict(checks.judge_first_output_and_text(not_implemented), "unfinished", "NotImplementedError")
    assert_verdict(checks.judge_first_output_and_text(42), "wrong", "your function itself")

    def streams_then_returns_a_number(client, request):
        solutions.first_output_and_text(client, request)
        return 3.2

    assert_verdict(checks.judge_first_output_and_text(streams_then_returns_a_number), "wrong", "a pair of numbers")
