"""The app over real sockets on 127.0.0.1: the page, the JSON errors, the event stream and what happens upstream.

Every server here replays the course's recordings (no other address is ever contacted) and is
stopped at the end of its test.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import anthropic
import httpx2
import pytest
from running_app import answer_of, body_size, conversation, events, running_app, wait_for

import helpers
from helpers.errors import ConfigError
from helpers.views.markdown_blocks import render_markdown
from helpers.web import BackgroundServer, Relayed, RelaySettings, create_app, serve_in_background
from helpers.web import app as web_app
from helpers.web.blocks import without_images
from helpers.web.events import INTERNAL, NO_RECORDING

pytestmark = pytest.mark.realtime  # serves HTTP on 127.0.0.1 or waits real seconds: out of the quick loop

TIMEOUT = httpx2.Timeout(20.0)


@pytest.fixture(scope="module")
def server() -> Iterator[BackgroundServer]:
    with running_app(speed=0) as running:
        yield running


def post(server: BackgroundServer, body: object | bytes, **headers: str) -> httpx2.Response:
    """A POST as the page sends it (JSON), with ``headers`` changed or added."""
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    sent = {"content-type": "application/json", **{name.replace("_", "-"): value for name, value in headers.items()}}
    return httpx2.post(server.url + "api/stream", content=content, headers=sent, timeout=TIMEOUT)


def test_the_page_has_its_controls_and_a_policy_that_forbids_inline_scripts_and_images(server):
    page = httpx2.get(server.url, timeout=TIMEOUT)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for element in ('id="prompt"', 'id="send"', 'id="stop"', 'id="answer"', 'id="status"', 'id="reveal"', 'src="/page.js"'):
        assert element in page.text
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "img-src 'none'" in policy and "unsafe-inline" not in policy
    script = httpx2.get(server.url + "page.js", timeout=TIMEOUT)
    assert script.headers["content-type"].startswith("text/javascript")
    assert "requestAnimationFrame" in script.text and "getReader" in script.text and "EventSource(" not in script.text


def test_info_names_the_mode_and_offers_the_recorded_prompts(server):
    info = httpx2.get(server.url + "api/info", timeout=TIMEOUT).json()
    assert info["mode"] == "replay" and info["status"].startswith("Course mode: replay")
    assert conversation("web_markdown")["messages"][0]["content"] in info["examples"]


@pytest.mark.parametrize(
    ("body", "status", "kind", "field"),
    [
        (b'{"messages": [', 400, "malformed_json", "body"),
        ({"prompt": "Hi"}, 422, "invalid_request", "prompt"),
        ({"messages": [{"role": "user", "content": 3}]}, 422, "invalid_request", "messages[0].content"),
        ({"messages": [{"role": "user", "content": "x" * 8001}]}, 413, "too_large", "messages"),
        (b"x" * 70_000, 413, "too_large", "body"),
    ],
)
def test_bad_requests_get_a_json_error_with_a_status_and_the_field(server, body, status, kind, field):
    response = post(server, body)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert response.json()["error"]["type"] == kind and response.json()["error"]["field"] == field
    assert "Traceback" not in response.text


def test_unknown_routes_and_methods_get_json_errors(server):
    missing = httpx2.get(server.url + "nothing/here", timeout=TIMEOUT)
    assert missing.status_code == 404 and missing.json()["error"]["type"] == "not_found"
    wrong = httpx2.get(server.url + "api/stream", timeout=TIMEOUT)
    assert wrong.status_code == 405 and wrong.json()["error"]["type"] == "method_not_allowed"


def test_a_recorded_prompt_streams_blocks_then_done_with_headers_that_stop_buffering(server):
    response = post(server, conversation("web_markdown"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
    assert response.headers["cache-control"] == "no-cache" and response.headers["x-accel-buffering"] == "no"
    got = events(response.content)
    names = [name for name, _ in got]
    assert names[-1] == "done" and set(names[:-1]) == {"blocks"}
    assert got[-1][1]["stop_reason"] == "end_turn" and got[-1][1]["usage"]["output_tokens"] == 314
    blocks: list[str] = []
    for _, update in got[:-1]:
        blocks[update["from"] :] = update["frozen"]
    assert "".join(blocks) + got[-2][1]["tail"] == without_images(render_markdown(answer_of("web_markdown")))


def test_an_unrecorded_prompt_in_replay_gets_an_error_event_saying_so(server):
    response = post(server, {"messages": [{"role": "user", "content": "Something nobody recorded"}]})
    assert response.status_code == 200
    assert events(response.content) == [("error", {"type": "no_recording", "message": NO_RECORDING})]
    assert server.app.state.relayed[-1].ended == "error: no_recording"


def test_a_mid_stream_error_event_ends_the_stream_with_its_type_after_the_partial_answer():
    with running_app(speed=0, fault="error@after=30") as server:
        got = events(post(server, conversation("web_markdown")).content)
        outcome = server.app.state.relayed[-1]
    assert got[-1] == ("error", {"type": "overloaded_error", "message": "Overloaded"})
    assert [name for name, _ in got[:-1]] and {name for name, _ in got[:-1]} == {"blocks"}, "the partial answer comes first"
    assert outcome.ended == "error: overloaded_error" and 0 < outcome.text_chars < len(answer_of("web_markdown"))


def test_a_dropped_upstream_connection_becomes_a_connection_error_event():
    with running_app(speed=0, fault="drop@after=30") as server:
        got = events(post(server, conversation("web_markdown")).content)
    assert got[-1][0] == "error" and got[-1][1]["type"] == "connection_error"


def test_heartbeats_keep_a_silent_stream_alive():
    settings = RelaySettings(heartbeat=0.1)
    with running_app(speed=1, fault="stall@after=3,seconds=1", settings=settings) as server:
        body = post(server, conversation("web_markdown")).content
    assert b": ping\n\n" in body.split(b"event: blocks")[0], "no heartbeat while the model was silent"
    assert events(body)[-1][0] == "done"


def test_when_the_client_leaves_the_server_closes_the_upstream_response_with_most_of_it_unread():
    with running_app(speed=1) as server:
        with (
            httpx2.Client(timeout=TIMEOUT) as http,
            http.stream("POST", server.url + "api/stream", json=conversation("web_long")) as response,
        ):
            seen = b""
            for chunk in response.iter_raw():
                seen += chunk
                if seen.count(b"event: blocks") >= 2:
                    break
        # Leaving the block closed the connection mid-answer; the relay must notice and stop reading.
        outcome: Relayed = wait_for(lambda: server.app.state.relayed[-1] if server.app.state.relayed else None, "the relay to end")
    assert outcome.ended == "page left"
    assert outcome.upstream_closed is True
    assert 0 < outcome.upstream_bytes < body_size("web_long") / 2, f"read {outcome.upstream_bytes} of {body_size('web_long')} bytes"


def test_a_complete_relay_reads_the_whole_upstream_answer(server):
    post(server, conversation("web_long"))
    outcome = server.app.state.relayed[-1]
    assert (outcome.ended, outcome.upstream_bytes, outcome.upstream_closed) == ("complete", body_size("web_long"), True)


def test_an_unexpected_failure_in_a_request_is_a_500_json_without_a_traceback(server, monkeypatch):
    def broken(*args: object) -> None:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(web_app, "parse_conversation", broken)
    response = post(server, conversation("web_markdown"))
    assert response.status_code == 500 and response.json()["error"]["type"] == "internal_error"
    assert "secret" not in response.text and "Traceback" not in response.text


def test_an_unexpected_failure_while_relaying_is_an_error_event_without_details():
    def fail(**request: object) -> None:
        raise RuntimeError("secret internal detail")

    def client() -> anthropic.AsyncAnthropic:
        made = helpers.make_async_client("replay", speed=0, fault="")
        made.messages.stream = fail  # type: ignore[method-assign,assignment]
        return made

    with serve_in_background(create_app(client)) as server:
        got = events(post(server, conversation("web_markdown")).content)
    assert got == [("error", {"type": "internal_error", "message": INTERNAL})]


def test_an_app_that_cannot_start_is_a_clear_error_not_a_hang():
    def no_client() -> anthropic.AsyncAnthropic:
        raise ConfigError("no client today")

    with pytest.raises(ConfigError, match="did not start"):
        serve_in_background(create_app(no_client))


def test_another_site_cannot_make_the_browser_spend_the_key(server):
    # A page elsewhere may POST text/plain or a form without a preflight; only JSON from this page is answered.
    plain = post(server, {"messages": [{"role": "user", "content": "hi"}]}, content_type="text/plain")
    assert plain.status_code == 415 and plain.json()["error"]["field"] == "content-type"
    foreign = post(server, {"messages": [{"role": "user", "content": "hi"}]}, origin="https://evil.example")
    assert foreign.status_code == 403 and "https://evil.example" in foreign.json()["error"]["message"]


def test_a_name_that_merely_resolves_here_is_refused(server):
    # DNS rebinding: an attacker's name pointed at 127.0.0.1 still sends its own Host.
    rebound = post(server, {"messages": [{"role": "user", "content": "hi"}]}, host="attacker.example")
    assert rebound.status_code == 400


def test_a_get_on_the_stream_says_which_method_it_takes(server):
    wrong = httpx2.get(server.url + "api/stream", timeout=TIMEOUT)
    assert wrong.status_code == 405 and wrong.headers["allow"] == "POST"
