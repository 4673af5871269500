"""The replay engine: recordings, SSE framing, request matching, pacing, faults, scrubbing and the
httpx2 transports (replay, live, record) that the SDK is handed.

It imports nothing from Jupyter, widgets, plotting or Markdown, so a plain script, a web server or
a test can replay a stream exactly as a notebook does.
"""
