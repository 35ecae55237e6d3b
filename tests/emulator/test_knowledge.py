"""Knowledge v2 (knowledge-v2.md): bases (async), sources (sync, processed on the clock),
File uploads to the importUrl, Chunks and Search. Every body is checked against the
edition-2 schemas; time only moves through the emulator clock."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from twilio_emulator.testing import EmulatorHandle

from tests.emulator.emulator_helpers import assert_valid

BASES = "/v2/ControlPlane/KnowledgeBases"
KB_ID = re.compile(r"know_knowledgebase_[0-7][0-9a-z]{25}")
SOURCE_ID = re.compile(r"know_knowledge_[0-7][0-9a-z]{25}")
MISSING_KB = "know_knowledgebase_01k6fc25s7epm9qtk8rszbv3q5"
MISSING_SOURCE = "know_knowledge_01k6fc25s7epm9qtk8rszbv3q6"
SOURCE_SCHEMA = "knowledge-source.json"


def error_of(response: httpx.Response, status: int, code: int = 20001) -> str:
    """A Knowledge error: the TwilioError shape (knowledgeV2Error) with this status/code."""
    assert response.status_code == status, response.text
    body = response.json()
    assert_valid(body, "error.json", "knowledgeV2Error")
    assert (body["code"], body["status"]) == (code, status)
    message: str = body["message"]
    return message


def assert_list(body: dict[str, Any], key: str, item_schema: str) -> None:
    """A Knowledge list: ``{<key>: [...], meta}``. (Checked item by item: the schemas' list
    definitions refer to their file's root with ``$ref: "#"``.)"""
    assert set(body) == {key, "meta"}
    assert_valid(body["meta"], "list-meta.json", "knowledgeV2Meta")
    for item in body[key]:
        assert_valid(item, item_schema)


def sources_path(kb_id: str) -> str:
    return f"/v2/KnowledgeBases/{kb_id}/Knowledge"


def finish(emulator: EmulatorHandle, api: httpx.Client, response: httpx.Response) -> dict[str, Any]:
    """Advance past the operation's delay and return its terminal status body."""
    assert response.status_code == 202, response.text
    emulator.advance_clock(10)
    op: dict[str, Any] = api.get(response.json()["statusUrl"]).json()
    assert op["status"] in ("COMPLETED", "FAILED"), op
    return op


def create_base(
    emulator: EmulatorHandle, api: httpx.Client, name: str = "support-kb", active: bool = True
) -> str:
    op = finish(emulator, api, api.post(BASES, json={"displayName": name}))
    assert op["status"] == "COMPLETED", op
    kb_id: str = op["result"]["id"]
    if active:
        emulator.advance_clock(10)
    return kb_id


def create_source(
    api: httpx.Client, kb_id: str, source: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    response = api.post(sources_path(kb_id), json={"name": "faq", "source": source, **extra})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    assert_valid(body, SOURCE_SCHEMA)
    return body


@pytest.fixture(autouse=True)
def _clocked(emulator: EmulatorHandle) -> None:
    emulator.set_settings(
        operation_delay_seconds=4,
        knowledge_base_provisioning_seconds=10,
        knowledge_processing_seconds=10,
    )


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
    assert finish(emulator, api, response)["status"] == "COMPLETED"
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


# -- knowledge sources -----------------------------------------------------------------------


def test_text_source_is_processed_on_the_clock(emulator: EmulatorHandle, api: httpx.Client) -> None:
    kb_id = create_base(emulator, api)
    content = "Refunds take 5 days.\n\nShipping is free over $50.\n\n\nReturns within 30 days."
    created = create_source(
        api, kb_id, {"type": "Text", "content": content}, description="When to use it"
    )
    assert SOURCE_ID.fullmatch(created["id"])
    assert created["status"] == "QUEUED"
    assert created["source"] == {"type": "Text", "content": content}
    url = f"{sources_path(kb_id)}/{created['id']}"
    assert "ETag" not in api.get(url).headers
    assert api.get(f"{url}/Chunks").json()["chunks"] == []
    emulator.advance_clock(5)
    assert api.get(url).json()["status"] == "PROCESSING"
    emulator.advance_clock(5)
    done = api.get(url).json()
    assert_valid(done, SOURCE_SCHEMA)
    assert done["status"] == "COMPLETED"
    chunks = api.get(f"{url}/Chunks").json()
    assert_valid(chunks, SOURCE_SCHEMA, "KnowledgeChunkList")
    assert [(c["chunkIndex"], c["content"]) for c in chunks["chunks"]] == [
        (0, "Refunds take 5 days."),
        (1, "Shipping is free over $50."),
        (2, "Returns within 30 days."),
    ]
    first = api.get(f"{url}/Chunks", params={"pageSize": 2}).json()
    assert len(first["chunks"]) == 2
    assert first["meta"]["nextToken"]
    rest = api.get(f"{url}/Chunks", params={"pageToken": first["meta"]["nextToken"]}).json()
    assert [c["chunkIndex"] for c in rest["chunks"]] == [2]
    listed = api.get(sources_path(kb_id)).json()
    assert_list(listed, "knowledge", SOURCE_SCHEMA)
    assert [s["id"] for s in listed["knowledge"]] == [created["id"]]


def test_sources_need_an_active_base(emulator: EmulatorHandle, api: httpx.Client) -> None:
    kb_id = create_base(emulator, api, active=False)
    body = {"name": "faq", "source": {"type": "Text", "content": "x"}}
    assert "ACTIVE" in error_of(api.post(sources_path(kb_id), json=body), 400)
    error_of(api.post(sources_path(MISSING_KB), json=body), 404, 20404)


def test_source_count_limit_is_a_setting(emulator: EmulatorHandle, api: httpx.Client) -> None:
    emulator.set_settings(knowledge_sources_per_base=1)
    kb_id = create_base(emulator, api)
    create_source(api, kb_id, {"type": "Text", "content": "one"})
    body = {"name": "two", "source": {"type": "Text", "content": "two"}}
    assert "at most 1" in error_of(api.post(sources_path(kb_id), json=body), 400)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"source": {"type": "Text", "content": "x"}}, "name: must not be null"),
        ({"name": "n" * 31, "source": {"type": "Text", "content": "x"}}, "name: size"),
        (
            {"name": "n", "description": "d" * 1025, "source": {"type": "Text", "content": "x"}},
            "description: size",
        ),
        ({"name": "n"}, "source: must not be null"),
        ({"name": "n", "source": {"type": "Text", "content": "x" * 185001}}, "source.content"),
        ({"name": "n", "source": {"type": "Video"}}, "source.type: must be one of"),
        ({"name": "n", "source": {"type": "Text", "url": "https://a.b"}}, "source.url: unknown"),
        ({"name": "n", "source": {"type": "Web", "url": "not a url"}}, "source.url"),
        (
            {"name": "n", "source": {"type": "Web", "url": "https://a.b", "crawlDepth": 11}},
            "crawlDepth",
        ),
        (
            {"name": "n", "source": {"type": "Web", "url": "https://a.b", "crawlDepth": 0}},
            "crawlDepth",
        ),
        (
            {"name": "n", "source": {"type": "Web", "url": "https://a.b", "crawlPeriod": "DAILY"}},
            "crawlPeriod",
        ),
        (
            {
                "name": "n",
                "source": {
                    "type": "File",
                    "fileName": "a.png",
                    "fileSize": 3,
                    "mimeType": "image/png",
                },
            },
            "source.mimeType",
        ),
        (
            {
                "name": "n",
                "source": {
                    "type": "File",
                    "fileName": "a.txt",
                    "fileSize": 16 * 1024 * 1024 + 1,
                    "mimeType": "text/plain",
                },
            },
            "source.fileSize",
        ),
        (
            {"name": "n", "source": {"type": "File", "fileName": "a.txt"}},
            "source.fileSize: must not be null",
        ),
    ],
)
def test_source_create_validation(
    emulator: EmulatorHandle, api: httpx.Client, body: dict[str, Any], expected: str
) -> None:
    kb_id = create_base(emulator, api)
    assert expected in error_of(api.post(sources_path(kb_id), json=body), 400)


def test_text_content_at_the_limit_is_accepted(emulator: EmulatorHandle, api: httpx.Client) -> None:
    emulator.set_settings(max_body_bytes=400_000)
    kb_id = create_base(emulator, api)
    create_source(api, kb_id, {"type": "Text", "content": "x" * 185000})


def test_web_source_defaults_and_patch_rules(emulator: EmulatorHandle, api: httpx.Client) -> None:
    kb_id = create_base(emulator, api)
    created = create_source(api, kb_id, {"type": "Web", "url": "https://example.com/help"})
    assert created["source"] == {
        "type": "Web",
        "url": "https://example.com/help",
        "crawlDepth": 2,
        "crawlPeriod": "NEVER",
    }
    url = f"{sources_path(kb_id)}/{created['id']}"
    emulator.advance_clock(10)
    moved = {"type": "Web", "url": "https://example.com/other"}
    assert "source.url: cannot be changed" in error_of(api.patch(url, json={"source": moved}), 400)
    retyped = {"type": "Text", "content": "x"}
    assert "source.type: cannot be changed" in error_of(
        api.patch(url, json={"source": retyped}), 400
    )
    renamed = api.patch(url, json={"name": "help-center"})
    assert renamed.status_code == 200
    assert_valid(renamed.json(), SOURCE_SCHEMA)
    assert renamed.json()["name"] == "help-center"
    assert renamed.json()["status"] == "COMPLETED"
    # E13: an empty body is accepted and changes nothing.
    assert api.patch(url, json={}).json()["source"] == created["source"]
    assert api.patch(url).status_code == 200
    deeper = api.patch(
        url, json={"name": "help-center", "source": {"type": "Web", "crawlDepth": 4}}
    )
    assert deeper.status_code == 202
    assert_valid(deeper.json(), SOURCE_SCHEMA, "UpdateAccepted")
    now = api.get(url).json()
    assert now["status"] == "QUEUED"
    assert now["source"]["crawlDepth"] == 4
    assert now["source"]["url"] == "https://example.com/help"
    emulator.advance_clock(10)
    chunks = api.get(f"{url}/Chunks").json()["chunks"]
    assert chunks[0]["documentUrl"] == "https://example.com/help"


def test_refresh_requeues_and_is_idempotent(emulator: EmulatorHandle, api: httpx.Client) -> None:
    kb_id = create_base(emulator, api)
    created = create_source(api, kb_id, {"type": "Text", "content": "hello"})
    url = f"{sources_path(kb_id)}/{created['id']}"
    emulator.advance_clock(10)
    assert api.get(url).json()["status"] == "COMPLETED"
    refreshed = api.patch(url, params={"refresh": "true"}, json={})
    assert refreshed.status_code == 202
    assert set(refreshed.json()) == {"message"}
    assert api.get(url).json()["status"] == "QUEUED"
    emulator.advance_clock(6)
    assert api.get(url).json()["status"] == "PROCESSING"
    # Refreshing while processing does not restart the clock.
    assert api.patch(url, params={"refresh": "true"}).status_code == 202
    emulator.advance_clock(4)
    assert api.get(url).json()["status"] == "COMPLETED"
    same = api.patch(url, json={"source": {"type": "Text", "content": "hello"}})
    assert same.status_code == 200
    changed = api.patch(url, json={"source": {"type": "Text", "content": "bye"}})
    assert changed.status_code == 202
    assert api.get(url).json()["source"]["content"] == "bye"
    error_of(api.patch(url, params={"refresh": "maybe"}), 400)


def test_file_source_waits_for_its_upload(emulator: EmulatorHandle, api: httpx.Client) -> None:
    kb_id = create_base(emulator, api)
    data = b"Opening hours: 9 to 5.\n\nClosed on Sundays."
    file = {
        "type": "File",
        "fileName": "hours.txt",
        "fileSize": len(data),
        "mimeType": "text/plain",
    }
    created = create_source(api, kb_id, file)
    assert created["status"] == "SCHEDULED"
    import_url = created["source"]["importUrl"]
    assert created["source"]["uploadExpiration"] > created["createdAt"]
    url = f"{sources_path(kb_id)}/{created['id']}"
    emulator.advance_clock(60)
    assert api.get(url).json()["status"] == "SCHEDULED"
    # A presigned URL: no Twilio auth; a wrong signature is refused.
    assert (
        httpx.put(import_url.split("?")[0] + "?signature=forged", content=data).status_code == 403
    )
    assert httpx.put(import_url, content=data).status_code == 200
    assert api.get(url).json()["status"] == "QUEUED"
    emulator.advance_clock(10)
    assert api.get(url).json()["status"] == "COMPLETED"
    chunks = api.get(f"{url}/Chunks").json()["chunks"]
    assert [c["content"] for c in chunks] == ["Opening hours: 9 to 5.", "Closed on Sundays."]
    assert {c["documentTitle"] for c in chunks} == {"hours.txt"}
    moved = {"type": "File", "fileName": "hours.txt", "fileSize": 1, "mimeType": "text/plain"}
    assert "File source cannot be changed" in error_of(api.patch(url, json={"source": moved}), 400)


def test_file_upload_mismatch_fails_and_refresh_retries(
    emulator: EmulatorHandle, api: httpx.Client
) -> None:
    kb_id = create_base(emulator, api)
    file = {"type": "File", "fileName": "a.md", "fileSize": 10, "mimeType": "text/markdown"}
    created = create_source(api, kb_id, file)
    assert httpx.put(created["source"]["importUrl"], content=b"short").status_code == 200
    url = f"{sources_path(kb_id)}/{created['id']}"
    failed = api.get(url).json()
    assert failed["status"] == "FAILED"
    assert_valid(failed, SOURCE_SCHEMA)
    # knowledge-v2 §3.2 [UNCERTAIN]: the emulator allows a refresh from FAILED.
    assert api.patch(url, params={"refresh": "true"}, json={"name": "faq"}).status_code == 202
    assert api.get(url).json()["status"] == "QUEUED"


def test_file_upload_url_expires(emulator: EmulatorHandle, api: httpx.Client) -> None:
    emulator.set_settings(knowledge_upload_expiry_seconds=60)
    kb_id = create_base(emulator, api)
    file = {"type": "File", "fileName": "a.csv", "fileSize": 3, "mimeType": "text/csv"}
    created = create_source(api, kb_id, file)
    emulator.advance_clock(61)
    assert httpx.put(created["source"]["importUrl"], content=b"a,b").status_code == 403
    assert api.get(f"{sources_path(kb_id)}/{created['id']}").json()["status"] == "SCHEDULED"


def test_delete_source_is_sync(emulator: EmulatorHandle, api: httpx.Client) -> None:
    kb_id = create_base(emulator, api)
    created = create_source(api, kb_id, {"type": "Text", "content": "x"})
    url = f"{sources_path(kb_id)}/{created['id']}"
    response = api.delete(url)
    assert response.status_code == 204
    assert response.content == b""
    error_of(api.get(url), 404, 20404)
    error_of(api.delete(url), 404, 20404)
    error_of(api.get(f"{sources_path(kb_id)}/{MISSING_SOURCE}"), 404, 20404)
    assert "knowledgeId" in error_of(api.get(f"{sources_path(kb_id)}/nope"), 400)


def test_search_scores_are_ordered_and_stable(emulator: EmulatorHandle, api: httpx.Client) -> None:
    kb_id = create_base(emulator, api)
    refunds = create_source(
        api, kb_id, {"type": "Text", "content": "Refunds take five days.\n\nRefund policy details."}
    )
    shipping = create_source(
        api, kb_id, {"type": "Text", "content": "Shipping takes two days.\n\nNothing else."}
    )
    search = f"/v2/KnowledgeBases/{kb_id}/Search"
    assert api.post(search, json={"query": "refunds", "top": 5}).json()["chunks"] == []
    emulator.advance_clock(10)
    first = api.post(search, json={"query": "how many days do refunds take", "top": 3})
    assert first.status_code == 200
    body = first.json()
    assert_valid(body, SOURCE_SCHEMA, "KnowledgeSearchResponse")
    scores = [c["score"] for c in body["chunks"]]
    assert scores == sorted(scores, reverse=True)
    assert len(scores) == 3
    assert body["chunks"][0]["content"] == "Refunds take five days."
    assert body["chunks"][0]["knowledgeId"] == refunds["id"]
    assert (
        api.post(search, json={"query": "how many days do refunds take", "top": 3}).json() == body
    )
    only = api.post(search, json={"query": "days", "top": 20, "knowledgeIds": [shipping["id"]]})
    assert {c["knowledgeId"] for c in only.json()["chunks"]} == {shipping["id"]}
    for bad in (
        {"query": "x"},
        {"query": "x", "top": 21},
        {"query": "x", "top": 0},
        {"query": "x", "top": 1, "extra": True},
        {"query": "x", "top": 1, "knowledgeIds": ["nope"]},
        {"query": "q" * 2049, "top": 1},
    ):
        error_of(api.post(search, json=bad), 400)
