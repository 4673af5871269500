"""Lesson 04: the exercise checks accept the reference solutions, name each typical mistake and
never crash on unfinished work; the pictures' data is right; live cells are set up for nbval."""

from __future__ import annotations

import asyncio
import gc
import importlib.util
import json
import time
import types
import warnings
from typing import Any

import matplotlib
import pytest
from markdown_it import MarkdownIt
from paths import ROOT

from helpers.checks import lesson04 as checks
from helpers.views import pictures, stop_path
from helpers.views.reveal import by_paragraph
from helpers.views.stream_view import ViewStats

matplotlib.use("Agg")

SOLUTIONS = ROOT / "notebooks" / "solutions" / "04_progressive_rendering.py"
NOTEBOOK = ROOT / "notebooks" / "04_progressive_rendering.ipynb"


def _load_solutions() -> Any:
    spec = importlib.util.spec_from_file_location("lesson04_solutions", SOLUTIONS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


solutions = _load_solutions()
JUDGES = [
    checks.judge_redraw_moments,
    checks.judge_reveal_by_paragraph,
    checks.judge_show_stream,
    checks.judge_split_blocks,
    checks.judge_read_until_stopped,
]


def unfinished(*_: Any) -> None:
    """The shipped exercise body."""
    ...


def not_implemented(*_: Any) -> None:
    raise NotImplementedError


def assert_verdict(verdict: checks.Verdict, status: str, *phrases: str) -> None:
    text = str(verdict)
    assert verdict.status == status, text
    for phrase in phrases:
        assert phrase in text, f"{phrase!r} not in:\n{text}"


# The reference solutions pass; unfinished work is reported as unfinished -------------------


def test_solution_redraw_moments_passes() -> None:
    assert_verdict(checks.judge_redraw_moments(solutions.redraw_moments), "correct", "20 redraws at 20 a second")


def test_solution_reveal_by_paragraph_passes() -> None:
    assert_verdict(checks.judge_reveal_by_paragraph(solutions.reveal_by_paragraph), "correct", "whole paragraphs only")


def test_solution_show_stream_passes() -> None:
    assert_verdict(checks.judge_show_stream(solutions.show_stream), "correct", "421 characters", "stop_reason end_turn")


def test_solution_split_blocks_passes() -> None:
    assert_verdict(
        checks.judge_split_blocks(solutions.split_blocks), "correct", "15 in the comments answer", "no frozen block ever changed"
    )


@pytest.mark.realtime
def test_solution_read_until_stopped_passes() -> None:
    assert_verdict(
        checks.judge_read_until_stopped(solutions.read_until_stopped),
        "correct",
        "whole answer (1181 characters)",
        "kept the",
        "characters that had arrived, marked as cut",
        "HTTP response was closed",
    )


@pytest.mark.parametrize("judge", JUDGES)
def test_unfinished_work_or_a_call_instead_of_a_function_never_crashes(judge: Any) -> None:
    for body in (unfinished, not_implemented):
        assert_verdict(judge(body), "unfinished", "To do:")
    assert_verdict(judge(None), "wrong", "got None", "without parentheses")


async def unfinished_async(*_: Any) -> None:
    """The shipped body of exercise 5, an async def."""
    ...


def test_the_shipped_async_stub_is_unfinished() -> None:
    assert_verdict(checks.judge_read_until_stopped(unfinished_async), "unfinished", "still returns None", "To do:")


def test_check_prints_the_verdict(capsys: pytest.CaptureFixture[str]) -> None:
    checks.check_show_stream(unfinished)
    assert capsys.readouterr().out.startswith("Exercise 3 (show_stream): not finished yet.\n")


# Exercise 1: typical mistakes ----------------------------------------------------------------


def every_arrival(arrivals: list[float], rate: float) -> list[float]:
    return list(arrivals)


def no_final_flush(arrivals: list[float], rate: float) -> list[float]:
    moments: list[float] = []
    for at in arrivals:
        if not moments or at - moments[-1] >= 1 / rate:
            moments.append(at)
    return moments


def strictly_later(arrivals: list[float], rate: float) -> list[float]:
    moments: list[float] = []
    for at in arrivals:
        if not moments or at - moments[-1] > 1 / rate + 1e-9:
            moments.append(at)
    if moments[-1] != arrivals[-1]:
        moments.append(arrivals[-1])
    return moments


def clock_ticks(arrivals: list[float], rate: float) -> list[float]:
    moments, ticks = [], set()
    for at in arrivals:
        tick = int(at * rate + 1e-9)
        if tick not in ticks:
            ticks.add(tick)
            moments.append(at)
    return moments


def counts_instead(arrivals: list[float], rate: float) -> int:
    return len(solutions.redraw_moments(arrivals, rate))


def with_pieces(arrivals: list[float], rate: float) -> list[tuple[float, str]]:
    return [(at, "piece") for at in solutions.redraw_moments(arrivals, rate)]


def with_none(arrivals: list[float], rate: float) -> list[float | None]:
    return [*solutions.redraw_moments(arrivals, rate), None]


def as_text(arrivals: list[float], rate: float) -> list[str]:
    return [f"{at:.2f}" for at in solutions.redraw_moments(arrivals, rate)]


def interval_is_the_rate(arrivals: list[float], rate: float) -> list[float]:
    """Compares with rate, not 1 / rate: 20 s between redraws at 20 a second."""
    times: list[float] = []
    for at in arrivals:
        if not times or at - times[-1] >= rate:
            times.append(at)
    if arrivals and times[-1] != arrivals[-1]:
        times.append(arrivals[-1])
    return times


@pytest.mark.parametrize(
    ("attempt", "phrases"),
    [
        (every_arrival, ["redraws at every one of the 43 pieces"]),
        (interval_is_the_rate, ["waited 20 seconds between redraws", "1 / rate"]),
        (no_final_flush, ["the last pieces are never drawn", "final state is always flushed"]),
        (strictly_later, ["pieces exactly one interval apart", "compare with >="]),
        (clock_ticks, ["less than 0.05 s apart, at 0.64 s and 0.6724 s", "not from fixed ticks"]),
        (counts_instead, ["returned an int, not a list of times"]),
        (with_pieces, ["holds (0.64, 'piece')", "(a tuple), not a time in seconds", "not pieces, pairs or text"]),
        (with_none, ["holds None (a NoneType)"]),
        (as_text, ["holds '0.64' (a str)"]),
    ],
)
def test_redraw_moments_mistakes(attempt: Any, phrases: list[str]) -> None:
    assert_verdict(checks.judge_redraw_moments(attempt), "wrong", *phrases)


# Exercise 2: typical mistakes ----------------------------------------------------------------


def shows_everything(text: str, complete: bool) -> str:
    return text


def ignores_complete(text: str, complete: bool) -> str:
    return by_paragraph(text, False)


def by_line(text: str, complete: bool) -> str:
    return text if complete else text[: text.rfind("\n") + 1]


def without_the_blank_line(text: str, complete: bool) -> str:
    return text if complete else text[: max(text.rfind("\n\n"), 0)]


def returns_a_list(text: str, complete: bool) -> list[str]:
    return text.split("\n\n")


def forgets_that_rfind_gives_minus_one(text: str, complete: bool) -> str:
    return text if complete else text[: text.rfind("\n\n") + 2]


def none_until_a_paragraph_ends(text: str, complete: bool) -> Any:
    """Written, but returns None (not "") while no paragraph is finished."""
    if complete:
        return text
    end = text.rfind("\n\n")
    return text[: end + 2] if end >= 0 else None


@pytest.mark.parametrize(
    ("attempt", "phrases"),
    [
        (shows_everything, ["showed a paragraph that is still being written"]),
        (ignores_complete, ["complete=True", "held back the end of a finished answer"]),
        (by_line, ["part of an unfinished paragraph", "blank line"]),
        (returns_a_list, ["returned a list, not a string"]),
    ],
)
def test_reveal_by_paragraph_mistakes(attempt: Any, phrases: list[str]) -> None:
    assert_verdict(checks.judge_reveal_by_paragraph(attempt), "wrong", *phrases)


def test_the_rfind_minus_one_bug_is_named() -> None:
    assert_verdict(checks.judge_reveal_by_paragraph(forgets_that_rfind_gives_minus_one), "wrong", "is -1", "return ''")


def test_a_written_policy_that_returns_none_is_wrong_not_unfinished() -> None:
    assert_verdict(checks.judge_reveal_by_paragraph(none_until_a_paragraph_ends), "wrong", "returned None for", "return ''")


def test_stopping_before_or_after_the_blank_line_are_both_right() -> None:
    assert checks.judge_reveal_by_paragraph(without_the_blank_line).passed


# Exercise 3: typical mistakes ----------------------------------------------------------------


def never_finishes(client: Any, request: dict[str, Any], view: Any) -> Any:
    with client.messages.stream(**request) as stream:
        for text in stream.text_stream:
            view.append(text)
        return stream.get_final_message()


def appends_the_text_so_far(client: Any, request: dict[str, Any], view: Any) -> Any:
    so_far = ""
    with client.messages.stream(**request) as stream:
        for text in stream.text_stream:
            so_far += text
            view.append(so_far)
        view.finish()
        return stream.get_final_message()


def returns_the_text(client: Any, request: dict[str, Any], view: Any) -> str:
    solutions.show_stream(client, request, view)
    return view.text


def forgets_to_return(client: Any, request: dict[str, Any], view: Any) -> None:
    solutions.show_stream(client, request, view)


def streams_without_the_view(client: Any, request: dict[str, Any], view: Any) -> Any:
    with client.messages.stream(**request) as stream:
        return stream.get_final_message()


def changes_the_request(client: Any, request: dict[str, Any], view: Any) -> Any:
    return solutions.show_stream(client, {**request, "max_tokens": 10}, view)


def appends_once_at_the_end(client: Any, request: dict[str, Any], view: Any) -> Any:
    """No progressive rendering at all: the whole text, once, after the stream has ended."""
    with client.messages.stream(**request) as stream:
        message = stream.get_final_message()
    view.append("".join(block.text for block in message.content if block.type == "text"))
    view.finish()
    return message


def collects_then_appends(client: Any, request: dict[str, Any], view: Any) -> Any:
    with client.messages.stream(**request) as stream:
        pieces = list(stream.text_stream)
        for text in pieces:
            view.append(text)
        view.finish()
        return stream.get_final_message()


def finishes_after_every_piece(client: Any, request: dict[str, Any], view: Any) -> Any:
    with client.messages.stream(**request) as stream:
        for text in stream.text_stream:
            view.append(text)
            view.finish()
        return stream.get_final_message()


@pytest.mark.parametrize(
    ("attempt", "phrases"),
    [
        (appends_once_at_the_end, ["only after the whole answer had arrived", "1 append(s)", "inside the loop"]),
        (collects_then_appends, ["only after the whole answer had arrived", "nothing was shown progressively"]),
        (finishes_after_every_piece, ["called view.finish()", "times", "call view.finish() once, after the loop"]),
        (never_finishes, ["never finished", "view.finish()"]),
        (appends_the_text_so_far, ["text so far each time"]),
        (returns_the_text, ["Right: the view showed the whole answer", "returned the text, not the message"]),
        (forgets_to_return, ["returned None"]),
        (streams_without_the_view, ["received no text", "view.append(text)"]),
        (changes_the_request, ["no recording answers"]),
    ],
)
def test_show_stream_mistakes(attempt: Any, phrases: list[str]) -> None:
    assert_verdict(checks.judge_show_stream(attempt), "wrong", *phrases)


# Exercise 4: typical mistakes ----------------------------------------------------------------

md = MarkdownIt("commonmark").enable("table")


def _maps(text: str) -> list[list[int]]:
    return [token.map for token in md.parse(text) if token.level == 0 and token.nesting >= 0 and token.map]


def by_character_offsets(text: str) -> tuple[list[str], str]:
    """Right, another shape: CommonMark without tables, lines kept with their breaks, the tail as a slice."""
    maps = [token.map for token in MarkdownIt().parse(text) if token.level == 0 and token.nesting != -1]
    kept = text.splitlines(keepends=True)
    if not maps:
        return [], text
    frozen = ["".join(kept[start:end]) for start, end in maps[:-1]]
    return frozen, text[sum(len(line) for line in kept[: maps[-1][0]]) :]


def with_a_loop_and_a_tuple(text: str) -> tuple[tuple[str, ...], str]:
    """Right, a third shape: a loop over the tokens, the blocks' text ending in a newline, a tuple of blocks."""
    lines = text.split("\n")
    blocks: list[str] = []
    start = None
    for token in md.parse(text):
        if token.level == 0 and token.nesting >= 0 and token.map:
            if start is not None:
                blocks.append("\n".join(lines[start[0] : start[1]]) + "\n")
            start = token.map
    return tuple(blocks), ("\n".join(lines[start[0] :]) if start else text)


def on_blank_lines(text: str) -> tuple[list[str], str]:
    *frozen, tail = text.split("\n\n")
    return frozen, tail


def the_last_block_too(text: str) -> tuple[list[str], str]:
    lines = text.split("\n")
    return ["\n".join(lines[start:end]) for start, end in _maps(text)], ""


def tokens_instead_of_text(text: str) -> tuple[list[Any], str]:
    tops = [token for token in md.parse(text) if token.level == 0 and token.nesting >= 0]
    return tops[:-1], solutions.split_blocks(text)[1]


def html_instead_of_text(text: str) -> tuple[list[str], str]:
    frozen, tail = solutions.split_blocks(text)
    return [md.render(block) for block in frozen], tail


def _shifted(text: str, first: int, last: int) -> tuple[list[str], str]:
    lines, maps = text.split("\n"), _maps(text)
    if not maps:
        return [], text
    return ["\n".join(lines[start + first : end + last]) for start, end in maps[:-1]], "\n".join(lines[maps[-1][0] :])


def map_end_plus_one(text: str) -> tuple[list[str], str]:
    return _shifted(text, 0, 1)


def map_end_minus_one(text: str) -> tuple[list[str], str]:
    return _shifted(text, 0, -1)


def paragraphs_only(text: str) -> tuple[list[str], str]:
    lines = text.split("\n")
    maps = [token.map for token in md.parse(text) if token.type == "paragraph_open" and token.level == 0 and token.map]
    if not maps:
        return [], text
    return ["\n".join(lines[start:end]) for start, end in maps[:-1]], "\n".join(lines[maps[-1][0] :])


def nested_tokens_too(text: str) -> tuple[list[str], str]:
    lines = text.split("\n")
    maps = [token.map for token in md.parse(text) if token.map is not None and token.nesting >= 0]
    if not maps:
        return [], text
    return ["\n".join(lines[start:end]) for start, end in maps[:-1]], "\n".join(lines[maps[-1][0] :])


def tail_is_the_last_line(text: str) -> tuple[list[str], str]:
    frozen, _ = solutions.split_blocks(text)
    return frozen, text.split("\n")[-1]


def token_content(text: str) -> tuple[list[str], str]:
    tokens = md.parse(text)
    frozen = []
    for n, token in enumerate(tokens):
        if token.level == 0 and token.nesting >= 0:
            inner = tokens[n + 1] if token.nesting == 1 else token
            frozen.append(inner.content if inner.type == "inline" else token.content)
    return frozen[:-1], solutions.split_blocks(text)[1]


ALL_FROZEN: list[str] = []


def appends_to_a_global_list(text: str) -> tuple[list[str], str]:
    frozen, tail = solutions.split_blocks(text)
    ALL_FROZEN.extend(frozen)
    return ALL_FROZEN, tail


CACHE: list[str] = []


def keeps_one_list_and_extends_it(text: str) -> tuple[list[str], str]:
    """Freezes each new block once, into one list it returns every time: the reader's earlier list changes under it."""
    frozen, tail = solutions.split_blocks(text)
    CACHE.extend(frozen[len(CACHE) :])
    return CACHE, tail


def one_list(text: str) -> list[str]:
    frozen, tail = solutions.split_blocks(text)
    return [*frozen, tail]


def _split_with(text: str, parser: MarkdownIt = md) -> tuple[list[str], str]:
    """The rule, with the parser given."""
    lines = text.split("\n")
    maps = [token.map for token in parser.parse(text) if token.level == 0 and token.nesting >= 0 and token.map]
    if not maps:
        return [], text
    return ["\n".join(lines[start:end]) for start, end in maps[:-1]], "\n".join(lines[maps[-1][0] :])


def with_js_default(text: str) -> tuple[list[str], str]:
    """Right, with another preset that has every block rule on."""
    return _split_with(text, MarkdownIt("js-default"))


def tail_from_the_previous_end(text: str) -> tuple[list[str], str]:
    """Right: the tail starts where the block before the last one ends, so it begins with the blank line between them."""
    lines, maps = text.split("\n"), _maps(text)
    if not maps:
        return [], text
    start = maps[-2][1] if len(maps) > 1 else 0
    return ["\n".join(lines[s:e]) for s, e in maps[:-1]], "\n".join(lines[start:])


def frozen_joined_into_one(text: str) -> tuple[str, str]:
    frozen, tail = _split_with(text)
    return "\n\n".join(frozen), tail


def no_guard_for_no_block(text: str) -> tuple[list[str], str]:
    lines, maps = text.split("\n"), _maps(text)
    return ["\n".join(lines[s:e]) for s, e in maps[:-1]], "\n".join(lines[maps[-1][0] :])


def reparses_for_every_token(text: str) -> tuple[list[str], str]:
    """Slow but right: the whole text parsed again for every token (0.14 s a call on a 2,700-character answer)."""
    lines, maps = text.split("\n"), []
    for i in range(len(md.parse(text))):
        token = md.parse(text)[i]
        if token.level == 0 and token.nesting >= 0:
            maps.append(token.map)
    if not maps:
        return [], text
    return ["\n".join(lines[s:e]) for s, e in maps[:-1]], "\n".join(lines[maps[-1][0] :])


def map_as_character_offsets(text: str) -> tuple[list[str], str]:
    maps = _maps(text)
    if not maps:
        return [], text
    return [text[s:e] for s, e in maps[:-1]], text[maps[-1][0] :]


def zero_preset(text: str) -> tuple[list[str], str]:
    return _split_with(text, MarkdownIt("zero"))


def tail_is_the_last_map_only(text: str) -> tuple[list[str], str]:
    lines, maps = text.split("\n"), _maps(text)
    if not maps:
        return [], text
    start, end = maps[-1]
    return ["\n".join(lines[s:e]) for s, e in maps[:-1]], "\n".join(lines[start:end])


def strips_every_block(text: str) -> tuple[list[str], str]:
    frozen, tail = _split_with(text)
    return [block.strip() for block in frozen if block.strip()], tail.strip()


def index_never_moves_on(text: str) -> tuple[list[Any], str]:
    """Its index moves on only at a block's first token. (It gives up after 4 s, so no thread spins on after the test.)"""
    tokens, blocks, i, give_up = md.parse(text), [], 0, time.perf_counter() + 4
    while i < len(tokens) and time.perf_counter() < give_up:
        if tokens[i].level == 0 and tokens[i].nesting >= 0:
            blocks.append(tokens[i].map)
            i += 1
        time.sleep(0.001)
    return blocks, ""


@pytest.mark.parametrize("right", [by_character_offsets, with_a_loop_and_a_tuple, with_js_default, tail_from_the_previous_end])
def test_split_blocks_right_variants_pass(right: Any) -> None:
    assert_verdict(checks.judge_split_blocks(right), "correct", "the same blocks as the rule")


@pytest.mark.parametrize(
    ("attempt", "phrases"),
    [
        (on_blank_lines, ["split at blank lines", "'```python\\nwith open(path) as f:'", "first half of a code block", "token.map"]),
        (the_last_block_too, ["froze every block, the last one too", "still being written", "blocks[:-1]"]),
        (tokens_instead_of_text, ["markdown-it tokens (heading_open)", "lines[start:end]"]),
        (html_instead_of_text, ["returned HTML", "not md.render()"]),
        (map_end_plus_one, ["off by one", "on lines 7 to 11 it gave lines 7 to 12", "end is exclusive"]),
        (map_end_minus_one, ["off by one", "on line 1 it gave no lines", "no + 1 or - 1"]),
        (paragraphs_only, ["froze only paragraphs", "a heading is a block too", "heading_open"]),
        (nested_tokens_too, ["some lines twice", "counted as a block of its own", "token.level == 0"]),
        (tail_is_the_last_line, ["text was lost", "'## What can go wrong'", "lines[last_start:]"]),
        (token_content, ["'Showing user comments safely' for the block '# Showing user comments safely'", "token.content"]),
        (appends_to_a_global_list, ["same text twice", "keeps state between calls", "new list each call"]),
        (keeps_one_list_and_extends_it, ["a block that is not in the text at all", "keeps state between calls"]),
        (one_list, ["one list of strings, not a pair", "return frozen, tail"]),
        (frozen_joined_into_one, ["a pair whose first item is one string", "frozen must be a list of blocks, not one string"]),
        (no_guard_for_no_block, ["given a text with no block at all ('': an empty answer", "raised IndexError", "return [], text"]),
        (
            map_as_character_offsets,
            ["it gave '#' for the block '# Showing user comments safely'", "text[0:1]", "map counts lines, not characters"],
        ),
        (zero_preset, ['as MarkdownIt("zero") has', "heading, fence, list", 'MarkdownIt("commonmark").enable("table")']),
        (
            tail_is_the_last_map_only,
            ["its tail stops where the last block's map ends", "'\\n    ', the text after the last block's map end, is missing"],
        ),
        (
            strips_every_block,
            ["lost the whitespace", "where the text has …'c=x onerror=\"alert(1)\">\\']\\n    '", "no .strip()"],
        ),
    ],
)
def test_split_blocks_mistakes(attempt: Any, phrases: list[str]) -> None:
    ALL_FROZEN.clear()
    CACHE.clear()
    assert_verdict(checks.judge_split_blocks(attempt), "wrong", *phrases)


@pytest.mark.realtime
def test_a_split_that_never_returns_is_named_within_seconds() -> None:
    started = time.perf_counter()
    verdict = checks.judge_split_blocks(index_never_moves_on)
    assert time.perf_counter() - started < 5
    assert_verdict(verdict, "wrong", "never returned", "in the loop at line", "`while i < len(tokens) and")


def test_a_split_that_reparses_for_every_token_is_named_as_slow_within_seconds() -> None:
    started = time.perf_counter()
    verdict = checks.judge_split_blocks(reparses_for_every_token)
    assert time.perf_counter() - started < 5, "a check must stay within its budget"
    assert_verdict(verdict, "wrong", "too slow", "parses the whole text again for every token", "parse once per call")
    assert "while loop" not in str(verdict)


def parses_again_for_every_block(text: str) -> tuple[list[str], str]:
    """Right but wasteful: the text parsed once more for every top-level block (17 parses a call on the comments answer)."""
    lines, maps = text.split("\n"), []
    for token in md.parse(text):
        if token.level == 0 and token.nesting >= 0:
            md.parse(text)
            maps.append(token.map)
    if not maps:
        return [], text
    return ["\n".join(lines[s:e]) for s, e in maps[:-1]], "\n".join(lines[maps[-1][0] :])


def test_a_slowish_split_is_still_right_and_told_to_parse_once() -> None:
    started = time.perf_counter()
    verdict = checks.judge_split_blocks(parses_again_for_every_block)
    assert time.perf_counter() - started < 5, "a check must stay within its budget"
    assert_verdict(verdict, "correct", "the same blocks as the rule", "It parsed the text 17 times a call: once is enough.")


def test_a_line_is_named_even_where_python_gives_none() -> None:
    """Read from another thread, a frame's f_lineno can be None: the line of the instruction before it is named."""
    from helpers.checks.bounded import _line_of

    code = reparses_for_every_token.__code__
    last = max(start for start, _, line in code.co_lines() if line is not None)
    frame = types.SimpleNamespace(f_lineno=None, f_lasti=last, f_code=code)
    assert code.co_firstlineno < _line_of(frame) <= code.co_firstlineno + 10  # type: ignore[arg-type]


def test_the_rule_splits_a_fence_with_a_blank_line_as_one_block() -> None:
    from helpers.checks.lesson04_blocks import expected_split

    split = expected_split("# T\n```py\na\n\nb\n```\n\nLast")
    assert split.frozen == ["# T", "```py\na\n\nb\n```"] and split.tail == "Last"


# Exercise 5: typical mistakes ----------------------------------------------------------------


async def _read(client: Any, request: dict[str, Any], view: Any) -> None:
    async with client.messages.stream(**request) as stream:
        async for text in stream.text_stream:
            view.append(text)


async def cancels_on_a_callback(client: Any, request: dict[str, Any], view: Any, stop: asyncio.Event) -> str:
    """Right, another shape: the Stop event's waiter cancels the reading when it is set."""
    reading = asyncio.create_task(_read(client, request, view))
    watcher = asyncio.create_task(stop.wait())
    watcher.add_done_callback(lambda _: reading.cancel())
    try:
        await reading
        cut = False
    except asyncio.CancelledError:
        cut = True
    watcher.cancel()
    view.finish(cut=cut)
    return str(view.text)


async def cancels_itself(client: Any, request: dict[str, Any], view: Any, stop: asyncio.Event) -> str:
    """Right, a third shape, as StreamView.afeed does it: Stop cancels this very task, which keeps the text."""
    me = asyncio.current_task()
    assert me is not None

    async def on_stop() -> None:
        await stop.wait()
        me.cancel()

    watcher = asyncio.create_task(on_stop())
    try:
        await _read(client, request, view)
        view.finish()
    except asyncio.CancelledError:
        view.finish(cut=True)
    finally:
        watcher.cancel()
    return str(view.text)


async def flag_after_the_loop(client: Any, request: dict[str, Any], view: Any, stop: asyncio.Event) -> str:
    await _read(client, request, view)
    view.finish(cut=stop.is_set())
    return str(view.text)


async def flag_between_pieces(client: Any, request: dict[str, Any], view: Any, stop: asyncio.Event) -> str:
    async with client.messages.stream(**request) as stream:
        async for text in stream.text_stream:
            if stop.is_set():
                break
            view.append(text)
    view.finish(cut=stop.is_set())
    return str(view.text)


async def final_message_after_stop(client: Any, request: dict[str, Any], view: Any, stop: asyncio.Event) -> str:
    async with client.messages.stream(**request) as stream:
        async for text in stream.text_stream:
            if stop.is_set():
                break
            view.append(text)
        message = await stream.get_final_message()
    view.finish(cut=stop.is_set())
    return str(message.content[0].text)


async def final_text_after_the_block(client: Any, request: dict[str, Any], view: Any, stop: asyncio.Event) -> str:
    async with client.messages.stream(**request) as stream:
        async for text in stream.text_stream:
            if stop.is_set():
                break
            view.append(text)
    view.finish(cut=stop.is_set())
    return str(await stream.get_final_text())


async def _wait_then(reading: asyncio.Task[None], stop: asyncio.Event) -> bool:
    """The shared middle of the task-based attempts: True if Stop came first (and the reading was cancelled)."""
    pressed = asyncio.create_task(stop.wait())
    await asyncio.wait([reading, pressed], return_when=asyncio.FIRST_COMPLETED)
    pressed.cancel()
    cut = not reading.done()
    reading.cancel()
    await asyncio.wait([reading])
    return cut


async def swallows_and_reads_on(client: Any, request: dict[str, Any], view: Any, stop: asyncio.Event) -> str:
    async def read() -> None:
        async with client.messages.stream(**request) as stream:
            async for text in stream.text_stream:
                try:
                    view.append(text)
                    await asyncio.sleep(0.001)  # "give the Stop button a chance"
                except asyncio.CancelledError:
                    continue

    cut = await _wait_then(asyncio.create_task(read()), stop)
    view.finish(cut=cut)
    return str(view.text)


async def swallows_so_it_looks_complete(client: Any, request: dict[str, Any], view: Any, stop: asyncio.Event) -> str:
    async def read() -> None:
        try:  # noqa: SIM105 (as a student writes it)
            await _read(client, request, view)
        except asyncio.CancelledError:
            pass

    reading = asyncio.create_task(read())
    watcher = asyncio.create_task(stop.wait())
    watcher.add_done_callback(lambda _: reading.cancel())
    await reading
    watcher.cancel()
    view.finish(cut=reading.cancelled())
    return str(view.text)


async def without_async_with(client: Any, request: dict[str, Any], view: Any, stop: asyncio.Event) -> str:
    stream = await client.messages.create(**request, stream=True)
    async for event in stream:
        if stop.is_set():
            view.finish(cut=True)
            return str(view.text)
        if event.type == "content_block_delta" and event.delta.type == "text_delta":
            view.append(event.delta.text)
    view.finish()
    return str(view.text)


async def clears_the_view(client: Any, request: dict[str, Any], view: Any, stop: asyncio.Event) -> str:
    if await _wait_then(asyncio.create_task(_read(client, request, view)), stop):
        view.withdraw("Stopped.")
        return ""
    view.finish()
    return str(view.text)


async def waits_with_time_sleep(client: Any, request: dict[str, Any], view: Any, stop: asyncio.Event) -> str:
    reading = asyncio.create_task(_read(client, request, view))
    while not reading.done() and not stop.is_set():
        time.sleep(0.01)
    reading.cancel()
    view.finish(cut=stop.is_set())
    return str(view.text)


async def not_marked_as_cut(client: Any, request: dict[str, Any], view: Any, stop: asyncio.Event) -> str:
    await _wait_then(asyncio.create_task(_read(client, request, view)), stop)
    view.finish()
    return str(view.text)


async def waits_for_stop_first(client: Any, request: dict[str, Any], view: Any, stop: asyncio.Event) -> str:
    await stop.wait()
    return str(view.text)


def a_plain_def(client: Any, request: dict[str, Any], view: Any, stop: asyncio.Event) -> str:
    with client.messages.stream(**request) as stream:
        for text in stream.text_stream:
            view.append(text)
    return str(view.text)


async def returns_the_message(client: Any, request: dict[str, Any], view: Any, stop: asyncio.Event) -> Any:
    async with client.messages.stream(**request) as stream:
        async for text in stream.text_stream:
            view.append(text)
        view.finish()
        return await stream.get_final_message()


async def never_finishes_the_view(client: Any, request: dict[str, Any], view: Any, stop: asyncio.Event) -> str:
    await _wait_then(asyncio.create_task(_read(client, request, view)), stop)
    return str(view.text)


async def catches_the_cancel(client: Any, request: dict[str, Any], view: Any, stop: asyncio.Event) -> str:
    """Right: awaits the cancelled task and catches the CancelledError that awaiting it re-raises."""
    reading = asyncio.create_task(_read(client, request, view))
    pressed = asyncio.create_task(stop.wait())
    await asyncio.wait([reading, pressed], return_when=asyncio.FIRST_COMPLETED)
    pressed.cancel()
    cut = not reading.done()
    if cut:
        reading.cancel()
        try:  # noqa: SIM105 (as a student writes it)
            await reading
        except asyncio.CancelledError:
            pass
    view.finish(cut=cut)
    return str(view.text)


async def returns_right_after_cancel(client: Any, request: dict[str, Any], view: Any, stop: asyncio.Event) -> str:
    reading = asyncio.create_task(_read(client, request, view))
    pressed = asyncio.create_task(stop.wait())
    await asyncio.wait([reading, pressed], return_when=asyncio.FIRST_COMPLETED)
    pressed.cancel()
    cut = not reading.done()
    if cut:
        reading.cancel()
    view.finish(cut=cut)
    return str(view.text)


async def awaits_the_cancelled_task(client: Any, request: dict[str, Any], view: Any, stop: asyncio.Event) -> str:
    reading = asyncio.create_task(_read(client, request, view))
    pressed = asyncio.create_task(stop.wait())
    await asyncio.wait([reading, pressed], return_when=asyncio.FIRST_COMPLETED)
    pressed.cancel()
    cut = not reading.done()
    if cut:
        reading.cancel()
        await reading
    view.finish(cut=cut)
    return str(view.text)


async def a_timeout_of_its_own(client: Any, request: dict[str, Any], view: Any, stop: asyncio.Event) -> str:
    try:
        await asyncio.wait_for(_read(client, request, view), timeout=0.3)
        cut = False
    except TimeoutError:
        cut = True
    view.finish(cut=cut)
    return str(view.text)


async def waits_on_a_bare_coroutine(client: Any, request: dict[str, Any], view: Any, stop: asyncio.Event) -> str:
    reading = asyncio.create_task(_read(client, request, view))
    await asyncio.wait([reading, stop.wait()], return_when=asyncio.FIRST_COMPLETED)  # type: ignore[list-item]
    view.finish(cut=not reading.done())
    return str(view.text)


@pytest.mark.realtime
@pytest.mark.parametrize("right", [cancels_on_a_callback, cancels_itself, catches_the_cancel])
def test_read_until_stopped_right_variants_pass(right: Any) -> None:
    assert_verdict(checks.judge_read_until_stopped(right), "correct", "marked as cut")


@pytest.mark.realtime
@pytest.mark.parametrize(
    ("attempt", "phrases"),
    [
        (flag_after_the_loop, ["while pieces were arriving", "reading went on", "to the end of the answer", "cancel it when stop is set"]),
        (flag_between_pieces, ["while the model was silent", "waited for the next piece", "cancelling wakes it"]),
        (final_message_after_stop, ["HTTP body was still read to its end", "don't call get_final_message()"]),
        (final_text_after_the_block, ["raised ReadError", "get_final_message() or get_final_text()", "return view.text"]),
        (swallows_and_reads_on, ["reading went on", "caught the CancelledError and carried on", "don't swallow CancelledError"]),
        (swallows_so_it_looks_complete, ["says the answer is complete", "caught the CancelledError", "don't swallow CancelledError"]),
        (without_async_with, ["HTTP response was still open when read_until_stopped returned", "async with client.messages.stream"]),
        (clears_the_view, ["withdrew the text", "view.finish(cut=True)"]),
        (
            waits_with_time_sleep,
            ["never ended", "without ever awaiting", "`while not reading.done() and not stop.is_set():`", "never with time.sleep"],
        ),
        (not_marked_as_cut, ["says it is complete", "view.finish(cut=True)"]),
        (never_finishes_the_view, ["never finished", "view.finish()"]),
        (waits_for_stop_first, ["without Stop", "never ended", "still waiting", "`await stop.wait()`"]),
        (a_plain_def, ["does not support the context manager protocol", "async with"]),
        (returns_the_message, ["returned a ParsedMessage, not the text", "view.text"]),
        (
            returns_right_after_cancel,
            [
                "HTTP response was still open when read_until_stopped returned",
                "cancel() only asks; wait for the task to end (await asyncio.wait([reading])) so its async with closes "
                "the response before you return",
            ],
        ),
        (
            awaits_the_cancelled_task,
            ["raised CancelledError", "awaiting a cancelled task re-raises CancelledError", "catch it", "asyncio.wait([reading])"],
        ),
        (
            a_timeout_of_its_own,
            ["returned after 0.3 s, before Stop was pressed", "never looks at `stop`", "timer of its own", "stop.wait()"],
        ),
    ],
)
def test_read_until_stopped_mistakes(attempt: Any, phrases: list[str]) -> None:
    started = time.perf_counter()
    verdict = checks.judge_read_until_stopped(attempt)
    assert time.perf_counter() - started < 5.5, "a check must stay within its budget"
    assert_verdict(verdict, "wrong", *phrases)
    assert "event loop never ran its click" not in str(verdict)


@pytest.mark.realtime
def test_a_bare_coroutine_is_named_and_its_warning_stays_inside_the_check() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        verdict = checks.judge_read_until_stopped(waits_on_a_bare_coroutine)
        gc.collect()
    assert_verdict(verdict, "wrong", "Passing coroutines is forbidden", "asyncio.create_task(stop.wait())")
    assert not [warning for warning in caught if "never awaited" in str(warning.message)]


# Pictures ------------------------------------------------------------------------------------


def test_cost_plot_has_one_bar_per_way() -> None:
    costs = {"a": ViewStats(redraws=10, bytes=5000), "b": ViewStats(redraws=2, bytes=1000)}
    figure = pictures.plot_costs(costs, final_bytes=900)
    left, right = figure.axes
    assert [patch.get_width() for patch in left.patches] == [10, 2]
    assert [patch.get_width() for patch in right.patches] == [5.0, 1.0]
    matplotlib.pyplot.close(figure)


def test_reveal_plot_draws_each_policy() -> None:
    figure = pictures.plot_reveal([(0.5, "Yes. "), (1.0, "But.\n\nNo")], complete_at=1.2, caveat_at=1.0)
    lines = [line for line in figure.axes[0].get_lines() if line.get_label() and not line.get_label().startswith("_")]
    assert [line.get_label() for line in lines] == ["token by token", "by sentence", "by paragraph", "when complete"]
    assert lines[3].get_ydata()[-1] == len("Yes. But.\n\nNo") and max(lines[3].get_ydata()[:-1]) == 0
    matplotlib.pyplot.close(figure)


def test_stop_path_splits_the_pieces_at_stop_and_draws_every_step() -> None:
    figure = stop_path.plot_stop_path([(0.5, "ab"), (1.0, "cd"), (1.5, "efg")], stopped_at=1.0)
    line, chain = figure.axes
    labels = [text.get_text() for text in line.get_legend().get_texts()]
    assert labels == ["read and shown (2 pieces, 4 characters)", "never read (1 piece, 3 characters)"]
    shown = [text.get_text() for text in chain.texts if text.get_text()]  # the arrows are empty annotations
    assert shown == [line for step in stop_path.STEPS for line in step]
    matplotlib.pyplot.close(figure)


def test_moments_table_shows_raw_markdown_then_the_render() -> None:
    table = pictures.moments_table([(0.5, "# Title\n\n**bo"), (1.0, "ld**")], [0.6, 1.0], complete_at=1.0)
    early, done = table.split("<tr>")[2:]
    assert "# Title" in early and "<h1>Title</h1>" in early
    assert "<strong>bold</strong>" in done and "# Title" not in done


# The notebook ---------------------------------------------------------------------------------


def test_live_cells_are_ignored_by_nbval_and_followed_by_a_deterministic_cell() -> None:
    # A notebook is JSON; reading it as such spares the quick loop nbformat's slow imports.
    cells = [cell for cell in json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"] if cell["cell_type"] == "code"]
    sources = ["".join(cell["source"]) for cell in cells]
    live = [
        n
        for n, source in enumerate(sources)
        if "display(" in source and ("StreamView" in source or "side_by_side" in source or "widgets.HTML" in source)
    ]
    assert len(live) >= 6
    for n in live:
        assert "nbval-ignore-output" in cells[n]["metadata"].get("tags", []), sources[n]
        assert "nbval-ignore-output" not in cells[n + 1]["metadata"].get("tags", []), sources[n + 1]
    tagged = [n for n, cell in enumerate(cells) if "nbval-ignore-output" in cell["metadata"].get("tags", [])]
    assert tagged == live
