"""``refresh-notebooks`` saves what nbval will compare: replay, no waiting, merged streams."""

import nbformat

from helpers.cli import main
from helpers.config import DEFAULT_MODEL

CODE = """import os, helpers
print(os.environ["COURSE_MODE"], os.environ["COURSE_REPLAY_SPEED"], os.environ.get("COURSE_FAULT"), helpers.MODEL)
for piece in ["a", "b", "c"]:
    print(piece, end="", flush=True)"""


def test_refresh_ignores_personal_settings_and_merges_flushed_output(tmp_path, monkeypatch):
    path = tmp_path / "n.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(CODE)]), path)
    monkeypatch.setenv("COURSE_FAULT", "drop@after=1")
    monkeypatch.setenv("COURSE_MODEL", "someone-elses-model")
    monkeypatch.setenv("COURSE_MODE", "live")
    assert main(["refresh-notebooks", str(path)]) == 0
    cell = nbformat.read(path, as_version=4).cells[0]
    assert [output["text"] for output in cell.outputs] == [f"replay 0 None {DEFAULT_MODEL}\nabc"]
    assert "execution" not in cell.metadata  # no timestamps to churn the diff
