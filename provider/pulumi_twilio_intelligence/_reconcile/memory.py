"""Memory Stores (Memory v1): created asynchronously, renamed with PATCH + If-Match, never deleted.

The API has no delete: removing a store from a stack forgets it and warns, naming it, so that
nobody believes it is gone.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from .._models import MemoryStoreModel
from .._spec import ResourceModel
from .base import Created, Reconciler, log


class MemoryStoreReconciler(Reconciler):
    model = MemoryStoreModel

    def fetch(self, object_id: str) -> dict[str, Any] | None:
        return self._get_or_none(lambda: self.api.get_store(object_id).body)

    def server_fields(self, body: dict[str, Any]) -> dict[str, Any]:
        return {
            "status": body.get("status"),
            "version": body.get("version"),
            "intelligenceServiceId": body.get("intelligenceServiceId"),
        }

    def _find(self, name: str) -> list[dict[str, Any]]:
        # Stores list as ids only (at most 15 per account): fetch each to read its name.
        stores = (self.fetch(store_id) for store_id in self.api.list_store_ids())
        return [s for s in stores if s is not None and s.get("displayName") == name]

    def create(self, desired: ResourceModel, *, replacing: Collection[str] = ()) -> Created:
        created = self._create_by_name(
            desired,
            replacing=replacing,
            post=lambda body: {"id": self.api.create_store(body)},
            find=self._find,
        )
        active = self.api.wait_store_active(created.id).body
        return Created(created.id, self.server_fields(active), created.adopted)

    def update(
        self, object_id: str, desired: ResourceModel, recorded: dict[str, Any]
    ) -> dict[str, Any]:
        current = self.api.get_store(object_id)
        self.api.patch_store(object_id, desired.wire(), if_match=current.etag)
        return self.server_fields(self.api.wait_store_active(object_id).body)

    def delete(self, object_id: str, recorded: dict[str, Any]) -> None:
        log.warning(
            "memory store %s (%s) is retained: the Memory API has no delete. It no longer belongs "
            "to this stack; remove it in the Twilio Console if it is not needed.",
            object_id,
            recorded.get("displayName"),
        )
