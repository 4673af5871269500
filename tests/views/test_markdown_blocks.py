"""Streaming Markdown: fed any way, the frozen blocks plus the tail end up exactly as one render of
the whole text, a frozen block never changes, and model output never becomes live HTML."""

from __future__ import annotations

import random
import re

import pytest

from helpers.views.markdown_blocks import (
    MARKDOWN,
    MarkdownBlocks,
    PlainParagraphs,
    WholeText,
    finished_count,
    is_safe_url,
    line_offset,
    render_markdown,
    render_plain,
    split_blocks,
)

# Each document puts a different kind of boundary where a chunk can end.
DOCUMENTS = {
    "headings and emphasis": (
        "# Title with *emphasis*\n\nA paragraph with **bold**, `code`, _under_ and ~~struck~~ words,"
        ' a [link](https://example.com "title") and an ![image](/img.png).\n\nSetext heading\n===\n\n'
        "Another one\n---\nText right after it.\n\n## Two\n### Three\nclosing line"
    ),
    "lists": (
        "Intro:\n\n1. one\n2. two\n\n3. three after a blank line\n\n- a\n  - nested *item*\n    continued\n- b\n\n"
        "* star list\n* second\n\n10. ten\n11. eleven\n\nA paragraph.\n- list interrupting it\n\n1) paren\n2) list\n"
    ),
    "tables": (
        "| name | value | note |\n|:---|---:|:---:|\n| `a` | 1 | **bold** |\n| b | 22 | *em* |\nnot a row? it is\n\n"
        "After the table.\n\n| x |\n|---|\n| y |\n\n| just | pipes |\nno delimiter row\n"
    ),
    "code fences": (
        "Code:\n\n```python\ndef f(x):\n\n    return x * 2  # *not emphasis*\n```\nafter the fence\n\n"
        "~~~\n```\nnested backticks\n```\n~~~\n\n````md\n```inner```\n````\n\n    indented code\n\n    more of it\n\n"
        "```\nnever closed\n\n# not a heading"
    ),
    "quotes and breaks": (
        "> quoted *text*\nlazy continuation\n\n> - list in a quote\n> - two\n\n***\n\n---\n\n___\n\n"
        "foo\n#x\n\nfoo\n# real heading\n\n- a\n\n--\n\n1. a\n\n2\n\n12. twelve\n\nline with two spaces  \nhard break\\\nend"
    ),
    "windows line endings": "# Title\r\n\r\n- one\r\n- two\r\n\r\n```\r\ncode\r\n```\r\n\r\nDone.\r\n",
}
FORWARD_REFERENCES = (
    "See [the docs] and [x][y] early on.\n\n## Middle\n\n[not a ref]\n\n"
    '[the docs]: https://example.com "The docs"\n[y]: /local\n\nAfter: [the docs] again.\n'
)


def stream(renderer: MarkdownBlocks, document: str, cuts: list[int]) -> str:
    for cut in cuts:
        renderer.update(document[:cut])
    return renderer.update(document).html


@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_prefix_freezes_only_what_the_whole_render_keeps(name: str) -> None:
    """Fed one character at a time, every frozen block is final: the frozen HTML is always a
    prefix of the whole render, and once frozen a block's HTML never changes."""
    document = DOCUMENTS[name]
    final = render_markdown(document)
    renderer = MarkdownBlocks()
    frozen: tuple[str, ...] = ()
    for end in range(1, len(document) + 1):
        shown = renderer.update(document[:end])
        assert shown.frozen[: len(frozen)] == frozen, f"a frozen block changed at {document[:end]!r}"
        assert final.startswith("".join(shown.frozen)), f"froze too early at {document[:end]!r}"
        frozen = shown.frozen
    assert shown.html == final
    assert len(frozen) >= 3, "the document should have finished blocks to freeze"


@pytest.mark.parametrize("name", DOCUMENTS)
def test_two_chunks_split_anywhere_end_as_one_render(name: str) -> None:
    document = DOCUMENTS[name]
    final = render_markdown(document)
    for cut in range(len(document) + 1):
        assert stream(MarkdownBlocks(), document, [cut]) == final, f"split at {cut}: {document[:cut]!r}"


@pytest.mark.parametrize("seed", range(5))
def test_random_chunkings_end_as_one_render(seed: int) -> None:
    rng = random.Random(seed)
    for document in [*DOCUMENTS.values(), FORWARD_REFERENCES]:
        cuts = sorted(rng.sample(range(len(document)), k=min(len(document) - 1, rng.randint(5, 60))))
        assert stream(MarkdownBlocks(), document, cuts) == render_markdown(document)


def test_a_link_definition_that_arrives_later_updates_the_blocks_before_it() -> None:
    renderer = MarkdownBlocks()
    early = renderer.update(FORWARD_REFERENCES[: FORWARD_REFERENCES.index("[the docs]:")])
    assert "[the docs]" in early.frozen[0] and "href" not in early.frozen[0]
    for end in range(1, len(FORWARD_REFERENCES) + 1):
        shown = renderer.update(FORWARD_REFERENCES[:end])
    assert shown.html == render_markdown(FORWARD_REFERENCES)
    assert '<a href="https://example.com" title="The docs">the docs</a>' in shown.frozen[0]


def test_only_the_open_region_is_rendered_again() -> None:
    document = DOCUMENTS["lists"] + "\n\n" + DOCUMENTS["tables"]
    renderer = MarkdownBlocks()
    shown = renderer.update(document)
    assert shown.open_chars < 60, "only the last block should be left open"
    assert len(document) - shown.open_chars == document.rindex("| just | pipes |")


def test_a_bare_number_after_a_list_keeps_the_list_open() -> None:
    blocks = split_blocks(MARKDOWN.parse("1. a\n\n2", {}))
    assert finished_count(blocks, "1. a\n\n2") == 0  # "2" may become "2. b", the list's next item
    blocks = split_blocks(MARKDOWN.parse("1. a\n\nTwo", {}))
    assert finished_count(blocks, "1. a\n\nTwo") == 1


def test_a_line_without_a_blank_line_before_it_waits_for_its_end() -> None:
    blocks = split_blocks(MARKDOWN.parse("foo\n#", {}))
    assert len(blocks) == 2 and finished_count(blocks, "foo\n#") == 0  # "#x" would join the paragraph


def test_line_offset_counts_every_kind_of_line_break() -> None:
    text = "a\nb\r\nc\rd"
    assert [line_offset(text, n) for n in range(4)] == [0, 2, 5, 7]


@pytest.mark.parametrize("name", DOCUMENTS)
def test_plain_paragraphs_end_as_one_render(name: str) -> None:
    document = DOCUMENTS[name]
    renderer = PlainParagraphs()
    for end in range(1, len(document) + 1):
        shown = renderer.update(document[:end])
    assert shown.html == render_plain(document)
    assert (
        render_plain("<b>a</b>\n\nb") == '<p style="white-space: pre-wrap">&lt;b&gt;a&lt;/b&gt;</p><p style="white-space: pre-wrap">b</p>'
    )


def test_whole_text_renders_everything_every_time() -> None:
    shown = WholeText(markdown=True).update("# a\n\nb")
    assert shown.frozen == () and shown.tail == render_markdown("# a\n\nb") and shown.open_chars == 6


# Safety ----------------------------------------------------------------------------------------

MARKDOWN_TAGS = {
    "p",
    "a",
    "img",
    "em",
    "strong",
    "code",
    "pre",
    "h1",
    "h2",
    "h3",
    "ul",
    "ol",
    "li",
    "blockquote",
    "hr",
    "br",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "s",
}
UNSAFE = (
    '<script>window.stolen = 1</script>\n\nText <img src=x onerror="window.stolen = 1"> inline.\n\n'
    '<div onclick="x()">block html</div>\n\n[click](javascript:alert(1)) [upper](JAVASCRIPT:alert(1)) '
    "[entity](&#x6A;avascript:alert(1)) [vb](vbscript:msgbox(1)) [file](file:///etc/passwd)\n\n"
    "![img](javascript:alert(1)) ![data](data:text/html;base64,PHNjcmlwdD4=) <javascript:alert(1)>\n\n"
    "[ok](https://example.com) [mail](mailto:a@b.c) [relative](/docs) [anchor](#top)\n"
)


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://example.com", True),
        ("http://x", True),
        ("mailto:a@b.c", True),
        ("/docs", True),
        ("#top", True),
        ("page.html?a=b:c", True),
        ("javascript:alert(1)", False),
        ("JavaScript:x", False),
        (" javascript:x", False),
        ("vbscript:x", False),
        ("data:image/png;base64,AA", False),
        ("file:///etc", False),
    ],
)
def test_only_web_mail_and_relative_addresses_are_safe(url: str, safe: bool) -> None:
    assert is_safe_url(url) is safe


def assert_inert(html: str) -> None:
    """Only Markdown's own tags, no event handler attributes, and every address safe."""
    assert set(re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", html)) <= MARKDOWN_TAGS, html
    assert not re.search(r"<[^>]*\son[a-z]+=", html), html
    assert all(is_safe_url(url) for url in re.findall(r'(?:href|src)="([^"]*)"', html)), html


def test_model_html_comes_out_as_text_and_unsafe_links_as_plain_text() -> None:
    html = render_markdown(UNSAFE)
    assert_inert(html)
    assert "&lt;script&gt;window.stolen = 1&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=&quot;window.stolen = 1&quot;&gt;" in html
    assert '<a href="https://example.com">ok</a>' in html and '<a href="mailto:a@b.c">mail</a>' in html
    assert '<a href="/docs">relative</a>' in html
