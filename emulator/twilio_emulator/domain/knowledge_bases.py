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

import re
from collections.abc import Callable
from typing import Any

from .checks import Checker
from .clock import stage
from .collection import Collection
from .errors import PreconditionFailed, ValidationFailed
from .ids import ttid_pattern
from .memory_stores import store_etag
from .operations import Operations
from .operators import if_match_matches
from .pagination import Page
from .runtime import Runtime

__all__ = [
    "KNOWLEDGE_BASE_ID",
    "KNOWLEDGE_OPERATION_PREFIX",
    "KnowledgeBaseService",
    "knowledge_base_etag",
]

KNOWLEDGE_OPERATION_PREFIX = "know_operation"
KNOWLEDGE_BASE_ID = ttid_pattern("know_knowledgebase")
_DISPLAY_NAME = re.compile(r"[a-zA-Z0-9-]+")
_KIND = "knowledge_base"
_FIELDS = ("displayName", "description")
_CREATE, _UPDATE, _DELETE = "kb-create", "kb-update", "kb-delete"

# Same opaque {id, v} tag as Memory stores.
knowledge_base_etag = store_etag


class KnowledgeBaseService(Collection):
    kind = _KIND
    noun = "Knowledge Base"
    list_name = "knowledge-bases:DESC"

    def __init__(self, rt: Runtime, operations: Operations) -> None:
        super().__init__(rt)
        self.operations = operations
        # Deleting a base cascades to its sources; the source service registers here.
        self.on_delete: list[Callable[[str, str], None]] = []
        operations.register(_CREATE, self._apply_create)
        operations.register(_UPDATE, self._apply_update)
        operations.register(_DELETE, self._apply_delete)

    # -- reads -----------------------------------------------------------------------

    def fetch(self, account: str, kb_id: str) -> dict[str, Any]:
        if KNOWLEDGE_BASE_ID.fullmatch(kb_id) is None:
            raise ValidationFailed(f'kbId: must match "^{KNOWLEDGE_BASE_ID.pattern}$"')
        return super().fetch(account, kb_id)

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
        out: dict[str, Any] = {"id": doc["id"], "displayName": doc["displayName"]}
        if "description" in doc:
            out["description"] = doc["description"]
        out["status"] = self.status(account, doc)
        out["createdAt"] = self.rt.timestamp(doc["createdAt"])
        out["updatedAt"] = self.rt.timestamp(doc["updatedAt"])
        out["version"] = doc["version"]
        return out

    def page(self, account: str, size: int, token: str | None, order: str = "DESC") -> Page:
        return self._page(
            account, size, token, list_name=f"knowledge-bases:{order}", descending=order == "DESC"
        )

    # -- writes ----------------------------------------------------------------------

    def create(self, account: str, body: dict[str, Any], *, fail: bool = False) -> dict[str, Any]:
        c = Checker()
        fields = _fields(c, body, create=True)
        c.raise_if_failed()
        pending = self._pending_creates(account)
        limit = self.rt.settings.knowledge_bases_per_account
        if self.rt.store.count(_KIND, account) + len(pending) >= limit:
            raise ValidationFailed(f"An account can have at most {limit} Knowledge Bases")
        if not self.rt.traps.knowledge_duplicate_name_fails_operation:
            planned = [op["payload"] for op in pending]
            self._ensure_unique_name(account, fields["displayName"], "", planned)
        kb_id = self.rt.ids.new("know_knowledgebase")
        return self._start(account, _CREATE, kb_id, fields, fail)

    def update(
        self,
        account: str,
        kb_id: str,
        body: dict[str, Any],
        if_match: str | None,
        *,
        fail: bool = False,
    ) -> dict[str, Any]:
        doc = self._not_deleting(account, kb_id)
        if not if_match_matches(if_match, knowledge_base_etag(doc)):
            # knowledge-v2 §2.2 [UNCERTAIN]: no 412 is declared; the emulator mirrors Memory.
            raise PreconditionFailed(f"If-Match {if_match} does not match the current ETag")
        c = Checker()
        for key in _FIELDS:
            if key in body and body[key] is None:
                c.fail(key, "must not be null")
        fields = _fields(c, body, create=False)
        c.raise_if_failed()
        if "displayName" in fields and not self.rt.traps.knowledge_duplicate_name_fails_operation:
            self._ensure_unique_name(account, fields["displayName"], kb_id, [])
        return self._start(account, _UPDATE, kb_id, fields, fail)

    def delete(self, account: str, kb_id: str, *, fail: bool = False) -> dict[str, Any]:
        self._not_deleting(account, kb_id)
        return self._start(account, _DELETE, kb_id, {}, fail)

    def _not_deleting(self, account: str, kb_id: str) -> dict[str, Any]:
        """The base, unless a delete is under way: K1 declares no 409, so that is a 400."""
        doc = self.fetch(account, kb_id)
        if self.status(account, doc) == "DELETING":
            raise ValidationFailed(f"Knowledge Base {kb_id} is being deleted")
        return doc

    def _start(
        self, account: str, op_type: str, kb_id: str, fields: dict[str, Any], fail: bool
    ) -> dict[str, Any]:
        return self.operations.start(
            account,
            api="knowledge",
            op_type=op_type,
            target=kb_id,
            payload=fields,
            force_failure=fail,
            id_prefix=KNOWLEDGE_OPERATION_PREFIX,
        )

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

    def _apply_delete(self, account: str, op: dict[str, Any]) -> None:
        self.fetch(account, op["target"])
        for cascade in self.on_delete:
            cascade(account, op["target"])
        self.rt.store.delete(_KIND, account, op["target"])

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


def _fields(c: Checker, body: dict[str, Any], *, create: bool) -> dict[str, Any]:
    """The writable fields of a create or PATCH body; only PATCH's schema forbids other
    keys (additionalProperties false, §2.2), create's ignores them."""
    for key in body:
        if not create and key not in _FIELDS:
            c.fail(key, "unknown field")
    out: dict[str, Any] = {}
    name = c.get(body, "displayName", "", required=create)
    if name is not None and c.string(name, "displayName", max_len=64, pattern=_DISPLAY_NAME):
        out["displayName"] = name
    description = c.get(body, "description", "", required=False)
    if description is not None and c.string(description, "description", min_len=1, max_len=128):
        out["description"] = description
    return out
