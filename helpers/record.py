"""Placeholder: being written (Recorder)."""

from __future__ import annotations


class Recorder:
    def __init__(self, folder) -> None:  # type: ignore[no-untyped-def]
        raise NotImplementedError("record mode is being written")
