"""Plumbing for the streaming course: choose replay or live, time requests, make fixtures.

Lesson code calls the Anthropic SDK itself; this package only hands it a client.
"""

from .client import client_info, make_async_client, make_client, status_line, stopwatch
from .config import course_model
from .errors import ConfigError, CourseError, FixtureError, NoRecordingError

MODEL = course_model()

__all__ = [
    "MODEL",
    "ConfigError",
    "CourseError",
    "FixtureError",
    "NoRecordingError",
    "client_info",
    "make_async_client",
    "make_client",
    "status_line",
    "stopwatch",
]
