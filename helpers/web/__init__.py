"""Lesson 05's web app: a page that streams an answer, and the server that relays it from the SDK.

``create_app()`` builds the ASGI app (Starlette) around ``helpers.make_async_client()``;
``serve_in_background(app)`` runs it in a thread and returns its URL; ``python -m helpers web``
runs it in the foreground. Like the replay engine, it imports nothing from Jupyter.
"""

from helpers.web.app import create_app
from helpers.web.relay import Relayed, RelaySettings
from helpers.web.request_body import Limits
from helpers.web.server import BackgroundServer, serve_in_background

__all__ = ["BackgroundServer", "Limits", "RelaySettings", "Relayed", "create_app", "serve_in_background"]
