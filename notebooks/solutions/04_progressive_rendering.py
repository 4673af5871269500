"""Reference solutions for the exercises of notebooks/04_progressive_rendering.ipynb.

Try the exercises first. Each function has the notebook's signature, so it can be pasted into
its exercise cell as it is; the check cell below that cell then reports it correct.
"""


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
