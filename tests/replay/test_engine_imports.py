"""The replay engine stands alone: a script, a web server or a test can replay without Jupyter."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import pytest

import helpers.replay

JUPYTER_SIDE = (
    "IPython",
    "ipykernel",
    "ipywidgets",
    "comm",
    "jupyter_client",
    "jupyter_core",
    "nbformat",
    "nbclient",
    "matplotlib",
    "markdown_it",
)
ENGINE = sorted(
    ["helpers", "helpers.client", "helpers.config", "helpers.errors"]
    + [info.name for info in pkgutil.walk_packages(helpers.replay.__path__, "helpers.replay.")]
)


def test_the_engine_has_the_modules_the_layout_promises():
    for part in ("recording_file", "library", "matching", "sse", "pacing", "faults", "scrub", "transport", "live", "recorder"):
        assert f"helpers.replay.{part}" in ENGINE


@pytest.mark.subprocess
def test_importing_the_engine_loads_nothing_from_jupyter_widgets_plots_or_markdown():
    probe = f"import importlib, json, sys\nfor name in {ENGINE!r}: importlib.import_module(name)\nprint(json.dumps(sorted(sys.modules)))"
    loaded = json.loads(subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60).stdout)
    assert "helpers.replay.transport" in loaded
    assert [name for name in loaded if name.split(".")[0] in JUPYTER_SIDE] == []
