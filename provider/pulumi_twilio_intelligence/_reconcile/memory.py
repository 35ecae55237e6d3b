"""Memory Stores (Memory v1): created asynchronously, renamed with PATCH + If-Match, deleted
(asynchronously, with everything in it) only under ``deletionPolicy: delete``: otherwise removing
a store from a stack forgets it and warns, naming it (``base.DataHoldingReconciler``).
"""

from __future__ import annotations

from typing import Any

from .._core.bodies import MemoryStoreServer, ServerFields
from .._core.models import MemoryStoreModel
from .._twilio.api import Tagged
from .asynchronous import AsynchronousReconciler


class MemoryStoreReconciler(AsynchronousReconciler):
    model = MemoryStoreModel

    def _get(self, object_id: str) -> Tagged:
        return self.api.get_store(object_id)

    def _post(self, body: dict[str, Any]) -> str:
        return self.api.create_store(body)

    def _patch(self, object_id: str, body: dict[str, Any], if_match: str | None) -> None:
        self.api.patch_store(object_id, body, if_match=if_match)

    def _wait_active(self, object_id: str) -> Tagged:
        return self.api.wait_store_active(object_id)

    def server_fields(self, body: dict[str, Any]) -> MemoryStoreServer:
        return {
            "status": body.get("status"),
            "version": body.get("version"),
            "intelligenceServiceId": body.get("intelligenceServiceId"),
        }

    def _find(self, name: str) -> list[dict[str, Any]]:
        # Stores list as ids only (at most 15 per account): fetch each to read its name.
        stores = (self.fetch(store_id) for store_id in self.api.list_store_ids())
        return [s for s in stores if s is not None and s.get("displayName") == name]

    def delete_now(self, object_id: str, recorded: ServerFields) -> None:
        # Conversation configurations that point at the store are deleted before it: the engine
        # deletes dependants first (gotchas E18).
        self.api.delete_store(object_id)
