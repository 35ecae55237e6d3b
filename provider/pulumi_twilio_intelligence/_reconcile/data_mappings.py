"""Data mappings of a Memory Store: created asynchronously (the id is the operation's
``result.id``), found again by displayName after a lost create, PATCHed in place except their
source (``mappingFrom`` replaces)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from .._core.bodies import ServerFields
from .._core.memory_models import DataMappingModel
from .._core.spec import ResourceModel
from .._twilio.http import Tagged
from ..errors import ConflictError, NotFoundError, OperationFailedError
from .base import Created, Updated
from .memory_objects import InStoreReconciler, api_body, object_id, split_id

MAPPINGS = "DataMappings"


class DataMappingReconciler(InStoreReconciler):
    model = DataMappingModel

    def server_fields(self, body: dict[str, Any]) -> ServerFields:
        return {
            "version": body.get("version"),
            "createdAt": body.get("createdAt"),
            "updatedAt": body.get("updatedAt"),
        }

    def fetch(self, object_id_: str) -> dict[str, Any] | None:
        store_id, mapping_id = split_id(object_id_)
        found = self._get_or_none(lambda: self.api.get_data_mapping(store_id, mapping_id).body)
        return None if found is None else self.live(store_id, found, object_id_)

    def find(self, store_id: str, name: str) -> list[dict[str, Any]]:
        """This store's mappings named ``name``, with ids as this provider writes them."""
        return [
            self.live(store_id, m, object_id(store_id, MAPPINGS, str(m["id"])))
            for m in self.api.list_data_mappings(store_id)
            if m.get("displayName") == name and m.get("id")
        ]

    def create(self, desired: ResourceModel, *, replacing: Collection[str] = ()) -> Created:
        store_id, body = api_body(desired)

        def post(_: dict[str, Any]) -> dict[str, Any]:
            try:
                new_id = self.api.create_data_mapping(store_id, body)
                return {"id": object_id(store_id, MAPPINGS, new_id)}
            except (ConflictError, OperationFailedError):
                # A mapping appears once its create completes: after a lost answer the lookup by
                # name can miss it and this POST then fails on the duplicate name. If the name
                # exists now, answer "no id": the caller finds it by name and adopts it.
                if self.find(store_id, str(body["displayName"])):
                    return {}
                raise

        created = self._create_by_name(
            desired,
            post=post,
            find=lambda name: self.find(store_id, name),
            replacing=replacing,
        )
        if created.adopted:
            return created
        live = self.fetch(created.id)
        return Created(created.id, self.server_fields(live or {}))

    def update(self, object_id_: str, desired: ResourceModel, recorded: ServerFields) -> Updated:
        store_id, mapping_id = split_id(object_id_)
        # mappingFrom cannot be patched (a change replaces the mapping); mappingTo replaces the
        # whole list of mappings.
        _, body = api_body(desired, "mappingFrom")

        def patch(current: Tagged) -> None:
            live = self.live(store_id, current.body, object_id_)
            if self.model.diff(desired.wire(), live):
                self.api.patch_data_mapping(store_id, mapping_id, body, current.etag)

        def read() -> Tagged:
            return self.api.get_data_mapping(store_id, mapping_id)

        self.write_fresh(read, patch, object_id_)
        return Updated(self.server_fields(read().body))

    def delete(self, object_id_: str, recorded: ServerFields) -> None:
        store_id, mapping_id = split_id(object_id_)
        try:
            self.api.delete_data_mapping(store_id, mapping_id)
        except NotFoundError:
            return  # already gone
