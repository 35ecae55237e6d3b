"""Memory Stores (Memory v1 control plane).

Create, PATCH and DELETE are asynchronous (operations.py). Once its create
completes a store exists and walks QUEUED -> PROVISIONING -> ACTIVE over
``store_provisioning_seconds`` of emulator time; ``intelligenceServiceId`` is
null until it is ACTIVE. The services of the store's children (identity
resolution settings, trait groups, data mappings) subscribe to ``on_created``
(to seed their defaults) and ``on_deleted`` (DeleteStore cascades, §2.6).
While a delete runs, reads still show the store (reference assumption, §2.1).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .checks import Checker
from .collection import Collection
from .errors import Conflict, ValidationFailed
from .memory_common import (
    STORE_ID,
    STORES_PATH,
    check_if_match,
    memory_etag,
    start_memory_operation,
)
from .operations import Operations
from .pagination import Page
from .runtime import Runtime

__all__ = ["MAX_STORES", "STORE_ID", "MemoryStoreService", "StoreHook", "store_etag"]

MAX_STORES = 15
_DISPLAY_NAME = re.compile(r"[a-zA-Z0-9-]+")
_KIND = "memory_store"
_CREATE_FIELDS = ("displayName", "description")

# Called with (account, store id) inside the operation that creates or deletes a store.
StoreHook = Callable[[str, str], None]


def store_etag(doc: dict[str, Any]) -> str:
    return memory_etag(doc["id"], int(doc["version"]))


class MemoryStoreService(Collection):
    kind = _KIND
    noun = "Memory Store"
    list_name = "stores:DESC"

    def __init__(self, rt: Runtime, operations: Operations) -> None:
        super().__init__(rt)
        self.operations = operations
        self.on_created: list[StoreHook] = []
        self.on_deleted: list[StoreHook] = []
        operations.register("store-create", self._apply_create)
        operations.register("store-update", self._apply_update)
        operations.register("store-delete", self._apply_delete)

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
        existing = self._all(account)
        if self.rt.traps.memory_store_sync_name_checks:
            # memory-v1 §2.3 suggestion: both answered at once (off: the operation FAILS).
            if len(existing) >= MAX_STORES:
                raise ValidationFailed(
                    f"An account can have at most {MAX_STORES} Memory Stores", code=400
                )
            self._ensure_unique_name(existing, fields["displayName"], "", conflict=True)
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
        check_if_match(if_match, store_etag(doc))
        c = Checker()
        fields = self._fields(c, body, create=False)
        c.raise_if_failed()
        if "displayName" in fields and self.rt.traps.memory_store_sync_name_checks:
            self._ensure_unique_name(
                self._all(account), fields["displayName"], store_id, conflict=True
            )
        return self._start(account, "store-update", store_id, fields, fail)

    def delete(self, account: str, store_id: str, *, fail: bool = False) -> dict[str, Any]:
        self.fetch(account, store_id)
        return start_memory_operation(
            self.operations,
            account,
            op_type="store-delete",
            target=store_id,
            payload={},
            result_id=store_id,  # UNCERTAIN (§2.6) whether the result names the deleted store
            result_path=None,
            fail=fail,
        )

    def _start(
        self, account: str, op_type: str, store_id: str, fields: dict[str, Any], fail: bool
    ) -> dict[str, Any]:
        return start_memory_operation(
            self.operations,
            account,
            op_type=op_type,
            target=store_id,
            payload=fields,
            result_id=store_id,
            result_path=f"{STORES_PATH}/{store_id}",
            fail=fail,
        )

    # -- appliers --------------------------------------------------------------------

    def _apply_create(self, account: str, op: dict[str, Any]) -> None:
        existing = self._all(account)
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
        for hook in self.on_created:
            hook(account, op["target"])

    def _apply_update(self, account: str, op: dict[str, Any]) -> None:
        doc = self.fetch(account, op["target"])
        fields = op["payload"]
        if "displayName" in fields:
            self._ensure_unique_name(self._all(account), fields["displayName"], op["target"])
        doc.update(fields)
        doc["version"] = int(doc["version"]) + 1
        self.rt.store.put(_KIND, account, op["target"], doc)

    def _apply_delete(self, account: str, op: dict[str, Any]) -> None:
        self.fetch(account, op["target"])
        for hook in self.on_deleted:
            hook(account, op["target"])
        self.rt.store.delete(_KIND, account, op["target"])

    def _all(self, account: str) -> list[dict[str, Any]]:
        return [doc for _, doc in self.rt.store.rows(_KIND, account)]

    @staticmethod
    def _ensure_unique_name(
        existing: list[dict[str, Any]], name: str, store_id: str, *, conflict: bool = False
    ) -> None:
        for other in existing:
            if other["displayName"] == name and other["id"] != store_id:
                message = (
                    f"displayName: a Memory Store named {name!r} already exists ({other['id']})"
                )
                raise Conflict(message) if conflict else ValidationFailed(message)

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
        if name is not None and c.string(name, "displayName", max_len=64, pattern=_DISPLAY_NAME):
            out["displayName"] = name
        description = c.get(body, "description", "", required=False)
        if description is not None and c.string(description, "description", min_len=1, max_len=128):
            out["description"] = description
        return out
