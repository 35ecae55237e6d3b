"""Idempotency-Key records for Conversations v2 writes.

The spec: the same key again returns the original response and creates no
duplicate operation; keys are scoped to the account and live 24 hours. The
record keeps the whole original 202 (status, headers, body) so the replay is
byte-for-byte the same, whatever the second body says.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import ValidationFailed
from .runtime import Runtime

__all__ = ["IdempotencyStore", "check_idempotency_key"]

_KEY = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_KIND = "idempotency"


def check_idempotency_key(value: str | None) -> str | None:
    if value is None:
        return None
    if _KEY.fullmatch(value) is None:
        raise ValidationFailed(
            "Idempotency-Key: must match "
            '"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"'
        )
    return value


class IdempotencyStore:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def recall(self, account: str, key: str) -> dict[str, Any] | None:
        record = self.rt.store.get(_KIND, account, key.lower())
        if record is None or float(record["expiresAt"]) <= self.rt.now():
            return None
        response: dict[str, Any] = record["response"]
        return response

    def remember(self, account: str, key: str, response: dict[str, Any]) -> None:
        now = self.rt.now()
        record = {
            "key": key,
            "createdAt": now,
            "expiresAt": now + self.rt.settings.idempotency_ttl_seconds,
            "response": response,
        }
        self.rt.store.put(_KIND, account, key.lower(), record)
