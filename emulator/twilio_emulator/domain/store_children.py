"""What trait groups and data mappings share: objects kept under ``<storeId>/<key>``,
written through Memory operations, and dropped when their store is deleted."""

from __future__ import annotations

from typing import Any, ClassVar

from .memory_common import STORES_PATH, start_memory_operation
from .memory_stores import MemoryStoreService
from .operations import Operations
from .runtime import Runtime

__all__ = ["StoreChildService"]


class StoreChildService:
    kind: ClassVar[str]
    # The path segment under a store (``TraitGroups``) and the payload field keying one
    # object (``displayName``), which is also the operation's ``result.id``.
    segment: ClassVar[str]
    key_field: ClassVar[str]

    def __init__(self, rt: Runtime, operations: Operations, stores: MemoryStoreService) -> None:
        self.rt = rt
        self.operations = operations
        self.stores = stores
        stores.on_deleted.append(self._drop)

    def _children(self, account: str, store_id: str) -> list[dict[str, Any]]:
        return [doc for _, doc in self.rt.store.rows(self.kind, account, prefix=f"{store_id}/")]

    def _put(self, account: str, doc: dict[str, Any]) -> None:
        self.rt.store.put(self.kind, account, f"{doc['storeId']}/{doc[self.key_field]}", doc)

    def _drop(self, account: str, store_id: str) -> None:
        for key, _ in self.rt.store.rows(self.kind, account, prefix=f"{store_id}/"):
            self.rt.store.delete(self.kind, account, key)

    def _start(
        self,
        account: str,
        op_type: str,
        payload: dict[str, Any],
        fail: bool,
        *,
        keeps_resource: bool = True,
    ) -> dict[str, Any]:
        """The operation of a write to the object ``payload`` names (its store and key)."""
        key = payload[self.key_field]
        path = f"{STORES_PATH}/{payload['storeId']}/{self.segment}/{key}"
        return start_memory_operation(
            self.operations,
            account,
            op_type=op_type,
            target=path,
            payload=payload,
            result_id=key,
            result_path=path if keeps_resource else None,
            fail=fail,
        )
