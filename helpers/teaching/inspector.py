"""The stream inspector: move through a recorded stream one event at a time.

At each moment it shows the raw event on the wire, the SDK's ``current_message_snapshot`` after
it, what a reader of the answer sees, and a timeline with a cursor. A slider and a Play button
move it; without widgets (Colab, a terminal) it shows a few moments as static frames instead.
The frames come from ``stream_frames``, which reads the recording with the real SDK.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import ipywidgets as ipw
from IPython.display import HTML, display

from helpers.teaching.stream_frames import Frame, describe, frames_of, recording_for
from helpers.views.markdown_blocks import render_markdown
from helpers.views.stream_view import widgets_supported

COLOURS = {
    "message_start": "#1f77b4",
    "content_block_start": "#2ca02c",
    "content_block_delta": "#9ca3af",
    "content_block_stop": "#2ca02c",
    "message_delta": "#d62728",
    "message_stop": "#1f77b4",
    "ping": "#e5a50a",
    "error": "#b91c1c",
}
_PANE = "max-height: 18em; overflow: auto; margin: 0; padding: 6px; background: #f6f6f6; font-size: 12px; white-space: pre-wrap"


def timeline_svg(frames: Sequence[Frame], cursor: int, width: int = 640, height: int = 34) -> str:
    """Every event as a tick at its arrival time, coloured by type, and a cursor at event ``cursor``."""
    end = max(frames[-1].at, 1e-9)
    ticks = "".join(
        f'<line x1="{x:.1f}" x2="{x:.1f}" y1="8" y2="{height - 8}" stroke="{COLOURS.get(f.event, "#555")}" stroke-width="1.5"/>'
        for f in frames
        for x in [4 + (width - 8) * f.at / end]
    )
    at = 4 + (width - 8) * frames[cursor].at / end
    mark = f'<line x1="{at:.1f}" x2="{at:.1f}" y1="0" y2="{height}" stroke="black" stroke-width="2.5"/>'
    return f'<svg viewBox="0 0 {width} {height}" width="100%" height="{height}" role="img" aria-label="timeline">{ticks}{mark}</svg>'


def heading(frames: Sequence[Frame], index: int) -> str:
    """Which event this is, when it arrived and what it is."""
    frame = frames[index]
    return f"<b>Event {index + 1} of {len(frames)}</b> · {frame.at:.3f} s after the request · <code>{html.escape(frame.event)}</code>"


def _pre(text: str) -> str:
    return f'<pre style="{_PANE}">{html.escape(text)}</pre>'


def reader_html(frame: Frame) -> str:
    """What a reader sees at this moment: the text so far, rendered safely (or a note while there is none)."""
    body = render_markdown(frame.text) if frame.text else "<p><em>nothing to read yet</em></p>"
    return f'<div style="border: 1px solid #ccc; padding: 4px 8px; max-height: 18em; overflow: auto">{body}</div>'


def static_frames(frames: Sequence[Frame], picks: Sequence[int]) -> str:
    """A few moments side by side in one HTML block, for front ends without widgets."""
    parts = [
        f"<div style='margin: 0.6em 0'>{heading(frames, i)}{timeline_svg(frames, i)}"
        f"<table style='width: 100%; table-layout: fixed'><tr><th>on the wire</th><th>the SDK's snapshot</th><th>the reader sees</th></tr>"
        f"<tr style='vertical-align: top'><td>{_pre(frames[i].wire)}</td><td>{_pre(frames[i].snapshot_json)}</td>"
        f"<td>{reader_html(frames[i])}</td></tr></table></div>"
        for i in picks
    ]
    return "".join(parts)


def telling_moments(frames: Sequence[Frame]) -> list[int]:
    """The moments that tell the story without widgets: the start, the first delta, the middle, the end."""
    first_delta = next((i for i, f in enumerate(frames) if f.event == "content_block_delta"), 0)
    return sorted({0, first_delta, (first_delta + len(frames) - 1) // 2, len(frames) - 1})


class Inspector:
    """Step through a recorded stream (a recording's name or path, imported captures included)."""

    def __init__(self, recording: str | Path, *, widgets: bool | None = None) -> None:
        self.frames = frames_of(recording)
        self.position = 0
        self._widgets = widgets_supported() if widgets is None else widgets
        # Counted from 1, as the heading counts events.
        self.slider = ipw.IntSlider(value=1, min=1, max=len(self.frames), description="event", continuous_update=True)
        self.play = ipw.Play(value=1, min=1, max=len(self.frames), interval=250, description="Play")
        ipw.jslink((self.play, "value"), (self.slider, "value"))
        self.heading, self.timeline = ipw.HTML(), ipw.HTML()
        self.wire, self.snapshot, self.reader = ipw.HTML(), ipw.HTML(), ipw.HTML()
        self.slider.observe(lambda change: self.show(change["new"] - 1), names="value")
        self.widget = self._layout()
        self.show(0)

    @classmethod
    def of_request(cls, request: dict[str, Any], *, widgets: bool | None = None) -> Inspector:
        """The inspector on the recording that answers ``request``: the stream a lesson cell just received."""
        path = recording_for(request).path
        assert path is not None  # the library reads recordings from files
        return cls(path, widgets=widgets)

    def moment(self, number: int) -> str:
        """Event ``number`` (counted from 1, like the slider) as plain text, to check what the slider showed."""
        return describe(self.frames, number)

    def show(self, index: int) -> None:
        """Move to event ``index``: every pane shows that moment."""
        self.position = max(0, min(index, len(self.frames) - 1))
        frame = self.frames[self.position]
        self.heading.value = heading(self.frames, self.position)
        self.timeline.value = timeline_svg(self.frames, self.position)
        self.wire.value = _pre(frame.wire)
        self.snapshot.value = _pre(frame.snapshot_json)
        self.reader.value = reader_html(frame)
        if self.slider.value != self.position + 1:
            self.slider.value = self.position + 1

    def _layout(self) -> ipw.VBox:
        """The inspector as one widget: controls, timeline, then the three panes."""
        columns = [
            ipw.VBox([ipw.HTML("<b>On the wire</b>"), self.wire], layout=ipw.Layout(width="33%")),
            ipw.VBox([ipw.HTML("<b>The SDK's <code>current_message_snapshot</code></b>"), self.snapshot], layout=ipw.Layout(width="34%")),
            ipw.VBox([ipw.HTML("<b>The reader sees</b>"), self.reader], layout=ipw.Layout(width="33%")),
        ]
        box = ipw.VBox([ipw.HBox([self.play, self.slider]), self.heading, self.timeline, ipw.HBox(columns)])
        box.add_class("course-inspector")
        return box

    def _ipython_display_(self) -> None:
        if self._widgets:
            display(self.widget)
        else:
            display(HTML(static_frames(self.frames, telling_moments(self.frames))))
