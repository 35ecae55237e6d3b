"""Trait Groups of a Memory Store (memory-v1 §4), addressed by ``displayName``.

Every write is asynchronous; the operation's ``result.id`` is the group's name
(UNCERTAIN, §6). PATCH merges ``traits`` by key (``dataType: ""`` deletes one)
and cannot rename. Each new store gets the built-in ``Contact`` group (§4.5).
Groups are kept under ``<storeId>/<name>``, so lists are in name order.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

from .checks import Checker
from .errors import Conflict, NotFound, ValidationFailed
from .identity_resolution import IdentityResolutionService
from .memory_common import (
    check_patch_fields,
    check_undeclared_if_match,
    memory_etag,
    reject_unknown_fields,
)
from .memory_stores import MemoryStoreService
from .operations import Operations
from .pagination import Page, paginate
from .runtime import Runtime
from .store_children import StoreChildService
from .trait_definitions import MAX_TRAITS, TraitMapChecker

__all__ = ["BUILT_IN_GROUP", "MAX_GROUPS", "TraitGroupService", "group_etag"]

_KIND = "memory_trait_group"
MAX_GROUPS = 50
BUILT_IN_GROUP = "Contact"
GROUP_NAME = re.compile(r"[a-zA-Z0-9_\-\.]+")
_CREATE_FIELDS = ("displayName", "description", "traits")
_PATCH_FIELDS = ("description", "traits")

# The built-in group: what every spec example puts in it (§4.5, UNCERTAIN).
_CONTACT_TRAITS: dict[str, dict[str, Any]] = {
    "email": {"dataType": "STRING", "idTypePromotion": "email"},
    "phone": {"dataType": "STRING", "idTypePromotion": "phone"},
    "firstName": {"dataType": "STRING"},
    "lastName": {"dataType": "STRING"},
}

# (account, store id, group name) -> is a data mapping of the store mapping into it?
MappedCheck = Callable[[str, str, str], bool]


def group_etag(doc: dict[str, Any]) -> str:
    return memory_etag(f"{doc['storeId']}/{doc['displayName']}", int(doc["version"]))


class TraitGroupService(StoreChildService):
    """Keyed by name; ``result.id`` of every write is the group's name (UNCERTAIN, §6)."""

    kind = _KIND
    segment = "TraitGroups"
    key_field = "displayName"

    def __init__(
        self,
        rt: Runtime,
        operations: Operations,
        stores: MemoryStoreService,
        identity: IdentityResolutionService,
    ) -> None:
        super().__init__(rt, operations, stores)
        self.identity = identity
        self.is_mapped: MappedCheck = lambda account, store_id, name: False
        operations.register("trait-group-create", self._apply_create)
        operations.register("trait-group-update", self._apply_update)
        operations.register("trait-group-delete", self._apply_delete)
        stores.on_created.append(self._seed)

    # -- reads -----------------------------------------------------------------------

    def get(self, account: str, store_id: str, name: str) -> dict[str, Any] | None:
        return self.rt.store.get(_KIND, account, f"{store_id}/{name}")

    def fetch(self, account: str, store_id: str, name: str) -> dict[str, Any]:
        self.stores.fetch(account, store_id)
        if not 1 <= len(name) <= 64:
            raise ValidationFailed("traitGroupName: size must be between 1 and 64")
        doc = self.get(account, store_id, name)
        if doc is None:
            raise NotFound(f"Trait Group {name} not found")
        return doc

    def page(self, account: str, store_id: str, size: int, token: str | None, order: str) -> Page:
        self.stores.fetch(account, store_id)
        return paginate(
            self.rt.store,
            _KIND,
            account,
            list_name=f"traitGroups:{store_id}:{order}",
            size=min(size, MAX_GROUPS),  # the list holds at most 50 (§4.2)
            token=token,
            descending=order == "DESC",
            prefix=f"{store_id}/",
        )

    @staticmethod
    def render(doc: dict[str, Any], *, include_traits: bool) -> dict[str, Any]:
        out: dict[str, Any] = {"displayName": doc["displayName"]}
        if "description" in doc:
            out["description"] = doc["description"]
        if include_traits:
            out["traits"] = copy.deepcopy(doc["traits"])
        out["version"] = doc["version"]
        return out

    # -- writes ----------------------------------------------------------------------

    def create(
        self, account: str, store_id: str, body: dict[str, Any], *, fail: bool = False
    ) -> dict[str, Any]:
        self.stores.fetch(account, store_id)
        c = Checker()
        reject_unknown_fields(c, body, _CREATE_FIELDS)
        name = c.get(body, "displayName", "", required=True)
        if name is not None:
            name = c.string(name, "displayName", min_len=1, max_len=64, pattern=GROUP_NAME)
        fields = self._fields(c, account, store_id, body, allow_delete=False)
        c.raise_if_failed()  # so name is a valid string from here
        existing = self._names(account, store_id)
        if name in existing:
            raise Conflict(f"displayName: a Trait Group named {name!r} already exists")
        if len(existing) >= MAX_GROUPS:
            raise ValidationFailed(f"A Memory Store can have at most {MAX_GROUPS} Trait Groups")
        payload = {"storeId": store_id, "displayName": name, **fields}
        return self._start(account, "trait-group-create", payload, fail)

    def update(
        self,
        account: str,
        store_id: str,
        name: str,
        body: dict[str, Any],
        if_match: str | None,
        *,
        fail: bool = False,
    ) -> dict[str, Any]:
        doc = self.fetch(account, store_id, name)
        check_undeclared_if_match(self.rt.traps, if_match, group_etag(doc))
        c = Checker()
        why = "a Trait Group cannot be renamed (not a PATCH field)"
        check_patch_fields(c, body, _PATCH_FIELDS, fixed="displayName", why=why)
        fields = self._fields(c, account, store_id, body, allow_delete=True)
        c.raise_if_failed()
        _merged_traits(doc, fields.get("traits", {}))  # the 95-trait limit, checked now
        payload = {"storeId": store_id, "displayName": name, **fields}
        return self._start(account, "trait-group-update", payload, fail)

    def delete(
        self, account: str, store_id: str, name: str, *, fail: bool = False
    ) -> dict[str, Any]:
        self.fetch(account, store_id, name)
        self._ensure_deletable(account, store_id, name)
        payload = {"storeId": store_id, "displayName": name}
        return self._start(account, "trait-group-delete", payload, fail, keeps_resource=False)

    def _fields(
        self,
        c: Checker,
        account: str,
        store_id: str,
        body: dict[str, Any],
        *,
        allow_delete: bool,
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        description = body.get("description")
        if (
            description is not None
            and c.string(description, "description", max_len=1024) is not None
        ):
            out["description"] = description
        if body.get("traits") is not None:
            checker = TraitMapChecker(
                c,
                allow_delete=allow_delete,
                id_types=self.identity.id_types(account, store_id),
                normalise=self.rt.traps.memory_trait_names_camel_case,
            )
            out["traits"] = checker.check(body["traits"])
        return out

    def _names(self, account: str, store_id: str) -> list[str]:
        return [doc["displayName"] for doc in self._children(account, store_id)]

    def _ensure_deletable(self, account: str, store_id: str, name: str) -> None:
        if name == BUILT_IN_GROUP and self.rt.traps.memory_builtin_group_protected:
            raise Conflict(f"Trait Group {name} is built in and cannot be deleted")
        if self.is_mapped(account, store_id, name):
            raise Conflict(f"Trait Group {name} is used by a data mapping of the store")

    # -- store lifecycle and appliers ----------------------------------------------

    def _seed(self, account: str, store_id: str) -> None:
        doc = {
            "storeId": store_id,
            "displayName": BUILT_IN_GROUP,
            "description": "Built-in contact information",
            "traits": copy.deepcopy(_CONTACT_TRAITS),
            "version": 1,
        }
        self._put(account, doc)

    def _apply_create(self, account: str, op: dict[str, Any]) -> None:
        payload = op["payload"]
        store_id, name = payload["storeId"], payload["displayName"]
        self.stores.fetch(account, store_id)
        existing = self._names(account, store_id)
        if name in existing:
            raise Conflict(f"displayName: a Trait Group named {name!r} already exists")
        if len(existing) >= MAX_GROUPS:
            raise ValidationFailed(f"A Memory Store can have at most {MAX_GROUPS} Trait Groups")
        doc: dict[str, Any] = {"storeId": store_id, "displayName": name}
        if "description" in payload:
            doc["description"] = payload["description"]
        doc["traits"] = {k: v for k, v in payload.get("traits", {}).items() if v is not None}
        doc["version"] = 1
        self._put(account, doc)

    def _apply_update(self, account: str, op: dict[str, Any]) -> None:
        payload = op["payload"]
        doc = self.fetch(account, payload["storeId"], payload["displayName"])
        if "description" in payload:
            doc["description"] = payload["description"]
        doc["traits"] = _merged_traits(doc, payload.get("traits", {}))
        doc["version"] = int(doc["version"]) + 1
        self._put(account, doc)

    def _apply_delete(self, account: str, op: dict[str, Any]) -> None:
        store_id, name = op["payload"]["storeId"], op["payload"]["displayName"]
        self.fetch(account, store_id, name)
        self._ensure_deletable(account, store_id, name)
        self.rt.store.delete(_KIND, account, f"{store_id}/{name}")


def _merged_traits(
    doc: dict[str, Any], patch: dict[str, dict[str, Any] | None]
) -> dict[str, dict[str, Any]]:
    """§4.4: a key sent replaces that trait whole, ``None`` (``dataType: ""``) deletes it,
    keys not sent are kept; at most 95 traits remain."""
    merged: dict[str, dict[str, Any]] = copy.deepcopy(doc["traits"])
    for name, definition in patch.items():
        if definition is None:
            merged.pop(name, None)
        else:
            merged[name] = definition
    if len(merged) > MAX_TRAITS:
        raise ValidationFailed(f"traits: a Trait Group can have at most {MAX_TRAITS} traits")
    return merged
