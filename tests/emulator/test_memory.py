"""Memory v1 Stores: async create/patch, provisioning, ETags, limits, no PUT.

DeleteStore and the store's children are in test_memory_edition2.py."""

from __future__ import annotations

import httpx
import pytest
from twilio_emulator.testing import EmulatorHandle

from tests.emulator.emulator_helpers import wait_operation

STORES = "/v1/ControlPlane/Stores"


def error_of(response: httpx.Response, status: int, code: int = 20001) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) <= {"code", "message", "more_info", "status"}
    assert (body["code"], body["status"]) == (code, status)
    message: str = body["message"]
    return message


def create_store(api: httpx.Client, name: str = "sandbox", **extra: str) -> str:
    response = api.post(STORES, json={"displayName": name, **extra})
    assert response.status_code == 202, response.text
    op = wait_operation(api, response.json()["statusUrl"])
    assert op["status"] == "COMPLETED", op
    store_id: str = op["result"]["id"]
    return store_id


def test_create_lifecycle(emulator: EmulatorHandle, api: httpx.Client) -> None:
    emulator.set_settings(operation_delay_seconds=4, store_provisioning_seconds=10)
    response = api.post(STORES, json={"displayName": "sandbox", "description": "testing"})
    assert response.status_code == 202
    body = response.json()
    assert set(body) == {"message", "statusUrl"}
    op_id = response.headers["Operation-Id"]
    assert (
        response.headers["Location"]
        == body["statusUrl"]
        == f"{emulator.url}/v1/ControlPlane/Operations/{op_id}"
    )
    pending = api.get(body["statusUrl"])
    assert pending.json() == {
        "operationId": op_id,
        "status": "PENDING",
        "createdAt": pending.json()["createdAt"],
        "statusUrl": body["statusUrl"],
    }
    assert api.get(STORES).json()["stores"] == []
    emulator.advance_clock(4)
    done = api.get(body["statusUrl"]).json()
    assert done["status"] == "COMPLETED"
    store_id = done["result"]["id"]
    assert done["result"] == {"type": "RESOURCE_ID", "id": store_id}
    assert done["resultUrl"].endswith(f"{STORES}/{store_id}")
    store = api.get(f"{STORES}/{store_id}")
    assert store.json()["status"] == "QUEUED"
    assert store.json()["intelligenceServiceId"] is None
    assert store.headers["ETag"]
    emulator.advance_clock(5)
    assert api.get(f"{STORES}/{store_id}").json()["status"] == "PROVISIONING"
    emulator.advance_clock(5)
    active = api.get(f"{STORES}/{store_id}").json()
    assert active["status"] == "ACTIVE"
    assert active["intelligenceServiceId"].startswith("intelligence_service_")
    assert active == {
        "id": store_id,
        "displayName": "sandbox",
        "description": "testing",
        "status": "ACTIVE",
        "intelligenceServiceId": active["intelligenceServiceId"],
        "version": 1,
    }


def test_patch_with_if_match(emulator: EmulatorHandle, api: httpx.Client) -> None:
    emulator.set_settings(operation_delay_seconds=0)
    store_id = create_store(api)
    etag = api.get(f"{STORES}/{store_id}").headers["ETag"]
    response = api.patch(
        f"{STORES}/{store_id}", json={"description": "new"}, headers={"If-Match": f'"{etag}"'}
    )
    assert response.status_code == 202
    assert response.json()["message"].startswith("Memory Store update")
    op = api.get(response.json()["statusUrl"]).json()
    assert op["result"] == {"type": "RESOURCE_ID", "id": store_id}
    updated = api.get(f"{STORES}/{store_id}")
    assert updated.json()["version"] == 2
    assert updated.json()["description"] == "new"
    assert updated.json()["displayName"] == "sandbox"
    assert updated.headers["ETag"] != etag
    stale = api.patch(f"{STORES}/{store_id}", json={"description": "x"}, headers={"If-Match": etag})
    error_of(stale, 412, 20412)
    assert api.patch(f"{STORES}/{store_id}").status_code == 202  # the body is optional
    error_of(api.patch(f"{STORES}/{store_id}", json={"description": None}), 400)
    error_of(api.patch(f"{STORES}/{store_id}", json={"description": ""}), 400)


def test_display_name_unique_and_limit_of_15(emulator: EmulatorHandle, api: httpx.Client) -> None:
    # memory-v1 §2.3 suggestion (trap memory_store_sync_name_checks, on): both synchronous.
    emulator.set_settings(operation_delay_seconds=0)
    create_store(api, "one")
    error_of(api.post(STORES, json={"displayName": "one"}), 409, 20409)
    for index in range(14):
        create_store(api, f"s{index}")
    error_of(api.post(STORES, json={"displayName": "extra"}), 400, 400)
    assert len(api.get(STORES, params={"pageSize": 100}).json()["stores"]) == 15


def test_name_checks_can_fail_the_operation_instead(
    emulator: EmulatorHandle, api: httpx.Client
) -> None:
    emulator.set_settings(operation_delay_seconds=0)
    emulator.set_traps(memory_store_sync_name_checks=False)
    create_store(api, "one")
    duplicate = api.post(STORES, json={"displayName": "one"})
    assert duplicate.status_code == 202
    op = api.get(duplicate.json()["statusUrl"]).json()
    assert op["status"] == "FAILED"
    assert op["error"]["code"] == 20001
    assert "exists" in op["error"]["detail"]
    assert set(op) == {"operationId", "status", "createdAt", "statusUrl", "completedAt", "error"}
    for index in range(14):
        create_store(api, f"s{index}")
    sixteenth = api.post(STORES, json={"displayName": "extra"})
    assert api.get(sixteenth.json()["statusUrl"]).json()["status"] == "FAILED"
    assert len(api.get(STORES, params={"pageSize": 100}).json()["stores"]) == 15


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({}, "displayName: must not be null"),
        ({"displayName": "has space"}, 'displayName: must match "^[a-zA-Z0-9-]+$"'),
        ({"displayName": "n" * 65}, "displayName: size must be between 0 and 64"),
        ({"displayName": "ok", "description": ""}, "description: size must be between 1 and 128"),
        (
            {"displayName": "ok", "description": "x" * 129},
            "description: size must be between 1 and 128",
        ),
        ({"displayName": "ok", "extra": 1}, "extra: unknown field"),
    ],
)
def test_create_validation(api: httpx.Client, body: dict[str, object], expected: str) -> None:
    assert error_of(api.post(STORES, json=body), 400) == expected


def test_list_ids_only_order_and_pagination(emulator: EmulatorHandle, api: httpx.Client) -> None:
    emulator.set_settings(operation_delay_seconds=0)
    ids = [create_store(api, f"s{i}") for i in range(5)]
    desc = api.get(STORES).json()
    assert desc["stores"] == list(reversed(ids))
    assert desc["meta"] == {"key": "stores", "pageSize": 5}
    asc = api.get(STORES, params={"orderBy": "ASC", "pageSize": 3}).json()
    assert asc["stores"] == ids[:3]
    rest = api.get(
        STORES, params={"orderBy": "ASC", "pageSize": 3, "pageToken": asc["meta"]["nextToken"]}
    ).json()
    assert rest["stores"] == ids[3:]
    error_of(api.get(STORES, params={"pageSize": 101}), 400)
    error_of(api.get(STORES, params={"orderBy": "SIDEWAYS"}), 400)
    error_of(api.get(STORES, params={"pageToken": "x" * 4097}), 400)  # edition 2: <=4096


def test_no_put_route(api: httpx.Client) -> None:
    store_id = create_store(api)
    response = api.put(f"{STORES}/{store_id}", json={"displayName": "x"})
    error_of(response, 405, 20004)
    assert "GET" in response.headers["Allow"]


def test_fetch_errors(api: httpx.Client) -> None:
    error_of(api.get(f"{STORES}/not-a-store-id"), 400)
    error_of(api.get(f"{STORES}/mem_store_01k1etk2y5f1y9fpe2epfdtvv2"), 404, 20404)
    error_of(api.get("/v1/ControlPlane/Operations/proc_job_01h9d8r0vte3hz8tykdj329t7r"), 404, 20404)
