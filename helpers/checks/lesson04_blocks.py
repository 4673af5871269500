"""Lesson 04, exercise 4: split growing Markdown into frozen blocks and an open tail.

The student writes ``split_blocks(text) -> (frozen, tail)`` on top of markdown-it's block tokens:
every top-level block but the last is finished, its source lines taken from ``token.map``; the
tail is the text from the last block's first line on. The check calls it at every arrival of
recorded answers (and of one written to hold the hard cases), as a view would, and compares with
the same rule computed here. What is compared, precisely: each frozen block and the tail with the
line breaks at their ends left out, so the blank lines between blocks may be left out or kept.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from markdown_it.token import Token

from helpers.checks.bounded import run_in_thread
from helpers.checks.common import Exercise, Verdict, a_type, attempt, crashed, first_line, not_a_function, not_finished
from helpers.checks.recorded import recorded_arrivals
from helpers.views import markdown_blocks
from helpers.views.safe_markdown import MARKDOWN, render_markdown

RECORDINGS = ("render_comments", "render_side_javascript", "render_side_go", "web_markdown", "render_ibuprofen")
# Written for the cases the recordings lack: a paragraph right under its heading, a list that interrupts a
# paragraph, a loose list and a fenced code block with blank lines inside, all arriving a line at a time.
WRITTEN = (
    "# Reading a file\nOpen it with a context manager:\n- it closes the file\n- even on errors\n\n"
    "```python\nwith open(path) as f:\n\n    text = f.read()\n```\n\n- a loose list\n\n- of two items\n\nThat is all."
)
PROBE_S = 2.0  # two calls on a whole answer at most: a loop that never ends is stopped there, and named
WRITTEN_NAME = "the written answer"
CHECK_S = 6.0  # every call together at most

SPLIT_BLOCKS = Exercise(
    4,
    "split_blocks",
    recipe="tokens = md.parse(text); the top-level blocks are the tokens with token.level == 0 and token.nesting >= 0 "
    "(an opening token or a whole block), each with token.map == [start, end), lines end exclusive. With lines = "
    'text.split("\\n"): frozen = ["\\n".join(lines[start:end]) for every block but the last], tail = '
    '"\\n".join(lines[last_start:]); return frozen, tail.',
    returns="a pair (frozen, tail): a list of each finished block's source text, and the text of the open tail",
    kind=(tuple, list),
    kind_words="a pair (frozen, tail)",
)


@dataclass(frozen=True)
class Split:
    """The rule's answer for one text: each block's source, its lines ``[start, end)`` and its first token's type."""

    frozen: list[str]
    tail: str
    maps: list[tuple[int, int]]
    kinds: list[str]


def expected_split(text: str) -> Split:
    """Every top-level block but the last is frozen; the tail runs from the last block's first line to the end."""
    blocks = markdown_blocks.split_blocks(MARKDOWN.parse(text))
    lines = text.split("\n")
    frozen = ["\n".join(lines[block.start : block.end]) for block in blocks[:-1]]
    tail = "\n".join(lines[blocks[-1].start :]) if blocks else text
    return Split(frozen, tail, [(block.start, block.end) for block in blocks], [block.tokens[0].type for block in blocks])


@functools.cache
def _cases() -> list[tuple[str, list[tuple[float, str]]]]:
    """Each case's name and its arrivals: the recordings' pieces, and the written answer a line at a time.

    Kept once made: the recordings do not change while a kernel runs, and replaying five of them is
    most of what a check costs.
    """
    lines = WRITTEN.split("\n")
    written = [(float(n), line + ("\n" if n < len(lines) - 1 else "")) for n, line in enumerate(lines)]
    return [*((name, recorded_arrivals(name)) for name in RECORDINGS), (WRITTEN_NAME, written)]


def _norm(block: str) -> str:
    return block.strip("\n")


def _lines(text: str) -> list[str]:
    """The text's lines that are not blank: what no split may lose."""
    return [line for line in text.split("\n") if line.strip()]


@dataclass
class Drive:
    """What driving the student's function at every arrival showed."""

    verdict: Verdict | None = None
    arrivals: int = 0
    blocks: int = 0  # frozen blocks at the end of the first case
    changed: int = 0  # arrivals at which a block frozen before read differently
    rendered: int = 0  # bytes of HTML the split renders over the first case: the tail and each new block


def judge_split_blocks(split_blocks: Callable[[str], Any]) -> Verdict:
    """Exercise 4: at every arrival of recorded answers, the same frozen blocks and tail as the rule."""
    ex = SPLIT_BLOCKS
    if not callable(split_blocks):
        return not_a_function(ex, split_blocks)
    cases = _cases()
    filename = str(getattr(getattr(split_blocks, "__code__", None), "co_filename", ""))
    whole_text = "".join(piece for _, piece in cases[0][1])
    probe = run_in_thread(lambda: _keeps_state(split_blocks, whole_text), PROBE_S, filename)  # one loop that never ends is enough
    if isinstance(probe.result.value, Verdict):
        return probe.result.value
    if not probe.timed_out:
        probe = run_in_thread(lambda: _drive(split_blocks, cases), CHECK_S, filename)
    if probe.timed_out:
        return ex.verdict(
            "wrong",
            wrong=f"split_blocks never returned: after {probe.seconds:.0f} s it was still running.{probe.where}",
            hint="loop over the tokens once (for token in tokens:), not with a while loop whose index may not move on.",
        )
    drive = probe.result.value
    if not isinstance(drive, Drive):  # the check's own failure, said rather than raised
        wrong = f"the check itself failed ({first_line(probe.result.error)})." if probe.result.error else "the check could not run it."
        return ex.verdict("wrong", wrong=wrong, hint=ex.recipe)
    if drive.verdict is not None:
        return drive.verdict
    reference, whole = _reference_bytes(cases[0][1])
    changed = "no frozen block ever changed" if not drive.changed else f"at {drive.changed} arrivals a frozen block changed"
    return ex.verdict(
        "correct",
        right=f"at all {drive.arrivals} arrivals of {len(cases)} answers it froze the same blocks as the rule "
        f"({drive.blocks} in the comments answer), and {changed}. Rendering only the tail and each newly frozen block "
        f"at every arrival renders {drive.rendered / 1e3:.0f} kB of HTML for that answer, against "
        f"{whole / 1e3:.0f} kB rendering the whole text each time; the course's view (MarkdownBlocks) renders "
        f"{reference / 1e3:.0f} kB.",
    )


def _drive(split_blocks: Callable[[str], Any], cases: list[tuple[str, list[tuple[float, str]]]]) -> Drive:
    drive = Drive()
    ex = SPLIT_BLOCKS
    returned: list[Any] = []
    for number, (name, arrivals) in enumerate(cases):
        text, seen = "", list[str]()
        for at, piece in arrivals:
            text += piece
            drive.arrivals += 1
            result = attempt(split_blocks, text)
            failure = crashed(ex, result)
            if failure is not None:
                return Drive(verdict=failure)
            if result.unfinished:
                return Drive(verdict=not_finished(ex, result))
            shape = _wrong_shape(result.value, text)
            if shape is not None:
                return Drive(verdict=shape)
            frozen, tail = list(result.value[0]), result.value[1]
            if returned and [*returned[0]] != returned[1]:
                return Drive(verdict=_stateful("a list of frozen blocks it had returned changed at the next call"))
            returned = [result.value[0], frozen]  # the list returned, and what it held then
            want = expected_split(text)
            if [_norm(b) for b in frozen] != [_norm(b) for b in want.frozen] or _norm(tail) != _norm(want.tail):
                moment = f"in {name}, at {at:.2f} s" if name != WRITTEN_NAME else f"in {name}, at its line {int(at) + 1}"
                return Drive(verdict=_wrong_split(split_blocks, frozen, tail, want, text, moment, seen))
            drive.changed += [_norm(b) for b in frozen[: len(seen)]] != [_norm(b) for b in seen]
            if number == 0:
                fresh = frozen[len(seen) :]
                drive.rendered += sum(len(render_markdown(block).encode()) for block in fresh) + len(render_markdown(tail).encode())
                drive.blocks = len(frozen)
            seen = frozen
    return drive


def _keeps_state(split_blocks: Callable[[str], Any], text: str) -> Verdict | None:
    """The same text twice must give the same answer: a split that remembers earlier calls re-freezes blocks."""
    first = attempt(split_blocks, text)
    first_blocks = [*first.value[0]] if _pair(first.value) else None  # copied now: a list changed later must show
    again = attempt(split_blocks, text)
    if first_blocks is None or again.error or not _pair(again.value):
        return None
    if first_blocks != [*again.value[0]] or first.value[1] != again.value[1]:
        count = len(again.value[0]) - len(first_blocks)
        more = f" ({count} more frozen blocks the second time)" if count > 0 else ""
        return _stateful(f"given the same text twice, it returned different blocks{more}")
    return None


def _stateful(wrong: str) -> Verdict:
    return SPLIT_BLOCKS.verdict(
        "wrong",
        wrong=f"{wrong}: it keeps state between calls, so a block is frozen again (or an old one kept) at every arrival.",
        hint="compute the answer from the text alone, with a new list each call: no global list to append to, no "
        "list that you change after returning it.",
    )


def _pair(value: Any) -> bool:
    return isinstance(value, (tuple, list)) and len(value) == 2 and isinstance(value[0], (list, tuple))


def _wrong_shape(value: Any, text: str) -> Verdict | None:
    ex = SPLIT_BLOCKS
    if not _pair(value):
        if isinstance(value, (tuple, list)) and value and all(isinstance(item, str) for item in value):
            return ex.verdict(
                "wrong",
                wrong="it returned one list of strings, not a pair.",
                hint="return two things: the finished blocks and the open tail, `return frozen, tail`.",
            )
        return ex.verdict("wrong", wrong=f"it returned {a_type(value)}, not {ex.kind_words}.", hint=f"return {ex.returns}.")
    frozen, tail = value
    odd = next((block for block in frozen if not isinstance(block, str)), None)
    if odd is not None:
        if isinstance(odd, Token):
            return ex.verdict(
                "wrong",
                wrong=f"its frozen list holds markdown-it tokens ({odd.type}), not the blocks' text.",
                hint='a block\'s text is its source lines: "\\n".join(lines[start:end]) with start, end = token.map.',
            )
        return ex.verdict(
            "wrong",
            wrong=f"its frozen list holds {a_type(odd)}, not the text of a block.",
            hint='each frozen block is its source text, a str: "\\n".join(lines[start:end]).',
        )
    if not isinstance(tail, str):
        return ex.verdict(
            "wrong", wrong=f"its tail is {a_type(tail)}, not a str.", hint='the tail is text: "\\n".join(lines[last_start:]).'
        )
    rendered = [block for block in [*frozen, tail] if block.lstrip().startswith("<") and block.rstrip().endswith(">")]
    if rendered and not any(line.lstrip().startswith("<") for line in text.split("\n")):
        return ex.verdict(
            "wrong",
            wrong=f"it returned HTML ({rendered[0][:40]!r}), not Markdown source.",
            hint="return the blocks' Markdown source (the view renders them, once each): lines[start:end] from token.map, not md.render().",
        )
    return None


def _wrong_split(
    split_blocks: Callable[[str], Any], frozen: list[str], tail: str, want: Split, text: str, moment: str, before: list[str]
) -> Verdict:
    """Name the mistake behind the first arrival whose split differs from the rule's."""
    ex = SPLIT_BLOCKS
    mine, theirs = [_norm(b) for b in frozen], [_norm(b) for b in want.frozen]
    stale = next((block for block in mine if block not in text), None)
    if stale is not None:
        return _stateful(f"{moment}, it returned a block that is not in the text at all, {_short(stale)}")
    parts = text.split("\n\n")
    if mine == [_norm(p) for p in parts[:-1]] and _norm(tail) == _norm(parts[-1]):
        return ex.verdict(
            "wrong",
            wrong=f"{moment}, it split at blank lines ({len(mine)} frozen where the rule has {len(theirs)}); "
            f"{_half_a_fence(split_blocks)}A blank line is not where a block ends: a fenced code block can hold blank "
            "lines, a loose list has them between its items, and a heading needs none after it.",
            hint="take the blocks from markdown-it's tokens (level 0), and their lines from token.map, not from text.split('\\n\\n').",
        )
    if mine == [*theirs, _norm(want.tail)] and not _norm(tail):
        return ex.verdict(
            "wrong",
            wrong=f"{moment}, it froze every block, the last one too, and left the tail empty; the last block "
            f"({_short(want.tail)}) is still being written: what arrives next can still change it.",
            hint="the last top-level block is the open tail: freeze blocks[:-1] only.",
        )
    shifted = _off_by_one(mine, want, text.split("\n"))
    if shifted:
        return ex.verdict(
            "wrong",
            wrong=f"{moment}, a block's lines are off by one: for the block on {shifted[0]} it gave {shifted[1]}. "
            "token.map is [first line, line after the last], counted from 0: the end is exclusive.",
            hint="slice with the map as it is: lines[start:end], no + 1 or - 1.",
        )
    if len(mine) > len(theirs) and _repeats_lines([*mine, _norm(tail)]):
        return ex.verdict(
            "wrong",
            wrong=f"{moment}, it froze {_blocks(len(mine))} where there are {len(theirs)}, some lines twice: a token "
            "inside a block (a list item, the paragraph inside it, a heading's inline text) was counted as a block of its own.",
            hint="count only top-level tokens: token.level == 0 (and token.nesting >= 0, so each block once).",
        )
    finished = dict(zip(theirs, want.kinds, strict=False))
    others = [kind for block, kind in finished.items() if kind != "paragraph_open" and block not in mine]
    if others and all(finished.get(block) == "paragraph_open" for block in mine):
        return ex.verdict(
            "wrong",
            wrong=f"{moment}, it froze only paragraphs ({len(mine)} of the {len(theirs)} finished blocks): a "
            f"{others[0].removesuffix('_open')} is a block too.",
            hint="a block is any token at level 0 that opens one or is one: heading_open, paragraph_open, fence, "
            "bullet_list_open, table_open, hr... (token.level == 0 and token.nesting >= 0).",
        )
    lost = _lost(frozen, tail, text)
    if lost:
        content = _as_content(mine, want)
        if content:
            return ex.verdict(
                "wrong",
                wrong=f"{moment}, it gave {_short(content[0])} for the block {_short(content[1])}: token.content is "
                "the text inside a block, without its marks (#, -, ```).",
                hint="take the block's source lines from token.map: lines[start:end].",
            )
        return ex.verdict(
            "wrong",
            wrong=f"{moment}, text was lost: {_short(lost)} is in no frozen block and not in the tail. Together they "
            "must hold every line of the text (only the blank lines between blocks may be left out).",
            hint="the tail runs from the last block's first line to the end of the text: lines[last_start:].",
        )
    if before and [_norm(b) for b in before] != [_norm(b) for b in [*frozen, tail][: len(before)]]:
        now = [*frozen, tail]
        changed = next(n for n, (a, b) in enumerate(zip(before, now, strict=False)) if _norm(a) != _norm(b))
        return ex.verdict(
            "wrong",
            wrong=f"{moment}, frozen block {changed + 1} changed: it was {_short(before[changed])}, now "
            f"{_short(now[changed])}. It had been frozen while still open; a frozen block is never drawn again.",
            hint=ex.recipe,
        )
    return ex.verdict(
        "wrong",
        wrong=f"{moment}, it froze {_blocks(len(mine))} and left {_short(tail)} open; the rule freezes {len(theirs)} "
        f"and leaves {_short(want.tail)} open.",
        hint=ex.recipe,
    )


def _half_a_fence(split_blocks: Callable[[str], Any]) -> str:
    """What the student's split freezes of the written answer's code block once its blank line has passed, in words."""
    result = attempt(split_blocks, WRITTEN[: WRITTEN.index("    text = f.read()")])
    frozen = result.value[0] if _pair(result.value) else []
    half = next((block for block in frozen if isinstance(block, str) and block.lstrip("\n").startswith("```")), None)
    if half is None:
        return ""
    return f"in the written answer it froze {_short(_norm(half))}, the first half of a code block still being written. "


def _off_by_one(mine: list[str], want: Split, lines: list[str]) -> tuple[str, str] | None:
    """The first block the student gave as its lines shifted by one at either end: (its lines, the lines given), 1-based."""
    for given, (start, end), block in zip(mine, want.maps, want.frozen, strict=False):
        if given == _norm(block):
            continue
        for a, b in ((0, 1), (0, -1), (1, 0), (-1, 0), (1, 1), (-1, -1)):
            if given == _norm("\n".join(lines[max(start + a, 0) : end + b])):
                return _span(start, end), _span(max(start + a, 0), end + b)
        return None
    return None


def _span(start: int, end: int) -> str:
    """Lines ``[start, end)`` counted from 0, as a reader counts them: ``lines 3 to 5``."""
    if end <= start:
        return "no lines"
    return f"lines {start + 1} to {end}" if end > start + 1 else f"line {start + 1}"


def _repeats_lines(blocks: list[str]) -> bool:
    """Some non-blank line is in two blocks: nested blocks were taken besides the block around them."""
    seen: set[str] = set()
    for block in blocks:
        here = set(_lines(block))
        if here & seen:
            return True
        seen |= here
    return False


def _lost(frozen: list[str], tail: str, text: str) -> str:
    """The first non-blank line of the text that no frozen block and not the tail holds; "" if none is lost."""
    kept = _lines("\n".join([*frozen, tail]))
    for line in _lines(text):
        if line in kept:
            kept.remove(line)
        else:
            return line
    return ""


def _as_content(mine: list[str], want: Split) -> tuple[str, str] | None:
    """The first block the student gave as a token's content (no #, - or ``` marks): (given, expected)."""
    for given, block in zip(mine, want.frozen, strict=False):
        if given != _norm(block) and given and given in block:
            return given, block
    return None


def _blocks(count: int) -> str:
    return f"{count} block" if count == 1 else f"{count} blocks"


def _short(text: str, limit: int = 50) -> str:
    return repr(text) if len(text) <= limit else repr(text[: limit - 1] + "…")


def _reference_bytes(arrivals: list[tuple[float, str]]) -> tuple[int, int]:
    """Bytes of HTML over all arrivals: the course's view (``MarkdownBlocks``), and the whole text rendered each time."""
    blocks, text, view, whole = markdown_blocks.MarkdownBlocks(), "", 0, 0
    for _, piece in arrivals:
        text += piece
        change = blocks.extend(piece)
        view += len(change.tail.encode()) + sum(len(html.encode()) for html in change.blocks.values())
        whole += len(render_markdown(text).encode())
    return view, whole


def check_split_blocks(split_blocks: Callable[[str], Any]) -> None:
    """Print the verdict for exercise 4."""
    print(judge_split_blocks(split_blocks))
