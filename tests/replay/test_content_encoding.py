import gzip
import zlib

import pytest

from helpers.replay.content_encoding import can_decode, codings, decoded
from helpers.replay.recording_file import Chunk

BODY = b"event: message_start\ndata: {}\n\n" * 40


def compressed_in_pieces(data: bytes, wbits: int, pieces: int = 5) -> list[Chunk]:
    packer = zlib.compressobj(wbits=wbits)
    size = len(data) // pieces + 1
    out = [packer.compress(data[i : i + size]) + packer.flush(zlib.Z_SYNC_FLUSH) for i in range(0, len(data), size)]
    out[-1] += packer.flush()
    return [Chunk(0.1 * n, part) for n, part in enumerate(out)]


@pytest.mark.parametrize(("header", "wbits"), [("gzip", 31), ("x-gzip", 31), ("deflate", 15), ("deflate", -15), ("GZIP ", 31)])
def test_a_compressed_body_is_stored_as_the_sdk_read_it_each_piece_at_its_time(header, wbits):
    chunks = compressed_in_pieces(BODY, wbits)
    plain = decoded(chunks, header)
    assert b"".join(chunk.data for chunk in plain) == BODY
    assert len(plain) == len(chunks) and [c.at for c in plain] == [c.at for c in chunks]


def test_two_codings_are_undone_in_reverse_order():
    twice = zlib.compress(gzip.compress(BODY))
    assert b"".join(c.data for c in decoded([Chunk(0.5, twice)], "gzip, deflate")) == BODY


def test_a_body_held_back_until_the_end_arrives_at_the_last_chunk():
    whole = gzip.compress(BODY)
    (only,) = decoded([Chunk(0.0, whole[:5]), Chunk(0.7, whole[5:])], "gzip")
    assert only == Chunk(0.7, BODY)


@pytest.mark.parametrize("header", ["", "identity", "Identity"])
def test_an_uncompressed_body_is_left_as_it_is(header):
    chunks = [Chunk(0.0, b"abc")]
    assert decoded(chunks, header) is chunks and can_decode(header) and codings(header) == []


@pytest.mark.parametrize("header", ["br", "zstd", "gzip, br", "compress"])
def test_codings_the_standard_library_cannot_undo_are_named_as_such(header):
    assert not can_decode(header)


def test_a_body_that_is_not_what_its_header_says_raises():
    with pytest.raises(zlib.error):
        decoded([Chunk(0.0, b"this is not gzip at all")], "gzip")
