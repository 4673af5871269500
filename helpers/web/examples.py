"""The prompts the page offers: every recorded request the page itself could send, word for word.

Replay answers only what was recorded, so in replay mode the page suggests exactly those
prompts. A recording qualifies when its request is what the relay sends for a one-question
conversation: the same ``max_tokens``, one user message of plain text, streamed, and nothing
else that changes the answer (no system prompt, tools or stop sequences).
"""

from __future__ import annotations

from collections.abc import Iterable

from helpers.replay.matching import meaningful_body
from helpers.replay.recording_file import Recording


def recorded_prompts(recordings: Iterable[Recording], max_tokens: int) -> list[str]:
    """The prompts of the recordings the page can replay, in name order, each once."""
    prompts: dict[str, str] = {}
    for recording in sorted(recordings, key=lambda r: r.name):
        request = recording.request
        body = meaningful_body(request.body)
        messages = body.get("messages")
        if (
            request.method == "POST"
            and request.path.rstrip("/") == "/v1/messages"
            and set(body) == {"max_tokens", "messages", "stream"}
            and body["stream"] is True
            and body["max_tokens"] == max_tokens
            and isinstance(messages, list)
            and len(messages) == 1
            and messages[0].get("role") == "user"
            and isinstance(messages[0].get("content"), str)
        ):
            prompts.setdefault(messages[0]["content"], recording.name)
    return list(prompts)
