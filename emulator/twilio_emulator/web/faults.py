"""Fault injection: make chosen requests fail the way real networks and servers do.

A fault matches by HTTP method and a path regular expression (searched, so
anchor it with ``^``/``$`` when needed), optionally by account, and fires with
probability ``rate`` at most ``count`` times, once ``skip`` matching requests have passed
untouched. Kinds:

- ``error``: answer ``status`` (default 500) in the API's error shape; no change.
- ``rate_limit``: answer 429 with ``Retry-After``; no change.
- ``latency``: wait ``latency_ms`` and then serve normally (combines with others); a request
  still waiting is released at once when its fault is removed.
- ``reset``: close the connection without any response; no change.
- ``drop_response``: perform the request (the change is committed), then close
  the connection instead of answering: the client cannot tell it succeeded.
- ``fail_operation``: accept an asynchronous write (202) but end its operation
  FAILED; no change.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import re
import secrets
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Literal

from ..domain.records import camel_view

__all__ = ["FAULT_KINDS", "Fault", "FaultRegistry", "abort_connection", "hold"]

HOLD_POLL_SECONDS = 0.02  # how soon a held request notices that its fault was removed

FaultKind = Literal["error", "rate_limit", "latency", "reset", "drop_response", "fail_operation"]
FAULT_KINDS: tuple[str, ...] = (
    "error",
    "rate_limit",
    "latency",
    "reset",
    "drop_response",
    "fail_operation",
)


@dataclass
class Fault:
    kind: FaultKind
    method: str = "*"
    path: str = ".*"
    account: str | None = None
    rate: float = 1.0
    count: int | None = None
    status: int = 500
    latency_ms: int = 0
    retry_after: int = 1
    seed: int | None = None
    skip: int = 0  # matching requests let through before the fault applies
    id: str = field(default_factory=lambda: "fault_" + secrets.token_hex(6))
    hits: int = 0
    skipped: int = 0
    removed: bool = False  # releases the requests a latency fault holds

    def __post_init__(self) -> None:
        self._pattern = re.compile(self.path)
        self._rng = random.Random(self.seed)  # noqa: S311 - fault odds, not security

    def matches(self, method: str, path: str, account: str | None) -> bool:
        if self.method != "*" and self.method.upper() != method:
            return False
        if self.account is not None and self.account != account:
            return False
        return self._pattern.search(path) is not None

    def fire(self) -> bool:
        """Decide (and count) whether this matching fault applies now."""
        if self.skipped < self.skip:
            self.skipped += 1
            return False
        if self.count is not None and self.hits >= self.count:
            return False
        if self.rate < 1.0 and self._rng.random() >= self.rate:
            return False
        self.hits += 1
        return True

    def as_dict(self) -> dict[str, Any]:
        return camel_view(
            self,
            "id kind method path account rate count status latency_ms retry_after seed skip hits",
        )


class FaultRegistry:
    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        return fault

    def all(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def remove(self, fault_id: str) -> bool:
        with self._lock:
            gone = [f for f in self._faults if f.id == fault_id]
            self._faults = [f for f in self._faults if f.id != fault_id]
        for fault in gone:
            fault.removed = True
        return bool(gone)

    def clear(self) -> None:
        with self._lock:
            gone, self._faults = self._faults, []
        for fault in gone:
            fault.removed = True

    def select(
        self, method: str, path: str, account: str | None
    ) -> tuple[list[Fault], Fault | None]:
        """The latency faults that fire, and the first terminal fault that fires (if any)."""
        delays: list[Fault] = []
        terminal: Fault | None = None
        with self._lock:
            for fault in self._faults:
                if not fault.matches(method, path, account):
                    continue
                if fault.kind == "latency":
                    if fault.fire():
                        delays.append(fault)
                elif terminal is None and fault.fire():
                    terminal = fault
        return delays, terminal


async def hold(delays: list[Fault]) -> None:
    """Wait the total latency of these faults, or until every one of them has been removed."""
    deadline = time.monotonic() + sum(f.latency_ms for f in delays) / 1000
    while delays and not all(f.removed for f in delays):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return
        await asyncio.sleep(min(remaining, HOLD_POLL_SECONDS))


def abort_connection(send: Any) -> None:
    """Drop the TCP connection under an ASGI ``send`` without any response.

    ASGI has no way to say "reset the connection", so this reaches into
    uvicorn's request cycle (``send`` is its bound method) for the transport.
    SO_LINGER 0 makes the close a real RST. Marking the cycle disconnected stops
    uvicorn from trying to send a 500 afterwards.
    """
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:
        raise ConnectionAbortedError("cannot reach the transport to reset the connection")
    sock = transport.get_extra_info("socket")
    if sock is not None:
        # The connection may already be gone; abort() below still closes it.
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()
    if cycle is not None and hasattr(cycle, "disconnected"):
        cycle.disconnected = True
