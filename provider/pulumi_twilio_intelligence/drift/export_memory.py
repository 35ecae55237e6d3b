"""Export the contents of every Memory Store: identity resolution settings, trait groups
(built-in ones too: adopting them writes nothing) and data mappings, each adopted by id and
naming its store, and a mapping's trait groups, by their logical names in the file."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from .._core import kinds as _kinds
from .._core.memory_models import (
    DataMappingModel,
    IdentityResolutionSettingsModel,
    TraitGroupModel,
)

if TYPE_CHECKING:
    from .live import LiveAccount

__all__ = ["export_store_contents"]

# A section's namer: logical names, unique in the section, from display names (export._Names).
Namer = Callable[[Any], str]


class _Export(Protocol):
    """What these functions use of an export (``export._Export``), which calls them."""

    live: LiveAccount
    names: dict[str, dict[str, str]]  # kind -> id -> logical name

    def _put(self, kind: str, name: str, entry: dict[str, Any]) -> None: ...


def export_store_contents(export: _Export, names_of: Callable[[str], Namer]) -> None:
    """Add the three sections to ``export.doc`` (after the stores, which they name)."""
    stores = export.names.get("MemoryStore", {})
    _settings(export, names_of, stores)
    groups = _trait_groups(export, names_of, stores)
    _mappings(export, names_of, stores, groups)


def _fields(model: Any, body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in model.normalise(body).items() if k != "storeId"}


def _in_store(
    export: _Export, kind: str, stores: dict[str, str]
) -> list[tuple[str, str, dict[str, Any]]]:
    """(id, store's logical name, body) of one kind's objects in the exported stores."""
    return [
        (object_id, stores[str(body["storeId"])], body)
        for object_id, body in sorted(export.live.by_kind(kind).items())
        if str(body.get("storeId")) in stores
    ]


def _settings(export: _Export, names_of: Callable[[str], Namer], stores: dict[str, str]) -> None:
    taken = names_of(_kinds.by_name("IdentityResolutionSettings").export_name)
    for object_id, store, body in _in_store(export, "IdentityResolutionSettings", stores):
        entry = {"memoryStore": store, "adoptId": object_id}
        export._put(
            "IdentityResolutionSettings",
            taken(f"{store}-settings"),
            {**entry, **_fields(IdentityResolutionSettingsModel, body)},
        )


def _trait_groups(
    export: _Export, names_of: Callable[[str], Namer], stores: dict[str, str]
) -> dict[tuple[str, str], str]:
    """Writes the groups; returns their logical names by (store id, displayName)."""
    taken = names_of(_kinds.by_name("TraitGroup").export_name)
    names: dict[tuple[str, str], str] = {}
    for object_id, store, body in _in_store(export, "TraitGroup", stores):
        display = str(body.get("displayName"))
        name = taken(display)
        names[(str(body["storeId"]), display)] = name
        fields = _fields(TraitGroupModel, body)
        if fields.get("displayName") == name:
            del fields["displayName"]  # the logical name is the default
        export._put("TraitGroup", name, {"memoryStore": store, "adoptId": object_id, **fields})
    return names


def _mappings(
    export: _Export,
    names_of: Callable[[str], Namer],
    stores: dict[str, str],
    groups: dict[tuple[str, str], str],
) -> None:
    taken = names_of(_kinds.by_name("DataMapping").export_name)
    for object_id, store, body in _in_store(export, "DataMapping", stores):
        fields = _fields(DataMappingModel, body)
        mapping_to = fields.get("mappingTo") or {}
        fields["mappingTo"] = {
            **mapping_to,
            "mappings": [
                {
                    **m,
                    "traitGroup": groups.get(
                        (str(body["storeId"]), m.get("traitGroup")), m.get("traitGroup")
                    ),
                }
                for m in mapping_to.get("mappings") or []
            ],
        }
        export._put(
            "DataMapping",
            taken(body.get("displayName")),
            {"memoryStore": store, "adoptId": object_id, **fields},
        )
