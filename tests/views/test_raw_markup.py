"""The raw-markup detector: it names each kind of half-written syntax a reader could see, and never
blames a frame for markup the finished answer shows as text too."""

from __future__ import annotations

import pytest

from helpers.views.raw_markup import raw_markup, visible_markup
from helpers.views.safe_markdown import render_markdown
from helpers.views.tail_healing import CARET


@pytest.mark.parametrize(
    ("partial", "whole", "kinds"),
    [
        ("Use `pip", "Use `pip` here.", ["`"]),
        ("Some **bo", "Some **bold**.", ["*"]),
        ("| a | b |", "| a | b |\n|---|---|\n| 1 | 2 |", ["|"]),
        ("See [the docs](https://exa", "See [the docs](https://example.com).", ["[", "]"]),
        ("Steps:\n-", "Steps:\n- one", ["<h2>"]),  # a setext heading, for a moment
        ("Intro\n\n#", "Intro\n\n# Title", ["empty <h1>"]),
        ("- a\n- ", "- a\n- b", ["empty <li>"]),
        ("A chart: ![ch", "A chart: ![chart](/c.png)", ["!", "["]),
    ],
)
def test_each_kind_of_raw_markup_is_named(partial: str, whole: str, kinds: list[str]) -> None:
    assert raw_markup(render_markdown(partial), visible_markup(render_markdown(whole))) == kinds


def test_markup_the_final_answer_shows_as_text_is_not_raw() -> None:
    whole = "Pass **kwargs** or \\*args, 2 * 3, `a|b`, and [1] as written."
    final = visible_markup(render_markdown(whole))
    assert raw_markup(render_markdown(whole), final) == []
    for complete in ("**kwargs**", "\\*args", "2 * 3", "`a|b`", "[1]"):
        end = whole.index(complete) + len(complete)
        assert raw_markup(render_markdown(whole[:end]), final) == [], whole[:end]


def test_code_and_the_caret_are_not_counted() -> None:
    seen = visible_markup(f"<p>a <code>**x**</code> b{CARET}</p><pre><code>| y |</code></pre>")
    assert not {kind: n for kind, n in seen.items() if n}
