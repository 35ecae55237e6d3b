"""POST /v3/RuleExecutions (intelligence-v3.md §3.18): one stored rule, one conversation."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from twilio_emulator.testing import EmulatorHandle

from tests.emulator.dataplane_helpers import (
    conversation,
    intelligence_with_rule,
    orchestrator_config,
    results_of,
)
from tests.emulator.emulator_helpers import SENTIMENT, assert_valid, create_operator
from tests.emulator.test_intelligence_configurations import error_of

EXECUTIONS = "/v3/RuleExecutions"
UNKNOWN_CONFIG = "intelligence_configuration_01kermhm82e5mr98nbeh1hpmbn"
UNKNOWN_RULE = "intelligence_configurationrule_01kermhm81fwfvy7j0f7h7v5mr"
UNKNOWN_CONVERSATION = "conv_conversation_01k1etk2y5f1y9fpe2epfdtvv2"


@pytest.fixture
def setup(emulator: EmulatorHandle, api: httpx.Client) -> dict[str, Any]:
    """A configuration whose one rule (custom operator, scale 2) fires only at the end, and a
    conversation of two communications under an Orchestrator configuration."""
    emulator.set_settings(operation_delay_seconds=0)
    operator = create_operator(api)
    config = intelligence_with_rule(
        api,
        operator["id"],
        operators=[{"id": operator["id"], "parameters": {"scale": 2}}],
        triggers=[{"on": "CONVERSATION_END"}],
    )
    orchestrator = orchestrator_config(api, intelligenceConfigurationIds=[config["id"]])
    conv = conversation(api, orchestrator, "Hello, I need help", "Thanks, that was great")
    return {
        "operator": operator,
        "config": config,
        "orchestrator": orchestrator,
        "body": {
            "intelligenceConfigurationId": config["id"],
            "ruleId": config["rules"][0]["id"],
            "conversationId": conv,
        },
    }


def test_runs_the_stored_rule_and_answers_202_without_body(
    api: httpx.Client, setup: dict[str, Any]
) -> None:
    body = setup["body"]
    assert_valid(body, "rule-execution.create.json")
    assert results_of(api, body["conversationId"]) == []  # the rule's trigger has not fired
    response = api.post(EXECUTIONS, json=body)
    assert response.status_code == 202
    assert response.content == b""
    results = results_of(api, body["conversationId"])
    assert len(results) == 1
    result = results[0]
    assert result["intelligenceConfiguration"] == {
        "id": body["intelligenceConfigurationId"],
        "ruleId": body["ruleId"],
        "version": 1,
    }
    assert result["operator"]["id"] == setup["operator"]["id"]
    assert result["operator"]["parameters"] == {"scale": 2}
    assert set(result["result"]) == {"score", "explanation"}
    assert_valid(result, "operator-result.json")
    assert api.post(EXECUTIONS, json=body).status_code == 202  # not a resource: runs again
    assert len(results_of(api, body["conversationId"])) == 2


def test_overrides_apply_to_this_execution_only(api: httpx.Client, setup: dict[str, Any]) -> None:
    body = setup["body"]
    override = {"operators": [{"id": setup["operator"]["id"], "parameters": {"scale": 3}}]}
    # Other fields inside `rule` are not part of the schema and are ignored.
    response = api.post(EXECUTIONS, json={**body, "rule": {**override, "triggers": []}})
    assert response.status_code == 202, response.text
    assert results_of(api, body["conversationId"])[0]["operator"]["parameters"] == {"scale": 3}
    stored = api.get(f"/v3/ControlPlane/Configurations/{body['intelligenceConfigurationId']}")
    assert stored.json()["rules"][0]["operators"][0]["parameters"] == {"scale": 2}
    assert stored.json()["version"] == 1


def test_results_arrive_like_a_triggered_runs(
    emulator: EmulatorHandle, api: httpx.Client, setup: dict[str, Any]
) -> None:
    body = setup["body"]
    api.post(EXECUTIONS, json=body)
    emulator.advance_clock(5 * 60)  # SMS timeouts: INACTIVE after 5 minutes,
    emulator.advance_clock(10 * 60)  # CLOSED 10 later: the END trigger fires
    results = results_of(api, body["conversationId"])
    on_demand, triggered = results
    assert on_demand["operator"] == triggered["operator"]
    assert on_demand["intelligenceConfiguration"] == triggered["intelligenceConfiguration"]
    assert on_demand["result"] == triggered["result"]  # same conversation, same output
    v3 = api.get(f"/v3/Conversations/{body['conversationId']}").json()
    assert v3["operatorResultIds"] == [r["id"] for r in results]


@pytest.mark.parametrize("trap", [True, False])
def test_inactive_configuration_yields_nothing(
    emulator: EmulatorHandle, api: httpx.Client, setup: dict[str, Any], trap: bool
) -> None:
    """gotchas A1: after a PUT the configuration silently stops producing results; an
    on-demand run is a run like any other."""
    emulator.set_traps(put_deactivates_configuration=trap)
    body = setup["body"]
    config = setup["config"]
    put = api.put(
        f"/v3/ControlPlane/Configurations/{config['id']}",
        json={"displayName": "renamed", "description": "d", "rules": config["rules"]},
    )
    assert put.status_code == 200, put.text
    assert api.post(EXECUTIONS, json=body).status_code == 202
    assert len(results_of(api, body["conversationId"])) == (0 if trap else 1)


def test_conversation_without_communications_yields_nothing(
    api: httpx.Client, setup: dict[str, Any]
) -> None:
    silent = conversation(api, setup["orchestrator"])
    assert api.post(EXECUTIONS, json={**setup["body"], "conversationId": silent}).status_code == 202
    assert results_of(api, silent) == []


def test_bad_bodies_answer_400(api: httpx.Client, setup: dict[str, Any]) -> None:
    body = setup["body"]
    operator_id = setup["operator"]["id"]
    cases: list[tuple[dict[str, Any], str]] = [
        ({}, "intelligenceConfigurationId: must not be null"),
        ({**body, "ruleId": "rule_1"}, "ruleId: must match"),
        ({**body, "conversationId": 7}, "conversationId: must be a string"),
        ({**body, "rule": {}}, "rule.operators: must not be null"),
        ({**body, "rule": {"operators": [{"id": operator_id}]}}, "parameters: must not be null"),
        ({**body, "rule": {"operators": [{"id": SENTIMENT, "parameters": {}}]}}, "not an operator"),
        (
            {**body, "rule": {"operators": [{"id": operator_id, "parameters": {"tone": 1}}]}},
            "declares no 'tone'",
        ),
        (
            {**body, "rule": {"operators": [{"id": operator_id, "parameters": {"scale": "x"}}]}},
            "rule.operators[0].parameters.scale",
        ),
    ]
    for request, fragment in cases:
        message = error_of(api.post(EXECUTIONS, json=request), 400)
        assert fragment in message, (request, message)
    assert results_of(api, body["conversationId"]) == []


def test_unknown_ids_answer_404(api: httpx.Client, setup: dict[str, Any]) -> None:
    body = setup["body"]
    other = intelligence_with_rule(api, SENTIMENT)
    for request in (
        {**body, "intelligenceConfigurationId": UNKNOWN_CONFIG},
        {**body, "ruleId": UNKNOWN_RULE},
        {**body, "ruleId": other["rules"][0]["id"]},  # a rule, but of another configuration
        {**body, "conversationId": UNKNOWN_CONVERSATION},
    ):
        error_of(api.post(EXECUTIONS, json=request), 404, 20404)


def test_no_memory_store_derivable_answers_422(api: httpx.Client, setup: dict[str, Any]) -> None:
    deleted = api.delete(f"/v2/ControlPlane/Configurations/{setup['orchestrator']}")
    assert deleted.status_code == 202
    response = api.post(EXECUTIONS, json=setup["body"])
    assert "memoryStoreId" in error_of(response, 422, 20422)
    assert_valid(response.json(), "error.json", "intelligenceV3Error")
