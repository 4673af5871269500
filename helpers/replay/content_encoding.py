"""A recording holds a response body as the SDK read it: decoded, whatever the server compressed.

Record mode asks for ``identity``, but a proxy or gateway may compress anyway. Stored as it came,
a gzip body is bytes no one can read: replay serves them without their ``content-encoding``
header (it describes the wire, not the recording), and ``check`` cannot scan them for secrets.
So each chunk is decoded as it is stored, keeping the time it arrived.
"""

from __future__ import annotations

import zlib

from helpers.replay.recording_file import Chunk

_IDENTITY = frozenset({"", "identity"})
_WINDOW_BITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}


def codings(header: str) -> list[str]:
    """The codings a ``content-encoding`` header names, in the order the server applied them."""
    return [part.strip().lower() for part in header.split(",") if part.strip().lower() not in _IDENTITY]


def can_decode(header: str) -> bool:
    """Whether the recorder can store a body sent with this ``content-encoding`` decoded (gzip and deflate)."""
    return all(coding in _WINDOW_BITS for coding in codings(header))


class _Layer:
    """One coding undone incrementally; ``deflate`` also as servers often send it, without its zlib wrapper."""

    def __init__(self, coding: str) -> None:
        self._raw_deflate_possible = coding == "deflate"
        self._inner = zlib.decompressobj(_WINDOW_BITS[coding])

    def decode(self, data: bytes) -> bytes:
        if self._raw_deflate_possible and data:
            self._raw_deflate_possible = False
            try:
                return self._inner.decompress(data)
            except zlib.error:
                self._inner = zlib.decompressobj(-zlib.MAX_WBITS)
        return self._inner.decompress(data)

    def flush(self) -> bytes:
        return self._inner.flush()


def decoded(chunks: list[Chunk], header: str) -> list[Chunk]:
    """The chunks as the SDK read them, each decoded at its own arrival time; what the decoder held back goes last.

    Raises ``zlib.error`` for a body that is not what its header says.
    """
    layers = [_Layer(coding) for coding in reversed(codings(header))]
    if not layers:
        return chunks
    out: list[Chunk] = []
    for chunk in chunks:
        data = chunk.data
        for layer in layers:
            data = layer.decode(data)
        if data:
            out.append(Chunk(chunk.at, data))
    rest = b""
    for layer in layers:
        rest = layer.decode(rest) + layer.flush()
    if rest:
        out.append(Chunk(chunks[-1].at if chunks else 0.0, rest))
    return out
