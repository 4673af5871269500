"""Reference solutions for the exercises of notebooks/02_event_model.ipynb.

Try the exercises first. Each function has the notebook's signature, so it can be pasted into
its exercise cell as it is; the check cell below that cell then reports it correct.
"""

import json

import anthropic
import httpx2

import helpers


def accumulate(events):
    """Exercise 1: fold raw stream events into the finished message, as a dict."""
    message = None
    tool_json = {}  # block index -> the input_json_delta pieces so far
    for event in events:
        if event.type == "message_start":
            message = event.message.to_dict()
        elif event.type == "content_block_start":
            message["content"].append(event.content_block.to_dict())
        elif event.type == "content_block_delta":
            block, delta = message["content"][event.index], event.delta
            if delta.type == "text_delta":
                block["text"] += delta.text
            elif delta.type == "citations_delta":
                block["citations"] = (block.get("citations") or []) + [delta.citation.to_dict()]
            elif delta.type == "input_json_delta":
                tool_json[event.index] = tool_json.get(event.index, "") + delta.partial_json
            elif delta.type == "thinking_delta":
                block["thinking"] += delta.thinking
            elif delta.type == "signature_delta":
                block["signature"] = delta.signature
        elif event.type == "content_block_stop" and event.index in tool_json:
            message["content"][event.index]["input"] = json.loads(tool_json[event.index])
        elif event.type == "message_delta":
            message["stop_reason"] = event.delta.stop_reason
            message["stop_sequence"] = event.delta.stop_sequence
            details = event.delta.stop_details  # set for refusals
            message["stop_details"] = details.to_dict() if details else None
            message["usage"]["output_tokens"] = event.usage.output_tokens  # a total: overwrite
            if event.usage.input_tokens is not None:
                message["usage"]["input_tokens"] = event.usage.input_tokens
    return message


def stream_outcome(client, request):
    """Exercise 2: the text that arrived, and how the stream ended."""
    pieces = []
    try:
        with client.messages.stream(**request) as stream:
            for text in stream.text_stream:
                pieces.append(text)
            message = stream.get_final_message()
    except anthropic.APIStatusError:  # an error event (or an HTTP error the retries did not cure)
        return "".join(pieces), "error"
    except httpx2.TransportError:  # the connection broke while the body was being read
        return "".join(pieces), "dropped"
    return "".join(pieces), message.stop_reason or "truncated"


def first_output_and_text(client, request):
    """Exercise 3: when the output begins (first content block) and when the reader sees text (first text delta)."""
    clock = helpers.stopwatch(client)
    first_output = first_text = None
    with client.messages.stream(**request) as stream:
        for event in stream:
            if event.type == "content_block_start" and first_output is None:
                first_output = clock.elapsed()
            elif event.type == "content_block_delta" and event.delta.type == "text_delta" and first_text is None:
                first_text = clock.elapsed()
    return first_output, first_text
