"""Development check against real published captures in ../shared/conformance (skipped without it).

Each capture is imported, then replayed through make_client; the SDK must build the same final
message as from the same bytes served by a bare httpx2.MockTransport, and the validator must
flag exactly the quirks the corpus README lists.
"""

import json
from typing import Any

import anthropic
import httpx2
import pytest
from paths import ROOT

import helpers
from helpers.replay import recording_file
from helpers.replay.event_order import validate_body
from helpers.replay.sse import parse
from helpers.tooling.import_sse import import_capture

CORPUS = ROOT.parent / "shared" / "conformance"
FIXTURES = ROOT / "fixtures"
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


# The synthesizer's shapes against the real captures' shapes -------------------------------------
#
# A shape is what a stream is made of, whatever it says: each event type, each content block type
# and delta type, and the field names each carries. Every shape the synthesizer writes must be one
# the published captures show, with field names they use; the few fields newer than every capture
# are listed with the SDK type that declares them.

NEWER_THAN_CAPTURES = {
    ("content_block_start", "tool_use"): {"caller"},  # anthropic/types/tool_use_block.py: caller
    ("iterations", "fallback_message"): {"model"},  # types/beta/beta_fallback_message_iteration_usage.py: model
    ("iterations", "message"): {"model"},  # types/beta/beta_message_iteration_usage.py: model
}


def shapes(body: bytes) -> dict[tuple[str, str], set[str]]:
    """(event type, block/delta/part kind) -> the field names seen there, over one SSE body."""
    found: dict[tuple[str, str], set[str]] = {}

    def note(key: tuple[str, str], fields: Any) -> None:
        found.setdefault(key, set()).update(fields)

    for event in parse(body).events:
        if event.event is None or not event.data:
            continue
        data = json.loads(event.data)
        name = data["type"]
        note((name, ""), data)
        if name == "message_start":
            note(("message_start", "message"), data["message"])
            note(("message_start", "usage"), data["message"]["usage"])
        elif name == "content_block_start":
            note((name, data["content_block"]["type"]), data["content_block"])
        elif name == "content_block_delta":
            note((name, data["delta"]["type"]), data["delta"])
        elif name == "message_delta":
            note(("message_delta", "delta"), data["delta"])
            note(("message_delta", "usage"), data["usage"])
            for part in data["usage"].get("iterations", []):
                note(("iterations", part["type"]), part)
    return found


def real_shapes() -> dict[tuple[str, str], set[str]]:
    merged: dict[tuple[str, str], set[str]] = {}
    for capture in CAPTURES:
        for key, fields in shapes(capture.read_bytes()).items():
            merged.setdefault(key, set()).update(fields)
    merged[("iterations", "fallback_message")] = merged.get(("iterations", "message"), set())  # same fields but the type
    return merged


SYNTHESIZED = sorted(FIXTURES.glob("*.json")) if CAPTURES else []


@pytest.mark.parametrize("path", SYNTHESIZED, ids=lambda p: p.stem)
def test_every_synthesized_shape_is_one_the_real_captures_show(path):
    recording = recording_file.load(path)
    if recording.source != "synthesized":
        pytest.skip("not synthesized")
    real = real_shapes()
    for exchange in recording.exchanges:
        if "event-stream" not in exchange.response.headers.get("content-type", ""):
            continue
        for key, fields in shapes(exchange.response.body).items():
            assert key in real, f"{path.name}: {key} appears in no published capture"
            extra = fields - real[key] - NEWER_THAN_CAPTURES.get(key, set())
            assert not extra, f"{path.name}: {key} has fields {sorted(extra)} that no capture has"


def test_the_new_shapes_are_covered_by_the_synthesized_recordings():
    """Each kind the lessons now teach is synthesized somewhere, so the check above really compares it."""
    seen: set[tuple[str, str]] = set()
    for path in SYNTHESIZED:
        for exchange in recording_file.load(path).exchanges:
            seen |= set(shapes(exchange.response.body))
    for key in [
        ("content_block_start", "fallback"),
        ("content_block_delta", "signature_delta"),
        ("content_block_delta", "input_json_delta"),
        ("iterations", "fallback_message"),
        ("message_delta", "delta"),
    ]:
        assert key in seen, key
