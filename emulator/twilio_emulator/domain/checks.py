"""Small helpers that validate decoded JSON and collect violations.

Messages imitate Java Bean Validation, which is what the seed guide quotes from
the live service ("rules[0].actions: size must be between 0 and 2",
"memoryStoreId: must not be null"), so tests can compare messages verbatim.
Every check records a violation and returns ``None`` instead of raising, so one
response can list every problem of a body, like the real validators do.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from typing import Any, cast

from .errors import ValidationFailed

__all__ = ["JAVA_INT_MAX", "Checker", "is_uri", "join", "join_index"]

# Java's Integer.MAX_VALUE: what @Size reports when only a minimum is declared.
JAVA_INT_MAX = 2147483647

_URI_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_URI_FORBIDDEN = re.compile(r"[\x00-\x20\x7f<>\"{}|\\^`]")


def join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def join_index(path: str, index: int) -> str:
    return f"{path}[{index}]"


def is_uri(value: str) -> bool:
    """An absolute URI (RFC 3986 ``format: uri``); http(s) ones need a host."""
    if not _URI_SCHEME.match(value) or _URI_FORBIDDEN.search(value):
        return False
    scheme, _, rest = value.partition(":")
    if scheme.lower() in ("http", "https"):
        host = rest[2:].split("/", 1)[0] if rest.startswith("//") else ""
        return host not in ("", ":") and not host.startswith(":")
    return rest != ""


class Checker:
    """Collects ``path: message`` violations for one request."""

    def __init__(self) -> None:
        self.violations: list[str] = []

    @property
    def ok(self) -> bool:
        return not self.violations

    def fail(self, path: str, message: str) -> None:
        self.violations.append(f"{path}: {message}" if path else message)

    def raise_if_failed(self, code: int = 20001) -> None:
        if self.violations:
            raise ValidationFailed("; ".join(self.violations), code=code)

    # -- presence -----------------------------------------------------------

    def get(self, parent: dict[str, Any], key: str, path: str, *, required: bool) -> Any:
        """The value, or None when absent or null (null counts as absent)."""
        value = parent.get(key)
        if value is None and required:
            self.fail(join(path, key), "must not be null")
        return value

    # -- typed checks (value already known to be non-null) -------------------

    def _typed(self, value: Any, path: str, types: type | tuple[type, ...], noun: str) -> bool:
        """Whether ``value`` has the JSON type (true and false are no numbers); fails if not."""
        if isinstance(value, types) and (types is bool or not isinstance(value, bool)):
            return True
        self.fail(path, f"must be {noun}")
        return False

    def _sized(self, size: int, path: str, low: int | None, high: int | None) -> bool:
        """Whether ``low <= size <= high`` (None: unbounded); fails in @Size's words if not."""
        if (low is None or size >= low) and (high is None or size <= high):
            return True
        top = JAVA_INT_MAX if high is None else high
        self.fail(path, f"size must be between {low or 0} and {top}")
        return False

    def object(self, value: Any, path: str) -> dict[str, Any] | None:
        return value if self._typed(value, path, dict, "an object") else None

    def string(
        self,
        value: Any,
        path: str,
        *,
        min_len: int | None = None,
        max_len: int | None = None,
        pattern: re.Pattern[str] | None = None,
        enum: Iterable[str] | None = None,
    ) -> str | None:
        if not self._typed(value, path, str, "a string"):
            return None
        if not self._sized(len(value), path, min_len, max_len):
            return None
        if pattern is not None and pattern.fullmatch(value) is None:
            self.fail(path, f'must match "^{pattern.pattern}$"')
            return None
        if enum is not None:
            allowed = list(enum)
            if value not in allowed:
                self.fail(path, f"must be one of [{', '.join(allowed)}]")
                return None
        return cast(str, value)

    def integer(
        self,
        value: Any,
        path: str,
        *,
        minimum: int | None = None,
        maximum: int | None = None,
    ) -> int | None:
        if not self._typed(value, path, int, "an integer"):
            return None
        if minimum is not None and value < minimum:
            self.fail(path, f"must be greater than or equal to {minimum}")
            return None
        if maximum is not None and value > maximum:
            self.fail(path, f"must be less than or equal to {maximum}")
            return None
        return cast(int, value)

    def number(self, value: Any, path: str) -> float | int | None:
        if not self._typed(value, path, (int, float), "a number"):
            return None
        if isinstance(value, float) and not math.isfinite(value):
            self.fail(path, "must be a finite number")
            return None
        return cast(float | int, value)

    def boolean(self, value: Any, path: str) -> bool | None:
        return value if self._typed(value, path, bool, "a boolean") else None

    def array(
        self,
        value: Any,
        path: str,
        *,
        min_items: int | None = None,
        max_items: int | None = None,
    ) -> list[Any] | None:
        if not self._typed(value, path, list, "an array"):
            return None
        return value if self._sized(len(value), path, min_items, max_items) else None

    def member_object(self, parent: dict[str, Any], key: str, path: str) -> dict[str, Any] | None:
        """``parent[key]`` (at ``path``.key) when it is an object; None when it is absent (no
        failure) or is no object (a failure)."""
        value = parent.get(key)
        return None if value is None else self.object(value, join(path, key))

    def objects(
        self,
        value: Any,
        path: str,
        *,
        min_items: int | None = None,
        max_items: int | None = None,
    ) -> Iterator[tuple[dict[str, Any], str]]:
        """Each item of the array ``value`` that is an object, with its path, in order; an item
        that is not an object fails (and is skipped), as does a ``value`` that is no array."""
        items = self.array(value, path, min_items=min_items, max_items=max_items)
        for index, item in enumerate(items or []):
            item_path = join_index(path, index)
            obj = self.object(item, item_path)
            if obj is not None:
                yield obj, item_path

    def uri(self, value: Any, path: str) -> str | None:
        text = self.string(value, path)
        if text is None:
            return None
        if not is_uri(text):
            self.fail(path, "must be a valid URL")
            return None
        return text

    def string_map(self, value: Any, path: str) -> dict[str, str] | None:
        """An object whose every value is a string."""
        mapping = self.object(value, path)
        if mapping is None:
            return None
        good = True
        for key, item in mapping.items():
            if not isinstance(item, str):
                self.fail(join(path, key), "must be a string")
                good = False
        return dict(mapping) if good else None
