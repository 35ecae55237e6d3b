"""Knowledge Bases (Knowledge v2 control plane, knowledge-v2.md §2).

Create, PATCH and DELETE are asynchronous (operations.py), exactly like Memory
stores: a created base appears when its operation completes and then walks
QUEUED -> PROVISIONING -> ACTIVE over ``knowledge_base_provisioning_seconds`` of
emulator time. While a delete operation runs the base reads ``DELETING``; when it
completes the base and all its sources are gone (404).

Operation ids carry their own prefix (:data:`KNOWLEDGE_OPERATION_PREFIX`): Knowledge
and Conversations both poll ``/v2/ControlPlane/Operations/{id}`` and the emulator
serves both on one origin, so the id alone tells which API issued it.
"""

from __future__ import annotations

from typing import Any

from .clock import stage
from .errors import ValidationFailed
from .ids import ttid_pattern
from .memory_common import check_if_match
from .memory_stores import store_etag
from .named_resources import NamedResourceService, name_and_description
from .operations import OperationStarter
from .writes import Write

__all__ = [
    "KNOWLEDGE_BASE_ID",
    "KNOWLEDGE_OPERATION_PREFIX",
    "KnowledgeBaseService",
    "knowledge_base_etag",
]

KNOWLEDGE_OPERATION_PREFIX = "know_operation"
KNOWLEDGE_BASE_ID = ttid_pattern("know_knowledgebase")
_KIND = "knowledge_base"
_CREATE, _UPDATE, _DELETE = "kb-create", "kb-update", "kb-delete"

# Same opaque {id, v} tag as Memory stores.
knowledge_base_etag = store_etag


class KnowledgeBaseService(OperationStarter, NamedResourceService):
    kind = _KIND
    noun = "Knowledge Base"
    id_param = "kbId"
    id_pattern = KNOWLEDGE_BASE_ID
    list_prefix = "knowledge-bases"
    op_prefix = "kb"
    operation_api = "knowledge"
    operation_prefix = KNOWLEDGE_OPERATION_PREFIX

    # -- reads -----------------------------------------------------------------------

    def status(self, account: str, doc: dict[str, Any]) -> str:
        pending = self.operations.pending_for(account, doc["id"])
        if pending is not None:
            op = self.rt.store.get("operation", account, pending)
            if op is not None and op["type"] == _DELETE:
                return "DELETING"
        elapsed = self.rt.now() - float(doc["provisioningStartedAt"])
        span = self.rt.settings.knowledge_base_provisioning_seconds
        return stage(elapsed, span, ("QUEUED", "PROVISIONING", "ACTIVE"))

    def render(self, account: str, doc: dict[str, Any]) -> dict[str, Any]:
        out = self._render_name(doc)
        out["status"] = self.status(account, doc)
        out["createdAt"] = self.rt.timestamp(doc["createdAt"])
        out["updatedAt"] = self.rt.timestamp(doc["updatedAt"])
        out["version"] = doc["version"]
        return out

    # -- writes ----------------------------------------------------------------------

    def create(self, w: Write) -> dict[str, Any]:
        fields = name_and_description(w.body, create=True, closed=False)
        pending = self._pending_creates(w.account)
        limit = self.rt.settings.knowledge_bases_per_account
        if self.rt.store.count(_KIND, w.account) + len(pending) >= limit:
            raise ValidationFailed(f"An account can have at most {limit} Knowledge Bases")
        if not self.rt.traps.knowledge_duplicate_name_fails_operation:
            planned = [op["payload"] for op in pending]
            self._ensure_unique_name(w.account, fields["displayName"], "", planned)
        kb_id = self.rt.ids.new("know_knowledgebase")
        return self._start(w.account, _CREATE, kb_id, fields, w.fail)

    def update(self, w: Write, kb_id: str) -> dict[str, Any]:
        doc = self._not_deleting(w.account, kb_id)
        # knowledge-v2 §2.2 [UNCERTAIN]: no 412 is declared; the emulator mirrors Memory.
        check_if_match(w.if_match, knowledge_base_etag(doc))
        # Only PATCH's schema forbids other keys (additionalProperties false); create's
        # ignores them.
        fields = name_and_description(w.body, create=False, closed=True)
        if "displayName" in fields and not self.rt.traps.knowledge_duplicate_name_fails_operation:
            self._ensure_unique_name(w.account, fields["displayName"], kb_id, [])
        return self._start(w.account, _UPDATE, kb_id, fields, w.fail)

    def delete(self, account: str, kb_id: str, *, fail: bool = False) -> dict[str, Any]:
        self._not_deleting(account, kb_id)
        return self._start(account, _DELETE, kb_id, {}, fail)

    def _not_deleting(self, account: str, kb_id: str) -> dict[str, Any]:
        """The base, unless a delete is under way: K1 declares no 409, so that is a 400."""
        doc = self.fetch(account, kb_id)
        if self.status(account, doc) == "DELETING":
            raise ValidationFailed(f"Knowledge Base {kb_id} is being deleted")
        return doc

    def _pending_creates(self, account: str) -> list[dict[str, Any]]:
        return [
            op
            for _, op in self.rt.store.rows("operation", account)
            if op["type"] == _CREATE and op["state"] == "PENDING"
        ]

    # -- appliers --------------------------------------------------------------------

    def _apply_create(self, account: str, op: dict[str, Any]) -> None:
        limit = self.rt.settings.knowledge_bases_per_account
        if self.rt.store.count(_KIND, account) >= limit:
            raise ValidationFailed(f"An account can have at most {limit} Knowledge Bases")
        fields = op["payload"]
        self._ensure_unique_name(account, fields["displayName"], op["target"], [])
        now = self.rt.now()
        doc: dict[str, Any] = {"id": op["target"], **fields}
        doc.update(version=1, createdAt=now, updatedAt=now, provisioningStartedAt=now)
        self.rt.store.put(_KIND, account, op["target"], doc)

    def _apply_update(self, account: str, op: dict[str, Any]) -> None:
        doc = self.fetch(account, op["target"])
        fields = op["payload"]
        if "displayName" in fields:
            self._ensure_unique_name(account, fields["displayName"], op["target"], [])
        changed = {key: value for key, value in fields.items() if doc.get(key) != value}
        if changed:
            doc.update(changed)
            doc["version"] = int(doc["version"]) + 1
            doc["updatedAt"] = self.rt.now()
            self.rt.store.put(_KIND, account, op["target"], doc)

    def _ensure_unique_name(
        self, account: str, name: str, kb_id: str, planned: list[dict[str, Any]]
    ) -> None:
        for _, other in self.rt.store.rows(_KIND, account):
            if other["displayName"] == name and other["id"] != kb_id:
                raise ValidationFailed(
                    f"displayName: a Knowledge Base named {name!r} already exists ({other['id']})"
                )
        if any(fields.get("displayName") == name for fields in planned):
            raise ValidationFailed(
                f"displayName: a Knowledge Base named {name!r} is already being created"
            )
