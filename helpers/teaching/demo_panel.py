"""A small panel an instructor shows above any lesson: steer replayed streams while talking over them.

Speed from a quarter to four times, pause and resume, break the next event on cue (a dropped
connection, an error event, a stall), which mode the lesson runs in, whether the live key works,
and a mark each time a live call was answered from a recording. It only moves the process-wide
``helpers.replay.demo_controls.CONTROLS``; the lesson's own code stays plain SDK code.
"""

from __future__ import annotations

import html
import os

import anthropic
import ipywidgets as ipw

from helpers.client import status_line
from helpers.replay.demo_controls import BREAKS, CONTROLS, SPEEDS, DemoControls

KEY_CHECK_TIMEOUT_S = 5.0
_BUTTON_WORDS = {"drop": "Drop the connection", "error": "Send an error event", "stall": "Stall 8 s"}


def check_key(base_url: str | None = None) -> str:
    """One line on whether live calls would work now: no key, a key the API accepts, refuses, or cannot be reached.

    The key itself is never part of the line.
    """
    if not os.environ.get("ANTHROPIC_API_KEY", "").strip():
        return "No ANTHROPIC_API_KEY: the lessons replay their recordings."
    try:
        with anthropic.Anthropic(base_url=base_url, timeout=KEY_CHECK_TIMEOUT_S, max_retries=0) as client:
            client.models.list(limit=1)
    except (anthropic.AuthenticationError, anthropic.PermissionDeniedError) as err:
        return f"The API refuses this key (HTTP {err.status_code}): live calls will be answered from the recordings."
    except anthropic.APIConnectionError as err:
        return f"The API cannot be reached ({type(err).__name__}): live calls will be answered from the recordings."
    except anthropic.APIStatusError as err:
        return f"The API answered HTTP {err.status_code}: live calls may fail; the recordings stand by."
    return "The key works: live calls go to the API."


def recordings_line(controls: DemoControls) -> str:
    """How many live calls the recordings answered, and the latest, as the panel shows it."""
    used = controls.from_recordings
    if not used:
        return "Every answer so far came from where the mode says."
    return f"⚠ {len(used)} live call(s) answered from a recording, the latest by <code>{html.escape(used[-1])}</code>."


class DemoPanel:
    """The instructor's panel; ``client`` (from ``make_client``) tells it which mode to show."""

    def __init__(self, client: anthropic.Anthropic | anthropic.AsyncAnthropic | None = None, controls: DemoControls = CONTROLS) -> None:
        self.controls = controls
        self.mode = ipw.HTML(html.escape(status_line(client)) if client is not None else "")
        self.speed = ipw.ToggleButtons(options=[(f"{s:g}x", s) for s in SPEEDS], value=controls.speed, description="Speed")
        self.pause = ipw.ToggleButton(value=controls.paused, description="Pause", icon="pause")
        self.breaks = {
            kind: ipw.Button(description=_BUTTON_WORDS[kind], tooltip=f"break the next event: {words}") for kind, words in BREAKS.items()
        }
        self.armed = ipw.HTML()
        self.key = ipw.HTML()
        self.key_button = ipw.Button(description="Check the live key", icon="key")
        self.recordings = ipw.HTML()
        self.speed.observe(lambda change: controls.set_speed(change["new"]), names="value")
        self.pause.observe(lambda change: controls.pause(change["new"]), names="value")
        for kind, button in self.breaks.items():
            button.on_click(lambda _, kind=kind: controls.arm(kind))
        self.key_button.on_click(lambda _: self._check_key())
        controls.listeners.append(self.refresh)
        self.widget = ipw.VBox(
            [
                self.mode,
                ipw.HBox([self.speed, self.pause]),
                ipw.HBox([*self.breaks.values(), self.armed]),
                ipw.HBox([self.key_button, self.key]),
                self.recordings,
            ]
        )
        self.widget.add_class("course-demo-panel")
        self.refresh()

    def refresh(self) -> None:
        """Show the controls as they are now (called after every change)."""
        armed = self.controls.armed
        self.armed.value = f"<b>Armed:</b> {html.escape(BREAKS[armed])} at the next event" if armed else "Nothing armed."
        self.pause.description = "Resume" if self.controls.paused else "Pause"
        self.pause.icon = "play" if self.controls.paused else "pause"
        self.recordings.value = recordings_line(self.controls)

    def _check_key(self) -> None:
        self.key.value = "Checking…"
        self.key.value = html.escape(check_key())

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
