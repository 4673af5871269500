"""Re-execute notebooks so their committed outputs are current, the way nbval will compare them."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbconvert.preprocessors import CoalesceStreamsPreprocessor

from .config import reproducible_environment


def refresh(path: Path, timeout: int = 600) -> None:
    """Run ``path`` under replay at no-wait speed and save it in place.

    No per-cell timestamps are recorded, and the many outputs of a flushed ``print`` loop are
    merged into one, so a re-run changes the file only where an output really changed.
    """
    notebook = nbformat.read(path, as_version=4)
    env = dict(os.environ)
    reproducible_environment(env)
    client = NotebookClient(notebook, timeout=timeout, record_timing=False, resources={"metadata": {"path": str(path.parent)}})
    client.execute(env=env)  # the kernel gets the reproducible environment; this process keeps its own
    CoalesceStreamsPreprocessor().preprocess(notebook, {})
    nbformat.write(notebook, path)
