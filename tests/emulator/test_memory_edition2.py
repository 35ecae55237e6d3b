"""Memory v1 edition 2: DeleteStore and its cascade, Identity Resolution Settings.

Trait groups and data mappings are in test_memory_trait_groups.py and
test_memory_data_mappings.py. Operations complete on the emulator clock.
"""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest
from twilio_emulator.testing import EmulatorHandle, simulate_sms_conversation

from tests.emulator.emulator_helpers import assert_valid, conv_config_body
from tests.emulator.memory_helpers import (
    DELAY,
    STORES,
    completed,
    error_of,
    finish,
    make_group,
    make_mapping,
    make_store,
)

IRS = "identity-resolution-settings.json"
# The spec example of §3.2 (less its version), with the §3.1 defaults filled in.
SPEC_EXAMPLE_FILLED = [
    {
        "idType": id_type,
        "matchingAlgo": "exact",
        "matchingThreshold": 75,
        "limit": 100,
        "limitPolicy": "fifo",
        "enforceUnique": True,
        "normalization": normalization,
    }
    for id_type, normalization in (("email", "email"), ("whatsapp", "trim"), ("phone", "phone"))
]


@pytest.fixture(autouse=True)
def _delay(emulator: EmulatorHandle) -> None:
    emulator.set_settings(operation_delay_seconds=DELAY)


def _settings(store_id: str) -> str:
    return f"{STORES}/{store_id}/IdentityResolutionSettings"


# -- DeleteStore -------------------------------------------------------------------------


def test_delete_store_cascades_and_reads_last_state_meanwhile(
    emulator: EmulatorHandle, api: httpx.Client
) -> None:
    store_id = make_store(emulator, api)
    other_id = make_store(emulator, api, "other")
    make_group(emulator, api, store_id)
    mapping_id = make_mapping(emulator, api, store_id)
    children = [
        _settings(store_id),
        f"{STORES}/{store_id}/TraitGroups/mixedTraits",
        f"{STORES}/{store_id}/TraitGroups/Contact",
        f"{STORES}/{store_id}/DataMappings/{mapping_id}",
    ]
    before = api.get(f"{STORES}/{store_id}").json()
    response = api.delete(f"{STORES}/{store_id}")
    # While the delete runs, reads show the last state (reference assumption, §2.1).
    assert api.get(f"{STORES}/{store_id}").json() == before
    assert all(api.get(path).status_code == 200 for path in children)
    done = completed(emulator, api, response, "Memory Store deletion request")
    assert done["result"]["id"] == store_id
    assert "resultUrl" not in done  # nothing is left to point at
    error_of(api.get(f"{STORES}/{store_id}"), 404, 20404)
    for path in children:
        error_of(api.get(path), 404, 20404)
    error_of(api.get(f"{STORES}/{store_id}/TraitGroups"), 404, 20404)
    error_of(api.get(f"{STORES}/{store_id}/DataMappings"), 404, 20404)
    error_of(api.delete(f"{STORES}/{store_id}"), 404, 20404)
    assert api.get(STORES).json()["stores"] == [other_id]
    assert api.get(f"{STORES}/{other_id}/TraitGroups/Contact").status_code == 200


def test_delete_store_errors_and_name_reuse(emulator: EmulatorHandle, api: httpx.Client) -> None:
    error_of(api.delete(f"{STORES}/not-a-store"), 400)
    error_of(api.delete(f"{STORES}/mem_store_01k1etk2y5f1y9fpe2epfdtvv2"), 404, 20404)
    store_id = make_store(emulator, api)
    completed(emulator, api, api.delete(f"{STORES}/{store_id}"), "Memory Store deletion")
    assert make_store(emulator, api) != store_id  # the name is free again


def test_conversations_keep_capturing_on_a_deleted_store(
    emulator: EmulatorHandle, api: httpx.Client
) -> None:
    """gotchas A32/E18: the configuration keeps its memoryStoreId and keeps capturing, but
    identity resolution quietly stops (no profile for the customer)."""
    store_id = make_store(emulator, api)
    created = api.post(
        "/v2/ControlPlane/Configurations", json=conv_config_body(memoryStoreId=store_id)
    )
    emulator.advance_clock(DELAY)
    config_id = created.json()["related"]["configurationId"]

    def customer_profile() -> Any:
        conversation = simulate_sms_conversation(
            api, config_id, [("+15551230000", "+18005550100", "hello")]
        )
        participants = api.get(f"/v2/Conversations/{conversation}/Participants").json()
        customer = next(p for p in participants["participants"] if p["type"] == "CUSTOMER")
        return customer.get("profileId")

    assert str(customer_profile()).startswith("mem_profile_")
    completed(emulator, api, api.delete(f"{STORES}/{store_id}"), "Memory Store deletion")
    config = api.get(f"/v2/ControlPlane/Configurations/{config_id}").json()
    assert config["memoryStoreId"] == store_id  # not touched
    assert customer_profile() is None  # captured, but no profile is resolved


# -- Identity Resolution Settings --------------------------------------------------------


def test_new_store_has_the_spec_example_settings(
    emulator: EmulatorHandle, api: httpx.Client
) -> None:
    store_id = make_store(emulator, api)
    response = api.get(_settings(store_id))
    assert response.status_code == 200
    body = response.json()
    assert_valid(body, IRS)
    assert body == {
        "identifierConfigs": SPEC_EXAMPLE_FILLED,
        "matchingRules": ["email", "whatsapp", "phone"],
        "version": 1,
    }
    assert response.headers["ETag"]


def test_put_replaces_fills_defaults_and_bumps_version(
    emulator: EmulatorHandle, api: httpx.Client
) -> None:
    store_id = make_store(emulator, api)
    etag = api.get(_settings(store_id)).headers["ETag"]
    body = {
        "identifierConfigs": [
            {"idType": "email", "normalization": "email"},
            {"idType": "external_id", "limit": 5, "limitPolicy": "lifo", "normalization": "none"},
        ],
        "matchingRules": ["external_id", "email"],
    }
    response = api.put(_settings(store_id), json=body, headers={"If-Match": f'"{etag}"'})
    before = api.get(_settings(store_id)).json()
    assert before["version"] == 1  # nothing changes until the operation completes
    done = completed(emulator, api, response, "Identity Resolution Settings accepted")
    assert done["result"]["id"] == store_id
    after = api.get(_settings(store_id))
    assert_valid(after.json(), IRS)
    assert after.json()["version"] == 2
    assert after.json()["matchingRules"] == ["external_id", "email"]
    email, external = after.json()["identifierConfigs"]
    assert email == {**SPEC_EXAMPLE_FILLED[0]}
    assert external == {
        "idType": "external_id",
        "matchingAlgo": "exact",
        "matchingThreshold": 75,
        "limit": 5,
        "limitPolicy": "lifo",
        "enforceUnique": True,
        "normalization": "none",
    }
    assert after.headers["ETag"] != etag
    error_of(api.put(_settings(store_id), json=body, headers={"If-Match": etag}), 412, 20412)
    bare = api.put(_settings(store_id), json=body, headers={"If-Match": after.headers["ETag"]})
    completed(emulator, api, bare, "Identity Resolution Settings")
    assert api.get(_settings(store_id)).json()["version"] == 3


def _config(**overrides: Any) -> dict[str, Any]:
    return {"idType": "email", **overrides}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"matchingRules": ["email"]}, "identifierConfigs: must not be null"),
        ({"identifierConfigs": [_config()]}, "matchingRules: must not be null"),
        (
            {"identifierConfigs": [], "matchingRules": ["email"]},
            "identifierConfigs: size must be between 1 and 15",
        ),
        (
            {
                "identifierConfigs": [_config(idType=f"t{i:02}") for i in range(16)],
                "matchingRules": ["t00"],
            },
            "identifierConfigs: size must be between 1 and 15",
        ),
        (
            {"identifierConfigs": [_config(idType="e")], "matchingRules": ["e"]},
            "identifierConfigs[0].idType: size must be between 2 and 30",
        ),
        (
            {"identifierConfigs": [_config(idType="e" * 31)], "matchingRules": ["email"]},
            "identifierConfigs[0].idType: size must be between 2 and 30",
        ),
        (
            {"identifierConfigs": [_config(matchingThreshold=49)], "matchingRules": ["email"]},
            "identifierConfigs[0].matchingThreshold: must be greater than or equal to 50",
        ),
        (
            {"identifierConfigs": [_config(limit=101)], "matchingRules": ["email"]},
            "identifierConfigs[0].limit: must be less than or equal to 100",
        ),
        (
            {"identifierConfigs": [_config(limitPolicy="random")], "matchingRules": ["email"]},
            "identifierConfigs[0].limitPolicy: must be one of [fifo, lifo]",
        ),
        (
            {"identifierConfigs": [_config(normalization="upper")], "matchingRules": ["email"]},
            "identifierConfigs[0].normalization: must be one of [phone, email, trim, none]",
        ),
        (
            {"identifierConfigs": [_config(extra=1)], "matchingRules": ["email"]},
            "identifierConfigs[0].extra: unknown field",
        ),
        (
            {"identifierConfigs": [_config()], "matchingRules": []},
            "matchingRules: size must be between 1 and 15",
        ),
        (
            {"identifierConfigs": [_config()], "matchingRules": ["email"] * 16},
            "matchingRules: size must be between 1 and 15",
        ),
        (
            {"identifierConfigs": [_config()], "matchingRules": ["phone"]},
            "matchingRules[0]: 'phone' is not an idType of identifierConfigs",
        ),
        (
            {"identifierConfigs": [_config()], "matchingRules": ["x" * 31]},
            "matchingRules[0]: size must be between 0 and 30",
        ),
    ],
)
def test_put_validation(
    emulator: EmulatorHandle, api: httpx.Client, body: dict[str, Any], expected: str
) -> None:
    store_id = make_store(emulator, api)
    assert error_of(api.put(_settings(store_id), json=body), 400) == expected
    assert api.get(_settings(store_id)).json()["version"] == 1


def test_put_on_unknown_store_is_404(api: httpx.Client) -> None:
    unknown = "mem_store_01k1etk2y5f1y9fpe2epfdtvv2"
    error_of(api.get(_settings(unknown)), 404, 20404)
    error_of(api.put(_settings(unknown), json={}), 404, 20404)


def test_strict_switch_refuses_non_default_matching(
    emulator: EmulatorHandle, api: httpx.Client
) -> None:
    store_id = make_store(emulator, api)
    fuzzy: dict[str, Any] = {
        "identifierConfigs": [
            _config(matchingAlgo="fuzzy", matchingThreshold=80, enforceUnique=False)
        ],
        "matchingRules": ["email"],
    }
    # Default (§3.3): stored as sent.
    completed(emulator, api, api.put(_settings(store_id), json=fuzzy), "Identity Resolution")
    stored = api.get(_settings(store_id)).json()["identifierConfigs"][0]
    assert (stored["matchingAlgo"], stored["enforceUnique"]) == ("fuzzy", False)
    emulator.set_traps(memory_identity_settings_strict=True)
    message = error_of(api.put(_settings(store_id), json=fuzzy), 400)
    assert "matchingAlgo" in message
    assert "enforceUnique" in message
    exact = copy.deepcopy(fuzzy)
    exact["identifierConfigs"][0].update(matchingAlgo="exact", enforceUnique=True)
    completed(emulator, api, api.put(_settings(store_id), json=exact), "Identity Resolution")


# -- PatchStore (edition 2 limits) -------------------------------------------------------


def test_patch_store_name_rules(emulator: EmulatorHandle, api: httpx.Client) -> None:
    store_id = make_store(emulator, api)
    make_store(emulator, api, "taken")
    url = f"{STORES}/{store_id}"
    error_of(api.patch(url, json={"displayName": "n" * 65}), 400)
    error_of(api.patch(url, json={"displayName": "taken"}), 409, 20409)
    emulator.set_traps(memory_store_sync_name_checks=False)
    failed = finish(emulator, api, api.patch(url, json={"displayName": "taken"}), "Memory Store")
    assert failed["status"] == "FAILED"
    assert api.get(url).json()["displayName"] == "sandbox"
