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
    assert_valid(conv_config_body(), "conversation-configuration.patch.json")
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
    patched = api.patch(
        f"/v2/ControlPlane/Configurations/{config_id}",
        json={"conversationsV1Bridge": {"serviceId": "IS" + "0" * 32}},
    )
    assert_valid(patched.json(), "async-operation.json", "conversationsV2OperationAccepted")
    assert_valid(
        api.get(patched.json()["statusUrl"]).json(),
        "async-operation.json",
        "conversationsV2OperationStatus",
    )
    bridged = api.get(f"/v2/ControlPlane/Configurations/{config_id}").json()
    assert bridged["conversationsV1Bridge"] == {"serviceId": "IS" + "0" * 32}
    assert_valid(bridged, "conversation-configuration.json")
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


KNOWLEDGE_SOURCES = (
    {"type": "Text", "content": "Refunds take five days."},
    {"type": "Web", "url": "https://example.com/help", "crawlDepth": 3, "crawlPeriod": "WEEKLY"},
    {"type": "File", "fileName": "faq.pdf", "fileSize": 4, "mimeType": "application/pdf"},
)


def test_knowledge_v2_request_bodies_are_spec_valid() -> None:
    assert_valid({"displayName": "support-kb", "description": "d"}, "knowledge-base.create.json")
    assert_valid({"description": "e"}, "knowledge-base.update.json")
    for source in KNOWLEDGE_SOURCES:
        assert_valid({"name": "faq", "source": source}, "knowledge-source.create.json")
    assert_valid(
        {"name": "faq", "source": {"type": "Web", "url": "https://example.com/help"}},
        "knowledge-source.update.json",
    )


def test_knowledge_v2_bodies(emulator: EmulatorHandle, api: httpx.Client) -> None:
    """Every Knowledge v2 answer, each source type in each state, and its errors."""
    emulator.set_settings(operation_delay_seconds=2, knowledge_base_provisioning_seconds=2)
    bases = "/v2/ControlPlane/KnowledgeBases"
    accepted = api.post(bases, json={"displayName": "support-kb"})
    assert_valid(accepted.json(), "async-operation.json", "knowledgeV2OperationAccepted")
    op_url = accepted.json()["statusUrl"]
    for _ in range(3):  # PENDING, RUNNING, COMPLETED
        assert_valid(api.get(op_url).json(), "async-operation.json", "knowledgeV2OperationStatus")
        emulator.advance_clock(1)
    kb_id = api.get(op_url).json()["result"]["id"]
    emulator.advance_clock(2)
    assert_valid(api.get(f"{bases}/{kb_id}").json(), "knowledge-base.json")
    sources = f"/v2/KnowledgeBases/{kb_id}/Knowledge"
    created = [api.post(sources, json={"name": "faq", "source": s}) for s in KNOWLEDGE_SOURCES]
    assert [c.status_code for c in created] == [201, 201, 201]
    httpx.put(created[2].json()["source"]["importUrl"], content=b"%PDF").raise_for_status()
    for _ in range(3):  # QUEUED, PROCESSING, COMPLETED (File: SCHEDULED before its upload)
        for item in api.get(sources).json()["knowledge"]:
            assert_valid(item, "knowledge-source.json")
            chunks = api.get(f"{sources}/{item['id']}/Chunks").json()
            assert_valid(chunks, "knowledge-source.json", "KnowledgeChunkList")
        emulator.advance_clock(0.1)
    found = api.post(f"/v2/KnowledgeBases/{kb_id}/Search", json={"query": "refunds", "top": 20})
    assert_valid(found.json(), "knowledge-source.json", "KnowledgeSearchResponse")
    assert len(found.json()["chunks"]) == 3
    errors = [
        api.post(bases, json={}),
        api.get(f"{bases}/know_knowledgebase_01k6fc25s7epm9qtk8rszbv3q5"),
        api.put(f"{bases}/{kb_id}", json={}),
        api.patch(f"{bases}/{kb_id}", json={}, headers={"If-Match": "stale"}),
        api.post(
            sources, json={"name": "x" * 31, "source": {"type": "Text", "content": "y" * 5000}}
        ),
        httpx.get(str(api.base_url) + sources),
    ]
    assert [e.status_code for e in errors] == [400, 404, 405, 412, 400, 401]
    for response in errors:
        assert_valid(response.json(), ERRORS, "knowledgeV2Error")
