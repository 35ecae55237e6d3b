"""One origin, two APIs on one path: Conversations v2 and Knowledge v2 both poll
``GET /v2/ControlPlane/Operations/{id}`` (on conversations.twilio.com and
knowledge.twilio.com, with different bodies). The emulator answers from the Host
header's first label when it names an API, else from the operation id; an unknown id
is Conversations' (README, "One origin, many hosts")."""

from __future__ import annotations

from typing import Any

import httpx
from twilio_emulator.testing import EmulatorHandle

from tests.emulator.emulator_helpers import assert_valid, conv_config_body

OPERATIONS = "/v2/ControlPlane/Operations"
CONVERSATIONS_HOST = {"Host": "conversations.twilio.com"}
KNOWLEDGE_HOST = {"Host": "knowledge.twilio.com"}
UNKNOWN_CONVERSATIONS_OP = "proc_job_01h9d8r0vte3hz8tykdj329t7r"
UNKNOWN_KNOWLEDGE_OP = "know_operation_01h9d8r0vte3hz8tykdj329t7r"


def _start_both(api: httpx.Client) -> tuple[str, str]:
    conv = api.post("/v2/ControlPlane/Configurations", json=conv_config_body())
    know = api.post("/v2/ControlPlane/KnowledgeBases", json={"displayName": "kb"})
    assert (conv.status_code, know.status_code) == (202, 202), (conv.text, know.text)
    conv_id, know_id = conv.headers["Operation-Id"], know.headers["Operation-Id"]
    assert conv_id != know_id
    return conv_id, know_id


def _is_conversations_status(body: dict[str, Any]) -> None:
    assert "related" in body  # only Conversations' operation body has `related`
    assert_valid(body, "async-operation.json", "conversationsV2OperationStatus")


def _is_knowledge_status(body: dict[str, Any]) -> None:
    assert "related" not in body
    assert_valid(body, "async-operation.json", "knowledgeV2OperationStatus")


def _api_logged(emulator: EmulatorHandle, since: int) -> list[str]:
    return [entry["api"] for entry in emulator.requests(since=since)]


def test_operations_of_both_apis_interleaved(emulator: EmulatorHandle, api: httpx.Client) -> None:
    emulator.set_settings(operation_delay_seconds=4)
    conv_id, know_id = _start_both(api)
    # Conversations reports PENDING until done (its schema has no RUNNING): poll at 0, 1, 4.
    for step, advance in enumerate((1, 3, 0)):
        polls = [
            (api.get(f"{OPERATIONS}/{conv_id}", headers=CONVERSATIONS_HOST), "conversations"),
            (api.get(f"{OPERATIONS}/{know_id}", headers=KNOWLEDGE_HOST), "knowledge"),
            (api.get(f"{OPERATIONS}/{conv_id}"), "conversations"),
            (api.get(f"{OPERATIONS}/{know_id}"), "knowledge"),
        ]
        for response, owner in polls:
            assert response.status_code == 200, response.text
            check = _is_conversations_status if owner == "conversations" else _is_knowledge_status
            check(response.json())
        if step == 2:
            assert polls[0][0].json()["status"] == "COMPLETED"
            assert polls[1][0].json()["result"]["id"].startswith("know_knowledgebase_")
        emulator.advance_clock(advance)


def test_status_urls_follow_the_host(emulator: EmulatorHandle, api: httpx.Client) -> None:
    response = api.post(
        "/v2/ControlPlane/KnowledgeBases", json={"displayName": "kb"}, headers=KNOWLEDGE_HOST
    )
    assert response.json()["statusUrl"].startswith("http://knowledge.twilio.com/v2/")


def test_the_host_decides_between_the_two_apis(emulator: EmulatorHandle, api: httpx.Client) -> None:
    conv_id, know_id = _start_both(api)
    mark = emulator.mark()
    # An id asked of the other API's host is unknown there: 404, in that host's API.
    assert api.get(f"{OPERATIONS}/{know_id}", headers=CONVERSATIONS_HOST).status_code == 404
    assert api.get(f"{OPERATIONS}/{conv_id}", headers=KNOWLEDGE_HOST).status_code == 404
    assert _api_logged(emulator, mark) == ["conversations", "knowledge"]


def test_unknown_ids_answer_404_in_the_owners_shape(
    emulator: EmulatorHandle, api: httpx.Client
) -> None:
    mark = emulator.mark()
    responses = [
        api.get(f"{OPERATIONS}/{UNKNOWN_CONVERSATIONS_OP}"),
        api.get(f"{OPERATIONS}/nonsense"),
        api.get(f"{OPERATIONS}/{UNKNOWN_KNOWLEDGE_OP}"),
        api.get(f"{OPERATIONS}/{UNKNOWN_CONVERSATIONS_OP}", headers=KNOWLEDGE_HOST),
        api.get(f"{OPERATIONS}/{UNKNOWN_KNOWLEDGE_OP}", headers=CONVERSATIONS_HOST),
    ]
    shapes = ["conversationsV2Error"] * 2 + ["knowledgeV2Error"] * 2 + ["conversationsV2Error"]
    for response, shape in zip(responses, shapes, strict=True):
        assert response.status_code == 404
        assert response.json()["code"] == 20404
        assert_valid(response.json(), "error.json", shape)
    assert _api_logged(emulator, mark) == [
        "conversations",
        "conversations",
        "knowledge",
        "knowledge",
        "conversations",
    ]


def test_a_host_naming_no_api_serving_the_path_changes_nothing(
    emulator: EmulatorHandle, api: httpx.Client
) -> None:
    """``127.0.0.1``, ``localhost`` or a host naming an API that does not serve the path:
    the path (or id) decides, so per-API base URLs and plain local URLs both work."""
    _, know_id = _start_both(api)
    mark = emulator.mark()
    for host in ("localhost:8080", "memory.twilio.com", "127.0.0.1"):
        response = api.get(f"{OPERATIONS}/{know_id}", headers={"Host": host})
        assert response.status_code == 200
        _is_knowledge_status(response.json())
    listed = api.get("/v2/ControlPlane/KnowledgeBases", headers=CONVERSATIONS_HOST)
    assert listed.status_code == 200
    assert _api_logged(emulator, mark) == ["knowledge"] * 4


def test_errors_on_knowledge_paths_use_the_knowledge_shape(
    emulator: EmulatorHandle, api: httpx.Client
) -> None:
    mark = emulator.mark()
    unauthenticated = httpx.get(f"{emulator.url}/v2/KnowledgeBases/x/Knowledge")
    assert unauthenticated.status_code == 401
    assert_valid(unauthenticated.json(), "error.json", "knowledgeV2Error")
    long_name = {"displayName": "x" * 2000}
    assert api.post("/v2/ControlPlane/KnowledgeBases", json=long_name).status_code == 400
    assert _api_logged(emulator, mark) == ["knowledge", "knowledge"]
