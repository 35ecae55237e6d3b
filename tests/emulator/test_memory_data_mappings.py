"""Memory v1 Data Mappings (memory-v1 §5): create/fetch/list, PATCH rules, referential
checks, delete, patterns and the wide-name and If-Match switches."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from twilio_emulator.testing import EmulatorHandle

from tests.emulator.emulator_helpers import assert_valid
from tests.emulator.memory_helpers import (
    DELAY,
    STORES,
    completed,
    error_of,
    make_group,
    make_mapping,
    make_store,
    mapping_body,
)

DM = "data-mapping.json"
DATASET = "tdi_dataset_01k1etk2y5f1y9fpe2epfdtvv2"


@pytest.fixture(autouse=True)
def _delay(emulator: EmulatorHandle) -> None:
    emulator.set_settings(operation_delay_seconds=DELAY)


@pytest.fixture
def store_id(emulator: EmulatorHandle, api: httpx.Client) -> str:
    store = make_store(emulator, api)
    make_group(emulator, api, store)  # mixedTraits, which mapping_body maps into
    return store


def _mappings(store_id: str) -> str:
    return f"{STORES}/{store_id}/DataMappings"


def _fetch(api: httpx.Client, store_id: str, mapping_id: str) -> httpx.Response:
    response = api.get(f"{_mappings(store_id)}/{mapping_id}")
    assert response.status_code == 200, response.text
    assert_valid(response.json(), DM)
    return response


def test_create_fetch_list_and_delete(
    emulator: EmulatorHandle, api: httpx.Client, store_id: str
) -> None:
    response = api.post(_mappings(store_id), json=mapping_body())
    assert api.get(_mappings(store_id)).json()["dataMappings"] == []  # not yet
    done = completed(emulator, api, response, "Data mapping creation request")
    mapping_id = done["result"]["id"]
    assert re.fullmatch(r"mem_datamapping_[0-7][0-9a-z]{25}", mapping_id)
    assert done["resultUrl"].endswith(f"{_mappings(store_id)}/{mapping_id}")
    fetched = _fetch(api, store_id, mapping_id)
    assert fetched.headers["ETag"]
    body = fetched.json()
    assert body == {
        **mapping_body(),
        "id": mapping_id,
        "isEnabled": True,  # the default
        "createdAt": body["createdAt"],
        "updatedAt": body["createdAt"],
        "version": 1,
    }
    dataset = mapping_body(
        "crm-accounts", mappingFrom={"type": "DATASET_CLOUDAPP", "datasetId": DATASET}
    )
    completed(emulator, api, api.post(_mappings(store_id), json=dataset), "Data mapping creation")
    listed = api.get(_mappings(store_id)).json()
    assert_valid(listed, DM, "DataMappingList")
    assert [m["displayName"] for m in listed["dataMappings"]] == ["crm-accounts", "crm-contacts"]
    assert listed["meta"] == {"key": "dataMappings", "pageSize": 2}
    ingress = api.get(_mappings(store_id), params={"type": "INGRESS"}).json()["dataMappings"]
    assert [m["id"] for m in ingress] == [mapping_id]
    assert (
        api.get(_mappings(store_id), params={"type": "DATASET_WAREHOUSE"}).json()["dataMappings"]
        == []
    )
    error_of(api.get(_mappings(store_id), params={"type": "DATASET"}), 400)
    error_of(api.post(_mappings(store_id), json=mapping_body()), 409, 20409)  # duplicate name
    gone = completed(
        emulator, api, api.delete(f"{_mappings(store_id)}/{mapping_id}"), "Data mapping deletion"
    )
    assert gone["result"]["id"] == mapping_id
    assert "resultUrl" not in gone
    error_of(api.get(f"{_mappings(store_id)}/{mapping_id}"), 404, 20404)


def test_patch_replaces_mappings_and_keeps_the_source(
    emulator: EmulatorHandle, api: httpx.Client, store_id: str
) -> None:
    mapping_id = make_mapping(emulator, api, store_id)
    url = f"{_mappings(store_id)}/{mapping_id}"
    etag = _fetch(api, store_id, mapping_id).headers["ETag"]
    emulator.advance_clock(10)
    only_email = {
        "type": "TRAITS",
        "mappings": [{"expression": "mail", "traitGroup": "mixedTraits", "traitName": "email"}],
    }
    patch = {"isEnabled": False, "mappingTo": only_email}
    response = api.patch(url, json=patch, headers={"If-Match": f'"{etag}"'})
    assert _fetch(api, store_id, mapping_id).json()["isEnabled"] is True  # not yet
    completed(emulator, api, response, "Data mapping update")
    after = _fetch(api, store_id, mapping_id).json()
    assert after["mappingTo"] == only_email  # the whole array replaced
    assert (after["isEnabled"], after["version"]) == (False, 2)
    assert after["displayName"] == "crm-contacts"
    assert after["mappingFrom"] == mapping_body()["mappingFrom"]
    assert after["updatedAt"] > after["createdAt"]
    message = error_of(
        api.patch(url, json={"mappingFrom": {"type": "INGRESS", "columns": ["a"]}}), 400
    )
    assert message.startswith("mappingFrom: is fixed at creation")
    error_of(api.patch(url, json={"description": "x"}, headers={"If-Match": etag}), 412, 20412)
    emulator.set_traps(memory_if_match_412_everywhere=False)
    completed(
        emulator,
        api,
        api.patch(url, json={"description": "x"}, headers={"If-Match": etag}),
        "Data mapping update",
    )
    make_mapping(emulator, api, store_id, name="second")
    error_of(api.patch(url, json={"displayName": "second"}), 409, 20409)


def _to(group: str = "mixedTraits", trait: str = "email", **item: Any) -> dict[str, Any]:
    mapping = {"expression": "col", "traitGroup": group, "traitName": trait, **item}
    return {"mappingTo": {"type": "TRAITS", "mappings": [mapping]}}


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"displayName": "has_underscore"}, 'displayName: must match "^[a-zA-Z][a-zA-Z0-9-.]*$"'),
        ({"displayName": "9lives"}, "displayName: must match"),
        ({"displayName": "n" * 65}, "displayName: size must be between 1 and 64"),
        ({"description": ""}, "description: size must be between 1 and 512"),
        ({"description": "d" * 513}, "description: size must be between 1 and 512"),
        ({"isEnabled": "yes"}, "isEnabled: must be a boolean"),
        ({"mappingFrom": None}, "mappingFrom: must not be null"),
        (
            {"mappingFrom": {"type": "DATASET"}},
            "mappingFrom.type: must be one of [INGRESS, DATASET_CLOUDAPP, DATASET_WAREHOUSE]",
        ),
        ({"mappingFrom": {"type": "INGRESS"}}, "mappingFrom.columns: must not be null"),
        (
            {"mappingFrom": {"type": "INGRESS", "columns": []}},
            "mappingFrom.columns: size must be between 1 and 100",
        ),
        (
            {"mappingFrom": {"type": "INGRESS", "columns": ["c"] * 101}},
            "mappingFrom.columns: size must be between 1 and 100",
        ),
        (
            {"mappingFrom": {"type": "INGRESS", "columns": ["c" * 257]}},
            "mappingFrom.columns[0]: size must be between 1 and 256",
        ),
        (
            {"mappingFrom": {"type": "INGRESS", "columns": ["c"], "datasetId": DATASET}},
            "mappingFrom.datasetId: unknown field",
        ),
        (
            {"mappingFrom": {"type": "DATASET_WAREHOUSE", "datasetId": "tdi_dataset_x"}},
            "mappingFrom.datasetId: must match",
        ),
        (
            {"mappingTo": {"type": "TRAITS", "mappings": []}},
            "mappingTo.mappings: size must be between 1 and 100",
        ),
        (
            {
                "mappingTo": {
                    "type": "TRAITS",
                    "mappings": [_to()["mappingTo"]["mappings"][0]] * 101,
                }
            },
            "mappingTo.mappings: size must be between 1 and 100",
        ),
        (
            {"mappingTo": {"type": "PROFILE", "mappings": _to()["mappingTo"]["mappings"]}},
            "mappingTo.type: must be one of [TRAITS]",
        ),
        (
            _to(trait="Email"),
            'mappingTo.mappings[0].traitName: must match "^[a-z][a-zA-Z0-9_\\-\\.]*$"',
        ),
        (_to(group="bad group"), "mappingTo.mappings[0].traitGroup: must match"),
        (_to(expression=""), "mappingTo.mappings[0].expression: size must be between 1 and 256"),
        (_to(extra="x"), "mappingTo.mappings[0].extra: unknown field"),
        (_to(group="Nope"), "mappingTo.mappings[0].traitGroup: no Trait Group 'Nope'"),
        (
            _to(trait="shoeSize"),
            "mappingTo.mappings[0].traitName: no trait 'shoeSize' in the group",
        ),
    ],
)
def test_create_validation(
    api: httpx.Client, store_id: str, overrides: dict[str, Any], expected: str
) -> None:
    body = {**mapping_body(), **overrides}
    assert expected in error_of(api.post(_mappings(store_id), json=body), 400)


def test_mapping_into_a_trait_deleted_meanwhile_fails_the_operation(
    emulator: EmulatorHandle, api: httpx.Client, store_id: str
) -> None:
    create = api.post(_mappings(store_id), json=mapping_body())  # pending until DELAY
    emulator.set_settings(operation_delay_seconds=0)
    drop = {"traits": {"age": {"dataType": ""}}}
    assert api.patch(f"{STORES}/{store_id}/TraitGroups/mixedTraits", json=drop).status_code == 202
    emulator.advance_clock(DELAY)
    failed = api.get(create.json()["statusUrl"]).json()
    assert failed["status"] == "FAILED"
    assert "no trait 'age'" in failed["error"]["detail"]


def test_wide_name_switch(emulator: EmulatorHandle, api: httpx.Client, store_id: str) -> None:
    wide = "crm_" + "x" * 120  # docs pages' form: underscore, up to 128 (E9)
    error_of(api.post(_mappings(store_id), json=mapping_body(wide)), 400)
    emulator.set_traps(memory_data_mapping_wide_names=True)
    mapping_id = make_mapping(emulator, api, store_id, name=wide)
    assert api.get(f"{_mappings(store_id)}/{mapping_id}").json()["displayName"] == wide
    error_of(api.post(_mappings(store_id), json=mapping_body("c" * 129)), 400)


def test_ids_and_unknown_resources(api: httpx.Client, store_id: str) -> None:
    error_of(api.get(f"{_mappings(store_id)}/not-an-id"), 400)
    unknown = "mem_datamapping_01k1etk2y5f1y9fpe2epfdtvv2"
    error_of(api.get(f"{_mappings(store_id)}/{unknown}"), 404, 20404)
    error_of(api.patch(f"{_mappings(store_id)}/{unknown}", json={}), 404, 20404)
    error_of(api.delete(f"{_mappings(store_id)}/{unknown}"), 404, 20404)
    error_of(api.get(_mappings("mem_store_01k1etk2y5f1y9fpe2epfdtvv2")), 404, 20404)
