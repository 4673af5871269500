"""Lesson 04's quiz: what a redraw costs, throttling, frozen Markdown blocks, the healed tail, Stop, reveal policies and untrusted HTML.

Behaviour checked against the lesson's own helpers (``helpers.views.throttle.redraw_times``,
``helpers.views.markdown_blocks.MarkdownBlocks``, run as printed) and markdown-it-py's
``MarkdownIt()``, whose CommonMark preset passes raw HTML through. On anthropic 2.14.0 the
snapshot after a cancelled stream keeps ``message_start``'s early ``usage.output_tokens`` and a
``stop_reason`` of ``None`` (``accumulate_event`` in ``lib/streaming/_messages.py`` sets both only
at ``message_delta``); the values printed are the lesson's section 6 output.
"""

from __future__ import annotations

from helpers.teaching.quiz import Choice, Order, Quiz

THROTTLED = """\
arrivals = [0.0, 0.01, 0.02, 0.06, 0.07]
print(throttle.redraw_times(arrivals, 20))"""

FROZEN = """\
for text_so_far in ["1. a\\n\\nNext", "1. a\\n\\n2"]:
    print(len(MarkdownBlocks().update(text_so_far).frozen))"""

HEALED = """\
for text_so_far in ["Steps:\\n-", "Run **pip inst"]:
    print(MarkdownBlocks().update(text_so_far, heal=True).html.strip())"""

AFTER_STOP = """\
async with async_client.messages.stream(**comments_request) as stream:
    kept = await stoppable.afeed(stream.text_stream)  # Stop is pressed at 2 s
snapshot = stream.current_message_snapshot
print(snapshot.stop_reason, snapshot.usage.output_tokens, stream.response.is_closed)"""

RAW_HTML = """\
from markdown_it import MarkdownIt

view = widgets.HTML()
display(view)
with client.messages.stream(**comments_request) as stream:
    view.value = MarkdownIt().render(stream.get_final_text())"""


def quiz() -> Quiz:
    """A fresh quiz (its score starts at zero)."""
    return Quiz(
        "Lesson 04 · Quick quiz",
        [
            Choice(
                "A view renders the whole answer and sets the widget's `value` at every piece. Why does that cost so much?",
                (
                    "Each update sends the whole answer again, so what is sent grows with the square of the answer's length.",
                    "A widget sends only what changed; the cost is that rendering Markdown is slow.",
                    "Streaming makes the model send more tokens.",
                ),
                0,
                (
                    "Right: 231 updates sent 0.41 MB for an answer whose HTML is 3.4 kB, and the kernel rendered and the browser redrew "
                    "everything each time.",
                    "A widget sends its whole value at every assignment: rendering the whole text again is part of the cost, the bytes "
                    "are the rest.",
                    "The tokens are the same; the cost is how often the view is redrawn and how much each redraw sends.",
                ),
            ),
            Choice(
                "Pieces arrive at these times, in seconds; the view redraws at most 20 times a second.",
                ("[0.0, 0.06, 0.07]", "[0.0, 0.06]", "[0.0, 0.05, 0.07]", "[0.0, 0.01, 0.02, 0.06, 0.07]"),
                0,
                (
                    "Right: 0.01 and 0.02 wait for the redraw at 0.06, at least 1/20 s after the last; 0.07 comes too soon after it, but "
                    "it is the last piece, so the final flush draws it (view.finish()).",
                    "Without a final flush the last piece would never be drawn: the answer's last words would stay invisible.",
                    "A redraw happens when a piece arrives, not on a timer: nothing arrives at 0.05.",
                    "That is every piece, the view without a throttle: 0.01 and 0.02 come less than 1/20 s after the redraw at 0.0.",
                ),
                code=THROTTLED,
                kind="prints",
            ),
            Choice(
                "`MarkdownBlocks().update(text)` returns the finished blocks, rendered once and frozen, and the open tail. "
                "Each option gives the two printed numbers.",
                ("1 and 1", "1 and 0", "0 and 0", "2 and 2"),
                1,
                (
                    "A bare 2 after a numbered list may still become “2.”, the list's second item: while the line being written is a "
                    "bare number, the list stays open.",
                    "Right: a block is finished once the next has begun and nothing still to come can join the two; a list followed by "
                    "“Next” is. Only the open tail is rendered again at each redraw.",
                    "“Next” cannot join the list, whatever follows it, so the list is finished and frozen.",
                    "The last block is the open tail, still being written: it is rendered again at each redraw, not frozen.",
                ),
                code=FROZEN,
                kind="prints",
            ),
            Choice(
                "The view heals the open tail while text arrives (`heal=True`). Each option gives the two printed lines.",
                (
                    "<p>Steps:</p> and <p>Run <strong>pip inst</strong></p>",
                    "<h2>Steps:</h2> and <p>Run **pip inst</p>",
                    "<p>Steps:</p><ul><li></li></ul> and <p>Run pip inst</p>",
                    "<p>Steps:</p> and <p>Run **pip inst**</p>",
                ),
                0,
                (
                    "Right: a line of only markers waits for its content (a lone - under a line would make it a heading for a moment), "
                    "and the open ** is closed, so the words show bold as they will end up. finish() renders the text as it is.",
                    "That is the tail as markdown-it renders it, not healed: the - turns the line above into a setext heading, and "
                    "the ** shows raw until its closer arrives.",
                    "The lone - is held back, not drawn as an empty item; and the bold is kept, closed, not dropped.",
                    "The closer goes into the Markdown, not onto the screen: rendered, **pip inst** is bold, with no stars.",
                ),
                code=HEALED,
                kind="prints",
            ),
            Choice(
                "Under replay at no-wait speed, a throttled view makes as many redraws as at speed 1. Why?",
                (
                    "Its throttle reads helpers.stopwatch(client), which under replay is the recording's clock.",
                    "At no-wait speed the view redraws at every piece, which happens to give the same count.",
                    "The view keeps the redraw count of its first run.",
                ),
                0,
                (
                    "Right: the pieces carry their recorded arrival times at any replay speed; live, the stopwatch is real time.",
                    "It is throttled at every speed; what it throttles by is the arrival times it reads, and those are the recording's.",
                    "Nothing is kept between runs; the count comes from the recorded arrival times.",
                ),
            ),
            Choice(
                "Why does the Stop button need `AsyncAnthropic` in a notebook?",
                (
                    "A cell running a synchronous loop keeps the kernel busy, so the click is handled only after the loop ends; an "
                    "async cell handles it while it awaits the next piece.",
                    "Only AsyncAnthropic can close an HTTP response before the answer ends.",
                    "Widget buttons only work in async code.",
                ),
                0,
                (
                    "Right: a click is a message to the kernel; `await view.afeed(stream.text_stream)` lets it through, and the click "
                    "cancels the reading.",
                    "A break in a synchronous loop ends the with block, which closes the response too (lesson 01); what that loop "
                    "cannot do is hear a click.",
                    "A click works in any cell, but it is handled only when the kernel is free; async code frees it while it waits.",
                ),
            ),
            Choice(
                "Stop is pressed 2 s into a 10-second answer. Its `message_start` said `output_tokens=1`.",
                (
                    "None 1 True",
                    "None 1 False",
                    "end_turn 1 True",
                    "None, the number of tokens received so far, True",
                ),
                0,
                (
                    "Right: the events that carry the stop reason and the final count never arrived, and leaving async with closed the "
                    "response. Keep the partial text; do not call get_final_message().",
                    "Leaving the async with block closes the HTTP response, so nothing more is read.",
                    "stop_reason comes in message_delta, near the end: after Stop it never arrived.",
                    "The count is not updated piece by piece: it stays at message_start's early count.",
                ),
                code=AFTER_STOP,
                kind="prints",
            ),
            Choice(
                "Asked whether ibuprofen every day is OK, the answer starts “For a short while, yes” and says who should not take it "
                "at all three seconds later. Which reveal policy?",
                (
                    "Token by token: the caveats arrive within seconds anyway.",
                    "By sentence: a whole sentence cannot mislead.",
                    "Hold it until complete, with a progress line; or at least by paragraph, if the caveats share the claim's paragraph.",
                    "Any: only a system prompt changes what the reader sees first.",
                ),
                2,
                (
                    "In those seconds the reader has the “yes” and a dose, and may act on them before the warning comes.",
                    "The first sentence is the “yes”: by sentence shows it alone, before its caveat.",
                    "Right: choose by what a reader could do with an unqualified statement; medical, legal or financial advice waits.",
                    "A system prompt asking for the safety information first helps; the policy decides how much of the answer's order "
                    "the reader sees.",
                ),
            ),
            Choice(
                'The answer quotes `<img src=x onerror="...">` in its prose. What is wrong with this view?',
                (
                    "Nothing: rendering once, after completion, is safe.",
                    "MarkdownIt() is CommonMark, which passes raw HTML through; the widget puts it in the page with innerHTML, so "
                    "onerror runs.",
                    "widgets.HTML escapes its value, so the reader sees tags instead of the rendered Markdown.",
                ),
                1,
                (
                    "When it is rendered does not matter, what is rendered does: the tag goes into the page as HTML.",
                    "Right: render with raw HTML off (or sanitize), and refuse javascript: and other non-web link addresses, as "
                    "render_markdown does.",
                    "An ipywidgets.HTML widget puts its value into the page with innerHTML, without any sanitizer.",
                ),
                code=RAW_HTML,
                kind="bug",
            ),
            Order(
                "Stopping an answer with the Stop button, from first to last.",
                (
                    "await view.afeed(stream.text_stream) starts reading and shows a Stop button",
                    "the reader clicks Stop while the cell awaits the next piece",
                    "the kernel handles the click, and the reading is cancelled",
                    "afeed returns the text received so far, and the view marks itself as cut",
                    "the async with block ends and closes the HTTP response",
                ),
                shown=(2, 4, 0, 3, 1),
                explanation=(
                    "The click is heard because the cell awaits; cancelling the reading ends afeed with the partial text, and leaving "
                    "async with closes the response, so nothing more is read."
                ),
            ),
        ],
    )
