"""Lesson 04, exercise 4: split growing Markdown into frozen blocks and an open tail.

The student writes ``split_blocks(text) -> (frozen, tail)`` on top of markdown-it's block tokens:
every top-level block but the last is finished, its source lines taken from ``token.map``; the
tail is the text from the last block's first line on. The check calls it at every arrival of
recorded answers (and of one written to hold the hard cases), as a view would, and compares with
the same rule computed here. What is compared, precisely: each frozen block and the tail with the
line breaks at their ends left out, so the blank lines between blocks may be left out or kept.

The view calls the split at every arrival, so it must be quick: the check first times calls on a whole
answer and on a short one, counting the parses each makes. A call slower than a frame, or one that
parses the text again for every token, is too slow; a merely slowish one is called at every few
arrivals of the recordings (and at every line of the written answer), so the check stays within seconds.
"""

from __future__ import annotations

import functools
import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from helpers.checks.attempts import call_now
from helpers.checks.bounded import in_a_while_loop, run_in_thread
from helpers.checks.common import (
    Attempt,
    Exercise,
    Verdict,
    a_type,
    crashed,
    first_line,
    not_a_function,
    not_finished,
)
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
WRITTEN_NAME = "the written answer"
NO_BLOCK = ("", "\n\n")  # texts with no block at all: an empty answer, and one of blank lines only
PROBE_S = 1.5  # the timed calls at most: a loop that never ends is stopped there, and named
SLOW_CALL_S = 0.05  # a call on the whole comments answer slower than this is too slow: a frame at 20 redraws a second
CALLS_S = 1.2  # the student's calls over every arrival together, as estimated: beyond, only every few arrivals are called
DRIVE_S = 3.0  # the whole drive at most, the check's own work included (for the rule's split, 0.4 s)
STUCK_S = 1.0  # a single call still running once DRIVE_S is over is waited for this long, then named
STRIPPED = "  An indented paragraph\n\nThe next one"  # .strip() on a block loses the two spaces

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


class ParseWatch:
    """Counts the markdown-it parses one call of the student's function makes, and notes the block rules its parser has on.

    While a check runs, ``MarkdownIt.parse`` is wrapped (``watching_parses``); only calls made from the
    thread running the student's function, during ``call``, are counted, so the check's own parses are not.
    """

    def __init__(self) -> None:
        self.parses = 0
        self.rules: frozenset[str] | None = None  # the block rules of the parser it used last
        self._thread: int | None = None

    def call(self, function: Callable[[str], Any], text: str) -> Attempt:
        """``call_now(function, text)``, counting its parses from 0: in this thread, as the check already runs in a
        worker thread with a deadline that names the student's line from that thread's stack."""
        self._thread, self.parses = threading.get_ident(), 0
        try:
            return call_now(function, text)
        finally:
            self._thread = None

    def saw(self, parser: MarkdownIt) -> None:
        if threading.get_ident() == self._thread:
            self.parses += 1
            self.rules = frozenset(parser.block.ruler.get_active_rules())


@contextmanager
def watching_parses() -> Iterator[ParseWatch]:
    """Wrap ``MarkdownIt.parse`` so that a ``ParseWatch`` sees the student's parses; unwrapped on leaving."""
    watch, original = ParseWatch(), MarkdownIt.parse

    def parse(self: MarkdownIt, src: str, env: Any = None) -> list[Token]:
        watch.saw(self)
        return original(self, src, env)

    setattr(MarkdownIt, "parse", parse)  # noqa: B010 (mypy forbids assigning to a method)
    try:
        yield watch
    finally:
        setattr(MarkdownIt, "parse", original)  # noqa: B010


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
class Probe:
    """Timed calls on a whole answer and a short one: a verdict if they already show a mistake, else their times."""

    verdict: Verdict | None = None
    seconds: float = 0.0  # the quicker of the two calls on the whole answer
    parses: int = 0  # markdown-it parses in the first call
    short: tuple[int, float] = (0, 0.0)  # the short text's length, and the call's time on it

    def estimate(self, cases: list[tuple[str, list[tuple[float, str]]]], whole: int) -> float:
        """Seconds the calls at every arrival would take, with a call's time a line through the two timed lengths."""
        length, seconds = self.short
        per_char = max(self.seconds - seconds, 0.0) / max(whole - length, 1)
        fixed = max(seconds - per_char * length, 0.0)
        return sum(fixed + per_char * size for size in _sizes(cases))

    def stride(self, cases: list[tuple[str, list[tuple[float, str]]]], whole: int) -> int:
        """Call at every this-many arrivals of the recordings, so that the calls take about CALLS_S."""
        return max(1, math.ceil(self.estimate(cases, whole) / CALLS_S))


def _sizes(cases: list[tuple[str, list[tuple[float, str]]]]) -> list[int]:
    """The length of the text at every arrival of every case."""
    sizes = []
    for _, arrivals in cases:
        length = 0
        for _, piece in arrivals:
            length += len(piece)
            sizes.append(length)
    return sizes


@dataclass
class Drive:
    """What driving the student's function at every arrival showed."""

    verdict: Verdict | None = None
    too_slow: bool = False  # the calls had not got through the arrivals within DRIVE_S
    arrivals: int = 0  # arrivals at which the student's function was called
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
    probe = Probe()
    with watching_parses() as watch:
        ran = run_in_thread(lambda: _probe(split_blocks, whole_text, watch, probe), PROBE_S, filename)  # one endless loop is enough
        if ran.timed_out and probe.seconds <= SLOW_CALL_S:
            return _never_returned(ran.seconds, ran.stuck_at, ran.where, watch.parses, whole_text)
        if ran.timed_out:  # the first call returned, but slowly
            return _too_slow(probe.seconds, probe.parses, whole_text, cases)
        if probe.verdict is not None:
            return probe.verdict
        if probe.seconds > SLOW_CALL_S or _per_token(probe.parses, whole_text):
            return _too_slow(probe.seconds, probe.parses, whole_text, cases)
        stride = probe.stride(cases, len(whole_text))
        ran = run_in_thread(lambda: _drive(split_blocks, cases, watch, time.perf_counter() + DRIVE_S, stride), DRIVE_S + STUCK_S, filename)
        if ran.timed_out:
            return _never_returned(ran.seconds, ran.stuck_at, ran.where, watch.parses, whole_text)
    drive = ran.result.value
    if not isinstance(drive, Drive):  # the check's own failure, said rather than raised
        wrong = f"the check itself failed ({first_line(ran.result.error)})." if ran.result.error else "the check could not run it."
        return ex.verdict("wrong", wrong=wrong, hint=ex.recipe)
    if drive.verdict is not None:
        return drive.verdict
    if drive.too_slow:
        return _too_slow(probe.seconds, probe.parses, whole_text, cases, drive.arrivals)
    reference, whole = _reference_bytes(cases[0][1])
    changed = "no frozen block ever changed" if not drive.changed else f"at {drive.changed} arrivals a frozen block changed"
    total = len(_sizes(cases))
    at = f"all {total} arrivals" if drive.arrivals == total else f"{drive.arrivals} of the {total} arrivals"
    sampled = (
        f" (a call took {probe.seconds * 1e3:.0f} ms on the comments answer, so the check called it at every {_nth(stride)} "
        "arrival of the recorded answers, and at every line of the written one)"
        if stride > 1
        else ""
    )
    parsed = f" It parsed the text {probe.parses} times a call: once is enough." if probe.parses > 2 else ""
    return ex.verdict(
        "correct",
        right=f"at {at} of {len(cases)} answers{sampled} it froze the same blocks as the rule "
        f"({drive.blocks} in the comments answer), and {changed}. Rendering only the tail and each newly frozen block "
        f"at every arrival renders {drive.rendered / 1e3:.0f} kB of HTML for that answer, against "
        f"{whole / 1e3:.0f} kB rendering the whole text each time; the course's view (MarkdownBlocks) renders "
        f"{reference / 1e3:.0f} kB.{parsed}",
    )


def _nth(number: int) -> str:
    return {2: "second", 3: "third"}.get(number, f"{number}th")


def _never_returned(seconds: float, stuck_at: str, where: str, parses: int, whole_text: str) -> Verdict:
    """A call still running when its time was up: a loop that never ends, or one that does far too much each time."""
    ex = SPLIT_BLOCKS
    wrong = f"split_blocks never returned: after {seconds:.1f} s it was still running.{where}"
    if in_a_while_loop(stuck_at):
        hint = "loop over the tokens once (for token in tokens:), not with a while loop whose index may not move on."
    elif parses > 2:
        wrong += f" By then it had parsed the whole text {parses} times: {_reparsing(parses, whole_text)}."
        hint = PARSE_ONCE
    else:
        hint = "a call must take milliseconds: make every loop end, and do each step once per call (parse once, loop over the tokens once)."
    return ex.verdict("wrong", wrong=wrong, hint=hint)


PARSE_ONCE = (
    "parse once per call: tokens = md.parse(text) before the loop, then loop over that one list "
    "(md.parse(text)[i] inside the loop parses the whole text again for every token)."
)


def _per_token(parses: int, whole_text: str) -> bool:
    """Whether ``parses`` parses of the whole text in one call are about one per token: the work grows with the
    square of the text."""
    return parses > 10 and parses >= len(MARKDOWN.parse(whole_text)) // 2


def _reparsing(parses: int, whole_text: str) -> str:
    """What ``parses`` parses of one text in one call mean, in words."""
    tokens = len(MARKDOWN.parse(whole_text))
    if _per_token(parses, whole_text):
        return f"it parses the whole text again for every token ({parses} parses in one call, for {tokens} tokens)"
    return f"it parses the whole text {parses} times in one call"


def _too_slow(seconds: float, parses: int, whole_text: str, cases: list[tuple[str, list[tuple[float, str]]]], done: int = 0) -> Verdict:
    """The calls end, but each takes longer than a frame, or the work grows with the square of the text."""
    calls = len(_sizes(cases))
    started = time.perf_counter()
    expected_split(whole_text)
    rule = time.perf_counter() - started
    if seconds > SLOW_CALL_S:
        why = f"and a call longer than {SLOW_CALL_S * 1e3:.0f} ms, a frame at 20 redraws a second, holds the stream's pieces back"
    elif _per_token(parses, whole_text):
        why = "and parsing once per token makes each call grow with the square of the text: twice the text, four times the wait"
    else:
        why = f"and within {DRIVE_S:.0f} s the check could call it at only {done} of them: the pieces of a stream would pile up behind it"
    parsed = f": {_reparsing(parses, whole_text)}" if parses > 2 else ""
    return SPLIT_BLOCKS.verdict(
        "wrong",
        wrong=f"it is too slow: one call on the whole comments answer ({len(whole_text)} characters) took "
        f"{seconds * 1e3:.0f} ms where the rule takes {rule * 1e3:.1f} ms{parsed}. A view calls split_blocks at "
        f"every arrival ({calls} times over the check's answers), {why}.",
        hint=PARSE_ONCE
        if parses > 2
        else "do each step once per call: parse once, loop over the tokens once, and "
        'split the text into lines once (lines = text.split("\\n")), not inside the loop.',
    )


def _drive(
    split_blocks: Callable[[str], Any],
    cases: list[tuple[str, list[tuple[float, str]]]],
    watch: ParseWatch,
    deadline: float,
    stride: int = 1,
) -> Drive:
    """Call the split at every arrival (every ``stride``-th of a recording, and its last), as a view would."""
    drive = Drive()
    ex = SPLIT_BLOCKS
    returned: list[Any] = []
    for number, (name, arrivals) in enumerate(cases):
        text, seen = "", list[str]()
        every = 1 if name == WRITTEN_NAME else stride
        for count, (at, piece) in enumerate(arrivals, start=1):
            text += piece
            if count % every and count < len(arrivals):
                if number == 0:  # what the view renders here, from the rule's split (the same, for a right one)
                    want = expected_split(text)
                    seen = _count_rendered(drive, seen, want.frozen, want.tail)
                continue
            if time.perf_counter() > deadline:
                drive.too_slow = True
                return drive
            drive.arrivals += 1
            result = watch.call(split_blocks, text)
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
                return Drive(verdict=_wrong_split(split_blocks, frozen, tail, want, text, moment, seen, watch.rules))
            drive.changed += [_norm(b) for b in frozen[: len(seen)]] != [_norm(b) for b in seen]
            seen = _count_rendered(drive, seen, frozen, tail) if number == 0 else frozen
    drive.verdict = _no_block(split_blocks)
    return drive


def _count_rendered(drive: Drive, seen: list[str], frozen: list[str], tail: str) -> list[str]:
    """Add the HTML a view renders at this arrival of the first case (the tail, and each newly frozen block); the
    frozen blocks are what it has seen now."""
    fresh = frozen[len(seen) :]
    drive.rendered += sum(len(render_markdown(block).encode()) for block in fresh) + len(render_markdown(tail).encode())
    drive.blocks = len(frozen)
    return frozen


def _no_block(split_blocks: Callable[[str], Any]) -> Verdict | None:
    """With no block at all (an empty text, blank lines only), nothing is frozen and the tail is the text itself."""
    ex = SPLIT_BLOCKS
    hint = "with no block there is no last block: when the tokens hold none, return [], text before taking maps[-1]."
    for text in NO_BLOCK:
        result = call_now(split_blocks, text)
        given = f"given a text with no block at all ({text!r}: an empty answer, or blank lines only)"
        if result.error is not None:
            return ex.verdict("wrong", wrong=f"{given}, it raised {first_line(result.error)}.", hint=hint)
        value = result.value
        if not _pair(value) or [*value[0]] or not isinstance(value[1], str) or _norm(value[1]) != _norm(text):
            return ex.verdict(
                "wrong",
                wrong=f"{given}, it returned {_short(repr(value))}: with no block, nothing is frozen and the tail is "
                "the text itself, ([], text).",
                hint=hint,
            )
    return None


def _probe(split_blocks: Callable[[str], Any], text: str, watch: ParseWatch, probe: Probe) -> None:
    """Two calls on the same text and one on its first eighth, timed. The same text twice must give the same answer:
    a split that remembers earlier calls re-freezes blocks."""
    started = time.perf_counter()
    first = watch.call(split_blocks, text)
    middle = time.perf_counter()
    probe.seconds, probe.parses = middle - started, watch.parses  # noted at once: the next call may not return in time
    first_blocks = [*first.value[0]] if _pair(first.value) else None  # copied now: a list changed later must show
    again = watch.call(split_blocks, text)
    second = time.perf_counter()
    probe.seconds = min(probe.seconds, second - middle)
    short = text[: len(text) // 8]
    watch.call(split_blocks, short)
    probe.short = (len(short), time.perf_counter() - second)
    if first_blocks is None or again.error or not _pair(again.value):
        return
    if first_blocks != [*again.value[0]] or first.value[1] != again.value[1]:
        count = len(again.value[0]) - len(first_blocks)
        more = f" ({count} more frozen blocks the second time)" if count > 0 else ""
        probe.verdict = _stateful(f"given the same text twice, it returned different blocks{more}")


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
        if _one_string_frozen(value):
            return ex.verdict(
                "wrong",
                wrong=f"it returned a pair whose first item is one string ({_short(value[0])}), not a list of blocks: "
                "the finished blocks were joined into one text.",
                hint="frozen must be a list of blocks, not one string: one str per block, "
                'frozen = ["\\n".join(lines[start:end]) for each block but the last], and no join.',
            )
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


def _one_string_frozen(value: Any) -> bool:
    """``(str, str)``: the frozen blocks joined into one text. (A list of strings whose first is not empty is
    rather one list of every block, the tail last.)"""
    return (
        isinstance(value, (tuple, list))
        and len(value) == 2
        and all(isinstance(item, str) for item in value)
        and (isinstance(value, tuple) or not value[0].strip())
    )


def _wrong_split(
    split_blocks: Callable[[str], Any],
    frozen: list[str],
    tail: str,
    want: Split,
    text: str,
    moment: str,
    before: list[str],
    rules: frozenset[str] | None = None,
) -> Verdict:
    """Name the mistake behind the first arrival whose split differs from the rule's."""
    ex = SPLIT_BLOCKS
    mine, theirs = [_norm(b) for b in frozen], [_norm(b) for b in want.frozen]
    stale = next((block for block in mine if block not in text), None)
    if stale is not None:
        return _stateful(f"{moment}, it returned a block that is not in the text at all, {_short(stale)}")
    missing = _rules_off(rules)
    if missing:
        zero = ', as MarkdownIt("zero") has' if rules == ZERO_RULES else ""
        return ex.verdict(
            "wrong",
            wrong=f"{moment}, it froze {_blocks(len(mine))} where the rule has {len(theirs)}: its parser has "
            f"{', '.join(missing)} turned off (only {', '.join(sorted(rules or ()))} on{zero}), so it reads a "
            "heading, a list or a code block as a paragraph.",
            hint='parse with the parser the exercise cell makes, MarkdownIt("commonmark").enable("table"): the parser '
            'preset decides which blocks exist, and "zero" turns off every block rule but paragraph.',
        )
    by_characters = _as_characters(mine, _norm(tail), want, text)
    if by_characters:
        given, block, (start, end) = by_characters
        return ex.verdict(
            "wrong",
            wrong=f"{moment}, it gave {_short(given)} for the block {_short(block)}: that is text[{start}:{end}], "
            f"characters {start} to {end}, but token.map counts lines, not characters: this block is {_span(start, end)}.",
            hint='map counts lines, not characters: split the text into lines first, lines = text.split("\\n"), '
            'and take "\\n".join(lines[start:end]).',
        )
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
    ends = _ends_differ(split_blocks, mine, _norm(tail), want, text, moment)
    if ends is not None:
        return ends
    if before and [_norm(b) for b in before] != [_norm(b) for b in [*frozen, tail][: len(before)]]:
        now = [*frozen, tail]
        changed = next(n for n, (a, b) in enumerate(zip(before, now, strict=False)) if _norm(a) != _norm(b))
        return ex.verdict(
            "wrong",
            wrong=f"{moment}, frozen block {changed + 1} changed: it was {_short(before[changed])}, now "
            f"{_short(now[changed])}. It had been frozen while still open; a frozen block is never drawn again.",
            hint=ex.recipe,
        )
    differs = _differs([*mine, _norm(tail)], [*theirs, _norm(want.tail)])
    where = ""
    if differs is not None:
        number, given, wanted = differs
        item = "the tail" if number == len(theirs) else f"block {number + 1}"
        where = f" They differ in {item}: it has {_around(given, wanted)}, the rule {_around(wanted, given)}."
    return ex.verdict(
        "wrong",
        wrong=f"{moment}, it froze {_blocks(len(mine))} and left {_short(tail)} open; the rule freezes {len(theirs)} "
        f"and leaves {_short(want.tail)} open.{where}",
        hint=ex.recipe,
    )


ZERO_RULES = frozenset(MarkdownIt("zero").block.ruler.get_active_rules())
BLOCK_RULES = ("heading", "fence", "list", "code", "blockquote", "hr")  # turned off, a block is read as a paragraph


def _rules_off(rules: frozenset[str] | None) -> list[str]:
    """The block rules the student's parser has off that change where blocks are; [] if it parsed with none or all on."""
    if rules is None:
        return []
    return [rule for rule in BLOCK_RULES if rule not in rules]


def _as_characters(mine: list[str], tail: str, want: Split, text: str) -> tuple[str, str, tuple[int, int]] | None:
    """The first block (or tail) the student cut from the text with the map taken as character offsets:
    (what it gave, the block, the map)."""
    theirs = [*want.frozen, want.tail]
    ends = [*want.maps[: len(want.frozen)], (want.maps[-1][0], len(text))] if want.maps else []
    for given, block, (start, end) in zip([*mine, tail], theirs, ends, strict=False):
        if given == _norm(block):
            continue
        if given and given == _norm(text[start:end]):
            return given, _norm(block), (start, end)
        return None
    return None


def _ends_differ(split_blocks: Callable[[str], Any], mine: list[str], tail: str, want: Split, text: str, moment: str) -> Verdict | None:
    """A block or the tail that differs from the rule's only at its ends: whitespace stripped, or a tail cut at the
    last block's map end."""
    ex = SPLIT_BLOCKS
    differs = _differs([*mine, tail], [*[_norm(b) for b in want.frozen], _norm(want.tail)])
    if differs is None or not want.maps:
        return None
    number, given, wanted = differs
    item = "its tail" if number == len(want.frozen) else f"its block {number + 1}"
    start, end = want.maps[-1]
    lines = text.split("\n")
    at_map_end = item == "its tail" and wanted.startswith(given) and given == _norm("\n".join(lines[start:end]))
    if given.strip() == wanted.strip() and (not at_map_end or _strips(split_blocks)):
        ends = [
            f"{side} {show(given)} where the text has {show(wanted)}"
            for side, show, spaces in (("starts", _start, _leading), ("ends", _end, _trailing))
            if spaces(given) != spaces(wanted)
        ]
        return ex.verdict(
            "wrong",
            wrong=f"{moment}, {item} lost the whitespace at its ends: it {' and '.join(ends)}. The blocks were "
            "stripped (.strip()), but spaces are Markdown too: a code line's indentation, a list item's continuation.",
            hint="keep each block's lines as they are, with no whitespace stripped (no .strip()): the check already "
            "leaves out the line breaks at a block's ends.",
        )
    if at_map_end:
        return ex.verdict(
            "wrong",
            wrong=f"{moment}, its tail stops where the last block's map ends ({_span(start, end)} of {len(lines)}): it "
            f"ends {_end(given)}, so {_short(wanted[len(given) :])}, the text after the last block's map end, is "
            "missing. A block still being written can end before the text does.",
            hint="the tail runs from the last block's first line to the end of the text: lines[last_start:], not "
            "lines[last_start:last_end].",
        )
    return None


def _strips(split_blocks: Callable[[str], Any]) -> bool:
    """Whether the student's split loses a block's leading spaces: ``.strip()`` on every block."""
    result = call_now(split_blocks, STRIPPED)
    frozen = result.value[0] if _pair(result.value) else []
    return bool(frozen) and isinstance(frozen[0], str) and _norm(frozen[0]) == STRIPPED.split("\n")[0].strip()


def _differs(mine: list[str], theirs: list[str]) -> tuple[int, str, str] | None:
    """The first item that differs, with both versions; None if every item is the same."""
    for number, (given, wanted) in enumerate(zip(mine, theirs, strict=False)):
        if given != wanted:
            return number, given, wanted
    return None


def _around(text: str, other: str, width: int = 24) -> str:
    """``text`` quoted around where it first differs from ``other``: two texts that begin alike read differently."""
    same = next((n for n, (a, b) in enumerate(zip(text, other, strict=False)) if a != b), min(len(text), len(other)))
    start = max(same - width, 0)
    part = text[start : same + width]
    return ("…" if start else "") + repr(part) + ("…" if same + width < len(text) else "")


def _leading(text: str) -> str:
    return text[: len(text) - len(text.lstrip())]


def _trailing(text: str) -> str:
    return text[len(text.rstrip()) :]


def _end(text: str, width: int = 30) -> str:
    return repr(text) if len(text) <= width else "…" + repr(text[-width:])


def _start(text: str, width: int = 30) -> str:
    return repr(text) if len(text) <= width else repr(text[:width]) + "…"


def _half_a_fence(split_blocks: Callable[[str], Any]) -> str:
    """What the student's split freezes of the written answer's code block once its blank line has passed, in words."""
    result = call_now(split_blocks, WRITTEN[: WRITTEN.index("    text = f.read()")])
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
