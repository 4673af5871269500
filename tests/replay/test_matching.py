"""Request matching and the no-match message: pure functions, no network."""

import re
from pathlib import Path

import pytest
from paths import ROOT

from helpers.replay.matching import IGNORED_FIELDS, closest, explain_no_match, meaningful_body, request_key
from helpers.replay.recording_file import Exchange, RecordedRequest, RecordedResponse, Recording

BODY = {"model": "m", "max_tokens": 100, "messages": [{"role": "user", "content": "hi"}], "stream": True}


def recording(body: dict, name: str = "x") -> Recording:
    response = RecordedResponse(200, {}, 0.1, [])
    return Recording({"source": "synthesized"}, [Exchange(RecordedRequest("POST", "/v1/messages", body), response)], Path(f"{name}.json"))


@pytest.mark.parametrize("field", sorted(IGNORED_FIELDS))
def test_each_ignored_field_leaves_the_key_alone(field):
    assert request_key("POST", "/v1/messages", BODY) == request_key("POST", "/v1/messages", {**BODY, field: "changed"})


def test_the_fixture_readme_documents_exactly_the_ignored_fields():
    readme = (ROOT / "fixtures" / "README.md").read_text()
    table = readme[readme.index("| field | why it is ignored |") :].split("\n\n")[0]
    documented = set(re.findall(r"`([a-z_]+)`", "\n".join(line.split("|")[1] for line in table.splitlines()[2:])))
    assert documented == set(IGNORED_FIELDS)


def test_meaningful_fields_change_the_key():
    for change in ({"max_tokens": 101}, {"system": "be brief"}, {"stream": False}, {"stop_sequences": ["\n"]}):
        assert request_key("POST", "/v1/messages", BODY) != request_key("POST", "/v1/messages", {**BODY, **change})


def test_absent_stream_means_false():
    without = {k: v for k, v in BODY.items() if k != "stream"}
    assert meaningful_body(without)["stream"] is False
    assert request_key("POST", "/v1/messages", without) == request_key("POST", "/v1/messages", {**BODY, "stream": False})


def test_key_ignores_key_order_and_trailing_slash():
    reordered = dict(reversed(list(BODY.items())))
    assert request_key("post", "/v1/messages/", reordered) == request_key("POST", "/v1/messages", BODY)


def test_closest_names_the_differing_field_and_both_values():
    edited = {**BODY, "messages": [{"role": "user", "content": "hello"}]}
    near = closest([recording({**BODY, "max_tokens": 5}, "far"), recording(BODY, "near")], "POST", "/v1/messages", edited)
    assert near is not None and near.recording.name == "near"
    assert near.fields == ["messages[0].content"]
    assert (near.recorded, near.sent) == ("hi", "hello")
    message = explain_no_match(near, ["fixtures"])
    assert "near.json" in message and "messages[0].content" in message
    assert "'hi'" in message and "'hello'" in message
    assert "undo the edit" in message and "ANTHROPIC_API_KEY" in message


def test_no_recordings_at_all_says_where_it_looked():
    message = explain_no_match(None, ["/somewhere/fixtures"])
    assert "/somewhere/fixtures" in message and "ANTHROPIC_API_KEY" in message
    assert "COURSE_FIXTURES" in message and "undo the edit" not in message


def test_a_longer_conversation_points_at_the_recording_it_extends():
    turn_1 = {**BODY, "messages": [{"role": "user", "content": "hi"}]}
    other = {**BODY, "messages": [{"role": "user", "content": "something else entirely"}]}
    turn_2 = {**BODY, "messages": [*turn_1["messages"], {"role": "assistant", "content": "hello"}, {"role": "user", "content": "more"}]}
    near = closest([recording(other, "other"), recording(turn_1, "turn_1")], "POST", "/v1/messages", turn_2)
    assert near is not None and near.recording.name == "turn_1"
    assert near.fields == ["messages[1]", "messages[2]"] and near.recorded == "<absent>"
