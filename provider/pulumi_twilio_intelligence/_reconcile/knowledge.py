"""Knowledge bases and sources (Knowledge v2).

Bases are written asynchronously (202, poll the operation, then the base to ACTIVE), renamed in
place with PATCH + If-Match, and deleted (with every source in them) only under
``deletionPolicy: delete``. Sources are created synchronously (201) and then processed: a write
counts once the source is COMPLETED (FAILED is an error naming it). A source's Pulumi id is
``<base id>:<source id>``, the value a KNOWLEDGE_BASE_AND_SOURCE_IDS parameter takes.

Neither API takes an Idempotency-Key: after a lost create response the object is looked up by
name (a base's displayName, a source's name within its base) and adopted, never posted twice.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from .._core.bodies import KnowledgeBaseServer, KnowledgeSourceServer, ServerFields, read_as
from .._core.models import KnowledgeBaseModel, KnowledgeSourceModel
from .._core.spec import ResourceModel
from .._twilio.api import KNOWLEDGE_BASES
from .._twilio.http import AmbiguousWrite
from ..errors import AmbiguousWriteError, ValidationError, Violation
from .asynchronous import AsynchronousReconciler
from .base import Created, DataHoldingReconciler, Updated, log


class KnowledgeBaseReconciler(AsynchronousReconciler):
    model = KnowledgeBaseModel
    collection = KNOWLEDGE_BASES

    def fetch(self, object_id: str) -> dict[str, Any] | None:
        body = super().fetch(object_id)
        # A base being deleted is gone for every purpose of a stack.
        return None if body is None or body.get("status") == "DELETING" else body

    def server_fields(self, body: dict[str, Any]) -> KnowledgeBaseServer:
        return read_as(KnowledgeBaseServer, body)

    def _find(self, name: str) -> list[dict[str, Any]]:
        return [
            b
            for b in self.api.list_knowledge_bases()
            if b.get("displayName") == name and b.get("status") != "DELETING"
        ]


def _source(desired: ResourceModel) -> KnowledgeSourceModel:
    if not isinstance(desired, KnowledgeSourceModel):
        raise TypeError(f"a knowledge source's desired state, not {type(desired).__name__}")
    return desired


def split_source_id(object_id: str) -> tuple[str, str]:
    """``<base id>:<source id>`` -> (base id, source id)."""
    base_id, _, source_id = object_id.partition(":")
    if not base_id or not source_id:
        raise ValidationError(
            [
                Violation(
                    "KnowledgeSource",
                    "id",
                    f"{object_id!r} is not '<knowledge base id>:<knowledge source id>'",
                )
            ]
        )
    return base_id, source_id


def source_body(base_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """A live source as the model reads it: its Pulumi id, and the base it is in."""
    return {**body, "id": f"{base_id}:{body.get('id')}", "knowledgeBaseId": base_id}


class KnowledgeSourceReconciler(DataHoldingReconciler):
    """Deleted only when its base's deletion policy is ``delete`` (``Kind.policy_from``)."""

    model = KnowledgeSourceModel

    def fetch(self, object_id: str) -> dict[str, Any] | None:
        base_id, source_id = split_source_id(object_id)
        body = self._get_or_none(lambda: self.api.get_knowledge_source(base_id, source_id))
        return None if body is None else source_body(base_id, body)

    def server_fields(self, body: dict[str, Any]) -> KnowledgeSourceServer:
        return {
            "knowledgeId": str(body.get("id", "")).rpartition(":")[2] or None,
            "status": body.get("status"),
            "createdAt": body.get("createdAt"),
            "updatedAt": body.get("updatedAt"),
        }

    def create(self, desired: ResourceModel, *, replacing: Collection[str] = ()) -> Created:
        desired = _source(desired)
        base_id = desired.knowledge_base_id

        def find(name: str) -> list[dict[str, Any]]:
            return [
                source_body(base_id, s)
                for s in self.api.list_knowledge_sources(base_id)
                if s.get("name") == name
            ]

        def post(_: dict[str, Any]) -> dict[str, Any]:
            created = self.api.create_knowledge_source(base_id, desired.api_body())
            return source_body(base_id, created) if created.get("id") else {}

        made = self._create_by_name(desired, replacing=replacing, post=post, find=find)
        processed = self._processed(made.id)
        return Created(made.id, self.server_fields(processed), made.adopted)

    def _processed(self, object_id: str) -> dict[str, Any]:
        base_id, source_id = split_source_id(object_id)
        body = self.api.wait_knowledge_source_processed(base_id, source_id)
        return source_body(base_id, body)

    def update(self, object_id: str, desired: ResourceModel, recorded: ServerFields) -> Updated:
        desired = _source(desired)
        base_id, source_id = split_source_id(object_id)
        live = self.fetch(object_id) or {}
        body = desired.api_body()
        # name always (the spec's PATCH body requires it: gotchas E13); the source only when it
        # changed, so that renaming does not reprocess the content.
        if not any(c.field == "source" for c in self.model.diff(body, live)):
            body.pop("source", None)
        for attempt in (1, 2):
            try:
                self.api.patch_knowledge_source(base_id, source_id, body)
                break
            except AmbiguousWrite as exc:
                # A PATCH sets the given fields: sending it again is safe either way.
                if attempt == 2:
                    raise AmbiguousWriteError(f"{exc}, twice") from None
                log.warning("%s; patching knowledge source %s again", exc, object_id)
        return Updated(self.server_fields(self._processed(object_id)))

    def delete_now(self, object_id: str, recorded: ServerFields) -> None:
        self.api.delete_knowledge_source(*split_source_id(object_id))
