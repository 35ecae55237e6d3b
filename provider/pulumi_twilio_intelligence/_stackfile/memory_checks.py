"""Checking the contents of Memory Stores: identity resolution settings, trait groups and data
mappings (memory-v1.md §3-§5). Each names its store (``memoryStore``); a trait's
``idTypePromotion`` names an identifier type of its store's settings; a data mapping names trait
groups of the file (or built-in ones) and their traits. A dangling name is a violation.

References become typed (``_core.refs.Ref``): ``storeId`` a store, and a mapping's
``traitGroup`` a trait group (which resolves to the group's displayName, its path key).
"""

from __future__ import annotations

from typing import Any

from .._core.kinds import RETAIN, Kind
from .._core.memory_models import BUILT_IN_TRAIT_GROUPS, TRAIT_GROUPS_PER_STORE
from .._core.refs import Ref, resolve
from .checker import BaseChecker
from .state import DesiredState

STORE_FIELD = {"storeId": "memoryStore"}


class MemoryChecks(BaseChecker):
    """Mixed into ``checks.Checker``; its ``_checks`` names these methods."""

    def store_ref(
        self, resource: str, base: str, body: dict[str, Any], state: DesiredState, *, or_: str = ""
    ) -> Ref:
        """The store an object names (``memoryStore``), as a typed reference; ``or_`` names
        another way to give it, for the message when it is missing."""
        store = body.get("memoryStore")
        if store is None:
            self.fail(
                resource, base, "memoryStore", f"required: name a store under memoryStores{or_}"
            )
            return Ref("MemoryStore", "")
        if not isinstance(store, str):
            rule = "must be the name of a store under memoryStores"
            self.fail(resource, f"{base}.memoryStore", "memoryStore", rule)
            return Ref("MemoryStore", "")
        if not self.defined("memoryStores", store, state.memory_stores):
            self.fail(
                resource,
                f"{base}.memoryStore",
                "memoryStore",
                f"unknown memory store {store!r}; define it under memoryStores",
            )
        return Ref("MemoryStore", store)

    def _in_store(
        self, kind: Kind, name: str, body: dict[str, Any], state: DesiredState
    ) -> tuple[str, str, dict[str, Any]]:
        """(resource, base path, API body with ``storeId``) of an object inside a store."""
        resource, base = f"{kind.name} {name}", f"{kind.section}.{name}"
        self._adopt_id(resource, base, body)
        api = {k: v for k, v in body.items() if k != "memoryStore"}
        api["storeId"] = self.store_ref(resource, base, body, state)
        return resource, base, api

    def _field_rules(
        self, kind: Kind, resource: str, base: str, api: dict[str, Any], state: DesiredState
    ) -> None:
        checked = resolve(api, lambda ref: _placeholder(ref, state))
        self._validate(kind.load("model"), resource, base, checked, STORE_FIELD)

    # identity resolution settings -----------------------------------------------------------
    def _identity_settings(
        self, kind: Kind, name: str, body: dict[str, Any], state: DesiredState
    ) -> dict[str, Any]:
        resource, base, api = self._in_store(kind, name, body, state)
        store = api["storeId"].name
        for other, other_body in state.of(kind).items():
            if store and other_body["storeId"].name == store:
                self.fail(
                    resource,
                    f"{base}.memoryStore",
                    "memoryStore",
                    f"memory store {store!r} already has its settings in "
                    f"identityResolutionSettings.{other} (one per store)",
                )
                break
        self._field_rules(kind, resource, base, api, state)
        return api

    # trait groups -----------------------------------------------------------------------------
    def _trait_group(
        self, kind: Kind, name: str, body: dict[str, Any], state: DesiredState
    ) -> dict[str, Any]:
        resource, base, api = self._in_store(kind, name, body, state)
        api.setdefault("displayName", name)  # the group's name is its path key: no suffix
        store = api["storeId"].name
        if "deletionPolicy" in body:
            self.fail(
                resource,
                f"{base}.deletionPolicy",
                "deletionPolicy",
                "a trait group follows its memory store's deletion policy; set it there",
            )
        # Its store's policy (bookkeeping, never sent); a store named by id is retained.
        api["deletionPolicy"] = (state.memory_stores.get(store) or {}).get("deletionPolicy", RETAIN)
        same_store = [b for b in state.of(kind).values() if b["storeId"].name == store]
        if len(same_store) == TRAIT_GROUPS_PER_STORE:
            self.fail(
                resource,
                base,
                "memoryStore",
                f"at most {TRAIT_GROUPS_PER_STORE} trait groups per memory store ({store!r})",
            )
        if any(b.get("displayName") == api["displayName"] for b in same_store):
            self.fail(
                resource,
                f"{base}.displayName" if "displayName" in body else base,
                "displayName",
                f"memory store {store!r} already has a trait group named "
                f"{api['displayName']!r} (names are unique within a store)",
            )
        self._promotions(resource, base, api, state)
        self._field_rules(kind, resource, base, api, state)
        return api

    def _promotions(
        self, resource: str, base: str, api: dict[str, Any], state: DesiredState
    ) -> None:
        """Each ``idTypePromotion`` names an identifier type of the store's settings."""
        traits = api.get("traits")
        if not isinstance(traits, dict):
            return
        store = api["storeId"].name
        settings = [
            b for b in state.identity_resolution_settings.values() if b["storeId"].name == store
        ]
        declared = {
            str(c.get("idType"))
            for b in settings
            for c in (b.get("identifierConfigs") or [])
            if isinstance(c, dict)
        }
        for trait, definition in traits.items():
            promoted = definition.get("idTypePromotion") if isinstance(definition, dict) else None
            if not isinstance(promoted, str) or promoted in declared:
                continue
            where = (
                f"identifier type {promoted!r} is not declared in the identifierConfigs of "
                f"memory store {store!r}"
                if settings
                else f"names identifier type {promoted!r}, but memory store {store!r} has no "
                "identityResolutionSettings entry in this file to declare it"
            )
            path = f"traits.{trait}.idTypePromotion"
            self.fail(resource, f"{base}.{path}", path, where)

    # data mappings ----------------------------------------------------------------------------
    def _data_mapping(
        self, kind: Kind, name: str, body: dict[str, Any], state: DesiredState
    ) -> dict[str, Any]:
        resource, base, api = self._in_store(kind, name, body, state)
        store = api["storeId"].name
        display = api.get("displayName")
        for other, other_body in state.of(kind).items():
            same_store = other_body["storeId"].name == store
            if display and same_store and other_body.get("displayName") == display:
                self.fail(
                    resource,
                    f"{base}.displayName",
                    "displayName",
                    f"same displayName as DataMapping {other} ({display!r}); names are unique "
                    "within a store",
                )
        mapping_to = api.get("mappingTo")
        items = mapping_to.get("mappings") if isinstance(mapping_to, dict) else None
        if isinstance(mapping_to, dict) and isinstance(items, list):
            path = f"{base}.mappingTo.mappings"
            mapped = [
                self._mapped_trait(resource, f"{path}[{i}]", item, store, state)
                for i, item in enumerate(items)
            ]
            api["mappingTo"] = {**mapping_to, "mappings": mapped}
        self._field_rules(kind, resource, base, api, state)
        return api

    def _mapped_trait(
        self, resource: str, path: str, item: Any, store: str, state: DesiredState
    ) -> Any:
        """One mapping item: its ``traitGroup`` a group of the file (in the same store) or a
        built-in one, its ``traitName`` a trait of that group."""
        if not isinstance(item, dict) or not isinstance(item.get("traitGroup"), str):
            return item  # the field rules report it
        group_name = item["traitGroup"]
        field = path.split(".", 2)[-1]
        group = state.trait_groups.get(group_name)
        if group is None or group["storeId"].name != store:
            if group_name not in BUILT_IN_TRAIT_GROUPS:
                self.fail(
                    resource,
                    f"{path}.traitGroup",
                    f"{field}.traitGroup",
                    f"unknown trait group {group_name!r}; define it under traitGroups (with "
                    f"memoryStore: {store}) or name a built-in group "
                    f"({', '.join(sorted(BUILT_IN_TRAIT_GROUPS))})",
                )
            return item
        traits = group.get("traits")
        trait = item.get("traitName")
        if isinstance(traits, dict) and isinstance(trait, str) and trait not in traits:
            self.fail(
                resource,
                f"{path}.traitName",
                f"{field}.traitName",
                f"trait group {group_name!r} has no trait {trait!r}",
            )
        return {**item, "traitGroup": Ref("TraitGroup", group_name)}


def _placeholder(ref: Ref, state: DesiredState) -> str:
    """A trait group stands for its displayName (what the API body holds); a store, for its
    reference's text (only its presence is checked)."""
    if ref.kind == "TraitGroup":
        return str(state.trait_groups[ref.name].get("displayName"))
    return str.__str__(ref)
