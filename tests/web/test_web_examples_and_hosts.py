"""Which recorded prompts the page offers, and where the server agrees to listen."""

from __future__ import annotations

import socket

import pytest
from paths import FIXTURES
from running_app import prompt_of

from helpers.errors import ConfigError
from helpers.replay.library import RecordingLibrary
from helpers.tooling.cli import main
from helpers.web.examples import recorded_prompts
from helpers.web.relay import RelaySettings
from helpers.web.server import bind, check_host, is_loopback, url_of

WEB_RECORDINGS = ("web_markdown", "web_long", "web_untrusted")


def test_the_page_offers_the_web_recordings_and_only_requests_the_relay_sends_as_recorded():
    library = RecordingLibrary.from_dir(FIXTURES)
    offered = recorded_prompts(library.recordings, RelaySettings().max_tokens)
    assert {prompt_of(name) for name in WEB_RECORDINGS} <= set(offered)
    by_prompt = {
        r.request.body["messages"][0]["content"]: r for r in library.recordings if isinstance(r.request.body["messages"][0]["content"], str)
    }
    for prompt in offered:
        body = by_prompt[prompt].request.body
        assert body["max_tokens"] == RelaySettings().max_tokens and body["stream"] is True
        assert set(body) <= {"model", "max_tokens", "messages", "stream"}, f"{prompt!r} is recorded with fields the relay never sends"
    assert recorded_prompts(library.recordings, 7) == []


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.10", False),
        ("example.com", False),
    ],
)
def test_only_loopback_addresses_count_as_this_machine(host, loopback):
    assert is_loopback(host) is loopback


def test_a_remote_address_is_refused_unless_asked_for_explicitly():
    with pytest.raises(ConfigError, match="--allow-remote"):
        check_host("0.0.0.0", allow_remote=False)
    check_host("0.0.0.0", allow_remote=True)
    check_host("127.0.0.1", allow_remote=False)


def test_the_cli_refuses_a_remote_host_with_a_message_and_binds_nothing(capsys):
    assert main(["web", "--host", "0.0.0.0", "--port", "1"]) == 2
    assert "Refusing to listen on 0.0.0.0" in capsys.readouterr().err


def test_port_zero_takes_a_free_port_and_a_taken_port_is_a_clear_error():
    sock = bind("127.0.0.1", 0)
    try:
        port = sock.getsockname()[1]
        assert port > 0 and url_of(sock) == f"http://127.0.0.1:{port}/"
        with pytest.raises(ConfigError, match=f"Cannot listen on 127.0.0.1:{port}"):
            bind("127.0.0.1", port)
    finally:
        sock.close()
    assert isinstance(sock, socket.socket)
