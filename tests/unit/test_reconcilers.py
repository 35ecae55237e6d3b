"""The reconcilers against the emulator over real HTTP: create / observe / update / delete of each
resource, and the failure paths they exist for (lost responses, crashed runs, PUTs out of band,
conflicting writes, versions that are not ACTIVE, stores that cannot be deleted)."""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterator, Mapping
from typing import Any, Generic, TypeVar

import httpx
import pytest
from pulumi_twilio_intelligence._core.models import (
    ConversationConfigurationModel,
    IntelligenceConfigurationModel,
    MemoryStoreModel,
    OperatorModel,
)
from pulumi_twilio_intelligence._core.spec import ResourceModel
from pulumi_twilio_intelligence._pulumi.providers import OperatorProvider
from pulumi_twilio_intelligence._pulumi.state import PLUGIN
from pulumi_twilio_intelligence._reconcile import (
    ConversationConfigurationReconciler,
    IntelligenceConfigurationReconciler,
    MemoryStoreReconciler,
    OperatorReconciler,
    OperatorVersionNotActiveError,
    idempotency_key,
)
from pulumi_twilio_intelligence._twilio.api import TwilioApi
from pulumi_twilio_intelligence._twilio.http import Credentials, HttpClient, RetryPolicy, base_urls
from pulumi_twilio_intelligence.errors import (
    AmbiguousWriteError,
    NameTakenError,
    OperationFailedError,
    PreconditionFailedError,
    TwilioIntelligenceError,
)
from pulumi_twilio_intelligence.resources import TWILIO_OPERATOR_IDS
from twilio_emulator.testing import EmulatorHandle

from tests.emulator_timing import every_async_step_takes
from tests.unit.emulated_api import created_after_a_lost_answer, emulated_api, header, writes

OPERATORS = "/v3/ControlPlane/Operators"
CONFIGURATIONS = "/v3/ControlPlane/Configurations"
CONVERSATIONS = "/v2/ControlPlane/Configurations"
STORES = "/v1/ControlPlane/Stores"
SENTIMENT = TWILIO_OPERATOR_IDS["sentiment"]
SUMMARY = TWILIO_OPERATOR_IDS["summary"]
M = TypeVar("M", bound=ResourceModel)


@pytest.fixture
def api(emulator: EmulatorHandle) -> Iterator[TwilioApi]:
    # Asynchronous writes take a little time, so polling is exercised, but not much.
    every_async_step_takes(emulator, 0.05)
    yield from emulated_api(emulator)


class Desired(Generic[M]):
    """A resource's desired state as a user declares it: a fixed body, any field of which a
    test may change (``operator(description="x")``), validated like user input."""

    def __init__(self, model: type[M], body: dict[str, Any], resource: str) -> None:
        self.model, self.body, self.resource = model, body, resource

    def __call__(self, **changes: Any) -> M:
        return self.model.validate_desired({**copy.deepcopy(self.body), **changes}, self.resource)


def assert_deleted_and_deleting_again_is_fine(
    rec: Any, object_id: str, server: Mapping[str, Any], desired: Any
) -> None:
    rec.delete(object_id, server)
    assert rec.observe(object_id, desired.wire()).exists is False
    rec.delete(object_id, server)  # already gone: fine


# --- Operators ------------------------------------------------------------------------------------
OPERATOR_BODY: dict[str, Any] = {
    "displayName": "churn-risk-a1b2c3",
    "description": "How likely the customer is to leave",
    "prompt": "Rate churn risk from 0 to {{parameters.scale}}.",
    "outputFormat": "JSON",
    "outputSchema": {
        "type": "object",
        "properties": {"risk": {"type": "integer"}, "reason": {"type": ["string", "null"]}},
    },
    "parameters": {"scale": {"type": "integer", "default": 10}},
    "trainingExamples": [{"input": "I'm leaving", "output": '{"risk": 9, "reason": "x"}'}],
}


operator = Desired(OperatorModel, OPERATOR_BODY, "Operator churn-risk")


def test_operator_create_observe_update_delete(api: TwilioApi, emulator: EmulatorHandle) -> None:
    rec = OperatorReconciler(api)
    desired = operator()
    created = rec.create(desired)
    assert created.id.startswith("intelligence_operator_")
    assert created.server == {"version": 1, "author": "SELF"}
    assert created.adopted is False

    seen = rec.observe(created.id, desired.wire())
    assert seen.exists
    assert seen.up_to_date
    assert seen.live == OperatorModel.normalise(desired.wire())
    assert seen.server == {"version": 1, "author": "SELF"}

    changed = operator(prompt="Rate churn risk from 0 to {{parameters.scale}}, briefly.")
    assert [c.path for c in rec.observe(created.id, changed.wire()).changes] == ["prompt"]
    server = rec.update(created.id, changed, created.server).server
    assert server == {"version": 2, "author": "SELF"}
    assert rec.observe(created.id, changed.wire()).up_to_date
    assert emulator.requests(method="PUT")[-1]["path"] == f"{OPERATORS}/{created.id}"
    assert header(emulator.requests(method="PUT")[-1], "If-Match") == "1"

    assert_deleted_and_deleting_again_is_fine(rec, created.id, server, changed)


def test_operator_create_after_a_lost_response_adopts_without_a_duplicate(
    api: TwilioApi, emulator: EmulatorHandle
) -> None:
    rec = OperatorReconciler(api)
    created = created_after_a_lost_answer(emulator, rec, operator(), f"^{OPERATORS}$")
    named = [o for o in api.list_operators() if o["displayName"] == "churn-risk-a1b2c3"]
    assert [o["id"] for o in named] == [created.id]
    assert writes(emulator) == [("POST", OPERATORS)]


def test_operator_left_by_a_crashed_run_is_adopted(
    api: TwilioApi, emulator: EmulatorHandle
) -> None:
    earlier = emulator.client().post(OPERATORS, json=operator().wire()).json()
    mark = emulator.mark()
    created = OperatorReconciler(api).create(operator())
    assert (created.id, created.adopted) == (earlier["id"], True)
    assert writes(emulator, mark) == []


def test_operator_name_held_by_a_different_object_is_not_adopted(
    api: TwilioApi, emulator: EmulatorHandle
) -> None:
    other = operator(prompt="Something else entirely.", parameters=None)
    emulator.client().post(OPERATORS, json=other.wire()).raise_for_status()
    with pytest.raises(NameTakenError, match="churn-risk-a1b2c3") as caught:
        OperatorReconciler(api).create(operator())
    assert "pulumi refresh" in str(caught.value)


def test_an_object_being_replaced_is_never_adopted(
    api: TwilioApi, emulator: EmulatorHandle
) -> None:
    old = emulator.client().post(OPERATORS, json=operator().wire()).json()
    created = OperatorReconciler(api).create(operator(), replacing=[old["id"]])
    assert created.id != old["id"]
    assert created.adopted is False


def test_operator_in_place_update_that_makes_a_preview_version_fails_clearly(
    api: TwilioApi, emulator: EmulatorHandle
) -> None:
    rec = OperatorReconciler(api)
    created = rec.create(operator())
    emulator.set_settings(new_operator_version_status="PREVIEW")
    with pytest.raises(OperatorVersionNotActiveError) as caught:
        rec.update(created.id, operator(description="changed"), created.server)
    message = str(caught.value)
    assert created.id in message
    assert "version 2" in message
    assert "PREVIEW" in message
    assert "not ACTIVE" in message
    assert isinstance(caught.value, TwilioIntelligenceError)


def test_operator_update_over_someone_elses_change_is_refused(
    api: TwilioApi, emulator: EmulatorHandle
) -> None:
    rec = OperatorReconciler(api)
    created = rec.create(operator())
    emulator.client().put(
        f"{OPERATORS}/{created.id}", json=operator(description="by hand").wire()
    ).raise_for_status()
    with pytest.raises(PreconditionFailedError):
        rec.update(created.id, operator(description="ours"), created.server)


def _as_pulumi_state(value: Any) -> Any:
    """What the engine hands a provider for recorded properties: Pulumi's protobuf Struct has one
    number type, so every int comes back as a float."""
    match value:
        case bool():
            return value
        case int():
            return float(value)
        case dict():
            return {k: _as_pulumi_state(v) for k, v in value.items()}
        case list():
            return [_as_pulumi_state(v) for v in value]
        case _:
            return value


def test_in_place_update_through_the_provider_sends_an_integer_if_match(
    api: TwilioApi, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TWILIO_BASE_URL", emulator.url)
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", emulator.account_sid)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", emulator.auth_token)
    PLUGIN.configure({})
    provider = OperatorProvider()
    book = {"resourceName": "churn-risk", "updateStrategy": "in-place"}
    created = provider.create({**book, **operator().wire()})
    recorded = _as_pulumi_state(created.outs)
    assert recorded["version"] == 1.0
    for expected_if_match in ("1", "2"):
        description = f"changed before version {int(expected_if_match) + 1}"
        news = {**book, **operator(description=description).wire()}
        updated = provider.update(created.id, recorded, news)
        put = emulator.requests(method="PUT")[-1]
        assert (put["path"], put["status"]) == (f"{OPERATORS}/{created.id}", 200)
        assert header(put, "If-Match") == expected_if_match
        assert updated.outs is not None
        assert updated.outs["version"] == int(expected_if_match) + 1
        recorded = _as_pulumi_state(updated.outs)


# --- Intelligence Configurations ------------------------------------------------------------------
CONFIGURATION_BODY: dict[str, Any] = {
    "displayName": "support-analytics-d4e5f6",
    "description": "Sentiment in real time, summary at the end",
    "rules": [
        {
            "operators": [{"id": SENTIMENT}],
            "triggers": [{"on": "COMMUNICATION", "parameters": {"count": 2}}],
            "actions": [{"url": "https://hooks.example.com/realtime"}],
        },
        {
            "operators": [{"id": SUMMARY, "version": 1}],
            "triggers": [{"on": "CONVERSATION_END"}],
            "actions": [],
        },
    ],
}


configuration = Desired(
    IntelligenceConfigurationModel, CONFIGURATION_BODY, "IntelligenceConfiguration x"
)


def test_configuration_create_observe_delete(api: TwilioApi, emulator: EmulatorHandle) -> None:
    rec = IntelligenceConfigurationReconciler(api)
    desired = configuration()
    created = rec.create(desired)
    assert created.id.startswith("intelligence_configuration_")
    assert created.server["version"] == created.server["createdVersion"] == 1
    assert len(created.server["ruleIds"]) == 2
    assert all(r.startswith("intelligence_configurationrule_") for r in created.server["ruleIds"])
    seen = rec.observe(created.id, desired.wire(), created.server)
    assert seen.up_to_date, (seen.changes, seen.findings)
    assert seen.findings == []

    other = configuration(description="another")
    assert [c.path for c in rec.observe(created.id, other.wire(), created.server).changes] == [
        "description"
    ]
    with pytest.raises(TwilioIntelligenceError, match="never updated in place"):
        rec.update(created.id, other, created.server)
    assert writes(emulator) == [("POST", CONFIGURATIONS)]

    assert_deleted_and_deleting_again_is_fine(rec, created.id, created.server, desired)


def test_a_put_out_of_band_shows_the_inactive_finding(
    api: TwilioApi, emulator: EmulatorHandle
) -> None:
    rec = IntelligenceConfigurationReconciler(api)
    desired = configuration()
    created = rec.create(desired)
    # Someone PUTs the very same rules: no field differs, but Twilio deactivated it.
    emulator.client().put(f"{CONFIGURATIONS}/{created.id}", json=desired.wire()).raise_for_status()
    seen = rec.observe(created.id, desired.wire(), created.server)
    assert seen.changes == []
    assert [f.kind for f in seen.findings] == ["inactive-configuration"]
    assert seen.findings[0].severity == "error"
    assert "version is 2 but we created version 1" in seen.findings[0].message
    assert seen.up_to_date is False


def test_configuration_create_after_a_lost_response_adopts_without_a_duplicate(
    api: TwilioApi, emulator: EmulatorHandle
) -> None:
    rec = IntelligenceConfigurationReconciler(api)
    created = created_after_a_lost_answer(emulator, rec, configuration(), f"^{CONFIGURATIONS}$")
    assert created.server["createdVersion"] == 1
    assert [c["id"] for c in api.list_configurations()] == [created.id]
    assert writes(emulator) == [("POST", CONFIGURATIONS)]


def test_configuration_left_by_a_crashed_run_is_adopted(
    api: TwilioApi, emulator: EmulatorHandle
) -> None:
    earlier = emulator.client().post(CONFIGURATIONS, json=configuration().wire()).json()
    created = IntelligenceConfigurationReconciler(api).create(configuration())
    assert (created.id, created.adopted) == (earlier["id"], True)
    assert len(api.list_configurations()) == 1


def test_a_configuration_someone_put_is_never_adopted(
    api: TwilioApi, emulator: EmulatorHandle
) -> None:
    client = emulator.client()
    earlier = client.post(CONFIGURATIONS, json=configuration().wire()).json()
    client.put(f"{CONFIGURATIONS}/{earlier['id']}", json=configuration().wire()).raise_for_status()
    with pytest.raises(NameTakenError):
        IntelligenceConfigurationReconciler(api).create(configuration())


def test_pinned_deprecated_and_retired_versions_are_findings(
    api: TwilioApi, emulator: EmulatorHandle
) -> None:
    rec = IntelligenceConfigurationReconciler(api)
    created = rec.create(configuration())
    emulator.set_operator_version_status(SUMMARY, 1, "DEPRECATED")
    seen = IntelligenceConfigurationReconciler(api).observe(
        created.id, configuration().wire(), created.server
    )
    assert [(f.kind, f.severity) for f in seen.findings] == [("pin-deprecated", "warning")]
    assert seen.up_to_date  # a warning does not make it out of date
    emulator.set_operator_version_status(SUMMARY, 1, "RETIRED")
    seen = IntelligenceConfigurationReconciler(api).observe(
        created.id, configuration().wire(), created.server
    )
    assert [(f.kind, f.severity) for f in seen.findings] == [("pin-retired", "error")]
    assert "rules[1]" in seen.findings[0].message
    assert seen.up_to_date is False


# --- Conversation Orchestrator configurations -----------------------------------------------------
STORE_ID = "mem_store_01aaaaaaaaaaaaaaaaaaaaaaaaa"


CONVERSATION_BODY: dict[str, Any] = {
    "displayName": "support-1a2b3c",
    "description": "Support line",
    "conversationGroupingType": "GROUP_BY_PARTICIPANT_ADDRESSES",
    "memoryStoreId": STORE_ID,
    "channelSettings": {
        "SMS": {
            "statusTimeouts": {"inactive": 5, "closed": 10},
            "captureRules": [{"from": "*", "to": "+15005550006"}],
        }
    },
    "statusCallbacks": [{"url": "https://hooks.example.com/status"}],
    "intelligenceConfigurationIds": [],
}


conversation = Desired(
    ConversationConfigurationModel, CONVERSATION_BODY, "ConversationConfiguration x"
)


def test_conversation_create_observe_update_delete(
    api: TwilioApi, emulator: EmulatorHandle
) -> None:
    rec = ConversationConfigurationReconciler(api)
    desired = conversation()
    created = rec.create(desired)
    assert created.server["version"] == 1
    assert rec.observe(created.id, desired.wire()).up_to_date

    changed = conversation(description="Support line, SMS only")
    server = rec.update(created.id, changed, created.server).server
    assert server["version"] == 2
    assert rec.observe(created.id, changed.wire()).up_to_date
    put = emulator.requests(method="PUT")[-1]
    assert put["body"] == changed.wire()  # PUT replaces the whole object: everything is sent

    assert_deleted_and_deleting_again_is_fine(rec, created.id, server, changed)
    assert all(header(r, "Idempotency-Key") for r in emulator.requests() if r["method"] != "GET")


def test_conversation_writes_reuse_their_idempotency_key_when_retried(
    api: TwilioApi, emulator: EmulatorHandle
) -> None:
    emulator.inject_fault("error", method="POST", path=f"^{CONVERSATIONS}$", status=503, count=1)
    emulator.inject_fault("drop_response", method="POST", path=f"^{CONVERSATIONS}$", count=1)
    created = ConversationConfigurationReconciler(api).create(conversation())
    posts = emulator.requests(method="POST", path_regex=f"^{CONVERSATIONS}$")
    assert len(posts) == 3  # 503, then a lost answer, then the replayed operation
    keys = {header(p, "Idempotency-Key") for p in posts}
    assert keys == {idempotency_key("create", conversation().wire(), 0)}
    assert [c["id"] for c in api.list_conversation_configurations()] == [created.id]


def test_conversation_create_in_a_later_run_replays_instead_of_duplicating(
    api: TwilioApi,
) -> None:
    first = ConversationConfigurationReconciler(api).create(conversation())
    again = ConversationConfigurationReconciler(api).create(conversation())
    assert again.id == first.id
    assert len(api.list_conversation_configurations()) == 1


def test_conversation_update_conflict_is_retried_after_re_reading(
    api: TwilioApi, emulator: EmulatorHandle, caplog: pytest.LogCaptureFixture
) -> None:
    rec = ConversationConfigurationReconciler(api)
    created = rec.create(conversation())
    # Another writer's update is still in flight when ours arrives: 409.
    emulator.set_settings(operation_delay_seconds=0.3)
    emulator.client().put(
        f"{CONVERSATIONS}/{created.id}", json=conversation(description="someone else").wire()
    ).raise_for_status()
    mark = emulator.mark()
    ours = conversation(description="ours")
    with caplog.at_level(logging.WARNING):
        server = rec.update(created.id, ours, created.server).server
    assert server["version"] == 3
    assert rec.observe(created.id, ours.wire()).up_to_date
    log = [(r["method"], r["status"]) for r in emulator.requests(since=mark)]
    puts = [entry for entry in log if entry[0] == "PUT"]
    assert puts[0] == ("PUT", 409)
    assert puts[-1] == ("PUT", 202)
    first_409 = log.index(("PUT", 409))
    assert ("GET", 200) in log[first_409 + 1 : log.index(("PUT", 202))]  # re-read before retry
    assert "another write is in flight (409)" in caplog.text


def test_an_injected_409_is_retried_too(api: TwilioApi, emulator: EmulatorHandle) -> None:
    rec = ConversationConfigurationReconciler(api)
    created = rec.create(conversation())
    emulator.inject_fault("error", method="PUT", path=f"^{CONVERSATIONS}/", status=409, count=1)
    server = rec.update(created.id, conversation(description="x"), created.server).server
    assert server["version"] == 2
    assert [r["status"] for r in emulator.requests(method="PUT")] == [409, 202]


def test_a_failed_conversation_operation_is_tried_once_more_under_a_fresh_key(
    api: TwilioApi, emulator: EmulatorHandle
) -> None:
    emulator.inject_fault("fail_operation", method="POST", path=f"^{CONVERSATIONS}$", count=1)
    created = ConversationConfigurationReconciler(api).create(conversation())
    keys = [header(p, "Idempotency-Key") for p in emulator.requests(method="POST")]
    # The key whose operation FAILED would replay that failure for 24 hours: it is not reused.
    assert keys[0] == idempotency_key("create", conversation().wire(), 0)
    assert len(keys) == 2
    assert keys[1] != keys[0]
    assert [c["id"] for c in api.list_conversation_configurations()] == [created.id]


def test_a_conversation_operation_failing_twice_is_an_error_and_the_next_run_is_not_stuck(
    api: TwilioApi, emulator: EmulatorHandle
) -> None:
    emulator.inject_fault("fail_operation", method="PUT", path=f"^{CONVERSATIONS}/", count=2)
    rec = ConversationConfigurationReconciler(api)
    created = rec.create(conversation())
    changed = conversation(description="changed")
    with pytest.raises(OperationFailedError, match="ended FAILED"):
        rec.update(created.id, changed, created.server)
    # A later run derives the same key, gets the failure replayed, and writes under a new key.
    rec.update(created.id, changed, created.server)
    assert rec.observe(created.id, changed.wire()).up_to_date


# --- Memory Stores --------------------------------------------------------------------------------
STORE_BODY = {"displayName": "support-memory-7f8e9d", "description": "Memory"}
store = Desired(MemoryStoreModel, STORE_BODY, "MemoryStore support-memory")


def test_memory_store_create_observe_update(api: TwilioApi, emulator: EmulatorHandle) -> None:
    rec = MemoryStoreReconciler(api)
    created = rec.create(store())
    assert created.id.startswith("mem_store_")
    assert created.server["status"] == "ACTIVE"
    assert rec.observe(created.id, store().wire()).up_to_date

    renamed = store(displayName="support-memory-renamed", description="Customer memory")
    server = rec.update(created.id, renamed, created.server).server
    assert server["status"] == "ACTIVE"
    assert rec.observe(created.id, renamed.wire()).up_to_date
    patch = emulator.requests(method="PATCH")[-1]
    assert patch["path"] == f"{STORES}/{created.id}"
    assert header(patch, "If-Match")


def test_memory_store_delete_only_warns_and_names_the_store(
    api: TwilioApi, emulator: EmulatorHandle, caplog: pytest.LogCaptureFixture
) -> None:
    rec = MemoryStoreReconciler(api)
    created = rec.create(store())
    mark = emulator.mark()
    recorded = {**store().wire(), **created.server}
    with caplog.at_level(logging.WARNING, logger="pulumi_twilio_intelligence"):
        rec.delete(created.id, recorded)
    assert emulator.requests(since=mark) == []
    [record] = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert created.id in record.getMessage()
    assert "support-memory-7f8e9d" in record.getMessage()
    assert "retained" in record.getMessage()
    assert rec.observe(created.id, store().wire()).exists


def test_memory_store_create_after_a_lost_response_adopts_without_a_duplicate(
    api: TwilioApi, emulator: EmulatorHandle
) -> None:
    # Long enough that the lookup after the lost answer cannot see the store yet.
    emulator.set_settings(operation_delay_seconds=0.5)
    rec = MemoryStoreReconciler(api)
    created = created_after_a_lost_answer(emulator, rec, store(), f"^{STORES}$")
    assert created.server["status"] == "ACTIVE"
    assert api.list_store_ids() == [created.id]
    # The answer was lost, the store was not visible yet, the second POST's operation failed on
    # the duplicate name: the store is adopted all the same.
    assert [r["status"] for r in emulator.requests(method="POST", path_regex=f"^{STORES}$")] == [
        None,
        202,
    ]


def test_memory_store_left_by_a_crashed_run_is_adopted(
    api: TwilioApi, emulator: EmulatorHandle
) -> None:
    emulator.client().post(STORES, json=store().wire()).raise_for_status()
    emulator.advance_clock(1)
    [earlier] = api.list_store_ids()
    mark = emulator.mark()
    created = MemoryStoreReconciler(api).create(store())
    assert (created.id, created.adopted) == (earlier, True)
    assert writes(emulator, mark) == []


def test_memory_store_provisioning_failure_is_an_error(
    api: TwilioApi, emulator: EmulatorHandle
) -> None:
    emulator.inject_fault("fail_operation", method="POST", path=f"^{STORES}$", count=1)
    with pytest.raises(OperationFailedError):
        MemoryStoreReconciler(api).create(store())


# (reconciler, desired, the change, write method, collection, the server's answer, write statuses)
LOST_UPDATE_CASES = {
    # The PUT lands, its answer is lost, the retry fails If-Match: the live object matches.
    "operator": (OperatorReconciler, operator, "changed", "PUT", OPERATORS, ("version", 2), 412),
    "memory store": (
        MemoryStoreReconciler,
        store,
        "Customer memory",
        "PATCH",
        STORES,
        ("status", "ACTIVE"),
        202,
    ),
}


@pytest.mark.parametrize("case", LOST_UPDATE_CASES.values(), ids=LOST_UPDATE_CASES.keys())
def test_update_after_a_lost_response_is_recognised_as_done(
    api: TwilioApi, emulator: EmulatorHandle, case: tuple[Any, ...]
) -> None:
    reconciler, desired, description, method, collection, (field, value), retry_status = case
    rec = reconciler(api)
    created = rec.create(desired())
    emulator.inject_fault("drop_response", method=method, path=f"^{collection}/", count=1)
    changed = desired(description=description)
    server = rec.update(created.id, changed, created.server).server
    assert server[field] == value
    assert rec.observe(created.id, changed.wire()).up_to_date
    statuses = [r["status"] for r in emulator.requests(method=method)]
    assert statuses == [None, retry_status]  # None: dropped


def test_memory_store_update_with_no_answer_twice_raises_the_public_error(
    api: TwilioApi, emulator: EmulatorHandle
) -> None:
    rec = MemoryStoreReconciler(api)
    created = rec.create(store())
    emulator.inject_fault("error", method="PATCH", path=f"^{STORES}/", status=500, count=2)
    with pytest.raises(AmbiguousWriteError, match="PATCH"):
        rec.update(created.id, store(description="x"), created.server)


def test_memory_store_name_held_by_a_different_store_is_reported_as_taken(
    api: TwilioApi, emulator: EmulatorHandle
) -> None:
    emulator.client().post(STORES, json=store(description="not ours").wire()).raise_for_status()
    # The create is still provisioning: invisible to the lookup, and our POST's operation fails.
    with pytest.raises(NameTakenError, match="support-memory-7f8e9d"):
        MemoryStoreReconciler(api).create(store())


# --- observation of every kind --------------------------------------------------------------------
@pytest.mark.parametrize(
    "make",
    [
        lambda api: (OperatorReconciler(api), operator(), OPERATORS),
        lambda api: (IntelligenceConfigurationReconciler(api), configuration(), CONFIGURATIONS),
        lambda api: (ConversationConfigurationReconciler(api), conversation(), CONVERSATIONS),
        lambda api: (MemoryStoreReconciler(api), store(), STORES),
    ],
    ids=["operator", "configuration", "conversation", "store"],
)
def test_observe_with_a_listed_body_does_not_fetch_the_object(
    api: TwilioApi, emulator: EmulatorHandle, make: Any
) -> None:
    rec, desired, collection = make(api)
    created = rec.create(desired)
    live = rec.fetch(created.id)
    assert live is not None
    mark = emulator.mark()
    seen = rec.observe(created.id, copy.deepcopy(desired.wire()), created.server, body=live)
    assert seen.up_to_date
    assert emulator.requests(since=mark, path_prefix=f"{collection}/{created.id}") == []
    missing = {
        OPERATORS: "intelligence_operator_00000000000000000000000000",
        CONFIGURATIONS: "intelligence_configuration_00000000000000000000000000",
        CONVERSATIONS: "conv_configuration_00000000000000000000000000",
        STORES: "mem_store_00000000000000000000000000",
    }[collection]
    assert rec.observe(missing, desired.wire()).exists is False


def test_conversation_create_after_destroy_within_the_key_lifetime_creates_anew(
    api: TwilioApi, emulator: EmulatorHandle
) -> None:
    rec = ConversationConfigurationReconciler(api)
    first = rec.create(conversation())
    rec.delete(first.id, first.server)
    # The same body means the same first key: Twilio replays the old create, whose object is
    # gone; the reconciler notices and starts a genuinely new operation.
    again = rec.create(conversation())
    assert again.id != first.id
    assert [c["id"] for c in api.list_conversation_configurations()] == [again.id]
    keys = [header(r, "Idempotency-Key") for r in emulator.requests(method="POST")]
    assert keys == [
        idempotency_key("create", conversation().wire(), 0),
        idempotency_key("create", conversation().wire(), 0),
        idempotency_key("create", conversation().wire(), 1),
    ]


# --- creates Twilio answers strangely (scripted transport) ----------------------------------------
def scripted_api(handler: Any) -> TwilioApi:
    http = HttpClient(
        Credentials("AC1", "token"),
        base_urls({}, {"TWILIO_BASE_URL": "https://twilio.test"}),
        transport=httpx.MockTransport(handler),
        retry=RetryPolicy(base_delay=0.001, max_delay=0.01),
    )
    return TwilioApi(http)


def test_a_create_answered_without_an_id_adopts_what_it_made() -> None:
    made = {**configuration().wire(), "id": "intelligence_configuration_made", "version": 1}
    posted: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            posted.append(request)
            return httpx.Response(201, json={})
        items = [made] if posted else []
        return httpx.Response(200, json={"items": items, "meta": {}})

    created = IntelligenceConfigurationReconciler(scripted_api(handler)).create(configuration())
    assert (created.id, created.adopted) == ("intelligence_configuration_made", True)
    assert len(posted) == 1


def test_a_create_answered_without_an_id_and_nothing_found_is_ambiguous() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return httpx.Response(201, json={})
        return httpx.Response(200, json={"items": [], "meta": {}})

    with pytest.raises(AmbiguousWriteError, match="answered without an id"):
        OperatorReconciler(scripted_api(handler)).create(operator())


def test_a_create_that_never_gets_an_answer_gives_up_after_three_posts() -> None:
    posts: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            posts.append(request)
            raise httpx.ReadError("reset")
        return httpx.Response(200, json={"items": [], "meta": {}})

    with pytest.raises(AmbiguousWriteError, match="got no answer after 3 attempts"):
        OperatorReconciler(scripted_api(handler)).create(operator())
    assert len(posts) == 3  # each after a lookup found nothing: never two objects
