"""Errors a student or instructor can meet, each with a message that says what to do next."""

from __future__ import annotations

import anthropic


class CourseError(anthropic.AnthropicError):
    """Base for the course's own errors.

    It derives from ``anthropic.AnthropicError`` because the SDK re-raises its own error family
    from a transport unchanged and unretried: a replay problem reaches the notebook as itself,
    not as a vague "Connection error." after three attempts.
    """

    def _render_traceback_(self) -> list[str]:
        # IPython calls this instead of printing a traceback through the SDK's internals.
        return [f"{type(self).__name__}: {self}"]


class NoRecordingError(CourseError):
    """A request in replay mode that no recorded stream answers."""


class RecordingError(CourseError):
    """A recording file that cannot be read or does not follow the recording format."""


class LimitReached(BaseException):
    """A cap on a loop's requests or calls was reached: a loop that never ends is stopped here.

    Exercise checks and fault plans raise it into a student's code. A ``BaseException``, so that
    neither the SDK's nor a student's ``except Exception`` can swallow it and try again.
    """


class ConfigError(CourseError):
    """A mode, speed or other setting that the course cannot use."""
