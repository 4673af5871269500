"""Lesson 03: the course tools, what the SDK does with every recorded tool-use stream the lesson
shows, and the exercise checks (reference solutions pass, typical mistakes are named, unfinished
work never crashes)."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Any

import anthropic
import jiter
import pytest
from anthropic import beta_tool
from exercise_testing import assert_verdict, load_solutions, not_implemented, unfinished

import helpers
from helpers import config
from helpers.checks import lesson03 as checks
from helpers.checks.common import RequestCap
from helpers.errors import NoRecordingError
from helpers.replay.recording_file import load
from helpers.teaching import course_tools

solutions = load_solutions("03_tool_use.py")


@pytest.fixture
def client() -> Iterator[anthropic.Anthropic]:
    with helpers.make_client("replay", speed=0, backup=False, fault="") as replay:
        yield replay


def run_tools(content: Any) -> list[dict[str, Any]]:
    """One ``tool_result`` per ``tool_use`` block, in order: the reference answer a loop sends back."""
    return [course_tools.run_tool(block) for block in course_tools.tool_uses(content)]


def request(name: str) -> dict[str, Any]:
    """The request a lesson-03 recording answers, as the notebook sends it."""
    body = dict(load(config.fixtures_dir() / f"{name}.json").request.body)
    body.pop("stream")
    return body


def events_of(client: anthropic.Anthropic, name: str) -> tuple[list[Any], Any]:
    with client.messages.stream(**request(name)) as stream:
        events = list(stream)
        return events, stream.get_final_message()


# The tools ------------------------------------------------------------------------------------


def test_every_definition_matches_its_implementation() -> None:
    assert [tool["name"] for tool in course_tools.TOOLS] == list(course_tools.IMPLEMENTATIONS)
    for tool in course_tools.TOOLS:
        schema = tool["input_schema"]
        assert schema["type"] == "object" and tool["description"]
        assert set(schema["required"]) <= set(schema["properties"])
        code = course_tools.IMPLEMENTATIONS[tool["name"]].__code__
        assert list(code.co_varnames[: code.co_argcount]) == list(schema["properties"])


def test_weather_comes_from_the_table() -> None:
    assert course_tools.get_weather("Paris, France") == {
        "location": "Paris, France",
        "temperature": 18,
        "unit": "celsius",
        "conditions": "partly cloudy",
        "wind_kmh": 14,
        "humidity": 62,
    }
    assert course_tools.get_weather("tokyo", "fahrenheit")["temperature"] == 75  # 24 °C, rounded
    assert course_tools.get_weather(" London , England")["location"] == "London, UK"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("Reykjavik, Iceland",), "No weather data for 'Reykjavik, Iceland'. Cities with data: Paris, France; Tokyo"),
        (("Paris", "kelvin"), "Unknown unit 'kelvin'"),
    ],
)
def test_weather_failures_say_what_is_wrong(arguments: tuple[str, ...], message: str) -> None:
    with pytest.raises(course_tools.ToolFailure, match=message.replace("(", r"\(")):
        course_tools.get_weather(*arguments)


@pytest.mark.parametrize(
    ("expression", "result"),
    [("(24 - 18) * 9 / 5", 10.8), ("21 - 12", 9), ("2 ** 10", 1024), ("-3 + +1", -2), ("1 / 3", 0.3333333333)],
)
def test_calculate(expression: str, result: float) -> None:
    assert course_tools.calculate(expression) == {"expression": expression, "result": result}


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("1 / 0", "divides by zero"),
        ("__import__('os')", "Only numbers"),
        ("2 ** 1000", "Exponents above 64"),
        ("True + 1", "Only numbers"),
        ("'a' * 3", "Only numbers"),
        ("2 +", "not an arithmetic expression"),
    ],
)
def test_calculate_refuses_what_is_not_arithmetic(expression: str, message: str) -> None:
    with pytest.raises(course_tools.ToolFailure, match=message):
        course_tools.calculate(expression)


def test_call_tool_only_runs_the_tool() -> None:
    assert course_tools.call_tool({"id": "toolu_1", "name": "calculate", "input": {"expression": "6 * 7"}}) == {
        "expression": "6 * 7",
        "result": 42,
    }


@pytest.mark.parametrize(
    ("tool_input", "message"), [({"location": "Atlantis"}, "No weather data"), ({"city": "Paris"}, "get_weather takes location, unit")]
)
def test_call_tool_raises_what_the_model_should_read(tool_input: dict[str, Any], message: str) -> None:
    with pytest.raises(course_tools.ToolFailure, match=message):
        course_tools.call_tool({"id": "toolu_3", "name": "get_weather", "input": tool_input})


def test_run_tool_answers_a_call_with_json_text() -> None:
    result = course_tools.run_tool({"id": "toolu_1", "name": "calculate", "input": {"expression": "6 * 7"}})
    assert result == {"type": "tool_result", "tool_use_id": "toolu_1", "content": '{"expression": "6 * 7", "result": 42}'}


@pytest.mark.parametrize(
    ("name", "tool_input", "message"),
    [
        ("get_weather", {"location": "Atlantis"}, "No weather data for 'Atlantis'"),
        ("get_time", {}, "There is no tool named 'get_time'. Tools: get_weather, calculate."),
        ("get_weather", {"city": "Paris"}, 'get_weather takes location, unit; got {"city": "Paris"}.'),
        ("calculate", {}, "calculate takes expression; got {}."),
        ("calculate", [1, 2], "The input must be a JSON object, got [1, 2]."),
    ],
)
def test_run_tool_turns_failures_into_error_results(name: str, tool_input: Any, message: str) -> None:
    result = course_tools.run_tool({"id": "toolu_2", "name": name, "input": tool_input})
    assert result["is_error"] is True and result["tool_use_id"] == "toolu_2"
    assert result["content"].startswith(message)


def test_run_tools_pairs_each_result_with_its_call(client: anthropic.Anthropic) -> None:
    _, message = events_of(client, "tools_trip_1")
    results = run_tools(message.content)
    calls = course_tools.tool_uses(message.content)
    assert [r["tool_use_id"] for r in results] == [c.id for c in calls] and len({r["tool_use_id"] for r in results}) == 2
    assert [json.loads(r["content"])["location"] for r in results] == ["Paris, France", "Tokyo, Japan"]


def test_describe_call() -> None:
    assert course_tools.describe_call({"id": "x", "name": "get_weather", "input": {"location": "Paris"}}) == "get_weather(location='Paris')"


# What the SDK does with each recorded stream --------------------------------------------------


def test_the_tool_name_arrives_before_its_input(client: anthropic.Anthropic) -> None:
    events, message = events_of(client, "tools_weather_1")
    kinds = [e.type for e in events]
    start = next(i for i, e in enumerate(events) if e.type == "content_block_start" and e.content_block.type == "tool_use")
    assert events[start].content_block.name == "get_weather" and events[start].content_block.input == {}
    assert "text" in kinds[:start]
    first_input = next(i for i, e in enumerate(events) if e.type == "input_json" and e.partial_json)
    assert start < first_input
    assert message.stop_reason == "tool_use" and message.content[1].input == {"location": "Paris, France", "unit": "celsius"}


def test_fragments_are_not_json_and_the_snapshot_keeps_only_complete_values(client: anthropic.Anthropic) -> None:
    events, _ = events_of(client, "tools_weather_1")
    inputs = [e for e in events if e.type == "input_json"]
    assert inputs[0].partial_json == "" and inputs[0].snapshot == {}
    received, parsed = "", []
    for event in inputs:
        received += event.partial_json
        try:
            parsed.append(json.loads(received))
        except json.JSONDecodeError:
            parsed.append(None)
    assert parsed[:-1] == [None] * (len(parsed) - 1) and parsed[-1] == {"location": "Paris, France", "unit": "celsius"}
    distinct = [s for n, s in enumerate(e.snapshot for e in inputs) if n == 0 or s != inputs[n - 1].snapshot]
    assert distinct == [{}, {"location": "Paris, France"}, {"location": "Paris, France", "unit": "celsius"}]


def test_the_stop_event_carries_the_complete_input(client: anthropic.Anthropic) -> None:
    events, message = events_of(client, "tools_weather_1")
    stop = next(e for e in events if e.type == "content_block_stop" and e.index == 1)
    assert stop.content_block.input == message.content[1].input


def test_tool_result_then_follow_up_answer(client: anthropic.Anthropic) -> None:
    first = request("tools_weather_1")
    with client.messages.stream(**first) as stream:
        reply = stream.get_final_message()
    follow_up = {
        **first,
        "messages": [
            *first["messages"],
            {"role": "assistant", "content": reply.content},
            {"role": "user", "content": run_tools(reply.content)},
        ],
    }
    with client.messages.stream(**follow_up) as stream:
        assert stream.get_final_text().startswith("It's 18 °C and partly cloudy in Paris")
        assert stream.get_final_message().stop_reason == "end_turn"


def test_the_loop_streams_three_turns_and_stops_on_end_turn(client: anthropic.Anthropic) -> None:
    log = RequestCap(10)
    answer = solutions.answer_with_tools(client.with_middleware(log), request("tools_trip_1"))
    assert answer.startswith("Right now Tokyo is about 10.8 °F warmer than Paris")
    assert [body["stream"] for body in log.bodies] == [True, True, True]
    assert [len(body["messages"]) for body in log.bodies] == [1, 3, 5]


def test_parallel_calls_have_their_own_index_and_id(client: anthropic.Anthropic) -> None:
    events, message = events_of(client, "tools_trip_1")
    assert [b.type for b in message.content] == ["text", "tool_use", "tool_use"]
    deltas = [e.index for e in events if e.type == "content_block_delta" and e.delta.type == "input_json_delta"]
    assert deltas == sorted(deltas) and set(deltas) == {1, 2}  # one block after the other, never interleaved
    assert message.content[1].id != message.content[2].id and message.content[1].name == message.content[2].name


def test_max_tokens_cuts_the_tool_input_and_keeps_a_partial_parse(client: anthropic.Anthropic) -> None:
    events, message = events_of(client, "tools_max_tokens")
    assert message.stop_reason == "max_tokens"
    assert "".join(e.partial_json for e in events if e.type == "input_json") == '{"location": "Tokyo, Japan", "unit": "fahr'
    assert message.content[-1].input == {"location": "Tokyo, Japan"}
    assert message.usage.output_tokens == 24


def test_invalid_json_from_the_model_raises_value_error_mid_stream() -> None:
    recording = config.fixtures_dir() / "tools_invalid_json.json"
    body = {k: v for k, v in load(recording).request.body.items() if k != "stream"}
    assert body == {**request("tools_eager"), "messages": [{"role": "user", "content": "What's the weather in London?"}]}
    assert all(tool["eager_input_streaming"] for tool in body["tools"])  # unbuffered input is what can be invalid
    broken = helpers.make_client("replay", speed=0, recording=recording, fault="")
    with (
        pytest.raises(ValueError, match="Unable to parse tool parameter JSON from model") as raised,
        broken.messages.stream(**body) as stream,
    ):
        for _ in stream:
            pass
    assert str(raised.value).endswith('JSON: {"location": "London, UK", "unit": celsius}')
    snapshot = stream.current_message_snapshot
    assert snapshot.content[0].text == "Let me check London's weather." and snapshot.content[1].input == {"location": "London, UK"}


def test_the_invalid_json_recording_declares_the_error_check_verifies() -> None:
    assert load(config.fixtures_dir() / "tools_invalid_json.json").provenance["expect_sdk_error"] == "ValueError"


def test_a_failing_tool_gives_an_error_result_and_the_model_explains(client: anthropic.Anthropic) -> None:
    first = request("tools_unknown_city_1")
    with client.messages.stream(**first) as stream:
        reply = stream.get_final_message()
    (result,) = run_tools(reply.content)
    assert result["is_error"] is True and "Reykjavik" in result["content"]
    follow_up = {
        **first,
        "messages": [*first["messages"], {"role": "assistant", "content": reply.content}, {"role": "user", "content": [result]}],
    }
    with client.messages.stream(**follow_up) as stream:
        assert stream.get_final_message().stop_reason == "end_turn"
        assert "couldn't get the weather for Reykjavik" in stream.get_final_text()


def test_a_tool_only_reply_has_no_text(client: anthropic.Anthropic) -> None:
    with client.messages.stream(**request("tools_forced")) as stream:
        message = stream.get_final_message()
        with pytest.raises(RuntimeError, match="can only be called when the API returns a `text` content block"):
            stream.get_final_text()
    assert [b.type for b in message.content] == ["tool_use"] and message.stop_reason == "tool_use"


def _runnable(definition: dict[str, Any]) -> Any:
    implementation = course_tools.IMPLEMENTATIONS[definition["name"]]
    return beta_tool(lambda **arguments: json.dumps(implementation(**arguments)), **definition)


def test_the_tool_runner_sends_the_loops_requests(client: anthropic.Anthropic) -> None:
    trip = request("tools_trip_1")
    manual, runner_log = RequestCap(10), RequestCap(10)
    solutions.answer_with_tools(client.with_middleware(manual), trip)
    runner = client.with_middleware(runner_log).beta.messages.tool_runner(
        **{**trip, "tools": [_runnable(d) for d in course_tools.TOOLS]}, stream=True, thread=False
    )
    turns = [stream.get_final_message().stop_reason for stream in runner]
    assert turns == ["tool_use", "tool_use", "end_turn"]
    assert json.dumps(runner_log.bodies, sort_keys=True, default=str) == json.dumps(manual.bodies, sort_keys=True, default=str)


def test_the_tool_runner_threads_by_default_which_no_recording_answers(client: anthropic.Anthropic) -> None:
    trip = request("tools_trip_1")
    runner = client.beta.messages.tool_runner(**{**trip, "tools": [_runnable(d) for d in course_tools.TOOLS]}, stream=True)
    with pytest.raises(NoRecordingError, match=re.escape('your     thread: {"type": "create"}')):
        next(iter(runner))


# The exercise checks ------------------------------------------------------------------------


JUDGES = [checks.judge_announce_tools, checks.judge_answer_with_tools, checks.judge_calls_to_run, checks.judge_run_concurrently]


def test_solution_announce_tools_passes() -> None:
    assert_verdict(checks.judge_announce_tools(solutions.announce_tools), "correct", "['get_weather', 'get_weather']", "0.80 s, 2.00 s")


def test_solution_answer_with_tools_passes() -> None:
    assert_verdict(checks.judge_answer_with_tools(solutions.answer_with_tools), "correct", "streamed 3 turns, ran 3 tool calls")


def test_solution_calls_to_run_passes() -> None:
    assert_verdict(checks.judge_calls_to_run(solutions.calls_to_run), "correct", "for 4 replies")


@pytest.mark.parametrize("body", [unfinished, not_implemented])
@pytest.mark.parametrize("judge", JUDGES)
def test_unfinished_exercise_is_not_finished(judge: Any, body: Any) -> None:
    assert_verdict(judge(body), "unfinished", "To do:")


@pytest.mark.parametrize("judge", JUDGES)
def test_passing_a_call_instead_of_the_function(judge: Any) -> None:
    assert_verdict(judge(None), "wrong", "got None", "without parentheses")


def test_check_prints_the_verdict(capsys: pytest.CaptureFixture[str]) -> None:
    checks.check_calls_to_run(unfinished)
    assert capsys.readouterr().out.startswith("Exercise 3 (calls_to_run): not finished yet.\n")


def test_exercise_request_is_answered_by_the_recording(client: anthropic.Anthropic) -> None:
    with client.messages.stream(**checks.exercise_request()) as stream:
        assert stream.get_final_message().stop_reason == "tool_use"


# Exercise 1: typical mistakes


def announces_after_the_reply(client: Any, request: dict[str, Any]) -> list[str]:
    with client.messages.stream(**request) as stream:
        for text in stream.text_stream:
            print(text, end="", flush=True)
        names = [block.name for block in stream.get_final_message().content if block.type == "tool_use"]
    for name in names:
        print(f"\n[calling {name}]")
    return names


def announcer(on: str = "content_block_stop", show_text: bool = True) -> Any:
    """An announce_tools that announces on the event ``on`` and prints the text or not."""

    def announce(client: Any, request: dict[str, Any]) -> list[str]:
        names = []
        with client.messages.stream(**request) as stream:
            for event in stream:
                block = getattr(event, "content_block", None)
                if show_text and event.type == "text":
                    print(event.text, end="", flush=True)
                elif event.type == on and block is not None and block.type == "tool_use":
                    names.append(block.name)
                    print(f"[calling {block.name}]")
        return names

    return announce


def returns_the_blocks(client: Any, request: dict[str, Any]) -> list[Any]:
    solutions.announce_tools(client, request)
    with client.messages.stream(**request) as stream:
        return [b for b in stream.get_final_message().content if b.type == "tool_use"]


def returns_the_first_name(client: Any, request: dict[str, Any]) -> list[str]:
    return solutions.announce_tools(client, request)[:1]


def announces_nothing(client: Any, request: dict[str, Any]) -> list[str]:
    with client.messages.stream(**request) as stream:
        for text in stream.text_stream:
            print(text, end="", flush=True)
        return [b.name for b in stream.get_final_message().content if b.type == "tool_use"]


def uses_its_own_client(client: Any, request: dict[str, Any]) -> list[str]:
    with helpers.make_client("replay", speed=0) as own:
        return solutions.announce_tools(own, request)


@pytest.mark.parametrize(
    ("attempt", "phrases"),
    [
        (announces_after_the_reply, ["input was already complete", "known at 0.80 s", "content_block_start"]),
        (announcer(), ["input was already complete"]),
        (returns_the_blocks, ["ToolUseBlock objects", "tool names"]),
        (returns_the_first_name, ["only the first call"]),
        (announcer(on="content_block_start", show_text=False), ["does not contain the reply's text"]),
        (announces_nothing, ["never printed [calling get_weather] for call 1"]),
        (uses_its_own_client, ["never sent a request with the client it was given"]),
    ],
)
def test_announce_tools_mistakes(attempt: Any, phrases: list[str]) -> None:
    assert_verdict(checks.judge_announce_tools(attempt), "wrong", *phrases)


# Exercise 2: typical mistakes


def tool_calls(reply: Any) -> list[Any]:
    """A reply's tool_use blocks, in order."""
    return [block for block in reply.content if block.type == "tool_use"]


def loop(
    client: Any,
    request: dict[str, Any],
    *,
    keep_assistant: bool = True,
    one_message: bool = True,
    assistant: Any = None,
    results: Any = None,
    stop: bool = True,
    answer: Any = None,
) -> Any:
    """The reference loop with one thing done wrong, chosen by keyword."""
    messages, texts = list(request["messages"]), []
    while True:
        with client.messages.stream(**{**request, "messages": messages}) as stream:
            reply = stream.get_final_message()
        texts.append("".join(b.text for b in reply.content if b.type == "text"))
        if keep_assistant:
            messages.append({"role": "assistant", "content": assistant(reply) if assistant else reply.content})
        if stop and reply.stop_reason != "tool_use":
            return answer(texts) if answer else texts[-1]
        made = results(reply) if results else run_tools(reply.content)
        messages += [{"role": "user", "content": made}] if one_message else [{"role": "user", "content": [r]} for r in made]


def one_turn_only(client: Any, request: dict[str, Any]) -> str:
    with client.messages.stream(**request) as stream:
        return stream.get_final_text()


def without_streaming(client: Any, request: dict[str, Any]) -> str:
    reply = client.messages.create(**request)
    messages = [
        *request["messages"],
        {"role": "assistant", "content": reply.content},
        {"role": "user", "content": run_tools(reply.content)},
    ]
    return client.messages.create(**{**request, "messages": messages}).content[0].text


def repeats_the_question(client: Any, request: dict[str, Any]) -> str:
    for _ in range(3):
        with client.messages.stream(**request) as stream:
            stream.get_final_message()
    return ""


def swapped_ids(reply: Any) -> list[dict[str, Any]]:
    made = run_tools(reply.content)
    ids = [r["tool_use_id"] for r in made][::-1]
    return [{**r, "tool_use_id": i} for r, i in zip(made, ids, strict=True)]


def appends_content_itself(client: Any, request: dict[str, Any]) -> Any:
    """The loop with ``messages.append(reply.content)`` instead of an assistant message."""
    messages = list(request["messages"])
    with client.messages.stream(**request) as stream:
        reply = stream.get_final_message()
    messages += [reply.content, {"role": "user", "content": run_tools(reply.content)}]
    with client.messages.stream(**{**request, "messages": messages}) as stream:
        return stream.get_final_text()


def never_sends_the_results(client: Any, request: dict[str, Any]) -> str:
    """Asks again and again, never sending a tool result: the loop that sent 23,000 requests."""
    while True:
        with client.messages.stream(**request) as stream:
            if stream.get_final_message().stop_reason != "tool_use":
                return stream.get_final_text()


def swallows_every_error(client: Any, request: dict[str, Any]) -> str:
    """The same endless loop, wrapped in ``except Exception``: the cap must still stop it."""
    while True:
        try:
            return never_sends_the_results(client, request)
        except Exception:
            continue


def runs_on_the_first_snapshot(client: Any, request: dict[str, Any]) -> str:
    """The lesson's central unsafe mistake: each tool runs as soon as its input_json snapshot is not empty."""
    messages = list(request["messages"])
    for _ in range(10):
        ran: dict[str, Any] = {}
        with client.messages.stream(**{**request, "messages": messages}) as stream:
            for event in stream:
                block = stream.current_message_snapshot.content[-1] if event.type == "input_json" else None
                if block is not None and event.snapshot and block.id not in ran:
                    ran[block.id] = course_tools.run_tool(block)
            reply = stream.get_final_message()
        messages.append({"role": "assistant", "content": reply.content})
        if reply.stop_reason != "tool_use":
            return reply.content[-1].text
        messages.append({"role": "user", "content": [ran[b.id] for b in reply.content if b.type == "tool_use"]})
    return ""


def paired_by_name(reply: Any) -> list[dict[str, Any]]:
    first = course_tools.tool_uses(reply.content)[0]
    return [{**r, "tool_use_id": first.id} for r in run_tools(reply.content)]


@pytest.mark.parametrize(
    ("attempt", "phrases"),
    [
        (one_turn_only, ["stopped after turn 1", "'tool_use'"]),
        (without_streaming, ["turn 1 was sent without streaming"]),
        (repeats_the_question, ["turn 2 sent only the question again"]),
        (lambda c, r: loop(c, r, keep_assistant=False), ["turn 2 sent no assistant message"]),
        (lambda c, r: loop(c, r, one_message=False), ["its first 1 turn matched", "ONE user message"]),
        (
            lambda c, r: loop(c, r, assistant=lambda reply: [b for b in reply.content if b.type == "tool_use"]),
            ["not the reply as received", "reply.content"],
        ),
        (
            lambda c, r: loop(c, r, results=swapped_ids),
            ["the result sent with the id of get_weather(", "holds the output of", "carry the id of the call that produced it"],
        ),
        (
            lambda c, r: loop(c, r, results=lambda reply: run_tools(reply.content)[::-1]),
            ["in another order", "pairs results by id"],
        ),
        (appends_content_itself, ["not a message dict"]),
        (lambda c, r: loop(c, r, results=paired_by_name), ["answers the calls", "(1 without a result)"]),
        (lambda c, r: loop(c, r, stop=False), ["sent a request for turn 4", "conversation was over"]),
        (lambda c, r: loop(c, r, answer=lambda texts: texts[0]), ["text of turn 1"]),
        (lambda c, r: loop(c, r, answer=" ".join), ["text of every turn"]),
        (lambda c, r: loop(c, r, answer=lambda texts: None), ["Right: it streamed all 3 turns", "returned None"]),
        (
            runs_on_the_first_snapshot,
            ['call 1 (get_weather) ran on {"unit": "celsius"}', "its input before the block stopped", "content_block_stop"],
        ),
        (never_sends_the_results, ["loop never ended", "more than 8 requests", "turn 2 sent only the question again"]),
        (swallows_every_error, ["loop never ended", "more than 8 requests"]),
    ],
)
def test_answer_with_tools_mistakes(attempt: Any, phrases: list[str]) -> None:
    assert_verdict(checks.judge_answer_with_tools(attempt), "wrong", *phrases)


# Exercise 2: the student builds each tool_result from call_tool's output


def result_for(block: Any, output: Any = None, error: Exception | None = None) -> dict[str, Any]:
    """The reference tool_result: the output as JSON text, or the error's message with is_error."""
    if error is not None:
        return {"type": "tool_result", "tool_use_id": block.id, "content": str(error), "is_error": True}
    return {"type": "tool_result", "tool_use_id": block.id, "content": json.dumps(output)}


def building(make: Any = result_for, *, run: Any = course_tools.call_tool, catch: bool = True, user_content: Any = None) -> Any:
    """An answer_with_tools that builds each result with ``make(block, output=..., error=...)`` from ``run(block)``.

    ``user_content(results)`` turns the results into the user turn's content (the list itself by default);
    ``catch=False`` lets a ToolFailure end the loop.
    """

    def build(block: Any) -> Any:
        try:
            output = run(block)
        except course_tools.ToolFailure as error:
            if not catch:
                raise
            return make(block, error=error)
        return make(block, output=output)

    def answer(client: Any, request: dict[str, Any]) -> str:
        def made(reply: Any) -> Any:
            results = [build(block) for block in reply.content if block.type == "tool_use"]
            return user_content(results) if user_content else results

        return str(loop(client, request, results=made))

    return answer


def as_text_blocks(block: Any, output: Any = None, error: Exception | None = None) -> dict[str, Any]:
    result = result_for(block, output, error)
    return {**result, "content": [{"type": "text", "text": result["content"]}]}


def with_is_error_false(block: Any, output: Any = None, error: Exception | None = None) -> dict[str, Any]:
    return {"is_error": False, **result_for(block, output, error)}


def error_as(content: Any, **fields: Any) -> Any:
    """A result builder that sends a failure's content as ``content(error)`` (with is_error, then ``fields``); outputs as JSON."""

    def make(block: Any, output: Any = None, error: Exception | None = None) -> dict[str, Any]:
        return {**result_for(block, error=error), "content": content(error), **fields} if error else result_for(block, output)

    return make


def pretty_json(block: Any, output: Any = None, error: Exception | None = None) -> dict[str, Any]:
    return result_for(block, error=error) if error else {**result_for(block), "content": json.dumps(output, indent=2)}


def concurrently(client: Any, request: dict[str, Any]) -> str:
    """The loop with each turn's calls run at once on a thread pool: map keeps the calls' order."""
    with ThreadPoolExecutor() as pool:
        return str(loop(client, request, results=lambda reply: list(pool.map(solutions.tool_result, tool_calls(reply)))))


@pytest.mark.parametrize(
    "attempt",
    [
        solutions.answer_with_tools,
        building(),
        building(as_text_blocks),
        building(with_is_error_false),
        building(pretty_json),
        concurrently,
        lambda c, r: loop(c, r),
    ],
    ids=["solution", "string-content", "text-block-content", "is_error-false", "indented-json", "thread-pool", "run_tool"],
)
def test_answer_with_tools_right_variants(attempt: Any) -> None:
    assert_verdict(checks.judge_answer_with_tools(attempt), "correct", "streamed 3 turns, ran 3 tool calls", "is_error")


def slow_for_sydney(block: Any) -> Any:
    """call_tool, but Sydney's lookup takes longer: the calls finish in the other order."""
    if "Sydney" in str(block.input):
        time.sleep(0.2)
    return course_tools.call_tool(block)


def pairs_as_completed(client: Any, request: dict[str, Any]) -> str:
    """Runs the calls concurrently, then pairs the outputs in the order they finished with the calls in order."""
    with ThreadPoolExecutor() as pool:

        def paired_by_finishing_order(reply: Any) -> list[dict[str, Any]]:
            calls = tool_calls(reply)
            outputs = [future.result() for future in as_completed([pool.submit(slow_for_sydney, call) for call in calls])]
            return [result_for(call, output) for call, output in zip(calls, outputs, strict=True)]

        return str(loop(client, request, results=paired_by_finishing_order))


def results_as_assistant(client: Any, request: dict[str, Any]) -> str:
    messages = list(request["messages"])
    for _ in range(6):
        with client.messages.stream(**{**request, "messages": messages}) as stream:
            reply = stream.get_final_message()
        messages.append({"role": "assistant", "content": reply.content})
        if reply.stop_reason != "tool_use":
            return stream.get_final_text()
        messages.append({"role": "assistant", "content": [solutions.tool_result(b) for b in reply.content if b.type == "tool_use"]})
    return ""


def only_the_results(client: Any, request: dict[str, Any]) -> str:
    """Sends the tool results back without the assistant's reply that asked for them."""
    messages = list(request["messages"])
    for _ in range(6):
        with client.messages.stream(**{**request, "messages": messages}) as stream:
            reply = stream.get_final_message()
        if reply.stop_reason != "tool_use":
            return stream.get_final_text()
        messages.append({"role": "user", "content": [solutions.tool_result(b) for b in reply.content if b.type == "tool_use"]})
    return ""


@pytest.mark.parametrize(
    ("attempt", "phrases"),
    [
        (
            building(lambda block, output=None, error=None: {**result_for(block, output, error), "content": output or str(error)}),
            ["has a dict as its content", "json.dumps(output)"],
        ),
        (
            building(lambda block, output=None, error=None: {**result_for(block, output, error), "content": str(output)}),
            ["Python's repr", "json.dumps(output)"],
        ),
        (
            building(lambda block, output=None, error=None: {**result_for(block, output, error), "content": error or json.dumps(output)}),
            ["a conversation whose get_weather call fails", "a ToolFailure object", "cannot be sent as JSON", "str(error)"],
        ),
        (
            building(
                lambda block, output=None, error=None: {
                    "type": "tool_result",
                    "tool_use_id": block.id,
                    "content": str(error or json.dumps(output)),
                }
            ),
            ["Right: it streamed 3 turns", "get_weather(location='Reykjavik, Iceland') failed", "ordinary result", "'is_error': True"],
        ),
        (building(catch=False), ["Right: it streamed 3 turns", "ToolFailure", "ended your loop", "catch course_tools.ToolFailure"]),
        (
            building(
                lambda block, output=None, error=None: {k: v for k, v in result_for(block, output, error).items() if k != "tool_use_id"}
            ),
            ["a tool_result without tool_use_id", "'tool_use_id': block.id"],
        ),
        (
            building(user_content=lambda results: [{"type": "text", "text": "Here are the results."}, *results]),
            ["puts ['text'] before its tool_result blocks", "begin with the tool_result blocks"],
        ),
        (
            building(user_content=lambda results: [*results, {"type": "text", "text": "Thanks."}]),
            ["adds ['text'] after the tool_result blocks", "The API allows text there"],
        ),
        (
            building(user_content=lambda results: results[0] if len(results) == 1 else results),
            ["turn 3, messages[4]'s content is one block, not a list"],
        ),
        (
            building(lambda block, output=None, error=None: {**result_for(block, output, error), "is_error": True}),
            ["says is_error: True, but the tool succeeded"],
        ),
        (
            pairs_as_completed,
            ["sent with the id of get_weather(unit='celsius', location='Sydney, Australia')", "holds the output of get_weather("],
        ),
        (results_as_assistant, ["the tool results went in an assistant message", "'role': 'user'"]),
        (only_the_results, ["turn 2 sent no assistant message"]),
        (
            building(error_as(lambda error: json.dumps({"error": str(error)}))),
            ["Reykjavik, Iceland') failed", "a JSON object around the message", "'content': str(error), 'is_error': True"],
        ),
        (building(error_as(lambda error: json.dumps(str(error)))), ["json.dumps(str(error))", "'content': str(error)"]),
        (building(error_as(repr)), ["repr(error)", "'content': str(error)"]),
        (building(error_as(str, is_error="true")), ["'is_error': 'true', a str", "is_error is a bool"]),
        (
            building(lambda block, output=None, error=None: {**result_for(block, output, error), "name": block.name}),
            ["its content is right, but a tool_result has no 'name' field", "tool_use_id already says which call"],
        ),
    ],
    ids=[
        "dict-content",
        "repr-content",
        "exception-content",
        "error-without-is_error",
        "failure-not-caught",
        "no-tool_use_id",
        "text-first",
        "text-after",
        "one-block-not-a-list",
        "is_error-on-success",
        "as_completed-pairing",
        "results-as-assistant",
        "only-the-results",
        "error-as-json-object",
        "error-json-dumped",
        "error-repr",
        "is_error-string",
        "name-field",
    ],
)
def test_answer_with_tools_result_mistakes(attempt: Any, phrases: list[str]) -> None:
    assert_verdict(checks.judge_answer_with_tools(attempt), "wrong", *phrases)


# Exercise 5: run one reply's calls concurrently


def block_for(block: Any, run: Any) -> dict[str, Any]:
    """Run one call and build its result, catching a failure: what a correct attempt maps."""
    try:
        return result_for(block, run(block))
    except course_tools.ToolFailure as error:
        return result_for(block, error=error)


def submits_all_then_waits(calls: list[Any], run: Any) -> list[Any]:
    with ThreadPoolExecutor() as pool:
        futures = [pool.submit(block_for, block, run) for block in calls]
        return [future.result() for future in futures]


def as_completed_keyed_by_future(calls: list[Any], run: Any) -> list[Any]:
    with ThreadPoolExecutor() as pool:
        futures = {pool.submit(block_for, block, run): block for block in calls}
        done = {futures[future].id: future.result() for future in as_completed(futures)}
    return [done[block.id] for block in calls]


def plain_threads(calls: list[Any], run: Any) -> list[Any]:
    results: dict[str, Any] = {}

    def work(block: Any) -> None:
        results[block.id] = block_for(block, run)

    threads = [threading.Thread(target=work, args=(block,)) for block in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [results[block.id] for block in calls]


def in_a_loop(calls: list[Any], run: Any) -> list[Any]:
    return [block_for(block, run) for block in calls]


def result_right_after_submit(calls: list[Any], run: Any) -> list[Any]:
    with ThreadPoolExecutor() as pool:
        return [pool.submit(block_for, block, run).result() for block in calls]


def zips_as_completed(calls: list[Any], run: Any) -> list[Any]:
    with ThreadPoolExecutor() as pool:
        outputs = [future.result() for future in as_completed([pool.submit(run, block) for block in calls])]
    return [result_for(block, output) for block, output in zip(calls, outputs, strict=True)]


def in_finishing_order(calls: list[Any], run: Any) -> list[Any]:
    with ThreadPoolExecutor() as pool:
        return [future.result() for future in as_completed([pool.submit(block_for, block, run) for block in calls])]


def returns_the_outputs(calls: list[Any], run: Any) -> list[Any]:
    with ThreadPoolExecutor() as pool:
        return list(pool.map(run, calls))


def returns_the_futures(calls: list[Any], run: Any) -> list[Any]:
    with ThreadPoolExecutor() as pool:
        return [pool.submit(block_for, block, run) for block in calls]


def runs_each_twice(calls: list[Any], run: Any) -> list[Any]:
    with ThreadPoolExecutor() as pool:
        list(pool.map(run, calls))  # "to warm up"
        return list(pool.map(lambda block: block_for(block, run), calls))


def runs_until_told_to_stop(calls: list[Any], run: Any) -> list[Any]:
    while True:
        for block in calls:
            try:
                run(block)
            except Exception:
                continue


def lets_the_failure_out(calls: list[Any], run: Any) -> list[Any]:
    with ThreadPoolExecutor() as pool:
        return [result_for(block, output) for block, output in zip(calls, pool.map(run, calls), strict=True)]


def failure_without_is_error(calls: list[Any], run: Any) -> list[Any]:
    def plain(block: Any) -> dict[str, Any]:
        try:
            return result_for(block, run(block))
        except course_tools.ToolFailure as error:
            return {"type": "tool_result", "tool_use_id": block.id, "content": str(error)}

    with ThreadPoolExecutor() as pool:
        return list(pool.map(plain, calls))


def one_try_around_map(calls: list[Any], run: Any) -> list[Any]:
    """Marks every call failed when one fails: the try is around the whole map."""
    with ThreadPoolExecutor() as pool:
        try:
            outputs = list(pool.map(run, calls))
        except course_tools.ToolFailure as error:
            return [result_for(block, error=error) for block in calls]
    return [result_for(block, output) for block, output in zip(calls, outputs, strict=True)]


def one_worker(calls: list[Any], run: Any) -> list[Any]:
    with ThreadPoolExecutor(max_workers=1) as pool:
        return list(pool.map(lambda block: block_for(block, run), calls))


def never_joins(calls: list[Any], run: Any) -> list[Any]:
    """Starts a thread per call and returns at once, without waiting for them."""
    results: dict[str, Any] = {}

    def work(block: Any) -> None:
        results[block.id] = block_for(block, run)

    for block in calls:
        threading.Thread(target=work, args=(block,)).start()
    return [results.get(block.id) for block in calls]


def ignores_run(calls: list[Any], run: Any) -> list[Any]:
    with ThreadPoolExecutor() as pool:
        return list(pool.map(solutions.tool_result, calls))


@pytest.mark.parametrize(
    "attempt",
    [solutions.run_concurrently, submits_all_then_waits, as_completed_keyed_by_future, plain_threads],
    ids=["solution-map", "submit-all", "as_completed-by-future", "threads"],
)
@pytest.mark.realtime  # each call of the check's tool waits as a service would (0.1-0.3 s)
def test_run_concurrently_right_variants(attempt: Any) -> None:
    assert_verdict(
        checks.judge_run_concurrently(attempt),
        "correct",
        "at the same time",
        "two get_weather calls, a reply whose one call fails and three calls of which one fails",
    )


@pytest.mark.parametrize(
    ("attempt", "phrases"),
    [
        (in_a_loop, ["ran one after the other", "pool.map(run, calls)"]),
        (result_right_after_submit, ["ran one after the other", ".result() right after its submit"]),
        (zips_as_completed, ["sent with the id of get_weather(unit='celsius', location='Sydney, Australia')", "holds the output of"]),
        (in_finishing_order, ["in the order the calls finished", "calls' order"]),
        (returns_the_outputs, ["the tools' outputs, not tool_result blocks"]),
        (returns_the_futures, ["Future objects"]),
        (runs_each_twice, ["2 times", "a tool call runs once"]),
        (runs_until_told_to_stop, ["called run more than 8 times", "the check stopped it"]),
        (
            lets_the_failure_out,
            ["Right: it handled a reply with two get_weather calls", "ToolFailure: No weather data", "came out of your function"],
        ),
        (failure_without_is_error, ["ordinary result", "'is_error': True"]),
        (ignores_run, ["never called `run`"]),
        (lambda calls, run: solutions.run_concurrently(calls, run) and None, ["returned None", "return the list of tool_result blocks"]),
        (
            one_try_around_map,
            [
                "Right: it handled a reply with two get_weather calls and a reply whose one call fails",
                "every result says is_error",
                "location='Sydney, Australia') (",
                "was lost",
                "a try around pool.map(...)",
            ],
        ),
        (one_worker, ["not every call ran at once", "the pool has 1 worker (ThreadPoolExecutor(max_workers=1))", "max_workers=len(calls)"]),
        (never_joins, ["returned while 2 of the 2 calls it started were still running", "never joined", "thread.join()"]),
    ],
    ids=[
        "sequential",
        "result-after-submit",
        "as_completed-zip",
        "finishing-order",
        "outputs",
        "futures",
        "twice",
        "endless",
        "failure-escapes",
        "no-is_error",
        "ignores-run",
        "none",
        "one-try-for-all",
        "one-worker",
        "never-joins",
    ],
)
@pytest.mark.realtime  # each call of the check's tool waits as a service would (0.1-0.3 s)
def test_run_concurrently_mistakes(attempt: Any, phrases: list[str]) -> None:
    assert_verdict(checks.judge_run_concurrently(attempt), "wrong", *phrases)


# Exercise 3: typical mistakes


def every_call(message: Any) -> list[Any]:
    return [b for b in message.content if b.type == "tool_use"]


@pytest.mark.parametrize(
    ("attempt", "phrases"),
    [
        (every_call, ["cut off by max_tokens", "get_weather(location='Tokyo, Japan')", "stop_reason == 'tool_use'"]),
        (lambda m: list(m.content) if m.stop_reason == "tool_use" else [], ["['text', 'tool_use'] items"]),
        (lambda m: every_call(m)[:1] if m.stop_reason == "tool_use" else [], ["1 of the 2 calls"]),
        (lambda m: [b.id for b in every_call(m)] if m.stop_reason == "tool_use" else [], ["['str'] items"]),
        (lambda m: [m.content[1]] if m.stop_reason == "tool_use" else [], ["1 of the 2 calls"]),
        (
            lambda m: m.content[1:] if m.stop_reason == "tool_use" else [],
            ["Right: it handled", "a reply that is only a tool call, with no text, it returned 0 of the 1 calls"],
        ),
        (lambda m: [] if m.stop_reason == "tool_use" else None, ["parallel get_weather calls, it returned 0 of the 2 calls"]),
        (
            lambda m: every_call(m) if m.stop_reason == "tool_use" else None,
            ["Right: it handled a reply with two", "max_tokens", "it returned None"],
        ),
        (lambda m: m.content[5], ["raised IndexError"]),
    ],
)
def test_calls_to_run_mistakes(attempt: Any, phrases: list[str]) -> None:
    assert_verdict(checks.judge_calls_to_run(attempt), "wrong", *phrases)


# Exercise 4: recover a cut eager tool input ---------------------------------------------------------


def recovering(join=lambda events: "".join(e.partial_json for e in events if e.type == "input_json"), parse=None):
    """An attempt at exercise 4 that joins the events with ``join`` and parses with ``parse``."""

    def attempt(client, request):
        with client.messages.stream(**request) as stream:
            events = list(stream)
        raw = join(events)
        return raw, (parse or (lambda text: jiter.from_json(text.encode(), partial_mode="trailing-strings")))(raw)

    return attempt


def sdk_snapshot(client, request):
    with client.messages.stream(**request) as stream:
        events = list(stream)
    raw = "".join(e.partial_json for e in events if e.type == "input_json")
    return raw, stream.get_final_message().content[-1].input


def text_or_fragment(event):
    """The text of a text event or the fragment of an input_json event; nothing for the others."""
    return {"text": getattr(event, "text", ""), "input_json": getattr(event, "partial_json", "")}.get(event.type, "")


def with_text_and_snapshot(client, request):
    """Joins the text pieces and the input fragments alike, and keeps the SDK's last snapshot."""
    with client.messages.stream(**request) as stream:
        events = [e for e in stream if e.type in ("text", "input_json")]
    return "".join(e.text if e.type == "text" else e.partial_json for e in events), events[-1].snapshot


def last_fragment_and_snapshot(client, request):
    """Keeps only the last input_json event: its fragment and its snapshot."""
    with client.messages.stream(**request) as stream:
        last = [e for e in stream if e.type == "input_json"][-1]
    return last.partial_json, last.snapshot


@pytest.mark.parametrize(
    "attempt",
    [
        solutions.recover_cut_input,
        recovering(),
        recovering(
            join=lambda events: "".join(
                e.delta.partial_json for e in events if e.type == "content_block_delta" and e.delta.type == "input_json_delta"
            )
        ),
    ],
    ids=["solution", "helper-events", "raw-deltas"],
)
def test_recover_cut_input_right_variants(attempt):
    assert_verdict(checks.judge_recover_cut_input(attempt), "correct", "cut by max_tokens", "a complete call")


@pytest.mark.parametrize(
    "attempt, phrases",
    [
        (recovering(parse=json.loads), ["JSONDecodeError", "json.loads needs a whole document"]),
        (recovering(parse=lambda text: jiter.from_json(text.encode())), ["without partial_mode"]),
        (sdk_snapshot, ["the SDK's own parse (partial_mode=True)", "trailing-strings"]),
        (recovering(parse=lambda text: jiter.from_json(text.encode(), partial_mode=True)), ["the SDK's own parse"]),
        (recovering(parse=lambda text: text), ["recovered is the text itself"]),
        (recovering(parse=lambda text: {}), ["the block's input when it started"]),
        (recovering(join=lambda events: "".join(text_or_fragment(e) for e in events)), ["not the tool input's JSON"]),
        (with_text_and_snapshot, ["raw also holds the reply's text"]),
        (last_fragment_and_snapshot, ["only the last fragment"]),
    ],
    ids=[
        "json-loads",
        "jiter-whole",
        "sdk-snapshot",
        "partial-true",
        "unparsed",
        "start-input",
        "parsed-text-too",
        "with-text",
        "last-fragment",
    ],
)
def test_recover_cut_input_mistakes_each_get_their_hint(attempt, phrases):
    assert_verdict(checks.judge_recover_cut_input(attempt), "wrong", *phrases)


def test_recover_cut_input_unfinished_never_crashes():
    assert_verdict(checks.judge_recover_cut_input(unfinished), "unfinished", "So far:")
    assert_verdict(checks.judge_recover_cut_input(not_implemented), "unfinished", "NotImplementedError")
    assert_verdict(checks.judge_recover_cut_input(7), "wrong", "your function itself")
