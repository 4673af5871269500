"""Running the app with uvicorn: in the foreground for ``python -m helpers web``, or in a thread for a notebook.

The server listens on this machine only (127.0.0.1) unless told otherwise: in live mode anyone
who can reach it spends the key it runs with. A port of 0 (the default) takes a free one; the
socket is bound here, before uvicorn starts, so the URL is known and no other program can take
the port in between.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import threading
import time
from dataclasses import dataclass, field

import uvicorn
from starlette.applications import Starlette

from helpers.errors import ConfigError

LOOPBACK_NAMES = ("localhost",)
START_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 5.0


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach: 127.0.0.0/8, ::1 and ``localhost``."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_host(host: str, allow_remote: bool) -> None:
    """Refuse to listen beyond this machine unless that was asked for explicitly."""
    if not allow_remote and not is_loopback(host):
        raise ConfigError(
            f"Refusing to listen on {host}: other machines could reach the app (and, in live mode, spend your API key). "
            "Use --host 127.0.0.1, or add --allow-remote if you mean it."
        )


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host``:``port`` (0: any free port), or a ConfigError that says why not."""
    family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as err:
        sock.close()
        raise ConfigError(f"Cannot listen on {host}:{port} ({err.strerror}). Choose another --port, or omit it for a free one.") from None
    sock.listen(128)
    return sock


def url_of(sock: socket.socket) -> str:
    """The address to open in a browser."""
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}/" if sock.family == socket.AF_INET6 else f"http://{host}:{port}/"


def _server(app: Starlette) -> uvicorn.Server:
    # Streams in flight get a moment to end when the server stops; then they are cut.
    return uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on", timeout_graceful_shutdown=2))


def serve(app: Starlette, sock: socket.socket) -> None:
    """Serve until Ctrl-C, on a socket from ``bind``, printing how each relay ended."""
    logger = logging.getLogger("helpers.web")
    logger.setLevel(logging.INFO)
    logger.addHandler(logging.StreamHandler())
    _server(app).run(sockets=[sock])


def _run(server: uvicorn.Server, sock: socket.socket) -> None:
    try:
        server.run(sockets=[sock])
    except SystemExit:  # uvicorn exits when the app fails to start; it has logged why, and the caller is told
        sock.close()


@dataclass
class BackgroundServer:
    """The app served from a thread; ``url`` to open, ``stop()`` (or ``with``) to end it."""

    app: Starlette
    url: str
    _server: uvicorn.Server = field(repr=False)
    _thread: threading.Thread = field(repr=False)

    def stop(self) -> None:
        """Stop serving, waiting a few seconds at most; a second call does nothing."""
        self._server.should_exit = True
        self._thread.join(STOP_TIMEOUT_S)

    def __enter__(self) -> BackgroundServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve_in_background(app: Starlette, host: str = "127.0.0.1", port: int = 0, allow_remote: bool = False) -> BackgroundServer:
    """Start the app in a daemon thread (a notebook's own event loop stays free) and return once it answers."""
    check_host(host, allow_remote)
    sock = bind(host, port)
    server = _server(app)
    thread = threading.Thread(target=_run, args=(server, sock), name="course-web", daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise ConfigError(f"The web app did not start within {START_TIMEOUT_S:g} s; the server's log above says why.")
        time.sleep(0.02)
    return BackgroundServer(app, url_of(sock), server, thread)
