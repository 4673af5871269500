"""What every lesson's exercise-check tests share: loading reference solutions, stand-in attempts,
and one assertion on a verdict."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

from paths import ROOT

from helpers.checks.common import Verdict

SOLUTIONS = ROOT / "notebooks" / "solutions"


def load_solutions(filename: str) -> ModuleType:
    """A lesson's reference solutions (``notebooks/solutions/FILENAME``) as a module."""
    spec = importlib.util.spec_from_file_location(f"solutions_{Path(filename).stem}", SOLUTIONS / filename)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def unfinished(*_: Any) -> None:
    """The shipped exercise body."""
    ...


def not_implemented(*_: Any) -> None:
    raise NotImplementedError


def assert_verdict(verdict: Verdict, status: str, *phrases: str) -> None:
    """The verdict has this status and says each phrase."""
    text = str(verdict)
    assert verdict.status == status, text
    for phrase in phrases:
        assert phrase in text, f"{phrase!r} not in:\n{text}"
