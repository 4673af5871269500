"""Automatic checks for the exercises of lesson 02 (the event model and its failures).

Each check runs the student's function against the lesson's recordings with its own replay
client at no-wait speed (and, for failures, with an injected fault), so the verdict is the same
in every course mode and at every speed. ``judge_*`` return a :class:`Verdict` (tests use them);
``check_*`` print it (the notebook uses them). A check never raises because an exercise is
unfinished or wrong: it says what is right, what is wrong, and what to try.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import anthropic
import httpx2

from helpers.checks.common import (
    Attempt,
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
    returned_none,
    sent_nothing,
    wrong_kind,
)
from helpers.client import stopwatch

ACCUMULATE = Exercise(
    1,
    "accumulate",
    recipe="start from event.message.to_dict() at message_start; append event.content_block.to_dict() at each "
    "content_block_start; apply each content_block_delta to content[event.index]; copy the stop fields and the "
    "usage of message_delta; return the dict after the loop.",
    returns="the finished message as a dict, like get_final_message().to_dict()",
    kind=(dict, anthropic.BaseModel),
    kind_words="a dict",
)
STREAM_OUTCOME = Exercise(
    2,
    "stream_outcome",
    recipe="stream with `with client.messages.stream(**request) as stream:`, collect the pieces of stream.text_stream, "
    "and return (text, ending): the stop_reason when the stream finished ('truncated' if it is None), 'error' on "
    "anthropic.APIStatusError, 'dropped' on httpx2.TransportError.",
    returns="a pair (text, ending), e.g. return text, 'end_turn'",
    kind=(tuple, list),
    kind_words="a pair (text, ending)",
)

FIRST_TEXT = Exercise(
    3,
    "first_output_and_text",
    recipe="note clock = helpers.stopwatch(client) before streaming; inside the loop over the stream's events, keep "
    "clock.elapsed() at the first content_block_start (the output begins) and at the first content_block_delta whose "
    "delta.type is 'text_delta' (the reader sees something); return the two, in seconds.",
    returns="a pair of seconds (first_output, first_text), e.g. return 0.52, 3.27",
    kind=(tuple, list),
    kind_words="a pair of numbers (first_output, first_text)",
)

# The recordings exercise 1 folds, simplest first, with what each one adds.
ACCUMULATE_RECORDINGS: tuple[tuple[str, str], ...] = (
    ("events_sse_basics", "one text block"),
    ("events_tool_use", "text, then a tool_use block"),
    ("events_thinking", "thinking with a signature, then text"),
    ("events_citations", "three text blocks, one with a citation"),
    ("events_max_tokens", "an answer cut off by max_tokens"),
    ("events_stop_sequence", "a stop sequence"),
    ("events_refusal", "a refusal with stop_details"),
)
OUTCOME_RECORDING = "events_sse_basics"
BREAK_AFTER = 8  # events: the faults of exercise 2 strike after the fifth text delta

# The fields compared in each kind of content block.
BLOCK_FIELDS = {"text": ("text", "citations"), "tool_use": ("id", "name", "input"), "thinking": ("thinking", "signature")}

# A hint for each compared field: which event sets it, and how. ``block.*`` are content-block fields.
_FIELD_HINTS = {
    "id": "message_start carries the message: start from event.message.to_dict().",
    "content": "append event.content_block.to_dict() at each content_block_start: one block per start, in order.",
    "block.text": "add each text_delta to its own block: content[event.index]['text'] += event.delta.text.",
    "block.citations": "a citations_delta carries one citation: append event.delta.citation.to_dict() to the block's "
    "'citations' list (start the list when the block has none).",
    "block.id": "a tool_use block arrives with its id and name in content_block_start: keep them.",
    "block.input": "collect the input_json_delta pieces (event.delta.partial_json) of each block, and at its "
    "content_block_stop set its 'input' to json.loads of the joined pieces.",
    "block.thinking": "add each thinking_delta to its block: content[event.index]['thinking'] += event.delta.thinking.",
    "block.signature": "the signature_delta carries the whole signature: set the block's 'signature' to "
    "event.delta.signature (replace, do not add).",
    "stop_reason": "message_delta carries the stop fields in event.delta: copy stop_reason, stop_sequence and stop_details.",
    "usage.input_tokens": "keep message_start's usage; message_delta's usage repeats input_tokens as a total when it "
    "is not None: overwrite, do not add.",
    "usage.output_tokens": "message_delta's usage.output_tokens is the final, cumulative count: overwrite "
    "usage['output_tokens'] with it, do not add it.",
}
_NEW_DELTAS_HINT = (
    "each kind of delta changes a different field: check event.delta.type (text_delta, citations_delta, "
    "input_json_delta, thinking_delta, signature_delta) before you use the delta's fields."
)
_FIELD_HINTS["model"] = _FIELD_HINTS["role"] = _FIELD_HINTS["id"]
_FIELD_HINTS["block.name"] = _FIELD_HINTS["block.id"]
_FIELD_HINTS["stop_sequence"] = _FIELD_HINTS["stop_details"] = _FIELD_HINTS["stop_reason"]


class _Missing:
    """A field the student's message does not have."""

    def __repr__(self) -> str:
        return "missing"


_MISSING = _Missing()


def exercise_request() -> dict[str, Any]:
    """The request exercise 2 streams, to try your function yourself."""
    return recorded_request(OUTCOME_RECORDING)


def _short(value: Any, limit: int = 70) -> str:
    text = repr(value)
    if isinstance(value, str) and len(value) > limit:
        return f"{value[: limit - 10]!r}… ({len(value)} characters)"
    return text if len(text) <= limit else text[: limit - 1] + "…"


# Exercise 1: fold raw events into the final message --------------------------------------------


def compared_fields(message: dict[str, Any]) -> list[tuple[str, Any]]:
    """``(path, value)`` for every field exercise 1 compares, in reading order.

    The content is compared block by block, with the fields each block type carries; a list of
    blocks of another length is reported once, at ``content``.
    """
    fields: list[tuple[str, Any]] = [(key, message.get(key, _MISSING)) for key in ("id", "model", "role")]
    content = message.get("content", _MISSING)
    blocks = content if isinstance(content, list) else []
    # A block that is not a dict (an SDK model appended without .to_dict()) shows as its class name.
    types = [block.get("type") if isinstance(block, dict) else type(block).__name__ for block in blocks]
    fields.append(("content", types if isinstance(content, list) else content))
    for i, (block, kind) in enumerate(zip(blocks, types, strict=True)):
        keys = BLOCK_FIELDS.get(kind, ()) if isinstance(kind, str) else ()  # a student's "type" may be anything, even unhashable
        fields += [(f"content[{i}].{key}", _block_value(block, key)) for key in keys]
    fields += [(key, message.get(key)) for key in ("stop_reason", "stop_sequence", "stop_details")]
    usage = message.get("usage")
    usage = usage if isinstance(usage, dict) else {}
    fields += [(f"usage.{key}", usage.get(key, _MISSING)) for key in ("input_tokens", "output_tokens")]
    return fields


def _block_value(block: Any, key: str) -> Any:
    if not isinstance(block, dict):
        return _MISSING
    if key == "citations":
        return block.get(key) or None  # no citations: absent, None or [] alike
    return block.get(key, _MISSING)


def _as_dict(value: Any) -> Any:
    return value.to_dict() if isinstance(value, anthropic.BaseModel) else value


@dataclass(frozen=True)
class Difference:
    """The first field where a student's message differs from the SDK's."""

    path: str
    yours: Any
    sdk: Any

    def explain(self, start_output_tokens: int) -> tuple[str, str]:
        """What is wrong, and a hint for the event that sets this field."""
        if self.path == "content":
            wrong = f"content has blocks {self.yours}, the SDK's message has {self.sdk}."
            if isinstance(self.yours, list) and len(self.yours) > len(self.sdk):
                more = (
                    f"only a content_block_start opens a block ({len(self.sdk)} here): a delta adds to the block it names, "
                    "content[event.index], and never appends a new one."
                )
                return wrong, more
        else:
            wrong = f"{self.path} is {_short(self.yours)}; the SDK's is {_short(self.sdk)}."
        field = "block." + self.path.split(".")[-1] if self.path.startswith("content[") else self.path
        hint = _FIELD_HINTS.get(field, ACCUMULATE.recipe)
        if self.path == "usage.output_tokens" and self.yours == self.sdk + start_output_tokens:
            wrong += f" That is message_start's {start_output_tokens} plus the final count."
        elif self.path == "usage.output_tokens" and self.yours == start_output_tokens:
            wrong += " That is message_start's early count."
        elif self.path.endswith(".input") and isinstance(self.yours, str):
            hint = "parse the joined pieces: json.loads(...) gives the dict."
        return wrong, hint


def first_difference(yours: dict[str, Any], sdk: dict[str, Any]) -> Difference | None:
    """The first compared field that differs, or None when the two messages agree."""
    mine = dict(compared_fields(yours))
    for path, expected in compared_fields(sdk):
        if mine.get(path, _MISSING) != expected:
            return Difference(path, mine.get(path, _MISSING), expected)
    return None


@dataclass(frozen=True)
class Folded:
    """One recording: what the SDK made of it, and what the student's function made of its raw events."""

    name: str
    what: str
    sdk: dict[str, Any]
    start_output_tokens: int
    result: Attempt
    read_any: bool
    last_read: Any  # the event the student's function read last: where an exception struck


class _Reader:
    """The events of one stream, read once as a real stream is, remembering the last one handed out."""

    def __init__(self, events: list[Any]) -> None:
        self._events = iter(events)
        self.taken = 0
        self.last: Any = None

    def __iter__(self) -> _Reader:
        return self

    def __next__(self) -> Any:
        self.last = next(self._events)
        self.taken += 1
        return self.last


def _fold(accumulate: Callable[[Iterable[Any]], Any], name: str, what: str) -> Folded:
    request = recorded_request(name)
    with replay_client() as client:
        with client.messages.stream(**request) as stream:
            sdk = stream.get_final_message().to_dict()
        events = list(client.messages.create(**request, stream=True))
    reader = _Reader(events)
    result = attempt(accumulate, reader)
    return Folded(name, what, sdk, int(events[0].message.usage.output_tokens), result, reader.taken > 0, reader.last)


def judge_accumulate(accumulate: Callable[[Iterable[Any]], Any]) -> Verdict:
    """Exercise 1: the raw events of each recording, folded into the SDK's final message."""
    ex = ACCUMULATE
    if not callable(accumulate):
        return not_a_function(ex, accumulate)
    if uses_the_sdks_fold(accumulate):
        return ex.verdict(
            "wrong",
            wrong="it calls the SDK's own accumulate_event, so the SDK folds the events, not your code. "
            "Reading it was a good idea; this exercise asks you to write the fold yourself.",
            hint=ex.recipe,
        )
    matched: list[str] = []
    for name, what in ACCUMULATE_RECORDINGS:
        verdict = _judge_fold(_fold(accumulate, name, what), matched)
        if verdict is not None:
            return verdict
        matched.append(name)
    return ex.verdict(
        "correct",
        right=f"it rebuilt the SDK's final message, field by field, from the raw events of all {len(matched)} "
        f"recordings: {'; '.join(what for _, what in ACCUMULATE_RECORDINGS)}.",
    )


SDK_FOLDS = frozenset({"accumulate_event"})  # the SDK's own fold (anthropic/lib/streaming/_messages.py, 2.14.0)


def uses_the_sdks_fold(function: Callable[..., Any]) -> bool:
    """Whether a function (or a function or class it defines inside) names the SDK's own fold."""
    code = getattr(function, "__code__", None)
    pending = [code] if code is not None else []
    while pending:
        current = pending.pop()
        if SDK_FOLDS & set(current.co_names):
            return True
        pending += [const for const in current.co_consts if hasattr(const, "co_names")]
    return False


def _judge_fold(folded: Folded, matched: list[str]) -> Verdict | None:
    ex, result = ACCUMULATE, folded.result
    right = f"it matches the SDK on {', '.join(matched)}." if matched else ""
    where = f"on {folded.name} ({folded.what})"
    stuck = never_returned(ex, result)
    if stuck is not None:
        return stuck
    if result.error is not None and not result.unfinished:
        hint = _NEW_DELTAS_HINT if matched else ex.recipe
        if isinstance(result.error, KeyError) and "citations" in str(result.error):
            hint = _FIELD_HINTS["block.citations"]
        if isinstance(result.error, json.JSONDecodeError):
            hint = (
                "each input_json_delta carries a piece of JSON, not JSON: json.loads of one piece fails. Collect a block's "
                "pieces (event.delta.partial_json), join them, and json.loads the whole at its content_block_stop."
            )
        hint = raised_at(result.error, folded.last_read) or hint
        return ex.verdict("wrong", right=right, wrong=f"{where}, it raised {first_line(result.error)}", hint=hint)
    if result.unfinished and not folded.read_any:
        return crashed(ex, result) or not_finished(ex, result)
    if is_blank(result.value):
        return returned_none(ex, right=right or "it read the events.", where=f"{where},")
    value = _as_dict(result.value)
    failure = wrong_kind(ex, value)
    if failure:
        return failure
    difference = first_difference(value, folded.sdk)
    if difference is None:
        return None
    wrong, hint = difference.explain(folded.start_output_tokens)
    elsewhere = misplaced(value, folded.sdk)
    if elsewhere:
        wrong, hint = f"{wrong} And {elsewhere}.", _ADDRESS_HINT
    return ex.verdict("wrong", right=right, wrong=f"{where}, {wrong}", hint=hint)


_ADDRESS_HINT = (
    "a delta belongs to the block whose index it carries: apply it to content[event.index], not always to content[0] "
    "nor to a neighbour such as content[event.index - 1]."
)


def raised_at(error: Exception, event: Any) -> str | None:
    """A hint for an exception raised while reading ``event``, when the event says what went wrong."""
    kind = getattr(event, "type", None)
    said = str(error)
    if kind == "message_delta" and isinstance(error, AttributeError):
        if "'usage'" in said:
            return "message_delta's usage is a field of the event itself: event.usage.output_tokens, not event.delta.usage."
        if "stop_" in said:
            return (
                "message_delta keeps the stop fields in its delta: event.delta.stop_reason, event.delta.stop_sequence, "
                "event.delta.stop_details."
            )
    if kind in ("content_block_delta", "content_block_stop") and isinstance(error, IndexError):
        return (
            f"block {event.index} is content[{event.index}]: event.index counts from 0, as list positions do, and the "
            "block was appended at its content_block_start, so content[event.index] is there (not content[event.index + 1])."
        )
    if kind == "content_block_delta" and isinstance(error, KeyError) and event.index > 0 and said.strip("'") in ("text", "thinking"):
        return (
            f"a {event.delta.type} for block {event.index} went to a block without a {said} field, another block than its own; "
            + _ADDRESS_HINT
        )
    return None


def misplaced(yours: dict[str, Any], sdk: dict[str, Any]) -> str | None:
    """Where a delta's content landed in another block than its own: what a student's block holds that belongs elsewhere."""
    mine, theirs = yours.get("content"), sdk.get("content")
    if not isinstance(mine, list) or not isinstance(theirs, list) or len(mine) != len(theirs):
        return None
    for i, (block, expected) in enumerate(zip(mine, theirs, strict=True)):
        if not isinstance(block, dict):
            continue
        foreign = [key for key in ("input", "text", "thinking", "signature") if key in block and key not in expected]
        if foreign:
            return f"block {i} ({expected.get('type')}) holds {foreign[0]!r}, which belongs to another block"
        for key in ("text", "thinking"):
            got, want = block.get(key), expected.get(key)
            extra = got[len(want) :] if isinstance(got, str) and isinstance(want, str) and got.startswith(want) else ""
            if extra and any(other is not expected and other.get(key) and other[key] in extra for other in theirs):
                return f"block {i}'s {key} goes on with the {key} of a later block"
    return None


# Exercise 2: how did the stream end? ----------------------------------------------------------


@dataclass(frozen=True)
class OutcomeCase:
    """One run of exercise 2: a recording, an optional fault, and the pair (text, ending) it should give."""

    recording: str
    fault: str
    what: str
    ending: str
    hint: str
    mistaken: tuple[tuple[str, str], ...] = ()  # (a wrong ending students give here, the hint that names why)


OUTCOME_CASES: tuple[OutcomeCase, ...] = (
    OutcomeCase(
        recording=OUTCOME_RECORDING,
        fault="",
        what="a stream that finished",
        ending="end_turn",
        hint="when the stream finished, return its stop_reason: stream.get_final_message().stop_reason.",
    ),
    OutcomeCase(
        recording="events_max_tokens",
        fault="",
        what="a stream cut off by max_tokens",
        ending="max_tokens",
        hint="return the stop_reason the stream gave, not a fixed string.",
        mistaken=(
            (
                "truncated",
                "max_tokens is a stop_reason: the stream finished, cut at its limit, and said so. Return any stop_reason "
                "as it is; 'truncated' is only for a stream whose stop_reason is None.",
            ),
        ),
    ),
    OutcomeCase(
        recording=OUTCOME_RECORDING,
        fault=f"error@after={BREAK_AFTER}",
        what=f"an overloaded error event after {BREAK_AFTER} events",
        ending="error",
        hint="an error event makes the loop raise anthropic.APIStatusError (status 200): catch it and return (text so far, 'error').",
    ),
    OutcomeCase(
        recording=OUTCOME_RECORDING,
        fault=f"drop@after={BREAK_AFTER}",
        what=f"a connection dropped after {BREAK_AFTER} events",
        ending="dropped",
        hint="a dropped connection raises httpx2.RemoteProtocolError, an httpx2.TransportError the SDK does not wrap: "
        "catch httpx2.TransportError and return (text so far, 'dropped').",
        mistaken=(
            (
                "error",
                "a dropped connection is not an error event: it raises httpx2.RemoteProtocolError, not "
                "anthropic.APIStatusError, so an `except Exception` that answers 'error' mixes the two. Catch "
                "httpx2.TransportError apart and return 'dropped'.",
            ),
        ),
    ),
    OutcomeCase(
        recording=OUTCOME_RECORDING,
        fault=f"eof@after={BREAK_AFTER}",
        what=f"a stream that just ends after {BREAK_AFTER} events, before message_delta",
        ending="truncated",
        hint="nothing is raised, but message_delta never came, so stop_reason is None: return 'truncated' then.",
    ),
)


def expected_text(case: OutcomeCase) -> str:
    """The text a correct function shows for ``case``: everything before the fault, or all of it."""
    cut = "" if not case.fault else f"eof@after={BREAK_AFTER}"
    with replay_client(cut) as client, client.messages.create(**recorded_request(case.recording), stream=True) as events:
        return "".join(e.delta.text for e in events if e.type == "content_block_delta" and e.delta.type == "text_delta")


def judge_stream_outcome(stream_outcome: Callable[[Any, dict[str, Any]], Any]) -> Verdict:
    """Exercise 2: the text shown and how the stream ended, for a whole stream and each failure."""
    ex = STREAM_OUTCOME
    if not callable(stream_outcome):
        return not_a_function(ex, stream_outcome)
    passed: list[str] = []
    for case in OUTCOME_CASES:
        with replay_client(case.fault) as client:
            result = attempt(stream_outcome, client, recorded_request(case.recording))
            read = stopwatch(client).elapsed() > 0
        verdict = _judge_outcome(case, result, read, passed)
        if verdict is not None:
            return verdict
        passed.append(case.what)
    return ex.verdict(
        "correct",
        right=f"it kept the text and named the ending of all {len(OUTCOME_CASES)} streams: "
        + "; ".join(f"{case.what}: {case.ending!r}" for case in OUTCOME_CASES)
        + ".",
    )


def _judge_outcome(case: OutcomeCase, result: Attempt, read: bool, passed: list[str]) -> Verdict | None:
    ex = STREAM_OUTCOME
    right = f"it handled {', '.join(passed)}." if passed else ""
    where = f"with {case.what}"
    if isinstance(result.error, (anthropic.APIStatusError, httpx2.TransportError)):
        return ex.verdict("wrong", right=right, wrong=f"{where}, it raised {first_line(result.error)}", hint=case.hint)
    failure = crashed(ex, result)
    if failure:
        return failure
    if not read:
        return sent_nothing(
            ex,
            result,
            hint="use the `client` and `request` parameters: the check gives each run a client whose stream breaks in a different way.",
        )
    if is_blank(result.value):
        return returned_none(ex, right=right or "it streamed the answer.", where=f"{where},")
    failure = wrong_kind(ex, result.value)
    if failure:
        return failure
    if len(result.value) != 2:
        return ex.verdict("wrong", right=right, wrong=f"it returned {len(result.value)} values.", hint=f"return {ex.returns}.")
    text, ending = result.value
    expected = expected_text(case)
    if text != expected:
        return ex.verdict(
            "wrong",
            right=right,
            wrong=f"{where}, {_text_mistake(text, expected)}",
            hint="collect every piece of stream.text_stream as it arrives, and return them joined, also when the loop fails.",
        )
    if ending != case.ending:
        return ex.verdict(
            "wrong",
            right=f"{right} It kept the text ({len(text)} characters).".strip(),
            wrong=f"{where}, the ending was {ending!r}; it should be {case.ending!r}.",
            hint=dict(case.mistaken).get(ending, case.hint) if isinstance(ending, str) else case.hint,
        )
    return None


def _text_mistake(text: Any, expected: str) -> str:
    if not isinstance(text, str):
        return f"the text is a {type(text).__name__}, not a str."
    if text == "":
        return f"it returned no text, but {len(expected)} characters had arrived."
    if expected.startswith(text):
        return f"it returned {len(text)} of the {len(expected)} characters that arrived."
    return f"it returned {_short(text)}, but what arrived was {_short(expected)}."


# What the notebook calls -----------------------------------------------------------------------


# Exercise 3: when does the output begin, and when does the reader see text? ------------------

# The recordings exercise 3 is run on: omitted thinking first (the lesson's point), then plain text.
FIRST_TEXT_RECORDINGS: tuple[tuple[str, str], ...] = (
    ("events_thinking_omitted", "an answer with omitted thinking"),
    ("events_sse_basics", "a plain text answer"),
)
_SAME_MOMENT = 0.001  # seconds: the recording's clock is exact, so this only absorbs rounding


@dataclass(frozen=True)
class Moments:
    """When each event a student might time arrived in one recording, on the recording's clock."""

    message_start: float
    first_block: float
    first_delta: float
    first_text: float
    last_text: float
    end: float


def moments(name: str) -> Moments:
    """Stream one recording and note the moments exercise 3 could be answered with."""
    seen: dict[str, float] = {}
    with replay_client() as client, client.messages.stream(**recorded_request(name)) as stream:
        clock = stopwatch(client)
        for event in stream:
            now = clock.elapsed()
            kind = event.type
            if kind == "content_block_start":
                seen.setdefault("first_block", now)
            elif kind == "content_block_delta":
                seen.setdefault("first_delta", now)
                if getattr(getattr(event, "delta", None), "type", None) == "text_delta":
                    seen.setdefault("first_text", now)
                    seen["last_text"] = now
            elif kind == "message_start":
                seen["message_start"] = now
        seen["end"] = clock.elapsed()
    return Moments(**seen)


def _near(value: Any, moment: float) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and abs(value - moment) <= _SAME_MOMENT


def judge_first_output_and_text(first_output_and_text: Callable[[Any, dict[str, Any]], Any]) -> Verdict:
    """Exercise 3: the moment the output begins and the moment the first visible text arrives."""
    ex = FIRST_TEXT
    if not callable(first_output_and_text):
        return not_a_function(ex, first_output_and_text)
    passed: list[str] = []
    for name, what in FIRST_TEXT_RECORDINGS:
        with replay_client() as client:
            result = attempt(first_output_and_text, client, recorded_request(name))
            read_until = stopwatch(client).elapsed()
        failure = crashed(ex, result)
        if failure:
            return failure
        if read_until == 0:
            return sent_nothing(ex, result, hint="stream the `request` with the `client` you are given.")
        if is_blank(result.value):
            return returned_none(ex, right="it streamed the answer.", where=f"for {what},")
        wrong_value = wrong_kind(ex, result.value)
        if wrong_value:
            return wrong_value
        right = f"it timed {' and '.join(passed)}." if passed else "it streamed the answer and returned two values."
        problem = _first_text_mistake(list(result.value), moments(name), what)
        if problem:
            wrong, hint = problem
            return ex.verdict("wrong", right=right, wrong=wrong, hint=hint)
        passed.append(what)
    return ex.verdict(
        "correct",
        right=f"it timed {' and '.join(passed)}: with omitted thinking the output begins seconds before the first "
        "visible text; without thinking the two are almost the same moment.",
    )


def _first_text_mistake(value: list[Any], at: Moments, what: str) -> tuple[str, str] | None:
    """(wrong, hint) for the first mistake in a returned pair, or None when both moments are right."""
    if len(value) != 2 or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value):
        return f"for {what}, it returned {value!r}.", "return two numbers of seconds: (first_output, first_text)."
    output, text = value
    if _near(output, at.first_block) and _near(text, at.first_text):
        return None
    said = (
        f"for {what}, it returned ({output:.3f}, {text:.3f}); the output began at {at.first_block:.3f} s "
        f"and the first text arrived at {at.first_text:.3f} s."
    )
    if _near(output, at.first_text) and _near(text, at.first_block):
        return said, "the pair is the wrong way round: return (first_output, first_text)."
    if _near(output / 1000, at.first_block) or _near(text / 1000, at.first_text):
        return said, "return seconds, as clock.elapsed() gives them, not milliseconds."
    if _near(output, at.end) and _near(text, at.end):
        return said, "both moments are the end of the stream: read the clock inside the loop, as each event arrives, not after it."
    if max(output, text) < 0.05 < at.first_text:
        return (
            said,
            "the recording plays without waiting, so a wall clock (time.monotonic) sees no time pass; "
            "read helpers.stopwatch(client).elapsed(), the recording's clock.",
        )
    if _near(output, at.message_start):
        return (
            said,
            "message_start comes with the response headers, before the model writes anything; "
            "the output begins at the first content_block_start.",
        )
    if _near(output, at.first_delta) and not _near(at.first_delta, at.first_block):
        return (
            said,
            "the first delta here is the thinking block's signature_delta, sent when the thinking ended; "
            "the output began when that block started (content_block_start).",
        )
    if _near(text, at.first_delta) and not _near(at.first_delta, at.first_text):
        return said, "a signature_delta carries no text a reader sees; wait for the first delta whose type is 'text_delta'."
    if _near(text, at.last_text) and not _near(at.last_text, at.first_text):
        return said, "that is the last text_delta; keep only the first one (setdefault, or an `if first_text is None` guard)."
    if _near(output, at.first_text) and _near(text, at.first_text):
        return (
            said,
            "both are the first text: the output begins earlier, at the first content_block_start, "
            "even when nothing visible comes with it.",
        )
    return said, FIRST_TEXT.recipe


def check_accumulate(accumulate: Callable[[Iterable[Any]], Any]) -> None:
    """Print the verdict for exercise 1."""
    print(judge_accumulate(accumulate))


def check_stream_outcome(stream_outcome: Callable[[Any, dict[str, Any]], Any]) -> None:
    """Print the verdict for exercise 2."""
    print(judge_stream_outcome(stream_outcome))


def check_first_output_and_text(first_output_and_text: Callable[[Any, dict[str, Any]], Any]) -> None:
    """Print the verdict for exercise 3."""
    print(judge_first_output_and_text(first_output_and_text))
