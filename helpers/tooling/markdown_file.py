"""Read the Markdown a command was pointed at, with a message that says what to do when it cannot be read."""

from __future__ import annotations

import sys
from pathlib import Path

from helpers.errors import CourseError


def read_markdown(name: str) -> str:
    """The text of Markdown file ``name`` (``-``: standard input), decoded as UTF-8."""
    if name == "-":
        data = sys.stdin.buffer.read()
        where = "standard input"
    else:
        path = Path(name)
        if path.is_dir():
            raise CourseError(f"{path} is a folder; give one Markdown file, e.g. {path / 'answer.md'}.")
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise CourseError(f"{path} does not exist; give the path of a Markdown file (or - to read standard input).") from None
        except OSError as err:
            raise CourseError(f"{path} cannot be read ({err.strerror}).") from None
        where = str(path)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise CourseError(f"{where} is not UTF-8 text (byte {err.start} cannot be decoded); save it as UTF-8 and try again.") from None
