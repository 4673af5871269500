"""Course settings, each from an argument or else an environment variable: one place for all."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, MutableMapping
from pathlib import Path

from helpers.errors import ConfigError
from helpers.replay import first_byte
from helpers.replay.faults import Fault, parse_fault

DEFAULT_MODEL = "claude-opus-4-8"
COURSE_MODES = ("auto", "replay", "live", "record")
DEFAULT_SPEED = 1.0
SLOWEST_SPEED, FASTEST_SPEED = 0.1, 100.0  # slower would stretch a 10 s answer past a quarter of an hour
_YES = ("1", "true", "yes", "on")
_NO = ("0", "false", "no", "off")


REPRODUCIBLE_ENV = {"COURSE_MODE": "replay", "COURSE_REPLAY_SPEED": "0"}
PERSONAL_SETTINGS = ("COURSE_FIXTURES", "COURSE_MODEL", "COURSE_FAULT", "COURSE_WIDGETS", "COURSE_TIMEOUT", "COURSE_NEAREST")


def reproducible_environment(env: MutableMapping[str, str]) -> None:
    """Make ``env`` give the committed outputs: replay, no waiting, no personal overrides.

    The tests and ``refresh-notebooks`` both use it, so what nbval compares is what was saved.
    """
    env.update(REPRODUCIBLE_ENV)
    for name in PERSONAL_SETTINGS:
        env.pop(name, None)


def course_model(env: Mapping[str, str] = os.environ) -> str:
    """The model every lesson asks for; ``COURSE_MODEL`` overrides it."""
    return env.get("COURSE_MODEL", "").strip() or DEFAULT_MODEL


def resolve_mode(mode: str | None = None, env: Mapping[str, str] = os.environ) -> str:
    """``replay``, ``live`` or ``record``; ``auto`` means live exactly when a key is set."""
    chosen = (mode or env.get("COURSE_MODE", "") or "auto").strip().lower()
    if chosen not in COURSE_MODES:
        raise ConfigError(f"Unknown course mode {chosen!r}. Use one of: {', '.join(COURSE_MODES)} (argument mode= or COURSE_MODE).")
    has_key = bool(env.get("ANTHROPIC_API_KEY", "").strip())
    if chosen == "auto":
        return "live" if has_key else "replay"
    if chosen in ("live", "record") and not has_key:
        raise ConfigError(
            f"Mode {chosen!r} calls the real API and needs ANTHROPIC_API_KEY, which is not set. "
            "Set the key, or use COURSE_MODE=replay to run from the recordings."
        )
    return chosen


def resolve_speed(speed: float | str | None = None, env: Mapping[str, str] = os.environ) -> float:
    """Replay speed: 1 as recorded, 2 twice as fast, 0 without waiting."""
    raw = speed if speed is not None else env.get("COURSE_REPLAY_SPEED", "").strip() or DEFAULT_SPEED
    try:
        value = float(raw)
    except (TypeError, ValueError):
        value = -1.0
    if value != 0 and not SLOWEST_SPEED <= value <= FASTEST_SPEED:
        raise ConfigError(
            f"Replay speed {raw!r} is not usable. Use 0 (no waiting) or a number from {SLOWEST_SPEED:g} to {FASTEST_SPEED:g}: "
            "1 = as recorded, 2 = twice as fast, 0.5 = half as fast (speed= or COURSE_REPLAY_SPEED)."
        )
    return value


def resolve_timeout(timeout: float | str | None = None, env: Mapping[str, str] = os.environ) -> float:
    """Seconds a live call waits for its answer to start before it gives up, or falls back to the recording."""
    raw = timeout if timeout is not None else env.get("COURSE_TIMEOUT", "").strip() or first_byte.DEFAULT_LIMIT_S
    try:
        value = float(raw)
    except (TypeError, ValueError):
        value = math.nan
    if not first_byte.SHORTEST_LIMIT_S <= value <= first_byte.LONGEST_LIMIT_S:
        raise ConfigError(
            f"Timeout {raw!r} is not usable. Use a number of seconds from {first_byte.SHORTEST_LIMIT_S:g} to "
            f"{first_byte.LONGEST_LIMIT_S:g}: how long a live call waits for its answer to start, then gives up or answers "
            "from the recording (timeout= or COURSE_TIMEOUT)."
        )
    return value


def resolve_backup(backup: bool | None = None, env: Mapping[str, str] = os.environ) -> bool:
    """Whether a live call that fails before its first byte is answered from its recording: the course's backup.

    ``COURSE_FALLBACK``, the setting's name before the API had server-side fallbacks of its own, is still read.
    """
    if backup is not None:
        return backup
    name = "COURSE_BACKUP" if "COURSE_BACKUP" in env else "COURSE_FALLBACK"
    raw = env.get(name, "1").strip().lower()
    if raw not in _YES and raw not in _NO:
        raise ConfigError(f"{name}={raw!r} is not usable. Use 1 (answer from the recording when a live call fails) or 0.")
    return raw in _YES


def resolve_nearest(nearest: bool | None = None, env: Mapping[str, str] = os.environ) -> bool:
    """Whether replay answers a request no recording matches with the closest recording (tinkering without a key)."""
    if nearest is not None:
        return nearest
    raw = env.get("COURSE_NEAREST", "0").strip().lower()
    if raw not in _YES and raw not in _NO:
        raise ConfigError(f"COURSE_NEAREST={raw!r} is not usable. Use 1 (answer an edited request with the closest recording) or 0.")
    return raw in _YES


def resolve_widgets(env: Mapping[str, str] = os.environ) -> bool | None:
    """``COURSE_WIDGETS``: 1 draws views with widgets, 0 with display updates, unset or auto decides."""
    raw = env.get("COURSE_WIDGETS", "").strip().lower()
    if raw in ("", "auto"):
        return None
    if raw in _YES or raw in _NO:
        return raw in _YES
    raise ConfigError(
        f"COURSE_WIDGETS={raw!r} is not usable. Use 1 (widgets), 0 (display updates, for front ends without widgets) or auto."
    )


def fixtures_dir(env: Mapping[str, str] = os.environ) -> Path:
    """Where recordings live: ``COURSE_FIXTURES``, or the repository's ``fixtures/``."""
    override = env.get("COURSE_FIXTURES", "").strip()
    return Path(override) if override else Path(__file__).resolve().parent.parent / "fixtures"


def resolve_fault(fault: Fault | str | None = None, env: Mapping[str, str] = os.environ) -> Fault | None:
    """A fault to inject into every replayed stream (``fault=`` or ``COURSE_FAULT``), or None."""
    if isinstance(fault, Fault):
        return fault
    written = fault if fault is not None else env.get("COURSE_FAULT", "").strip()
    return parse_fault(written) if written else None
