import pytest

from helpers.replay import first_byte

SDK_DEFAULT = {"connect": 5.0, "read": 600.0, "write": 600.0, "pool": 600.0}


def test_a_stream_waits_for_its_headers_no_longer_than_the_limit():
    assert first_byte.until_first_byte(SDK_DEFAULT, 10.0, streamed=True) == {**SDK_DEFAULT, "read": 10.0}


def test_an_answer_that_is_not_streamed_keeps_the_sdk_read_timeout():
    # Its headers come only once the whole answer is written, which can take minutes.
    assert first_byte.until_first_byte(SDK_DEFAULT, 2.0, streamed=False) == {**SDK_DEFAULT, "connect": 2.0}


def test_a_shorter_sdk_timeout_is_kept_and_no_timeout_gets_the_limit():
    assert first_byte.until_first_byte({"connect": 1.0, "read": None}, 10.0, streamed=True) == {"connect": 1.0, "read": 10.0}


def test_the_sdk_timeouts_are_not_changed_in_place():
    own = dict(SDK_DEFAULT)
    first_byte.until_first_byte(own, 1.0, streamed=True)
    assert own == SDK_DEFAULT


@pytest.mark.parametrize(("limit", "after"), [(10.0, 2.0), (1.0, 0.5), (600.0, 2.0)])
def test_the_notice_comes_before_the_limit(limit, after):
    assert first_byte.notice_after(limit) == after


def test_the_notices_say_what_is_being_waited_for():
    assert "COURSE_TIMEOUT" in first_byte.notice(10, streamed=True)
    assert "not streamed" in first_byte.notice(10, streamed=False)
