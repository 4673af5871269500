"""Lesson 03's quiz: a tool call as it streams, the partial input, the tool loop, and its edge cases.

Behaviour checked on anthropic 2.14.0 (``lib/streaming/_messages.py``): ``accumulate_event``
re-parses a tool's input after every fragment with ``jiter.from_json(..., partial_mode=True)``
and raises ``ValueError`` ("Unable to parse tool parameter JSON from model") on JSON that cannot
be valid; it validates a structured output at the text block's ``content_block_stop``;
``get_final_text()`` raises ``RuntimeError`` when the reply has no text block. The printed values
were run under replay with the lesson's requests, and with ``jiter`` for the partial parses.
"""

from __future__ import annotations

from helpers.teaching.quiz import Choice, Order, Quiz

PARTIAL_PARSE = """\
import jiter

for so_far in ['{"city": "Par', '{"city": "Paris", "days": 1', '{"city": "Paris", "days": 12.']:
    print(jiter.from_json(so_far.encode(), partial_mode=True))"""

RUN_ON_SNAPSHOT = """\
with client.messages.stream(**weather_request) as stream:
    for event in stream:
        if event.type == "input_json" and "location" in event.snapshot:
            result = course_tools.get_weather(**event.snapshot)
            break"""

RESULTS_APART = """\
messages.append({"role": "assistant", "content": reply.content})
for block in reply.content:
    if block.type == "tool_use":
        output = json.dumps(course_tools.call_tool(block))
        result = {"type": "tool_result", "tool_use_id": block.id, "content": output}
        messages.append({"role": "user", "content": [result]})"""

AS_COMPLETED = """\
calls = [block for block in reply.content if block.type == "tool_use"]  # Sydney, then London
with ThreadPoolExecutor() as pool:
    futures = [pool.submit(course_tools.call_tool, block) for block in calls]
    outputs = [future.result() for future in as_completed(futures)]
results = [
    {"type": "tool_result", "tool_use_id": block.id, "content": json.dumps(output)}
    for block, output in zip(calls, outputs)
]"""

CUT_CALL = """\
with client.messages.stream(**cut_request) as stream:
    cut = stream.get_final_message()
print(cut.stop_reason, cut.content[-1].input)"""

TOOL_ONLY = """\
forced_request = ask("Weather in New York, please.", tool_choice={"type": "tool", "name": "get_weather"})
with client.messages.stream(**forced_request) as stream:
    print(repr(stream.get_final_text()))"""


def quiz() -> Quiz:
    """A fresh quiz (its score starts at zero)."""
    return Quiz(
        "Lesson 03 · Quick quiz",
        [
            Choice(
                "Which event first tells you the name of the tool the model is calling, and what is its input at that moment?",
                (
                    "content_block_start of a tool_use block: it has the id and the name, and input is {}.",
                    "The first input_json_delta: its partial_json starts with the name.",
                    "message_delta with stop_reason 'tool_use': it lists the calls.",
                    "content_block_stop: the block arrives whole, name and input together.",
                ),
                0,
                (
                    "Right: show “Checking the weather…” then, over a second before the input is complete. The input follows as "
                    "input_json_delta fragments.",
                    "The fragments carry only the input's JSON text, and the first one is empty; the name came before them.",
                    "message_delta only says why the reply stopped; each call is a tool_use block, named at its start.",
                    "content_block_stop says the block is complete, but its name was known at its start, long before.",
                ),
            ),
            Choice(
                "The stream helper parses the input received so far like this for each `input_json` snapshot. "
                "Each option shows the three printed lines, separated by “ | ”.",
                (
                    "{} | {'city': 'Paris', 'days': 1} | {'city': 'Paris'}",
                    "{'city': 'Par'} | {'city': 'Paris', 'days': 1} | {'city': 'Paris', 'days': 12.0}",
                    "{} | {'city': 'Paris'} | {'city': 'Paris'}",
                    "ValueError on the first line: the JSON is not complete.",
                ),
                0,
                (
                    "Right: partial mode closes open objects and leaves out a value that cannot be complete yet (a string without its "
                    "closing quote, `12.`), but keeps a number that is already valid, though the next fragment may turn 1 into 12. "
                    "A snapshot is a preview, never an input to run.",
                    "Keeping the open string is what partial_mode='trailing-strings' does; the SDK uses partial_mode=True, which drops it. "
                    "And `12.` is no number yet.",
                    "A number that is already valid is kept: 1 shows as 1, even though it may still grow.",
                    "Partial mode exists for this: it closes what is open instead of raising. The SDK raises ValueError only for JSON "
                    "that cannot be valid, such as a string without quotes.",
                ),
                code=PARTIAL_PARSE,
                kind="prints",
            ),
            Choice(
                "To save time, this runs the tool as soon as the location is known.",
                (
                    "event.snapshot is JSON text: it needs json.loads first.",
                    "The snapshot can look complete while keys are still coming: here unit arrives half a second later, in the next burst.",
                    "input_json events only come after content_block_stop, so the tool never runs.",
                    "break leaves the stream open: the response is never closed.",
                ),
                1,
                (
                    "The snapshot is a dict, the SDK's parse of the fragments so far; partial_json is the text.",
                    "Right: run tools after the block's content_block_stop (the helper's stop event carries the finished block), or from "
                    "get_final_message(). With eager input streaming there are no bursts, and keys keep coming just the same.",
                    "They come with each fragment, while the block is still open: that is why they are tempting.",
                    "Leaving the with block closes the response, by break or otherwise; the bug is acting on an incomplete input.",
                ),
                code=RUN_ON_SNAPSHOT,
                kind="bug",
            ),
            Choice(
                'A reply stopped with `stop_reason="tool_use"`. What must the next request\'s messages contain?',
                (
                    "Only a user message with the tool results: the API remembers its reply.",
                    "The conversation so far, the assistant's reply unchanged, then one user message with a tool_result for every call, "
                    "each with the call's id as tool_use_id.",
                    "The conversation so far and the tool results; the reply can be left out, as the reader has seen it.",
                    "The conversation so far, then the results as an assistant message, since the tool ran for the model.",
                ),
                1,
                (
                    "The model has no memory between requests: each request carries the whole exchange.",
                    'Right: {"role": "assistant", "content": reply.content}, then {"role": "user", "content": results}; the SDK '
                    "serializes the blocks for you.",
                    "Each tool_use_id must match a call of the previous reply, so that reply must be in the request, unchanged.",
                    "Tool results go in a user message, right after the reply that asked for them.",
                ),
            ),
            Choice(
                "The reply asked for two `get_weather` calls. What is wrong with how the results go back?",
                (
                    "The results must be paired with the calls by name, and both are called get_weather.",
                    "All the results of one reply go in one user message, the one right after it; here each gets a message of its own.",
                    "The calls must run concurrently.",
                    "reply.content must be turned into dicts before it is appended.",
                ),
                1,
                (
                    "The names cannot tell two get_weather calls apart; each result is paired by id, in tool_use_id, as here.",
                    "Right: one user message with one tool_result per call; the API rejects a call whose result is not in that message.",
                    "You may run them concurrently (and wait for all before the next request); one after the other is not the bug.",
                    "The SDK serializes the blocks for you: append reply.content as it is.",
                ),
                code=RESULTS_APART,
                kind="bug",
            ),
            Choice(
                "The two lookups run at the same time, and London's answers first. What is wrong?",
                (
                    "Nothing: the API pairs results by id, so their order does not matter.",
                    "as_completed yields the futures as they finish, so London's output is sent with Sydney's id, and Sydney's with "
                    "London's.",
                    "The calls still run one after the other, because of future.result().",
                    "Threads cannot run tool calls: use asyncio.",
                ),
                1,
                (
                    "The ids are paired with the calls in order, but the outputs are in finishing order: each result names the wrong call.",
                    "Right: keep each block with its own output: pool.map(call_tool, calls) gives them in the calls' order, or keep a "
                    "{future: block} dict.",
                    "Every call is submitted before any result is asked for, so they do run at once.",
                    "A thread pool is fine for this; asyncio.gather is the async version of the same idea.",
                ),
                code=AS_COMPLETED,
                kind="bug",
            ),
            Choice(
                '`max_tokens=24` cuts the reply while the model writes `{"location": "Tokyo, Japan", "unit": "fahr`.',
                (
                    "tool_use {'location': 'Tokyo, Japan'}",
                    "max_tokens {'location': 'Tokyo, Japan'}",
                    "max_tokens {'location': 'Tokyo, Japan', 'unit': 'fahr'}",
                    "A ValueError: the tool input is not valid JSON.",
                ),
                1,
                (
                    "The reply stopped because it hit max_tokens; only tool_use means “run these calls and come back”.",
                    "Right, and do not run it: the input looks fine but lost its unit (running it gives Celsius to someone who asked for "
                    "Fahrenheit). Send the request again with a larger max_tokens.",
                    "The SDK parses with partial_mode=True, which drops the open string; jiter's trailing-strings mode would keep "
                    "'fahr', for display only.",
                    "A cut input is incomplete, not invalid: partial mode keeps what is complete. "
                    "ValueError is for JSON that cannot be valid.",
                ),
                code=CUT_CALL,
                kind="prints",
            ),
            Choice(
                "Your tool raises an exception for one of a reply's two calls. What do you send back?",
                (
                    "A tool_result for that call with is_error true and a message saying what went wrong, with the other call's result.",
                    "Only the other call's result: a failed call has nothing to send.",
                    "Nothing: raise out of the loop, so the reader sees the error.",
                    "A plausible result, so the model can finish its answer.",
                ),
                0,
                (
                    "Right: the model reads it and can explain, retry with other input, or try another tool.",
                    "Every call needs a result in the next user message; a call you do not run still gets one, with is_error and a reason.",
                    "The model can often recover (it told the reader which cities have data); give it the chance with an is_error result.",
                    "An invented result is a wrong answer the model will present as fact.",
                ),
            ),
            Choice(
                "`tool_choice` forces a call to `get_weather`, and the reply is only a `tool_use` block.",
                ("''", "A RuntimeError: get_final_text() needs a text content block.", "The tool call's input as JSON text.", "None"),
                1,
                (
                    "With no text block at all, get_final_text() has nothing to join, and raises instead of returning ''.",
                    "Right: for a reply that may be only a tool call, read get_final_message() and look at its content blocks.",
                    "get_final_text() joins text blocks only; the input is on the tool_use block, as block.input.",
                    "It returns a str or raises; it never returns None.",
                ),
                code=TOOL_ONLY,
                kind="prints",
            ),
            Choice(
                'What changes when a tool has `"eager_input_streaming": True`?',
                (
                    "The input comes as the model writes it, without the pause before each key/value; nothing checks it is valid JSON, "
                    "and a max_tokens cut can stop it inside a value.",
                    "The SDK runs the tool as soon as its input is complete, while the reply is still streaming.",
                    "The input_json snapshot now shows a half-written string as it is written.",
                    "The input arrives sooner, and the API still checks that it is valid JSON.",
                ),
                0,
                (
                    "Right: expect a ValueError from the loop when the JSON is invalid (send the request again), and never run a cut call.",
                    "client.messages.stream runs no tools at all; running calls while the reply streams is the tool runner's "
                    "run_tools_eagerly.",
                    "The SDK parses with partial_mode=True in both modes, so an open string is still left out; "
                    "the raw partial_json shows it.",
                    "Checking was what the buffering was for: without it the API sends the input unchecked, and it can be invalid.",
                ),
            ),
            Choice(
                "A structured-output stream (`output_format=PackingList`) is cut by `max_tokens`. What happens?",
                (
                    "The loop ends normally; parsed_output is None and stop_reason is 'max_tokens'.",
                    "pydantic.ValidationError is raised from the loop at content_block_stop, and the stop reason never arrives.",
                    "parsed_output holds a PackingList with the fields that arrived.",
                    "ValueError: Unable to parse tool parameter JSON from model.",
                ),
                1,
                (
                    "The SDK validates the text at the block's content_block_stop, which comes before message_delta: it fails there.",
                    "Right: keep the trailing-strings preview on screen, marked incomplete, and ask again with a larger max_tokens.",
                    "parsed_output exists only once the whole text validates; a preview dict is not a PackingList.",
                    "That message is about a tool's input; structured output streams as text and is validated by pydantic.",
                ),
            ),
            Order(
                "One turn of the tool loop, from first to last.",
                (
                    "stream the request, showing the text and announcing each tool as its block starts",
                    "reply = stream.get_final_message()",
                    "append the reply, unchanged, as the assistant's turn",
                    "stop if reply.stop_reason is not 'tool_use': the answer is complete",
                    "run every tool_use block",
                    "append one user message with all the results, then stream again",
                ),
                shown=(4, 1, 5, 0, 3, 2),
                explanation=(
                    "Stream, take the whole reply, keep it in the conversation, and run tools only when it asks for them; "
                    "a turn limit keeps a confused model from looping for ever."
                ),
            ),
        ],
    )
