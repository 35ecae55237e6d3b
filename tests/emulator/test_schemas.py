"""Every JSON body of the control-plane operations validates against the reference schemas.

The schemas live in ../shared/reference/schemas beside the checkout; without
them these tests skip (see emulator_helpers.schema_validator).
"""

from __future__ import annotations

import copy
from typing import Any

import httpx
from twilio_emulator.testing import EmulatorHandle

from tests.emulator.emulator_helpers import (
    SENTIMENT,
    assert_valid,
    config_body,
    conv_config_body,
    create_config,
    create_operator,
    operator_body,
    rule,
    wait_operation,
)

ERRORS = "error.json"


def test_request_bodies_used_by_the_tests_are_spec_valid() -> None:
    assert_valid(operator_body(), "operator.create.json")
    assert_valid(config_body(), "intelligence-configuration.create.json")
    assert_valid(
        config_body(rules=[dict(rule(), id="x")]), "intelligence-configuration.update.json"
    )
    assert_valid(conv_config_body(), "conversation-configuration.create.json")
    assert_valid(conv_config_body(), "conversation-configuration.update.json")
    assert_valid({"displayName": "sandbox"}, "memory-store.create.json")


def _v3_list(body: dict[str, Any], item_schema: str, definition: str | None = None) -> None:
    assert set(body) == {"items", "meta"}
    assert_valid(body["meta"], "list-meta.json", "intelligenceV3ListMeta")
    for item in body["items"]:
        assert_valid(item, item_schema, definition)


def _twilio_relaxed(operator: dict[str, Any]) -> dict[str, Any]:
    """The guide's ``prompt: null`` (trap on) is outside the spec's string type."""
    relaxed = copy.deepcopy(operator)
    if relaxed.get("author") == "TWILIO" and relaxed.get("prompt", "") is None:
        del relaxed["prompt"]
    return relaxed


def test_intelligence_v3_bodies(emulator: EmulatorHandle, api: httpx.Client) -> None:
    full_rule = rule(
        operators=[{"id": SENTIMENT, "version": 1}],
        triggers=[{"on": "COMMUNICATION", "parameters": {"count": 3}}],
        context={"memory": {"enabled": True}, "knowledge": {"bases": ["knowledge_base_id"]}},
    )
    created = create_config(api, rules=[full_rule, rule(triggers=None)])
    assert_valid(created, "intelligence-configuration.json")
    assert_valid(
        api.get(f"/v3/ControlPlane/Configurations/{created['id']}").json(),
        "intelligence-configuration.json",
    )
    updated = api.put(f"/v3/ControlPlane/Configurations/{created['id']}", json=config_body()).json()
    assert_valid(updated, "intelligence-configuration.json")
    for _ in range(3):
        create_config(api)
    _v3_list(
        api.get("/v3/ControlPlane/Configurations", params={"pageSize": 2}).json(),
        "intelligence-configuration.json",
    )

    operator = create_operator(api)
    assert_valid(operator, "operator.json")
    put = api.put(
        f"/v3/ControlPlane/Operators/{operator['id']}", json=operator_body(outputFormat="TEXT")
    ).json()
    assert_valid(put, "operator.json")
    assert_valid(create_operator(api, outputFormat="CLASSIFICATION"), "operator.json")
    listed = api.get("/v3/ControlPlane/Operators").json()
    _v3_list(
        {"items": [_twilio_relaxed(i) for i in listed["items"]], "meta": listed["meta"]},
        "operator.json",
    )
    emulator.set_traps(twilio_prompt_null=False)
    _v3_list(api.get("/v3/ControlPlane/Operators").json(), "operator.json")
    assert_valid(api.get(f"/v3/ControlPlane/Operators/{SENTIMENT}").json(), "operator.json")

    versions = api.get(f"/v3/ControlPlane/Operators/{operator['id']}/Versions").json()
    _v3_list(versions, "operator-version.json", "OperatorVersionSummary")
    emulator.set_operator_version_status(operator["id"], 1, "DEPRECATED")
    emulator.set_operator_version_status(operator["id"], 2, "RETIRED")
    versions = api.get(f"/v3/ControlPlane/Operators/{operator['id']}/Versions").json()
    _v3_list(versions, "operator-version.json", "OperatorVersionSummary")
    assert_valid(
        api.get(f"/v3/ControlPlane/Operators/{operator['id']}/Versions/1").json(),
        "operator-version.json",
    )
    assert_valid(
        api.get(f"/v3/ControlPlane/Operators/{SENTIMENT}/Versions/1").json(),
        "operator-version.json",
    )


def test_intelligence_v3_errors(api: httpx.Client) -> None:
    bodies = [
        api.post("/v3/ControlPlane/Configurations", json={}),
        api.get("/v3/ControlPlane/Configurations/nope"),
        api.post("/v3/ControlPlane/Configurations", content=b"x=1"),
        api.post("/v3/ControlPlane/Configurations", json=config_body(rules=[rule("ghost")])),
        api.put(f"/v3/ControlPlane/Operators/{SENTIMENT}", json=operator_body()),
        httpx.get(str(api.base_url) + "/v3/ControlPlane/Operators"),
        api.get("/v3/ControlPlane/Operators", params={"pageSize": 0}),
    ]
    assert [b.status_code for b in bodies] == [400, 404, 415, 400, 403, 401, 400]
    for response in bodies:
        assert_valid(response.json(), ERRORS, "intelligenceV3Error")


def test_conversations_v2_bodies(emulator: EmulatorHandle, api: httpx.Client) -> None:
    emulator.set_settings(operation_delay_seconds=5)
    accepted = api.post(
        "/v2/ControlPlane/Configurations",
        json=conv_config_body(statusCallbacks=[{"url": "https://example.com/cb", "method": "GET"}]),
    )
    assert_valid(accepted.json(), "async-operation.json", "conversationsV2OperationAccepted")
    pending = api.get(accepted.json()["statusUrl"]).json()
    assert_valid(pending, "async-operation.json", "conversationsV2OperationStatus")
    emulator.advance_clock(5)
    done = api.get(accepted.json()["statusUrl"]).json()
    assert_valid(done, "async-operation.json", "conversationsV2OperationStatus")
    config_id = accepted.json()["related"]["configurationId"]
    config = api.get(f"/v2/ControlPlane/Configurations/{config_id}").json()
    assert_valid(config, "conversation-configuration.json")
    listed = api.get("/v2/ControlPlane/Configurations").json()
    assert_valid(listed["meta"], "list-meta.json", "conversationsV2ListMeta")
    for item in listed["configurations"]:
        assert_valid(item, "conversation-configuration.json")
    emulator.set_settings(operation_delay_seconds=0)
    emulator.inject_fault("fail_operation", method="PUT", count=1)
    failing = api.put(f"/v2/ControlPlane/Configurations/{config_id}", json=conv_config_body())
    failed = api.get(failing.json()["statusUrl"]).json()
    assert failed["status"] == "FAILED"
    assert_valid(failed, "async-operation.json", "conversationsV2OperationStatus")
    deleted = api.delete(f"/v2/ControlPlane/Configurations/{config_id}")
    assert_valid(deleted.json(), "async-operation.json", "conversationsV2OperationAccepted")
    errors = [
        api.post("/v2/ControlPlane/Configurations", json={}),
        api.get(f"/v2/ControlPlane/Configurations/{config_id}"),
        api.post("/v2/ControlPlane/Configurations", content=b"x=1"),
        api.get("/v2/Services"),
        httpx.get(str(api.base_url) + "/v2/ControlPlane/Configurations"),
    ]
    assert [e.status_code for e in errors] == [400, 404, 415, 404, 401]
    for response in errors:
        assert_valid(response.json(), ERRORS, "conversationsV2Error")


def test_memory_v1_bodies(emulator: EmulatorHandle, api: httpx.Client) -> None:
    emulator.set_settings(operation_delay_seconds=5)
    accepted = api.post(
        "/v1/ControlPlane/Stores", json={"displayName": "sandbox", "description": "d"}
    )
    assert_valid(accepted.json(), "async-operation.json", "memoryV1OperationAccepted")
    assert_valid(
        api.get(accepted.json()["statusUrl"]).json(),
        "async-operation.json",
        "memoryV1OperationStatus",
    )
    emulator.advance_clock(5)
    done = wait_operation(api, accepted.json()["statusUrl"])
    assert_valid(done, "async-operation.json", "memoryV1OperationStatus")
    store_id = done["result"]["id"]
    store = api.get(f"/v1/ControlPlane/Stores/{store_id}").json()
    assert_valid(store, "memory-store.json")
    emulator.advance_clock(60)
    assert_valid(api.get(f"/v1/ControlPlane/Stores/{store_id}").json(), "memory-store.json")
    assert_valid(api.get("/v1/ControlPlane/Stores").json(), "memory-store.json", "ServiceList")
    patched = api.patch(f"/v1/ControlPlane/Stores/{store_id}", json={"description": "e"})
    assert_valid(patched.json(), "async-operation.json", "memoryV1OperationAccepted")
    emulator.set_settings(operation_delay_seconds=0)
    emulator.set_traps(memory_store_sync_name_checks=False)  # a duplicate then FAILS later
    duplicate = api.post("/v1/ControlPlane/Stores", json={"displayName": "sandbox"})
    failed = api.get(duplicate.json()["statusUrl"]).json()
    assert failed["status"] == "FAILED"
    assert_valid(failed, "async-operation.json", "memoryV1OperationStatus")
    errors = [
        api.post("/v1/ControlPlane/Stores", json={}),
        api.get("/v1/ControlPlane/Stores/mem_store_01k1etk2y5f1y9fpe2epfdtvv2"),
        api.put(f"/v1/ControlPlane/Stores/{store_id}", json={}),
        api.post(
            "/v1/ControlPlane/Stores", json={"displayName": "x" * 10, "description": "y" * 5000}
        ),
        api.patch(f"/v1/ControlPlane/Stores/{store_id}", json={}, headers={"If-Match": "stale"}),
        httpx.get(str(api.base_url) + "/v1/ControlPlane/Stores"),
        api.post(
            "/v1/ControlPlane/Stores",
            content=b"{" * 10 + b"x" * 3000,
            headers={"Content-Type": "application/json"},
        ),
    ]
    assert [e.status_code for e in errors] == [400, 404, 405, 400, 412, 401, 400]
    for response in errors:
        assert_valid(response.json(), ERRORS, "memoryV1Error")
