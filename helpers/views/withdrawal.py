"""What a view takes back when a streamed answer turns out not to be one: the pure decision.

Two events change what the text already on screen means:

- ``message_delta`` with ``stop_reason == "refusal"``: the model declined part-way, so the text
  streamed since the last hand-over is not an answer. ``stop_details`` (``category``,
  ``explanation``) says why, when the API knows.
- a ``fallback`` content block (server-side fallback, beta): the model named in ``from`` declined
  and the one in ``to`` writes what follows. Nothing is taken back; the view can say which model
  wrote which blocks.

``step`` folds one stream event (raw, or the SDK helper's) into a ``Withdrawal``; it reads
attributes or dict keys, so it needs no SDK, no widget and no clock.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True)
class Handover:
    """A server-side fallback: from block ``at_block`` on, ``to_model`` writes the answer."""

    at_block: int
    from_model: str
    to_model: str
    category: str | None = None


@dataclass(frozen=True)
class Withdrawal:
    """The view state: which text blocks to take back, the notice to show instead, and the hand-overs."""

    withdrawn: tuple[int, ...] = ()
    notice: str | None = None
    handovers: tuple[Handover, ...] = ()
    text_blocks: tuple[int, ...] = ()

    def served_by(self, index: int, requested_model: str) -> str:
        """Which model wrote block ``index``: the requested one until the first hand-over before it."""
        before = [h for h in self.handovers if h.at_block < index]
        return before[-1].to_model if before else requested_model


def _get(value: Any, name: str) -> Any:
    return value.get(name) if isinstance(value, dict) else getattr(value, name, None)


def refusal_notice(stop_details: Any) -> str:
    """The line a view shows where withdrawn text was: that the model declined, and why if known."""
    category, explanation = _get(stop_details, "category"), _get(stop_details, "explanation")
    reason = f" ({category})" if category else ""
    return f"The model declined to answer{reason}; the text shown so far was withdrawn." + (f" {explanation}" if explanation else "")


def step(state: Withdrawal, event: Any) -> Withdrawal:
    """The state after one more event of the stream."""
    kind = _get(event, "type")
    if kind == "content_block_start":
        block, index = _get(event, "content_block"), _get(event, "index")
        if _get(block, "type") == "text":
            return replace(state, text_blocks=(*state.text_blocks, index))
        if _get(block, "type") == "fallback":
            handover = Handover(
                index,
                _get(_get(block, "from") or _get(block, "from_"), "model"),
                _get(_get(block, "to"), "model"),
                _get(_get(block, "trigger"), "category"),
            )
            return replace(state, handovers=(*state.handovers, handover))
    if kind == "message_delta" and _get(_get(event, "delta"), "stop_reason") == "refusal":
        since = state.handovers[-1].at_block if state.handovers else -1
        taken = tuple(i for i in state.text_blocks if i > since)
        return replace(state, withdrawn=taken, notice=refusal_notice(_get(_get(event, "delta"), "stop_details")))
    return state


def fold(events: Any) -> Withdrawal:
    """``step`` over a whole stream: what a finished view should show."""
    state = Withdrawal()
    for event in events:
        state = step(state, event)
    return state
