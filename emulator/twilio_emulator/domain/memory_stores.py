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

from collections.abc import Callable
from typing import Any

from .errors import Conflict, ValidationFailed
from .memory_common import (
    STORE_ID,
    STORES_PATH,
    check_if_match,
    id_etag,
    start_memory_operation,
)
from .named_resources import NamedResourceService, name_and_description
from .operations import Operations
from .runtime import Runtime
from .writes import Write

__all__ = ["MAX_STORES", "STORE_ID", "MemoryStoreService", "StoreHook", "store_etag"]

MAX_STORES = 15
_KIND = "memory_store"

# Called with (account, store id) inside the operation that creates or deletes a store.
StoreHook = Callable[[str, str], None]


store_etag = id_etag


class MemoryStoreService(NamedResourceService):
    kind = _KIND
    noun = "Memory Store"
    id_param = "storeId"
    id_pattern = STORE_ID
    list_prefix = "stores"
    op_prefix = "store"

    def __init__(self, rt: Runtime, operations: Operations) -> None:
        super().__init__(rt, operations)
        self.on_created: list[StoreHook] = []

    # -- reads -----------------------------------------------------------------------

    def render(self, doc: dict[str, Any]) -> dict[str, Any]:
        status = self._status(doc)
        out = self._render_name(doc)
        out["status"] = status
        out["intelligenceServiceId"] = doc["intelligenceServiceId"] if status == "ACTIVE" else None
        out["version"] = doc["version"]
        return out

    # -- writes ----------------------------------------------------------------------

    def create(self, w: Write) -> dict[str, Any]:
        # The create schema alone sets additionalProperties: false.
        fields = name_and_description(w.body, create=True, closed=True)
        existing = self._all(w.account)
        if self.rt.traps.memory_store_sync_name_checks:
            # memory-v1 §2.3 suggestion: both answered at once (off: the operation FAILS).
            if len(existing) >= MAX_STORES:
                raise ValidationFailed(
                    f"An account can have at most {MAX_STORES} Memory Stores", code=400
                )
            self._ensure_unique_name(existing, fields["displayName"], "", conflict=True)
        store_id = self.rt.ids.new("mem_store")
        return self._start(w.account, "store-create", store_id, fields, w.fail)

    def update(self, w: Write, store_id: str) -> dict[str, Any]:
        doc = self.fetch(w.account, store_id)
        check_if_match(w.if_match, store_etag(doc))
        fields = name_and_description(w.body, create=False, closed=False)
        if "displayName" in fields and self.rt.traps.memory_store_sync_name_checks:
            self._ensure_unique_name(
                self._all(w.account), fields["displayName"], store_id, conflict=True
            )
        return self._start(w.account, "store-update", store_id, fields, w.fail)

    def delete(self, account: str, store_id: str, *, fail: bool = False) -> dict[str, Any]:
        self.fetch(account, store_id)
        # UNCERTAIN (§2.6) whether the result names the deleted store: it does.
        return self._start(account, "store-delete", store_id, {}, fail)

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
