"""Lesson 02's quiz: the raw events, what each carries, their order, what the SDK builds, and how a stream fails midway.

Behaviour checked on anthropic 2.14.0: ``Stream.__stream__`` (``_streaming.py``) skips ``ping``
and raises ``_make_status_error`` on an ``error`` event, whose class is chosen by the response's
status (``make_status_error`` in ``_error_classes.py``: a bare ``APIStatusError`` for 200);
``accumulate_event`` (``lib/streaming/_messages.py``) overwrites ``usage.output_tokens`` at
``message_delta`` and, through ``build_events``, gives ``input_json`` the same partial parse of the
input as the snapshot (``from_json(..., partial_mode=True)``); ``_should_retry`` (``_base_client.py``) retries 408, 409, 429 and >= 500
before the stream. The printed values were run under replay with the lesson's requests.
"""

from __future__ import annotations

from helpers.teaching.quiz import Choice, Order, Quiz

ADDED_USAGE = """\
output_tokens = 0
for event in client.messages.create(**sse_request, stream=True):
    if event.type == "message_start":
        output_tokens += event.message.usage.output_tokens
    elif event.type == "message_delta":
        output_tokens += event.usage.output_tokens
print(output_tokens)"""

PING_COUNT = """\
with client.messages.with_streaming_response.create(**sse_request, stream=True) as response:
    on_wire = [line for line in response.iter_lines() if line.startswith("event: ")]
from_sdk = list(client.messages.create(**sse_request, stream=True))
print(len(on_wire), len(from_sdk), "ping" in [event.type for event in from_sdk])"""

EARLY_END = """\
broken = helpers.make_client("replay", fault="eof@after=8")
with broken.messages.stream(**sse_request) as stream:
    message = stream.get_final_message()
print(message.stop_reason, message.usage.output_tokens)"""

CATCH_API_ERROR = """\
shown = ""
try:
    with client.messages.stream(**sse_request) as stream:
        for text in stream.text_stream:
            shown += text
except anthropic.APIError as err:
    print(f"failed after {len(shown)} characters: {err}")"""

INPUT_SO_FAR = """\
with client.messages.stream(**tool_request) as stream:
    for event in stream:
        if event.type == "input_json" and event.partial_json == '{"city": "P':
            print(event.snapshot, stream.current_message_snapshot.content[1].input)"""

REFUSAL_SHOWN = """\
with client.messages.stream(**midway_request) as stream:
    for text in stream.text_stream:
        print(text, end="", flush=True)
    message = stream.get_final_message()
if message.stop_reason == "max_tokens":
    print(" [cut off: ask again with a higher max_tokens]")"""


def quiz() -> Quiz:
    """A fresh quiz (its score starts at zero)."""
    return Quiz(
        "Lesson 02 · Quick quiz",
        [
            Choice(
                "Where do a streamed answer's stop reason and final output token count arrive?",
                (
                    "In message_start: its message already has stop_reason and usage.",
                    "In message_delta, near the end: delta.stop_reason and usage.output_tokens.",
                    "In message_stop, the last event.",
                    "In the last content_block_stop.",
                ),
                1,
                (
                    "message_start comes first, before any content: its stop_reason is None and its output_tokens only an early count.",
                    "Right: message_delta carries what could not be known at the start, and its usage holds cumulative totals.",
                    "A raw message_stop carries nothing but its type; the stop reason came one event earlier, in message_delta.",
                    "content_block_stop only says which block is finished; the stop reason belongs to the message, in message_delta.",
                ),
            ),
            Choice(
                "For `sse_request`, `message_start` carries `usage.output_tokens=5` and `message_delta` carries `usage.output_tokens=44`.",
                ("44", "49", "5", "39"),
                1,
                (
                    "44 is the right count, but not what this code computes: it adds message_start's early 5 to message_delta's 44.",
                    "Right, and a wrong count: message_delta's usage is a cumulative total that already includes the start. "
                    "Overwrite, never add: output_tokens = event.usage.output_tokens.",
                    "The elif runs too: message_delta is one of the raw events of create(stream=True), and it adds its 44.",
                    "Nothing is subtracted: the code adds both counts.",
                ),
                code=ADDED_USAGE,
                kind="prints",
            ),
            Choice(
                "On the wire this answer is 19 events, one of them a `ping`.",
                ("19 19 True", "19 18 False", "18 18 False"),
                1,
                (
                    "create(stream=True) yields the raw events, all but one kind: Stream.__stream__ skips each ping "
                    '(`if sse.event == "ping": continue`) before your loop sees it.',
                    "Right: the raw lines keep the ping (usually one right after the first content_block_start); the SDK skips every ping, "
                    "so your loop never sees one.",
                    "iter_lines() gives the lines as they came over the wire, unparsed: the ping is there. "
                    "Only the SDK's events leave it out.",
                ),
                code=PING_COUNT,
                kind="prints",
            ),
            Choice(
                "A tool call's input arrives in `input_json_delta` events. When can your code use it?",
                (
                    "At each input_json_delta: json.loads(event.delta.partial_json).",
                    "At content_block_start: the tool_use block carries its input.",
                    "After the block's content_block_stop, or from get_final_message().",
                    "As soon as the helper's input_json snapshot has every required key.",
                ),
                2,
                (
                    "A piece is a few characters cut anywhere (the first one is empty): only all the pieces joined are valid JSON.",
                    "content_block_start carries the block's id and name, with input {}; the input follows in pieces.",
                    "Right: then all the pieces are in, and the SDK has parsed them into the block's input.",
                    "A snapshot is a parse of the pieces so far, and more keys may still come: "
                    "it is for showing progress, not for acting on.",
                ),
            ),
            Choice(
                'In the inspector, `tool_request`\'s event 13 is the `input_json_delta` whose piece is `{"city": "P`.',
                ("{} {}", "{'city': 'P'} {'city': 'P'}", "{'city': 'P'} {}", "Nothing: json.loads of the piece raises first."),
                0,
                (
                    "Right: the SDK parses the pieces so far leaving out a string until its closing quote arrives, so the input stays "
                    "{} until \"Paris\" is complete; the helper event's snapshot is the snapshot's input.",
                    "The SDK does not show half a string: a value appears only once its closing quote has arrived.",
                    "The helper event's snapshot is the block's input in current_message_snapshot, the same parse of the same pieces.",
                    "Nothing here calls json.loads on a piece: the SDK parses all the pieces so far in partial mode, which does not raise.",
                ),
                code=INPUT_SO_FAR,
                kind="prints",
            ),
            Choice(
                'In a thinking block with `"display": "summarized"`, what comes last, and what must you do with it?',
                (
                    "One signature_delta, just before the block's content_block_stop; send it back unchanged with the thinking block.",
                    "A last thinking_delta holding the whole thinking; nothing.",
                    "A signature_delta at the very end of the message, after the text.",
                    "One signature_delta; it is for the SDK only, so leave it out when you send the thinking block back.",
                ),
                0,
                (
                    "Right: the thinking_delta events, one signature_delta, the block stops, and only then does the text block begin.",
                    "Each thinking_delta adds one piece of the summary; the block ends with one signature_delta, an opaque string.",
                    "The signature closes the thinking block, before the text block starts: the helper events come as thinking…, "
                    "signature, text….",
                    "When you send a thinking block back in a later turn (with tool use you must), send its signature unchanged.",
                ),
            ),
            Choice(
                "An `overloaded_error` event arrives after some text. What does the SDK do?",
                (
                    "Retries the request, up to max_retries, then raises OverloadedError.",
                    "Raises a bare APIStatusError with status_code 200 and type 'overloaded_error', and does not retry.",
                    "Raises httpx2.RemoteProtocolError.",
                    "Nothing: the stream ends, with stop_reason None.",
                ),
                1,
                (
                    "The SDK's retry loop ended when the response headers (200) arrived; the body is read afterwards, outside it. "
                    "And OverloadedError is the class for an HTTP 529.",
                    "Right: the class is chosen by the response's status, which was 200. The text already shown stays in "
                    "current_message_snapshot.",
                    "That is a dropped connection. An error event is a well-formed event, "
                    "which the SDK turns into an exception of its own.",
                    'That is a clean early end. An error event raises (`if sse.event == "error": raise ...` in Stream.__stream__).',
                ),
            ),
            Choice(
                "The fault `eof@after=8` ends the stream cleanly after its 8th event, before `message_delta`. "
                "Its `message_start` said `output_tokens=5`.",
                ("None 5", "end_turn 44", "An exception, as the stream ended too soon.", "None 0"),
                0,
                (
                    "Right: nothing is raised, so check `stop_reason is None`: a complete stream always has a stop reason. "
                    "The 5 is message_start's early count.",
                    "Both come in message_delta, which never arrived.",
                    "A clean early end raises nothing: the SDK returns the partial message. That is why you look at stop_reason.",
                    "usage is not empty: message_start's early count stays, as nothing replaced it.",
                ),
                code=EARLY_END,
                kind="prints",
            ),
            Choice(
                "This is meant to catch every failure in the middle of a stream. What does it miss?",
                (
                    "Nothing: the SDK wraps every failure in an anthropic.APIError.",
                    "A dropped connection raises httpx2.RemoteProtocolError, which is no APIError; and a clean early end raises nothing.",
                    "An error event raises OverloadedError, which is not an APIError.",
                    "The except must be inside the with block, or shown is lost.",
                ),
                1,
                (
                    "Not mid-stream: a connection that drops while the body is read lets httpx2's own error through.",
                    "Right: add `except httpx2.TransportError`, and check that the final message's stop_reason is not None.",
                    "An error event raises a bare APIStatusError (status 200), and every APIStatusError is an APIError: "
                    "this except catches it.",
                    "shown is an ordinary variable: it keeps its text when the exception leaves the with block.",
                ),
                code=CATCH_API_ERROR,
                kind="bug",
            ),
            Choice(
                "Which failures does the SDK retry by itself?",
                (
                    "Every failure, mid-stream ones included, up to max_retries.",
                    "Only HTTP 529, overloaded.",
                    "Those before the stream starts: HTTP 408, 409, 429 and 5xx, and connection errors, up to max_retries (2 by default).",
                    "None: retrying is always your code's job.",
                ),
                2,
                (
                    "Its retry loop covers one attempt up to the response headers; nothing read from the body after that is retried.",
                    "529 is one of them, but `_should_retry` also takes 408, 409, 429 and every status from 500 up.",
                    "Right (`_should_retry` in _base_client.py). Once the headers of a 200 have arrived, the stream is yours.",
                    "Before the stream the SDK does retry: a 529 then a stream is two attempts to the SDK, one stream to you.",
                ),
            ),
            Choice(
                '`midway_request` streams two sentences, then ends with `stop_reason="refusal"`. What is wrong here?',
                (
                    "get_final_message() raises on a refusal, so the check is never reached.",
                    "The refused text stays on screen as if it were an answer: it must be withdrawn and replaced by a notice.",
                    "A max_tokens answer must be withdrawn too, not marked as cut off.",
                    "Nothing: a refusal always comes before any text.",
                ),
                1,
                (
                    "The SDK passes the stop reason through without raising; the final message even keeps the refused text.",
                    "Right: only the end of the stream says it was a refusal, so a view must be able to take text back (print cannot), "
                    "and show a notice with stop_details.category and explanation when they are not None.",
                    "A max_tokens answer is a real answer cut mid-sentence: keep it, marked as cut off, then ask again with a higher "
                    "max_tokens or ask the model to continue. This code gets that part right.",
                    "A refusal can come after text: here two sentences reached the reader first.",
                ),
                code=REFUSAL_SHOWN,
                kind="bug",
            ),
            Choice(
                'With `"display": "omitted"`, the thinking block\'s `content_block_start` comes at 0.5 s and the first `text_delta` '
                "at 3.3 s. How long does the reader wait for the answer to begin?",
                (
                    "0.5 s: the output began there, which is the time to first token.",
                    "3.3 s: the thinking block shows nothing, so show a “thinking” indicator until the text starts.",
                    "About 0.5 s: thinking_delta events show the thinking from 0.5 s on.",
                    "3.3 s, because the thinking block only starts once the thinking is over.",
                ),
                1,
                (
                    "0.5 s is when the output began, as a loop waiting for the first content event measures it; nothing visible comes "
                    "until the first text_delta.",
                    "Right: the reader waits for the first text_delta. And leave thinking tokens "
                    "(usage.output_tokens_details.thinking_tokens) out of a reading-speed figure.",
                    "With display omitted the block gets no thinking_delta at all, only its signature_delta when the thinking ends.",
                    "The block starts at 0.5 s, empty; what comes when the thinking is over is its signature_delta.",
                ),
            ),
            Choice(
                "A beta stream has a `fallback` block at index 0. What changed, and where is each model's usage?",
                (
                    "The requested model declined and the block's `to` model wrote what follows; "
                    "the usage per model is in usage.iterations.",
                    "The course's client fell back to a recording; the usage is the recording's.",
                    "The text before the block is withdrawn, and the block's deltas carry each model's usage.",
                    "Nothing the reader should know: get_final_message().model still names the model you asked for.",
                ),
                0,
                (
                    "Right: the beta helper sets the snapshot's model to it; usage.iterations has a `message` entry for the model that "
                    "declined and a `fallback_message` entry for the one that served.",
                    "That fallback is the course's own, when a live call fails before its first byte; the fallback block comes from the "
                    "API (the fallbacks beta).",
                    "Nothing is withdrawn at a fallback block, and it has no deltas: it arrives whole, a start and a stop.",
                    "The beta helper relabels the snapshot at the block, so the final message names the model that served; "
                    "a view can say so.",
                ),
            ),
            Order(
                'The events of an answer with `"display": "summarized"` thinking, from first to last.',
                (
                    "message_start",
                    "content_block_start of the thinking block",
                    "thinking_delta events",
                    "one signature_delta",
                    "text_delta events of the text block",
                    "message_delta with the stop reason",
                ),
                shown=(3, 5, 0, 4, 1, 2),
                explanation=(
                    "The message opens; the thinking block streams its summary and closes with one signature; then the text block; "
                    "message_delta brings the stop reason and the final usage, and message_stop ends the stream."
                ),
            ),
        ],
    )
