"""The Pulumi resources of a Memory Store's contents: its identity resolution settings, trait
groups and data mappings (Memory v1). Each takes its store's id (``MemoryStore.id``); ids are
paths under the store (``mem_store_…/TraitGroups/Contact``), which ``adopt_id`` and ``get`` take.

Pass what an object refers to as the other resource's outputs (``store.id``, ``group.display_name``)
so that the engine orders store -> settings -> trait groups -> data mappings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pulumi

from ._pulumi.resource import ManagedResource
from .inputs import (
    DeletionPolicy,
    IdentifierConfigArgsDict,
    MappingFromArgsDict,
    MappingToArgsDict,
    TraitDefinitionArgsDict,
)

__all__ = ["DataMapping", "IdentityResolutionSettings", "TraitGroup"]


class IdentityResolutionSettings(ManagedResource):
    """A store's identity resolution settings (one per store). Creating the resource adopts the
    store's settings and PUTs these (no write when they match); destroying it leaves them."""

    version: pulumi.Output[int]
    read_by_get = ("storeId", "identifierConfigs", "matchingRules", "version")

    def __init__(
        self,
        resource_name: str,
        *,
        store_id: pulumi.Input[str],
        identifier_configs: pulumi.Input[Sequence[IdentifierConfigArgsDict]],
        matching_rules: pulumi.Input[Sequence[pulumi.Input[str]]],
        adopt_id: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        self._declare(locals())


class TraitGroup(ManagedResource):
    """A trait group, named by ``display_name`` (default: the resource name; a rename replaces
    it). A built-in group's name (``Contact``) adopts the store's group: never created or
    deleted. Deleting a group deletes its traits' values on every profile, so it is deleted only
    under its store's deletion policy (``deletion_policy``: pass the store's)."""

    display_name: pulumi.Output[str]
    version: pulumi.Output[int]
    read_by_get = ("storeId", "displayName", "description", "traits", "version")

    def __init__(
        self,
        resource_name: str,
        *,
        store_id: pulumi.Input[str],
        display_name: pulumi.Input[str] | None = None,
        description: pulumi.Input[str] | None = None,
        traits: pulumi.Input[Mapping[str, TraitDefinitionArgsDict]] | None = None,
        deletion_policy: DeletionPolicy = "retain",
        adopt_id: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        if display_name is None:
            display_name = resource_name
        self._declare(locals())


class DataMapping(ManagedResource):
    """A data mapping into the store's traits. A new ``mapping_from`` replaces it; the rest is
    changed in place (``mapping_to`` as a whole)."""

    display_name: pulumi.Output[str]
    version: pulumi.Output[int]
    read_by_get = ("storeId", "displayName", "mappingFrom", "mappingTo", "version")

    def __init__(
        self,
        resource_name: str,
        *,
        store_id: pulumi.Input[str],
        mapping_from: MappingFromArgsDict,
        mapping_to: MappingToArgsDict,
        display_name: pulumi.Input[str] | None = None,
        description: pulumi.Input[str] | None = None,
        is_enabled: pulumi.Input[bool] | None = None,
        adopt_id: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        self._declare(locals())
