"""Memory Stores (Memory v1): created asynchronously, renamed with PATCH + If-Match, deleted
(asynchronously, with everything in it) only under ``deletionPolicy: delete``: otherwise removing
a store from a stack forgets it and warns, naming it (``base.DataHoldingReconciler``).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from .._core.bodies import MemoryStoreServer, ServerFields
from .._core.models import MemoryStoreModel
from .._core.spec import ResourceModel
from .._twilio.http import AmbiguousWrite
from ..errors import AmbiguousWriteError, OperationFailedError
from .base import Created, DataHoldingReconciler, Updated, log


class MemoryStoreReconciler(DataHoldingReconciler):
    model = MemoryStoreModel

    def fetch(self, object_id: str) -> dict[str, Any] | None:
        return self._get_or_none(lambda: self.api.get_store(object_id).body)

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

    def create(self, desired: ResourceModel, *, replacing: Collection[str] = ()) -> Created:
        created = self._create_by_name(
            desired,
            replacing=replacing,
            post=self._post,
            find=self._find,
        )
        active = self.api.wait_store_active(created.id).body
        return Created(created.id, self.server_fields(active), created.adopted)

    def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        try:
            return {"id": self.api.create_store(body)}
        except OperationFailedError:
            # A store appears only once its create operation completes, so after a lost response
            # the lookup by name can miss it, and the POST that follows fails on the duplicate
            # name. If the name now exists, answer "no id": the caller then finds it by name and
            # adopts it (or reports whose it is).
            if self._find(str(body.get("displayName"))):
                return {}
            raise

    def update(self, object_id: str, desired: ResourceModel, recorded: ServerFields) -> Updated:
        for attempt in (1, 2):
            current = self.api.get_store(object_id)
            try:
                self.api.patch_store(object_id, desired.wire(), if_match=current.etag)
                break
            except AmbiguousWrite as exc:
                # A PATCH sets the given fields, so sending it again (with the ETag as it is now)
                # is safe whether or not the lost one landed.
                if attempt == 2:
                    raise AmbiguousWriteError(f"{exc}, twice") from None
                log.warning("%s; re-reading store %s and patching again", exc, object_id)
        return Updated(self.server_fields(self.api.wait_store_active(object_id).body))

    def delete_now(self, object_id: str, recorded: ServerFields) -> None:
        # Conversation configurations that point at the store are deleted before it: the engine
        # deletes dependants first (gotchas E18).
        self.api.delete_store(object_id)
