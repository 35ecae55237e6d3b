"""Memory v1 Trait Groups (memory-v1 §4): built-in Contact, create/fetch/list, PATCH merge,
delete rules, limits, patterns and the trait-name and If-Match switches."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from twilio_emulator.testing import EmulatorHandle

from tests.emulator.emulator_helpers import assert_valid
from tests.emulator.memory_helpers import (
    DELAY,
    STORES,
    completed,
    error_of,
    group_body,
    make_group,
    make_mapping,
    make_store,
)

TG = "trait-group.json"


@pytest.fixture(autouse=True)
def _delay(emulator: EmulatorHandle) -> None:
    emulator.set_settings(operation_delay_seconds=DELAY)


@pytest.fixture
def store_id(emulator: EmulatorHandle, api: httpx.Client) -> str:
    return make_store(emulator, api)


def _groups(store_id: str) -> str:
    return f"{STORES}/{store_id}/TraitGroups"


def _fetch(api: httpx.Client, store_id: str, name: str) -> httpx.Response:
    response = api.get(f"{_groups(store_id)}/{name}")
    assert response.status_code == 200, response.text
    assert_valid(response.json(), TG, "TraitGroupFetchResponse")
    assert_valid(response.json()["traitGroup"], TG)
    return response


def test_every_store_has_the_builtin_contact_group(api: httpx.Client, store_id: str) -> None:
    contact = _fetch(api, store_id, "Contact").json()["traitGroup"]
    assert contact["version"] == 1
    assert contact["traits"] == {
        "email": {"dataType": "STRING", "idTypePromotion": "email"},
        "phone": {"dataType": "STRING", "idTypePromotion": "phone"},
        "firstName": {"dataType": "STRING"},
        "lastName": {"dataType": "STRING"},
    }


def test_create_fetch_and_list(emulator: EmulatorHandle, api: httpx.Client, store_id: str) -> None:
    response = api.post(_groups(store_id), json=group_body())
    error_of(api.get(f"{_groups(store_id)}/mixedTraits"), 404, 20404)  # not yet
    done = completed(emulator, api, response, "TraitGroup creation request")
    assert done["result"]["id"] == "mixedTraits"
    assert done["resultUrl"].endswith(f"{_groups(store_id)}/mixedTraits")
    fetched = _fetch(api, store_id, "mixedTraits")
    assert fetched.headers["ETag"]
    group = fetched.json()["traitGroup"]
    assert group == {**group_body(), "version": 1}
    without = _fetch(api, store_id, "mixedTraits?includeTraits=false").json()["traitGroup"]
    assert "traits" not in without
    listed = api.get(_groups(store_id)).json()
    assert_valid(listed, TG, "TraitGroupList")
    assert [g["displayName"] for g in listed["traitGroups"]] == ["mixedTraits", "Contact"]
    assert all("traits" not in g for g in listed["traitGroups"])  # includeTraits: false
    assert listed["meta"] == {"key": "traitGroups", "pageSize": 2}
    full = api.get(_groups(store_id), params={"includeTraits": "true", "orderBy": "ASC"}).json()
    assert [g["displayName"] for g in full["traitGroups"]] == ["Contact", "mixedTraits"]
    assert full["traitGroups"][1]["traits"] == group["traits"]
    first = api.get(_groups(store_id), params={"pageSize": 1}).json()
    rest = api.get(
        _groups(store_id), params={"pageSize": 1, "pageToken": first["meta"]["nextToken"]}
    )
    assert [g["displayName"] for g in first["traitGroups"] + rest.json()["traitGroups"]] == [
        "mixedTraits",
        "Contact",
    ]
    error_of(api.get(_groups(store_id), params={"pageSize": 101}), 400)
    error_of(api.get(_groups(store_id), params={"includeTraits": "maybe"}), 400)
    error_of(api.post(_groups(store_id), json=group_body()), 409, 20409)  # duplicate name


def test_patch_merges_by_key_and_cannot_rename(
    emulator: EmulatorHandle, api: httpx.Client, store_id: str
) -> None:
    name = make_group(emulator, api, store_id)
    url = f"{_groups(store_id)}/{name}"
    etag = _fetch(api, store_id, name).headers["ETag"]
    patch = {
        "description": "changed",
        "traits": {
            "age": {"dataType": "NUMBER"},  # replaced whole: rule and description gone
            "isSubscribed": {"dataType": ""},  # deleted
            "nickname": {"dataType": "STRING", "description": "new"},  # added
            "neverExisted": {"dataType": ""},  # deleting an absent trait is a no-op
        },
    }
    response = api.patch(url, json=patch, headers={"If-Match": f'"{etag}"'})
    assert _fetch(api, store_id, name).json()["traitGroup"]["version"] == 1
    done = completed(emulator, api, response, "TraitGroup update request")
    assert done["result"]["id"] == name
    group = _fetch(api, store_id, name).json()["traitGroup"]
    original = group_body()["traits"]
    assert group["traits"] == {
        "email": original["email"],  # not sent, kept
        "favoriteColors": original["favoriteColors"],
        "age": {"dataType": "NUMBER"},
        "nickname": {"dataType": "STRING", "description": "new"},
    }
    assert (group["description"], group["version"]) == ("changed", 2)
    message = error_of(api.patch(url, json={"displayName": "renamed"}), 400)
    assert message.startswith("displayName: a Trait Group cannot be renamed")
    error_of(api.patch(url, json={"description": "x"}, headers={"If-Match": etag}), 412, 20412)
    emulator.set_traps(memory_if_match_412_everywhere=False)  # the spec declares no 412 here
    stale = api.patch(url, json={"description": "x"}, headers={"If-Match": etag})
    completed(emulator, api, stale, "TraitGroup update")
    assert _fetch(api, store_id, name).json()["traitGroup"]["description"] == "x"


def test_delete_refused_while_mapped_and_for_builtin(
    emulator: EmulatorHandle, api: httpx.Client, store_id: str
) -> None:
    name = make_group(emulator, api, store_id)
    mapping_id = make_mapping(emulator, api, store_id)
    error_of(api.delete(f"{_groups(store_id)}/{name}"), 409, 20409)
    delete_mapping = api.delete(f"{STORES}/{store_id}/DataMappings/{mapping_id}")
    completed(emulator, api, delete_mapping, "Data mapping deletion")
    done = completed(
        emulator, api, api.delete(f"{_groups(store_id)}/{name}"), "TraitGroup deletion"
    )
    assert done["result"]["id"] == name
    error_of(api.get(f"{_groups(store_id)}/{name}"), 404, 20404)
    error_of(api.delete(f"{_groups(store_id)}/{name}"), 404, 20404)
    error_of(api.delete(f"{_groups(store_id)}/Contact"), 409, 20409)
    emulator.set_traps(memory_builtin_group_protected=False)
    completed(emulator, api, api.delete(f"{_groups(store_id)}/Contact"), "TraitGroup deletion")
    error_of(api.get(f"{_groups(store_id)}/Contact"), 404, 20404)


def test_trait_names_read_back_in_lower_camel_case(
    emulator: EmulatorHandle, api: httpx.Client, store_id: str
) -> None:
    traits = {"preferred_channel": {"dataType": "STRING"}, "LoyaltyTier": {"dataType": "STRING"}}
    make_group(emulator, api, store_id, name="prefs", traits=traits)
    stored = _fetch(api, store_id, "prefs").json()["traitGroup"]["traits"]
    assert sorted(stored) == ["loyaltyTier", "preferredChannel"]
    both = {"first_name": {"dataType": "STRING"}, "firstName": {"dataType": "STRING"}}
    assert "same trait" in error_of(
        api.post(_groups(store_id), json=group_body("g2", traits=both)), 400
    )
    emulator.set_traps(memory_trait_names_camel_case=False)
    make_group(emulator, api, store_id, name="raw", traits=traits)
    assert sorted(_fetch(api, store_id, "raw").json()["traitGroup"]["traits"]) == [
        "LoyaltyTier",
        "preferred_channel",
    ]


def _trait(**definition: Any) -> dict[str, Any]:
    return {"traits": {"t": definition}}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({}, "displayName: must not be null"),
        ({"displayName": "has space"}, 'displayName: must match "^[a-zA-Z0-9_\\-\\.]+$"'),
        ({"displayName": "g" * 65}, "displayName: size must be between 1 and 64"),
        (
            {"displayName": "g", "description": "d" * 1025},
            "description: size must be between 0 and 1024",
        ),
        ({"displayName": "g", "extra": 1}, "extra: unknown field"),
        (
            {"displayName": "g", **_trait(dataType="DATE")},
            "traits.t.dataType: must be one of [STRING, NUMBER, BOOLEAN, ARRAY]",
        ),
        (
            {"displayName": "g", **_trait(dataType="")},
            "traits.t.dataType: must be one of [STRING, NUMBER, BOOLEAN, ARRAY]",
        ),
        (
            {"displayName": "g", **_trait(description="no type")},
            "traits.t.dataType: must not be null",
        ),
        (
            {"displayName": "g", **_trait(dataType="STRING", label="x")},
            "traits.t.label: unknown field",
        ),
        (
            {
                "displayName": "g",
                **_trait(dataType="STRING", validationRule={"ruleType": "NUMBER", "min": 1}),
            },
            "traits.t.validationRule.ruleType: must equal the trait's dataType (STRING)",
        ),
        (
            {
                "displayName": "g",
                **_trait(dataType="STRING", validationRule={"ruleType": "STRING", "min": 1}),
            },
            "traits.t.validationRule.min: unknown field for a STRING rule",
        ),
        (
            {
                "displayName": "g",
                **_trait(dataType="STRING", validationRule={"ruleType": "STRING", "maxLength": 0}),
            },
            "traits.t.validationRule.maxLength: must be greater than or equal to 1",
        ),
        (
            {
                "displayName": "g",
                **_trait(
                    dataType="STRING", validationRule={"ruleType": "STRING", "pattern": "x" * 1001}
                ),
            },
            "traits.t.validationRule.pattern: size must be between 0 and 1000",
        ),
        (
            {
                "displayName": "g",
                **_trait(dataType="ARRAY", validationRule={"ruleType": "ARRAY", "minItems": -1}),
            },
            "traits.t.validationRule.minItems: must be greater than or equal to 0",
        ),
        (
            {
                "displayName": "g",
                **_trait(dataType="NUMBER", validationRule={"ruleType": "NUMBER", "max": "9"}),
            },
            "traits.t.validationRule.max: must be a number",
        ),
        (
            {"displayName": "g", **_trait(dataType="STRING", idTypePromotion="loyalty_id")},
            "traits.t.idTypePromotion: 'loyalty_id' is not an idType of the store's",
        ),
        (
            {"displayName": "g", "traits": {f"t{i}": {"dataType": "STRING"} for i in range(96)}},
            "traits: size must be between 0 and 95",
        ),
        (
            {"displayName": "g", "traits": {"9lives": {"dataType": "STRING"}}},
            "traits.9lives: must match",
        ),
        (
            {"displayName": "g", "traits": {"t" * 65: {"dataType": "STRING"}}},
            "size must be between 0 and 64",
        ),
    ],
)
def test_create_validation(
    api: httpx.Client, store_id: str, body: dict[str, Any], expected: str
) -> None:
    assert expected in error_of(api.post(_groups(store_id), json=body), 400)


def test_promotion_to_a_configured_identifier_is_accepted(
    emulator: EmulatorHandle, api: httpx.Client, store_id: str
) -> None:
    traits = {"whatsappNumber": {"dataType": "STRING", "idTypePromotion": "whatsapp"}}
    make_group(emulator, api, store_id, name="chat", traits=traits)
    assert _fetch(api, store_id, "chat").json()["traitGroup"]["traits"] == traits


def test_limits_of_50_groups_and_95_traits(
    emulator: EmulatorHandle, api: httpx.Client, store_id: str
) -> None:
    emulator.set_settings(operation_delay_seconds=0)
    for index in range(49):  # with Contact: 50
        api.post(_groups(store_id), json={"displayName": f"g{index:02}"}).raise_for_status()
    assert len(api.get(_groups(store_id), params={"pageSize": 100}).json()["traitGroups"]) == 50
    error_of(api.post(_groups(store_id), json={"displayName": "one-too-many"}), 400)
    full = {f"t{i:02}": {"dataType": "STRING"} for i in range(95)}
    api.patch(f"{_groups(store_id)}/g00", json={"traits": full}).raise_for_status()
    url = f"{_groups(store_id)}/g00"
    error_of(api.patch(url, json={"traits": {"extra": {"dataType": "STRING"}}}), 400)
    swap = {"extra": {"dataType": "STRING"}, "t00": {"dataType": ""}}
    assert api.patch(url, json={"traits": swap}).status_code == 202
    traits = api.get(url).json()["traitGroup"]["traits"]
    assert len(traits) == 95
    assert "extra" in traits
    assert "t00" not in traits


def test_unknown_store_and_group(api: httpx.Client, store_id: str) -> None:
    error_of(api.get(_groups("mem_store_01k1etk2y5f1y9fpe2epfdtvv2")), 404, 20404)
    error_of(
        api.post(_groups("mem_store_01k1etk2y5f1y9fpe2epfdtvv2"), json=group_body()), 404, 20404
    )
    error_of(api.get(f"{_groups(store_id)}/nope"), 404, 20404)
    error_of(api.get(_groups("mem_store_short")), 400)  # the store id pattern
    error_of(api.patch(f"{_groups(store_id)}/nope", json={}), 404, 20404)
    error_of(api.get(f"{_groups(store_id)}/{'n' * 65}"), 400)


_NAMES = st.sampled_from(["email", "age", "isSubscribed", "favoriteColors", "nickname", "tier"])
_DEFINITIONS = st.one_of(
    st.just({"dataType": ""}),  # the deletion marker
    st.builds(
        lambda data_type, description: {"dataType": data_type, "description": description},
        st.sampled_from(["STRING", "NUMBER", "BOOLEAN", "ARRAY"]),
        st.text(max_size=20),
    ),
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(patch=st.dictionaries(_NAMES, _DEFINITIONS, max_size=6))
def test_patch_is_a_merge_by_key(
    emulator: EmulatorHandle, api: httpx.Client, patch: dict[str, dict[str, Any]]
) -> None:
    """§4.4 as a property: after a PATCH, each sent key holds its definition or is gone
    (``dataType: ""``), each key not sent is unchanged, and version is one more."""
    emulator.set_settings(operation_delay_seconds=0)
    stores = api.get(STORES).json()["stores"]
    if not stores:  # the first example makes the store
        created = api.post(STORES, json={"displayName": "sandbox"}).json()
        stores = [api.get(created["statusUrl"]).json()["result"]["id"]]
    store_id = stores[0]
    url = f"{_groups(store_id)}/mixedTraits"
    if api.get(url).status_code == 404:
        api.post(_groups(store_id), json=group_body()).raise_for_status()
    before = api.get(url).json()["traitGroup"]
    assert api.patch(url, json={"traits": patch}).status_code == 202
    after = api.get(url).json()["traitGroup"]
    expected = {k: v for k, v in before["traits"].items() if k not in patch}
    expected.update({k: v for k, v in patch.items() if v["dataType"] != ""})
    assert after["traits"] == expected
    assert after["version"] == before["version"] + 1
