"""Knowledge v2 bases (knowledge-v2.md §2): async create/PATCH/DELETE through operations,
provisioning on the emulator clock, ETag/If-Match, limits and duplicate names. Every body is
checked against the edition-2 schemas; time only moves through the emulator clock."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from twilio_emulator.testing import EmulatorHandle

from tests.emulator.emulator_helpers import assert_valid
from tests.emulator.knowledge_helpers import (
    BASES,
    KB_ID,
    MISSING_KB,
    assert_list,
    clocked,
    create_base,
    create_source,
    error_of,
    finish,
    sources_path,
)


@pytest.fixture(autouse=True)
def _clocked(emulator: EmulatorHandle) -> None:
    clocked(emulator)


# -- knowledge bases ---------------------------------------------------------------------


def test_base_create_is_async_then_provisions(emulator: EmulatorHandle, api: httpx.Client) -> None:
    response = api.post(BASES, json={"displayName": "support-kb", "description": "FAQ"})
    assert response.status_code == 202
    body = response.json()
    assert_valid(body, "async-operation.json", "knowledgeV2OperationAccepted")
    op_id = response.headers["Operation-Id"]
    assert response.headers["Location"] == body["statusUrl"]
    assert body["statusUrl"] == f"{emulator.url}/v2/ControlPlane/Operations/{op_id}"
    assert response.headers["Retry-After"].isdigit()
    pending = api.get(body["statusUrl"]).json()
    assert pending["status"] == "PENDING"
    assert "result" not in pending
    assert_valid(pending, "async-operation.json", "knowledgeV2OperationStatus")
    assert api.get(BASES).json()["knowledgeBases"] == []
    emulator.advance_clock(2)
    assert api.get(body["statusUrl"]).json()["status"] == "RUNNING"
    emulator.advance_clock(2)
    done = api.get(body["statusUrl"]).json()
    assert_valid(done, "async-operation.json", "knowledgeV2OperationStatus")
    assert done["status"] == "COMPLETED"
    kb_id = done["result"]["id"]
    assert KB_ID.fullmatch(kb_id)
    assert done["resultUrl"] == f"{emulator.url}{BASES}/{kb_id}"
    fetched = api.get(f"{BASES}/{kb_id}")
    assert fetched.headers["ETag"]
    assert_valid(fetched.json(), "knowledge-base.json")
    assert fetched.json()["status"] == "QUEUED"
    emulator.advance_clock(5)
    assert api.get(f"{BASES}/{kb_id}").json()["status"] == "PROVISIONING"
    emulator.advance_clock(5)
    active = api.get(f"{BASES}/{kb_id}").json()
    assert active == {
        "id": kb_id,
        "displayName": "support-kb",
        "description": "FAQ",
        "status": "ACTIVE",
        "createdAt": active["createdAt"],
        "updatedAt": active["createdAt"],
        "version": 1,
    }


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({}, "displayName: must not be null"),
        ({"displayName": "has space"}, "displayName: must match"),
        ({"displayName": "under_score"}, "displayName: must match"),
        ({"displayName": "a" * 65}, "displayName: size must be between 0 and 64"),
        ({"displayName": "ok", "description": ""}, "description: size must be between 1 and 128"),
        ({"displayName": "ok", "description": "d" * 129}, "description: size must be"),
    ],
)
def test_base_create_validation(api: httpx.Client, body: dict[str, Any], expected: str) -> None:
    assert expected in error_of(api.post(BASES, json=body), 400)


def test_base_patch_with_if_match(emulator: EmulatorHandle, api: httpx.Client) -> None:
    kb_id = create_base(emulator, api)
    fetched = api.get(f"{BASES}/{kb_id}")
    etag = fetched.headers["ETag"]
    stale = api.patch(f"{BASES}/{kb_id}", json={"description": "x"}, headers={"If-Match": '"nope"'})
    error_of(stale, 412, 20412)
    assert "unknown field" in error_of(
        api.patch(f"{BASES}/{kb_id}", json={"status": "ACTIVE"}), 400
    )
    assert "must not be null" in error_of(
        api.patch(f"{BASES}/{kb_id}", json={"displayName": None}), 400
    )
    response = api.patch(
        f"{BASES}/{kb_id}", json={"description": "new"}, headers={"If-Match": f'"{etag}"'}
    )
    assert_valid(response.json(), "async-operation.json", "knowledgeV2OperationAccepted")
    # Invisible until the operation completes.
    assert api.get(f"{BASES}/{kb_id}").json()["version"] == 1
    assert finish(emulator, api, response)["status"] == "COMPLETED"
    after = api.get(f"{BASES}/{kb_id}")
    assert after.json()["description"] == "new"
    assert after.json()["version"] == 2
    assert after.json()["updatedAt"] > after.json()["createdAt"]
    assert after.headers["ETag"] != etag
    error_of(api.patch(f"{BASES}/{kb_id}", json={}, headers={"If-Match": etag}), 412, 20412)


def test_base_delete_is_async_and_cascades(emulator: EmulatorHandle, api: httpx.Client) -> None:
    kb_id = create_base(emulator, api)
    source = create_source(api, kb_id, {"type": "Text", "content": "hello"})
    response = api.delete(f"{BASES}/{kb_id}")
    assert response.status_code == 202
    assert_valid(response.json(), "async-operation.json", "knowledgeV2OperationAccepted")
    deleting = api.get(f"{BASES}/{kb_id}").json()
    assert deleting["status"] == "DELETING"
    assert_valid(deleting, "knowledge-base.json")
    # Nothing else may start on a base being deleted (no 409 is declared: 400).
    assert "being deleted" in error_of(
        api.patch(f"{BASES}/{kb_id}", json={"description": "x"}), 400
    )
    assert "being deleted" in error_of(api.delete(f"{BASES}/{kb_id}"), 400)
    text = {"name": "late", "source": {"type": "Text", "content": "x"}}
    assert "DELETING" in error_of(api.post(sources_path(kb_id), json=text), 400)
    done = finish(emulator, api, response)
    assert done["status"] == "COMPLETED"
    assert done["result"]["id"] == kb_id
    assert "resultUrl" not in done
    assert "not found" in error_of(api.get(f"{BASES}/{kb_id}"), 404, 20404)
    error_of(api.get(f"{sources_path(kb_id)}/{source['id']}"), 404, 20404)
    error_of(api.delete(f"{BASES}/{kb_id}"), 404, 20404)
    # The cascade removed the source for good: a new base does not see it.
    assert api.get(sources_path(create_base(emulator, api, "next"))).json()["knowledge"] == []


def test_base_ids_are_checked(api: httpx.Client) -> None:
    assert "kbId" in error_of(api.get(f"{BASES}/kb-1"), 400)
    error_of(api.get(f"{BASES}/{MISSING_KB}"), 404, 20404)
    error_of(api.patch(f"{BASES}/{MISSING_KB}", json={}), 404, 20404)


def test_base_count_limit_is_a_setting(emulator: EmulatorHandle, api: httpx.Client) -> None:
    emulator.set_settings(knowledge_bases_per_account=2)
    assert api.post(BASES, json={"displayName": "a"}).status_code == 202
    assert api.post(BASES, json={"displayName": "b"}).status_code == 202
    # Pending creates count: the third is refused before any operation starts.
    assert "at most 2" in error_of(api.post(BASES, json={"displayName": "c"}), 400)
    emulator.advance_clock(10)
    assert len(api.get(BASES).json()["knowledgeBases"]) == 2
    emulator.set_settings(knowledge_bases_per_account=5)
    assert api.post(BASES, json={"displayName": "c"}).status_code == 202


def test_duplicate_display_name_fails_the_operation_or_400(
    emulator: EmulatorHandle, api: httpx.Client
) -> None:
    create_base(emulator, api, "dup")
    failed = finish(emulator, api, api.post(BASES, json={"displayName": "dup"}))
    assert failed["status"] == "FAILED"
    assert_valid(failed, "async-operation.json", "knowledgeV2OperationStatus")
    assert "already exists" in failed["error"]["detail"]
    emulator.set_traps(knowledge_duplicate_name_fails_operation=False)
    assert "already exists" in error_of(api.post(BASES, json={"displayName": "dup"}), 400)
    api.post(BASES, json={"displayName": "pending"})
    assert "already being created" in error_of(
        api.post(BASES, json={"displayName": "pending"}), 400
    )


def test_base_list_pages_full_objects(emulator: EmulatorHandle, api: httpx.Client) -> None:
    ids = [create_base(emulator, api, f"kb-{i}", active=False) for i in range(3)]
    page1 = api.get(BASES, params={"pageSize": 2}).json()
    assert_list(page1, "knowledgeBases", "knowledge-base.json")
    assert [b["id"] for b in page1["knowledgeBases"]] == ids[::-1][:2]
    assert page1["meta"]["key"] == "knowledgeBases"
    assert page1["meta"]["pageSize"] == 2
    page2 = api.get(BASES, params={"pageSize": 2, "pageToken": page1["meta"]["nextToken"]}).json()
    assert [b["id"] for b in page2["knowledgeBases"]] == [ids[0]]
    assert not page2["meta"].get("nextToken")
    ascending = api.get(BASES, params={"orderBy": "ASC"}).json()["knowledgeBases"]
    assert [b["id"] for b in ascending] == ids
    assert all(set(b) >= {"displayName", "status", "version"} for b in ascending)
    error_of(api.get(BASES, params={"pageSize": 101}), 400)
    error_of(api.get(BASES, params={"orderBy": "NEWEST"}), 400)


def test_failed_operation_injected(emulator: EmulatorHandle, api: httpx.Client) -> None:
    emulator.inject_fault("fail_operation", method="POST", count=1)
    failed = finish(emulator, api, api.post(BASES, json={"displayName": "x"}))
    assert failed["status"] == "FAILED"
    assert failed["error"]["code"] == 20500
    assert_valid(failed, "async-operation.json", "knowledgeV2OperationStatus")
    assert api.get(BASES).json()["knowledgeBases"] == []


# -- properties (inputs drawn from the reference's patterns and limits) ------------------------

_PROPERTY_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_NAME_ALPHABET = st.sampled_from("abcXYZ019-_ .é")


def test_display_name_rule_is_the_spec_pattern(emulator: EmulatorHandle, api: httpx.Client) -> None:
    emulator.set_settings(knowledge_bases_per_account=100_000)

    @_PROPERTY_SETTINGS
    @given(name=st.text(_NAME_ALPHABET, min_size=0, max_size=70))
    def run(name: str) -> None:
        valid = re.fullmatch(r"[a-zA-Z0-9-]+", name) is not None and len(name) <= 64
        response = api.post(BASES, json={"displayName": name})
        assert response.status_code == (202 if valid else 400), (name, response.text)

    run()
