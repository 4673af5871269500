"""``python -m helpers web`` in a fresh process: it prints its URL, serves the page, and imports nothing from Jupyter."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import httpx2
import pytest
from paths import ROOT

JUPYTER_SIDE = ("IPython", "ipykernel", "ipywidgets", "comm", "jupyter_client", "jupyter_core", "nbformat", "nbclient", "matplotlib")

pytestmark = pytest.mark.subprocess


def test_the_web_package_loads_nothing_from_jupyter_widgets_or_plots():
    probe = "import json, sys\nimport helpers.web, helpers.tooling.cli\nprint(json.dumps(sorted(sys.modules)))"
    loaded = json.loads(subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60).stdout)
    assert "helpers.web.relay" in loaded and "uvicorn" in loaded
    assert [name for name in loaded if name.split(".")[0] in JUPYTER_SIDE] == []


def test_the_command_prints_a_loopback_url_on_a_free_port_serves_the_page_and_stops_on_ctrl_c():
    env = {**os.environ, "COURSE_MODE": "replay", "COURSE_REPLAY_SPEED": "0"}
    env.pop("COURSE_FAULT", None)
    command = subprocess.Popen(
        [sys.executable, "-m", "helpers", "web"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert command.stdout is not None
        line = command.stdout.readline()  # printed before serving; the readline ends when the process does, at worst
        assert line.startswith("Lesson 05's web app: http://127.0.0.1:"), line + (
            command.stderr.read() if command.poll() is not None else ""
        )
        url = line.split()[4]
        page = httpx2.get(url, timeout=10, trust_env=False)
        assert page.status_code == 200 and 'id="answer"' in page.text
        command.send_signal(signal.SIGINT)
        assert command.wait(timeout=15) == 0
        assert command.stdout.read().strip() == "Stopped."
    finally:
        if command.poll() is None:
            command.kill()
            command.wait(timeout=10)
