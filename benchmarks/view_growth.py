"""View growth: does ``StreamView``'s CPU grow with the length of the answer, or with its square?

Four kinds of Markdown answer, each at several lengths, are fed one character at a time into
the default view (``StreamView(widgets=True)``, streaming Markdown, 20 redraws/s, budget 1, pause
<= 0.5 s) on a clock that advances as a real stream would: 4 characters per token, 75 tokens a
second, so the redraws are those a lesson would make. Per answer it measures the process time
of every ``append`` and the final ``finish`` (rendering and the widgets' own work) and checks
the final HTML against one render of the whole text. Linear growth means the same seconds per
100,000 characters at every length; the row gives that figure at each length and the ratio of the
longest's to the shortest's.
"""

from __future__ import annotations

import gc
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from helpers.views.markdown_blocks import render_markdown
from helpers.views.stream_view import StreamView

from .table import Result

NAME = "view_growth"
CHARS_PER_TOKEN = 4
TOKENS_PER_SECOND = 75.0
SECONDS_TARGET = 2.0  # per 100,000 characters, at every length
GROWTH_TARGET = 1.5  # seconds per character at the longest length / at the shortest
_WORDS = ("the", "stream", "view", "renders", "each", "block", "once", "while", "text", "keeps", "arriving", "from", "a", "model")


def prose(length: int, seed: int = 1) -> str:
    """Sections of a heading, paragraphs with inline Markdown, a bullet list and a numbered list."""
    rng = random.Random(seed)
    parts: list[str] = []
    size = 0
    while size < length:
        section = len(parts)
        paragraphs = [_sentences(rng, rng.randint(3, 7)) for _ in range(rng.randint(2, 4))]
        bullets = "".join(f"- {_sentences(rng, 1)}\n" for _ in range(rng.randint(2, 5)))
        steps = "".join(f"{n}. {_sentences(rng, 1)}\n" for n in range(1, rng.randint(3, 5)))
        part = f"## Section {section}\n\n" + "\n\n".join(paragraphs) + f"\n\n{bullets}\n{steps}\n"
        parts.append(part)
        size += len(part)
    return "".join(parts)[:length]


def table(length: int, seed: int = 2) -> str:
    """One long table whose cells hold inline Markdown."""
    rng = random.Random(seed)
    rows = ["| # | name | value | note |\n|---:|:---|---:|:---:|\n"]
    size = len(rows[0])
    while size < length:
        row = f"| {len(rows)} | `{rng.choice(_WORDS)}` | {rng.randint(0, 10**6):,} | *{rng.choice(_WORDS)}* {rng.choice(_WORDS)} |\n"
        rows.append(row)
        size += len(row)
    return "".join(rows)[:length]


def code(length: int, seed: int = 3) -> str:
    """One long fenced code block, never closed while it streams."""
    rng = random.Random(seed)
    lines = ["Here is the code:\n\n```python\n"]
    size = len(lines[0])
    while size < length:
        line = f'    {rng.choice(_WORDS)}_{len(lines)} = render("<{rng.choice(_WORDS)}>") & {rng.randint(0, 999)}  # *not emphasis*\n'
        lines.append(line)
        size += len(line)
    return "".join(lines)[:length]


def links(length: int, seed: int = 4) -> str:
    """Paragraphs citing sources, each source's definition after the paragraph that first cites it."""
    rng = random.Random(seed)
    parts = ['[home]: https://example.com "The course"\n\n']
    size = len(parts[0])
    while size < length:
        n = len(parts)
        text = _sentences(rng, rng.randint(2, 4))
        definition = f'[source {n}]: https://example.com/sources/{n} "Source {n}"'
        part = f"{text} See [source {n}], [source {max(n - 1, 1)}] and [home].\n\n{definition}\n\n"
        parts.append(part)
        size += len(part)
    return "".join(parts)[:length]


def _sentences(rng: random.Random, count: int) -> str:
    sentences = []
    for _ in range(count):
        words = [rng.choice(_WORDS) for _ in range(rng.randint(6, 16))]
        styled = rng.randrange(len(words))
        words[styled] = rng.choice(["*{}*", "**{}**", "`{}`"]).format(words[styled])
        sentences.append(" ".join(words).capitalize() + ".")
    return " ".join(sentences)


class TokenClock:
    """A recording's clock that the feeding loop moves: each token arrives 1/75 s after the one before."""

    def __init__(self) -> None:
        self.now = 0.0

    def elapsed(self) -> float:
        return self.now


@dataclass(frozen=True)
class Run:
    """One answer fed into a view: its length, the CPU it took, what it sent, and whether it ended right."""

    length: int
    seconds: float
    redraws: int
    bytes: int
    html_matches: bool

    @property
    def per_100k(self) -> float:
        return self.seconds / self.length * 100_000


def feed(text: str) -> Run:
    """Feed ``text`` one character at a time into a default widget view, on a clock paced like a stream."""
    clock = TokenClock()
    times = [(n // CHARS_PER_TOKEN) / TOKENS_PER_SECOND for n in range(len(text))]
    view = StreamView(clock=clock, widgets=True)
    gc.collect()
    started = time.process_time()
    for character, clock.now in zip(text, times, strict=True):
        view.append(character)
    view.finish()
    seconds = time.process_time() - started
    return Run(len(text), seconds, view.stats.redraws, view.stats.bytes, view.html == render_markdown(text))


KINDS: dict[str, tuple[Callable[[int], str], tuple[int, ...], tuple[int, ...]]] = {
    # name: (answer of a given length, lengths, lengths with --quick)
    "prose (headings, paragraphs, lists)": (prose, (10_000, 100_000, 1_000_000), (10_000, 100_000)),
    "one long table": (table, (10_000, 30_000, 100_000), (10_000, 30_000)),
    "one long code block": (code, (10_000, 30_000, 100_000), (10_000, 30_000)),
    "link definitions between paragraphs": (links, (10_000, 30_000, 100_000), (10_000, 30_000)),
}


def run(quick: bool) -> list[Result]:
    """One row per kind of answer: seconds per 100k characters at each length, and their growth."""
    results = []
    for label, (make, lengths, quick_lengths) in KINDS.items():
        runs = [feed(make(length)) for length in (quick_lengths if quick else lengths)]
        growth = runs[-1].per_100k / runs[0].per_100k
        matches = all(r.html_matches for r in runs)
        passed = matches and growth <= GROWTH_TARGET and all(r.per_100k <= SECONDS_TARGET for r in runs)
        sizes = ", ".join(f"{r.length / 1000:,.0f}k: {r.per_100k:.2f}" for r in runs)
        results.append(
            Result(
                f"view growth, {label}",
                f"s per 100k chars at {sizes}; growth {growth:.2f}x; longest: {runs[-1].redraws:,} redraws, "
                f"{runs[-1].bytes / 1e6:,.1f} MB of HTML sent"
                f"{'' if matches else '; FINAL HTML DIFFERS'}",
                f"<= {SECONDS_TARGET:g} s per 100k, growth <= {GROWTH_TARGET:g}x",
                passed,
            )
        )
    return results
