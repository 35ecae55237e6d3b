"""Twilio-style TTIDs: ``<prefix>_`` + a lowercase, time-ordered ULID.

A ULID is 48 bits of milliseconds and 80 random bits written as 26 Crockford
base32 characters; the leading character is therefore 0-7, which is exactly
what the spec patterns ``[0-7][0-9a-z]{25}`` demand. Ids made by one
generator are strictly increasing, so sorting by id is sorting by creation,
which the store relies on for stable cursors.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Callable

__all__ = ["IdGenerator", "is_ttid", "ttid_pattern"]

_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"
_RANDOM_BITS = 80
_RANDOM_MAX = (1 << _RANDOM_BITS) - 1


def _encode(value: int) -> str:
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def ttid_pattern(prefix: str) -> re.Pattern[str]:
    """The spec's pattern for ids of one kind, e.g. ``intelligence_operator``."""
    return re.compile(rf"{re.escape(prefix)}_[0-7][0-9a-z]{{25}}")


def is_ttid(value: object, prefix: str) -> bool:
    return isinstance(value, str) and ttid_pattern(prefix).fullmatch(value) is not None


class IdGenerator:
    """Makes monotonic ULID-based ids from a clock giving epoch seconds."""

    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now
        self._lock = threading.Lock()
        self._last_ms = -1
        self._last_random = 0

    def new(self, prefix: str) -> str:
        with self._lock:
            ms = int(self._now() * 1000)
            if ms <= self._last_ms:
                # Same (or an earlier, after a clock reset) millisecond: bump the
                # random part so ids stay strictly increasing.
                ms = self._last_ms
                rand = self._last_random + 1
                if rand > _RANDOM_MAX:
                    ms += 1
                    rand = secrets.randbits(_RANDOM_BITS - 1)
            else:
                # Top bit clear leaves room to increment within one millisecond.
                rand = secrets.randbits(_RANDOM_BITS - 1)
            self._last_ms, self._last_random = ms, rand
            value = ((ms & ((1 << 48) - 1)) << _RANDOM_BITS) | rand
        return f"{prefix}_{_encode(value)}"
