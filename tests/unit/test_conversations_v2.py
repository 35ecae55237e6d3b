"""Conversations v2, edition 2 (conversations-v2.md; gotchas D.2, E1-E5, E16, E17, E19) on the
provider's side: what the model sends and refuses, the operation poller's states, and the grouping
type's delete-before-replace, seen from the Pulumi provider's diff."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from pulumi_twilio_intelligence._core.models import ConversationConfigurationModel
from pulumi_twilio_intelligence._pulumi.providers import ConversationConfigurationProvider
from pulumi_twilio_intelligence._twilio.api import PollPolicy, TwilioApi
from pulumi_twilio_intelligence._twilio.http import Credentials, HttpClient, base_urls
from pulumi_twilio_intelligence.errors import OperationFailedError, ValidationError

CONVERSATION: dict[str, Any] = {
    "displayName": "support",
    "description": "Support line",
    "conversationGroupingType": "GROUP_BY_PARTICIPANT_ADDRESSES",
    "memoryStoreId": "mem_store_01aaaaaaaaaaaaaaaaaaaaaaaaa",
}
OPERATION = "proc_job_01aaaaaaaaaaaaaaaaaaaaaaaaaa"
CONFIG_ID = "conv_configuration_01aaaaaaaaaaaaaaaaaaaaaaaa"


def _voice(*call_types: str | None) -> dict[str, Any]:
    rules = [
        {"from": "*", "to": f"+1500555000{i}", **({"metadata": {"callType": t}} if t else {})}
        for i, t in enumerate(call_types)
    ]
    return {**CONVERSATION, "channelSettings": {"VOICE": {"captureRules": rules}}}


def test_the_documented_call_types_are_sent_as_written() -> None:
    model = ConversationConfigurationModel.validate_desired(
        _voice(None, "PSTN", "CLIENT", "PUBLIC_SIP"), "support"
    )
    rules = model.wire()["channelSettings"]["VOICE"]["captureRules"]
    assert [r.get("metadata", {}).get("callType") for r in rules] == [
        None,
        "PSTN",
        "CLIENT",
        "PUBLIC_SIP",
    ]


@pytest.mark.parametrize(
    ("call_type", "rule"),
    [
        ("SIP", "must be one of PSTN, CLIENT, PUBLIC_SIP (write PUBLIC_SIP for SIP calls)"),
        ("pstn", "must be one of PSTN, CLIENT, PUBLIC_SIP"),
        ("WEBRTC", "must be one of PSTN, CLIENT, PUBLIC_SIP"),
    ],
)
def test_other_call_types_are_refused_before_any_request(call_type: str, rule: str) -> None:
    with pytest.raises(ValidationError) as caught:
        ConversationConfigurationModel.validate_desired(_voice("PSTN", call_type), "support")
    (violation,) = caught.value.violations
    assert violation.field == "channelSettings.VOICE.captureRules[1].metadata.callType"
    assert violation.rule == rule


def test_the_bridge_is_sent_and_descriptions_go_to_512() -> None:
    body = {
        **CONVERSATION,
        "description": "d" * 512,
        "conversationsV1Bridge": {"serviceId": "IS0123456789abcdef0123456789abcdef"},
        "statusCallbacks": [{"url": "https://hooks.example.com/s", "method": "GET"}],
    }
    wire = ConversationConfigurationModel.validate_desired(body, "support").wire()
    assert wire["conversationsV1Bridge"] == {"serviceId": "IS0123456789abcdef0123456789abcdef"}
    assert wire["statusCallbacks"] == [{"url": "https://hooks.example.com/s", "method": "GET"}]
    # VOICE without statusTimeouts: the key is omitted, never sent as null (gotchas E19).
    voice = ConversationConfigurationModel.validate_desired(_voice("PSTN"), "support").wire()
    assert "statusTimeouts" not in voice["channelSettings"]["VOICE"]


class _Operations:
    """A configuration write answered 202, then its operation polled through ``states``."""

    def __init__(self, *states: str) -> None:
        self.states = list(states)
        self.polls = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.method == "PUT":
            return httpx.Response(
                202,
                headers={"Operation-Id": OPERATION},
                json={"statusUrl": f"/v2/ControlPlane/Operations/{OPERATION}", "related": {}},
            )
        status = self.states[min(self.polls, len(self.states) - 1)]
        self.polls += 1
        body: dict[str, Any] = {"operationId": OPERATION, "status": status}
        if status == "COMPLETED":
            body["related"] = {"configurationId": CONFIG_ID}
        if status in ("FAILED", "CANCELLED"):
            body["error"] = {"title": "stopped", "detail": "the operation was cancelled"}
        return httpx.Response(200, json=body)


def _api(handler: _Operations) -> TwilioApi:
    http = HttpClient(
        Credentials("AC1", "token"),
        base_urls({"twilio:baseUrl": "https://twilio.test"}, {}),
        transport=httpx.MockTransport(handler),
    )
    return TwilioApi(http, PollPolicy(timeout=30, min_interval=0, max_interval=0))


def test_the_poller_waits_through_running_until_completed() -> None:
    """C1's enum has PENDING/COMPLETED/FAILED, its description RUNNING (gotchas E17)."""
    handler = _Operations("PENDING", "RUNNING", "RUNNING", "COMPLETED")
    found = _api(handler).write_conversation_configuration(
        "PUT", f"/{CONFIG_ID}", CONVERSATION, "key"
    )
    assert found == CONFIG_ID
    assert handler.polls == 4


def test_a_cancelled_operation_is_final_and_a_failure() -> None:
    handler = _Operations("RUNNING", "CANCELLED", "COMPLETED")
    with pytest.raises(OperationFailedError, match="ended CANCELLED: the operation was cancelled"):
        _api(handler).write_conversation_configuration("PUT", f"/{CONFIG_ID}", CONVERSATION, "key")
    assert handler.polls == 2


def test_a_grouping_type_change_is_delete_before_replace_in_the_provider() -> None:
    """Immutable after creation (gotchas E3): a replacement, and the old configuration goes
    first, since two configurations capturing the same addresses would duplicate traffic."""
    provider = ConversationConfigurationProvider()
    changed = {**CONVERSATION, "conversationGroupingType": "GROUP_BY_PROFILE"}
    result = provider.diff(CONFIG_ID, CONVERSATION, changed)
    assert result.replaces == ["conversationGroupingType"]
    assert result.delete_before_replace is True
    result = provider.diff(CONFIG_ID, CONVERSATION, {**CONVERSATION, "description": "x"})
    assert (result.changes, result.replaces, result.delete_before_replace) == (True, [], False)
