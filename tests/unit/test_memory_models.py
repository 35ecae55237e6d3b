"""The Memory Store contents' descriptions (memory-v1.md §3-§5): defaults filled before
comparing (E7), which changes replace and which are made in place (§8), the trait-group PATCH
that turns the live traits into the desired ones under the reference's merge rules (§4.4), trait
names (E8), and the policies on these kinds."""

from __future__ import annotations

import string
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pulumi_twilio_intelligence._core.memory_models import (
    TRAIT_NAME,
    DataMappingModel,
    IdentityResolutionSettingsModel,
    TraitGroupModel,
    camel_case,
)
from pulumi_twilio_intelligence._reconcile.memory_objects import TraitGroupReconciler
from pulumi_twilio_intelligence.errors import ValidationError
from pulumi_twilio_intelligence.policy import POLICIES, Settings, Subject, evaluate

STORE = "mem_store_01k1etk2y5f1y9fpe2epfdtvv2"
# The spec's defaults of an identifier (memory-v1.md §3.1), as the service reads them back.
DEFAULTS = {
    "matchingAlgo": "exact",
    "matchingThreshold": 75,
    "limit": 100,
    "limitPolicy": "fifo",
    "enforceUnique": True,
    "normalization": "trim",
}
ID_TYPES = st.lists(
    st.text(string.ascii_lowercase, min_size=2, max_size=12), min_size=1, max_size=15, unique=True
)


def irs(configs: list[dict[str, Any]], rules: list[str]) -> dict[str, Any]:
    return {"storeId": STORE, "identifierConfigs": configs, "matchingRules": rules}


@settings(deadline=None)
@given(ID_TYPES, st.randoms())
def test_settings_written_with_defaults_left_out_equal_what_the_service_reads_back(
    id_types: list[str], random: Any
) -> None:
    desired = irs([{"idType": t} for t in id_types], id_types)
    live_configs = [{"idType": t, **DEFAULTS} for t in id_types]
    random.shuffle(live_configs)  # the order of identifier types carries no meaning
    live = {**irs(live_configs, id_types), "version": 3}
    assert IdentityResolutionSettingsModel.diff(desired, live) == []
    model = IdentityResolutionSettingsModel.validate_desired(desired, "settings")
    assert all(c.items() >= DEFAULTS.items() for c in model.wire()["identifierConfigs"]), (
        "a PUT replaces everything: it sends every default"
    )


@settings(deadline=None)
@given(ID_TYPES.filter(lambda t: len(t) > 1))
def test_the_order_of_matching_rules_is_a_change(id_types: list[str]) -> None:
    configs = [{"idType": t} for t in id_types]
    changes = IdentityResolutionSettingsModel.diff(
        irs(configs, id_types), irs(configs, id_types[::-1])
    )
    assert [c.field for c in changes]
    assert {c.field for c in changes} == {"matchingRules"}
    assert not IdentityResolutionSettingsModel.plan(changes).needs_replace


@pytest.mark.parametrize(
    ("field", "value", "rule"),
    [
        ("matchingAlgo", "fuzzy", "only the default 'exact'"),
        ("enforceUnique", False, "only the default true"),
        ("matchingThreshold", 90, "fuzzy matching only"),
    ],
)
def test_settings_the_service_only_accepts_at_their_defaults_are_refused(
    field: str, value: Any, rule: str
) -> None:
    """E7: a value the service would refuse or reset would be a perpetual diff."""
    with pytest.raises(ValidationError) as caught:
        IdentityResolutionSettingsModel.validate_desired(
            irs([{"idType": "email", field: value}], ["email"]), "s"
        )
    [violation] = caught.value.violations
    assert violation.field == f"identifierConfigs[0].{field}"
    assert rule in violation.rule


# --- trait groups --------------------------------------------------------------------------
TRAIT_NAMES = st.from_regex(r"[a-z][a-zA-Z0-9]{0,10}", fullmatch=True)
DEFINITIONS = st.one_of(
    st.fixed_dictionaries(
        {"dataType": st.sampled_from(["STRING", "BOOLEAN", "ARRAY"])},
        optional={"description": st.text(string.ascii_letters, max_size=20)},
    ),
    st.builds(
        lambda low, span: {
            "dataType": "NUMBER",
            "validationRule": {"ruleType": "NUMBER", "min": low, "max": low + span},
        },
        st.integers(-100, 100),
        st.integers(0, 100),
    ),
)
TRAITS = st.dictionaries(TRAIT_NAMES, DEFINITIONS, max_size=8)


def group(traits: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"storeId": STORE, "displayName": "Preferences", "traits": traits, **extra}


def merge(live: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """PatchTraitGroup's semantics as the reference states them (memory-v1.md §4.4): fields sent
    change; traits merge by key, a sent key replaces its definition, dataType "" deletes it,
    keys not sent are kept."""
    merged = {**live, **{k: v for k, v in patch.items() if k != "traits"}}
    traits = dict(live.get("traits") or {})
    for name, definition in (patch.get("traits") or {}).items():
        if definition.get("dataType") == "":
            traits.pop(name, None)
        else:
            traits[name] = definition
    merged["traits"] = traits
    return merged


@settings(deadline=None)
@given(TRAITS, TRAITS, st.none() | st.text(string.ascii_letters, min_size=1, max_size=10))
def test_the_patch_turns_the_live_group_into_the_desired_one(
    wanted: dict[str, Any], had: dict[str, Any], description: str | None
) -> None:
    desired = TraitGroupModel.validate_desired(
        group(wanted, **({"description": description} if description else {})), "g"
    )
    live = {"displayName": "Preferences", "traits": had, "description": "old", "version": 2}
    patch = TraitGroupReconciler.patch_body(desired, live)
    assert "displayName" not in patch, "a group's name is its path: never patched"
    assert TraitGroupModel.diff(desired.wire(), {**merge(live, patch), "storeId": STORE}) == []
    unchanged = {k for k in wanted if had.get(k) == wanted[k]}
    assert not unchanged & set(patch.get("traits") or {}), "only what differs is sent"


@settings(deadline=None)
@given(TRAITS)
def test_a_group_in_sync_needs_no_patch(traits: dict[str, Any]) -> None:
    desired = TraitGroupModel.validate_desired(group(traits), "g")
    assert TraitGroupReconciler.patch_body(desired, {**desired.wire(), "version": 1}) == {}


def test_a_rename_or_another_store_replaces_a_group_and_traits_change_in_place() -> None:
    old = group({"tier": {"dataType": "NUMBER"}})
    plan = TraitGroupModel.plan
    assert plan(TraitGroupModel.diff(old, {**old, "displayName": "Loyalty"})).replace_fields == (
        "displayName",
    )
    other_store = {**old, "storeId": "mem_store_01k1etk2y5f1y9fpe2epfdtvv3"}
    assert plan(TraitGroupModel.diff(old, other_store)).needs_replace
    new_traits = {**old, "traits": {"tier": {"dataType": "STRING"}}}
    assert not plan(TraitGroupModel.diff(old, new_traits)).needs_replace


WORDS = st.text(string.ascii_lowercase + string.digits, min_size=1, max_size=6)


@settings(deadline=None)
@given(st.lists(WORDS, min_size=2, max_size=4))
def test_a_snake_case_trait_name_is_refused_with_its_lower_camel_case_form(
    words: list[str],
) -> None:
    name = "_".join(words)
    suggested = camel_case(name)
    if TRAIT_NAME.match(name) or not suggested[0].isalpha():
        return
    assert TRAIT_NAME.match(suggested), "the suggestion is a valid name"
    with pytest.raises(ValidationError) as caught:
        TraitGroupModel.validate_desired(group({name: {"dataType": "STRING"}}), "g")
    assert f"write {suggested!r}" in str(caught.value)


# --- data mappings -------------------------------------------------------------------------
MAPPING: dict[str, Any] = {
    "storeId": STORE,
    "displayName": "crm-import",
    "mappingFrom": {"type": "INGRESS", "columns": ["tier"]},
    "mappingTo": {
        "mappings": [{"expression": "tier", "traitGroup": "Loyalty", "traitName": "tier"}]
    },
}


def test_a_new_source_replaces_a_mapping_deleting_it_first_and_the_rest_is_in_place() -> None:
    new_source = {**MAPPING, "mappingFrom": {"type": "INGRESS", "columns": ["tier", "card"]}}
    plan = DataMappingModel.plan(DataMappingModel.diff(MAPPING, new_source))
    assert plan.replace_fields == ("mappingFrom",)
    assert plan.delete_before_replace, "the name is unique in the store: no two at once"
    for change in ({"isEnabled": False}, {"description": "x"}, {"displayName": "crm"}):
        changes = DataMappingModel.diff(MAPPING, {**MAPPING, **change})
        assert changes
        assert not DataMappingModel.plan(changes).needs_replace


def test_defaults_the_service_fills_in_are_no_change() -> None:
    live = {
        **MAPPING,
        "id": "mem_datamapping_01k1etk2y5f1y9fpe2epfdtvv2",
        "isEnabled": True,
        "mappingTo": {**MAPPING["mappingTo"], "type": "TRAITS"},
        "version": 1,
        "createdAt": "2026-01-01T00:00:00Z",
        "updatedAt": "2026-01-01T00:00:00Z",
    }
    assert DataMappingModel.diff(MAPPING, live) == []


# --- policies ------------------------------------------------------------------------------
def findings(policy: str, kind: str, props: dict[str, Any]) -> list[str]:
    chosen = [p for p in POLICIES if p.name == policy]
    return [f.message for f in evaluate([Subject(kind, "x", props)], Settings("dev"), chosen)]


def test_identifier_policies() -> None:
    good = irs([{"idType": "email", "normalization": "email"}, {"idType": "crm"}], ["email"])
    assert findings("identifiers-are-normalised", "IdentityResolutionSettings", good) == []
    bad = irs([{"idType": "phone"}], ["phone"])
    [message] = findings("identifiers-are-normalised", "IdentityResolutionSettings", bad)
    assert "'phone' is normalised with 'trim', not 'phone'" in message


def test_promoted_traits_policy() -> None:
    promoted = {"card": {"dataType": "NUMBER", "idTypePromotion": "card"}}
    [message] = findings("promoted-traits-are-strings", "TraitGroup", group(promoted))
    assert "trait 'card'" in message
    promoted["card"]["dataType"] = "STRING"
    assert findings("promoted-traits-are-strings", "TraitGroup", group(promoted)) == []


def test_ingress_columns_policy() -> None:
    assert findings("ingress-mappings-use-their-columns", "DataMapping", MAPPING) == []
    unmapped = {**MAPPING, "mappingFrom": {"type": "INGRESS", "columns": ["tier", "card"]}}
    assert findings("ingress-mappings-use-their-columns", "DataMapping", unmapped) == [
        "column 'card' is ingested but mapped to no trait"
    ]
