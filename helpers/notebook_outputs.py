"""Re-execute notebooks so their committed outputs are current, the way nbval will compare them."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbconvert.preprocessors import CoalesceStreamsPreprocessor

REPLAY_ENV = {"COURSE_MODE": "replay", "COURSE_REPLAY_SPEED": "0"}


def refresh(path: Path, timeout: int = 600) -> None:
    """Run ``path`` under replay at no-wait speed and save it in place.

    No per-cell timestamps are recorded, and the many outputs of a flushed ``print`` loop are
    merged into one, so a re-run changes the file only where an output really changed.
    """
    notebook = nbformat.read(path, as_version=4)
    saved = {name: os.environ.get(name) for name in REPLAY_ENV}
    os.environ.update(REPLAY_ENV)  # the kernel inherits the environment of this process
    try:
        NotebookClient(notebook, timeout=timeout, record_timing=False, resources={"metadata": {"path": str(path.parent)}}).execute()
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    CoalesceStreamsPreprocessor().preprocess(notebook, {})
    nbformat.write(notebook, path)
