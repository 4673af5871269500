"""Pacing arithmetic: deadlines are absolute and scale with speed."""

import pytest

from helpers.replay.pacing import delay, due_at, scaled_retry_headers


@pytest.mark.parametrize("speed, expected", [(1, 12.5), (2, 11.25), (0.5, 15.0), (0, 10.0)])
def test_due_at_scales_the_recorded_offset(speed, expected):
    assert due_at(10.0, 2.5, speed) == pytest.approx(expected)


def test_delay_is_never_negative():
    assert delay(5.0, 4.0) == pytest.approx(1.0)
    assert delay(5.0, 6.0) == 0.0


@pytest.mark.parametrize(
    "headers, speed, expected",
    [
        ({"retry-after-ms": "400"}, 1, {"retry-after-ms": "400"}),
        ({"retry-after-ms": "400"}, 2, {"retry-after-ms": "200"}),
        ({"retry-after": "3", "x": "y"}, 0, {"retry-after-ms": "1", "x": "y"}),
        ({"retry-after": "Wed, 21 Oct 2026 07:28:00 GMT"}, 0, {"retry-after": "Wed, 21 Oct 2026 07:28:00 GMT"}),
        ({"content-type": "application/json"}, 0, {"content-type": "application/json"}),
    ],
)
def test_retry_after_scales_with_speed(headers, speed, expected):
    assert scaled_retry_headers(headers, speed) == expected
