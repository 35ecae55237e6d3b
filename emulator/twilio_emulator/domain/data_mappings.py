"""Data Mappings of a Memory Store (memory-v1 §5).

Every write is asynchronous; a create's operation ``result.id`` is the new
``mem_datamapping_`` id. ``mappingFrom`` is fixed at creation (a PATCH sending
it is 400, §5.3); a PATCHed ``mappingTo`` replaces the whole ``mappings`` array.
Mapped trait groups and traits must exist when a write is made (checked at
once, §1.4 suggestion, and again when the operation completes).
"""

from __future__ import annotations

import copy
import re
from typing import Any

from .checks import Checker, join, join_index
from .errors import Conflict, NotFound, ValidationFailed
from .ids import ttid_pattern
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
from .trait_groups import GROUP_NAME, TraitGroupService

__all__ = ["DATA_MAPPING_ID", "DataMappingService", "mapping_etag"]

_KIND = "memory_data_mapping"
DATA_MAPPING_ID = ttid_pattern("mem_datamapping")
_DATASET_ID = ttid_pattern("tdi_dataset")
MAPPING_TYPES = ("INGRESS", "DATASET_CLOUDAPP", "DATASET_WAREHOUSE")
_NAME = re.compile(r"[a-zA-Z][a-zA-Z0-9-.]*")
_WIDE_NAME = re.compile(r"[a-zA-Z][a-zA-Z0-9-_.]*")  # the docs pages' form (E9)
_TRAIT_NAME = re.compile(r"[a-z][a-zA-Z0-9_\-\.]*")
_CORE_FIELDS = ("displayName", "description", "isEnabled", "mappingTo")


def mapping_etag(doc: dict[str, Any]) -> str:
    return memory_etag(doc["id"], int(doc["version"]))


class DataMappingService(StoreChildService):
    kind = _KIND
    segment = "DataMappings"
    key_field = "id"

    def __init__(
        self,
        rt: Runtime,
        operations: Operations,
        stores: MemoryStoreService,
        trait_groups: TraitGroupService,
    ) -> None:
        super().__init__(rt, operations, stores)
        self.trait_groups = trait_groups
        trait_groups.is_mapped = self._maps_into
        operations.register("data-mapping-create", self._apply_create)
        operations.register("data-mapping-update", self._apply_update)
        operations.register("data-mapping-delete", self._apply_delete)

    # -- reads -----------------------------------------------------------------------

    def fetch(self, account: str, store_id: str, mapping_id: str) -> dict[str, Any]:
        self.stores.fetch(account, store_id)
        if DATA_MAPPING_ID.fullmatch(mapping_id) is None:
            raise ValidationFailed(f'dataMappingId: must match "^{DATA_MAPPING_ID.pattern}$"')
        doc = self.rt.store.get(_KIND, account, f"{store_id}/{mapping_id}")
        if doc is None:
            raise NotFound(f"Data Mapping {mapping_id} not found")
        return doc

    def page(  # noqa: PLR0917 - the list's query, one parameter each
        self,
        account: str,
        store_id: str,
        size: int,
        token: str | None,
        order: str,
        mapping_type: str | None,
    ) -> Page:
        self.stores.fetch(account, store_id)
        if mapping_type is not None and mapping_type not in MAPPING_TYPES:
            raise ValidationFailed(f"type: must be one of [{', '.join(MAPPING_TYPES)}]")
        return paginate(
            self.rt.store,
            _KIND,
            account,
            list_name=f"dataMappings:{store_id}:{order}:{mapping_type or ''}",
            size=size,
            token=token,
            descending=order == "DESC",
            prefix=f"{store_id}/",
            keep=None
            if mapping_type is None
            else (lambda doc: doc["mappingFrom"]["type"] == mapping_type),
        )

    @staticmethod
    def render(doc: dict[str, Any]) -> dict[str, Any]:
        return {k: copy.deepcopy(v) for k, v in doc.items() if k != "storeId"}

    # -- writes ----------------------------------------------------------------------

    def create(
        self, account: str, store_id: str, body: dict[str, Any], *, fail: bool = False
    ) -> dict[str, Any]:
        self.stores.fetch(account, store_id)
        c = Checker()
        reject_unknown_fields(c, body, (*_CORE_FIELDS, "mappingFrom"))
        fields = self._core(c, body, create=True)
        source = c.get(body, "mappingFrom", "", required=True)
        if source is not None:
            fields["mappingFrom"] = self._source(c, source)
        c.raise_if_failed()
        self._ensure_name_free(account, store_id, fields["displayName"], "")
        self._ensure_targets_exist(account, store_id, fields["mappingTo"])
        mapping_id = self.rt.ids.new("mem_datamapping")
        payload = {"storeId": store_id, "id": mapping_id, **fields}
        return self._start(account, "data-mapping-create", payload, fail)

    def update(
        self,
        account: str,
        store_id: str,
        mapping_id: str,
        body: dict[str, Any],
        if_match: str | None,
        *,
        fail: bool = False,
    ) -> dict[str, Any]:
        doc = self.fetch(account, store_id, mapping_id)
        check_undeclared_if_match(self.rt.traps, if_match, mapping_etag(doc))
        c = Checker()
        why = "is fixed at creation and cannot be changed (replace the mapping)"
        check_patch_fields(c, body, _CORE_FIELDS, fixed="mappingFrom", why=why)
        fields = self._core(c, body, create=False)
        c.raise_if_failed()
        if "displayName" in fields:
            self._ensure_name_free(account, store_id, fields["displayName"], mapping_id)
        if "mappingTo" in fields:
            self._ensure_targets_exist(account, store_id, fields["mappingTo"])
        payload = {"storeId": store_id, "id": mapping_id, **fields}
        return self._start(account, "data-mapping-update", payload, fail)

    def delete(
        self, account: str, store_id: str, mapping_id: str, *, fail: bool = False
    ) -> dict[str, Any]:
        self.fetch(account, store_id, mapping_id)
        payload = {"storeId": store_id, "id": mapping_id}
        return self._start(account, "data-mapping-delete", payload, fail, keeps_resource=False)

    # -- validation ------------------------------------------------------------------

    def _core(self, c: Checker, body: dict[str, Any], *, create: bool) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if not create:
            for key in _CORE_FIELDS:
                if key in body and body[key] is None:
                    c.fail(key, "must not be null")
        wide = self.rt.traps.memory_data_mapping_wide_names
        name = c.get(body, "displayName", "", required=create)
        if name is not None and c.string(
            name,
            "displayName",
            min_len=1,
            max_len=128 if wide else 64,
            pattern=_WIDE_NAME if wide else _NAME,
        ):
            out["displayName"] = name
        description = body.get("description")
        if description is not None and c.string(description, "description", min_len=1, max_len=512):
            out["description"] = description
        enabled = body.get("isEnabled")
        if enabled is not None and c.boolean(enabled, "isEnabled") is not None:
            out["isEnabled"] = enabled
        elif create:
            out["isEnabled"] = True
        target = c.get(body, "mappingTo", "", required=create)
        if target is not None:
            out["mappingTo"] = _target(c, target)
        return out

    @staticmethod
    def _source(c: Checker, raw: Any) -> dict[str, Any]:
        source = c.object(raw, "mappingFrom")
        if source is None:
            return {}
        kind = c.get(source, "type", "mappingFrom", required=True)
        if kind is None or c.string(kind, "mappingFrom.type", enum=MAPPING_TYPES) is None:
            return {}
        other = "columns" if kind == "INGRESS" else "datasetId"
        reject_unknown_fields(c, source, ("type", other), path="mappingFrom")
        value = c.get(source, other, "mappingFrom", required=True)
        if value is None:
            return {}
        path = join("mappingFrom", other)
        if kind == "INGRESS":
            columns = c.array(value, path, min_items=1, max_items=100) or []
            for index, column in enumerate(columns):
                c.string(column, join_index(path, index), min_len=1, max_len=256)
        else:
            c.string(value, path, pattern=_DATASET_ID)
        return {"type": kind, other: copy.deepcopy(value)}

    def _ensure_name_free(self, account: str, store_id: str, name: str, mapping_id: str) -> None:
        for other in self._children(account, store_id):
            if other["displayName"] == name and other["id"] != mapping_id:
                raise Conflict(f"displayName: a Data Mapping named {name!r} already exists")

    def _ensure_targets_exist(self, account: str, store_id: str, target: dict[str, Any]) -> None:
        c = Checker()
        for index, item in enumerate(target["mappings"]):
            path = join_index("mappingTo.mappings", index)
            group = self.trait_groups.get(account, store_id, item["traitGroup"])
            if group is None:
                c.fail(join(path, "traitGroup"), f"no Trait Group {item['traitGroup']!r}")
            elif item["traitName"] not in group["traits"]:
                c.fail(join(path, "traitName"), f"no trait {item['traitName']!r} in the group")
        c.raise_if_failed()

    def _maps_into(self, account: str, store_id: str, group: str) -> bool:
        return any(
            item["traitGroup"] == group
            for doc in self._children(account, store_id)
            for item in doc["mappingTo"]["mappings"]
        )

    # -- store lifecycle and appliers ----------------------------------------------

    def _apply_create(self, account: str, op: dict[str, Any]) -> None:
        payload = copy.deepcopy(op["payload"])
        store_id = payload["storeId"]
        self.stores.fetch(account, store_id)
        self._ensure_name_free(account, store_id, payload["displayName"], payload["id"])
        self._ensure_targets_exist(account, store_id, payload["mappingTo"])
        now = self.rt.timestamp()
        doc = {**payload, "createdAt": now, "updatedAt": now, "version": 1}
        self._put(account, doc)

    def _apply_update(self, account: str, op: dict[str, Any]) -> None:
        payload = copy.deepcopy(op["payload"])
        doc = self.fetch(account, payload["storeId"], payload["id"])
        if "displayName" in payload:
            self._ensure_name_free(account, doc["storeId"], payload["displayName"], doc["id"])
        if "mappingTo" in payload:
            self._ensure_targets_exist(account, doc["storeId"], payload["mappingTo"])
        doc.update(payload)
        doc["updatedAt"] = self.rt.timestamp()
        doc["version"] = int(doc["version"]) + 1
        self._put(account, doc)

    def _apply_delete(self, account: str, op: dict[str, Any]) -> None:
        payload = op["payload"]
        self.fetch(account, payload["storeId"], payload["id"])
        self.rt.store.delete(_KIND, account, f"{payload['storeId']}/{payload['id']}")


def _target(c: Checker, raw: Any) -> dict[str, Any]:
    """DataMappingToTypes: the TRAITS variant, 1..100 {expression, traitGroup, traitName}."""
    target = c.object(raw, "mappingTo")
    if target is None:
        return {"type": "TRAITS", "mappings": []}
    reject_unknown_fields(c, target, ("type", "mappings"), path="mappingTo")
    kind = c.get(target, "type", "mappingTo", required=True)
    if kind is not None:
        c.string(kind, "mappingTo.type", enum=("TRAITS",))
    mappings: list[dict[str, str]] = []
    raw_items = c.get(target, "mappings", "mappingTo", required=True)
    if raw_items is None:
        return {"type": "TRAITS", "mappings": mappings}
    items = c.objects(raw_items, "mappingTo.mappings", min_items=1, max_items=100)
    for item, path in items:
        mapping = _mapping_item(c, item, path)
        if mapping is not None:
            mappings.append(mapping)
    return {"type": "TRAITS", "mappings": mappings}


def _mapping_item(c: Checker, item: dict[str, Any], path: str) -> dict[str, str] | None:
    """MappingTraitItem: all three fields required."""
    reject_unknown_fields(c, item, ("expression", "traitGroup", "traitName"), path=path)
    before = len(c.violations)
    rules: dict[str, dict[str, Any]] = {
        "expression": {"min_len": 1, "max_len": 256},
        "traitGroup": {"min_len": 1, "max_len": 64, "pattern": GROUP_NAME},
        "traitName": {"min_len": 1, "max_len": 128, "pattern": _TRAIT_NAME},
    }
    out: dict[str, str] = {}
    for key, limits in rules.items():
        value = c.get(item, key, path, required=True)
        if value is not None and c.string(value, join(path, key), **limits) is not None:
            out[key] = value
    return out if len(c.violations) == before else None
