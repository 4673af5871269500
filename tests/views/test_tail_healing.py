"""The healed open tail: no half-written markup on screen, a caret where text arrives, and nothing
else changed (frozen blocks, the final render, the text)."""

from __future__ import annotations

import random

import pytest
from test_markdown_blocks import DOCUMENTS

from helpers.views.markdown_blocks import MarkdownBlocks
from helpers.views.markdown_frames import markdown_frames
from helpers.views.raw_markup import raw_markup, visible_markup
from helpers.views.safe_markdown import render_markdown
from helpers.views.tail_healing import CARET, heal_inline, held_back_lines


@pytest.mark.parametrize(
    ("text", "healed"),
    [
        ("para **bo", "para **bo**"),
        ("**bold ", "**bold**"),  # a closer after a space would not close
        ("hello **", "hello "),  # nothing after the marker yet: hidden
        ("x\n*", "x\n"),
        ("*a **b", "*a **b***"),
        ("~~str", "~~str~~"),
        ("~~str~", "~~str~~"),  # half of the closing pair
        ("a_b _c", "a_b _c_"),  # snake_case is not emphasis; "_c" opens
        ("2 * 3", "2 * 3"),  # a star between spaces is text
        ("x **y** z", "x **y** z"),  # nothing open: unchanged
        ("use `co*de", "use `co*de`"),  # inside code, a star is text: only the code closes
        ("use ``a ` b", "use ``a ` b``"),
        ("use `", "use "),
        ("`a*` and *b", "`a*` and *b*"),
        ("**see `x", "**see `x`**"),  # closed innermost first
        ("\\*not* *yes", "\\*not* *yes*"),  # an escaped star is text
        ("see [the do", "see the do"),
        ("see [the docs]", "see the docs"),
        ("see [the docs](https://exa", "see the docs"),
        ('see [the docs](https://x "ti', "see the docs"),
        ("arr[0", "arr[0"),  # an index, not a link
        ("see ![a chart](https://x/c.pn", "see "),  # an image is dropped until it is complete
        ("Wow!", "Wow"),  # may be the start of "![": shown with the next character
        ("a path C:\\", "a path C:"),
        ("a path C:\\\\", "a path C:\\\\"),  # an escaped backslash is text
    ],
)
def test_heal_inline(text: str, healed: str) -> None:
    assert heal_inline(text) == healed


@pytest.mark.parametrize(
    ("lines", "last_block", "held"),
    [
        (["Steps:", "-"], "heading_open", 1),  # would make "Steps:" a heading for a moment
        (["Steps:", "- "], "bullet_list_open", 1),
        (["Text", "#"], "heading_open", 1),
        (["1."], "ordered_list_open", 1),
        (["Title", "=="], "heading_open", 1),
        (["> -"], "blockquote_open", 1),
        (["[label]:"], "paragraph_open", 1),
        (["| a | b |", "|--"], "paragraph_open", 2),  # the header waits for its delimiter row
        (["Intro", "| a | b |", ""], "paragraph_open", 2),
        (["| a | b |", "|---|---|", "| x"], "table_open", 0),  # a table: its rows show as they come
        (["```", "-"], "fence", 0),  # in code, markers are text
        (["- item"], "bullet_list_open", 0),
        (["Steps:", ""], "paragraph_open", 0),
        (["2 * 3"], "paragraph_open", 0),
    ],
)
def test_held_back_lines(lines: list[str], last_block: str, held: int) -> None:
    assert held_back_lines(lines, last_block) == held


def frames_of(document: str, chunks: list[int]) -> list[tuple[MarkdownBlocks, MarkdownBlocks]]:
    """A healed and an unhealed renderer fed the same pieces, after each piece."""
    healed, plain = MarkdownBlocks(), MarkdownBlocks()
    states = []
    start = 0
    for end in [*chunks, len(document)]:
        piece = document[start:end]
        start = end
        states.append((healed.extend(piece, heal=True, caret=True), plain.extend(piece)))
        assert healed.frozen == plain.frozen  # healing touches the tail only
    return states


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_every_frame_of_every_document_is_free_of_raw_markup(name: str) -> None:
    document = DOCUMENTS[name]
    final_html = render_markdown(document)
    final = visible_markup(final_html)
    frames = list(markdown_frames(document, 1))
    assert frames[-1].final and frames[-1].html == final_html
    shown = {frame.chars: raw_markup(frame.html, final) for frame in frames[:-1]}
    assert not {chars: raw for chars, raw in shown.items() if raw}, "raw markup at these character counts"
    unhealed = [frame for frame in markdown_frames(document, 1, heal=False) if not frame.final]
    assert name == "windows line endings" or any(raw_markup(frame.html, final) for frame in unhealed)  # the test could fail


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_healing_never_changes_a_frozen_block_and_the_caret_sits_only_in_the_tail(name: str) -> None:
    document = DOCUMENTS[name]
    rng = random.Random(name)
    cuts = sorted(rng.sample(range(1, len(document)), min(60, len(document) - 1)))
    for change, _ in frames_of(document, cuts)[:-1]:
        assert change.tail.count(CARET) == 1
    renderer = MarkdownBlocks()
    renderer.update(document[: len(document) // 2], heal=True, caret=True)
    final = renderer.update(document)
    assert CARET not in final.html and final.html == render_markdown(document)


def test_the_caret_follows_the_text_inside_a_paragraph_a_table_row_and_a_code_block() -> None:
    assert MarkdownBlocks().update("Some **bo", heal=True, caret=True).html == f"<p>Some <strong>bo</strong>{CARET}</p>\n"
    row = MarkdownBlocks().update("| a | b |\n|---|---|\n| `x", heal=True, caret=True).html
    assert f"<td><code>x</code>{CARET}</td>" in row
    code = MarkdownBlocks().update("```py\nx = 1", heal=True, caret=True).html
    assert code.endswith(f"x = 1\n{CARET}</code></pre>\n") or code.endswith(f"x = 1{CARET}</code></pre>\n")
    after_rule = MarkdownBlocks().update("Text\n\n***\n", heal=True, caret=True).html
    assert after_rule.endswith(f"<hr />\n<p>{CARET}</p>")


def test_a_setext_underline_or_a_lone_marker_never_flashes_a_heading_or_an_empty_item() -> None:
    for text in ("Steps:\n-", "Steps:\n--", "Title\n=", "Intro\n\n#", "- a\n- "):
        html = MarkdownBlocks().update(text, heal=True).html
        assert "<h1>" not in html and "<h2>" not in html and "<li></li>" not in html, (text, html)


def test_a_table_header_waits_for_its_delimiter_row() -> None:
    renderer = MarkdownBlocks()
    assert "|" not in renderer.update("Intro\n\n| a | b |\n|--", heal=True).html
    assert "<table>" in renderer.update("Intro\n\n| a | b |\n|---|---|\n", heal=True).html


@pytest.mark.parametrize("chunk", [1, 3, 8])
def test_frames_end_with_the_whole_render_and_refuse_an_empty_chunk(chunk: int) -> None:
    document = DOCUMENTS["headings and emphasis"]
    frames = list(markdown_frames(document, chunk))
    assert [frame.final for frame in frames].count(True) == 1 and frames[-1].html == render_markdown(document)
    assert frames[-2].chars == len(document) and all(CARET in frame.html for frame in frames[:-1])
    with pytest.raises(ValueError, match="at least 1 character"):
        list(markdown_frames(document, 0))
