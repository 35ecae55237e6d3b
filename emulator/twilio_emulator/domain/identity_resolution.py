"""Identity Resolution Settings: one per Memory Store (memory-v1 §3).

Created with the store (the spec example, §3.2, as defaults), dropped with it,
replaced wholesale by an asynchronous PUT whose completion bumps ``version``.
"""

from __future__ import annotations

import copy
from typing import Any

from .checks import Checker, join, join_index
from .errors import NotFound
from .memory_common import (
    STORES_PATH,
    check_if_match,
    memory_etag,
    reject_unknown_fields,
    start_memory_operation,
)
from .memory_stores import MemoryStoreService
from .operations import Operations
from .runtime import Runtime

__all__ = ["IdentityResolutionService", "settings_etag"]

_KIND = "memory_identity_resolution"
MAX_ID_TYPES = 15
MAX_RULES = 15

# IdentifierConfig (additionalProperties false): field -> (default, allowed values or
# integer range). idType alone is required.
_ENUMS: dict[str, tuple[str, tuple[str, ...]]] = {
    "matchingAlgo": ("exact", ("exact", "fuzzy")),
    "limitPolicy": ("fifo", ("fifo", "lifo")),
    "normalization": ("trim", ("phone", "email", "trim", "none")),
}
_INTEGERS: dict[str, tuple[int, int, int]] = {
    "matchingThreshold": (75, 50, 99),
    "limit": (100, 1, 100),
}
_FIELDS = ("idType", *_ENUMS, *_INTEGERS, "enforceUnique")

# The spec example (§3.2), less its version.
_DEFAULT_TYPES = (("email", "email"), ("whatsapp", "trim"), ("phone", "phone"))


def settings_etag(doc: dict[str, Any]) -> str:
    return memory_etag(f"{doc['storeId']}/IdentityResolutionSettings", int(doc["version"]))


def _identifier(id_type: str, normalization: str) -> dict[str, Any]:
    out: dict[str, Any] = {"idType": id_type}
    for name, (text, _) in _ENUMS.items():
        out[name] = text
    for name, (number, _, _) in _INTEGERS.items():
        out[name] = number
    out.update(normalization=normalization, enforceUnique=True)
    return out


class IdentityResolutionService:
    def __init__(self, rt: Runtime, operations: Operations, stores: MemoryStoreService) -> None:
        self.rt = rt
        self.operations = operations
        self.stores = stores
        operations.register("identity-resolution-put", self._apply_put)
        stores.on_created.append(self._seed)
        stores.on_deleted.append(self._drop)

    def fetch(self, account: str, store_id: str) -> dict[str, Any]:
        self.stores.fetch(account, store_id)
        doc = self.rt.store.get(_KIND, account, store_id)
        if doc is None:
            raise NotFound(f"Identity Resolution Settings of {store_id} not found")
        return doc

    def id_types(self, account: str, store_id: str) -> set[str]:
        doc = self.rt.store.get(_KIND, account, store_id)
        return set() if doc is None else {c["idType"] for c in doc["identifierConfigs"]}

    @staticmethod
    def render(doc: dict[str, Any]) -> dict[str, Any]:
        return {
            "identifierConfigs": copy.deepcopy(doc["identifierConfigs"]),
            "matchingRules": list(doc["matchingRules"]),
            "version": doc["version"],
        }

    def replace(
        self,
        account: str,
        store_id: str,
        body: dict[str, Any],
        if_match: str | None,
        *,
        fail: bool = False,
    ) -> dict[str, Any]:
        check_if_match(if_match, settings_etag(self.fetch(account, store_id)))
        c = Checker()
        configs = self._configs(c, body)
        rules = self._rules(c, body, {cfg["idType"] for cfg in configs})
        c.raise_if_failed()
        return start_memory_operation(
            self.operations,
            account,
            op_type="identity-resolution-put",
            target=f"{store_id}/IdentityResolutionSettings",
            payload={"storeId": store_id, "identifierConfigs": configs, "matchingRules": rules},
            result_id=store_id,
            result_path=f"{STORES_PATH}/{store_id}/IdentityResolutionSettings",
            fail=fail,
        )

    # -- validation ------------------------------------------------------------------

    def _configs(self, c: Checker, body: dict[str, Any]) -> list[dict[str, Any]]:
        raw = c.get(body, "identifierConfigs", "", required=True)
        if raw is None:
            return []
        out: list[dict[str, Any]] = []
        seen: set[str] = set()
        for item, path in c.objects(raw, "identifierConfigs", min_items=1, max_items=MAX_ID_TYPES):
            config = self._config(c, item, path)
            if config is None:
                continue
            if config["idType"] in seen:
                # Inferred: two configurations of one type could not both apply.
                c.fail(join(path, "idType"), f"duplicate identifier type {config['idType']!r}")
            seen.add(config["idType"])
            out.append(config)
        return out

    def _config(self, c: Checker, item: dict[str, Any], path: str) -> dict[str, Any] | None:
        reject_unknown_fields(c, item, _FIELDS, path)
        id_type = c.get(item, "idType", path, required=True)
        if (
            id_type is None
            or c.string(id_type, join(path, "idType"), min_len=2, max_len=30) is None
        ):
            return None
        out = _identifier(id_type, "trim")
        for name, (_, allowed) in _ENUMS.items():
            if item.get(name) is not None:
                out[name] = c.string(item[name], join(path, name), enum=allowed)
        for name, (_, low, high) in _INTEGERS.items():
            if item.get(name) is not None:
                out[name] = c.integer(item[name], join(path, name), minimum=low, maximum=high)
        if item.get("enforceUnique") is not None:
            out["enforceUnique"] = c.boolean(item["enforceUnique"], join(path, "enforceUnique"))
        if self.rt.traps.memory_identity_settings_strict:
            # §3.3: "some settings only accept their defaults" (the tag text names these).
            if out["matchingAlgo"] not in (None, "exact"):
                c.fail(join(path, "matchingAlgo"), "only exact matching is supported")
            if out["enforceUnique"] is False:
                c.fail(join(path, "enforceUnique"), "only unique identifiers are supported")
        return out

    @staticmethod
    def _rules(c: Checker, body: dict[str, Any], id_types: set[str]) -> list[str]:
        raw = c.get(body, "matchingRules", "", required=True)
        items = None if raw is None else c.array(raw, "matchingRules", min_items=1, max_items=15)
        out: list[str] = []
        for index, rule in enumerate(items or []):
            path = join_index("matchingRules", index)
            name = c.string(rule, path, max_len=30)
            if name is None:
                continue
            if id_types and name not in id_types:
                # Inferred (§3.4): a rule names one of the configured identifier types.
                c.fail(path, f"{name!r} is not an idType of identifierConfigs")
            out.append(name)
        return out

    # -- store lifecycle and appliers ----------------------------------------------

    def _seed(self, account: str, store_id: str) -> None:
        configs = [_identifier(id_type, norm) for id_type, norm in _DEFAULT_TYPES]
        doc = {
            "storeId": store_id,
            "identifierConfigs": configs,
            "matchingRules": [id_type for id_type, _ in _DEFAULT_TYPES],
            "version": 1,
        }
        self.rt.store.put(_KIND, account, store_id, doc)

    def _drop(self, account: str, store_id: str) -> None:
        self.rt.store.delete(_KIND, account, store_id)

    def _apply_put(self, account: str, op: dict[str, Any]) -> None:
        payload = op["payload"]
        doc = self.fetch(account, payload["storeId"])
        doc["identifierConfigs"] = payload["identifierConfigs"]
        doc["matchingRules"] = payload["matchingRules"]
        doc["version"] = int(doc["version"]) + 1
        self.rt.store.put(_KIND, account, payload["storeId"], doc)
