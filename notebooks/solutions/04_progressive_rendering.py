"""Reference solutions for the exercises of notebooks/04_progressive_rendering.ipynb.

Try the exercises first. Each function has the notebook's signature, so it can be pasted into
its exercise cell as it is; the check cell below that cell then reports it correct.
"""

import asyncio

from markdown_it import MarkdownIt

md = MarkdownIt("commonmark").enable("table")  # the notebook defines the same parser above exercise 4


def redraw_moments(arrivals, rate):
    """Exercise 1: the times a view throttled to `rate` redraws, the final flush included."""
    moments = []
    last = None
    drawn = True
    for at in arrivals:
        drawn = last is None or at - last >= 1 / rate
        if drawn:
            moments.append(at)
            last = at
    if not drawn:
        moments.append(arrivals[-1])
    return moments


def reveal_by_paragraph(text, complete):
    """Exercise 2: only finished paragraphs while the answer arrives, everything once complete."""
    if complete:
        return text
    end = text.rfind("\n\n")
    return text[: end + 2] if end >= 0 else ""


def show_stream(client, request, view):
    """Exercise 3: stream the request into the view, finish it, and return the final message."""
    with client.messages.stream(**request) as stream:
        for text in stream.text_stream:
            view.append(text)
        view.finish()
        return stream.get_final_message()


def split_blocks(text):
    """Exercise 4: every top-level block but the last is frozen (its source lines); the rest is the open tail."""
    maps = [token.map for token in md.parse(text) if token.level == 0 and token.nesting >= 0]
    if not maps:
        return [], text
    lines = text.split("\n")
    frozen = ["\n".join(lines[start:end]) for start, end in maps[:-1]]
    return frozen, "\n".join(lines[maps[-1][0] :])


async def read_until_stopped(client, request, view, stop):
    """Exercise 5: stream into the view until the answer ends or Stop is pressed; keep the text, marked if cut."""

    async def read():
        async with client.messages.stream(**request) as stream:
            async for text in stream.text_stream:
                view.append(text)

    reading = asyncio.create_task(read())
    pressed = asyncio.create_task(stop.wait())
    await asyncio.wait([reading, pressed], return_when=asyncio.FIRST_COMPLETED)
    pressed.cancel()
    cut = not reading.done()
    if cut:
        reading.cancel()  # wakes the reader where it waits; its `async with` then closes the response
        await asyncio.wait([reading])  # ... before this function returns
    view.finish(cut=cut)
    return view.text
