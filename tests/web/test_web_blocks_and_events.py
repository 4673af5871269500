"""The pure parts of the relay: the answer as blocks, images as links, the events and the errors the page sees."""

from __future__ import annotations

import json

import anthropic
import httpx2
import pytest

import helpers
from helpers.errors import ConfigError, NoRecordingError
from helpers.replay.sse import parse
from helpers.views.markdown_blocks import render_markdown
from helpers.views.tail_healing import CARET
from helpers.web.blocks import AnswerBlocks, without_images
from helpers.web.events import PING, blocks_event, describe_error, done_event, error_event

ANSWER = """# Title

Some text with a [link](https://example.com) and ![a pixel](/pixel.png).

- one
- two

```python
print("<script>")
```

Last paragraph with <img src=x onerror="window.injected = 1">."""


def replay(events: list[tuple[int, list[str], str]]) -> list[str]:
    """What a page holds after applying each update as page.js does: splice frozen blocks from ``from``."""
    blocks: list[str] = []
    for start, frozen, _tail in events:
        blocks[start:] = frozen
    return blocks


def test_streamed_blocks_end_as_the_whole_answer_rendered_once_without_images():
    answer = AnswerBlocks()
    updates = []
    for n in range(0, len(ANSWER), 7):
        answer.add(ANSWER[n : n + 7])
        start, frozen, tail, _ = answer.update()
        updates.append((start, frozen, tail))
    assert not answer.behind
    page = "".join(replay(updates)) + updates[-1][2]
    assert page == without_images(render_markdown(ANSWER))
    assert "<img" not in page and "<script" not in page
    assert '<a href="/pixel.png" class="image-link">image: a pixel</a>' in page
    assert "&lt;img src=x onerror=" in page


def test_each_frozen_block_is_sent_once():
    answer = AnswerBlocks()
    sent = []
    for n in range(0, len(ANSWER), 5):
        answer.add(ANSWER[n : n + 5])
        sent += answer.update()[1]
    assert len(sent) == len(replay([(0, sent, "")])) == 4  # heading, paragraph, list, code; the last paragraph stays the tail


def test_a_late_link_definition_sends_the_blocks_it_changes_again():
    answer = AnswerBlocks()
    answer.add("See [the docs].\n\nMore text.\n\n")
    first = answer.update()
    answer.add("[the docs]: https://example.com\n\nEnd.")
    start, frozen, _, _ = answer.update()
    assert first[0] == 0 and start == 0, "the first paragraph must be sent again, now with its link"
    assert 'href="https://example.com"' in frozen[0]


def test_images_become_links_and_nothing_else_changes():
    html = render_markdown('![alt text](https://example.com/i.png "t") and ![](/x.png) and `<img src="y">`')
    assert without_images(html) == (
        '<p><a href="https://example.com/i.png" class="image-link">image: alt text</a> and '
        '<a href="/x.png" class="image-link">image: (no description)</a> and <code>&lt;img src=&quot;y&quot;&gt;</code></p>\n'
    )


def test_events_are_one_json_line_each_and_the_ping_is_a_comment():
    body = blocks_event(2, ["<p>a\nb</p>"], "<p>tail</p>") + PING + done_event("end_turn", {"output_tokens": 3}) + error_event("x", "y")
    parsed = parse(body).events
    assert [event.event for event in parsed] == ["blocks", "done", "error"]
    assert parsed[0].json() == {"from": 2, "frozen": ["<p>a\nb</p>"], "tail": "<p>tail</p>"}
    assert all(line.startswith((b"event: ", b"data: ", b": ping")) for line in body.split(b"\n") if line)


def status_error(status: int, body: dict) -> anthropic.APIStatusError:
    request = httpx2.Request("POST", "https://api.anthropic.com/v1/messages")
    response = httpx2.Response(status, json=body, request=request)
    return anthropic.APIStatusError(json.dumps(body), response=response, body=body)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            status_error(200, {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}),
            ("overloaded_error", "Overloaded"),
        ),
        (NoRecordingError("Closest recording: ... re-run the cell above"), ("no_recording", None)),
        (httpx2.RemoteProtocolError("peer closed connection"), ("connection_error", None)),
        (ConfigError("Replay speed 'x' is not usable."), ("ConfigError", "Replay speed 'x' is not usable.")),
        (RuntimeError("/home/secret/path.py line 3"), ("internal_error", None)),
    ],
)
def test_errors_reach_the_page_as_a_type_and_a_message_for_people(error, expected):
    kind, message = describe_error(error)
    assert kind == expected[0]
    if expected[1] is not None:
        assert message == expected[1]
    assert "secret" not in message and "cell above" not in message


def test_the_replay_message_for_an_unrecorded_prompt_says_what_to_do():
    kind, message = describe_error(NoRecordingError("x"))
    assert kind == "no_recording" and "recorded prompts" in message and "ANTHROPIC_API_KEY" in message
    assert helpers.MODEL  # the relay asks for the course's model


def test_while_arriving_the_tail_is_healed_and_the_last_update_replaces_it():
    answer = AnswerBlocks()
    answer.add("Intro.\n\nSome **bo")
    _, _, tail, _ = answer.update(heal=True, caret=True)
    assert "**" not in tail and "<strong>bo</strong>" in tail and CARET in tail
    assert answer.behind, "the page still shows the healed tail and its caret"
    _, _, tail, _ = answer.update()
    assert tail == "<p>Some **bo</p>\n" and not answer.behind


def test_an_update_prepares_only_the_blocks_it_froze_not_the_whole_answer(monkeypatch):
    import helpers.web.blocks as blocks

    prepared = []
    monkeypatch.setattr(blocks, "without_images", lambda html: prepared.append(html) or html)
    answer = AnswerBlocks()
    for n in range(500):
        answer.add(f"Paragraph {n}.\n\n")
        answer.update()
    prepared.clear()
    answer.add("One more.\n\nAnd the tail")
    start, frozen, _, _ = answer.update()
    assert start == 499 and len(frozen) == 2 and len(prepared) == 3, "the two blocks this froze and the tail, nothing older"
