"""Lesson 01's quiz: what streaming changes, when the request goes out, and the three classic mistakes.

Behaviour checked on anthropic 2.14.0 (``lib/streaming/_messages.py``): the request is sent in
``MessageStreamManager.__enter__``; ``get_final_message()`` calls ``until_done()``, which reads
the rest of the stream.
"""

from __future__ import annotations

from helpers.teaching.quiz import Choice, Order, Quiz

STREAM_THEN_BREAK = """\
with client.messages.stream(**request) as stream:
    for n, text in enumerate(stream.text_stream):
        print(text, end="", flush=True)
        if n == 1:
            break
    message = stream.get_final_message()
print(len(message.content[0].text))"""

TWO_LOOPS = """\
with client.messages.stream(**request) as stream:
    for event in stream:
        print("event:", event.type)
        for text in stream.text_stream:
            print(text, end="", flush=True)"""

NO_FLUSH = """\
with client.messages.stream(**request) as stream:
    for text in stream.text_stream:
        print(text)"""


def quiz() -> Quiz:
    """A fresh quiz (its score starts at zero)."""
    return Quiz(
        "Lesson 01 · Quick quiz",
        [
            Choice(
                "An answer takes 10 s to generate. What does streaming change?",
                (
                    "The first words appear far sooner; the whole answer still takes about 10 s.",
                    "The whole answer arrives sooner, because the model generates faster.",
                    "Nothing a reader notices: only the number of HTTP requests changes.",
                    "The answer costs fewer tokens.",
                ),
                0,
                (
                    "Time to first token drops to well under a second; the model is no faster, so the end comes when it would have.",
                    "The model generates at the same speed streamed or not: only when you see the text changes.",
                    "It is still one HTTP request, and the reader sees text within a second instead of after ten.",
                    "The tokens are the same; streaming changes how they travel, not what they cost.",
                ),
            ),
            Choice(
                "When does `client.messages.stream(...)` send the request?",
                (
                    "When the call to stream(...) is made.",
                    "When the with block is entered.",
                    "At the first iteration of text_stream.",
                    "When get_final_message() is called.",
                ),
                1,
                (
                    "The call only builds a manager; nothing is sent until `with` enters it.",
                    "Right: entering the with block sends the request; iterating then reads the body piece by piece.",
                    "By the first iteration the request is already out: entering `with` sent it.",
                    "That only waits for the rest of a stream that is already flowing.",
                ),
            ),
            Choice(
                "The answer is 400 characters long.",
                (
                    "The first two pieces, then 400.",
                    "The first two pieces, then the length of those two pieces.",
                    "The first two pieces, then an error: the stream was left early.",
                    "400 only: break skips the prints.",
                ),
                0,
                (
                    "get_final_message() reads the rest of the stream before it returns, so stopping early saved nothing.",
                    "The message is not what you received: get_final_message() waits for the whole answer.",
                    "Inside the with block the stream is still open: get_final_message() simply reads on.",
                    "Both pieces were printed before the break.",
                ),
                code=STREAM_THEN_BREAK,
                kind="prints",
            ),
            Choice(
                "You stopped early. What does `stream.current_message_snapshot.usage.output_tokens` hold?",
                (
                    "The number of tokens you received.",
                    "The early count sent when the answer started, not what you received.",
                    "Zero: usage is filled in only at the end.",
                    "The final count: the API sends it first.",
                ),
                1,
                (
                    "The count is not updated piece by piece: the final one arrives near the end, which you never read.",
                    "Right: the final count comes in the last events; stop_reason is still None too.",
                    "It is not zero: the start of the answer already carries an early usage.",
                    "The final count comes at the end, after the text.",
                ),
            ),
            Choice(
                "This prints the type of each event and the text. What goes wrong?",
                (
                    "Nothing: both loops see every event.",
                    "The two loops share one iterator: the inner loop drains the rest after the first event.",
                    "text_stream can only be used outside a with block.",
                    "flush=True makes the event lines appear out of order.",
                ),
                1,
                (
                    "A stream is read once; each event goes to whichever loop asks next.",
                    "Right: one loop over the events, reading the text from events of type 'text', sees everything.",
                    "text_stream belongs inside the with block; the bug is the second loop.",
                    "flush only decides when text appears, not the order.",
                ),
                code=TWO_LOOPS,
                kind="bug",
            ),
            Choice(
                "What is wrong with this, run in a terminal?",
                (
                    "Each piece starts a new line, and without flush text may wait in the buffer.",
                    "print cannot take a piece of a stream.",
                    "Nothing: print always shows output at once.",
                    "It prints every piece twice.",
                ),
                0,
                (
                    'Right: print(text, end="", flush=True) joins the pieces and shows each one at once.',
                    "print takes any str; the trouble is the line breaks and the buffering.",
                    "A pipe or a log file only gets text when the buffer fills or the program ends; a terminal a line at a time.",
                    "Each piece is printed once, but on its own line.",
                ),
                code=NO_FLUSH,
                kind="bug",
            ),
            Choice(
                "Under replay at speed 0, `time.perf_counter()` says the first token came after 0.001 s. Why?",
                (
                    "The recording was made on a very fast network.",
                    "Speed 0 serves the recording without waiting; helpers.stopwatch(client) reads the recorded time.",
                    "perf_counter is not precise enough.",
                    "The SDK caches the first token.",
                ),
                1,
                (
                    "Recorded times were real; replay at speed 0 simply does not wait for them.",
                    "Right: the stopwatch reads the recording's clock under replay, at any speed, and the real clock live.",
                    "perf_counter is precise to well under a microsecond; nothing was waited for.",
                    "There is no cache: replay at speed 0 skips the waits.",
                ),
            ),
            Order(
                "What happens, from first to last, in a streamed call?",
                (
                    "the request is sent",
                    "the first piece of text is printed",
                    "the last piece of text arrives",
                    "get_final_message() returns",
                    "the with block closes the response",
                ),
                shown=(3, 0, 4, 2, 1),
                explanation=(
                    "Entering with sends the request; text flows; the final message is whole once the last piece is in; "
                    "leaving with closes it."
                ),
            ),
        ],
    )
