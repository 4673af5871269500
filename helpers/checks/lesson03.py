"""Automatic checks for the exercises of lesson 03 (tool use while streaming).

Each check runs the student's function on its own replay client at no-wait speed, against the
exercise conversation (three recorded turns: two parallel weather calls, a calculation, the
answer; exercise 2 also on a conversation whose tool fails), so the verdict is the same in
every course mode. ``judge_*`` return a :class:`Verdict` (tests use them); ``check_*`` print it
(the notebook uses them). Exercise 5 (running a reply's calls concurrently) has its own module,
``lesson03_concurrent``, and its check is offered here too. A check never raises because an exercise is unfinished or wrong.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from helpers.checks.common import (
    Attempt,
    Exercise,
    Printout,
    RequestCap,
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
    returned_none,
    seconds,
    sent_nothing,
    wrong_kind,
)
from helpers.checks.lesson03_concurrent import check_run_concurrently as check_run_concurrently
from helpers.checks.lesson03_concurrent import judge_run_concurrently as judge_run_concurrently
from helpers.checks.tool_results import (
    FAILED_BLOCK,
    CanonicalResults,
    canonical_messages,
    holds_results,
    result_turn_mistake,
    same_json,
)
from helpers.client import stopwatch
from helpers.teaching.course_tools import ToolFailure, describe_call, run_tool, tool_uses

EXERCISE_TURNS = ("tools_exercise_1", "tools_exercise_2", "tools_exercise_3")
"""The recordings of the exercise conversation, one per turn."""
FAILING_TURNS = ("tools_unknown_city_1", "tools_unknown_city_2")
"""A conversation whose one tool call fails (a city the weather table lacks): exercise 2's second run."""
CUT_OFF = "tools_max_tokens"
TOOL_ONLY = "tools_forced"

ANNOUNCE_TOOLS = Exercise(
    1,
    "announce_tools",
    recipe="inside `with client.messages.stream(**request) as stream:`, loop over the events; print "
    'event.text for "text" events (end="", flush=True), and for a "content_block_start" event whose '
    'content_block.type is "tool_use", print f"[calling {event.content_block.name}]" and keep the name. '
    "Return the names.",
    returns="the list of tool names, in the order the calls started",
    kind=list,
    kind_words="a list of names",
)
ANSWER_WITH_TOOLS = Exercise(
    2,
    "answer_with_tools",
    recipe="keep a messages list; in a loop, stream the request with those messages, take "
    "reply = stream.get_final_message(), append {'role': 'assistant', 'content': reply.content}; stop when "
    "reply.stop_reason != 'tool_use'. Otherwise, for each tool_use block b, output = course_tools.call_tool(b) and build "
    "{'type': 'tool_result', 'tool_use_id': b.id, 'content': json.dumps(output)} (on ToolFailure: 'content': str(error), "
    "'is_error': True); append {'role': 'user', 'content': those results} and go round again. Return the last reply's text.",
    returns="the final answer's text, as one string",
    kind=str,
    kind_words="a string",
)
CALLS_TO_RUN = Exercise(
    3,
    "calls_to_run",
    recipe="return [block for block in message.content if block.type == 'tool_use'] when "
    "message.stop_reason == 'tool_use', and [] otherwise.",
    returns="a list of the message's tool_use blocks (or an empty list)",
    kind=list,
    kind_words="a list of tool_use blocks",
)


RECOVER_CUT_INPUT = Exercise(
    4,
    "recover_cut_input",
    recipe='inside `with client.messages.stream(**request) as stream:`, join event.partial_json of every "input_json" '
    'event into raw; then recovered = jiter.from_json(raw.encode(), partial_mode="trailing-strings"). Return (raw, recovered).',
    returns="a pair (raw, recovered): the tool input's JSON text as it arrived, and its best parse",
    kind=(tuple, list),
    kind_words="a pair (raw, recovered)",
)
EAGER_CUT = "tools_eager_max_tokens"
EAGER_WHOLE = "tools_eager"

STREAM_THE_REQUEST = "stream the `request` with the `client` you are given."


def exercise_request() -> dict[str, Any]:
    """The request the checks send (the exercise conversation's first turn), to try your function yourself."""
    return recorded_request(EXERCISE_TURNS[0])


def recorded_reply(name: str) -> Any:
    """The final message of one recording, streamed through the SDK."""
    with replay_client() as client, client.messages.stream(**recorded_request(name)) as stream:
        return stream.get_final_message()


# Exercise 1: announce each tool as soon as its block starts ----------------------------------


@dataclass(frozen=True)
class ToolBlockTimes:
    """When one tool_use block of the exercise reply started, got its first input, and was complete."""

    name: str
    started: float
    input_began: float
    complete: float


@dataclass(frozen=True)
class FirstTurn:
    """What the exercise conversation's first reply delivers, read on the recording's clock."""

    text: str
    tools: tuple[ToolBlockTimes, ...]

    @property
    def names(self) -> list[str]:
        return [tool.name for tool in self.tools]


def first_turn() -> FirstTurn:
    """Stream the first exercise reply once, noting when each tool block starts, fills and ends."""
    text = ""
    starts: dict[int, tuple[str, float]] = {}  # block index -> (tool name, when its block started)
    inputs: dict[int, float] = {}  # block index -> when its first input arrived
    stops: dict[int, float] = {}  # block index -> when its block ended
    with replay_client() as client, client.messages.stream(**exercise_request()) as stream:
        clock = stopwatch(client)
        for event in stream:
            now = clock.elapsed()
            if event.type == "text":
                text += event.text
            elif event.type == "content_block_start" and event.content_block.type == "tool_use":
                starts[event.index] = (event.content_block.name, now)
            elif event.type == "content_block_delta" and event.delta.type == "input_json_delta" and event.delta.partial_json:
                inputs.setdefault(event.index, now)
            elif event.type == "content_block_stop" and event.index in starts:
                stops[event.index] = now
    tools = tuple(ToolBlockTimes(name, at, inputs[i], stops[i]) for i, (name, at) in sorted(starts.items()))
    return FirstTurn(text, tools)


def judge_announce_tools(announce_tools: Callable[[Any, dict[str, Any]], Any]) -> Verdict:
    """Exercise 1: print the text and announce each tool call the moment its block starts."""
    ex = ANNOUNCE_TOOLS
    if not callable(announce_tools):
        return not_a_function(ex, announce_tools)
    with replay_client() as client:
        printout = Printout(stopwatch(client).elapsed)
        with contextlib.redirect_stdout(printout):
            result = attempt(announce_tools, client, exercise_request())
        read_until = stopwatch(client).elapsed()
    failure = crashed(ex, result)
    if failure:
        return failure
    if read_until == 0:
        return sent_nothing(ex, result, hint=STREAM_THE_REQUEST)
    expected = first_turn()
    if is_blank(result.value):
        return returned_none(ex, right="it streamed the reply.")
    wrong_value = wrong_kind(ex, result.value)
    if wrong_value:
        return wrong_value
    if result.value != expected.names:
        return ex.verdict("wrong", wrong=_wrong_names(result.value, expected.names), hint=ex.recipe)
    return _judge_announcements(printout, expected)


def _wrong_names(value: list[Any], names: list[str]) -> str:
    if not value:
        return f"it returned an empty list, but the reply calls {len(names)} tools: {names}."
    if value == names[:1]:
        return f"it returned only the first call; the reply makes {len(names)} calls: {names}."
    if all(not isinstance(item, str) for item in value):
        return f"it returned {type(value[0]).__name__} objects; the check wants the tool names (strings): {names}."
    return f"it returned {value!r}; the reply's calls, in order, are {names}."


def _judge_announcements(printout: Printout, expected: FirstTurn) -> Verdict:
    ex = ANNOUNCE_TOOLS
    printed = printout.getvalue()
    right = f"it returned the {len(expected.names)} tool names, {expected.names}."
    if expected.text not in printed:
        hint = 'print each piece of text as it arrives, joined up: print(event.text, end="", flush=True).'
        return ex.verdict("wrong", right=right, wrong="what it printed does not contain the reply's text.", hint=hint)
    moments: list[float] = []
    for n, tool in enumerate(expected.tools):
        printed_at = printout.printed_at(f"calling {tool.name}")
        same_name_before = expected.names[:n].count(tool.name)
        if len(printed_at) <= same_name_before:
            return ex.verdict(
                "wrong",
                right=right,
                wrong=f"it never printed [calling {tool.name}] for call {n + 1}.",
                hint='print f"[calling {event.content_block.name}]" for each tool_use block that starts.',
            )
        at = printed_at[same_name_before]
        if at >= tool.input_began:
            done = "complete" if at >= tool.complete else "arriving"
            return ex.verdict(
                "wrong",
                right=right,
                wrong=f"it announced call {n + 1} ({tool.name}) at {seconds(at)}, when its input was already {done}; "
                f"the name was known at {seconds(tool.started)}, when the block started.",
                hint='announce in the loop, on the "content_block_start" event, not after get_final_message().',
            )
        moments.append(at)
    waits = ", ".join(f"{seconds(t.complete - at)}" for t, at in zip(expected.tools, moments, strict=True))
    return ex.verdict(
        "correct",
        right=f"{right} Each was announced as its block started, before any of its input arrived "
        f"({', '.join(seconds(at) for at in moments)}): that is {waits} before the input was complete.",
    )


# Exercise 2: the complete loop --------------------------------------------------------------


@dataclass(frozen=True)
class Conversation:
    """One recorded conversation: each turn's request messages and final message, and what it is."""

    what: str
    requests: tuple[list[dict[str, Any]], ...]
    replies: tuple[Any, ...]

    @property
    def answer(self) -> str:
        return "".join(block.text for block in self.replies[-1].content if block.type == "text")

    @property
    def calls(self) -> int:
        return sum(len(tool_uses(reply.content)) for reply in self.replies)


def conversation(names: Sequence[str] = EXERCISE_TURNS, what: str = "the exercise conversation") -> Conversation:
    """The recorded turns of one conversation, the exercise's unless ``names`` says otherwise."""
    requests = tuple(list(recorded_request(name)["messages"]) for name in names)
    return Conversation(what, requests, tuple(recorded_reply(name) for name in names))


def judge_answer_with_tools(answer_with_tools: Callable[[Any, dict[str, Any]], Any]) -> Verdict:
    """Exercise 2: the loop that streams every turn, runs the tools, sends the results it built, and stops on end_turn.

    It runs twice: on the exercise conversation, then on one whose tool fails (an is_error result).
    """
    ex = ANSWER_WITH_TOOLS
    if not callable(answer_with_tools):
        return not_a_function(ex, answer_with_tools)
    exercise = conversation()
    verdict = _judge_conversation(answer_with_tools, EXERCISE_TURNS, exercise, done="")
    if verdict is not None:
        return verdict
    done = (
        f"it streamed {len(exercise.replies)} turns, ran {exercise.calls} tool calls, sent each result back paired with "
        f"its call's id, stopped on end_turn and returned the {len(exercise.answer)}-character answer."
    )
    failing = conversation(FAILING_TURNS, "a conversation whose get_weather call fails")
    verdict = _judge_conversation(answer_with_tools, FAILING_TURNS, failing, done=done)
    if verdict is not None:
        return verdict
    return ex.verdict("correct", right=f"{done} When the tool failed, it sent the error back with is_error and returned the model's reply.")


def _judge_conversation(answer_with_tools: Callable[..., Any], names: Sequence[str], expected: Conversation, done: str) -> Verdict | None:
    """The verdict on one run of the student's loop over a recorded conversation, or None if it was right.

    Requests reach replay in the recorded form (``tool_results.CanonicalResults``), so any valid form of a
    result is answered; ``log`` keeps each request as the student wrote it, to name a mistake in its words.
    """
    ex = ANSWER_WITH_TOOLS
    log = RequestCap(len(names) + 5)  # a loop that never ends is stopped, not waited for
    with replay_client() as client:
        result = attempt(answer_with_tools, client.with_middleware(log, CanonicalResults()), recorded_request(names[0]))
    matched = _matching_turns(log.bodies, expected)
    right = " ".join(part for part in (done, _turns_right(matched, expected, done)) if part)
    if result.stopped:
        why = _unmatched_turn(log.bodies[: matched + 1], expected) if matched < len(log.bodies) else ""
        return ex.verdict(
            "wrong",
            right=right,
            wrong=f"its loop never ended: {result.stopped}, and the check stopped it. {why}".strip(),
            hint="go round once per turn, send the tool results back, stop when stop_reason is not 'tool_use', and cap the turns.",
        )
    if matched < len(log.bodies):
        wrong = _unmatched_turn(log.bodies[: matched + 1], expected)
        hint = RUN_AFTER_STOP if RAN_EARLY in wrong else ex.recipe
        return ex.verdict("wrong", right=right, wrong=wrong, hint=hint)
    if isinstance(result.error, ToolFailure):
        return ex.verdict(
            "wrong",
            right=right,
            wrong=f"in {expected.what}, the tool's ToolFailure ({first_line(result.error)}) ended your loop.",
            hint=f"catch course_tools.ToolFailure around the call and send the error back as a result: {FAILED_BLOCK}.",
        )
    failure = crashed(ex, result)
    if failure:
        return failure
    if not log.bodies:
        return sent_nothing(ex, result, hint=STREAM_THE_REQUEST)
    return _judge_answer(result, len(log.bodies), expected, right, done)


def _matching_turns(bodies: Sequence[dict[str, Any]], expected: Conversation) -> int:
    """How many of the requests sent, from the first, are the recorded turns' requests (in any valid form)."""
    matched = 0
    for body, wanted in zip(bodies, expected.requests, strict=False):
        if not (body.get("stream") and same_json(canonical_messages(body.get("messages") or []), wanted)):
            break
        matched += 1
    return matched


def _turns_right(complete: int, expected: Conversation, done: str) -> str:
    if not complete:
        return ""
    turns = f"{complete} turn{'s' if complete != 1 else ''}"
    return f"In {expected.what}, its first {turns} matched the recording." if done else f"its first {turns} matched the recording."


def _judge_answer(result: Attempt, turns: int, expected: Conversation, right: str, done: str) -> Verdict | None:
    ex, total = ANSWER_WITH_TOOLS, len(expected.replies)
    if turns < total:
        stop = expected.replies[turns - 1].stop_reason
        return ex.verdict(
            "wrong",
            right=right,
            wrong=f"it stopped after turn {turns}, whose stop_reason was {stop!r}: the model was still waiting for tool results.",
            hint="go round again while reply.stop_reason == 'tool_use'; stop only when it is something else (end_turn).",
        )
    streamed = " ".join(part for part in (done, f"it streamed all {total} turns of {expected.what}.") if part)
    if is_blank(result.value):
        return returned_none(ex, right=streamed)
    wrong_value = wrong_kind(ex, result.value)
    if wrong_value:
        return wrong_value
    if result.value != expected.answer:
        return ex.verdict(
            "wrong",
            right=streamed,
            wrong=_wrong_answer(result.value, expected),
            hint="return the text of the last reply: stream.get_final_text() of the last turn.",
        )
    return None


def _wrong_answer(value: str, expected: Conversation) -> str:
    texts = ["".join(b.text for b in reply.content if b.type == "text") for reply in expected.replies]
    if value in texts[:-1]:
        return f"it returned the text of turn {texts.index(value) + 1}, not of the final turn."
    if value == "".join(texts) or all(text in value for text in texts):
        return "it returned the text of every turn; the answer is the last turn's text."
    return f"it returned {value[:60]!r}, which is not the final answer."


def _unmatched_turn(bodies: Sequence[dict[str, Any]], expected: Conversation) -> str:
    """What differs in the first request no recording answers, in the student's terms."""
    turn = len(bodies)
    sent = bodies[-1]
    if turn > len(expected.requests):
        return f"it sent a request for turn {turn}, but turn {turn - 1} ended with stop_reason 'end_turn': the conversation was over."
    if not sent.get("stream"):
        return f"turn {turn} was sent without streaming (client.messages.create); stream every turn with client.messages.stream(...)."
    if turn == 1:
        return "its first request is not the `request` it was given; send that one unchanged: client.messages.stream(**request)."
    messages, wanted = list(sent.get("messages") or []), expected.requests[turn - 1]
    if not all(isinstance(m, dict) for m in messages):
        return (
            f"turn {turn}'s messages hold something that is not a message dict; "
            "append {'role': 'assistant', 'content': reply.content}, not reply.content itself."
        )
    roles, wanted_roles = [m.get("role") for m in messages], [m["role"] for m in wanted]
    misplaced = next((n for n, m in enumerate(messages) if m.get("role") == "assistant" and holds_results(m)), None)
    if misplaced is not None:
        return (
            f"turn {turn}, messages[{misplaced}]: the tool results went in an assistant message. Results answer the model's "
            "calls, so they go in a user message: {'role': 'user', 'content': results}."
        )
    if len(messages) < len(wanted):
        if len(messages) == 1:
            return f"turn {turn} sent only the question again, without the assistant's reply and the tool results."
        if "assistant" not in roles:
            return (
                f"turn {turn} sent no assistant message: "
                "append the reply, {'role': 'assistant', 'content': reply.content}, before its tool results."
            )
        return (
            f"turn {turn} sent {len(messages)} messages instead of {len(wanted)}: "
            "the history must grow by the reply and its tool results every turn."
        )
    if roles != wanted_roles:
        if roles[: len(wanted_roles)] == wanted_roles:
            return (
                f"turn {turn} sent {len(messages)} messages instead of {len(wanted)}; put all tool results of a turn in ONE user message."
            )
        return (
            f"turn {turn} sent messages with roles {roles}; they must alternate {wanted_roles}: "
            "the assistant's reply, then one user message with the results."
        )
    for n, (mine, theirs) in enumerate(zip(canonical_messages(messages), wanted, strict=True)):
        if not same_json(mine, theirs):
            calls = tool_uses(wanted[n - 1]["content"]) if n > 0 and wanted[n - 1]["role"] == "assistant" else []
            return _ran_early(turn, n, mine, calls) or _unmatched_message(turn, n, messages[n], theirs, calls)
    return f"turn {turn}'s request differs from the recorded one outside its messages; send `request` unchanged except for messages."


RAN_EARLY = "its input before the block stopped"
RUN_AFTER_STOP = (
    "run each tool after its content_block_stop: take the tool_use blocks of stream.get_final_message(), "
    "never an input_json snapshot, which holds only the keys that have arrived."
)


def _partial_inputs(tool_input: dict[str, Any]) -> list[dict[str, Any]]:
    """The inputs a snapshot shows before the block stops: every key so far, the last one also cut short.

    The buffered stream sends a tool's input one key/value at a time, so a snapshot holds the first
    keys whole; an eager stream also shows a string value cut short (in any of its prefixes).
    """
    items = list(tool_input.items())
    partial: list[dict[str, Any]] = [dict(items[:k]) for k in range(1, len(items))]
    for k, (key, value) in enumerate(items):
        if isinstance(value, str):
            partial += [{**dict(items[:k]), key: value[:cut]} for cut in range(1, len(value))]
    return partial


def _ran_early(turn: int, n: int, mine: dict[str, Any], calls: list[Any]) -> str:
    """The verdict's words when a tool result is what the tool gives for its input before the block stopped, else ""."""
    content = mine.get("content")
    results: list[Any] = content if isinstance(content, list) else []
    for number, call in enumerate(calls, 1):
        sent = next((r for r in results if isinstance(r, dict) and r.get("tool_use_id") == call["id"]), None)
        whole = run_tool(call)
        early = next(
            (p for p in _partial_inputs(call["input"]) if same_json(sent, run_tool({**call, "input": p})) and not same_json(sent, whole)),
            None,
        )
        if sent is not None and early is not None:
            return (
                f"turn {turn}, messages[{n}]: call {number} ({call['name']}) ran on {json.dumps(early)}, {RAN_EARLY}; "
                f"the whole input is {json.dumps(call['input'])}."
            )
    return ""


def _unmatched_message(turn: int, n: int, mine: dict[str, Any], theirs: dict[str, Any], calls: list[Any]) -> str:
    where = f"turn {turn}, messages[{n}]"
    if n == 0:
        return f"{where}, the question, is not the one in `request`; keep request['messages'] at the start of the history."
    if theirs["role"] == "assistant":
        return (
            f"{where} (the assistant's reply) is not the reply as received; "
            "send it unchanged: {'role': 'assistant', 'content': reply.content}."
        )
    return result_turn_mistake(where, mine, theirs, calls) or (
        f"{where} has the right ids but other contents; each result's content is the tool's output as JSON text, "
        "json.dumps(course_tools.call_tool(block))."
    )


# Exercise 3: which calls are safe to run -------------------------------------------------------


@dataclass(frozen=True)
class ReplyCase:
    """One recorded reply that calls_to_run is given, and the ids of the tool calls it should return."""

    what: str
    message: Any
    expected_ids: tuple[str, ...]


def reply_cases() -> list[ReplyCase]:
    """The replies the check shows calls_to_run: parallel calls, a cut-off call, no call, a tool-only reply."""
    first, last = recorded_reply(EXERCISE_TURNS[0]), recorded_reply(EXERCISE_TURNS[-1])
    cut, forced = recorded_reply(CUT_OFF), recorded_reply(TOOL_ONLY)
    return [
        ReplyCase("a reply with two parallel get_weather calls", first, tuple(b.id for b in tool_uses(first.content))),
        ReplyCase("a reply cut off by max_tokens in the middle of its tool input", cut, ()),
        ReplyCase("a final answer (stop_reason end_turn, no tool calls)", last, ()),
        ReplyCase("a reply that is only a tool call, with no text", forced, tuple(b.id for b in tool_uses(forced.content))),
    ]


def judge_calls_to_run(calls_to_run: Callable[[Any], Any]) -> Verdict:
    """Exercise 3: the tool calls of a reply that are complete and meant to be run."""
    ex = CALLS_TO_RUN
    if not callable(calls_to_run):
        return not_a_function(ex, calls_to_run)
    passed: list[str] = []
    for n, case in enumerate(reply_cases()):
        result = attempt(calls_to_run, case.message)
        stuck = never_returned(ex, result)
        if stuck is not None:
            return stuck
        if n == 0 and result.unfinished:
            return not_finished(ex, result)
        right = f"it handled {', '.join(passed)}." if passed else ""
        if result.error is not None:
            return ex.verdict("wrong", right=right, wrong=f"for {case.what}, it raised {first_line(result.error)}", hint=ex.recipe)
        if is_blank(result.value):
            return returned_none(ex, right=right, where=f"for {case.what},")
        wrong_value = wrong_kind(ex, result.value)
        if wrong_value:
            return wrong_value
        problem = _wrong_calls(case, list(result.value))
        if problem:
            return ex.verdict("wrong", right=right, wrong=problem, hint=ex.recipe)
        passed.append(case.what)
    return ex.verdict("correct", right=f"it returned the right calls for {len(passed)} replies: " + "; ".join(passed) + ".")


def _wrong_calls(case: ReplyCase, value: list[Any]) -> str:
    ids = [getattr(item, "id", None) for item in value]
    kinds = {getattr(item, "type", type(item).__name__) for item in value}
    if kinds - {"tool_use"}:
        return f"for {case.what}, it returned {sorted(kinds)} items; only tool_use blocks are calls."
    if tuple(ids) == case.expected_ids:
        return ""
    if case.message.stop_reason == "max_tokens":
        calls = ", ".join(describe_call(item) for item in value)
        return (
            f"for {case.what}, it returned {calls}: its input is incomplete (the unit the user asked for never arrived), "
            "so running it would answer the wrong question. Run calls only when stop_reason == 'tool_use'."
        )
    if not case.expected_ids:
        return f"for {case.what}, it returned {len(value)} call(s), but there is nothing to run."
    if len(ids) < len(case.expected_ids) and set(ids) <= set(case.expected_ids):
        return f"for {case.what}, it returned {len(ids)} of the {len(case.expected_ids)} calls; return every tool_use block."
    return f"for {case.what}, it returned calls {ids}; the reply's calls are {list(case.expected_ids)}."


# Exercise 4: recover a cut eager tool input ----------------------------------------------------


@dataclass(frozen=True)
class CutCase:
    """One eager tool-call recording and what a recovery of its input should give."""

    name: str
    what: str
    raw: str
    recovered: dict[str, Any]
    sdk_input: Any
    text: str
    last_fragment: str


def cut_case(name: str, what: str) -> CutCase:
    """Stream a recording once and note the raw input JSON, the SDK's parse of it, and the text."""
    from jiter import from_json

    fragments: list[str] = []
    with replay_client() as client, client.messages.stream(**recorded_request(name)) as stream:
        for event in stream:
            if event.type == "input_json":
                fragments.append(event.partial_json)
        message = stream.get_final_message()
    raw = "".join(fragments)
    text = "".join(block.text for block in message.content if block.type == "text")
    sdk_input = tool_uses(message.content)[-1].input
    recovered = from_json(raw.encode(), partial_mode="trailing-strings")
    return CutCase(name, what, raw, recovered, sdk_input, text, [f for f in fragments if f][-1])


def judge_recover_cut_input(recover_cut_input: Callable[[Any, dict[str, Any]], Any]) -> Verdict:
    """Exercise 4: the raw JSON of a tool input cut by max_tokens, and a parse that keeps its half-written string."""
    ex = RECOVER_CUT_INPUT
    if not callable(recover_cut_input):
        return not_a_function(ex, recover_cut_input)
    passed: list[str] = []
    for name, what in ((EAGER_CUT, "the call cut by max_tokens"), (EAGER_WHOLE, "a complete call")):
        with replay_client() as client:
            result = attempt(recover_cut_input, client, recorded_request(name))
            read_until = stopwatch(client).elapsed()
        if isinstance(result.error, ValueError):
            return ex.verdict("wrong", wrong=f"for {what}, it raised {first_line(result.error)}", hint=_parse_error_hint(result.error))
        failure = crashed(ex, result)
        if failure:
            return failure
        if read_until == 0:
            return sent_nothing(ex, result, hint=STREAM_THE_REQUEST)
        if is_blank(result.value):
            return returned_none(ex, right="it streamed the reply.", where=f"for {what},")
        wrong_value = wrong_kind(ex, result.value)
        if wrong_value:
            return wrong_value
        right = f"it recovered {' and '.join(passed)}." if passed else "it streamed the reply and returned a pair."
        problem = _recovery_mistake(list(result.value), cut_case(name, what))
        if problem:
            return ex.verdict("wrong", right=right, wrong=problem[0], hint=problem[1])
        passed.append(what)
    return ex.verdict(
        "correct",
        right=f'it recovered {" and ".join(passed)}: the half-written "unit" is visible, and it is still not a value to run the tool with.',
    )


def _recovery_mistake(value: list[Any], case: CutCase) -> tuple[str, str] | None:
    """(wrong, hint) for the first mistake in a returned (raw, recovered) pair, or None."""
    if len(value) != 2:
        return f"for {case.what}, it returned {len(value)} values.", "return two: (raw, recovered)."
    raw, recovered = value
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "replace")
    if not isinstance(raw, str):
        return f"for {case.what}, raw is {type(raw).__name__}, not the JSON text.", 'join event.partial_json of the "input_json" events.'
    if raw != case.raw:
        if case.text and case.text in raw:
            return (
                f"for {case.what}, raw also holds the reply's text ({case.text!r}).",
                'keep only the "input_json" events: the text arrives in "text" events of another block.',
            )
        if raw == case.last_fragment:
            return f"for {case.what}, raw is only the last fragment, {raw!r}.", "join every fragment, in order: raw += event.partial_json."
        return (
            f"for {case.what}, raw is {raw!r}, but the fragments join to {case.raw!r}.",
            'join event.partial_json of every "input_json" event.',
        )
    if isinstance(recovered, str | bytes):
        return f"for {case.what}, recovered is the text itself, not a parse of it.", _parse_hint()
    if recovered == case.recovered:
        return None
    if recovered == {}:
        return (
            f"for {case.what}, recovered is {{}}: the block's input when it started, before any fragment.",
            _parse_hint(),
        )
    if recovered == case.sdk_input:
        return (
            f"for {case.what}, recovered is {recovered}: the SDK's own parse (partial_mode=True), which drops the "
            f"half-written string; the fragments end in {case.raw[-12:]!r}.",
            'partial_mode="trailing-strings" keeps a string that has not closed yet, so you can show it (never run it).',
        )
    return f"for {case.what}, recovered is {recovered!r}, not {case.recovered!r}.", _parse_hint()


def _parse_error_hint(err: ValueError) -> str:
    """Which parse failed: json.loads on a cut document, jiter without partial mode, or jiter on text that is not the input."""
    if isinstance(err, json.JSONDecodeError):
        return (
            'json.loads needs a whole document, and a cut one never is; use jiter.from_json(raw.encode(), partial_mode="trailing-strings").'
        )
    if "EOF while parsing" in str(err):
        return 'without partial_mode, jiter wants a whole document too; pass partial_mode="trailing-strings".'
    return 'what was parsed is not the tool input\'s JSON: join only the fragments of the "input_json" events, all of them, in order.'


def _parse_hint() -> str:
    """The hint for a recovery that did not parse the raw text the trailing-strings way."""
    return 'parse the joined text: jiter.from_json(raw.encode(), partial_mode="trailing-strings").'


# What the notebook calls -----------------------------------------------------------------------


def check_announce_tools(announce_tools: Callable[[Any, dict[str, Any]], Any]) -> None:
    """Print the verdict for exercise 1."""
    print(judge_announce_tools(announce_tools))


def check_answer_with_tools(answer_with_tools: Callable[[Any, dict[str, Any]], Any]) -> None:
    """Print the verdict for exercise 2."""
    print(judge_answer_with_tools(answer_with_tools))


def check_calls_to_run(calls_to_run: Callable[[Any], Any]) -> None:
    """Print the verdict for exercise 3."""
    print(judge_calls_to_run(calls_to_run))


def check_recover_cut_input(recover_cut_input: Callable[[Any, dict[str, Any]], Any]) -> None:
    """Print the verdict for exercise 4."""
    print(judge_recover_cut_input(recover_cut_input))
