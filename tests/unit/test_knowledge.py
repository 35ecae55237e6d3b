"""Knowledge bases and sources (knowledge-v2.md): the models' diffs and the reconcilers against the
emulator over HTTP; the deletion policy shared with Memory stores; per-API base URLs."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from pulumi_twilio_intelligence._core.models import KnowledgeBaseModel, KnowledgeSourceModel
from pulumi_twilio_intelligence._pulumi.providers import KnowledgeSourceProvider
from pulumi_twilio_intelligence._reconcile import (
    KnowledgeBaseReconciler,
    KnowledgeSourceReconciler,
    MemoryStoreReconciler,
)
from pulumi_twilio_intelligence._twilio.api import TwilioApi
from pulumi_twilio_intelligence._twilio.http import (
    TWILIO_HOSTS,
    base_urls,
)
from pulumi_twilio_intelligence.errors import OperationFailedError, ValidationError
from twilio_emulator.testing import EmulatorHandle

from tests.emulator_timing import every_async_step_takes
from tests.unit.emulated_api import created_after_a_lost_answer, emulated_api, writes

BASES = "/v2/ControlPlane/KnowledgeBases"
OPERATIONS = "/v2/ControlPlane/Operations"
STORES = "/v1/ControlPlane/Stores"
TEXT = {"type": "Text", "content": "Refunds are paid within 5 working days."}
WEB = {"type": "Web", "url": "https://example.com/help"}


@pytest.fixture
def api(emulator: EmulatorHandle) -> Iterator[TwilioApi]:
    every_async_step_takes(emulator, 0.05)
    yield from emulated_api(emulator)


def base(**changes: Any) -> KnowledgeBaseModel:
    body = {"displayName": "support-knowledge-1a2b3c", "description": "Answers", **changes}
    return KnowledgeBaseModel.validate_desired(body, "KnowledgeBase kb")


def source(base_id: str, **changes: Any) -> KnowledgeSourceModel:
    body = {"knowledgeBaseId": base_id, "name": "refund-policy", "source": TEXT, **changes}
    return KnowledgeSourceModel.validate_desired(body, "KnowledgeSource refunds")


# --- models ---------------------------------------------------------------------------------------
def test_server_produced_source_fields_never_make_a_diff() -> None:
    desired = source("know_knowledgebase_01aaaaaaaaaaaaaaaaaaaaaaaa", source=WEB).wire()
    live = {
        **desired,
        "id": "know_knowledge_01bbbbbbbbbbbbbbbbbbbbbbbb",
        "status": "COMPLETED",
        "createdAt": "2026-01-01T00:00:00Z",
        "source": {
            **WEB,
            "crawlDepth": 2,  # the defaults, as Twilio answers them
            "crawlPeriod": "NEVER",
            "errors": [{"title": "404 Not Found", "instances": []}],
            "importUrl": "https://upload.example.com/x",
            "uploadExpiration": "2026-01-01T01:00:00Z",
        },
    }
    assert KnowledgeSourceModel.diff(desired, live) == []


@pytest.mark.parametrize(
    ("change", "replaces"),
    [
        ({"name": "refunds"}, False),
        ({"description": "When customers ask about refunds"}, False),
        ({"source": {**WEB, "crawlDepth": 4}}, False),
        ({"source": {**WEB, "crawlPeriod": "WEEKLY"}}, False),
        ({"source": {**WEB, "url": "https://example.com/faq"}}, True),
        ({"source": TEXT}, True),  # Web -> Text: a new type
        ({"knowledgeBaseId": "know_knowledgebase_01cccccccccccccccccccccccc"}, True),
    ],
)
def test_a_source_type_url_or_base_change_replaces_the_rest_updates(
    change: dict[str, Any], replaces: bool
) -> None:
    old = source("know_knowledgebase_01aaaaaaaaaaaaaaaaaaaaaaaa", source=WEB).wire()
    plan = KnowledgeSourceModel.plan(KnowledgeSourceModel.diff(old, {**old, **change}))
    assert plan.changes
    assert plan.needs_replace is replaces


def test_text_content_changes_in_place() -> None:
    old = source("know_knowledgebase_01aaaaaaaaaaaaaaaaaaaaaaaa").wire()
    new = {**old, "source": {**TEXT, "content": "Refunds are paid within 3 days."}}
    plan = KnowledgeSourceModel.plan(KnowledgeSourceModel.diff(old, new))
    assert [c.path for c in plan.changes] == ["source.content"]
    assert not plan.needs_replace


def test_the_base_id_is_the_path_not_the_body() -> None:
    model = source("know_knowledgebase_01aaaaaaaaaaaaaaaaaaaaaaaa")
    assert model.api_body() == {"name": "refund-policy", "source": TEXT}


def test_a_source_name_is_derived_within_30_characters() -> None:
    book = {"resourceName": "a-very-long-logical-source-name-indeed", "scope": ["proj", "dev"]}
    checked = KnowledgeSourceProvider().check(
        {},
        {
            **book,
            "knowledgeBaseId": "know_knowledgebase_01aaaaaaaaaaaaaaaaaaaaaaaa",
            "source": TEXT,
        },
    )
    assert checked.failures == []
    assert len(checked.inputs["name"]) <= 30
    assert checked.inputs["name"].startswith("a-very-long")


def test_a_deletion_policy_is_retain_or_delete_on_data_kinds_only() -> None:
    book = {"resourceName": "faq", "scope": ["proj", "dev"]}
    props = {"knowledgeBaseId": "know_knowledgebase_01aaaaaaaaaaaaaaaaaaaaaaaa", "source": TEXT}
    checked = KnowledgeSourceProvider().check({}, {**book, **props, "deletionPolicy": "keep"})
    [failure] = checked.failures
    assert "deletionPolicy" in failure.reason
    assert "'retain' or 'delete'" in failure.reason


# --- base URLs ------------------------------------------------------------------------------------
def test_each_api_has_its_own_base_url_setting_falling_back_to_the_shared_one() -> None:
    assert base_urls({}, {}) == TWILIO_HOSTS
    assert TWILIO_HOSTS["knowledge"] == "https://knowledge.twilio.com"
    shared = {"TWILIO_BASE_URL": "http://127.0.0.1:8787/"}
    assert set(base_urls({}, shared).values()) == {"http://127.0.0.1:8787"}
    own = base_urls(
        {"twilio:knowledgeBaseUrl": "https://knowledge.eu.example"},
        {**shared, "TWILIO_MEMORY_BASE_URL": "https://memory.proxy.example"},
    )
    assert own == {
        "intelligence": "http://127.0.0.1:8787",
        "conversations": "http://127.0.0.1:8787",
        "memory": "https://memory.proxy.example",
        "knowledge": "https://knowledge.eu.example",
    }
    # Stack config wins over the environment for the same API.
    both = base_urls(
        {"twilio:knowledgeBaseUrl": "https://a.example"},
        {"TWILIO_KNOWLEDGE_BASE_URL": "https://b.example"},
    )
    assert both["knowledge"] == "https://a.example"
    assert base_urls({}, {"TWILIO_KNOWLEDGE_BASE_URL": "https://k.example"})["intelligence"] == (
        "https://intelligence.twilio.com"
    )


# --- knowledge bases ------------------------------------------------------------------------------
def test_base_create_polls_the_operation_then_the_base_to_active(
    api: TwilioApi, emulator: EmulatorHandle
) -> None:
    mark = emulator.mark()
    created = KnowledgeBaseReconciler(api).create(base())
    assert created.server["status"] == "ACTIVE"
    assert writes(emulator, mark) == [("POST", BASES)]
    polled = emulator.requests(since=mark, method="GET", path_regex=f"^{OPERATIONS}/")
    assert polled
    assert polled[-1]["status"] == 200
    assert KnowledgeBaseReconciler(api).observe(created.id, base().wire()).up_to_date


def test_base_rename_patches_with_if_match_and_refresh_sees_an_edit(
    api: TwilioApi, emulator: EmulatorHandle
) -> None:
    rec = KnowledgeBaseReconciler(api)
    created = rec.create(base())
    mark = emulator.mark()
    updated = rec.update(created.id, base(description="What agents may quote"), created.server)
    assert writes(emulator, mark) == [("PATCH", f"{BASES}/{created.id}")]
    [patch] = emulator.requests(since=mark, method="PATCH")
    assert {k.lower() for k in patch["headers"]} >= {"if-match"}
    assert updated.server["version"] == 2
    client = emulator.client()
    client.patch(f"{BASES}/{created.id}", json={"description": "edited"}).raise_for_status()
    emulator.advance_clock(5)
    observed = rec.observe(created.id, base(description="What agents may quote").wire())
    assert [(c.path, c.new) for c in observed.changes] == [("description", "edited")]


def test_base_create_after_a_lost_response_adopts_without_a_duplicate(
    api: TwilioApi, emulator: EmulatorHandle
) -> None:
    rec = KnowledgeBaseReconciler(api)
    created = created_after_a_lost_answer(emulator, rec, base(), f"^{BASES}$")
    live = api.list_knowledge_bases()
    assert [b["id"] for b in live] == [created.id]


def test_base_deletion_follows_the_policy(
    api: TwilioApi, emulator: EmulatorHandle, caplog: pytest.LogCaptureFixture
) -> None:
    rec = KnowledgeBaseReconciler(api)
    created = rec.create(base())
    recorded = {**base().wire(), **created.server}
    mark = emulator.mark()
    with caplog.at_level(logging.WARNING, logger="pulumi_twilio_intelligence"):
        rec.delete(created.id, recorded)  # no policy recorded: retain
    assert writes(emulator, mark) == []
    [warning] = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert created.id in warning
    assert "support-knowledge-1a2b3c" in warning
    assert "retained" in warning
    assert rec.observe(created.id).exists

    rec.delete(created.id, {**recorded, "deletionPolicy": "delete"})
    assert writes(emulator, mark) == [("DELETE", f"{BASES}/{created.id}")]
    assert emulator.requests(since=mark, method="GET", path_regex=f"^{OPERATIONS}/")
    assert not rec.observe(created.id).exists
    rec.delete(created.id, {**recorded, "deletionPolicy": "delete"})  # gone already: fine


def test_memory_store_delete_policy_deletes_and_polls(
    api: TwilioApi, emulator: EmulatorHandle
) -> None:
    rec = MemoryStoreReconciler(api)
    created = rec.create(
        MemoryStoreReconciler.model.validate_desired({"displayName": "mem-1a2b3c"}, "MemoryStore m")
    )
    mark = emulator.mark()
    rec.delete(created.id, {"displayName": "mem-1a2b3c", "deletionPolicy": "delete"})
    assert writes(emulator, mark) == [("DELETE", f"{STORES}/{created.id}")]
    assert emulator.requests(since=mark, method="GET", path_regex="^/v1/ControlPlane/Operations/")
    assert api.list_store_ids() == []


# --- knowledge sources ----------------------------------------------------------------------------
@pytest.fixture
def base_id(api: TwilioApi) -> str:
    return KnowledgeBaseReconciler(api).create(base()).id


def test_source_create_waits_until_processed(
    api: TwilioApi, emulator: EmulatorHandle, base_id: str
) -> None:
    mark = emulator.mark()
    created = KnowledgeSourceReconciler(api).create(source(base_id))
    assert created.id.startswith(f"{base_id}:know_knowledge_")
    assert created.server["status"] == "COMPLETED"
    assert writes(emulator, mark) == [("POST", f"/v2/KnowledgeBases/{base_id}/Knowledge")]
    assert KnowledgeSourceReconciler(api).observe(created.id, source(base_id).wire()).up_to_date


def test_source_rename_sends_name_but_not_unchanged_content(
    api: TwilioApi, emulator: EmulatorHandle, base_id: str
) -> None:
    rec = KnowledgeSourceReconciler(api)
    created = rec.create(source(base_id))
    mark = emulator.mark()
    rec.update(created.id, source(base_id, name="refunds"), created.server)
    [patch] = emulator.requests(since=mark, method="PATCH")
    assert patch["body"] == {"name": "refunds"}
    content = {**TEXT, "content": "Refunds are paid within 3 days."}
    mark = emulator.mark()
    updated = rec.update(created.id, source(base_id, name="refunds", source=content), {})
    [patch] = emulator.requests(since=mark, method="PATCH")
    assert patch["body"] == {"name": "refunds", "source": content}  # name always (E13)
    assert updated.server["status"] == "COMPLETED"
    live = rec.fetch(created.id)
    assert live is not None
    assert live["source"]["content"] == content["content"]


def test_source_create_after_a_lost_response_adopts_without_a_duplicate(
    api: TwilioApi, emulator: EmulatorHandle, base_id: str
) -> None:
    path = f"/v2/KnowledgeBases/{base_id}/Knowledge"
    rec = KnowledgeSourceReconciler(api)
    created = created_after_a_lost_answer(emulator, rec, source(base_id), f"^{path}$")
    assert [s["id"] for s in api.list_knowledge_sources(base_id)] == [created.id.split(":")[1]]


def test_failed_processing_is_an_error_naming_the_source(
    api: TwilioApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The emulator fails only File sources (a corrupt upload); a Text source's FAILED answer is
    # given here directly.
    failed: dict[str, Any] = {
        "id": "know_knowledge_01bbbbbbbbbbbbbbbbbbbbbbbb",
        "name": "refund-policy",
        "status": "FAILED",
        "source": {**WEB, "errors": [{"title": "404 Not Found", "instances": []}]},
    }
    monkeypatch.setattr(api, "get_knowledge_source", lambda base_id, source_id: failed)
    with pytest.raises(OperationFailedError, match=r"'refund-policy'.*FAILED: 404 Not Found"):
        api.wait_knowledge_source_processed("know_knowledgebase_x", str(failed["id"]))


def test_a_source_id_names_its_base() -> None:
    with pytest.raises(ValidationError, match="knowledge base id"):
        KnowledgeSourceReconciler.fetch(
            KnowledgeSourceReconciler.__new__(KnowledgeSourceReconciler), "know_knowledge_x"
        )


# --- references in the stack file ---------------------------------------------------------------
PAIR = "know_knowledgebase_01aaaaaaaaaaaaaaaaaaaaaaaa:know_knowledge_01bbbbbbbbbbbbbbbbbbbbbbbb"
KNOWLEDGE_FILE = f"""
knowledgeBases:
  faq: {{description: Answers, deletionPolicy: delete}}
knowledgeSources:
  refunds:
    knowledgeBase: faq
    source: {{type: Text, content: Refunds take 5 days.}}
operators:
  answerer:
    prompt: "Answer from {{{{parameters.kb}}}} and {{{{parameters.other}}}}."
    outputFormat: TEXT
    parameters:
      kb: {{type: KNOWLEDGE_BASE_AND_SOURCE_IDS}}
      other: {{type: KNOWLEDGE_BASE_AND_SOURCE_IDS}}
intelligenceConfigurations:
  analytics:
    rules:
      answers:
        operators:
          answerer: {{parameters: {{kb: refunds, other: "{PAIR}"}}}}
        context:
          knowledge:
            bases: [faq, refunds, know_knowledgebase_01cccccccccccccccccccccccc]
"""


def test_names_of_knowledge_become_typed_references_and_ids_stay(tmp_path: Any) -> None:
    from pulumi_twilio_intelligence import stackfile  # noqa: PLC0415
    from pulumi_twilio_intelligence._core.refs import Ref  # noqa: PLC0415

    path = tmp_path / "stack.yaml"
    path.write_text(KNOWLEDGE_FILE)
    state = stackfile.load(path)
    source_body = state.knowledge_sources["refunds"]
    assert source_body["knowledgeBaseId"] == Ref("KnowledgeBase", "faq")
    assert source_body["deletionPolicy"] == "delete", "a source follows its base's policy"
    [rule] = state.intelligence_configurations["analytics"]["rules"]
    params = rule["operators"][0]["parameters"]
    assert params == {"kb": Ref("KnowledgeSource", "refunds"), "other": PAIR}
    assert isinstance(params["kb"], Ref)
    bases = rule["context"]["knowledge"]["bases"]
    assert bases == [
        Ref("KnowledgeBase", "faq"),
        Ref("KnowledgeSource", "refunds"),
        "know_knowledgebase_01cccccccccccccccccccccccc",
    ]
    assert [type(b) for b in bases] == [Ref, Ref, str]
