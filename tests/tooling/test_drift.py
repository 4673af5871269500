"""``python -m helpers drift`` against a stand-in API on 127.0.0.1: what it catches and what it leaves alone."""

import helpers
from helpers.replay import recording_file
from helpers.tooling.cli import main
from helpers.tooling.stream_shape import Shape, envelope, new_kinds, shape_of_message, shape_of_stream

REQUEST = {"model": "claude-sonnet-4-6", "max_tokens": 64, "messages": [{"role": "user", "content": "Say hello."}]}


def record_baseline(folder) -> bytes:
    """The shipped recording: the stand-in's answer as it is today."""
    with helpers.make_client(mode="record") as client, client.messages.stream(**REQUEST) as stream:
        stream.until_done()
    (path,) = folder.glob("*.json")
    return path.read_bytes()


def test_a_new_event_type_and_a_new_field_fail_the_run_and_the_recordings_stay(course_env, loopback, capsys):
    shipped = record_baseline(course_env)
    capsys.readouterr()
    loopback.newer_api = True
    assert main(["drift"]) == 1
    out = capsys.readouterr().out
    assert "new event content_block_annotation" in out
    assert "new field message_delta.usage.reasoning_tokens" in out
    assert "content_block_annotation.note" not in out  # a new event's own fields come with it
    assert "first token" in out and "tokens/s" in out
    assert "1 live answer(s) compared with the recordings: 2 difference(s) to look at." in out
    assert [path.read_bytes() for path in course_env.glob("*.json")] == [shipped]


def test_the_same_shapes_in_other_words_pass(course_env, loopback, capsys):
    record_baseline(course_env)
    capsys.readouterr()
    assert main(["drift"]) == 0
    assert "no new shapes" in capsys.readouterr().out
    assert len(loopback.seen) == 2


def test_a_shipped_request_the_api_refuses_fails_the_run(course_env, loopback, capsys):
    shipped = record_baseline(course_env)
    capsys.readouterr()
    loopback.fail_next(400)
    assert main(["drift"]) == 1
    out = capsys.readouterr().out
    assert "the live API did not answer the shipped request completely" in out
    assert [path.read_bytes() for path in course_env.glob("*.json")] == [shipped]
    assert not (course_env / "rejected").exists()


def test_shapes_are_kinds_and_field_paths_not_words():
    one = shape_of_stream(
        b'event: message_delta\ndata: {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 3}}\n\n'
    )
    other = shape_of_stream(
        b'event: message_delta\ndata: {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 9}}\n\n'
    )
    assert one.kinds == other.kinds and "field message_delta.usage.output_tokens" in one.kinds
    assert one.stop_reasons == {"end_turn"}


def test_tool_inputs_are_free_form_and_lists_are_one_path():
    body = b'{"type": "message", "content": [{"type": "tool_use", "input": {"city": "Paris"}}, {"type": "text", "text": "x"}]}'
    kinds = shape_of_message(body).kinds
    assert {"block tool_use", "block text", "field message.content[].input", "field message.content[].text"} <= kinds
    assert not any("city" in kind for kind in kinds)


def test_new_kinds_lists_types_before_fields_and_not_a_new_events_own_fields():
    known = Shape({"event ping", "event x"})
    live = Shape({"field x.y", "event ping", "delta new_delta", "block new_block", "event novel", "field novel.index"})
    assert new_kinds(known, live) == ["block new_block", "delta new_delta", "event novel", "field x.y"]


def test_the_envelope_times_events_that_span_chunks(tmp_path):
    recording = recording_file.load(
        next((helpers.config.fixtures_dir()).glob("short_summary.json"))  # a shipped, synthesized stream
    )
    timing = envelope(recording.exchanges[-1].response)
    assert timing.first_token_s is not None and 0 < timing.first_token_s < 5
    assert timing.tokens_per_s is not None and 10 < timing.tokens_per_s < 500
