"""Knowledge v2 sources (knowledge-v2.md §3, §5): synchronous writes, processing on the
emulator clock, File uploads to the importUrl, PATCH rules (E13), Chunks and Search."""

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
    MISSING_KB,
    MISSING_SOURCE,
    SOURCE_ID,
    SOURCE_SCHEMA,
    assert_list,
    clocked,
    create_base,
    create_source,
    error_of,
    sources_path,
)


@pytest.fixture(autouse=True)
def _clocked(emulator: EmulatorHandle) -> None:
    clocked(emulator)


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


# -- properties (inputs drawn from the reference's patterns and limits) ------------------------

_PROPERTY_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_PARAGRAPH = st.text(st.sampled_from("abc xyz.,!\n"), min_size=1, max_size=40).filter(
    lambda text: text.strip() != "" and re.search(r"\n\s*\n", text) is None
)


def test_text_chunks_are_its_paragraphs(emulator: EmulatorHandle, api: httpx.Client) -> None:
    emulator.set_settings(knowledge_sources_per_base=100_000)
    kb_id = create_base(emulator, api)

    @_PROPERTY_SETTINGS
    @given(
        paragraphs=st.lists(_PARAGRAPH, min_size=1, max_size=6),
        gap=st.sampled_from(["\n\n", "\n \n\n"]),
    )
    def run(paragraphs: list[str], gap: str) -> None:
        source = create_source(api, kb_id, {"type": "Text", "content": gap.join(paragraphs)})
        emulator.advance_clock(10)
        chunks = api.get(f"{sources_path(kb_id)}/{source['id']}/Chunks").json()["chunks"]
        assert [c["content"] for c in chunks] == [p.strip() for p in paragraphs]
        assert [c["chunkIndex"] for c in chunks] == list(range(len(paragraphs)))

    run()
