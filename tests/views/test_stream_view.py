"""StreamView with real widgets, fed by the real SDK from recordings: what it shows, what it sends,
how it stops, and that model output never reaches the front end as live HTML."""

from __future__ import annotations

import asyncio
import sys
import time
import tomllib
import types
from collections.abc import AsyncIterator, Iterator
from typing import Any, ClassVar

import comm
import httpx2
import ipywidgets
import pytest
from paths import ROOT
from test_markdown_blocks import UNSAFE, assert_inert, without_caret

import helpers
import helpers.views.stream_view as stream_view
from helpers.errors import ConfigError
from helpers.views.markdown_blocks import render_markdown, render_plain
from helpers.views.received import Received
from helpers.views.reveal import POLICIES, by_paragraph, when_complete
from helpers.views.stream_view import CUT_MARK, VIEW_MODES, StreamView, side_by_side
from helpers.views.tail_healing import CARET
from helpers.views.throttle import DEFAULT_MAX_PAUSE, max_redraws, redraw_times
from helpers.views.widget_column import FANOUT

SPECS = ROOT / "fixtures" / "specs"


def request(name: str) -> dict[str, Any]:
    return tomllib.loads((SPECS / f"{name}.toml").read_text(encoding="utf-8"))["request"]


class RecordingComm(comm.DummyComm):
    """A comm that keeps every message the widgets send, as a front end would receive them."""

    sent: ClassVar[list[tuple[str, dict[str, Any]]]] = []

    def publish_msg(self, msg_type: str, data: Any = None, metadata: Any = None, buffers: Any = None, **keys: Any) -> None:
        RecordingComm.sent.append((msg_type, data or {}))


@pytest.fixture
def front_end(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """Every widget message sent during the test: (``comm_open`` or ``comm_msg``, data)."""
    RecordingComm.sent = []
    monkeypatch.setattr(comm, "create_comm", RecordingComm)
    yield RecordingComm.sent


def values_sent(messages: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """Every HTML value the front end received, from widget creations and updates."""
    out = []
    for _, data in messages:
        value = data.get("state", {}).get("value")
        if isinstance(value, str):
            out.append(value)
    return out


def stream_into(view: StreamView, client: Any, name: str) -> tuple[str, float]:
    """Feed a recording into the view as a lesson does; the text and the recorded span of its fragments."""
    clock = helpers.stopwatch(client)
    times = []
    with client.messages.stream(**request(name)) as stream:
        for text in stream.text_stream:
            times.append(clock.elapsed())
            view.append(text)
        final = stream.get_final_text()
    view.finish()
    return final, times[-1] - times[0]


def test_streamed_markdown_ends_as_one_render_and_counts_what_it_sent(front_end: list) -> None:
    client = helpers.make_client("replay", speed=0)
    view = StreamView(clock=helpers.stopwatch(client), widgets=True)
    text, span = stream_into(view, client, "render_comments")
    assert view.text == text and view.done and not view.cut
    assert view.html == render_markdown(text)
    held = [block.value for block in view.widget.children[2].children]  # what the slot widgets hold
    assert "".join(held) == view.html and len(held) == view.slots > 10, "each finished block is a widget of its own"
    sent = values_sent(front_end)
    assert view.stats.bytes == sum(len(value.encode()) for value in sent)
    assert 5 < view.stats.redraws <= max_redraws(span, 20)
    assert view.stats.bytes < 3 * len(view.html.encode())


def test_a_throttled_view_redraws_when_the_throttle_says() -> None:
    client = helpers.make_client("replay", speed=0)
    clock = helpers.stopwatch(client)
    view = StreamView(mode="whole", budget=None, clock=clock, widgets=True)
    arrivals = []
    with client.messages.stream(**request("render_comments")) as stream:
        for text in stream.text_stream:
            arrivals.append(clock.elapsed())
            view.append(text)
    view.finish()
    assert view.stats.redraws == len(redraw_times(arrivals, 20))


def test_redraw_counts_follow_the_recording_clock_at_any_speed() -> None:
    counts = []
    for speed in (0, 10, 40):
        client = helpers.make_client("replay", speed=speed)
        view = StreamView(clock=helpers.stopwatch(client), widgets=True)
        stream_into(view, client, "render_side_python")
        counts.append((view.stats.redraws, view.stats.messages, view.stats.bytes))
    assert counts[0] == counts[1] == counts[2]


def test_naive_throttled_and_streaming_views_cost_less_and_less() -> None:
    costs = {}
    for label, settings in {
        "naive": {"mode": "whole", "rate": None, "budget": None},
        "throttled": {"mode": "whole", "budget": None},
        "streaming": {},
    }.items():
        client = helpers.make_client("replay", speed=0)
        view = StreamView(clock=helpers.stopwatch(client), widgets=True, **settings)
        text, _ = stream_into(view, client, "render_comments")
        assert view.html == render_markdown(text)
        costs[label] = view.stats
    with helpers.make_client("replay", speed=0) as client, client.messages.stream(**request("render_comments")) as stream:
        fragments = sum(1 for _ in stream.text_stream)
    # Every fragment that changes the HTML (a trailing space or line break may not).
    assert 0.95 * fragments < costs["naive"].redraws <= fragments
    assert costs["throttled"].redraws < costs["naive"].redraws / 1.5
    assert costs["naive"].bytes > 1.5 * costs["throttled"].bytes > 15 * costs["streaming"].bytes


def test_after_completion_shows_plain_text_then_markdown_once() -> None:
    client = helpers.make_client("replay", speed=0)
    view = StreamView(mode="after", clock=helpers.stopwatch(client), widgets=True)
    with client.messages.stream(**request("render_comments")) as stream:
        for n, text in enumerate(stream.text_stream):
            view.append(text)
            if n == 120:
                assert "<h1>" not in view.html and "# Showing user comments" in view.html
    view.finish()
    assert view.html == render_markdown(view.text)


def test_plain_mode_never_formats() -> None:
    view = StreamView(mode="plain", widgets=True, rate=None)
    for piece in ["# Not a ", "heading\n\n**plain**"]:
        view.append(piece)
    view.finish()
    assert "<h1>" not in view.html and "# Not a heading" in view.html and "**plain**" in view.html


def test_a_held_answer_shows_only_progress_until_complete() -> None:
    client = helpers.make_client("replay", speed=0)
    view = StreamView(reveal=when_complete, clock=helpers.stopwatch(client), widgets=True)
    with client.messages.stream(**request("render_ibuprofen")) as stream:
        for text in stream.text_stream:
            view.append(text)
            assert "mg" not in view.html
        assert "not shown yet" in view.status
    view.finish()
    assert view.html == render_markdown(view.text)


def test_a_paragraph_policy_shows_whole_paragraphs_only() -> None:
    view = StreamView(reveal=by_paragraph, widgets=True, rate=None)
    view.append("First paragraph.\n\nSecond, still being wri")
    assert without_caret(view.html) == "<p>First paragraph.</p>\n"


def test_a_reveal_policy_of_your_own_works_even_one_that_takes_text_back() -> None:
    """A plain function, as lesson 04's exercise writes one; this one shows less once the text passes 40 characters."""

    def whole_lines_until_forty(text: str, complete: bool) -> str:
        lines = text[: text.rfind("\n") + 1]
        return text if complete else lines if len(text) <= 40 else lines[:8]

    text = "# Title\n\nSome words\n- a list\n- of items\n\nA last paragraph.\n"
    view = StreamView(reveal=whole_lines_until_forty, widgets=True, rate=None, budget=None)
    for end in range(1, len(text) + 1):
        view.append(text[end - 1])
        assert without_caret(view.html) == render_markdown(whole_lines_until_forty(text[:end], False)), repr(text[:end])
    view.finish()
    assert view.html == render_markdown(text) and view.status.startswith("Complete")


@pytest.mark.parametrize("policy", list(POLICIES.values()))
def test_a_view_with_a_built_in_policy_never_joins_the_whole_text_while_it_streams(policy, monkeypatch: pytest.MonkeyPatch) -> None:
    client = helpers.make_client("replay", speed=0)
    view = StreamView(reveal=policy, clock=helpers.stopwatch(client), widgets=True)

    def whole_text(self: Received) -> str:
        raise AssertionError("the view joined the whole text to redraw")

    monkeypatch.setattr(Received, "text", whole_text)
    with client.messages.stream(**request("render_comments")) as stream:
        for piece in stream.text_stream:
            view.append(piece)
        final = stream.get_final_text()
    view.finish()
    monkeypatch.undo()
    assert view.text == final and view.html == render_markdown(final)


def test_an_answer_of_many_blocks_nests_its_widgets_and_ends_as_one_render() -> None:
    text = "".join(f"Paragraph {n}.\n\n" for n in range(FANOUT * 3))
    view = StreamView(widgets=True, rate=None)
    for start in range(0, len(text), 5):
        view.append(text[start : start + 5])
    view.finish()
    column = view.widget.children[2]
    assert len(column.children) == 3 and all(len(box.children) <= FANOUT for box in column.children)
    shown = [slot.value for box in column.children for slot in box.children]
    assert "".join(shown) == view.html == render_markdown(text) and len(shown) == view.slots == FANOUT * 3


# Stop ------------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_stop_keeps_the_partial_text_marks_it_cut_and_closes_the_response() -> None:
    client = helpers.make_async_client("replay", speed=0)
    view = StreamView(clock=helpers.stopwatch(client), widgets=True)
    view.press_stop_at(2.0)
    async with client.messages.stream(**request("render_comments")) as stream:
        text = await view.afeed(stream.text_stream)
    full = await _full_text("render_comments")
    assert view.cut and view.done and text == view.text
    assert full.startswith(text) and 200 < len(text) < len(full) / 2
    assert stream.response.is_closed
    assert stream.current_message_snapshot.stop_reason is None
    assert view.html == render_markdown(text) + CUT_MARK
    assert view.stop_button.layout.display == "none", "the Stop button goes once reading stops"
    await client.close()


@pytest.mark.anyio
async def test_stop_wakes_a_reader_that_waits_on_a_stalled_network() -> None:
    client = helpers.make_async_client("replay", speed=1, fault="stall@after=8,seconds=30")
    view = StreamView(clock=helpers.stopwatch(client), widgets=True)

    async def click_stop_soon() -> float:
        await asyncio.sleep(1.2)  # the recording stalls after its first few words
        assert view.stop_button.layout.display != "none"
        view.stop_button.click()
        return time.perf_counter()

    clicker = asyncio.ensure_future(click_stop_soon())
    async with client.messages.stream(**request("render_side_python")) as stream:
        await view.afeed(stream.text_stream)
    returned = time.perf_counter()
    clicked = await clicker
    assert returned - clicked < 0.5, "Stop should not wait for the stalled stream"
    assert view.cut and 0 < len(view.text) < 60
    assert stream.response.is_closed
    await client.close()


@pytest.mark.anyio
async def test_a_broken_stream_is_marked_cut_and_its_error_raised() -> None:
    client = helpers.make_async_client("replay", speed=0, fault="drop@after=40")
    view = StreamView(widgets=True)
    with pytest.raises(httpx2.RemoteProtocolError, match="peer closed connection"):
        async with client.messages.stream(**request("render_comments")) as stream:
            await view.afeed(stream.text_stream)
    assert view.cut and view.text and view.html.endswith(CUT_MARK)
    await client.close()


@pytest.mark.anyio
async def test_each_read_registers_one_click_handler_and_removes_it() -> None:
    view = StreamView(widgets=True)
    handlers = view.stop_button._click_handlers.callbacks

    async def one_piece() -> AsyncIterator[str]:
        assert len(handlers) == 1, "while reading, a click has exactly one thing to do"
        yield "text"

    for _ in range(3):
        await view.afeed(one_piece())
        assert handlers == []


@pytest.mark.anyio
async def test_a_click_after_the_last_fragment_does_not_cut_a_complete_answer() -> None:
    view = StreamView(widgets=True)

    async def whole_answer() -> AsyncIterator[str]:
        yield "The whole answer."
        # Runs at the loop's next turn: after the reader has finished, before afeed resumes.
        asyncio.get_running_loop().call_soon(view.stop_button.click)

    assert await view.afeed(whole_answer()) == "The whole answer."
    assert not view.cut and view.status.startswith("Complete")
    assert CUT_MARK not in view.html


class HandClock:
    """A recording's clock that the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def elapsed(self) -> float:
        return self.now


@pytest.mark.anyio
async def test_text_held_back_when_the_stream_stalls_is_drawn_within_the_pause() -> None:
    clock = HandClock()
    view = StreamView(mode="plain", clock=clock, widgets=True)
    seen: dict[str, str] = {}

    async def stalling() -> AsyncIterator[str]:
        for clock.now, piece in [(0.0, "one"), (0.01, " two"), (0.02, " three")]:
            yield piece
        seen["held back"] = view.html
        await asyncio.sleep(DEFAULT_MAX_PAUSE + 0.1)  # the network stalls; the clock too
        seen["after the pause"] = view.html
        clock.now = 3.0
        yield " four"

    await view.afeed(stalling())
    assert "three" not in seen["held back"], "the throttle holds back pieces within one interval"
    assert "one two three" in seen["after the pause"]
    assert "one two three four" in view.html


async def _full_text(name: str) -> str:
    async with helpers.make_async_client("replay", speed=0) as client, client.messages.stream(**request(name)) as stream:
        return await stream.get_final_text()


# Safety ----------------------------------------------------------------------------------------


def test_html_in_model_output_reaches_the_front_end_only_as_text(front_end: list) -> None:
    view = StreamView(widgets=True, rate=None)
    for start in range(0, len(UNSAFE), 7):
        view.append(UNSAFE[start : start + 7])
    view.finish()
    client = helpers.make_client("replay", speed=0)
    recorded = StreamView(clock=helpers.stopwatch(client), widgets=True)
    text, _ = stream_into(recorded, client, "render_comments")
    assert '<img src=x onerror="window.stolen = document.cookie">' in text
    sent = values_sent(front_end)
    assert len(sent) > 50
    for value in sent:
        if not value.startswith("<style>"):
            assert_inert(value)
    assert "&lt;img src=x onerror=&quot;window.stolen = document.cookie&quot;&gt;" in recorded.html


class WireOutput:
    """A display output as a kernel sends it: its HTML goes out as UTF-8, which a lone surrogate cannot be."""

    def __init__(self, sent: list[bytes], html: str) -> None:
        self.sent = sent
        self.update(type("Html", (), {"data": html})())

    def update(self, shown: Any) -> None:
        self.sent.append(shown.data.encode("utf-8"))


ODD_PIECES = [
    "# Odd \ud800 text\n\n",
    "a low \udfff alone, a pair split \ud83d",
    "\ude00 apart, a pair \ud83d\ude00 whole",
    ", NUL \x00 end",
]


def final_html(mode: str, text: str) -> str:
    return render_plain(text) if mode == "plain" else render_markdown(text)


@pytest.mark.parametrize("mode", VIEW_MODES)
@pytest.mark.parametrize("widgets", [True, False])
def test_lone_surrogates_are_replaced_where_text_enters_the_view(mode: str, widgets: bool, front_end: list, monkeypatch) -> None:
    wire: list[bytes] = []
    monkeypatch.setattr(stream_view, "display", lambda shown, display_id=False: WireOutput(wire, shown.data) if display_id else None)
    view = StreamView(mode=mode, widgets=widgets, rate=None, budget=None, title="odd \udc00 title")
    view._ipython_display_()  # what display(view) calls in a notebook
    for piece in ODD_PIECES:
        view.append(piece)
        assert "\ufffd" in view.html or mode == "after" or not view.html
    view.finish()
    assert "\ud800" not in view.text and view.text.count("\ufffd") == 4 and "\U0001f600" in view.text
    assert view.html == final_html(mode, view.text)
    assert "odd \ufffd title" in view.status
    sent = [value.encode("utf-8") for value in values_sent(front_end)] if widgets else wire  # what UTF-8 cannot carry raises
    assert len(sent) > 5


@pytest.mark.anyio
@pytest.mark.parametrize("mode", VIEW_MODES)
async def test_lone_surrogates_in_a_stream_read_by_afeed_are_replaced_too(mode: str) -> None:
    view = StreamView(mode=mode, widgets=True)

    async def odd_answer() -> AsyncIterator[str]:
        for piece in ODD_PIECES:
            yield piece

    text = await view.afeed(odd_answer())
    assert text == view.text and "\ud800" not in text and view.html == final_html(mode, text)


def test_a_lone_surrogate_in_the_last_piece_before_finish_is_replaced() -> None:
    view = StreamView(widgets=True)
    view.append("ends with \ud800")
    view.finish()
    assert view.html == "<p>ends with \ufffd</p>\n"


# Layout and arguments ---------------------------------------------------------------------------


def test_views_side_by_side_share_the_width() -> None:
    views = [StreamView(widgets=True) for _ in range(3)]
    row = side_by_side(*views)
    assert isinstance(row, ipywidgets.HBox) and len(row.children) == 3
    assert {view.widget.layout.width for view in views} == {"33%"}


def test_an_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="stream, whole, after, plain"):
        StreamView(mode="fast")


def test_a_view_without_widgets_has_no_widget() -> None:
    view = StreamView(widgets=False)
    with pytest.raises(TypeError, match="display updates"):
        _ = view.widget


@pytest.mark.parametrize(
    ("setting", "colab", "expected"),
    [("0", False, False), ("1", True, True), ("", True, False), ("auto", True, False), ("", False, True)],
)
def test_course_widgets_or_colab_decide_how_views_draw(monkeypatch, setting, colab, expected):
    import helpers.views.stream_view as stream_view

    monkeypatch.setenv("COURSE_WIDGETS", setting)
    if colab:
        monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    else:
        monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    monkeypatch.setattr(stream_view, "get_ipython", lambda: type("Shell", (), {"kernel": object()})())
    assert stream_view.widgets_supported() is expected


def test_a_bad_widget_setting_says_what_to_use(monkeypatch):
    monkeypatch.setenv("COURSE_WIDGETS", "maybe")
    with pytest.raises(ConfigError, match=r"COURSE_WIDGETS='maybe' is not usable\. Use 1"):
        StreamView()


def test_views_without_widgets_are_shown_one_below_the_other():
    views = (StreamView(widgets=False), StreamView(widgets=False))
    shown = side_by_side(*views)
    assert not isinstance(shown, ipywidgets.HBox)
    assert shown.views == views


def test_a_refusal_after_text_takes_the_text_back_and_shows_why(front_end: list) -> None:
    from helpers.views import withdrawal

    client = helpers.make_client("replay", speed=0)
    view = StreamView(clock=helpers.stopwatch(client), widgets=True)
    with client.messages.stream(**request("events_refusal_midstream")) as stream:
        decision = withdrawal.Withdrawal()
        for event in stream:
            decision = withdrawal.step(decision, event)
            if event.type == "text":
                view.append(event.text)
        shown = stream.get_final_text()
    view.finish()
    assert shown and shown[:40] in view.html  # the reader saw the start of an answer
    assert decision.withdrawn and decision.notice
    view.withdraw(decision.notice)
    assert view.slots == 1 and shown[:40] not in view.html and "⊘" in view.html
    assert view.status.startswith("⊘ Withdrawn: the") and view.text == shown
    view.append("late piece")  # nothing taken back is drawn again
    view.finish()
    assert "late piece" not in view.html and view.slots == 1


def test_a_caret_marks_the_arriving_text_and_goes_when_the_answer_is_complete_or_cut() -> None:
    view = StreamView(widgets=True, rate=None)
    view.append("Some **bo")
    assert view.html == f"<p>Some <strong>bo</strong>{CARET}</p>\n", "healed, with the caret after the text"
    redraws = view.stats.redraws
    view.finish()
    assert view.html == "<p>Some **bo</p>\n" == render_markdown(view.text)
    assert view.stats.redraws == redraws, "taking the caret away is not a redraw of the text"
    stopped = StreamView(widgets=True, rate=None)
    stopped.append("Cut in **the mid")
    stopped.finish(cut=True)
    assert stopped.html == "<p>Cut in <strong>the mid</strong></p>\n" + CUT_MARK, "a cut answer stays healed, without a caret"
