"""What trait groups and data mappings share: objects kept under ``<storeId>/<key>``,
written through Memory operations, and dropped when their store is deleted.

The writes are templates: create is the store's existence, the subclass's checks of the
body (:meth:`StoreChildService._create`), then the operation; PATCH is fetch, If-Match
(undeclared 412, §1.5), the subclass's checks (:meth:`StoreChildService._patch`), then the
operation; DELETE is fetch, the subclass's veto (:meth:`StoreChildService._ensure_deletable`),
then the operation.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any, ClassVar

from .errors import NotFound
from .memory_common import STORES_PATH, check_undeclared_if_match, start_memory_operation
from .memory_stores import MemoryStoreService
from .operations import Operations
from .pagination import Page, paginate
from .runtime import Runtime
from .writes import Write

__all__ = ["StoreChildService"]


class StoreChildService(ABC):
    kind: ClassVar[str]
    # The path segment under a store (``TraitGroups``) and the payload field keying one
    # object (``displayName``), which is also the operation's ``result.id``.
    segment: ClassVar[str]
    key_field: ClassVar[str]
    # What 404s name (``Trait Group``) and the operation types' prefix (``trait-group``).
    noun: ClassVar[str]
    op_prefix: ClassVar[str]

    def __init__(self, rt: Runtime, operations: Operations, stores: MemoryStoreService) -> None:
        self.rt = rt
        self.operations = operations
        self.stores = stores
        stores.on_deleted.append(self._drop)
        operations.register(f"{self.op_prefix}-create", self._apply_create)
        operations.register(f"{self.op_prefix}-update", self._apply_update)
        operations.register(f"{self.op_prefix}-delete", self._apply_delete)

    # -- what each kind says -----------------------------------------------------------

    @staticmethod
    @abstractmethod
    def etag(doc: dict[str, Any]) -> str: ...

    @abstractmethod
    def _check_key(self, key: str) -> None:
        """400 when ``key`` cannot name an object of this kind."""

    @abstractmethod
    def _create(self, account: str, store_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """The checked payload of a create: its store, its key and its fields (400/409)."""

    @abstractmethod
    def _patch(self, account: str, doc: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        """The checked fields of a PATCH of ``doc`` (400/409 when the body is wrong)."""

    def _ensure_deletable(self, account: str, store_id: str, key: str) -> None:  # noqa: B027 - an optional hook
        """Nothing keeps an object from being deleted unless a kind says so (409)."""

    @abstractmethod
    def _apply_create(self, account: str, op: dict[str, Any]) -> None: ...

    @abstractmethod
    def _apply_update(self, account: str, op: dict[str, Any]) -> None: ...

    # -- reads and the writes of an existing object ------------------------------------

    def get(self, account: str, store_id: str, key: str) -> dict[str, Any] | None:
        return self.rt.store.get(self.kind, account, f"{store_id}/{key}")

    def fetch(self, account: str, store_id: str, key: str) -> dict[str, Any]:
        self.stores.fetch(account, store_id)
        self._check_key(key)
        doc = self.get(account, store_id, key)
        if doc is None:
            raise NotFound(f"{self.noun} {key} not found")
        return doc

    def _store_page(
        self,
        account: str,
        store_id: str,
        size: int,
        token: str | None,
        *,
        list_name: str,
        descending: bool,
        keep: Callable[[dict[str, Any]], bool] | None = None,
    ) -> Page:
        """A page of the store's objects, in key order (``descending`` reverses it)."""
        self.stores.fetch(account, store_id)
        return paginate(
            self.rt.store,
            self.kind,
            account,
            list_name=list_name,
            size=size,
            token=token,
            descending=descending,
            prefix=f"{store_id}/",
            keep=keep,
        )

    def create(self, w: Write, store_id: str) -> dict[str, Any]:
        self.stores.fetch(w.account, store_id)
        payload = self._create(w.account, store_id, w.body)
        return self._start(w.account, f"{self.op_prefix}-create", payload, w.fail)

    def update(self, w: Write, store_id: str, key: str) -> dict[str, Any]:
        doc = self.fetch(w.account, store_id, key)
        check_undeclared_if_match(self.rt.traps, w.if_match, self.etag(doc))
        payload = {"storeId": store_id, self.key_field: key, **self._patch(w.account, doc, w.body)}
        return self._start(w.account, f"{self.op_prefix}-update", payload, w.fail)

    def delete(
        self, account: str, store_id: str, key: str, *, fail: bool = False
    ) -> dict[str, Any]:
        self.fetch(account, store_id, key)
        self._ensure_deletable(account, store_id, key)
        payload = {"storeId": store_id, self.key_field: key}
        return self._start(account, f"{self.op_prefix}-delete", payload, fail)

    def _apply_delete(self, account: str, op: dict[str, Any]) -> None:
        store_id, key = op["payload"]["storeId"], op["payload"][self.key_field]
        self.fetch(account, store_id, key)
        self._ensure_deletable(account, store_id, key)
        self.rt.store.delete(self.kind, account, f"{store_id}/{key}")

    def _children(self, account: str, store_id: str) -> list[dict[str, Any]]:
        return [doc for _, doc in self.rt.store.rows(self.kind, account, prefix=f"{store_id}/")]

    def _put(self, account: str, doc: dict[str, Any]) -> None:
        self.rt.store.put(self.kind, account, f"{doc['storeId']}/{doc[self.key_field]}", doc)

    def _drop(self, account: str, store_id: str) -> None:
        for key, _ in self.rt.store.rows(self.kind, account, prefix=f"{store_id}/"):
            self.rt.store.delete(self.kind, account, key)

    def _start(
        self, account: str, op_type: str, payload: dict[str, Any], fail: bool
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
            result_path=path,
            fail=fail,
        )
