"""Shared fixtures: a loopback API server and the environment that points the course at it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from loopback_server import API_KEY, LoopbackServer


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def loopback() -> Iterator[LoopbackServer]:
    server = LoopbackServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def course_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, loopback: LoopbackServer) -> Path:
    """``make_client`` pointed at the loopback server with a sentinel key; returns the fixtures folder."""
    folder = tmp_path / "fixtures"
    for name in (
        "ANTHROPIC_AUTH_TOKEN",
        "ANTHROPIC_CUSTOM_HEADERS",
        "COURSE_MODE",
        "COURSE_FALLBACK",
        "COURSE_BACKUP",
        "COURSE_REPLAY_SPEED",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ANTHROPIC_API_KEY", API_KEY)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", loopback.url)
    monkeypatch.setenv("COURSE_FIXTURES", str(folder))
    return folder


@pytest.fixture(autouse=True)
def demo_controls_left_alone() -> Iterator[None]:
    """Every test starts and ends with the instructor's controls changing nothing (they are process-wide)."""
    from helpers.replay.demo_controls import CONTROLS

    CONTROLS.reset()
    yield
    CONTROLS.reset()
