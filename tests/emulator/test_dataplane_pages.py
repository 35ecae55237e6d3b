"""Filtered lists of /v3/Conversations page over the filtered list: every page but the last is
full, and following nextToken visits each match exactly once."""

from __future__ import annotations

import httpx
from twilio_emulator.testing import EmulatorHandle

from tests.emulator.emulator_helpers import SENTIMENT, conv_config_body, create_config, rule

AGENT = "+18005550100"
CUSTOMER = "+15551234567"


def _conversation(api: httpx.Client, config_id: str, text: str) -> str:
    created = api.post("/v2/Conversations", json={"configurationId": config_id})
    assert created.status_code == 201, created.text
    conversation_id: str = created.json()["id"]
    said = api.post(
        f"/v2/Conversations/{conversation_id}/Communications",
        json={
            "author": {"address": CUSTOMER, "channel": "SMS"},
            "content": {"type": "TEXT", "text": text},
            "recipients": [{"address": AGENT, "channel": "SMS"}],
        },
    )
    assert said.status_code == 201, said.text
    return conversation_id


def test_filtered_v3_conversation_pages_are_full(
    emulator: EmulatorHandle, api: httpx.Client
) -> None:
    emulator.set_settings(operation_delay_seconds=0)
    watched = create_config(api, rules=[rule(SENTIMENT)])
    other = create_config(api, rules=[rule(SENTIMENT)])
    configs = []
    for intelligence in (watched, other):
        accepted = api.post(
            "/v2/ControlPlane/Configurations",
            json=conv_config_body(
                displayName=f"cfg {intelligence['id'][-6:]}",
                intelligenceConfigurationIds=[intelligence["id"]],
            ),
        )
        assert accepted.status_code == 202, accepted.text
        configs.append(accepted.json()["related"]["configurationId"])

    expected = []
    for index in range(7):  # interleaved, so that filtering after paging would leave gaps
        conversation = _conversation(api, configs[index % 2], f"message {index}")
        if index % 2 == 0:
            expected.append(conversation)

    seen: list[str] = []
    sizes: list[int] = []
    params: dict[str, str | int] = {"pageSize": 2, "intelligenceConfigurationIds": watched["id"]}
    while True:
        body = api.get("/v3/Conversations", params=params).json()
        sizes.append(len(body["items"]))
        seen += [item["id"] for item in body["items"]]
        token = body["meta"].get("nextToken")
        if not token:
            break
        params["pageToken"] = token
    assert sorted(seen) == sorted(expected)
    assert sizes == [2, 2]
