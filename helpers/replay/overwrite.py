"""When a freshly recorded exchange may take an existing recording's place: pure decisions.

A good recording is never lost to a bad answer. Only a complete, successful answer (HTTP 200 and,
for a stream, ``message_stop`` with no error event) replaces a recording; a failure story (a
retry, an error the lesson exists to show) is replaced only by the same failure. Anything else is
filed beside the recordings, where replay does not look, and the person recording is told.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Literal

from helpers.replay.event_order import validate_body
from helpers.replay.recording_file import Recording

REJECTED_KEY = frozenset({401, 403})

Action = Literal["save", "save final attempt", "beside", "drop"]


@dataclass(frozen=True)
class Filing:
    """What to do with a new recording, and why (a sentence for the warning, empty for a plain save)."""

    action: Action
    why: str = ""


def outcome(recording: Recording) -> str:
    """How the last attempt ended: ``""`` for a complete answer, else a few words on what went wrong."""
    last = recording.exchanges[-1].response
    if last.status != 200:
        return f"HTTP {last.status}"
    if recording.request.is_stream:
        report = validate_body(last.body)
        if report.ended == "error":
            return "an error event mid-stream"
        if report.ended != "message_stop" or report.problems:
            return "a stream that stopped before message_stop"
        return ""
    try:
        message = json.loads(last.body)
    except ValueError:
        return "a body that is not JSON"
    return "" if isinstance(message, dict) and message.get("type") == "message" else "a body that is not a message"


def is_story(recording: Recording) -> bool:
    """A recording that exists to show a failure: retries, an error status or event, or an error the
    SDK raises. A single answer that is merely cut short is broken, not a story: an answer may replace it."""
    ended = outcome(recording)
    told = ended.startswith("HTTP") or ended == "an error event mid-stream"
    return len(recording.exchanges) > 1 or told or "expect_sdk_error" in recording.provenance


def _statuses(recording: Recording) -> list[int]:
    return [exchange.response.status for exchange in recording.exchanges]


def filing(new: Recording, existing: Recording | None) -> Filing:
    """Whether ``new`` is saved in ``existing``'s place (or as a new file), beside it, or not at all."""
    ended = outcome(new)
    if new.exchanges[-1].response.status in REJECTED_KEY:
        return Filing("drop", f"the API rejected the key ({ended}); nothing was written")
    if existing is not None and "expect_sdk_error" in existing.provenance:
        return Filing(
            "beside",
            f"it exists to make the SDK raise {existing.provenance['expect_sdk_error']}, which a live answer cannot be checked to do",
        )
    if existing is not None and is_story(existing):
        if _statuses(new) == _statuses(existing) and ended == outcome(existing):
            return Filing("save")
        shown = outcome(existing) or f"attempts {_statuses(existing)}"
        return Filing(
            "beside", f"it is a failure story ({shown}) and the live API answered otherwise ({ended or f'attempts {_statuses(new)}'})"
        )
    if ended:
        return Filing("beside", f"the answer was {ended}")
    if len(new.exchanges) > 1:
        return Filing(
            "save final attempt",
            f"the API needed {len(new.exchanges)} attempts; only the answer is kept, so the recording stays a plain answer",
        )
    return Filing("save")


def final_attempt(recording: Recording) -> Recording:
    """The recording with its last attempt only."""
    return replace(recording, exchanges=recording.exchanges[-1:])
