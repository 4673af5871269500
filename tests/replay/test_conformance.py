"""Development check against real published captures in ../shared/conformance (skipped without it).

Each capture is imported, then replayed through make_client; the SDK must build the same final
message as from the same bytes served by a bare httpx2.MockTransport, and the validator must
flag exactly the quirks the corpus README lists.
"""

import anthropic
import httpx2
import pytest
from paths import ROOT

import helpers
from helpers.replay import recording_file
from helpers.replay.event_order import validate_body
from helpers.tooling.import_sse import import_capture

CORPUS = ROOT.parent / "shared" / "conformance"
CAPTURES = sorted(CORPUS.glob("*.sse")) if CORPUS.is_dir() else []
pytestmark = pytest.mark.skipif(not CAPTURES, reason=f"conformance corpus not present at {CORPUS}")
REQUEST = {"model": "m", "max_tokens": 64, "messages": [{"role": "user", "content": "x"}]}


def final_from_bare_transport(raw: bytes) -> anthropic.types.Message:
    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, headers={"content-type": "text/event-stream"}, content=raw)

    client = anthropic.Anthropic(api_key="x", http_client=httpx2.Client(transport=httpx2.MockTransport(handler)))
    with client.messages.stream(**REQUEST) as stream:
        return stream.get_final_message()


@pytest.mark.parametrize("capture", CAPTURES, ids=lambda p: p.stem)
def test_replay_gives_the_sdk_the_same_message_as_the_raw_bytes(capture, tmp_path):
    raw = capture.read_bytes()
    imported = import_capture(raw, capture.name, {**REQUEST, "stream": True}, add_final_blank_line=False)
    assert imported.recording.exchanges[0].response.body == raw
    path = recording_file.save(imported.recording, tmp_path / "c.json")
    with helpers.make_client(speed=0, recording=path).messages.stream(**REQUEST) as stream:
        replayed = stream.get_final_message()
    assert replayed.model_dump(warnings=False) == final_from_bare_transport(raw).model_dump(warnings=False)


KNOWN_QUIRKS = {  # from the corpus README: files whose last event has no blank line after it
    "sdkpy_basic_response",
    "sdkpy_compaction_response",
    "sdkpy_fallback_credit_response",
    "sdkpy_fallback_response",
    "sdkpy_incomplete_partial_json_response",
    "sdkpy_refusal_response",
    "sdkpy_tool_use_response",
}


@pytest.mark.parametrize("capture", CAPTURES, ids=lambda p: p.stem)
def test_validator_flags_exactly_the_known_quirks(capture):
    verdict = validate_body(capture.read_bytes())
    assert verdict.ok == (capture.stem not in KNOWN_QUIRKS), verdict.problems
    if capture.stem == "sdkpy_incomplete_partial_json_response":
        assert any("block 1 was never stopped" in p for p in verdict.problems)
