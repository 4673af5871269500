"""The ``tool_result`` turns a student's tool loop sends: every valid form brought to the recorded
one, and the mistakes in a turn that no form can mend, each in the student's terms.

The API takes a result's ``content`` as a string or as a list of content blocks, and ``is_error``
is optional (absent means false). The exercise recordings hold one form (JSON text, ``is_error``
only on a failure), and replay matches requests exactly, so a check that forwarded the student's
request as written would reject valid code. ``CanonicalResults`` (client middleware) rewrites
each request into the recorded form first; ``result_turn_mistake`` names what is wrong with a
turn that still does not match.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Sequence
from typing import Any

from helpers.checks.common import a_type
from helpers.teaching.course_tools import describe_call

RESULT_BLOCK = "{'type': 'tool_result', 'tool_use_id': block.id, 'content': json.dumps(output)}"
FAILED_BLOCK = "{'type': 'tool_result', 'tool_use_id': block.id, 'content': str(error), 'is_error': True}"


def _text_of(content: Any) -> str | None:
    """The text a result's content holds, as a string or as a list of text blocks; None for any other form."""
    if isinstance(content, str):
        return content
    if isinstance(content, list) and content and all(_is_text_block(block) for block in content):
        return "".join(block["text"] for block in content)
    return None


def _is_text_block(block: Any) -> bool:
    return isinstance(block, dict) and block.get("type") == "text" and isinstance(block.get("text"), str) and set(block) <= {"type", "text"}


def _canonical_text(text: str) -> str:
    """JSON text written with the recordings' separators (``json.dumps`` defaults); other text as it is."""
    try:
        value = json.loads(text)
    except ValueError:
        return text
    return json.dumps(value) if isinstance(value, dict | list) else text


def canonical_result(block: Any) -> Any:
    """A ``tool_result`` block in the recorded form if it has a valid one; anything else unchanged."""
    if not (isinstance(block, dict) and block.get("type") == "tool_result"):
        return block
    canonical = dict(block)
    text = _text_of(canonical.get("content"))
    if text is not None:
        canonical["content"] = _canonical_text(text)
    if canonical.get("is_error") is False:
        del canonical["is_error"]
    return canonical


def canonical_messages(messages: Sequence[Any]) -> list[Any]:
    """The messages with every user turn's tool_result blocks in the recorded form."""
    return [
        {**message, "content": [canonical_result(block) for block in message["content"]]}
        if isinstance(message, dict) and message.get("role") == "user" and isinstance(message.get("content"), list)
        else message
        for message in messages
    ]


class CanonicalResults:
    """Client middleware: each request goes on with its tool results in the recorded form (see the module)."""

    def __call__(self, request: Any, call_next: Any) -> Any:
        body = request.json
        if isinstance(body, dict) and isinstance(body.get("messages"), list):
            request = request.copy(body={**body, "messages": canonical_messages(body["messages"])})
        return call_next(request)


def same_json(a: Any, b: Any) -> bool:
    """Equal as JSON; a value JSON cannot hold never equals one it can (an exception is not its message)."""
    try:
        return json.dumps(a, sort_keys=True, default=repr) == json.dumps(b, sort_keys=True, default=repr)
    except (TypeError, ValueError):  # keys that cannot be sorted together (1 and "a"), or a value nested too deep
        return False


def holds_results(message: Any) -> bool:
    """Whether a message's content has a tool_result block in it."""
    content = message.get("content") if isinstance(message, dict) else None
    return isinstance(content, list) and any(isinstance(b, dict) and b.get("type") == "tool_result" for b in content)


def result_turn_mistake(where: str, mine: dict[str, Any], theirs: dict[str, Any], calls: Sequence[dict[str, Any]]) -> str:
    """What is wrong with a user turn that should answer ``calls`` as ``theirs`` (recorded) does; "" if nothing the
    student can see (the caller then falls back to its own words).

    ``calls`` are the previous assistant turn's tool_use blocks, as sent.
    """
    content = mine.get("content")
    if isinstance(content, dict):
        return f"{where}'s content is one block, not a list; the content of a user turn with results is a list: [result, ...]."
    if not isinstance(content, list) or not any(isinstance(b, dict) and b.get("type") == "tool_result" for b in content):
        return f"{where} must be a list of tool_result blocks, one per tool call: {RESULT_BLOCK}."
    kinds = [b.get("type") if isinstance(b, dict) else type(b).__name__ for b in content]
    first_result = kinds.index("tool_result")
    if first_result > 0:
        return (
            f"{where} puts {kinds[:first_result]} before its tool_result blocks; the API wants a turn that answers tool calls "
            "to begin with the tool_result blocks (any text after them)."
        )
    results = [b for b in content if isinstance(b, dict) and b.get("type") == "tool_result"]
    if len(results) < len(content):
        return (
            f"{where} adds {kinds[len(results) :]} after the tool_result blocks. The API allows text there, but this exercise's "
            "recordings answer the results alone: send only the tool_result blocks."
        )
    if any("tool_use_id" not in r for r in results):
        return f"{where} has a tool_result without tool_use_id; each result names the call it answers: 'tool_use_id': block.id."
    odd_id = next((r["tool_use_id"] for r in results if not isinstance(r["tool_use_id"], str)), None)
    if odd_id is not None:
        return f"{where} has a tool_use_id that is {a_type(odd_id)}, not the call's id (a string): 'tool_use_id': block.id."
    return (
        _content_mistake(where, results, theirs["content"], calls)
        or _pairing_mistake(where, results, theirs["content"], calls)
        or _field_mistake(where, results)
    )


RESULT_FIELDS = ("type", "tool_use_id", "content", "is_error")
UNRECORDED_FIELDS = ("cache_control", "toolset_name")  # valid in a tool_result, absent from this course's recordings


def _field_mistake(where: str, results: list[dict[str, Any]]) -> str:
    """What a result holds beyond the fields the recordings have, in the student's terms; "" if nothing."""
    for result in results:
        extra = next((key for key in result if key not in RESULT_FIELDS), None)
        if extra in UNRECORDED_FIELDS:
            return (
                f"{where}: a tool_result has {extra!r}. The API allows it, but this exercise's recordings have no {extra}: "
                f"leave it out, as in {RESULT_BLOCK}."
            )
        if extra is not None:
            return (
                f"{where}: its content is right, but a tool_result has no {extra!r} field; the tool_use_id already says which "
                f"call it answers. Keep only {', '.join(RESULT_FIELDS)}: {RESULT_BLOCK}."
            )
    return ""


def _pairing_mistake(where: str, results: list[dict[str, Any]], wanted: list[dict[str, Any]], calls: Sequence[dict[str, Any]]) -> str:
    wanted_ids = [w["tool_use_id"] for w in wanted]
    sent_ids = [r.get("tool_use_id") for r in results]
    if sorted(map(str, sent_ids)) != sorted(wanted_ids):
        missing = [i for i in wanted_ids if i not in sent_ids]
        return f"{where} answers the calls {sent_ids}, but the reply made the calls {wanted_ids}" + (
            f" ({len(missing)} without a result)." if missing else "."
        )
    described = {call["id"]: describe_call(call) for call in calls}
    by_id = {w["tool_use_id"]: w for w in wanted}
    for result in results:
        content = canonical_result(result).get("content")
        if same_json(content, by_id[result["tool_use_id"]]["content"]):
            continue
        producer = next((w["tool_use_id"] for w in wanted if same_json(content, w["content"])), None)
        if producer is not None:
            return (
                f"{where}: the result sent with the id of {described.get(result['tool_use_id'], 'one call')} holds the output of "
                f"{described.get(producer, 'another call')}: each result must carry the id of the call that produced it (keep "
                "each block with its own output, e.g. zip(calls, pool.map(...)), never pair them up later by position)."
            )
    if sent_ids != wanted_ids:
        return (
            f"{where} has the right result for every call, in another order. The API pairs results by id, so the "
            "order is not wrong in itself; this exercise's recordings expect the order of the calls, so keep it."
        )
    return ""


def _content_mistake(where: str, results: list[dict[str, Any]], wanted: list[dict[str, Any]], calls: Sequence[dict[str, Any]]) -> str:
    by_id = {w["tool_use_id"]: w for w in wanted}
    described = {call["id"]: describe_call(call) for call in calls}
    for result in results:
        expected = by_id.get(result["tool_use_id"])
        if expected is None:
            continue
        call = described.get(result["tool_use_id"], "the call")
        content = result.get("content")
        failed = bool(expected.get("is_error"))
        if isinstance(content, dict):
            return (
                f"{where}: the result of {call} has a dict as its content. The API takes a string or a list of content "
                "blocks: send the output as JSON text, 'content': json.dumps(output)."
            )
        if not _jsonable(content):
            return f"{where}: the result of {call} has {a_type(content)} object as its content, which cannot be sent as JSON; " + (
                "send the error's message, 'content': str(error)." if failed else "send the output as JSON text, json.dumps(output)."
            )
        text = _text_of(content)
        if text is None:
            return f"{where}: the result of {call} has content {_short(content)}; use a string, or a list of text blocks."
        if "is_error" in result and not isinstance(result["is_error"], bool):
            return (
                f"{where}: the result of {call} has 'is_error': {result['is_error']!r}, {a_type(result['is_error'])}; is_error is "
                "a bool, True or False (no quotes): 'is_error': True for a failure, left out for a success."
            )
        if not failed and not _is_json(text) and _python_repr_of(text, expected["content"]):
            return (
                f"{where}: the result of {call} is Python's repr of the output (single quotes, str(output)), not JSON; "
                "send json.dumps(output)."
            )
        if failed and not result.get("is_error"):
            return f"{where}: {call} failed, and its error went back as an ordinary result; mark it so the model knows: {FAILED_BLOCK}."
        if result.get("is_error") and not failed:
            return f"{where}: the result of {call} says is_error: True, but the tool succeeded; leave is_error out (or False)."
        if failed and text != expected["content"]:
            return (
                f"{where}: {call} failed, and its result's content is {_error_form(text, expected['content'])}. For a failure the "
                f"content is the error's message as it is, not JSON: {FAILED_BLOCK}."
            )
    return ""


def _error_form(text: str, message: str) -> str:
    """How a failed call's content differs from the error's message, in the student's terms."""
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if value == message:
        return "json.dumps(str(error)): the message inside JSON quotes"
    if isinstance(value, dict) and message in value.values():
        return f"a JSON object around the message ({_short(value)})"
    if message in text and text.endswith(")") and "(" in text.split(message)[0]:
        return f"repr(error), the exception as Python writes it ({_short(text)})"
    if message in text:
        return f"{_short(text)}, the error's message with more around it"
    return f"{_short(text)}, which is not the error's message"


def _jsonable(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _python_repr_of(text: str, recorded: str) -> bool:
    """Whether ``text`` is Python's repr of the value the recorded JSON text holds."""
    try:
        return ast.literal_eval(text) == json.loads(recorded)
    except (ValueError, SyntaxError, TypeError):
        return False


def _short(value: Any) -> str:
    text = json.dumps(value, default=repr)
    return text if len(text) <= 80 else text[:79] + "…"
