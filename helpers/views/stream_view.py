"""A live view of a streamed answer in a notebook, fed one text fragment at a time.

``StreamView`` is the shell around three pure parts: a renderer from ``views.markdown_blocks``
(finished blocks frozen, only the open tail redrawn), a ``throttle`` (at most ``rate`` redraws
a second, the final state always drawn) and a ``reveal`` policy (how much of the text so far to
show). It draws into ipywidgets: one HTML widget per frozen block, the last one for the tail.
Front ends without widget support get the same slots as ``display(..., display_id=True)``
outputs updated in place. Every redraw counts what it sends, so a lesson can show the cost.

A redraw costs what changed, not the length of the text: the text is kept as it arrived
(``received``), a built-in reveal policy reads only the newest text, the renderer parses only
the open region, the surface touches only the slots that changed, and the widgets sit in nested
boxes (``widget_column``). Text enters through ``clean``: a lone surrogate cannot reach the front end.
"""

from __future__ import annotations

import asyncio
import html
import sys
import time
from abc import ABC, abstractmethod
from collections.abc import AsyncIterable, Callable, Mapping
from dataclasses import dataclass
from typing import Literal, Protocol

import ipywidgets as ipw
from IPython import get_ipython
from IPython.display import HTML, DisplayHandle, display

from helpers import config
from helpers.views.markdown_blocks import IncrementalRenderer, MarkdownBlocks, PlainParagraphs, WholeText
from helpers.views.received import Received, clean
from helpers.views.reveal import Reveal, Revealed, by_token
from helpers.views.throttle import DEFAULT_BUDGET, DEFAULT_RATE, Throttle
from helpers.views.widget_column import WidgetColumn

Mode = Literal["stream", "whole", "after", "plain"]
VIEW_MODES: dict[str, str] = {
    "stream": "streaming Markdown: finished blocks frozen, only the open block redrawn",
    "whole": "Markdown, the whole text rendered again on every redraw",
    "after": "plain text while streaming, Markdown once the answer is complete",
    "plain": "plain text",
}
WITHDRAWN = '<p style="color: #9f1239"><em>⊘ {notice}</em></p>'
CUT_MARK = '<p style="color: #b45309"><em>✂ Stopped here: the rest of the answer was never read.</em></p>'
_STYLE = """<style>
.course-stream .widget-html > .widget-html-content,
.course-stream .jupyter-widget-html > .jupyter-widget-html-content { line-height: 1.45; }
.course-stream-blocks .jupyter-widget-html { margin-top: 0; margin-bottom: 0; }
.course-stream-blocks p, .course-stream-blocks ul, .course-stream-blocks ol { margin: 0.5em 0; }
.course-stream table { border-collapse: collapse; margin: 0.5em 0; }
.course-stream th, .course-stream td { border: 1px solid #bbb; padding: 2px 8px; }
.course-stream pre { background: #f4f4f4; padding: 6px 8px; overflow-x: auto; }
.course-caret { color: #6b7280; animation: course-caret 1s steps(1) infinite; }
@keyframes course-caret { 50% { opacity: 0; } }
</style>"""


class Clock(Protocol):
    """Anything with ``elapsed()``, e.g. ``helpers.stopwatch(client)``: the recording's clock under replay."""

    def elapsed(self) -> float: ...


@dataclass
class ViewStats:
    """What a view cost: redraws, messages and bytes of HTML sent to the front end, and CPU spent rendering.

    ``redraws`` counts the times the text was drawn again. ``messages`` counts everything that
    carries or changes what the view shows: new slot widgets or outputs, value updates (the
    status line's too), changes to the list of slots, the Stop button appearing or going.
    ``bytes`` is the HTML those messages carry (UTF-8). ``render_seconds`` (process time
    turning text into HTML) is for benchmarks: unlike the counts, it differs from run to run.
    """

    redraws: int = 0
    messages: int = 0
    bytes: int = 0
    render_seconds: float = 0.0

    def sent(self, html_text: str = "") -> None:
        """One message went out, carrying ``html_text``."""
        self.messages += 1
        self.bytes += len(html_text) if html_text.isascii() else len(html_text.encode("utf-8"))


def widgets_supported() -> bool:
    """Whether views draw with widgets: ``COURSE_WIDGETS`` decides, else any kernel but Colab's.

    Widgets need a kernel behind a front end that draws them. A terminal IPython has no kernel,
    and Colab's widget support depends on its version, so both get display updates instead.
    """
    chosen = config.resolve_widgets()
    if chosen is not None:
        return chosen
    if "google.colab" in sys.modules:
        return False
    shell = get_ipython()
    return shell is None or getattr(shell, "kernel", None) is not None


class Surface(ABC):
    """Where a view draws: a status line and a column of HTML slots (one per frozen block, then the tail).

    It remembers what each slot holds and sends only the slots that changed; subclasses say how
    a slot is added, changed or dropped.
    """

    def __init__(self, stats: ViewStats) -> None:
        self.stats = stats
        self.values: list[str] = []
        self.status_value = ""

    def update(self, slots: Mapping[int, str], count: int) -> None:
        """Make slot ``i`` read ``slots[i]`` (a slot just past the end is added), then keep ``count`` slots.

        Only the slots given are compared, and only those that differ are sent: a redraw costs
        what changed, however many slots the view holds.
        """
        for index in sorted(slots):
            value = slots[index]
            if index == len(self.values):
                self._add(value)
                self.values.append(value)
            elif self.values[index] != value:
                self._set(index, value)
                self.values[index] = value
            else:
                continue
            self.stats.sent(value)
        if count < len(self.values):
            self._drop(count)
            del self.values[count:]

    def set_status(self, value: str) -> None:
        """Change the status line, if it says something new."""
        if value != self.status_value:
            self._set_status(value)
            self.status_value = value
            self.stats.sent(value)

    @property
    def html(self) -> str:
        """The HTML the slots hold, joined: what the front end shows."""
        return "".join(self.values)

    @abstractmethod
    def _add(self, value: str) -> None: ...

    @abstractmethod
    def _set(self, index: int, value: str) -> None: ...

    @abstractmethod
    def _drop(self, keep: int) -> None: ...

    @abstractmethod
    def _set_status(self, value: str) -> None: ...


def _shared_style() -> dict[str, object]:
    """One style widget for every slot (ipywidgets 8); ipywidgets 7, Colab's for years, gives each its own."""
    try:
        from ipywidgets.widgets.widget_string import HTMLStyle
    except ImportError:
        return {}
    return {"style": HTMLStyle()}


class WidgetSurface(Surface):
    """A status line and Stop button over a column of HTML widgets, one per slot."""

    def __init__(self, stats: ViewStats) -> None:
        super().__init__(stats)
        self.status = ipw.HTML()
        self.stop_button = ipw.Button(description="Stop", icon="stop", button_style="warning", layout=ipw.Layout(display="none"))
        self.blocks = ipw.VBox()
        self._slot_layout = ipw.Layout()  # shared by every slot, so a new block is one widget, not three
        self._slot_options = _shared_style()
        self._box_layout: ipw.Layout | None = None
        self._column = WidgetColumn(self.blocks, self._new_box, stats.sent)
        self.root = ipw.VBox([ipw.HTML(_STYLE), ipw.HBox([self.status, self.stop_button]), self.blocks])
        self.root.add_class("course-stream")
        self.status.add_class("course-stream-status")
        self.blocks.add_class("course-stream-blocks")
        self._on_click: Callable[[ipw.Button], None] = lambda _: None
        stats.sent(_STYLE)

    def _new_box(self, children: list[ipw.Widget]) -> ipw.VBox:
        """A box nested in the column (past ``FANOUT`` blocks); it lets the column scroll instead of scrolling itself."""
        if self._box_layout is None:
            self._box_layout = ipw.Layout(overflow="visible")
        return ipw.VBox(children, layout=self._box_layout)

    def _add(self, value: str) -> None:
        self._column.append(ipw.HTML(value, layout=self._slot_layout, **self._slot_options))

    def _set(self, index: int, value: str) -> None:
        self._column.items[index].value = value

    def _drop(self, keep: int) -> None:
        self._column.truncate(keep)

    def _set_status(self, value: str) -> None:
        self.status.value = value

    def offer_stop(self, on_stop: Callable[[], None]) -> None:
        """Show the Stop button; a click calls ``on_stop``."""
        self._on_click = lambda _: on_stop()
        self.stop_button.on_click(self._on_click)
        self.stop_button.layout.display = None
        self.stats.sent()

    def withdraw_stop(self) -> None:
        """Hide the Stop button once nothing is being read, and forget what a click did."""
        self.stop_button.layout.display = "none"
        self.stop_button.on_click(self._on_click, remove=True)
        self.stats.sent()


class DisplaySurface(Surface):
    """No widgets: a status output and one output per slot, each updated in place by its display id."""

    def __init__(self, stats: ViewStats) -> None:
        super().__init__(stats)
        self._status: DisplayHandle = display(HTML(""), display_id=True)
        self._handles: list[DisplayHandle] = []

    def _add(self, value: str) -> None:
        self._handles.append(display(HTML(value), display_id=True))

    def _set(self, index: int, value: str) -> None:
        self._handles[index].update(HTML(value))

    def _drop(self, keep: int) -> None:
        for handle in self._handles[keep:]:  # an output cannot be removed: empty it
            handle.update(HTML(""))
            self.stats.sent()
        del self._handles[keep:]

    def _set_status(self, value: str) -> None:
        self._status.update(HTML(value))


def _renderer(mode: Mode, complete: bool) -> IncrementalRenderer:
    if mode == "stream":
        return MarkdownBlocks()
    if mode == "whole" or (mode == "after" and complete):
        return WholeText(markdown=True)
    return PlainParagraphs()


class StreamView:
    """A live view of a streamed answer: feed it text fragments, it redraws at most ``rate`` times a second.

    ``mode`` is one of ``VIEW_MODES``; ``rate=None`` redraws on every fragment (the naive way), and
    ``budget`` caps what redraws draw again (``helpers.views.throttle``; ``None``: no cap).
    ``reveal`` decides how much of the text so far is shown (``helpers.views.reveal``). ``clock``
    (``helpers.stopwatch(client)``) times the throttle on the recording's clock under replay, so
    redraw counts are the same at any speed. ``widgets=None`` lets ``COURSE_WIDGETS`` decide, else
    uses ipywidgets in any kernel but Colab's; ``widgets=False`` forces display updates.
    """

    def __init__(
        self,
        *,
        mode: Mode = "stream",
        rate: float | None = DEFAULT_RATE,
        budget: float | None = DEFAULT_BUDGET,
        reveal: Reveal = by_token,
        clock: Clock | None = None,
        widgets: bool | None = None,
        title: str = "",
    ) -> None:
        if mode not in VIEW_MODES:
            raise ValueError(f"Unknown mode {mode!r}; use one of: {', '.join(VIEW_MODES)}.")
        self.mode: Mode = mode
        self.title = clean(title)
        self.stats = ViewStats()
        self.done = False
        self.cut = False
        self.withdrawn: str | None = None  # the notice shown instead of text taken back (a refusal)
        self._throttle = Throttle(rate, budget)
        self._clock = clock
        self._renderer = _renderer(mode, complete=False)
        self._received = Received()
        self._revealed = Revealed(reveal, self._received)
        self._start_over = False  # the renderer changed: draw everything shown with the new one
        self._reader: asyncio.Future[None] | None = None
        self._stop_requested = False
        self._stop_at: float | None = None
        self._loop: asyncio.AbstractEventLoop | None = None  # set while ``afeed`` reads: it can run a timer
        self._flush: asyncio.TimerHandle | None = None  # draws held-back text if no fragment does
        use_widgets = widgets_supported() if widgets is None else widgets
        # Display outputs can only be made once the view is displayed; widgets exist from the start.
        self._surface: Surface | None = WidgetSurface(self.stats) if use_widgets else None

    def append(self, fragment: str) -> None:
        """Take the next fragment of text; redraw if the throttle allows.

        Text the throttle holds back is drawn by the next fragment that finds a redraw due, or by
        ``finish``. Under ``afeed`` a timer also draws it within ``Throttle.wait()`` seconds if the
        stream stalls. A blocking ``for`` loop that calls ``append`` leaves the kernel no time to
        run a timer: while its stream stalls, held-back text waits for the next fragment or ``finish``.
        """
        self._received.append(clean(fragment))
        now = self._now()
        if self._throttle.due(now, self._received.length):
            self._draw_held_back()
        elif self._loop is not None and self._flush is None:
            self._flush = self._loop.call_later(self._throttle.wait(), self._draw_held_back)
        if self._stop_at is not None and now >= self._stop_at:
            self._stop_at = None
            self.stop()

    def finish(self, cut: bool = False) -> None:
        """The stream has ended (``cut``: it was stopped early): draw the final state now."""
        self.done, self.cut = True, cut
        self._cancel_flush()
        self._start_over = self.mode == "after"  # Markdown, now that the answer is complete
        self._redraw(force=True)

    def withdraw(self, notice: str) -> None:
        """Take back everything shown and show ``notice`` instead: the answer turned out not to be one.

        A refusal can arrive after text was streamed (``stop_reason == "refusal"``, see
        ``helpers.views.withdrawal``); that text must not stay on screen as if it were an answer.
        ``text`` still holds what was received, for a log.
        """
        self.done, self.withdrawn = True, notice
        self._cancel_flush()
        if self._surface is not None:
            self._surface.update({0: WITHDRAWN.format(notice=html.escape(notice))}, 1)
            self._surface.set_status(self._status())

    async def afeed(self, fragments: AsyncIterable[str]) -> str:
        """Show an async stream's fragments as they arrive, with a Stop button on a widget view; returns the text.

        Stop cancels the reading; the caller's ``async with`` then closes the HTTP response, and
        the text received so far stays on screen, marked as cut. A stream that fails is marked
        as cut too, and its error raised.
        """
        self._reader = asyncio.ensure_future(self._read(fragments))
        self._loop = asyncio.get_running_loop()
        if isinstance(self._surface, WidgetSurface):
            self._surface.offer_stop(self.stop)
        try:
            await self._reader
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if not self._stop_requested or (current is not None and current.cancelling()):
                raise  # cancelled from outside (an interrupted cell), not by Stop
        except Exception:
            self.finish(cut=True)
            raise
        finally:
            self._loop = None
            self._cancel_flush()
            if isinstance(self._surface, WidgetSurface):
                self._surface.withdraw_stop()
        self.finish(cut=self._stop_requested)
        return self.text

    def stop(self) -> None:
        """What the Stop button does: stop reading now and keep what has arrived (nothing, once reading is over)."""
        if self._reader is None or self._reader.done():
            return  # a click that arrives after the last fragment does not cut a complete answer
        self._stop_requested = True
        self._reader.cancel()  # wakes a reader that is waiting for the network

    def press_stop_at(self, seconds: float) -> None:
        """Press Stop by itself once the clock reads ``seconds`` (with ``afeed``): a stand-in for a reader's click."""
        self._stop_at = seconds

    @property
    def text(self) -> str:
        """Everything received so far, shown or not (lone surrogates replaced by U+FFFD)."""
        return self._received.text()

    @property
    def html(self) -> str:
        """The HTML the view's slots hold now: after a complete stream, ``render_markdown(text)``."""
        return self._surface.html if self._surface is not None else ""

    @property
    def slots(self) -> int:
        """How many HTML slots (widgets, or display outputs) hold the text: one per frozen block, plus the tail."""
        return len(self._surface.values) if self._surface is not None else 0

    @property
    def status(self) -> str:
        """The status line: streaming, waiting to be shown, complete, or cut."""
        return self._surface.status_value if self._surface is not None else ""

    @property
    def widget(self) -> ipw.VBox:
        """The view as one widget, to place it in a layout (e.g. ``side_by_side``)."""
        if not isinstance(self._surface, WidgetSurface):
            raise TypeError("This view draws with display updates, not widgets (widgets=False, COURSE_WIDGETS=0, or Colab).")
        return self._surface.root

    @property
    def stop_button(self) -> ipw.Button:
        """The Stop button (shown while ``afeed`` reads)."""
        if not isinstance(self._surface, WidgetSurface):
            raise TypeError(
                "Only a widget view has a Stop button; this one draws with display updates (widgets=False, COURSE_WIDGETS=0, or Colab)."
            )
        return self._surface.stop_button

    def _ipython_display_(self) -> None:
        if self._surface is None:
            self._surface = DisplaySurface(self.stats)
        elif isinstance(self._surface, WidgetSurface):
            display(self._surface.root)
        self._redraw()

    async def _read(self, fragments: AsyncIterable[str]) -> None:
        async for fragment in fragments:
            if self._stop_requested:  # Stop was pressed while nothing had to wait (replay at speed 0)
                break
            self.append(fragment)

    def _now(self) -> float:
        return self._clock.elapsed() if self._clock is not None else time.perf_counter()

    def _draw_held_back(self) -> None:
        """Redraw now, and tell the throttle; a pending timer has nothing left to do."""
        self._cancel_flush()
        self._throttle.redrawn(self._now(), self._redraw())

    def _cancel_flush(self) -> None:
        if self._flush is not None:
            self._flush.cancel()
            self._flush = None

    def _redraw(self, force: bool = False) -> int | None:
        """Draw what the reveal policy lets through; the open block's size if the text was drawn.

        ``force`` draws the text even if it has not changed (the end of a stream changes how).
        """
        if self._surface is None:
            return None
        if self.withdrawn is not None:  # nothing taken back is ever drawn again
            self._surface.update({0: WITHDRAWN.format(notice=html.escape(self.withdrawn))}, 1)
            self._surface.set_status(self._status())
            return None
        fresh, again = self._revealed.advance(complete=self.done and not self.cut)
        open_chars = None
        if fresh or again or force:
            before = self.stats.messages
            started = time.process_time()
            redrawn = bool(fresh) or again or self._start_over or self.cut  # else only the caret goes: not a redraw
            if again or self._start_over:
                self._renderer, self._start_over = _renderer(self.mode, complete=self.done), False
                fresh = self._revealed.text()
            arriving = not self.done
            change = self._renderer.extend(fresh, heal=arriving or self.cut, caret=arriving)
            self.stats.render_seconds += time.process_time() - started
            slots = {**change.blocks, change.frozen: change.tail}  # the frozen blocks, the tail, then the cut mark
            if self.cut:
                slots[change.frozen + 1] = CUT_MARK
            self._surface.update(slots, change.frozen + (2 if self.cut else 1))
            open_chars = change.open_chars
            if redrawn and self.stats.messages > before:
                self.stats.redraws += 1
        self._surface.set_status(self._status())
        return open_chars

    def _status(self) -> str:
        """What the stream is doing: "Streaming…" while it is open, even if the throttle still holds a piece back."""
        title = f"<b>{html.escape(self.title)}</b> · " if self.title else ""
        received = self._received.length
        if self.withdrawn is not None:
            return f"{title}⊘ Withdrawn: the {received:,} characters shown were not an answer."
        if self.cut:
            return f"{title}✂ Stopped after {received:,} characters: this answer is cut short."
        if self.done:
            return f"{title}Complete: {received:,} characters."
        if not received:
            return f"{title}Waiting for the answer…"
        hidden = received - self._revealed.shown
        return f"{title}⏳ Receiving… {hidden:,} characters not shown yet." if hidden else f"{title}Streaming…"


class _OneAfterAnother:
    """Views without widgets cannot share a row: they are displayed one below the other."""

    def __init__(self, views: tuple[StreamView, ...]) -> None:
        self.views = views

    def _ipython_display_(self) -> None:
        for view in self.views:
            display(view)


def side_by_side(*views: StreamView) -> ipw.HBox | _OneAfterAnother:
    """Several views in one row, each an equal share of the width (one below the other without widgets)."""
    if not all(isinstance(view._surface, WidgetSurface) for view in views):
        return _OneAfterAnother(views)
    for view in views:
        view.widget.layout.width = f"{100 / len(views):.0f}%"
    return ipw.HBox([view.widget for view in views])
