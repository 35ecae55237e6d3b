"""The emulator clock: wall time plus an offset that tests can advance.

Everything time-driven (operation completion, store provisioning,
idempotency-key expiry, conversation timeouts) reads this clock, so a test can
skip minutes of waiting with one control-API call instead of sleeping.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

__all__ = ["Clock", "format_timestamp", "parse_timestamp", "stage"]


class Clock:
    def __init__(self, offset: float = 0.0, source: Callable[[], float] = time.time) -> None:
        self._source = source
        self._offset = offset

    @property
    def offset(self) -> float:
        return self._offset

    def now(self) -> float:
        return self._source() + self._offset

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        self._offset += seconds
        return self.now()

    def reset(self) -> None:
        self._offset = 0.0


def format_timestamp(epoch: float) -> str:
    """RFC 3339 in UTC with a ``Z`` and whole seconds, as in every spec example."""
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_timestamp(text: str) -> float:
    """Parse an RFC 3339 date-time; raises ValueError when it is not one."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError("a time zone is required")
    return parsed.timestamp()


def stage(elapsed: float, span: float, stages: tuple[str, str, str]) -> str:
    """A two-step background job seen ``elapsed`` seconds after it started: the first
    stage for the first half of ``span``, the second for the second half, then done."""
    first, second, done = stages
    if elapsed >= span:
        return done
    return first if elapsed < span / 2 else second
