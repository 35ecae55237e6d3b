"""Knowledge as Intelligence v3 uses it (intelligence-v3.md §4.14, §4.12 ResolvedContext):
OperatorResults report the COMPLETED Text sources a run used, and (behind the
``knowledge_references_must_exist`` setting) configurations must name existing ones."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from twilio_emulator.testing import EmulatorHandle, operator_results, simulate_sms_conversation

from tests.emulator.emulator_helpers import (
    assert_valid,
    config_body,
    conv_config_body,
    create_operator,
    rule,
)
from tests.emulator.knowledge_helpers import create_base, create_source, sources_path

CONFIGS = "/v3/ControlPlane/Configurations"
KB_PARAMETER = {"kb": {"type": "KNOWLEDGE_BASE_AND_SOURCE_IDS", "description": "the script"}}


def _operator(api: httpx.Client, *, knowledge: bool, kb_parameter: bool) -> str:
    created = create_operator(
        api,
        prompt="Rate the interaction.",
        context={"memory": {"enabled": False}, "knowledge": {"enabled": knowledge}},
        parameters=KB_PARAMETER if kb_parameter else {},
    )
    operator_id: str = created["id"]
    return operator_id


def _kb_rule(operator_id: str, value: str, **overrides: Any) -> dict[str, Any]:
    """A rule running ``operator_id`` with its ``kb`` parameter set to ``value``."""
    return rule(
        operator_id, operators=[{"id": operator_id, "parameters": {"kb": value}}], **overrides
    )


def _knowledge(emulator: EmulatorHandle, api: httpx.Client) -> dict[str, str]:
    """A base with two COMPLETED Text sources, a COMPLETED Web source, a QUEUED Text one."""
    emulator.set_settings(
        operation_delay_seconds=0,
        knowledge_base_provisioning_seconds=0,
        knowledge_processing_seconds=10,
    )
    kb_id = create_base(emulator, api)
    ids = {"base": kb_id}
    ids["script"] = create_source(api, kb_id, {"type": "Text", "content": "Greet first."})["id"]
    ids["policy"] = create_source(api, kb_id, {"type": "Text", "content": "Refunds: 5d."})["id"]
    ids["web"] = create_source(api, kb_id, {"type": "Web", "url": "https://example.com"})["id"]
    emulator.advance_clock(10)
    ids["late"] = create_source(api, kb_id, {"type": "Text", "content": "Not yet."})["id"]
    return ids


def _run(api: httpx.Client, rules: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Run the rules once on a one-message conversation; the results by rule index."""
    created = api.post(CONFIGS, json=config_body(rules=rules))
    assert created.status_code == 201, created.text
    config = created.json()
    conv = api.post(
        "/v2/ControlPlane/Configurations",
        json=conv_config_body(intelligenceConfigurationIds=[config["id"]]),
    )
    conv_config = conv.json()["related"]["configurationId"]
    conversation = simulate_sms_conversation(
        api, conv_config, [("+15551234567", "+18005550100", "Hello, I want a refund")]
    )
    results = operator_results(api, conversation)
    for result in results:
        assert_valid(result, "operator-result.json")
    rule_ids = [r["id"] for r in config["rules"]]
    return {str(rule_ids.index(r["intelligenceConfiguration"]["ruleId"])): r for r in results}


def _sources(result: dict[str, Any]) -> list[dict[str, str]] | None:
    knowledge = result["executionDetails"].get("resolvedContext", {}).get("knowledge")
    return None if knowledge is None else list(knowledge["sources"])


def test_results_report_the_knowledge_sources_used(
    emulator: EmulatorHandle, api: httpx.Client
) -> None:
    ids = _knowledge(emulator, api)
    base = ids["base"]
    with_parameter = _operator(api, knowledge=False, kb_parameter=True)
    with_context = _operator(api, knowledge=True, kb_parameter=False)
    without = _operator(api, knowledge=False, kb_parameter=False)
    on_base = {"knowledge": {"bases": [base]}}
    results = _run(
        api,
        [
            _kb_rule(with_parameter, f"{base}:{ids['policy']}"),
            rule(with_context, context=on_base),
            rule(without, context=on_base),
            rule(with_context, context={"knowledge": {"bases": [f"{base}:{ids['script']}"]}}),
        ],
    )
    assert _sources(results["0"]) == [{"baseId": base, "sourceId": ids["policy"]}]
    # A bare base id: its COMPLETED Text sources (not the Web one, not the QUEUED one).
    assert _sources(results["1"]) == [
        {"baseId": base, "sourceId": ids["script"]},
        {"baseId": base, "sourceId": ids["policy"]},
    ]
    # The operator does not enable knowledge context: nothing is injected.
    assert _sources(results["2"]) is None
    assert _sources(results["3"]) == [{"baseId": base, "sourceId": ids["script"]}]


def test_sources_not_completed_or_gone_are_not_reported(
    emulator: EmulatorHandle, api: httpx.Client
) -> None:
    ids = _knowledge(emulator, api)
    base = ids["base"]
    with_parameter = _operator(api, knowledge=False, kb_parameter=True)
    api.delete(f"{sources_path(base)}/{ids['policy']}").raise_for_status()
    results = _run(
        api,
        [
            _kb_rule(with_parameter, f"{base}:{ids['late']}"),
            _kb_rule(with_parameter, f"{base}:{ids['policy']}"),
        ],
    )
    assert _sources(results["0"]) is None
    assert _sources(results["1"]) is None


def test_references_are_only_format_checked_by_default(api: httpx.Client) -> None:
    operator = _operator(api, knowledge=True, kb_parameter=True)
    absent = (
        "know_knowledgebase_01k6fc25s7epm9qtk8rszbv3q5:know_knowledge_01k6fc25s7epm9qtk8rszbv3q6"
    )
    body = config_body(
        rules=[_kb_rule(operator, absent, context={"knowledge": {"bases": ["knowledge_base_id"]}})]
    )
    assert api.post(CONFIGS, json=body).status_code == 201


def _config_error(api: httpx.Client, body: dict[str, Any]) -> str:
    response = api.post(CONFIGS, json=body)
    assert response.status_code == 400, response.text
    message: str = response.json()["message"]
    return message


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("missing-base", "knowledge base know_knowledgebase_01k6fc25s7epm9qtk8rszbv3q5 does not"),
        ("missing-source", "does not exist in"),
        ("web", "is not a Text source"),
    ],
)
def test_references_must_exist_when_switched_on(
    emulator: EmulatorHandle, api: httpx.Client, kind: str, expected: str
) -> None:
    ids = _knowledge(emulator, api)
    emulator.set_settings(knowledge_references_must_exist=True)
    operator = _operator(api, knowledge=True, kb_parameter=True)
    value = {
        "missing-base": "know_knowledgebase_01k6fc25s7epm9qtk8rszbv3q5:" + ids["script"],
        "missing-source": f"{ids['base']}:know_knowledge_01k6fc25s7epm9qtk8rszbv3q6",
        "web": f"{ids['base']}:{ids['web']}",
    }[kind]
    body = config_body(rules=[_kb_rule(operator, value)])
    message = _config_error(api, body)
    assert "rules[0].operators[0].parameters.kb" in message
    assert expected in message


def test_context_bases_must_exist_when_switched_on(
    emulator: EmulatorHandle, api: httpx.Client
) -> None:
    ids = _knowledge(emulator, api)
    emulator.set_settings(knowledge_references_must_exist=True)
    operator = _operator(api, knowledge=True, kb_parameter=False)
    placeholder = config_body(
        rules=[rule(operator, context={"knowledge": {"bases": [ids["base"], "knowledge_base_id"]}})]
    )
    assert "rules[0].context.knowledge.bases[1]" in _config_error(api, placeholder)
    good = config_body(
        rules=[
            rule(
                operator,
                context={"knowledge": {"bases": [ids["base"], f"{ids['base']}:{ids['script']}"]}},
            )
        ]
    )
    assert api.post(CONFIGS, json=good).status_code == 201
