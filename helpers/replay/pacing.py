"""When each recorded chunk is due: pure arithmetic, so pacing is testable without a clock."""

from __future__ import annotations


def due_at(start: float, offset: float, speed: float) -> float:
    """The absolute time a chunk recorded ``offset`` s after the request is due at ``speed``.

    Deadlines are absolute (from the request's start), never relative to the previous chunk,
    so sleep overshoot does not accumulate over a long stream. Speed 0 means due at once.
    """
    if speed == 0:
        return start
    return start + offset / speed


def delay(deadline: float, now: float) -> float:
    """How long to sleep before a deadline; never negative."""
    return max(0.0, deadline - now)


def scaled_retry_headers(headers: dict[str, str], speed: float) -> dict[str, str]:
    """A recorded ``retry-after``/``retry-after-ms`` scaled like the rest of the recording.

    The SDK sleeps what the server asks before retrying, so a retry story at speed 2 waits half
    as long, and at speed 0 one millisecond (asking for 0 would make the SDK use its own backoff).
    """
    if speed == 1:
        return headers
    try:
        if "retry-after-ms" in headers:
            wait_ms = float(headers["retry-after-ms"])
        elif "retry-after" in headers:
            wait_ms = float(headers["retry-after"]) * 1000
        else:
            return headers
    except ValueError:  # an HTTP date: leave it as recorded
        return headers
    scaled = {name: value for name, value in headers.items() if name not in ("retry-after", "retry-after-ms")}
    scaled["retry-after-ms"] = str(max(1, round(wait_ms / speed)) if speed > 0 else 1)
    return scaled
