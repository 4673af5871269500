"""``refresh-notebooks`` saves what nbval will compare: replay, no waiting, merged streams."""

import pytest

from helpers.config import DEFAULT_MODEL
from helpers.tooling.cli import main

pytestmark = pytest.mark.kernel

CODE = """import os, helpers
print(os.environ["COURSE_MODE"], os.environ["COURSE_REPLAY_SPEED"], os.environ.get("COURSE_FAULT"), helpers.MODEL)
for piece in ["a", "b", "c"]:
    print(piece, end="", flush=True)"""


def test_refresh_ignores_personal_settings_and_merges_flushed_output(tmp_path, monkeypatch):
    import nbformat  # imported here: the quick loop collects this module without Jupyter's slow imports

    from helpers.tooling.refresh_notebooks import LIVE_VIEW_NOTE

    path = tmp_path / "n.ipynb"
    quiz = "from helpers.teaching.quizzes import lesson01\nlesson01.quiz()"
    cells = [nbformat.v4.new_code_cell(source) for source in (CODE, "import ipywidgets\nipywidgets.IntSlider()", quiz)]
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    monkeypatch.setenv("COURSE_FAULT", "drop@after=1")
    monkeypatch.setenv("COURSE_MODEL", "someone-elses-model")
    monkeypatch.setenv("COURSE_MODE", "live")
    assert main(["refresh-notebooks", str(path)]) == 0
    notebook = nbformat.read(path, as_version=4)
    cell, widget_cell, quiz_cell = notebook.cells
    assert [output["text"] for output in cell.outputs] == [f"replay 0 None {DEFAULT_MODEL}\nabc"]
    assert "execution" not in cell.metadata  # no timestamps to churn the diff
    assert [output["data"] for output in widget_cell.outputs] == [{"text/plain": LIVE_VIEW_NOTE}]
    (quiz_output,) = quiz_cell.outputs  # a quiz keeps its text: nbval compares it, and a reader sees the questions
    assert quiz_output["data"]["text/plain"].startswith("Lesson 01 · Quick quiz") and len(quiz_output["data"]) == 1
    assert "widgets" not in notebook.metadata  # no random model ids saved
