"""Re-execute notebooks so their committed outputs are current, the way nbval will compare them."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbconvert.preprocessors import CoalesceStreamsPreprocessor

from helpers.config import reproducible_environment

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
LIVE_VIEW_NOTE = "A live widget view: run this cell to watch it."
SAVED_AS_TEXT = "saved_as_text"  # in an output's metadata["course"]: its text/plain is the content (a quiz), keep it


def settle_widget_views(notebook: nbformat.NotebookNode) -> None:
    """Replace widget views, whose models are not saved, with a stable note (or the text they carry).

    A saved view points at a model by a random id that exists only while the kernel runs; kept,
    it would show as an error when the notebook is opened, and change on every refresh. An output
    whose plain text is its content (marked ``SAVED_AS_TEXT``, e.g. a quiz) keeps that text.
    """
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if WIDGET_VIEW in data:
                kept = output.get("metadata", {}).get("course", {}).get(SAVED_AS_TEXT)
                output["data"] = {"text/plain": data["text/plain"] if kept else LIVE_VIEW_NOTE}


def refresh(path: Path, timeout: int = 600) -> None:
    """Run ``path`` under replay at no-wait speed and save it in place.

    No per-cell timestamps or widget state are recorded, and the many outputs of a flushed
    ``print`` loop are merged into one, so a re-run changes the file only where an output changed.
    """
    notebook = nbformat.read(path, as_version=4)
    env = dict(os.environ)
    reproducible_environment(env)
    client = NotebookClient(
        notebook,
        timeout=timeout,
        record_timing=False,
        store_widget_state=False,  # widget models get new random ids on every run: churn, not content
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute(env=env)  # the kernel gets the reproducible environment; this process keeps its own
    notebook.metadata.pop("widgets", None)  # stale state from a run that stored it
    settle_widget_views(notebook)
    CoalesceStreamsPreprocessor().preprocess(notebook, {})
    nbformat.write(notebook, path)
