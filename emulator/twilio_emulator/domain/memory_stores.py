"""Memory Stores (Memory v1 control plane).

Create and PATCH are asynchronous (operations.py). Once its create completes a
store exists and walks QUEUED -> PROVISIONING -> ACTIVE over
``store_provisioning_seconds`` of emulator time; ``intelligenceServiceId`` is
null until it is ACTIVE. There is no DELETE in the spec, so there is none here.
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any

from .checks import Checker
from .collection import Collection
from .errors import PreconditionFailed, ValidationFailed
from .operations import Operations
from .operators import if_match_matches
from .pagination import Page
from .runtime import Runtime

__all__ = ["MAX_STORES", "STORE_ID", "MemoryStoreService", "store_etag"]

MAX_STORES = 15
STORE_ID = re.compile(r"mem_(store|service)_[0-7][0-9a-z]{25}")
_DISPLAY_NAME = re.compile(r"[a-zA-Z0-9-]+")
_KIND = "memory_store"
_CREATE_FIELDS = ("displayName", "description")


def store_etag(doc: dict[str, Any]) -> str:
    """Opaque to clients; shaped like the spec's example (base64 of {id, v})."""
    raw = json.dumps({"id": doc["id"], "v": doc["version"]}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


class MemoryStoreService(Collection):
    kind = _KIND
    noun = "Memory Store"
    list_name = "stores:DESC"

    def __init__(self, rt: Runtime, operations: Operations) -> None:
        super().__init__(rt)
        self.operations = operations
        operations.register("store-create", self._apply_create)
        operations.register("store-update", self._apply_update)

    # -- reads -----------------------------------------------------------------------

    def fetch(self, account: str, store_id: str) -> dict[str, Any]:
        if STORE_ID.fullmatch(store_id) is None:
            raise ValidationFailed(f'storeId: must match "^{STORE_ID.pattern}$"')
        return super().fetch(account, store_id)

    def render(self, doc: dict[str, Any]) -> dict[str, Any]:
        status = self._status(doc)
        out: dict[str, Any] = {"id": doc["id"], "displayName": doc["displayName"]}
        if "description" in doc:
            out["description"] = doc["description"]
        out["status"] = status
        out["intelligenceServiceId"] = doc["intelligenceServiceId"] if status == "ACTIVE" else None
        out["version"] = doc["version"]
        return out

    def page(self, account: str, size: int, token: str | None, order: str = "DESC") -> Page:
        return self._page(
            account, size, token, list_name=f"stores:{order}", descending=order == "DESC"
        )

    # -- writes ----------------------------------------------------------------------

    def create(self, account: str, body: dict[str, Any], *, fail: bool = False) -> dict[str, Any]:
        c = Checker()
        for key in body:
            if key not in _CREATE_FIELDS:
                # The create schema alone sets additionalProperties: false.
                c.fail(key, "unknown field")
        fields = self._fields(c, body, create=True)
        c.raise_if_failed()
        store_id = self.rt.ids.new("mem_store")
        return self._start(account, "store-create", store_id, fields, fail)

    def update(
        self,
        account: str,
        store_id: str,
        body: dict[str, Any],
        if_match: str | None,
        *,
        fail: bool = False,
    ) -> dict[str, Any]:
        doc = self.fetch(account, store_id)
        if not if_match_matches(if_match, store_etag(doc)):
            raise PreconditionFailed(f"If-Match {if_match} does not match the current ETag")
        c = Checker()
        fields = self._fields(c, body, create=False)
        c.raise_if_failed()
        return self._start(account, "store-update", store_id, fields, fail)

    def _start(
        self, account: str, op_type: str, store_id: str, fields: dict[str, Any], fail: bool
    ) -> dict[str, Any]:
        return self.operations.start(
            account,
            api="memory",
            op_type=op_type,
            target=store_id,
            payload=fields,
            force_failure=fail,
        )

    # -- appliers --------------------------------------------------------------------

    def _apply_create(self, account: str, op: dict[str, Any]) -> None:
        existing = [doc for _, doc in self.rt.store.rows(_KIND, account)]
        if len(existing) >= MAX_STORES:
            raise ValidationFailed(f"An account can have at most {MAX_STORES} Memory Stores")
        fields = op["payload"]
        self._ensure_unique_name(existing, fields["displayName"], op["target"])
        doc: dict[str, Any] = {"id": op["target"], "displayName": fields["displayName"]}
        if "description" in fields:
            doc["description"] = fields["description"]
        doc.update(
            version=1,
            intelligenceServiceId=self.rt.ids.new("intelligence_service"),
            provisioningStartedAt=self.rt.now(),
        )
        self.rt.store.put(_KIND, account, op["target"], doc)

    def _apply_update(self, account: str, op: dict[str, Any]) -> None:
        doc = self.fetch(account, op["target"])
        fields = op["payload"]
        if "displayName" in fields:
            existing = [other for _, other in self.rt.store.rows(_KIND, account)]
            self._ensure_unique_name(existing, fields["displayName"], op["target"])
        doc.update(fields)
        doc["version"] = int(doc["version"]) + 1
        self.rt.store.put(_KIND, account, op["target"], doc)

    @staticmethod
    def _ensure_unique_name(existing: list[dict[str, Any]], name: str, store_id: str) -> None:
        for other in existing:
            if other["displayName"] == name and other["id"] != store_id:
                raise ValidationFailed(
                    f"displayName: a Memory Store named {name!r} already exists ({other['id']})"
                )

    def _status(self, doc: dict[str, Any]) -> str:
        span = self.rt.settings.store_provisioning_seconds
        elapsed = self.rt.now() - float(doc["provisioningStartedAt"])
        if elapsed >= span:
            return "ACTIVE"
        return "QUEUED" if elapsed < span / 2 else "PROVISIONING"

    @staticmethod
    def _fields(c: Checker, body: dict[str, Any], *, create: bool) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if not create:
            # PATCH: a field that is present must have a value (it cannot be cleared).
            for key in _CREATE_FIELDS:
                if key in body and body[key] is None:
                    c.fail(key, "must not be null")
        name = c.get(body, "displayName", "", required=create)
        if name is not None and c.string(name, "displayName", pattern=_DISPLAY_NAME):
            out["displayName"] = name
        description = c.get(body, "description", "", required=False)
        if description is not None and c.string(description, "description", min_len=1, max_len=128):
            out["description"] = description
        return out
