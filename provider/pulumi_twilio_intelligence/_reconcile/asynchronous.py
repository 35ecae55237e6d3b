"""Objects that hold customer data and are written asynchronously, as Memory stores and Knowledge
bases are: a POST answers 202 with an operation (polled; the new id is its ``result.id``), the
object is usable once ACTIVE, renames are PATCH + If-Match (202, polled), and there is no
Idempotency-Key: an object left by a lost response is found by its unique displayName."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Collection
from typing import Any, ClassVar

from .._core.bodies import ServerFields
from .._core.spec import ResourceModel
from .._twilio.api import AsyncCollection
from .._twilio.http import AmbiguousWrite, Tagged
from ..errors import AmbiguousWriteError, ConflictError, OperationFailedError
from .base import Created, DataHoldingReconciler, Updated, log


class AsynchronousReconciler(DataHoldingReconciler):
    collection: ClassVar[AsyncCollection]  # where the kind's objects are written

    # --- the API calls of one kind ---------------------------------------------------------
    def _get(self, object_id: str) -> Tagged:
        return self.api.get_tagged(self.collection, object_id)

    def _post(self, body: dict[str, Any]) -> str:
        """POST, poll the operation; the new object's id."""
        return self.api.create_async(self.collection, body)

    def _patch(self, object_id: str, body: dict[str, Any], if_match: str | None) -> None:
        self.api.patch_async(self.collection, object_id, body, if_match=if_match)

    def _wait_active(self, object_id: str) -> Tagged:
        return self.api.wait_active(self.collection, object_id)

    @abstractmethod
    def _find(self, name: str) -> list[dict[str, Any]]:
        """Live objects named ``name``."""

    # --- the shared choreography -----------------------------------------------------------
    def fetch(self, object_id: str) -> dict[str, Any] | None:
        return self._get_or_none(lambda: self._get(object_id).body)

    def create(self, desired: ResourceModel, *, replacing: Collection[str] = ()) -> Created:
        created = self._create_by_name(
            desired, replacing=replacing, post=self._post_or_found, find=self._find
        )
        active = self._wait_active(created.id).body
        return Created(created.id, self.server_fields(active), created.adopted)

    def _post_or_found(self, body: dict[str, Any]) -> dict[str, Any]:
        try:
            return {"id": self._post(body)}
        except (OperationFailedError, ConflictError):
            # The object appears only once its create operation completes, so after a lost
            # response the lookup by name can miss it, and the POST that follows fails on the
            # duplicate name (its operation FAILED, or a 409 at once). If the name now exists,
            # answer "no id": the caller then finds it by name and adopts it (or reports whose
            # it is).
            if self._find(str(body.get("displayName"))):
                return {}
            raise

    def update(self, object_id: str, desired: ResourceModel, recorded: ServerFields) -> Updated:
        for attempt in (1, 2):
            current = self._get(object_id)
            try:
                self._patch(object_id, desired.wire(), current.etag)
                break
            except AmbiguousWrite as exc:
                # A PATCH sets the given fields, so sending it again (with the ETag as it is now)
                # is safe whether or not the lost one landed.
                if attempt == 2:
                    raise AmbiguousWriteError(f"{exc}, twice") from None
                log.warning("%s; re-reading %s and patching again", exc, object_id)
        return Updated(self.server_fields(self._wait_active(object_id).body))

    def delete_now(self, object_id: str, recorded: ServerFields) -> None:
        """DELETE and poll: the object with everything in it. A store is deleted after the
        Conversation configurations that point at it: the engine deletes dependants first
        (gotchas E18)."""
        self.api.delete_async(self.collection, object_id)
