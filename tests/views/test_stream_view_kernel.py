"""StreamView in a real kernel: what reaches the front end over the Jupyter protocol.

With widgets, the HTML in the comm messages adds up to what the view counted. Without widgets
(``widgets=False``, for front ends that lack them), the same slots arrive as display outputs
updated in place, and end as one render of the whole answer.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
from jupyter_client.blocking.client import BlockingKernelClient
from jupyter_client.manager import start_new_kernel
from paths import ROOT

from helpers.views.markdown_blocks import render_markdown

pytestmark = pytest.mark.kernel

STREAM = """
import json, tomllib
import helpers
from helpers.views.stream_view import StreamView
request = tomllib.load(open("fixtures/specs/render_comments.toml", "rb"))["request"]
client = helpers.make_client()
view = StreamView(clock=helpers.stopwatch(client), widgets={widgets})
display(view)
with client.messages.stream(**request) as stream:
    for text in stream.text_stream:
        view.append(text)
view.finish()
print(json.dumps({{"text": view.text, "bytes": view.stats.bytes, "html": view.html}}))
"""


@pytest.fixture(scope="module")
def kernel() -> Iterator[BlockingKernelClient]:
    env = {**os.environ, "COURSE_MODE": "replay", "COURSE_REPLAY_SPEED": "0"}
    manager, client = start_new_kernel(kernel_name="python3", env=env, cwd=str(ROOT))
    yield client
    client.stop_channels()
    manager.shutdown_kernel(now=True)


def execute(client: BlockingKernelClient, code: str) -> list[dict[str, Any]]:
    """Run code; every iopub message it caused, in order."""
    messages: list[dict[str, Any]] = []
    reply = client.execute_interactive(code, output_hook=messages.append, timeout=60)
    assert reply["content"]["status"] == "ok", "\n".join(reply["content"].get("traceback", []))
    return messages


def printed(messages: list[dict[str, Any]]) -> dict[str, Any]:
    text = "".join(m["content"]["text"] for m in messages if m["msg_type"] == "stream")
    return json.loads(text)


def test_widgets_by_default_and_the_comm_traffic_is_what_the_view_counted(kernel: BlockingKernelClient) -> None:
    messages = execute(kernel, STREAM.format(widgets=None))
    result = printed(messages)
    values = [
        m["content"]["data"]["state"]["value"]
        for m in messages
        if m["msg_type"] in ("comm_open", "comm_msg") and isinstance(m["content"]["data"].get("state", {}).get("value"), str)
    ]
    assert any(m["msg_type"] == "display_data" and "application/vnd.jupyter.widget-view+json" in m["content"]["data"] for m in messages)
    assert sum(len(value.encode()) for value in values) == result["bytes"]
    assert result["html"] == render_markdown(result["text"])


def test_without_widgets_display_updates_end_as_one_render(kernel: BlockingKernelClient) -> None:
    messages = execute(kernel, STREAM.format(widgets=False))
    result = printed(messages)
    outputs: dict[str, str] = {}  # display id -> its latest HTML, in order of first display
    sent = 0
    for m in messages:
        if m["msg_type"] in ("display_data", "update_display_data"):
            html = m["content"]["data"]["text/html"]
            outputs[m["content"]["transient"]["display_id"]] = html
            sent += len(html.encode())
    assert not any(m["msg_type"].startswith("comm") for m in messages)
    status, *slots = outputs.values()
    assert status.startswith("Complete:")
    assert "".join(slots) == result["html"] == render_markdown(result["text"])
    assert sent == result["bytes"]
    assert sum(m["msg_type"] == "update_display_data" for m in messages) > 10


ODD = """
import json
from helpers.views.stream_view import StreamView
view = StreamView(widgets={widgets}, rate=None, title="odd \\udc00 title")
display(view)
for piece in ["# Odd \\ud800 text\\n\\n", "a low \\udfff alone, ", "a pair \\ud83d\\ude00, NUL \\x00 end"]:
    view.append(piece)
view.finish()
print(json.dumps({{"text": view.text, "html": view.html}}))
"""


@pytest.mark.parametrize("widgets", [True, False])
def test_lone_surrogates_reach_the_front_end_as_replacement_characters(kernel: BlockingKernelClient, widgets: bool) -> None:
    """A kernel sends its messages as UTF-8: a lone surrogate in the model's text must not get that far."""
    messages = execute(kernel, ODD.format(widgets=widgets))
    result = printed(messages)
    assert result["text"] == "# Odd \ufffd text\n\na low \ufffd alone, a pair \U0001f600, NUL \x00 end"
    assert result["html"] == render_markdown(result["text"])
    shown = json.dumps([m["content"] for m in messages], ensure_ascii=False)
    assert "odd \ufffd title" in shown and "<h1>Odd \ufffd text</h1>" in shown


STALLED = """
import tomllib
import helpers
from helpers.views.stream_view import StreamView
request = tomllib.load(open("fixtures/specs/render_side_python.toml", "rb"))["request"]
client = helpers.make_async_client("replay", speed=1, fault="stall@after=8,seconds=30")
view = StreamView(widgets=True)
print(view.stop_button.model_id, end="")
"""
READ = """
async with client.messages.stream(**request) as stream:
    await view.afeed(stream.text_stream)
print(view.status)
"""


def test_a_stop_click_is_handled_while_an_async_cell_awaits(kernel: BlockingKernelClient) -> None:
    button = "".join(m["content"]["text"] for m in execute(kernel, STALLED) if m["msg_type"] == "stream")
    reading = kernel.execute(READ)
    while True:  # until the view says it is streaming: the stream has stalled after its first words
        message = kernel.get_iopub_msg(timeout=10)
        if "Streaming" in str(message["content"].get("data", {}).get("state", {}).get("value", "")):
            break
    click = {"method": "custom", "content": {"event": "click"}}  # what the front end sends
    kernel.shell_channel.send(kernel.session.msg("comm_msg", {"comm_id": button, "data": click}))
    reply = kernel.get_shell_msg(timeout=10)  # well before the 30-second stall ends
    assert reply["parent_header"]["msg_id"] == reading and reply["content"]["status"] == "ok"
    status = ""
    while "Stopped" not in status:
        message = kernel.get_iopub_msg(timeout=10)
        status += message["content"].get("text", "") if message["msg_type"] == "stream" else ""
    assert "this answer is cut short" in status
