import socket

import anthropic
import httpx2
import pytest

import helpers
from helpers.replay.library import RecordingLibrary
from helpers.replay.live import LiveTransport, should_use_backup
from helpers.replay.stopwatch import Stopwatch
from helpers.replay.transport import ReplayTransport

MODEL = "claude-sonnet-4-6"
REQUEST = {"model": MODEL, "max_tokens": 64, "messages": [{"role": "user", "content": "Say hello."}]}
USED_BACKUP = "Live call failed before its first byte"


@pytest.mark.parametrize(
    ("status", "attempt", "max_retries", "expected"),
    [
        (401, 0, 2, True),
        (403, 0, 2, True),
        (None, 0, 2, False),
        (None, 2, 2, True),
        (529, 1, 2, False),
        (529, 2, 2, True),
        (500, 0, 0, True),
        (429, 2, 2, True),
        (408, 2, 2, True),
        (409, 2, 2, True),
        (400, 2, 2, False),
        (404, 0, 0, False),
        (413, 2, 2, False),
        (200, 2, 2, False),
    ],
)
def test_should_use_backup(status, attempt, max_retries, expected):
    assert should_use_backup(status, attempt, max_retries) is expected


def record_the_answer() -> anthropic.types.Message:
    with helpers.make_client(mode="record") as client, client.messages.stream(**REQUEST) as stream:
        return stream.get_final_message()


def test_a_rejected_key_is_answered_from_the_recording_at_once(course_env, loopback, capsys):
    recorded = record_the_answer()
    loopback.fail_next(401)
    with helpers.make_client(mode="live", speed=0) as client, client.messages.stream(**REQUEST) as stream:
        answer = stream.get_final_message()
    assert answer.model_dump() == recorded.model_dump()
    assert len(loopback.seen) == 2
    loopback.stop()  # waits for the server's handlers: a reset connection would be among its errors
    assert loopback.errors == []
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"{USED_BACKUP} (HTTP 401); answering from the recording fixtures/recorded-")


@pytest.mark.anyio
async def test_an_async_client_falls_back_the_same_way(course_env, loopback, capsys):
    recorded = record_the_answer()
    loopback.fail_next(403)
    async with helpers.make_async_client(mode="live", speed=0) as client, client.messages.stream(**REQUEST) as stream:
        answer = await stream.get_final_message()
    assert answer.model_dump() == recorded.model_dump()
    assert "(HTTP 403); answering from the recording" in capsys.readouterr().err


def test_without_a_matching_recording_the_student_sees_the_live_error(course_env, loopback, capsys):
    record_the_answer()
    loopback.fail_next(401)
    other = {**REQUEST, "messages": [{"role": "user", "content": "Something never recorded."}]}
    with (
        pytest.raises(anthropic.AuthenticationError) as raised,
        helpers.make_client(mode="live", speed=0) as client,
        client.messages.stream(**other),
    ):
        pass
    assert raised.value.status_code == 401
    assert raised.value.body["error"]["message"] == "loopback 401"
    assert USED_BACKUP not in capsys.readouterr().err


def test_overloaded_falls_back_only_after_the_sdk_retries(course_env, loopback, capsys):
    recorded = record_the_answer()
    loopback.fail_next(529, 529, 529)
    with helpers.make_client(mode="live", speed=0) as client, client.messages.stream(**REQUEST) as stream:
        answer = stream.get_final_message()
    assert [seen.headers["x-stainless-retry-count"] for seen in loopback.seen[1:]] == ["0", "1", "2"]
    assert answer.model_dump() == recorded.model_dump()
    assert f"{USED_BACKUP} (HTTP 529)" in capsys.readouterr().err


def test_overloaded_without_backup_raises_after_the_retries(course_env, loopback):
    record_the_answer()
    loopback.fail_next(529, 529, 529)
    with (
        pytest.raises(anthropic.OverloadedError),
        helpers.make_client(mode="live", speed=0, backup=False) as client,
        client.messages.stream(**REQUEST),
    ):
        pass
    assert len(loopback.seen) == 4


def test_a_bad_request_is_never_hidden_by_a_recording(course_env, loopback, capsys):
    record_the_answer()
    loopback.fail_next(400)
    with pytest.raises(anthropic.BadRequestError), helpers.make_client(mode="live", speed=0) as client:
        client.messages.create(**REQUEST, stream=True)
    assert USED_BACKUP not in capsys.readouterr().err


def test_an_unreachable_api_falls_back_on_the_last_attempt(course_env, monkeypatch, capsys):
    recorded = record_the_answer()
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))  # bound but not listening: connections are refused
        monkeypatch.setenv("ANTHROPIC_BASE_URL", f"http://127.0.0.1:{closed.getsockname()[1]}")
        client = helpers.make_client(mode="live", speed=0, max_retries=0)
        with client, client.messages.stream(**REQUEST) as stream:
            answer = stream.get_final_message()
    assert answer.model_dump() == recorded.model_dump()
    assert f"{USED_BACKUP} (ConnectError:" in capsys.readouterr().err


def test_a_timeout_on_the_last_attempt_falls_back(course_env, capsys):
    recorded = record_the_answer()

    def time_out(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ReadTimeout("timed out waiting for headers", request=request)

    stopwatch = Stopwatch(replayed=False)
    backup = ReplayTransport(RecordingLibrary.from_dir(course_env), 0, stopwatch)
    transport = LiveTransport(stopwatch, backup=backup, max_retries=0, inner_sync=httpx2.MockTransport(time_out))
    http_client = httpx2.Client(transport=transport)
    # The mock transport answers every request itself; nothing is sent anywhere.
    client = anthropic.Anthropic(api_key="unused", max_retries=0, http_client=http_client)
    with client, client.messages.stream(**REQUEST) as stream:
        answer = stream.get_final_message()
    assert answer.model_dump() == recorded.model_dump()
    assert f"{USED_BACKUP} (ReadTimeout: timed out waiting for headers)" in capsys.readouterr().err


def test_a_live_call_that_works_is_passed_through_and_not_recorded(course_env, loopback, capsys):
    with helpers.make_client(mode="live") as client, client.messages.stream(**REQUEST) as stream:
        answer = stream.get_final_message()
    assert answer.content[0].text == "Hello, wörld! ☕ done"
    assert loopback.seen[0].headers["accept-encoding"] != "identity"
    assert not course_env.exists()
    assert capsys.readouterr().err == ""


def test_live_mode_honours_the_proxy_from_the_environment(course_env, loopback, monkeypatch):
    # The loopback server plays the proxy: the API host below is never resolved or contacted.
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", loopback.url)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://api.course-test.invalid")
    with helpers.make_client(mode="live", backup=False, max_retries=0) as client:
        assert client.messages.create(**REQUEST).type == "message"
    assert loopback.seen[-1].path == "http://api.course-test.invalid/v1/messages"  # the absolute form a proxy receives


WAITING = "Waiting for the live API"


@pytest.mark.realtime  # waits for real timeouts
def test_a_silent_api_is_given_up_on_after_the_timeout_and_answered_from_the_recording(course_env, loopback, capsys):
    recorded = record_the_answer()
    loopback.answer_after = 3.0
    with helpers.make_client(mode="live", speed=0, timeout=0.6) as client, client.messages.stream(**REQUEST) as stream:
        answer = stream.get_final_message()
    assert answer.model_dump() == recorded.model_dump()
    assert len(loopback.seen) == 2  # the recording's request, then one live attempt: no retries of a hung API
    waiting, fell_back = capsys.readouterr().err.splitlines()
    assert waiting.startswith(f"{WAITING} to start its answer (gives up after 0.6 s")
    assert fell_back.startswith(f"{USED_BACKUP} (ReadTimeout:")


@pytest.mark.anyio
@pytest.mark.realtime  # waits for real timeouts
async def test_an_async_client_gives_up_on_a_silent_api_the_same_way(course_env, loopback, capsys):
    recorded = record_the_answer()
    loopback.answer_after = 3.0
    async with (
        helpers.make_async_client(mode="live", speed=0, timeout=0.6) as client,
        client.messages.stream(**REQUEST) as stream,
    ):
        answer = await stream.get_final_message()
    assert answer.model_dump() == recorded.model_dump()
    err = capsys.readouterr().err
    assert f"{WAITING} to start its answer" in err
    assert f"{USED_BACKUP} (ReadTimeout:" in err


@pytest.mark.realtime  # waits for real timeouts
def test_without_backup_a_silent_api_is_a_timeout_error(course_env, loopback):
    loopback.answer_after = 2.0
    with (
        pytest.raises(anthropic.APITimeoutError),
        helpers.make_client(mode="live", backup=False, max_retries=0, timeout=0.3) as client,
        client.messages.stream(**REQUEST),
    ):
        pass


@pytest.mark.realtime  # waits for real timeouts
def test_a_long_answer_that_is_not_streamed_is_not_cut_by_the_timeout(course_env, loopback, capsys):
    loopback.answer_after = 1.2  # the whole answer being written before anything is sent
    with helpers.make_client(mode="live", backup=False, max_retries=0, timeout=0.4) as client:
        answer = client.messages.create(**REQUEST)
    assert answer.content[0].text == "Hello, wörld! ☕ done"
    assert capsys.readouterr().err.startswith(f"{WAITING}'s answer: it is not streamed")


@pytest.mark.realtime  # waits for real timeouts
def test_a_stream_that_has_started_may_pause_longer_than_the_timeout(course_env, loopback, capsys):
    loopback.body_after = 1.0  # headers at once, then a silence longer than the limit
    with (
        helpers.make_client(mode="live", backup=False, max_retries=0, timeout=0.4) as client,
        client.messages.stream(**REQUEST) as stream,
    ):
        answer = stream.get_final_message()
    assert answer.content[0].text == "Hello, wörld! ☕ done"
    assert capsys.readouterr().err == ""


def test_the_status_line_says_how_long_a_live_answer_may_take_to_start(course_env):
    assert "answers must start within 4 s" in helpers.status_line(helpers.make_client(mode="live", timeout=4))
