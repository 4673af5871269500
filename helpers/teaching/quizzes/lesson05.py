"""Lesson 05's quiz: server-sent events on the wire, the relay, Stop, errors after the status line, proxies and decoding.

Behaviour checked against the lesson's helpers and standard Python, run as printed:
``helpers.replay.sse.parse`` dispatches an event only at its blank line; ``bytes.decode()``
raises ``UnicodeDecodeError`` on half a UTF-8 character. The relay's answer to an ``error``
event mid-stream (status 200, then an ``error`` event) is the lesson's section 7 output; on
anthropic 2.14.0 that event raises a bare ``APIStatusError`` (``Stream.__stream__`` in
``_streaming.py``), which the relay forwards.
"""

from __future__ import annotations

from helpers.teaching.quiz import Choice, Order, Quiz

UNFINISHED_EVENT = r"""body = b"event: text\ndata: {\"text\": \"Hi\"}\n\nevent: done\ndata: {}\n"
print([found.event for found in sse_format.parse(body).events])"""

RAW_TEXT_RELAY = """\
async def relay(client, messages):
    async with client.messages.stream(model=helpers.MODEL, max_tokens=MAX_TOKENS, messages=messages) as stream:
        async for text in stream.text_stream:
            yield f"data: {text}\\n\\n".encode()"""

BACKGROUND_TASK = """\
async def relay(client, messages):
    queue = asyncio.Queue()

    async def read():
        async with client.messages.stream(model=helpers.MODEL, max_tokens=MAX_TOKENS, messages=messages) as stream:
            async for text in stream.text_stream:
                await queue.put(sse("text", {"text": text}))
        await queue.put(None)

    asyncio.create_task(read())
    while (event := await queue.get()) is not None:
        yield event"""

ERROR_AFTER_HEADERS = """\
broken_app = create_app(lambda: helpers.make_async_client(fault="error@after=40"))
with serve_in_background(broken_app) as broken:
    response = httpx2.post(broken.url + "api/stream", json={"messages": conversation}, timeout=30)
print(response.status_code)
print(response.content[response.content.rindex(b"event: ") :])"""

HALF_A_CHARACTER = r"""chunk = "naïve".encode()[:3]  # b'na\xc3': the first of the two bytes of "ï"
print(chunk.decode())"""


def quiz() -> Quiz:
    """A fresh quiz (its score starts at zero)."""
    return Quiz(
        "Lesson 05 · Quick quiz",
        [
            Choice(
                "`sse_format.parse` returns the events a client would dispatch from these bytes.",
                ("['text', 'done']", "['text']", "[]", "['message', 'message']"),
                1,
                (
                    "The done event has no blank line after it yet, so it is not dispatched: a client keeps it as the start of an "
                    "event still arriving.",
                    "Right: if the stream ends there, the page never sees done, and should say the answer was interrupted.",
                    "The text event ends with its blank line, so it is complete and dispatched.",
                    "Both events have an event: line; only an event without one is called message.",
                ),
                code=UNFINISHED_EVENT,
                kind="prints",
            ),
            Choice(
                "This relay sends each piece of the answer to the page.",
                (
                    "The text goes in as it is: a newline in a piece starts a line that is no field, a blank line ends the event early; "
                    "and no final event tells a finished answer from a broken one.",
                    "Without an event: line the browser drops every event.",
                    "It yields bytes, and a StreamingResponse needs str.",
                    "The async with belongs in the endpoint, outside the generator.",
                ),
                0,
                (
                    "Right: put the text in one line of JSON (json.dumps), and end with a done event, or an error event when the "
                    "stream fails.",
                    "An event without a name is called message, which is fine if the page expects it; the framing of the data is the bug.",
                    "StreamingResponse sends bytes as they are, and encodes a str as UTF-8: either works.",
                    "Reading the stream inside the generator is what lets a disconnect close it: the cancellation leaves async with there.",
                ),
                code=RAW_TEXT_RELAY,
                kind="bug",
            ),
            Choice(
                "This relay reads the model's stream in a background task. The reader presses Stop halfway. What goes wrong?",
                (
                    "The server cancels the generator but not the task, which reads the answer to its end: the API keeps generating, "
                    "and billing, an answer nobody reads.",
                    "Nothing: the task was created inside the generator, so it is cancelled with it.",
                    "The events come out of the queue in the wrong order.",
                    "Nothing: the SDK notices that the page left and closes the model's response.",
                ),
                0,
                (
                    "Right: read the stream inside the generator (or cancel the task in the generator's finally), so that the "
                    "cancellation leaves async with client.messages.stream(...) and the SDK closes the response.",
                    "A task runs on its own until it finishes or is cancelled; cancelling the generator does not touch it.",
                    "A queue keeps the order; the trouble is what happens after Stop.",
                    "The SDK knows nothing of the page: it closes the response when the code leaves async with, which the task does "
                    "only at the end of the answer.",
                ),
                code=BACKGROUND_TASK,
                kind="bug",
            ),
            Choice(
                "The app's model stream gets an `overloaded_error` event after 40 of its events.",
                (
                    "529, then an error event",
                    "200, then an error event with type overloaded_error",
                    "500, and a body that stops without an event",
                    "200, then a done event with stop_reason None",
                ),
                1,
                (
                    "The status and headers went out with the first bytes of the response, 200 OK; an error that comes later cannot "
                    "change them.",
                    "Right: what is left is the body, so the relay sends an error event; the page keeps the partial answer, says why "
                    "it stopped and offers Retry.",
                    "The status had gone out already, as 200; the relay catches the error and sends it as an event.",
                    "done is for an answer that finished; this one ended with an error, and the app says so.",
                ),
                code=ERROR_AFTER_HEADERS,
                kind="prints",
            ),
            Choice(
                "Why does this page use `fetch` with `POST` rather than `EventSource`?",
                (
                    "EventSource only sends GET, and reconnects by itself whenever the connection ends: for a relay, a new request "
                    "and a second answer, billed again.",
                    "EventSource cannot read named events, only data: lines.",
                    "EventSource would resume a broken answer with retry: and Last-Event-ID, but not every browser supports them.",
                    "EventSource collects the whole response before it dispatches anything.",
                ),
                0,
                (
                    "Right: the conversation would have to go in the URL, and every reconnection asks the model again. With fetch one "
                    "click is one request is one answer; retrying is the reader's decision.",
                    "EventSource dispatches named events to addEventListener(name, ...), as lesson 04's example does.",
                    "retry: only sets the wait before reconnecting; Last-Event-ID lets a server that stored the events send the "
                    "missing ones. The model cannot resume an answer: never generate twice.",
                    "EventSource dispatches each event as it arrives; the trouble is GET and the reconnecting.",
                ),
            ),
            Choice(
                "An answer streams fine from the app on your laptop, and arrives all at once in production behind nginx. "
                "What do you check?",
                (
                    "X-Accel-Buffering: no (or proxy_buffering off), no compression, Cache-Control: no-cache; "
                    "and curl -N against the app, then through the proxy.",
                    "That the app sends heartbeats often enough for nginx to pass the events on.",
                    "That the page reads the stream with EventSource, which proxies do not buffer.",
                ),
                0,
                (
                    "Right: a proxy that collects the response before passing it on turns a stream back into one late block.",
                    "Heartbeats keep an idle connection from being closed (nginx's proxy_read_timeout); they do not stop a proxy from "
                    "buffering.",
                    "How the page reads the stream does not change what nginx does with it, before the page.",
                ),
            ),
            Choice(
                "A chunk from the network ends in the middle of a character.",
                ("na", "naï", "A UnicodeDecodeError", "na�"),
                2,
                (
                    "decode() does not stop quietly at half a character: it raises.",
                    "The second byte of “ï” has not arrived: nothing can show it yet.",
                    "Right: split the bytes at blank lines first and decode whole events, or use an incremental decoder. The page's "
                    "TextDecoderStream keeps the first byte until the second arrives.",
                    'That is decode(errors="replace"): a replacement character where the half character was.',
                ),
                code=HALF_A_CHARACTER,
                kind="prints",
            ),
            Choice(
                "Where does this app render the answer's Markdown, and why there?",
                (
                    "On the server, raw HTML off and images as links: with the throttle it sends fewer bytes, the page needs no "
                    "Markdown library or sanitizer, and one tested place makes the text safe.",
                    "In the page: sending only the text deltas is always the fewest bytes, and it spares the server's CPU.",
                    "In the page, so that the server never has to handle the model's untrusted text itself.",
                ),
                0,
                (
                    "Right: measured in benchmarks/README.md; the cost is CPU on the server, and a page that trusts its server's HTML.",
                    "Measured on the recorded answers, text deltas were 3.5 to 4.1 times the text against 3.1 to 3.7 for throttled "
                    "blocks, plus a Markdown library for the page.",
                    "The server relays the untrusted text either way; rendering it there makes it safe in one place, in Python, with "
                    "a strict Content-Security-Policy as a second line of defence.",
                ),
            ),
            Order(
                "One answer through the relay, from first to last.",
                (
                    "the page sends the conversation with fetch and POST",
                    "the server checks the request before anything goes to the model",
                    "the status line and headers reach the page: 200, text/event-stream",
                    "a piece of the answer reaches the server, which yields it as a framed event",
                    "the page splits the bytes at the blank line and records the event",
                    "the page redraws at the next animation frame",
                    "a done event brings the stop reason and the usage",
                ),
                shown=(5, 2, 0, 6, 3, 1, 4),
                explanation=(
                    "A bad request is answered with an HTTP status before anything streams; once the headers are out, every event "
                    "and the final done (or error) travel in the body."
                ),
            ),
        ],
    )
