"""Lesson 01 at speed 1 streams visibly: text reaches the front end piece by piece, over time.

A real kernel runs the notebook's setup cell and its first streaming cell, as JupyterLab
would; the test reads the kernel's output messages (what the browser renders) as they arrive.
"""

import os
import time

import pytest
from jupyter_client.manager import start_new_kernel
from paths import ROOT

pytestmark = pytest.mark.kernel

NOTEBOOK = ROOT / "notebooks" / "01_text_stream.ipynb"


def first_streaming_cell(cells: list) -> str:
    for cell in cells:
        if cell.cell_type == "code" and ".text_stream" in cell.source and "flush=True" in cell.source:
            return cell.source
    raise AssertionError("lesson 01 has no cell that prints .text_stream with flush=True")


def run_collecting_output(client, code: str, timeout: float = 60) -> list[tuple[float, str]]:
    """Execute code; (arrival time, text) for every stdout message the kernel sends."""
    msg_id = client.execute(code)
    out: list[tuple[float, str]] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        msg = client.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "error":
            raise AssertionError("\n".join(content["traceback"]))
        if kind == "stream" and content["name"] == "stdout":
            out.append((time.perf_counter(), content["text"]))
        if kind == "status" and content["execution_state"] == "idle":
            return out
    raise AssertionError("the cell did not finish in time")


def test_lesson_01_streams_text_progressively_at_speed_1():
    import nbformat  # imported here: the quick loop collects this module without Jupyter's slow imports

    cells = nbformat.read(NOTEBOOK, as_version=4).cells
    setup = next(cell.source for cell in cells if cell.cell_type == "code")
    env = {**os.environ, "COURSE_MODE": "replay", "COURSE_REPLAY_SPEED": "1"}
    manager, client = start_new_kernel(kernel_name="python3", env=env, cwd=str(NOTEBOOK.parent))
    try:
        run_collecting_output(client, setup)
        messages = run_collecting_output(client, first_streaming_cell(cells))
        final = run_collecting_output(client, "print(stream.get_final_text(), end='')")
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    streamed = "".join(text for _, text in messages)
    assert streamed.rstrip("\n") == "".join(text for _, text in final)
    assert len(messages) >= 10, f"only {len(messages)} output messages: the text did not arrive piece by piece"
    span = messages[-1][0] - messages[0][0]
    assert span >= 1.0, f"all text arrived within {span:.2f} s: not paced at speed 1"
