"""Conversations v2 ControlPlane, edition 2 of the reference (conversations-v2.md §2, §3, §5,
gotchas D.2 and E): PATCH, the V1 bridge, new limits and enums, pinned configurations."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from twilio_emulator.testing import EmulatorHandle

from tests.emulator.dataplane_helpers import conversation, orchestrator_config
from tests.emulator.emulator_helpers import assert_valid, conv_config_body
from tests.emulator.test_conversations import error_of

CONFIGS = "/v2/ControlPlane/Configurations"
SERVICE = "IS" + "0" * 32
OTHER_SERVICE = "IS" + "a" * 32
VOICE: dict[str, Any] = {
    "statusTimeouts": {"inactive": 5, "closed": 30},
    "captureRules": [{"from": "+18005550104", "to": "*", "metadata": {"callType": "PSTN"}}],
}
WHATSAPP: dict[str, Any] = {
    "statusTimeouts": {"inactive": 15, "closed": 60},
    "captureRules": [{"from": "whatsapp:+18005550100", "to": "*", "metadata": {}}],
}


@pytest.fixture(autouse=True)
def _instant_operations(emulator: EmulatorHandle) -> None:
    emulator.set_settings(operation_delay_seconds=0)


def fetch(api: httpx.Client, config_id: str) -> dict[str, Any]:
    response = api.get(f"{CONFIGS}/{config_id}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert_valid(body, "conversation-configuration.json")
    return body


def patch(api: httpx.Client, config_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """PATCH, check the 202, and return the finished operation."""
    response = api.patch(f"{CONFIGS}/{config_id}", json=body)
    assert response.status_code == 202, response.text
    assert_valid(response.json(), "async-operation.json", "conversationsV2OperationAccepted")
    assert response.json()["related"] == {"configurationId": config_id}
    operation: dict[str, Any] = api.get(response.json()["statusUrl"]).json()
    assert_valid(operation, "async-operation.json", "conversationsV2OperationStatus")
    return operation


def test_patch_changes_only_what_it_names(api: httpx.Client) -> None:
    config_id = orchestrator_config(
        api,
        channelSettings={**conv_config_body()["channelSettings"], "VOICE": VOICE},
        statusCallbacks=[{"url": "https://example.com/cb", "method": "GET"}],
        memoryExtractionEnabled=True,
    )
    before = fetch(api, config_id)
    body = {"description": "Updated", "intelligenceConfigurationIds": ["ic1"]}
    assert_valid(body, "conversation-configuration.patch.json")
    assert patch(api, config_id, body)["status"] == "COMPLETED"
    after = fetch(api, config_id)
    assert after["version"] == before["version"] + 1
    unchanged = {k: v for k, v in before.items() if k not in ("version", "updatedAt")}
    assert after == {
        **unchanged,
        **body,
        "version": after["version"],
        "updatedAt": after["updatedAt"],
    }


def test_patch_merges_channel_settings_per_channel(api: httpx.Client) -> None:
    config_id = orchestrator_config(
        api, channelSettings={**conv_config_body()["channelSettings"], "VOICE": VOICE}
    )
    sms = {"captureRules": [{"from": "+18005550199", "to": "*", "metadata": {}}]}
    body = {"channelSettings": {"SMS": sms, "VOICE": None, "WHATSAPP": WHATSAPP}}
    assert_valid(body, "conversation-configuration.patch.json")
    patch(api, config_id, body)
    # SMS replaced wholesale (its timeouts are gone), VOICE removed, WHATSAPP added.
    assert fetch(api, config_id)["channelSettings"] == {"SMS": sms, "WHATSAPP": WHATSAPP}
    patch(api, config_id, {"channelSettings": {}})
    assert fetch(api, config_id)["channelSettings"] == {"SMS": sms, "WHATSAPP": WHATSAPP}


_CHANNEL_SETTING = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {},
        optional={
            "statusTimeouts": st.fixed_dictionaries(
                {}, optional={"inactive": st.integers(1, 99), "closed": st.integers(1, 99)}
            ),
            "captureRules": st.lists(
                st.fixed_dictionaries(
                    {"from": st.sampled_from(["*", "+18005550100"]), "to": st.just("*")},
                    optional={"metadata": st.just({"k": "v"})},
                ),
                max_size=2,
            ),
        },
    ),
)
_CHANNEL_PATCHES = st.dictionaries(
    st.sampled_from(["VOICE", "SMS", "RCS", "WHATSAPP", "CHAT"]), _CHANNEL_SETTING, max_size=5
)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(patches=st.lists(_CHANNEL_PATCHES, min_size=1, max_size=3))
def test_channel_merge_property(
    emulator: EmulatorHandle, api: httpx.Client, patches: list[dict[str, Any]]
) -> None:
    """conversations-v2 §2.5, as a model: keys left out are kept, an object replaces that
    channel, null removes it; the stored form adds metadata {} to capture rules."""
    emulator.set_settings(max_conversation_configurations=100)  # one per example
    config_id = orchestrator_config(api)
    model = dict(fetch(api, config_id)["channelSettings"])
    for channels in patches:
        body = {"channelSettings": channels}
        assert_valid(body, "conversation-configuration.patch.json")
        patch(api, config_id, body)
        for channel, setting in channels.items():
            if setting is None:
                model.pop(channel, None)
            else:
                stored = dict(setting)
                if "captureRules" in setting:
                    rules = setting["captureRules"]
                    stored["captureRules"] = [{"metadata": {}, **r} for r in rules]
                model[channel] = stored
        assert fetch(api, config_id)["channelSettings"] == model


def test_patch_nulls(api: httpx.Client) -> None:
    config_id = orchestrator_config(
        api,
        statusCallbacks=[{"url": "https://example.com/cb"}],
        intelligenceConfigurationIds=["ic1"],
        memoryExtractionEnabled=True,
        conversationsV1Bridge={"serviceId": SERVICE},
    )
    for field in ("displayName", "description", "memoryStoreId", "conversationGroupingType"):
        message = error_of(api.patch(f"{CONFIGS}/{config_id}", json={field: None}), 400)
        assert message == f"{field}: must not be null"
    error_of(api.patch(f"{CONFIGS}/{config_id}", json={"channelSettings": None}), 400)
    cleared = {
        "statusCallbacks": None,
        "intelligenceConfigurationIds": None,
        "memoryExtractionEnabled": None,
        "conversationsV1Bridge": None,
    }
    patch(api, config_id, cleared)
    after = fetch(api, config_id)
    assert after["statusCallbacks"] == []
    assert after["intelligenceConfigurationIds"] == []
    assert after["memoryExtractionEnabled"] is False
    assert "conversationsV1Bridge" not in after
    assert after["version"] == 2  # the refused PATCHes changed nothing


def test_patch_unknown_and_busy(emulator: EmulatorHandle, api: httpx.Client) -> None:
    error_of(api.patch(f"{CONFIGS}/conv_configuration_nope", json={}), 404, 20404)
    config_id = orchestrator_config(api)
    emulator.set_settings(operation_delay_seconds=10)
    assert api.patch(f"{CONFIGS}/{config_id}", json={"description": "a"}).status_code == 202
    busy = api.patch(f"{CONFIGS}/{config_id}", json={"description": "b"})
    error_of(busy, 409, 20409)
    assert busy.headers["X-Conflicting-Resource-Id"].startswith("proc_job_")


def test_patch_is_idempotent_with_a_key(api: httpx.Client) -> None:
    config_id = orchestrator_config(api)
    headers = {"Idempotency-Key": "01890a5d-aa0f-7c80-b8e6-0242ac140004"}
    first = api.patch(f"{CONFIGS}/{config_id}", json={"description": "x"}, headers=headers)
    again = api.patch(f"{CONFIGS}/{config_id}", json={"description": "x"}, headers=headers)
    assert first.json() == again.json()
    assert fetch(api, config_id)["version"] == 2


def test_bridge_settable_and_unique(api: httpx.Client) -> None:
    bridge = {"serviceId": SERVICE}
    config_id = orchestrator_config(api, conversationsV1Bridge=bridge)
    assert fetch(api, config_id)["conversationsV1Bridge"] == bridge
    clash = api.post(CONFIGS, json=conv_config_body(displayName="b", conversationsV1Bridge=bridge))
    error_of(clash, 409, 20409)
    assert clash.headers["X-Conflicting-Resource-Id"] == config_id
    error_of(
        api.post(CONFIGS, json=conv_config_body(conversationsV1Bridge={"serviceId": "IS1"})), 400
    )
    error_of(api.post(CONFIGS, json=conv_config_body(conversationsV1Bridge={})), 400)
    other = orchestrator_config(api, displayName="b")
    error_of(api.patch(f"{CONFIGS}/{other}", json={"conversationsV1Bridge": bridge}), 409, 20409)
    # The configuration itself may keep (re-send) its own bridge; a PUT without it drops it.
    patch(api, config_id, {"conversationsV1Bridge": bridge})
    put = api.put(f"{CONFIGS}/{config_id}", json=conv_config_body())
    assert put.status_code == 202
    assert "conversationsV1Bridge" not in fetch(api, config_id)
    patch(api, other, {"conversationsV1Bridge": {"serviceId": OTHER_SERVICE}})
    assert fetch(api, other)["conversationsV1Bridge"] == {"serviceId": OTHER_SERVICE}


def test_bridge_clash_between_pending_creates_fails_the_second(
    emulator: EmulatorHandle, api: httpx.Client
) -> None:
    emulator.set_settings(operation_delay_seconds=10)
    bridge = {"serviceId": SERVICE}
    first = api.post(CONFIGS, json=conv_config_body(conversationsV1Bridge=bridge))
    second = api.post(CONFIGS, json=conv_config_body(displayName="b", conversationsV1Bridge=bridge))
    emulator.advance_clock(10)
    statuses = [api.get(r.json()["statusUrl"]).json() for r in (first, second)]
    assert [s["status"] for s in statuses] == ["COMPLETED", "FAILED"]
    assert statuses[1]["error"]["status"] == 409


def test_field_rules_of_edition_2(api: httpx.Client) -> None:
    long_ok = conv_config_body(description="d" * 512)
    assert_valid(long_ok, "conversation-configuration.create.json")
    assert api.post(CONFIGS, json=long_ok).status_code == 202
    message = error_of(api.post(CONFIGS, json=conv_config_body(description="d" * 513)), 400)
    assert message == "description: size must be between 0 and 512"
    for method in ("PUT", "DELETE", "PATCH"):
        callbacks = [{"url": "https://example.com/cb", "method": method}]
        response = api.post(CONFIGS, json=conv_config_body(statusCallbacks=callbacks))
        assert "statusCallbacks[0].method: must be one of [POST, GET]" in error_of(response, 400)


@pytest.mark.parametrize("call_type", ["PSTN", "CLIENT", "PUBLIC_SIP", "SIP"])
def test_voice_call_types(api: httpx.Client, call_type: str) -> None:
    rules = [{"from": "agent-1", "to": "*", "metadata": {"callType": call_type}}]
    config_id = orchestrator_config(api, channelSettings={"VOICE": {"captureRules": rules}})
    assert fetch(api, config_id)["channelSettings"]["VOICE"]["captureRules"] == rules


def test_unknown_voice_call_type_is_refused(api: httpx.Client) -> None:
    rules = [{"from": "*", "to": "*", "metadata": {"callType": "WEBRTC"}}]
    response = api.post(
        CONFIGS, json=conv_config_body(channelSettings={"VOICE": {"captureRules": rules}})
    )
    assert "callType: must be one of [PSTN, CLIENT, PUBLIC_SIP, SIP]" in error_of(response, 400)


def test_voice_status_timeouts_null_means_none(api: httpx.Client) -> None:
    voice = {"statusTimeouts": None, "captureRules": VOICE["captureRules"]}
    config_id = orchestrator_config(api, channelSettings={"VOICE": voice})
    assert fetch(api, config_id)["channelSettings"]["VOICE"] == {
        "captureRules": VOICE["captureRules"]
    }


def test_capture_rule_limit_is_a_setting(emulator: EmulatorHandle, api: httpx.Client) -> None:
    def rules(count: int) -> dict[str, Any]:
        items = [{"from": f"+1800555{i:04d}", "to": "*", "metadata": {}} for i in range(count)]
        return {"SMS": {"captureRules": items}}

    assert api.post(CONFIGS, json=conv_config_body(channelSettings=rules(100))).status_code == 202
    response = api.post(CONFIGS, json=conv_config_body(channelSettings=rules(101)))
    assert "captureRules: size must be between 0 and 100" in error_of(response, 400)
    emulator.set_settings(max_capture_rules_per_channel=2)
    error_of(api.post(CONFIGS, json=conv_config_body(channelSettings=rules(3))), 400)


def test_configuration_limit_is_a_setting(emulator: EmulatorHandle, api: httpx.Client) -> None:
    emulator.set_settings(max_conversation_configurations=2)
    orchestrator_config(api, displayName="a")
    orchestrator_config(api, displayName="b")
    assert "at most 2" in error_of(api.post(CONFIGS, json=conv_config_body()), 400)


def test_grouping_type_change(emulator: EmulatorHandle, api: httpx.Client) -> None:
    config_id = orchestrator_config(api)
    new = {"conversationGroupingType": "GROUP_BY_PROFILE"}
    message = error_of(api.patch(f"{CONFIGS}/{config_id}", json=new), 400)
    assert message == "conversationGroupingType: cannot be changed"
    error_of(api.put(f"{CONFIGS}/{config_id}", json=conv_config_body(**new)), 400)
    same = api.put(f"{CONFIGS}/{config_id}", json=conv_config_body(description="same grouping"))
    assert same.status_code == 202
    emulator.set_settings(grouping_type_change="fail")
    failed = patch(api, config_id, new)
    assert failed["status"] == "FAILED"
    assert failed["error"]["detail"] == "conversationGroupingType: cannot be changed"
    emulator.set_settings(grouping_type_change="ignore")
    assert patch(api, config_id, {**new, "description": "ignored"})["status"] == "COMPLETED"
    after = fetch(api, config_id)
    assert (after["conversationGroupingType"], after["description"]) == (
        "GROUP_BY_PARTICIPANT_ADDRESSES",
        "ignored",
    )
    assert emulator.admin.patch("/settings", json={"grouping_type_change": "x"}).status_code == 400


def test_operation_status_never_running(emulator: EmulatorHandle, api: httpx.Client) -> None:
    emulator.set_settings(operation_delay_seconds=10)
    accepted = api.post(CONFIGS, json=conv_config_body())
    seen = []
    for _ in range(4):
        body = api.get(accepted.json()["statusUrl"]).json()
        assert_valid(body, "async-operation.json", "conversationsV2OperationStatus")
        seen.append(body["status"])
        emulator.advance_clock(3)
    assert seen == ["PENDING", "PENDING", "PENDING", "PENDING"]
    assert api.get(accepted.json()["statusUrl"]).json()["status"] == "COMPLETED"


@pytest.mark.parametrize("pinned", [True, False])
def test_conversations_keep_their_configuration(
    emulator: EmulatorHandle, api: httpx.Client, pinned: bool
) -> None:
    """gotchas E5: a conversation keeps the configuration it began with."""
    emulator.set_traps(conversation_pins_configuration=pinned)
    config_id = orchestrator_config(api)  # SMS: inactive after 5 minutes
    conv = conversation(api, config_id, "hello")
    sms = {**conv_config_body()["channelSettings"]["SMS"], "statusTimeouts": {"inactive": 60}}
    patch(api, config_id, {"channelSettings": {"SMS": sms}})
    emulator.advance_clock(5 * 60)
    status = api.get(f"/v2/Conversations/{conv}").json()["status"]
    assert status == ("INACTIVE" if pinned else "ACTIVE")
    later = conversation(api, config_id, "hello again")
    emulator.advance_clock(5 * 60)
    assert api.get(f"/v2/Conversations/{later}").json()["status"] == "ACTIVE"


def test_full_body_put_still_replaces(api: httpx.Client) -> None:
    config_id = orchestrator_config(api, intelligenceConfigurationIds=["ic1"])
    body = conv_config_body(description="replaced", channelSettings={"WHATSAPP": WHATSAPP})
    assert_valid(body, "conversation-configuration.update.json")
    assert api.put(f"{CONFIGS}/{config_id}", json=body).status_code == 202
    after = fetch(api, config_id)
    assert after["channelSettings"] == {"WHATSAPP": WHATSAPP}
    assert after["intelligenceConfigurationIds"] == []  # left out of the PUT: removed
    assert after["description"] == "replaced"
