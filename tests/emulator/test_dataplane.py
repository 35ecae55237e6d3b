"""Data plane: conversations drive rules, results, v3 Conversations and webhooks."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import httpx
import pytest
from twilio_emulator.testing import EmulatorHandle

from tests.emulator.dataplane_helpers import AGENT, CUSTOMER, say
from tests.emulator.emulator_helpers import (
    SENTIMENT,
    SUMMARY,
    assert_valid,
    config_body,
    conv_config_body,
    create_config,
    create_operator,
    rule,
)


class _Receiver(BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []  # noqa: RUF012 - shared by the handler instances on purpose
    fail_first = 0

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        payload = json.loads(self.rfile.read(length))
        if type(self).fail_first > 0:
            type(self).fail_first -= 1
            self.send_response(500)
        else:
            type(self).received.append(payload)
            self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def receiver() -> Iterator[tuple[str, type[_Receiver]]]:
    handler = type("Receiver", (_Receiver,), {"received": [], "fail_first": 0})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", handler
    finally:
        server.shutdown()
        server.server_close()


def _setup(api: httpx.Client, emulator: EmulatorHandle, hook: str) -> tuple[dict[str, Any], str]:
    emulator.set_settings(operation_delay_seconds=0)
    custom = create_operator(api)
    actions = [{"type": "WEBHOOK", "method": "POST", "url": hook}]
    intelligence = create_config(
        api,
        rules=[
            rule(
                SENTIMENT,
                triggers=[{"on": "COMMUNICATION", "parameters": {"count": 2}}],
                actions=actions,
            ),
            rule(custom["id"], triggers=[{"on": "CONVERSATION_INACTIVE"}], actions=[]),
            rule(SUMMARY, triggers=[{"on": "CONVERSATION_END"}], actions=[]),
        ],
    )
    accepted = api.post(
        "/v2/ControlPlane/Configurations",
        json=conv_config_body(intelligenceConfigurationIds=[intelligence["id"]]),
    )
    return intelligence, accepted.json()["related"]["configurationId"]


def test_conversation_lifecycle_produces_results(
    emulator: EmulatorHandle, api: httpx.Client, receiver: tuple[str, type[_Receiver]]
) -> None:
    hook, handler = receiver
    handler.fail_first = 1  # the first delivery fails and is retried
    intelligence, conv_config = _setup(api, emulator, hook)
    created = api.post("/v2/Conversations", json={"configurationId": conv_config, "name": "call"})
    assert created.status_code == 201
    conversation = created.json()["id"]
    say(api, conversation, CUSTOMER, "Hi, thanks for the great help")
    say(api, conversation, AGENT, "Happy to help")
    results = api.get("/v3/OperatorResults", params={"conversationId": conversation}).json()[
        "items"
    ]
    assert len(results) == 1  # count 2: one Sentiment run after two communications
    assert results[0]["result"] == {"label": "positive"}
    say(api, conversation, CUSTOMER, "Actually this is terrible")
    say(api, conversation, AGENT, "Sorry")
    results = api.get("/v3/OperatorResults", params={"conversationId": conversation}).json()[
        "items"
    ]
    assert [r["result"]["label"] for r in results] == ["positive", "mixed"]
    participants = api.get(f"/v2/Conversations/{conversation}/Participants").json()["participants"]
    assert {p["type"] for p in participants} == {"CUSTOMER", "HUMAN_AGENT"}

    emulator.advance_clock(5 * 60)
    assert api.get(f"/v2/Conversations/{conversation}").json()["status"] == "INACTIVE"
    emulator.advance_clock(10 * 60)
    assert api.get(f"/v2/Conversations/{conversation}").json()["status"] == "CLOSED"
    results = api.get("/v3/OperatorResults", params={"conversationId": conversation}).json()[
        "items"
    ]
    assert [r["executionDetails"]["trigger"]["on"] for r in results] == [
        "COMMUNICATION",
        "COMMUNICATION",
        "CONVERSATION_INACTIVE",
        "CONVERSATION_END",
    ]
    json_result = results[2]
    assert set(json_result["result"]) == {"score", "explanation"}
    # Twilio's Summary: the customer's opening, the agent's answer, the customer's last word.
    assert results[3]["operator"]["id"] == SUMMARY
    assert results[3]["result"]["text"] == (
        "Customer: Hi, thanks for the great help. Agent: Happy to help. "
        "Customer: Actually this is terrible."
    )
    for result in results:
        assert_valid(result, "operator-result.json")
        assert result["intelligenceConfiguration"]["id"] == intelligence["id"]

    v3 = api.get(f"/v3/Conversations/{conversation}").json()
    assert v3["conversationConfigurationId"] == "unused"
    assert v3["operatorResultIds"] == [r["id"] for r in results]
    assert len(v3["communications"]) == 4
    assert v3["channels"] == ["SMS"]
    listed = api.get("/v3/Conversations", params={"operatorIds": SENTIMENT}).json()["items"]
    assert [c["id"] for c in listed] == [conversation]
    assert api.get("/v3/Conversations", params={"status": "ACTIVE"}).json()["items"] == []
    emulator.set_traps(conversation_configuration_id_unused=False)
    assert (
        api.get(f"/v3/Conversations/{conversation}").json()["conversationConfigurationId"]
        == conv_config
    )

    def webhooks() -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = emulator.admin.get("/webhooks").json()["webhooks"]
        return found

    # The receiver may see the retried delivery before the emulator has recorded its answer:
    # wait for both (a bound for a busy machine, not a wait).
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (
        len(handler.received) < 2 or any(d["state"] != "DELIVERED" for d in webhooks())
    ):
        emulator.advance_clock(2)  # the failed delivery is retried on the emulator clock
        time.sleep(0.05)
    # The first attempt failed, so the retried "positive" arrives after "mixed".
    assert sorted(p["result"]["label"] for p in handler.received) == ["mixed", "positive"]
    deliveries = webhooks()
    assert {d["state"] for d in deliveries} == {"DELIVERED"}
    assert max(d["attempts"] for d in deliveries) == 2

    assert api.delete(f"/v3/OperatorResults/{results[0]['id']}").status_code == 204
    assert api.get(f"/v3/OperatorResults/{results[0]['id']}").status_code == 404
    closed = api.post(
        f"/v2/Conversations/{conversation}/Communications",
        json={
            "author": {"address": CUSTOMER, "channel": "SMS"},
            "content": {"type": "TEXT", "text": "x"},
            "recipients": [{}],
        },
    )
    assert closed.status_code == 409


def test_put_on_intelligence_configuration_silences_it(
    emulator: EmulatorHandle, api: httpx.Client, receiver: tuple[str, type[_Receiver]]
) -> None:
    intelligence, conv_config = _setup(api, emulator, receiver[0])
    conversation = api.post("/v2/Conversations", json={"configurationId": conv_config}).json()["id"]
    api.put(
        f"/v3/ControlPlane/Configurations/{intelligence['id']}",
        json=config_body(rules=[rule(SENTIMENT)]),
    )
    for _ in range(4):
        say(api, conversation, CUSTOMER, "great")
    assert api.get("/v3/OperatorResults").json()["items"] == []
    emulator.set_traps(put_deactivates_configuration=False)
    fresh = create_config(api, rules=[rule(SENTIMENT)])
    api.put(
        f"/v3/ControlPlane/Configurations/{fresh['id']}", json=config_body(rules=[rule(SENTIMENT)])
    )
    other = api.post(
        "/v2/Conversations",
        json={
            "configurationId": conv_config,
            "configuration": {"intelligenceConfigurationIds": [fresh["id"]]},
        },
    ).json()["id"]
    say(api, other, CUSTOMER, "fine")
    assert len(api.get("/v3/OperatorResults").json()["items"]) == 1


def test_retired_pinned_version_produces_nothing(
    emulator: EmulatorHandle, api: httpx.Client
) -> None:
    emulator.set_settings(operation_delay_seconds=0)
    custom = create_operator(api, outputFormat="TEXT")
    intelligence = create_config(
        api, rules=[rule(operators=[{"id": custom["id"], "version": 1}], actions=[])]
    )
    accepted = api.post(
        "/v2/ControlPlane/Configurations",
        json=conv_config_body(intelligenceConfigurationIds=[intelligence["id"]]),
    )
    conversation = api.post(
        "/v2/Conversations", json={"configurationId": accepted.json()["related"]["configurationId"]}
    ).json()["id"]
    say(api, conversation, CUSTOMER, "one")
    emulator.set_operator_version_status(custom["id"], 1, "RETIRED")
    say(api, conversation, CUSTOMER, "two")
    assert len(api.get("/v3/OperatorResults").json()["items"]) == 1


def test_data_plane_validation(emulator: EmulatorHandle, api: httpx.Client) -> None:
    assert api.post("/v2/Conversations", json={}).status_code == 400
    assert (
        api.post("/v2/Conversations", json={"configurationId": "conv_configuration_x"}).status_code
        == 404
    )
    assert api.get("/v3/OperatorResults", params={"conversationId": "nope"}).status_code == 400
    assert (
        api.get("/v3/OperatorResults", params={"intelligenceConfiguration": "ignored"}).status_code
        == 200
    )
    assert api.get("/v2/Conversations", params={"status": "DONE"}).status_code == 400
