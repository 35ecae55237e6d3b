"""Conversations v2 ControlPlane Configurations and their async operations."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from twilio_emulator.testing import EmulatorHandle

from tests.emulator.emulator_helpers import conv_config_body, wait_operation

CONFIGS = "/v2/ControlPlane/Configurations"


def error_of(response: httpx.Response, status: int, code: int = 20001) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"code", "message", "more_info", "status"}
    assert (body["code"], body["status"]) == (code, status)
    message: str = body["message"]
    return message


def create(api: httpx.Client, **overrides: Any) -> tuple[str, dict[str, Any]]:
    """POST, wait for completion, return (configuration id, final operation)."""
    response = api.post(CONFIGS, json=conv_config_body(**overrides))
    assert response.status_code == 202, response.text
    config_id = response.json()["related"]["configurationId"]
    return config_id, wait_operation(api, response.json()["statusUrl"])


def test_create_is_async_and_invisible_until_completed(
    emulator: EmulatorHandle, api: httpx.Client
) -> None:
    emulator.set_settings(operation_delay_seconds=60)
    response = api.post(CONFIGS, json=conv_config_body())
    assert response.status_code == 202
    body = response.json()
    op_id = response.headers["Operation-Id"]
    assert op_id.startswith("proc_job_")
    assert response.headers["Location"] == body["statusUrl"]
    assert body["statusUrl"] == f"{emulator.url}/v2/ControlPlane/Operations/{op_id}"
    assert response.headers["Retry-After"] == "1"
    config_id = body["related"]["configurationId"]
    assert config_id.startswith("conv_configuration_")
    status = api.get(body["statusUrl"]).json()
    assert status["status"] == "PENDING"
    assert status["completedAt"] is None
    error_of(api.get(f"{CONFIGS}/{config_id}"), 404, 20404)
    assert api.get(CONFIGS).json()["configurations"] == []
    emulator.advance_clock(31)
    # conversations-v2 §3: the enum is PENDING, COMPLETED, FAILED (no RUNNING).
    assert api.get(body["statusUrl"]).json()["status"] == "PENDING"
    emulator.set_traps(conversations_operation_running=True)
    assert api.get(body["statusUrl"]).json()["status"] == "RUNNING"
    emulator.advance_clock(30)
    done = api.get(body["statusUrl"]).json()
    assert done["status"] == "COMPLETED"
    assert done["completedAt"] is not None
    assert done["related"] == {"configurationId": config_id}
    assert done["error"] is None
    config = api.get(f"{CONFIGS}/{config_id}").json()
    assert config["version"] == 1
    assert config["statusCallbacks"] == []
    assert config["intelligenceConfigurationIds"] == []
    assert config["memoryExtractionEnabled"] is False


def test_zero_delay_completes_immediately(emulator: EmulatorHandle, api: httpx.Client) -> None:
    emulator.set_settings(operation_delay_seconds=0)
    response = api.post(CONFIGS, json=conv_config_body())
    assert api.get(response.json()["statusUrl"]).json()["status"] == "COMPLETED"
    config_id = response.json()["related"]["configurationId"]
    assert api.get(f"{CONFIGS}/{config_id}").status_code == 200


def test_default_delay_completes_in_real_time(api: httpx.Client) -> None:
    config_id, op = create(api)
    assert op["status"] == "COMPLETED"
    listed = api.get(CONFIGS).json()
    assert [c["id"] for c in listed["configurations"]] == [config_id]
    assert listed["meta"] == {"key": "configurations", "pageSize": 1}


def test_put_is_full_replacement_and_bumps_version(
    emulator: EmulatorHandle, api: httpx.Client
) -> None:
    emulator.set_settings(operation_delay_seconds=0)
    config_id, _ = create(
        api,
        statusCallbacks=[{"url": "https://example.com/cb"}],
        intelligenceConfigurationIds=["intelligence_configuration_01kermhm82e5mr98nbeh1hpmbn"],
        memoryExtractionEnabled=True,
    )
    before = api.get(f"{CONFIGS}/{config_id}").json()
    assert before["statusCallbacks"] == [{"url": "https://example.com/cb", "method": "POST"}]
    body = conv_config_body(description="new")
    body.pop("displayName")
    response = api.put(f"{CONFIGS}/{config_id}", json=body)
    assert response.status_code == 202
    after = api.get(f"{CONFIGS}/{config_id}").json()
    assert after["version"] == 2
    assert after["description"] == "new"
    assert after["displayName"] == before["displayName"]  # required in the resource: kept
    assert after["statusCallbacks"] == []
    assert after["intelligenceConfigurationIds"] == []
    assert after["memoryExtractionEnabled"] is False
    assert after["createdAt"] == before["createdAt"]


def test_update_is_invisible_until_completed(emulator: EmulatorHandle, api: httpx.Client) -> None:
    config_id, _ = create(api)
    emulator.set_settings(operation_delay_seconds=10)
    api.put(f"{CONFIGS}/{config_id}", json=conv_config_body(description="changed"))
    assert api.get(f"{CONFIGS}/{config_id}").json()["description"] == "Support configuration"
    emulator.advance_clock(10)
    assert api.get(f"{CONFIGS}/{config_id}").json()["description"] == "changed"


def test_delete_is_async(emulator: EmulatorHandle, api: httpx.Client) -> None:
    config_id, _ = create(api)
    emulator.set_settings(operation_delay_seconds=10)
    response = api.delete(f"{CONFIGS}/{config_id}")
    assert response.status_code == 202
    assert response.json()["related"] == {"configurationId": config_id}
    assert api.get(f"{CONFIGS}/{config_id}").status_code == 200
    emulator.advance_clock(10)
    error_of(api.get(f"{CONFIGS}/{config_id}"), 404, 20404)
    error_of(api.delete(f"{CONFIGS}/{config_id}"), 404, 20404)


def test_write_during_pending_operation_is_409(emulator: EmulatorHandle, api: httpx.Client) -> None:
    config_id, _ = create(api)
    emulator.set_settings(operation_delay_seconds=10)
    first = api.put(f"{CONFIGS}/{config_id}", json=conv_config_body())
    op_id = first.headers["Operation-Id"]
    for response in (
        api.put(f"{CONFIGS}/{config_id}", json=conv_config_body()),
        api.delete(f"{CONFIGS}/{config_id}"),
    ):
        error_of(response, 409, 20409)
        assert response.headers["X-Conflicting-Resource-Id"] == op_id
    emulator.advance_clock(10)
    assert api.put(f"{CONFIGS}/{config_id}", json=conv_config_body()).status_code == 202


def test_idempotency_key_replays_the_original_202(
    emulator: EmulatorHandle, api: httpx.Client
) -> None:
    key = str(uuid.uuid4())
    first = api.post(CONFIGS, json=conv_config_body(), headers={"Idempotency-Key": key})
    second = api.post(
        CONFIGS, json=conv_config_body(displayName="other"), headers={"Idempotency-Key": key}
    )
    assert second.status_code == 202
    assert second.json() == first.json()
    assert second.headers["Operation-Id"] == first.headers["Operation-Id"]
    wait_operation(api, first.json()["statusUrl"])
    assert len(api.get(CONFIGS).json()["configurations"]) == 1
    # Other accounts do not share keys.
    other = emulator.create_account()
    with httpx.Client(base_url=emulator.url, auth=(other.account_sid, other.auth_token)) as client:
        third = client.post(CONFIGS, json=conv_config_body(), headers={"Idempotency-Key": key})
        assert third.headers["Operation-Id"] != first.headers["Operation-Id"]
    # After 24 h of emulator time the key is forgotten.
    emulator.advance_clock(24 * 3600 + 1)
    fourth = api.post(CONFIGS, json=conv_config_body(), headers={"Idempotency-Key": key})
    assert fourth.headers["Operation-Id"] != first.headers["Operation-Id"]


def test_idempotency_key_must_be_a_uuid(api: httpx.Client) -> None:
    error_of(api.post(CONFIGS, json=conv_config_body(), headers={"Idempotency-Key": "abc"}), 400)


def test_idempotent_delete_replays(emulator: EmulatorHandle, api: httpx.Client) -> None:
    config_id, _ = create(api)
    emulator.set_settings(operation_delay_seconds=0)
    key = str(uuid.uuid4())
    first = api.delete(f"{CONFIGS}/{config_id}", headers={"Idempotency-Key": key})
    second = api.delete(f"{CONFIGS}/{config_id}", headers={"Idempotency-Key": key})
    assert first.status_code == second.status_code == 202
    assert first.headers["Operation-Id"] == second.headers["Operation-Id"]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"memoryStoreId": None}, "memoryStoreId: must not be null"),
        ({"displayName": "x" * 33}, "displayName: size must be between 0 and 32"),
        ({"displayName": "bad/name"}, 'displayName: must match "^[a-zA-Z0-9-_ ]+$"'),
        ({"displayName": "bad\nname"}, 'displayName: must match "^[a-zA-Z0-9-_ ]+$"'),
        ({"displayName": None}, "displayName: must not be null"),
        ({"description": None}, "description: must not be null"),
        ({"conversationGroupingType": "GROUP_BY_MOOD"}, "conversationGroupingType: must be one of"),
        (
            {"statusCallbacks": [{"url": "https://a.io"}] * 3},
            "statusCallbacks: size must be between 0 and 2",
        ),
        ({"statusCallbacks": [{"url": "nope"}]}, "statusCallbacks[0].url: must be a valid URL"),
        (
            {"statusCallbacks": [{"url": "https://a.io", "method": "PUT"}]},
            "statusCallbacks[0].method:",
        ),
        (
            {"intelligenceConfigurationIds": ["a"] * 6},
            "intelligenceConfigurationIds: size must be between 0 and 5",
        ),
        (
            {"channelSettings": {"SMS": {"statusTimeouts": {"inactive": 0}}}},
            "channelSettings.SMS.statusTimeouts.inactive: must be greater than or equal to 1",
        ),
        (
            {"channelSettings": {"SMS": {"captureRules": [{"from": "*"}]}}},
            "channelSettings.SMS.captureRules[0].to: must not be null",
        ),
        ({"memoryExtractionEnabled": "yes"}, "memoryExtractionEnabled: must be a boolean"),
    ],
)
def test_create_validation(api: httpx.Client, overrides: dict[str, Any], expected: str) -> None:
    message = error_of(api.post(CONFIGS, json=conv_config_body(**overrides)), 400)
    assert message.startswith(expected), message


def test_update_requires_its_own_fields(emulator: EmulatorHandle, api: httpx.Client) -> None:
    config_id, _ = create(api)
    body = conv_config_body()
    body.pop("channelSettings")
    message = error_of(api.put(f"{CONFIGS}/{config_id}", json=body), 400)
    assert message == "channelSettings: must not be null"
    body = conv_config_body(memoryStoreId=None)
    assert (
        error_of(api.put(f"{CONFIGS}/{config_id}", json=body), 400)
        == "memoryStoreId: must not be null"
    )
    create_without_settings = conv_config_body()
    create_without_settings.pop("channelSettings")
    assert api.post(CONFIGS, json=create_without_settings).status_code == 202


def test_eleventh_configuration_is_refused(emulator: EmulatorHandle, api: httpx.Client) -> None:
    # conversations-v2 §2.7: "the 11th create answers 400 synchronously".
    emulator.set_settings(operation_delay_seconds=0)
    for index in range(10):
        create(api, displayName=f"c{index}")
    response = api.post(CONFIGS, json=conv_config_body())
    assert "at most 10" in error_of(response, 400, 20001)
    assert len(api.get(CONFIGS, params={"pageSize": 50}).json()["configurations"]) == 10


def test_creates_pending_together_past_the_limit_fail(
    emulator: EmulatorHandle, api: httpx.Client
) -> None:
    emulator.set_settings(operation_delay_seconds=10, max_conversation_configurations=1)
    first = api.post(CONFIGS, json=conv_config_body(displayName="one"))
    second = api.post(CONFIGS, json=conv_config_body(displayName="two"))
    assert (first.status_code, second.status_code) == (202, 202)
    emulator.advance_clock(10)
    statuses = [api.get(r.json()["statusUrl"]).json() for r in (first, second)]
    assert [s["status"] for s in statuses] == ["COMPLETED", "FAILED"]
    assert statuses[1]["error"]["status"] == 400
    assert "at most 1 " in statuses[1]["error"]["detail"]


def test_list_filter_and_pagination(emulator: EmulatorHandle, api: httpx.Client) -> None:
    emulator.set_settings(operation_delay_seconds=0)
    store_a = "mem_store_01k1etk2y5f1y9fpe2epfdtvv2"
    store_b = "mem_store_01k1etk2y5f1y9fpe2epfdtvv3"
    ids_a = [create(api, displayName=f"a{i}", memoryStoreId=store_a)[0] for i in range(3)]
    create(api, displayName="b", memoryStoreId=store_b)
    page1 = api.get(CONFIGS, params={"memoryStoreId": store_a, "pageSize": 2}).json()
    token = page1["meta"]["nextToken"]
    page2 = api.get(
        CONFIGS, params={"memoryStoreId": store_a, "pageSize": 2, "pageToken": token}
    ).json()
    assert [c["id"] for c in page1["configurations"] + page2["configurations"]] == ids_a
    assert "nextToken" not in page2["meta"]
    error_of(api.get(CONFIGS, params={"memoryStoreId": "memora_service_123"}), 400)
    error_of(api.get(CONFIGS, params={"pageSize": 1001}), 400)


def test_unknown_operation_is_404(api: httpx.Client) -> None:
    error_of(api.get("/v2/ControlPlane/Operations/proc_job_01h9d8r0vte3hz8tykdj329t7r"), 404, 20404)


def test_memory_operations_are_not_visible_on_v2(
    emulator: EmulatorHandle, api: httpx.Client
) -> None:
    response = api.post("/v1/ControlPlane/Stores", json={"displayName": "s1"})
    op_id = response.headers["Operation-Id"]
    error_of(api.get(f"/v2/ControlPlane/Operations/{op_id}"), 404, 20404)
