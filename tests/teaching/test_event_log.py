"""The event log: what it notes about real SDK events, its lines, and its pictures."""

import tomllib

import matplotlib
import pytest
from paths import ROOT

import helpers
from helpers.teaching.event_log import EventLog, Phase, plot_phases

matplotlib.use("Agg")
REQUEST = tomllib.loads((ROOT / "fixtures/specs/short_summary.toml").read_text())["request"]


@pytest.fixture
def logged() -> EventLog:
    client = helpers.make_client(speed=0)
    log = EventLog(helpers.stopwatch(client))
    for _ in log.watch(client.messages.create(**REQUEST, stream=True)):
        pass
    return log


def test_every_raw_event_is_noted_with_its_recorded_time_and_detail(logged):
    kinds = [e.type for e in logged.events]
    assert kinds[0] == "message_start" and kinds[-1] == "message_stop"
    times = [e.at for e in logged.events]
    assert times == sorted(times) and times[-1] > 2  # the recording's clock, not the no-wait wall clock
    assert "stop_reason=end_turn" in next(e.detail for e in logged.events if e.type == "message_delta")
    assert {e.detail for e in logged.events if e.type == "content_block_delta"} == {"text_delta"}


def test_lines_are_one_per_event_or_collapsed_runs(logged):
    full, short = logged.lines(), logged.lines(collapse=True)
    assert len(full) == len(logged.events)
    assert "content_block_delta" in full[2] and "#0" in full[2] and "text_delta" in full[2]
    assert len(short) == 6 and f"x{logged.counts()['content_block_delta:text_delta']}" in short[2]


@pytest.mark.anyio
async def test_async_streams_are_logged_the_same_way(logged):
    client = helpers.make_async_client(speed=0)
    log = EventLog(helpers.stopwatch(client))
    async for _ in log.awatch(await client.messages.create(**REQUEST, stream=True)):
        pass
    assert log.events == logged.events


def test_pictures_have_a_row_per_kind_and_a_bar_per_phase(logged):
    axes = logged.plot().axes[0]
    assert [t.get_text() for t in axes.get_yticklabels()] == list(logged.counts())
    bars = plot_phases([Phase("turn 1", 0, 1.2), Phase("tool", 1.2, 1.3), Phase("turn 2", 1.3, 2.5)], "t").axes[0]
    assert len(bars.patches) == 3 and bars.patches[2].get_x() == pytest.approx(1.3)
