"""The course's SSE splitting agrees with the SDK's decoder, odd characters inside the data included."""

import json

import pytest
from anthropic._streaming import SSEDecoder

from helpers.replay import sse


@pytest.mark.parametrize("inside", ["\u2028", "\u2029", "\u0085", "\x1c", "\x0b"])
def test_a_line_separator_inside_the_data_does_not_end_the_line(inside):
    data = json.dumps({"text": f"before{inside}after"}, ensure_ascii=False)
    body = f"event: text\ndata: {data}\n\n".encode()
    (event,) = sse.parse(body).events
    assert event.data == data
    (decoded,) = list(SSEDecoder().iter_bytes(iter([body])))
    assert decoded.data == event.data and decoded.event == event.event


def test_lf_cr_and_crlf_all_end_a_line():
    body = b"event: a\rdata: 1\r\n\r\nevent: b\ndata: 2\n\n"
    assert [(e.event, e.data) for e in sse.parse(body).events] == [("a", "1"), ("b", "2")]
