"""Lesson 04: the exercise checks accept the reference solutions, name each typical mistake and
never crash on unfinished work; the pictures' data is right; live cells are set up for nbval."""

from __future__ import annotations

import importlib.util
import json
from typing import Any

import matplotlib
import pytest
from paths import ROOT

from helpers.checks import lesson04 as checks
from helpers.views import pictures
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
JUDGES = [checks.judge_redraw_moments, checks.judge_reveal_by_paragraph, checks.judge_show_stream]


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


@pytest.mark.parametrize("judge", JUDGES)
def test_unfinished_work_or_a_call_instead_of_a_function_never_crashes(judge: Any) -> None:
    for body in (unfinished, not_implemented):
        assert_verdict(judge(body), "unfinished", "To do:")
    assert_verdict(judge(None), "wrong", "got None", "without parentheses")


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
