"""Heal the open tail of streaming Markdown, so a reader never sees half-written markup.

Text that is still arriving is Markdown cut anywhere: ``**bol``, ``[the docs](htt``, a table's
header before its delimiter row, a lone ``-`` that for a moment turns the line above into a
heading. Rendered as it is, each shows raw syntax for a frame or two. Healing changes only what
the open tail *shows*, never the text or the frozen blocks, and is not applied once the answer is
complete, so the final view is still exactly one render of the whole text.

Two kinds of repair, both pure functions of the text:

- ``held_back_lines``: lines not to show yet, because they change what the block above them is
  (a line of only list, heading, rule or quote markers; table rows before the delimiter row).
- ``heal_inline``: the inline text being written, with open code spans and emphasis closed,
  a partial link shown as its text, a partial image dropped and a dangling marker hidden.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from markdown_it.token import Token

# A line made only of block markers, so far: "-", "1.", "#", "> -", "==", "**", "```" short of a fence.
_MARKERS_ONLY = re.compile(r"[ \t]*(?:(?:[-*+=_#>]+|[0-9]{1,9}[.)]|`{1,2}|~{1,2})[ \t]*)+")
_TABLE_ROW = re.compile(r"[ \t]{0,3}\|")
_DEFINITION_START = re.compile(r"[ \t]{0,3}\[[^\]]+\]:[ \t]*")  # "[label]:" before its address: a definition, not text
_VERBATIM = frozenset({"fence", "code_block", "html_block", "table_open"})
CARET = '<span class="course-caret" aria-hidden="true">\u258d</span>'
_CODE_END = "</code></pre>\n"


def held_back_lines(lines: list[str], last_block: str) -> int:
    """How many of the region's last ``lines`` to hold back (the last one is still being written).

    A marker-only last line is held until its content arrives: ``Steps:`` then ``-`` would
    otherwise show a heading for a moment, ``#`` an empty heading, ``-`` an empty item; so is a
    link definition's ``[label]:`` until its address makes it a definition. Rows of
    a table whose delimiter row is not complete are a paragraph of pipes: held back while the
    paragraph they end is the last block. ``last_block`` is the type of the last block's first
    token; nothing is held back in code, where markers are text.
    """
    if last_block in _VERBATIM:
        return 0
    last = len(lines) - 1
    if not lines[last] or _MARKERS_ONLY.fullmatch(lines[last]) or _DEFINITION_START.fullmatch(lines[last]):
        last -= 1
    if last_block == "paragraph_open":
        while last >= 0 and _TABLE_ROW.match(lines[last]):
            last -= 1
    held = len(lines) - 1 - last
    return held if held > 1 or lines[-1] else 0


@dataclass(frozen=True)
class _Run:
    """A run of one emphasis character that may open: where it starts and how many characters are still open."""

    char: str
    start: int
    count: int


def _kind(character: str) -> str:
    """How a neighbour counts for CommonMark's flanking rules: space (string ends count as space), punctuation, other."""
    if not character or character.isspace():
        return "space"
    category = unicodedata.category(character)
    return "punct" if category.startswith("P") or category.startswith("S") else "other"


def _can_open_close(before: str, after: str, char: str) -> tuple[bool, bool]:
    """CommonMark's left- and right-flanking rules for a delimiter run between ``before`` and ``after``."""
    b, a = _kind(before), _kind(after)
    left = a != "space" and (a != "punct" or b in ("space", "punct"))
    right = b != "space" and (b != "punct" or a in ("space", "punct"))
    if char == "_":
        return left and (not right or b == "punct"), right and (not left or a == "punct")
    return left, right


def _code_spans(text: str) -> tuple[list[tuple[int, int]], int | None]:
    """The closed code spans ``(start, end)`` in ``text``, and where an unclosed one starts, if any."""
    spans: list[tuple[int, int]] = []
    position = 0
    while (start := text.find("`", position)) >= 0:
        if start and text[start - 1] == "\\" and not _escaped_backslash(text, start - 1):
            position = start + 1
            continue
        end = start
        while end < len(text) and text[end] == "`":
            end += 1
        closer = re.compile(rf"(?<!`){'`' * (end - start)}(?!`)")
        found = closer.search(text, end)
        if found is None:
            return spans, start
        spans.append((start, found.end()))
        position = found.end()
    return spans, None


def _escaped_backslash(text: str, index: int) -> bool:
    """Whether the backslash at ``index`` is itself escaped (an odd run of backslashes before it)."""
    run = len(text[:index]) - len(text[:index].rstrip("\\"))
    return run % 2 == 1


_DELIMITER_RUN = re.compile(r"\*+|_+|~+")


def _open_runs(text: str, code: list[tuple[int, int]]) -> list[_Run]:
    """The emphasis and strikethrough runs still open at the end of ``text``, innermost last; none inside ``code`` spans."""
    stack: list[_Run] = []
    spans = iter(code)
    span = next(spans, None)
    for found in _DELIMITER_RUN.finditer(text):
        position, end = found.span()
        while span is not None and span[1] <= position:
            span = next(spans, None)
        if span is not None and span[0] <= position:
            continue
        if position and text[position - 1] == "\\" and not _escaped_backslash(text, position - 1):
            position += 1  # an escaped marker is text; the rest of its run still counts
        char, count = found.group()[0], end - position
        if char == "~":
            count -= count % 2  # strikethrough takes pairs: "~" on its own is text
        opens, closes = _can_open_close(text[position - 1 : position], text[end : end + 1], char)
        if count and closes:
            count = _close(stack, char, count)
        if count and opens:
            stack.append(_Run(char, position, count))
    return stack


def _close(stack: list[_Run], char: str, count: int) -> int:
    """Let a closing run close the nearest open run of its character (and the runs opened inside it); what is left of it."""
    for index in range(len(stack) - 1, -1, -1):
        opener = stack[index]
        if opener.char != char:
            continue
        used = min(opener.count, count)
        del stack[index:]
        if opener.count > used:
            stack.append(_Run(char, opener.start, opener.count - used))
        return count - used
    return count


# A partial link or image at the end: "[text", "[text]", "[text](addr", and the same after "!".
_PARTIAL_LINK = re.compile(r"(!?)\[([^\[\]]*)(?:\]|\]\([^()\s]*(?:\s[^()]*)?)?$")


def _partial_link(text: str) -> str:
    """A link still being written shown as its text; an image still being written dropped."""
    found = _PARTIAL_LINK.search(text)
    if found is None:
        return text
    start = found.start()
    if not found.group(1) and start and text[start - 1].isalnum():
        return text  # "array[0": an index, not a link
    if start and text[start - 1] == "\\":
        return text
    return text[:start] + ("" if found.group(1) else found.group(2))


# Emphasis markers at the very end, after a space: the next character decides whether they open.
_DANGLING = re.compile(r"(?:(?<=[ \t\n])|^)[*_~]+$")


def heal_inline(text: str) -> str:
    """The inline text of the block being written, as it should show: every open construct closed or hidden."""
    spans, open_code = _code_spans(text)
    code = ""
    if open_code is not None:
        fence = len(text[open_code:]) - len(text[open_code:].lstrip("`"))
        body = text[open_code + fence :]
        code = f"{'`' * fence}{body}{'`' * fence}" if body.strip() else ""
        text = text[:open_code]
    elif not spans or spans[-1][1] < len(text):
        text = _partial_link(text)
    text = _DANGLING.sub("", text)
    if (len(text) - len(text.rstrip("~"))) % 2:
        text = text[:-1]  # half of a "~~": strikethrough's closer, or opener, still arriving
    runs = _open_runs(text, spans)
    closers = ""
    for run in reversed(runs):
        if not code and not text[run.start + run.count :].strip():
            text = text[: run.start]  # a marker with nothing after it yet: hide it
        else:
            closers += run.char * run.count
    if closers and not code:
        text = text.rstrip()
    healed = text + code + closers
    if not code and healed.endswith("!"):
        healed = healed[:-1]  # it may begin an image: its "![" would show for a moment
    if not code and healed.endswith("\\") and not _escaped_backslash(healed, len(healed) - 1):
        healed = healed[:-1]
    return healed


def _still_written(tokens: list[Token], index: int, lines: int) -> bool:
    """Whether inline token ``index`` is text still being written: it reaches the last line, or is a paragraph
    that the next line may continue. ``lines`` counts the region's lines, the last one still open."""
    span = tokens[index].map
    if span is None:
        return False
    return span[1] == lines or (span[1] == lines - 1 and index > 0 and tokens[index - 1].type == "paragraph_open")


def heal_open_inlines(tokens: list[Token], lines: int, parse_inline: Callable[[str], list[Token]], caret: bool) -> bool:
    """Heal, in place, the inline tokens still being written, and put the caret after their text.

    Usually that is one paragraph's text; in a table it is every cell of the row being written.
    ``parse_inline`` turns healed text into a token's children. Returns whether the caret was placed.
    """
    written = []
    for index in range(len(tokens) - 1, -1, -1):
        if tokens[index].type != "inline":
            continue
        if not _still_written(tokens, index, lines):
            break
        written.append(index)
    for index in written:
        healed = heal_inline(tokens[index].content)
        if healed != tokens[index].content:
            tokens[index].children = parse_inline(healed)
    if not caret or not written:
        return False
    target = next((index for index in written if tokens[index].content.strip()), written[0])
    if target == written[0] and any(later.nesting >= 0 for later in tokens[target + 1 :]):
        return False  # a block follows the text: the caret goes after it
    token = tokens[target]
    token.children = [*(token.children or []), Token("html_inline", "", 0, content=CARET)]
    return True


def with_caret(tail: str) -> str:
    """A tail whose text did not take the caret: inside its open code block, else after it."""
    if tail.endswith(_CODE_END):
        return tail[: -len(_CODE_END)] + CARET + _CODE_END
    return f"{tail}<p>{CARET}</p>"
