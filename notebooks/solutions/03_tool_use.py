"""Reference solutions for the exercises of notebooks/03_tool_use.ipynb.

Try the exercises first. Each function has the notebook's signature, so it can be pasted into
its exercise cell as it is; the check cell below that cell then reports it correct.
"""

import json
from concurrent.futures import ThreadPoolExecutor

import jiter

from helpers.teaching import course_tools


def announce_tools(client, request):
    """Exercise 1: print the text as it arrives and announce each tool call as its block starts."""
    names = []
    with client.messages.stream(**request) as stream:
        for event in stream:
            if event.type == "text":
                print(event.text, end="", flush=True)
            elif event.type == "content_block_start" and event.content_block.type == "tool_use":
                names.append(event.content_block.name)
                print(f"\n[calling {event.content_block.name}]", flush=True)
    return names


MAX_TURNS = 10


def tool_result(block):
    """The tool_result block answering one tool_use block: the tool's output as JSON text, or its error."""
    try:
        output = course_tools.call_tool(block)
    except course_tools.ToolFailure as error:
        return {"type": "tool_result", "tool_use_id": block.id, "content": str(error), "is_error": True}
    return {"type": "tool_result", "tool_use_id": block.id, "content": json.dumps(output)}


def answer_with_tools(client, request):
    """Exercise 2: stream every turn, run the tools the model asks for and send their results, stop when it stops asking."""
    messages = list(request["messages"])
    for _ in range(MAX_TURNS):  # a model that keeps asking for tools must not keep us here for ever
        with client.messages.stream(**{**request, "messages": messages}) as stream:
            reply = stream.get_final_message()
        messages.append({"role": "assistant", "content": reply.content})
        if reply.stop_reason != "tool_use":
            return "".join(block.text for block in reply.content if block.type == "text")
        results = [tool_result(block) for block in reply.content if block.type == "tool_use"]
        messages.append({"role": "user", "content": results})
    raise RuntimeError(f"no final answer after {MAX_TURNS} turns")


def calls_to_run(message):
    """Exercise 3: the tool calls of a reply that are complete and meant to be run."""
    if message.stop_reason != "tool_use":
        return []
    return [block for block in message.content if block.type == "tool_use"]


def recover_cut_input(client, request):
    """Exercise 4: the tool input's JSON as it arrived, and a parse that keeps a string cut in half."""
    raw = ""
    with client.messages.stream(**request) as stream:
        for event in stream:
            if event.type == "input_json":
                raw += event.partial_json
    return raw, jiter.from_json(raw.encode(), partial_mode="trailing-strings")


def run_concurrently(calls, run):
    """Exercise 5: run one reply's calls at the same time; their tool_result blocks, in the calls' order."""

    def result_of(block):
        try:
            output = run(block)
        except course_tools.ToolFailure as error:
            return {"type": "tool_result", "tool_use_id": block.id, "content": str(error), "is_error": True}
        return {"type": "tool_result", "tool_use_id": block.id, "content": json.dumps(output)}

    with ThreadPoolExecutor() as pool:
        return list(pool.map(result_of, calls))  # map keeps the calls' order, whichever finishes first
