"""Running the ASGI app under uvicorn, in the foreground or on a thread."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable

import uvicorn

from .web import EmulatorApp

__all__ = ["ReadyServer", "bind_socket", "make_server"]


class ReadyServer(uvicorn.Server):
    """A uvicorn server that calls back once it is accepting connections."""

    def __init__(self, config: uvicorn.Config, on_ready: Callable[[], None] | None = None) -> None:
        super().__init__(config)
        self._on_ready = on_ready
        self.ready = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            self.ready.set()
            if self._on_ready is not None:
                self._on_ready()


def bind_socket(host: str, port: int) -> socket.socket:
    """Bind before starting uvicorn so that port 0 yields a known free port."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto must be IPPROTO_TCP, not 0: asyncio only sets TCP_NODELAY on
    # accepted sockets whose proto says TCP, and without it Nagle plus delayed
    # ACKs add 40 ms to every keep-alive request.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(1024)
    sock.set_inheritable(True)
    return sock


def make_server(
    app: EmulatorApp,
    *,
    log_level: str = "warning",
    access_log: bool = False,
    on_ready: Callable[[], None] | None = None,
) -> ReadyServer:
    config = uvicorn.Config(
        app,
        log_level=log_level,
        access_log=access_log,
        lifespan="on",
        ws="none",
        # Keep-alive long enough for pooled test clients, short enough to exit fast.
        timeout_keep_alive=30,
        timeout_graceful_shutdown=2,
        # The app sets Date itself, from the emulator clock (see web.app.EmulatorApp).
        date_header=False,
    )
    return ReadyServer(config, on_ready)
