"""The request log: what clients asked the emulated APIs, for tests to assert on.

Control-API calls are not logged, so a test's own setup never pollutes the
record of what the code under test did.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections import deque
from dataclasses import dataclass
from typing import Any

__all__ = ["LogFilter", "RequestLog"]


@dataclass
class LogFilter:
    method: str | None = None
    path_prefix: str | None = None
    path_regex: str | None = None
    account: str | None = None
    status: int | None = None
    since: int | None = None
    api: str | None = None

    def __post_init__(self) -> None:
        self._regex = re.compile(self.path_regex) if self.path_regex else None

    def accepts(self, entry: dict[str, Any]) -> bool:
        checks = (
            self.since is None or entry["seq"] > self.since,
            not self.method or entry["method"] == self.method.upper(),
            not self.path_prefix or entry["path"].startswith(self.path_prefix),
            self._regex is None or self._regex.search(entry["path"]) is not None,
            not self.account or entry["account"] == self.account,
            self.status is None or entry["status"] == self.status,
            not self.api or entry["api"] == self.api,
        )
        return all(checks)


class RequestLog:
    def __init__(self, limit: int = 10000) -> None:
        self._entries: deque[dict[str, Any]] = deque(maxlen=limit)
        self._seq = itertools.count(1)
        self._last = 0
        self._lock = threading.Lock()

    @property
    def last_seq(self) -> int:
        return self._last

    def resize(self, limit: int) -> None:
        with self._lock:
            if self._entries.maxlen != limit:
                self._entries = deque(self._entries, maxlen=limit)

    def append(self, entry: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self._last = next(self._seq)
            entry["seq"] = self._last
            self._entries.append(entry)
        return entry

    def query(self, flt: LogFilter) -> list[dict[str, Any]]:
        with self._lock:
            entries = list(self._entries)
        return [entry for entry in entries if flt.accepts(entry)]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
