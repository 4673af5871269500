"""Plumbing for the streaming course: choose replay or live, time requests, make recordings.

Lesson code calls the Anthropic SDK itself; this package only hands it a client.
"""

from helpers.client import client_info, make_async_client, make_client, status_line, stopwatch
from helpers.config import course_model
from helpers.errors import ConfigError, CourseError, NoRecordingError, RecordingError

MODEL = course_model()

__all__ = [
    "MODEL",
    "ConfigError",
    "CourseError",
    "NoRecordingError",
    "RecordingError",
    "client_info",
    "make_async_client",
    "make_client",
    "status_line",
    "stopwatch",
]
