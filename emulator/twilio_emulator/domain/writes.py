"""One asynchronous write as the API received it (Memory v1 and Knowledge v2).

Creates, PATCHes and PUTs of the async control planes take a :class:`Write` instead of
the same four parameters each: the account, the JSON body, the ``If-Match`` header and
whether a ``fail_operation`` fault asked its operation to fail.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Write"]


@dataclass(frozen=True)
class Write:
    account: str
    body: dict[str, Any]
    if_match: str | None = None  # None when the header is absent
    fail: bool = False
