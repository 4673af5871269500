"""No exercise check runs for ever: a student's function that never returns gets a verdict, in seconds,
that says so (and where it was), whichever exercise it is."""

from __future__ import annotations

import importlib
import pkgutil
import time
from collections.abc import Callable
from typing import Any

import pytest

import helpers.checks
from helpers.checks import common

JUDGES = sorted(
    {
        (module.__name__.rsplit(".", 1)[-1], name): getattr(module, name)
        for module in (importlib.import_module(f"helpers.checks.{info.name}") for info in pkgutil.iter_modules(helpers.checks.__path__))
        for name in dir(module)
        if name.startswith("judge_") and getattr(getattr(module, name), "__module__", "") == module.__name__
    }.items()
)


def spins(*_: Any) -> None:
    """A loop whose condition never becomes false (it gives up long after any check, so it does not outlive the tests)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        time.sleep(0.005)


def test_every_exercise_has_a_judge() -> None:
    assert len(JUDGES) >= 19, [name for name, _ in JUDGES]


@pytest.mark.slow
@pytest.mark.parametrize(("where", "judge"), JUDGES, ids=[f"{module}.{name}" for (module, name), _ in JUDGES])
def test_a_function_that_never_returns_gets_a_verdict_within_ten_seconds(
    where: tuple[str, str], judge: Callable[[Any], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(common, "CALL_SECONDS", 1.0)  # the notebook's limit is 5 s; the test needs no more than 1
    started = time.perf_counter()
    verdict = judge(spins)
    took = time.perf_counter() - started
    assert verdict.status == "wrong", str(verdict)
    said = str(verdict)
    assert any(words in said for words in ("never returned", "never ended", "never stopped", "still running", "never sent a request")), said
    assert took < 10, f"{where} took {took:.1f} s"
