"""The Pulumi resources of a Memory Store's contents: its identity resolution settings, trait
groups and data mappings (Memory v1). Each takes its store's id (``MemoryStore.id``); ids are
paths under the store (``mem_store_…/TraitGroups/Contact``), which ``adopt_id`` and ``get`` take.

Pass what an object refers to as the other resource's outputs (``store.id``, ``group.display_name``)
so that the engine orders store -> settings -> trait groups -> data mappings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeVar

import pulumi
from pulumi.dynamic import Resource, ResourceProvider

from ._core.kinds import MODULE
from ._pulumi.memory import (
    DataMappingProvider,
    IdentityResolutionSettingsProvider,
    TraitGroupProvider,
)
from .inputs import (
    DeletionPolicy,
    IdentifierConfigArgsDict,
    MappingFromArgsDict,
    MappingToArgsDict,
    TraitDefinitionArgsDict,
)
from .resources import _bookkeeping, _read_existing

__all__ = ["DataMapping", "IdentityResolutionSettings", "TraitGroup"]

R = TypeVar("R", bound=Resource)


def _existing(  # noqa: PLR0917 - Resource.get's arguments, plus what to read
    cls: type[R],
    provider: ResourceProvider,
    outputs: tuple[str, ...],
    resource_name: str,
    object_id: pulumi.Input[str],
    opts: pulumi.ResourceOptions | None,
) -> R:
    """``cls.get``: an existing object, read by id; never changed or deleted by the stack."""
    resource = cls.__new__(cls)
    _read_existing(resource, provider, resource_name, object_id, outputs, opts)
    return resource


class IdentityResolutionSettings(Resource, module=MODULE, name="IdentityResolutionSettings"):
    """A store's identity resolution settings (one per store). Creating the resource adopts the
    store's settings and PUTs these (no write when they match); destroying it leaves them."""

    version: pulumi.Output[int]

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
        props = {
            **_bookkeeping(resource_name, adopt_id),
            "storeId": store_id,
            "identifierConfigs": identifier_configs,
            "matchingRules": matching_rules,
            "version": None,
        }
        super().__init__(IdentityResolutionSettingsProvider(), resource_name, props, opts)

    @staticmethod
    def get(
        resource_name: str, id: pulumi.Input[str], opts: pulumi.ResourceOptions | None = None
    ) -> IdentityResolutionSettings:
        outputs = ("storeId", "identifierConfigs", "matchingRules", "version")
        provider = IdentityResolutionSettingsProvider()
        return _existing(IdentityResolutionSettings, provider, outputs, resource_name, id, opts)


class TraitGroup(Resource, module=MODULE, name="TraitGroup"):
    """A trait group, named by ``display_name`` (default: the resource name; a rename replaces
    it). A built-in group's name (``Contact``) adopts the store's group: never created or
    deleted. Deleting a group deletes its traits' values on every profile, so it is deleted only
    under its store's deletion policy (``deletion_policy``: pass the store's)."""

    display_name: pulumi.Output[str]
    version: pulumi.Output[int]

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
        props = {
            **_bookkeeping(resource_name, adopt_id),
            "deletionPolicy": deletion_policy,
            "storeId": store_id,
            "displayName": display_name if display_name is not None else resource_name,
            "description": description,
            "traits": traits,
            "version": None,
        }
        super().__init__(TraitGroupProvider(), resource_name, props, opts)

    @staticmethod
    def get(
        resource_name: str, id: pulumi.Input[str], opts: pulumi.ResourceOptions | None = None
    ) -> TraitGroup:
        outputs = ("storeId", "displayName", "description", "traits", "version")
        return _existing(TraitGroup, TraitGroupProvider(), outputs, resource_name, id, opts)


class DataMapping(Resource, module=MODULE, name="DataMapping"):
    """A data mapping into the store's traits. A new ``mapping_from`` replaces it; the rest is
    changed in place (``mapping_to`` as a whole)."""

    display_name: pulumi.Output[str]
    version: pulumi.Output[int]

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
        props = {
            **_bookkeeping(resource_name, adopt_id),
            "storeId": store_id,
            "displayName": display_name,
            "description": description,
            "isEnabled": is_enabled,
            "mappingFrom": mapping_from,
            "mappingTo": mapping_to,
            "version": None,
        }
        super().__init__(DataMappingProvider(), resource_name, props, opts)

    @staticmethod
    def get(
        resource_name: str, id: pulumi.Input[str], opts: pulumi.ResourceOptions | None = None
    ) -> DataMapping:
        outputs = ("storeId", "displayName", "mappingFrom", "mappingTo", "version")
        return _existing(DataMapping, DataMappingProvider(), outputs, resource_name, id, opts)
