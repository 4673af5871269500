"""What counts as a complete answer, for the non-streaming calls the recorder tests do not make."""

import json

import pytest

from helpers.replay.overwrite import filing, outcome
from helpers.replay.recording_file import Chunk, Exchange, RecordedRequest, RecordedResponse, Recording

MESSAGE = {"id": "msg_1", "type": "message", "role": "assistant", "content": [], "model": "m", "stop_reason": "end_turn"}


def blocking(status: int, body: bytes) -> Recording:
    request = RecordedRequest("POST", "/v1/messages", {"model": "m", "max_tokens": 5, "messages": []})
    return Recording({"source": "recorded"}, [Exchange(request, RecordedResponse(status, {}, 0.1, [Chunk(0.2, body)]))])


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (200, json.dumps(MESSAGE).encode(), ""),
        (200, b"<html>gateway</html>", "a body that is not JSON"),
        (200, json.dumps({"type": "error"}).encode(), "a body that is not a message"),
        (404, json.dumps({"type": "error"}).encode(), "HTTP 404"),
    ],
)
def test_a_non_streaming_answer_is_complete_only_as_a_message(status, body, expected):
    assert outcome(blocking(status, body)) == expected


def test_a_complete_non_streaming_answer_replaces_one_and_a_gateway_page_does_not():
    good = blocking(200, json.dumps(MESSAGE).encode())
    assert filing(blocking(200, json.dumps({**MESSAGE, "id": "msg_2"}).encode()), good).action == "save"
    assert filing(blocking(200, b"<html>gateway</html>"), good).action == "beside"
