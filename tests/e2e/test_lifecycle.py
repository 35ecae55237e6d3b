"""The lifecycle of the dev stack through the real engine, asserted through the emulator's log.

These are the behaviours the project exists for: a rule change replaces the Intelligence
Configuration (POST new, relink the Conversation configuration, DELETE old) and never PUTs it.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from tests.e2e.conftest import Deployment
from tools.pulumi_project import PROMPT_EDIT, RULE_EDIT

V3_CONFIGS = "/v3/ControlPlane/Configurations"
V2_CONFIGS = "/v2/ControlPlane/Configurations"
OPERATORS = "/v3/ControlPlane/Operators"

pytestmark = pytest.mark.e2e


def _ids(d: Deployment) -> dict[str, Any]:
    return d.pulumi.outputs()


def _up(d: Deployment) -> dict[str, Any]:
    """``pulumi up``, then the stack's outputs (the ids it deployed)."""
    d.pulumi.up()
    return _ids(d)


def _up_then_edit(d: Deployment, old: str, new: str) -> dict[str, Any]:
    """Deploy, then replace ``old`` by ``new`` in the base stack file; returns the ids deployed."""
    ids = _up(d)
    d.edit(old, new)
    return ids


def _live(d: Deployment, path: str) -> dict[str, Any]:
    response = d.emulator.client().get(path)
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body


def _line_index(lines: list[str], fragment: str) -> int:
    return next(i for i, line in enumerate(lines) if fragment in line)


def _conversation_links(d: Deployment) -> list[str]:
    config_id = _ids(d)["conversationConfigurations"]["support"]
    links: list[str] = _live(d, f"{V2_CONFIGS}/{config_id}")["intelligenceConfigurationIds"]
    return links


def test_up_creates_everything_and_then_nothing_changes(deployment: Deployment) -> None:
    d = deployment
    ids = _up(d)
    config_id = ids["intelligenceConfigurations"]["support-analytics"]
    live_config = _live(d, f"{V3_CONFIGS}/{config_id}")
    assert live_config["version"] == 1
    assert [len(r["operators"]) for r in live_config["rules"]] == [2, 1, 1]
    assert _conversation_links(d) == [config_id]
    for operator_id in ids["operators"].values():
        assert _live(d, f"{OPERATORS}/{operator_id}")["author"] == "SELF"
    store_id = ids["memoryStores"]["support-memory"]
    assert _live(d, f"/v1/ControlPlane/Stores/{store_id}")["status"] == "ACTIVE"

    mark = d.emulator.mark()
    d.pulumi.preview("--expect-no-changes")
    d.pulumi.refresh("--expect-no-changes")
    assert d.writes(mark) == [], "preview and refresh must not write"


def test_rule_change_replaces_configuration_without_put(deployment: Deployment) -> None:
    d = deployment
    ids = _up_then_edit(d, *RULE_EDIT)
    old_config = ids["intelligenceConfigurations"]["support-analytics"]
    conversation = ids["conversationConfigurations"]["support"]
    preview = d.pulumi.preview("--diff")
    assert "support-analytics" in preview.stdout
    assert "replace" in preview.stdout

    mark = d.emulator.mark()
    new_config = _up(d)["intelligenceConfigurations"]["support-analytics"]
    assert new_config != old_config
    assert d.writes(mark) == [
        ("POST", V3_CONFIGS),
        ("PUT", f"{V2_CONFIGS}/{conversation}"),
        ("DELETE", f"{V3_CONFIGS}/{old_config}"),
    ]
    assert _conversation_links(d) == [new_config]
    live_rules = _live(d, f"{V3_CONFIGS}/{new_config}")["rules"]
    assert live_rules[1]["triggers"][0]["on"] == "CONVERSATION_INACTIVE"

    # A conversation afterwards: the changed rule fires when the conversation goes inactive
    # (5 minutes without messages on SMS in the dev stack), from the new configuration.
    conversation = d.converse("Where is my parcel?", "It is late again.")
    d.emulator.advance_clock(6 * 60)
    results = d.results(conversation)
    assert {r["intelligenceConfiguration"]["id"] for r in results} == {new_config}
    assert [r["executionDetails"]["trigger"]["on"] for r in results].count(
        "CONVERSATION_INACTIVE"
    ) == 1
    assert d.pulumi.resources("IntelligenceConfiguration")[0]["outputs"]["predecessorIds"] == [
        old_config
    ]
    d.pulumi.preview("--expect-no-changes")


def test_operator_prompt_change_replaces_operator_and_configuration(deployment: Deployment) -> None:
    d = deployment
    before = _up_then_edit(d, *PROMPT_EDIT)
    old_operator = before["operators"]["churn-risk"]
    old_config = before["intelligenceConfigurations"]["support-analytics"]
    conversation = before["conversationConfigurations"]["support"]
    mark = d.emulator.mark()
    after = _up(d)
    new_operator = after["operators"]["churn-risk"]
    new_config = after["intelligenceConfigurations"]["support-analytics"]
    assert new_operator != old_operator
    assert new_config != old_config
    assert d.writes(mark) == [
        ("POST", OPERATORS),
        ("POST", V3_CONFIGS),
        ("PUT", f"{V2_CONFIGS}/{conversation}"),
        ("DELETE", f"{V3_CONFIGS}/{old_config}"),
        ("DELETE", f"{OPERATORS}/{old_operator}"),
    ]
    assert _conversation_links(d) == [new_config]
    rule_operators = [
        o["id"] for o in _live(d, f"{V3_CONFIGS}/{new_config}")["rules"][0]["operators"]
    ]
    assert new_operator in rule_operators
    d.pulumi.preview("--expect-no-changes")


def test_out_of_band_put_is_reported_and_replaced(deployment: Deployment) -> None:
    d = deployment
    config_id = _up(d)["intelligenceConfigurations"]["support-analytics"]
    live = _live(d, f"{V3_CONFIGS}/{config_id}")
    body = {
        "displayName": live["displayName"],
        "description": "edited in the console",
        "rules": live["rules"],
    }
    d.emulator.client().put(f"{V3_CONFIGS}/{config_id}", json=body).raise_for_status()
    silent = d.converse("Hello?", "Anyone there?")
    assert d.results(silent) == [], "a configuration changed with PUT produces nothing"

    refresh = d.pulumi.refresh("--expect-no-changes", check=False)
    assert refresh.returncode != 0
    assert "support-analytics" in refresh.stdout

    d.pulumi.refresh()
    mark = d.emulator.mark()
    new_config = _up(d)["intelligenceConfigurations"]["support-analytics"]
    assert new_config != config_id
    assert _live(d, f"{V3_CONFIGS}/{new_config}")["version"] == 1
    assert ("DELETE", f"{V3_CONFIGS}/{config_id}") in d.writes(mark)
    assert _conversation_links(d) == [new_config]
    flowing = d.converse("Hello again", "Thanks, great service")
    assert {r["intelligenceConfiguration"]["id"] for r in d.results(flowing)} == {new_config}
    d.pulumi.preview("--refresh", "--expect-no-changes")


def test_out_of_band_delete_is_noticed_and_recreated(deployment: Deployment) -> None:
    d = deployment
    ids = _up(d)
    operator_id = ids["operators"]["contact-reason"]
    config_id = ids["intelligenceConfigurations"]["support-analytics"]
    client = d.emulator.client()
    client.delete(f"{V3_CONFIGS}/{config_id}").raise_for_status()

    assert d.pulumi.refresh("--expect-no-changes", check=False).returncode != 0
    d.pulumi.refresh()
    new_config = _up(d)["intelligenceConfigurations"]["support-analytics"]
    assert new_config != config_id
    assert _live(d, f"{V3_CONFIGS}/{new_config}")["version"] == 1
    assert _conversation_links(d) == [new_config]
    assert _ids(d)["operators"]["contact-reason"] == operator_id
    d.pulumi.preview("--refresh", "--expect-no-changes")


def test_destroy_deletes_everything_the_dev_stack_holds(deployment: Deployment) -> None:
    """The dev stack's deletionPolicy is delete: its store goes too, after the configuration
    that points at it (tests/e2e/test_knowledge.py covers retain)."""
    d = deployment
    ids = _up(d)
    store_id = ids["memoryStores"]["support-memory"]
    mark = d.emulator.mark()
    d.pulumi.destroy()
    client = d.emulator.client()
    assert client.get(V3_CONFIGS).json()["items"] == []
    assert [o for o in client.get(OPERATORS).json()["items"] if o["author"] == "SELF"] == []
    assert client.get(V2_CONFIGS).json()["configurations"] == []
    assert client.get("/v1/ControlPlane/Stores").json()["stores"] == []
    writes = d.writes(mark)
    conversation = ids["conversationConfigurations"]["support"]
    assert writes.index(("DELETE", f"{V2_CONFIGS}/{conversation}")) < writes.index(
        ("DELETE", f"/v1/ControlPlane/Stores/{store_id}")
    )


def test_bad_stack_file_fails_before_any_request(deployment: Deployment) -> None:
    d = deployment
    d.edit("trigger: {on: COMMUNICATION, count: 1}", "trigger: {on: COMMUNICATION, count: 50}")
    mark = d.emulator.mark()
    result = d.pulumi.up(check=False)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    line = next(
        n
        for n, text in enumerate(d.stack_file("base").read_text().splitlines(), start=1)
        if "count: 50" in text
    )
    assert f"stacks/base.yaml:{line}" in output
    assert "support-analytics" in output
    assert "rules.realtime.trigger.count" in output
    assert "less than or equal to 20" in output
    assert d.emulator.requests(since=mark) == []


def test_grouping_type_change_deletes_before_replacing(deployment: Deployment) -> None:
    d = deployment
    ids = _up_then_edit(
        d,
        "conversationGroupingType: GROUP_BY_PARTICIPANT_ADDRESSES",
        "conversationGroupingType: GROUP_BY_PROFILE",
    )
    old = ids["conversationConfigurations"]["support"]
    config_id = ids["intelligenceConfigurations"]["support-analytics"]
    lines = d.pulumi.preview().stdout.splitlines()
    delete = _line_index(lines, "ConversationConfiguration support delete original")
    create = _line_index(lines, "ConversationConfiguration support create replacement")
    assert delete < create, "the preview must show the old configuration deleted first"
    assert "[diff: ~conversationGroupingType]" in lines[create]

    mark = d.emulator.mark()
    new = _up(d)["conversationConfigurations"]["support"]
    assert new != old
    # Two configurations capturing the same addresses would duplicate traffic: the old one
    # goes first.
    assert d.writes(mark) == [("DELETE", f"{V2_CONFIGS}/{old}"), ("POST", V2_CONFIGS)]
    live = _live(d, f"{V2_CONFIGS}/{new}")
    assert live["conversationGroupingType"] == "GROUP_BY_PROFILE"
    assert live["intelligenceConfigurationIds"] == [config_id]
    d.pulumi.preview("--expect-no-changes")


def test_existing_memory_store_is_referenced_not_managed(deployment: Deployment) -> None:
    d = deployment
    client = d.emulator.client()
    accepted = client.post("/v1/ControlPlane/Stores", json={"displayName": "shared-memory"})
    accepted.raise_for_status()
    d.emulator.advance_clock(60)
    store_id = next(
        s
        for s in client.get("/v1/ControlPlane/Stores").json()["stores"]
        if client.get(f"/v1/ControlPlane/Stores/{s}").json()["displayName"] == "shared-memory"
    )
    d.edit(
        "  support-memory:\n    description: Customer memory for the support line",
        f"  support-memory:\n    existingId: {store_id}",
    )
    # A reference to an existing store takes no deletion policy: the stack never deletes it.
    d.edit("memoryStores:\n  support-memory: {deletionPolicy: delete}\n", "", name="dev")
    d.pulumi.up()
    assert d.pulumi.resources("MemoryStore") == []
    config_id = _ids(d)["conversationConfigurations"]["support"]
    assert _live(d, f"{V2_CONFIGS}/{config_id}")["memoryStoreId"] == store_id
    d.pulumi.destroy()
    assert client.get("/v1/ControlPlane/Stores").json()["stores"] == [store_id]


ESCALATIONS = (
    "  escalations:\n"
    "    description: A summary for the escalation team when the conversation ends\n"
    "    rules:\n"
    "      wrap-up:\n"
    "        operators:\n"
    "          summary: {}\n"
    "        trigger: {on: CONVERSATION_END}\n"
    "\n"
    "conversationConfigurations:\n"
)


def test_two_new_linked_configurations_preview_and_deploy(deployment: Deployment) -> None:
    """The first preview of a stack whose Conversation configuration links two Intelligence
    Configurations: both ids are unknown until they are created, and are not the same one."""
    d = deployment
    d.edit("conversationConfigurations:\n", ESCALATIONS)
    d.edit(
        "intelligenceConfigurations: [support-analytics]",
        "intelligenceConfigurations: [support-analytics, escalations]",
    )
    mark = d.emulator.mark()
    preview = d.pulumi.preview()
    assert "ConversationConfiguration" in preview.stdout
    assert d.writes(mark) == [], "a preview writes nothing"

    d.pulumi.run("up", "--yes")  # with its preview, as a person runs it
    configs = _ids(d)["intelligenceConfigurations"]
    assert set(configs) == {"support-analytics", "escalations"}
    assert sorted(_conversation_links(d)) == sorted(configs.values())
    d.pulumi.preview("--expect-no-changes")

    # Naming one configuration twice is still refused, before any request.
    d.edit(
        "intelligenceConfigurations: [support-analytics, escalations]",
        "intelligenceConfigurations: [escalations, escalations]",
    )
    mark = d.emulator.mark()
    refused = d.pulumi.preview(check=False)
    assert refused.returncode != 0
    assert "lists the same configuration twice" in refused.stdout + refused.stderr
    assert d.emulator.requests(since=mark) == []


def test_in_place_operator_update_puts_with_an_integer_if_match(deployment: Deployment) -> None:
    """updateStrategy: in-place PUTs the operator with If-Match on the version recorded in
    Pulumi state (which hands numbers back as floats): "1", then "2", never "1.0"."""
    d = deployment
    d.edit(
        "  contact-reason:\n    description: Why the customer got in touch\n",
        "  contact-reason:\n    updateStrategy: in-place\n"
        "    description: Why the customer got in touch\n",
    )
    ids = _up(d)
    operator_id = ids["operators"]["contact-reason"]
    config_id = ids["intelligenceConfigurations"]["support-analytics"]
    descriptions = ["Why the customer got in touch", "Why they got in touch", "Why they wrote"]
    for version, (before, description) in enumerate(itertools.pairwise(descriptions), start=1):
        d.edit(f"    description: {before}\n", f"    description: {description}\n")
        mark = d.emulator.mark()
        d.pulumi.up()
        assert d.writes(mark) == [("PUT", f"{OPERATORS}/{operator_id}")]
        (put,) = d.emulator.requests(method="PUT", since=mark)
        assert put["status"] == 200
        assert put["headers"].get("if-match") == str(version)
        live = _live(d, f"{OPERATORS}/{operator_id}")
        assert (live["version"], live["description"]) == (version + 1, description)
        assert _ids(d)["operators"]["contact-reason"] == operator_id, "updated, not replaced"
        d.pulumi.preview("--expect-no-changes")
    assert _ids(d)["intelligenceConfigurations"]["support-analytics"] == config_id
