"""``make_client()``: a real Anthropic client whose transport replays, goes live, or records.

After this one call, lesson code is plain SDK code. The choice of mode only decides which
httpx2 transport the SDK is handed.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anthropic
import httpx2

from helpers import config
from helpers.errors import ConfigError
from helpers.replay import demo_controls, first_byte
from helpers.replay.faults import Fault
from helpers.replay.library import RecordingLibrary
from helpers.replay.live import LiveTransport
from helpers.replay.recorder import Recorder
from helpers.replay.stopwatch import Stopwatch
from helpers.replay.transport import ReplayTransport

REPLAY_KEY = "replay-mode-no-key"
REPLAY_BASE_URL = "https://api.anthropic.com"


@dataclass(frozen=True)
class ClientInfo:
    """What a client was made for: shown on each notebook's first line."""

    mode: str
    model: str
    speed: float
    recordings: str
    backup: bool
    stopwatch: Stopwatch
    fault: Fault | None = None
    timeout: float = first_byte.DEFAULT_LIMIT_S
    nearest: bool = False

    def status_line(self) -> str:
        """``Course mode: …`` with mode, model, speed and what the recordings are."""
        speed = "no waiting" if self.speed == 0 else f"{self.speed:g}x recorded speed"
        if self.mode == "replay":
            how = f"replay ({speed}) · model {self.model} · recordings: {self.recordings}"
            if self.fault is not None:
                how += f" · fault: {self.fault.describe()}"
            if self.nearest:
                how += " · tinkering: an edited request gets the closest recording"
        elif self.mode == "record":
            how = f"record (live API, saving every exchange) · model {self.model}"
        else:
            standby = f"backup: the recordings ({self.recordings})" if self.backup else "no backup from recordings"
            how = f"live API · model {self.model} · answers must start within {self.timeout:g} s · {standby}"
        return f"Course mode: {how}"


_INFO: weakref.WeakKeyDictionary[Any, ClientInfo] = weakref.WeakKeyDictionary()


def _library(recording: str | Path | None, folder: Path) -> RecordingLibrary:
    if recording is not None:
        return RecordingLibrary.single(recording, folder)
    if not folder.is_dir():
        raise ConfigError(
            f"There is no folder {folder} to replay recordings from. Point COURSE_FIXTURES at a folder of recordings, "
            "or unset it to use the course's own."
        )
    return RecordingLibrary.from_dir(folder)


def _build(
    is_async: bool,
    mode: str | None,
    speed: float | str | None,
    recording: str | Path | None,
    backup: bool | None,
    max_retries: int,
    fault: Fault | str | None,
    timeout: float | str | None,
    nearest: bool | None,
) -> Any:
    chosen = config.resolve_mode(mode)
    pace = config.resolve_speed(speed)
    limit = config.resolve_timeout(timeout)
    folder = config.fixtures_dir()
    model = config.course_model()
    stopwatch = Stopwatch(replayed=chosen == "replay")
    use_backup = chosen == "live" and config.resolve_backup(backup)
    # Live, a missing folder only means no backup; replay needs it.
    needs_library = chosen == "replay" or (use_backup and (recording is not None or folder.is_dir()))
    library = _library(recording, folder) if needs_library else None
    options: dict[str, Any] = {"max_retries": max_retries}
    injected = config.resolve_fault(fault) if chosen == "replay" else None
    tinkering = chosen == "replay" and config.resolve_nearest(nearest)

    if chosen == "replay":
        assert library is not None
        transport: Any = ReplayTransport(library, pace, stopwatch, fault=injected, controls=demo_controls.CONTROLS, nearest=tinkering)
        options.update(api_key=REPLAY_KEY, base_url=REPLAY_BASE_URL)
        http_client: Any = httpx2.AsyncClient(transport=transport) if is_async else httpx2.Client(transport=transport)
    else:
        recorder = Recorder(folder) if chosen == "record" else None
        standby = (
            ReplayTransport(library, pace, stopwatch, final_only=True, controls=demo_controls.CONTROLS) if library is not None else None
        )
        transport = LiveTransport(stopwatch, recorder=recorder, backup=standby, max_retries=max_retries, first_byte_limit=limit)
        http_client = (
            anthropic.DefaultAsyncHttpxClient(transport=transport) if is_async else anthropic.DefaultHttpxClient(transport=transport)
        )

    client_class = anthropic.AsyncAnthropic if is_async else anthropic.Anthropic
    client = client_class(http_client=http_client, **options)
    _INFO[http_client] = ClientInfo(
        mode=chosen,
        model=model,
        speed=pace,
        recordings=library.sources() if library is not None else "none",
        backup=use_backup,
        stopwatch=stopwatch,
        fault=injected,
        timeout=limit,
        nearest=tinkering,
    )
    return client


def make_client(
    mode: str | None = None,
    *,
    speed: float | str | None = None,
    recording: str | Path | None = None,
    backup: bool | None = None,
    max_retries: int = 2,
    fault: Fault | str | None = None,
    timeout: float | str | None = None,
    nearest: bool | None = None,
) -> anthropic.Anthropic:
    """A real ``anthropic.Anthropic`` for the chosen mode (``COURSE_MODE``, default ``auto``).

    ``speed`` (``COURSE_REPLAY_SPEED``) paces replay; ``recording`` serves one named recording
    whatever the request; ``backup`` (``COURSE_BACKUP``) lets a live call that fails before
    its first byte be answered from the recording; ``fault`` (``COURSE_FAULT``) breaks every
    replayed stream on purpose (see ``helpers.replay.faults``), and ``fault=""`` turns that off.
    ``timeout`` (``COURSE_TIMEOUT``, default 10) is how many seconds a live call waits for its
    answer to start (``helpers.replay.first_byte``); a line on stderr says when it is slow to.
    ``nearest`` (``COURSE_NEAREST``, off by default) lets replay answer an edited request with the
    closest recording, saying which: for tinkering without a key. Exercise checks never use it.
    """
    return _build(False, mode, speed, recording, backup, max_retries, fault, timeout, nearest)


def make_async_client(
    mode: str | None = None,
    *,
    speed: float | str | None = None,
    recording: str | Path | None = None,
    backup: bool | None = None,
    max_retries: int = 2,
    fault: Fault | str | None = None,
    timeout: float | str | None = None,
    nearest: bool | None = None,
) -> anthropic.AsyncAnthropic:
    """The ``anthropic.AsyncAnthropic`` twin of ``make_client``, with the same arguments."""
    return _build(True, mode, speed, recording, backup, max_retries, fault, timeout, nearest)


def client_info(client: anthropic.Anthropic | anthropic.AsyncAnthropic) -> ClientInfo:
    """How a client from ``make_client`` was set up (copies from ``with_options`` included)."""
    # Keyed by the httpx2 client make_client built, which the SDK's copies of a client share.
    info = _INFO.get(getattr(client, "_client", None))
    if info is None:
        raise TypeError("This client was not made by helpers.make_client() or make_async_client().")
    return info


def status_line(client: anthropic.Anthropic | anthropic.AsyncAnthropic) -> str:
    """One line for a notebook's first cell: mode, model, speed and what the recordings are."""
    return client_info(client).status_line()


def stopwatch(client: anthropic.Anthropic | anthropic.AsyncAnthropic) -> Stopwatch:
    """The clock for timing this client's latest request (recording time under replay)."""
    return client_info(client).stopwatch
