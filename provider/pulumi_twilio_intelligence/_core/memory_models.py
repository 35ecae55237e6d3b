"""The objects inside a Memory Store (Memory v1 edition 2, memory-v1.md §3-§5), described once.

Each model carries ``storeId`` (its store: changing it replaces the object). The reconcilers take
it off the body, since the API has it in the path. Limits are the spec's [M1] unless a comment
names another source.
"""

from __future__ import annotations

import re
from typing import Annotated, ClassVar, Literal

from pydantic import Field, StringConstraints, field_validator

from .spec import REPLACE, REPLACE_DELETE_FIRST, UNORDERED, ResourceModel, Rewrite, Wire

__all__ = [
    "BUILT_IN_TRAIT_GROUPS",
    "DataMappingModel",
    "IdentityResolutionSettingsModel",
    "TraitGroupModel",
    "camel_case",
]

NonEmpty = Annotated[str, StringConstraints(min_length=1)]
StoreId = Annotated[NonEmpty, REPLACE]

# Out-of-the-box groups every store has (§4.5: the spec's examples all name `Contact`).
BUILT_IN_TRAIT_GROUPS = frozenset({"Contact"})
DATASET_ID = r"^tdi_dataset_[0-7][0-9a-z]{25}$"
TRAIT_GROUP_NAME = r"^[a-zA-Z0-9_\-\.]+$"
# Twilio normalises trait names to lowerCamelCase (§4.5, E8): only names already in that form
# read back as sent, so only those are accepted (no perpetual diff, no mapping to a lost name).
TRAIT_NAME = re.compile(r"^[a-z][a-zA-Z0-9]*$")
TRAITS_PER_GROUP = 95
TRAIT_GROUPS_PER_STORE = 50  # older docs limits page; the list page size agrees (§4.6)


def camel_case(name: str) -> str:
    """The lowerCamelCase form of a trait name ("preferred_channel" -> "preferredChannel")."""
    words = [w for w in re.split(r"[^A-Za-z0-9]+", name) if w]
    if not words:
        return name
    head, *rest = words
    return head[:1].lower() + head[1:] + "".join(w[:1].upper() + w[1:] for w in rest)


# --- Identity Resolution Settings (§3) ----------------------------------------------------
class IdentifierConfig(Wire):
    """One identifier type. Defaults are the spec's: filled in before comparing, sent on PUT."""

    id_type: Annotated[str, StringConstraints(min_length=2, max_length=30)]
    matching_algo: Literal["exact", "fuzzy"] = "exact"
    matching_threshold: Annotated[int, Field(ge=50, le=99)] = 75
    limit: Annotated[int, Field(ge=1, le=100)] = 100
    limit_policy: Literal["fifo", "lifo"] = "fifo"
    enforce_unique: bool = True
    normalization: Literal["phone", "email", "trim", "none"] = "trim"

    # §3.3 / E7: some settings only accept their defaults for now; anything else would either be
    # refused at apply time or read back as the default (a perpetual diff). Refused here instead.
    @field_validator("matching_algo")
    @classmethod
    def _exact_only(cls, value: str) -> str:
        if value != "exact":
            raise ValueError("Memory v1 accepts only the default 'exact' for now")
        return value

    @field_validator("matching_threshold")
    @classmethod
    def _default_threshold(cls, value: int) -> int:
        if value != 75:
            raise ValueError("applies to fuzzy matching only, which Memory v1 does not accept yet")
        return value

    @field_validator("enforce_unique")
    @classmethod
    def _unique_only(cls, value: bool) -> bool:
        if value is not True:
            raise ValueError("Memory v1 accepts only the default true for now")
        return value


class IdentityResolutionSettingsModel(ResourceModel):
    """A store's singleton settings: PUT replaces both lists (order of rules matters)."""

    KIND: ClassVar[str] = "IdentityResolutionSettings"

    store_id: StoreId
    identifier_configs: Annotated[
        list[IdentifierConfig], UNORDERED, Field(min_length=1, max_length=15)
    ]
    matching_rules: Annotated[
        list[Annotated[str, StringConstraints(min_length=1, max_length=30)]],
        Field(min_length=1, max_length=15),
    ]

    def extra_violations(self) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        seen: set[str] = set()
        for i, config in enumerate(self.identifier_configs):
            if config.id_type in seen:
                found.append((f"identifierConfigs[{i}].idType", f"{config.id_type!r} is twice"))
            seen.add(config.id_type)
        for i, rule in enumerate(self.matching_rules):
            if rule not in seen:
                found.append(
                    (
                        f"matchingRules[{i}]",
                        f"names identifier type {rule!r}, which identifierConfigs does not declare",
                    )
                )
            if rule in self.matching_rules[:i]:
                found.append((f"matchingRules[{i}]", f"{rule!r} is listed twice"))
        return found


# --- Trait Groups (§4) --------------------------------------------------------------------
DataType = Literal["STRING", "NUMBER", "BOOLEAN", "ARRAY"]
# Which ValidationRule fields each ruleType takes (a oneOf of closed variants, §4.1).
RULE_FIELDS: dict[str, frozenset[str]] = {
    "STRING": frozenset({"pattern", "minLength", "maxLength"}),
    "NUMBER": frozenset({"min", "max"}),
    "BOOLEAN": frozenset(),
    "ARRAY": frozenset({"minItems", "maxItems"}),
}


class ValidationRule(Wire):
    rule_type: DataType
    pattern: Annotated[str, StringConstraints(max_length=1000)] | None = None
    min_length: Annotated[int, Field(ge=0)] | None = None
    max_length: Annotated[int, Field(ge=1)] | None = None
    min: float | None = None
    max: float | None = None
    min_items: Annotated[int, Field(ge=0)] | None = None
    max_items: Annotated[int, Field(ge=0)] | None = None

    def violations(self, path: str) -> list[tuple[str, str]]:
        allowed = RULE_FIELDS[self.rule_type]
        set_fields = self.model_dump(by_alias=True, exclude_none=True)
        found = [
            (f"{path}.{key}", f"not a field of a {self.rule_type} rule")
            for key in sorted(set_fields)
            if key != "ruleType" and key not in allowed
        ]
        for low, high in (("minLength", "maxLength"), ("min", "max"), ("minItems", "maxItems")):
            if low in set_fields and high in set_fields and set_fields[low] > set_fields[high]:
                found.append((f"{path}.{low}", f"must not exceed {high}"))
        return found


class TraitDefinition(Wire):
    data_type: DataType
    description: Annotated[str, StringConstraints(max_length=1024)] | None = None
    validation_rule: ValidationRule | None = None
    id_type_promotion: Annotated[str, StringConstraints(min_length=1, max_length=30)] | None = None


TraitName = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class TraitGroupModel(ResourceModel):
    """Renaming replaces the group (its name is its path); description and traits are PATCHed."""

    KIND: ClassVar[str] = "TraitGroup"

    store_id: StoreId
    display_name: Annotated[
        str, REPLACE, StringConstraints(min_length=1, max_length=64, pattern=TRAIT_GROUP_NAME)
    ]
    # A description removed from the file is cleared with "" (the PATCH cannot send null): read
    # back as "", it is no description.
    description: Annotated[
        str | None, StringConstraints(max_length=1024), Rewrite(lambda v, _: v or None)
    ] = None
    traits: Annotated[
        dict[TraitName, TraitDefinition], Field(max_length=TRAITS_PER_GROUP, default_factory=dict)
    ]

    def extra_violations(self) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        for name, trait in self.traits.items():
            if not TRAIT_NAME.match(name):
                found.append(
                    (
                        f"traits.{name}",
                        f"trait names are lowerCamelCase (Twilio rewrites them): "
                        f"write {camel_case(name)!r}",
                    )
                )
            rule = trait.validation_rule
            if rule is None:
                continue
            path = f"traits.{name}.validationRule"
            if rule.rule_type != trait.data_type:
                found.append(
                    (f"{path}.ruleType", f"must equal the trait's dataType ({trait.data_type})")
                )
            found += rule.violations(path)
        return found


# --- Data Mappings (§5) -------------------------------------------------------------------
class MappingFrom(Wire):
    type: Literal["INGRESS", "DATASET_CLOUDAPP", "DATASET_WAREHOUSE"]
    columns: (
        Annotated[
            list[Annotated[str, StringConstraints(min_length=1, max_length=256)]],
            Field(min_length=1, max_length=100),
        ]
        | None
    ) = None
    dataset_id: Annotated[str, StringConstraints(pattern=DATASET_ID)] | None = None

    def violations(self) -> list[tuple[str, str]]:
        if self.type == "INGRESS":
            wanted, other = "columns", "datasetId"
        else:
            wanted, other = "datasetId", "columns"
        body = self.model_dump(by_alias=True, exclude_none=True)
        found = []
        if wanted not in body:
            found.append((f"mappingFrom.{wanted}", f"required when type is {self.type}"))
        if other in body:
            found.append((f"mappingFrom.{other}", f"not a field of a {self.type} source"))
        return found


class MappingTraitItem(Wire):
    expression: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    trait_group: Annotated[
        str, StringConstraints(min_length=1, max_length=64, pattern=TRAIT_GROUP_NAME)
    ]
    trait_name: Annotated[
        str, StringConstraints(min_length=1, max_length=128, pattern=r"^[a-z][a-zA-Z0-9_\-\.]*$")
    ]


class MappingTo(Wire):
    type: Literal["TRAITS"] = "TRAITS"
    mappings: Annotated[list[MappingTraitItem], Field(min_length=1, max_length=100)]


class DataMappingModel(ResourceModel):
    """mappingFrom is fixed at creation (a change replaces the mapping); the rest is PATCHed.

    The replacement keeps the displayName, which is unique within the store (a second mapping
    of the same name is refused, §5.2): the old mapping is deleted before the new one is made."""

    KIND: ClassVar[str] = "DataMapping"

    store_id: StoreId
    # M1's rule; the docs pages also allow '_' and 128 characters (E9): names valid under both.
    display_name: Annotated[
        str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-zA-Z][a-zA-Z0-9-.]*$")
    ]
    description: Annotated[str, StringConstraints(min_length=1, max_length=512)] | None = None
    is_enabled: bool = True
    mapping_from: Annotated[MappingFrom, REPLACE_DELETE_FIRST]
    mapping_to: MappingTo

    def extra_violations(self) -> list[tuple[str, str]]:
        return self.mapping_from.violations()
