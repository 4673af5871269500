"""Every lesson runs top to bottom in a kernel whose front end draws no widgets, as in Colab.

A lesson that draws views is executed in a kernel made to look like Colab's (``google.colab``
imported at start-up, from a stand-in package) with no widget setting of its own: the views must
notice and draw with display updates, every cell must run, and every output nbval compares must
come out as committed (but for cells tagged ``front-end-figures``, which count what the drawing
itself sent). A lesson that draws no widget at all needs nothing more than nbval's own run,
which executes it in a kernel with no front end.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from paths import NOTEBOOKS

from helpers.config import reproducible_environment

pytestmark = pytest.mark.kernel

LESSONS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def code_of(lesson: Path) -> str:
    cells = json.loads(lesson.read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "code")


def draws_widgets(lesson: Path) -> bool:
    """A lesson that shows course views (or widgets of its own), not one that only uses a pure helper from ``views``."""
    code = code_of(lesson)
    return "ipywidgets" in code or "StreamView(" in code or "side_by_side(" in code


def colab_like_environment(tmp_path: Path) -> dict[str, str]:
    """A kernel environment that imports a stand-in ``google.colab`` at start-up, as Colab's does."""
    package = tmp_path / "site" / "google" / "colab"
    package.mkdir(parents=True)
    (package.parent / "__init__.py").write_text("")
    (package / "__init__.py").write_text('"""Stands in for Colab\'s own module: its presence is what the course looks for."""\n')
    startup = tmp_path / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-colab.py").write_text("import google.colab\n")
    env = dict(os.environ)
    reproducible_environment(env)
    env.pop("COURSE_WIDGETS", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(tmp_path / "site"), env.get("PYTHONPATH", "")]))
    env["IPYTHONDIR"] = str(tmp_path / "ipython")
    return env


def printed(cell: dict) -> str:
    """The text a cell's outputs show: what nbval compares."""
    parts = [
        output.get("text", "") if output["output_type"] == "stream" else output.get("data", {}).get("text/plain", "")
        for output in cell["outputs"]
    ]
    return "".join(parts)


def compared(cell: dict) -> bool:
    """A code cell whose output is deterministic and the same whatever draws the views."""
    tags = cell["metadata"].get("tags", [])
    return cell["cell_type"] == "code" and "nbval-ignore-output" not in tags and "front-end-figures" not in tags


def draws_a_view(source: str) -> bool:
    """A cell that shows a course view (not the lesson's deliberately raw ``widgets.HTML`` demo)."""
    return "display(" in source and ("StreamView(" in source or "side_by_side(" in source)


@pytest.mark.parametrize("lesson", [path for path in LESSONS if draws_widgets(path)], ids=lambda path: path.stem)
def test_a_lesson_with_views_runs_and_draws_them_without_widgets(lesson: Path, tmp_path: Path) -> None:
    # Imported here: the quick loop collects this module without paying for Jupyter's imports.
    import nbformat
    from nbclient import NotebookClient

    committed = nbformat.read(lesson, as_version=4)
    notebook = nbformat.read(lesson, as_version=4)
    client = NotebookClient(notebook, timeout=120, record_timing=False, resources={"metadata": {"path": str(lesson.parent)}})
    client.execute(env=colab_like_environment(tmp_path))  # raises, naming the cell, if any cell fails

    view_cells = [cell for cell in notebook.cells if cell.cell_type == "code" and draws_a_view(cell.source)]
    assert len(view_cells) >= 5
    for cell in view_cells:
        kinds = [set(output.get("data", {})) for output in cell.outputs]
        assert not any(WIDGET_VIEW in kind for kind in kinds), f"a widget was drawn by:\n{cell.source}"
        html = [output["data"]["text/html"] for output in cell.outputs if "text/html" in output.get("data", {})]
        ended = ("Complete:", "Stopped after", "Withdrawn:")
        assert any(end in part for part in html for end in ended), f"no finished view from:\n{cell.source}"
    for before, after in zip(committed.cells, notebook.cells, strict=True):
        if compared(before):
            assert printed(after) == printed(before), f"without widgets this cell printed something else:\n{before.source}"


@pytest.mark.parametrize("lesson", [path for path in LESSONS if not draws_widgets(path)], ids=lambda path: path.stem)
def test_a_lesson_without_views_draws_no_widget(lesson: Path) -> None:
    """So nbval's run, in a kernel with no front end at all, is already the run without widgets."""
    outputs = [output for cell in json.loads(lesson.read_text(encoding="utf-8"))["cells"] for output in cell.get("outputs", [])]
    assert outputs, "the lesson's outputs are committed"
    assert not any(WIDGET_VIEW in output.get("data", {}) for output in outputs)
