"""Streaming Markdown: fed any way, the frozen blocks plus the tail end up exactly as one render of
the whole text, a frozen block never changes, and model output never becomes live HTML."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator

import pytest
from markdown_it.rules_block.table import MAX_AUTOCOMPLETED_CELLS

from helpers.views import markdown_blocks
from helpers.views.markdown_blocks import (
    MarkdownBlocks,
    PlainParagraphs,
    WholeText,
    finished_count,
    line_offset,
    render_plain,
    split_blocks,
)
from helpers.views.safe_markdown import MARKDOWN, is_safe_url, render_markdown
from helpers.views.tail_healing import CARET

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
    # A long table's finished rows are parsed once: every way a table can go on or end.
    "long tables": (
        "Intro.\n\n| name | value | note |\n|:---|---:|:---:|\n"
        + "".join(f"| `r{n}` \\| pipe | {n} | *em* {n} |\n" for n in range(12))
        + "| short row |\n| a | b | c | one too many |\n|   | empty cells ||\n> a quote ends the table\n\n"
        + "| x | y |\n|---|---|\n| 1 | 2 |\n    | indented: not a row |\n\n"
        + "| p |\n|---|\n| q |\n| r |\r\n| s |\r\n\r\n"
        + "[label]: /early\n| after | a definition |\n| --- | --- |\n| [label] | row |\n| more | rows |\n\nEnd."
    ),
    # A long code block's finished lines are parsed once: every way a fence can go on or end.
    "long code blocks": (
        "Code:\n\n  ```python  {.attr}\n"
        + "".join(f"  line_{n} = '<b>' & \"x\"  # *{n}*\n\tindented by a tab\n\n" for n in range(6))
        + "      ```\n  ``` not a closing fence\n  ``\n  `````\nafter the fence\n\n"
        + "~~~\n```\n~~~~~   \n"
        + "```a|b\ncode first\n|-|-|\nunder it: a table only if the opening line were its header\n```\n\n"
        + "```\r\nwindows\r\nlines\r\n```\r\n\r\n"
        + "````\nnever closed\n```\n\n# not a heading"
    ),
}
# Link definitions between the blocks that use them, before and after; one in a table's cell.
DEFINITIONS = (
    'Uses [a] and [b], then [c][a].\n\n[a]: https://a.example "A"\n\n'
    "| cell | link |\n|---|---|\n| 1 | [d] |\n| 2 | [e] |\n\n[d]: /d\n\nMiddle uses [d] and [nothing].\n\n"
    "[b]: /b 'B'\n[a]: /a-again-ignored\n\n"
    'Later [a] [b] [d] [e].\n\n[e]:\n  /e\n  "E title"\n\n[f]: /f not-a-title\n\nEnd [f].\n'
)
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
    for document in [*DOCUMENTS.values(), FORWARD_REFERENCES, DEFINITIONS]:
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


@pytest.mark.parametrize("document", [DEFINITIONS, FORWARD_REFERENCES])
def test_definitions_fed_one_character_at_a_time_change_only_the_blocks_that_use_them(document: str) -> None:
    """A frozen block changes only through a link definition, so one without a link label never does."""
    renderer = MarkdownBlocks()
    first_seen: dict[int, str] = {}
    for character in document:
        change = renderer.extend(character)
        for index, block in change.blocks.items():
            if "[" not in first_seen.setdefault(index, block) and "href" not in first_seen[index]:
                assert block == first_seen[index], f"block {index} changed without using a label"
    assert renderer.update(document).html == render_markdown(document)


def test_a_new_definition_renders_again_only_the_blocks_that_asked_for_it(monkeypatch: pytest.MonkeyPatch) -> None:
    renderer = MarkdownBlocks()
    assert renderer.extend("See [a].\n\nSee [b].\n\nPlain.\n\nOpen").frozen == 3
    parsed = count_parsed(monkeypatch)
    change = renderer.extend(" paragraph.\n\n[b]: /b\n")
    assert change.blocks == {1: '<p>See <a href="/b">b</a>.</p>\n'}
    assert parsed == ["Open paragraph.\n\n[b]: /b\n", "See [b]."], "the open region, then the one block that looked up [b]"


def test_only_the_open_region_is_rendered_again() -> None:
    document = DOCUMENTS["lists"] + "\n\n" + DOCUMENTS["tables"]
    renderer = MarkdownBlocks()
    shown = renderer.update(document)
    assert shown.open_chars < 60, "only the last block should be left open"
    assert len(document) - shown.open_chars == document.rindex("| just | pipes |")


def test_a_table_that_outgrows_markdown_its_limit_on_added_cells_ends_where_the_whole_render_ends_it() -> None:
    """markdown-it ends a table once it has added 65,536 cells to short rows: kept rows count theirs."""
    columns = 64
    header = "|" + "|".join(f"c{n}" for n in range(columns)) + "|\n|" + "---|" * columns + "\n"
    long_rows = "".join(f"|{'|'.join(['x'] * (columns + 3))}|\n" for _ in range(20))  # more cells than the header: below zero
    short_rows = "".join(f"|{n}|\n" for n in range(MAX_AUTOCOMPLETED_CELLS // (columns - 1) + 40))
    document = header + long_rows + short_rows + "\nAfter."
    final = render_markdown(document)
    assert final.count("<table>") == 1 and "<p>|" in final, "the whole render ends the table at its limit"
    rng = random.Random(7)
    renderer = MarkdownBlocks()
    start = 0
    while start < len(document):
        end = start + rng.randint(1, 150)
        renderer.extend(document[start:end])
        start = end
    assert renderer.update(document).html == final


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


# What an update costs -------------------------------------------------------------------------


def count_parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """From now on, every text ``MarkdownBlocks`` gives markdown-it to parse."""
    parsed: list[str] = []
    real = markdown_blocks._PARSER.parse

    def parse(src: str, env: dict | None = None) -> list:
        parsed.append(src)
        return real(src, env)

    monkeypatch.setattr(markdown_blocks._PARSER, "parse", parse)
    return parsed


def long_answers(length: int) -> Iterator[tuple[str, str]]:
    """Answers of about ``length`` characters that are each one long block, or many short ones."""
    rows = "| n | name | note |\n|---:|:---|:---:|\n" + "".join(f"| {n} | `row {n}` | *note* {n} |\n" for n in range(length // 25))
    code = "```python\n" + "".join(f"value_{n} = f(x) & '<tag>'  # {n}\n" for n in range(length // 30))
    prose = "".join(f"## Part {n}\n\nA paragraph with *emphasis* and `code`, number {n}.\n\n- one\n- two\n\n" for n in range(length // 80))
    links = "".join(f"Cites [source {n}] and [source {n + 1}].\n\n[source {n}]: https://example.com/{n}\n\n" for n in range(length // 70))
    yield from {"table": rows, "code block": code, "prose": prose, "link definitions": links}.items()


def test_characters_parsed_grow_with_the_text_not_its_square(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fed one character at a time, each update parses a bounded stretch: four times the text, four times the work."""
    per_character: dict[str, list[float]] = {}
    for length in (1_000, 4_000):
        for kind, document in long_answers(length):
            parsed = count_parsed(monkeypatch)
            renderer = MarkdownBlocks()
            for character in document:
                renderer.extend(character)
            assert renderer.update(document).html == render_markdown(document), kind
            per_character.setdefault(kind, []).append(sum(map(len, parsed)) / len(document))
            monkeypatch.undo()
    for kind, (short, long) in per_character.items():
        assert long < 1.1 * short and long < 80, f"{kind}: {short:.1f} then {long:.1f} characters parsed per character"


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


def without_caret(html: str) -> str:
    """A view's HTML without the caret that marks where text is still arriving."""
    return html.replace(f"<p>{CARET}</p>", "").replace(CARET, "")


def assert_inert(html: str) -> None:
    """Only Markdown's own tags (and the view's caret), no event handler attributes, and every address safe."""
    html = without_caret(html)
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
