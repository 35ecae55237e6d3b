"""How the contents of a Memory Store become Pulumi resources (``program.deploy`` calls these).

References are dependencies: settings and trait groups take their store's id, a trait group also
waits for its store's settings (a trait may promote to one of their identifier types), and a data
mapping takes the displayName of each trait group it maps into from that group's id. So the
engine creates store -> settings -> trait groups -> data mappings, and deletes in reverse.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import pulumi

from ._core.refs import Ref, resolve
from .memory_resources import DataMapping, IdentityResolutionSettings, TraitGroup

if TYPE_CHECKING:
    from ._deployed import Deployed
    from .inputs import IdentifierConfigArgsDict, MappingFromArgsDict, MappingToArgsDict


def _store_name(body: dict[str, Any]) -> str:
    ref = body["storeId"]
    return ref.name if isinstance(ref, Ref) else str(ref)


def group_name(group_id: str) -> str:
    """A trait group's displayName, from its id (``<store>/TraitGroups/<name>``)."""
    return group_id.rsplit("/", 1)[-1]


def _named_in_store(body: dict[str, Any]) -> dict[str, Any]:
    """The arguments every named object of a store (trait group, data mapping) takes from its
    resolved body."""
    return {
        "store_id": body["storeId"],
        "display_name": body.get("displayName"),
        "description": body.get("description"),
        "adopt_id": body.get("adoptId"),
    }


def settings(name: str, body: dict[str, Any], out: Deployed) -> IdentityResolutionSettings:
    store = _store_name(body)
    body = resolve(body, out.resolve)
    made = IdentityResolutionSettings(
        name,
        store_id=body["storeId"],
        identifier_configs=cast("list[IdentifierConfigArgsDict]", body["identifierConfigs"]),
        matching_rules=body["matchingRules"],
        adopt_id=body.get("adoptId"),
    )
    out.settings_of_store[store] = made
    return made


def trait_group(name: str, body: dict[str, Any], out: Deployed) -> TraitGroup:
    first = out.settings_of_store.get(_store_name(body))
    body = resolve(body, out.resolve)
    return TraitGroup(
        name,
        **_named_in_store(body),
        traits=body.get("traits"),
        deletion_policy=body.get("deletionPolicy", "retain"),  # its store's (the loader's)
        opts=pulumi.ResourceOptions(depends_on=[first]) if first is not None else None,
    )


def data_mapping(name: str, body: dict[str, Any], out: Deployed) -> DataMapping:
    def lookup(ref: Ref) -> pulumi.Input[str]:
        if ref.kind == "TraitGroup":
            return out.trait_groups[ref.name].id.apply(group_name)
        return out.resolve(ref)

    body = resolve(body, lookup)
    return DataMapping(
        name,
        **_named_in_store(body),
        is_enabled=body.get("isEnabled"),
        mapping_from=cast("MappingFromArgsDict", body["mappingFrom"]),
        mapping_to=cast("MappingToArgsDict", body["mappingTo"]),
    )


BUILDERS = {
    "IdentityResolutionSettings": settings,
    "TraitGroup": trait_group,
    "DataMapping": data_mapping,
}
