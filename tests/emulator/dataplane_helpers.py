"""Conversations with communications (and so OperatorResults), for the emulator tests."""

from __future__ import annotations

from typing import Any

import httpx

from tests.emulator.emulator_helpers import conv_config_body, create_config, rule

AGENT = "+18005550100"  # the address conv_config_body's SMS capture rule names
CUSTOMER = "+15551234567"


def say(api: httpx.Client, conversation: str, address: str, text: str) -> dict[str, Any]:
    """One SMS communication in the conversation, from ``address`` to the other party."""
    response = api.post(
        f"/v2/Conversations/{conversation}/Communications",
        json={
            "author": {"address": address, "channel": "SMS"},
            "content": {"type": "TEXT", "text": text},
            "recipients": [
                {"address": AGENT if address == CUSTOMER else CUSTOMER, "channel": "SMS"}
            ],
            "channelId": "SM" + "0" * 32,
        },
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def orchestrator_config(api: httpx.Client, **overrides: Any) -> str:
    """A Conversations v2 configuration (operation delay 0 expected); its id."""
    accepted = api.post("/v2/ControlPlane/Configurations", json=conv_config_body(**overrides))
    assert accepted.status_code == 202, accepted.text
    config_id: str = accepted.json()["related"]["configurationId"]
    return config_id


def conversation(api: httpx.Client, configuration_id: str, *texts: str) -> str:
    """A conversation under ``configuration_id`` where the customer says each text."""
    created = api.post("/v2/Conversations", json={"configurationId": configuration_id})
    assert created.status_code == 201, created.text
    conversation_id: str = created.json()["id"]
    for text in texts:
        say(api, conversation_id, CUSTOMER, text)
    return conversation_id


def intelligence_with_rule(
    api: httpx.Client, operator_id: str, **rule_fields: Any
) -> dict[str, Any]:
    """An Intelligence configuration with one rule running ``operator_id``."""
    return create_config(api, rules=[rule(operator_id, actions=[], **rule_fields)])


def results_of(api: httpx.Client, conversation_id: str) -> list[dict[str, Any]]:
    response = api.get("/v3/OperatorResults", params={"conversationId": conversation_id})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items
