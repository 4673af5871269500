"""Pacing arithmetic: deadlines are absolute and scale with speed."""

import pytest

from helpers.replay.pacing import delay, due_at, scaled_retry_headers, schedule


@pytest.mark.parametrize("speed, expected", [(1, 12.5), (2, 11.25), (0.5, 15.0), (0, 10.0)])
def test_due_at_scales_the_recorded_offset(speed, expected):
    assert due_at(10.0, 2.5, speed) == pytest.approx(expected)


def test_delay_is_never_negative():
    assert delay(5.0, 4.0) == pytest.approx(1.0)
    assert delay(5.0, 6.0) == 0.0


def test_schedule_uses_absolute_deadlines_so_lateness_does_not_accumulate():
    plan = list(schedule([(0.1, "a"), (0.2, "b"), (0.3, "c")], start=100.0, speed=1))
    assert [round(deadline, 6) for deadline, _, _ in plan] == [100.1, 100.2, 100.3]
    # Even if chunk "a" was served late (at 100.25), "b" and "c" keep their own deadlines.
    assert delay(plan[2][0], 100.25) == pytest.approx(0.05)
    assert [item for _, _, item in plan] == ["a", "b", "c"]


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
