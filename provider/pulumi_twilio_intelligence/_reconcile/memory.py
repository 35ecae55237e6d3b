"""Memory Stores (Memory v1): created asynchronously, renamed with PATCH + If-Match, deleted
(asynchronously, with everything in it) only under ``deletionPolicy: delete``: otherwise removing
a store from a stack forgets it and warns, naming it (``base.DataHoldingReconciler``).
"""

from __future__ import annotations

from typing import Any

from .._core.bodies import MemoryStoreServer, read_as
from .._core.models import MemoryStoreModel
from .._twilio.api import STORES
from .asynchronous import AsynchronousReconciler


class MemoryStoreReconciler(AsynchronousReconciler):
    model = MemoryStoreModel
    collection = STORES

    def server_fields(self, body: dict[str, Any]) -> MemoryStoreServer:
        return read_as(MemoryStoreServer, body)

    def _find(self, name: str) -> list[dict[str, Any]]:
        # Stores list as ids only (at most 15 per account): fetch each to read its name.
        stores = (self.fetch(store_id) for store_id in self.api.list_store_ids())
        return [s for s in stores if s is not None and s.get("displayName") == name]
