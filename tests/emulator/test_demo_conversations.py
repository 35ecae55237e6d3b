"""`make demo`'s conversations get results that agree with what was said.

Deploys, through the emulator's API, the operators and rules of stacks/base.yaml (and the demo's
rule change, stacks/demo/rule-change.yaml, for the second conversation, as `make demo` does), then
replays tools/demo.py's two conversations over SMS and reads the OperatorResults.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import yaml
from twilio_emulator.testing import EmulatorHandle

from tests.emulator.emulator_helpers import (
    SENTIMENT,
    SUMMARY,
    assert_valid,
    conv_config_body,
    create_config,
)
from tools.demo import BILLING_QUESTION, LATE_DELIVERY

ROOT = Path(__file__).resolve().parents[2]
NEXT_BEST_RESPONSE = "intelligence_operator_01kea27sy7ffsafmtsfp17nzx4"  # intelligence-v3.md
TWILIO_NAMES = {
    "sentiment": SENTIMENT,
    "summary": SUMMARY,
    "next-best-response": NEXT_BEST_RESPONSE,
}
AGENT = "+18005550100"  # the capture rule's number in conv_config_body
CUSTOMER = "+15551234567"


def load(path: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / path).read_text())
    return loaded


def merged(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merged(out[key], value)
        else:
            out[key] = value
    return out


def deploy_operators(api: httpx.Client, operators: dict[str, Any]) -> dict[str, str]:
    ids = dict(TWILIO_NAMES)
    for name, spec in operators.items():
        body = {"displayName": name, **spec}
        response = api.post("/v3/ControlPlane/Operators", json=body)
        assert response.status_code == 201, response.text
        ids[name] = response.json()["id"]
    return ids


def configuration(ids: dict[str, str], desired: dict[str, Any]) -> list[dict[str, Any]]:
    rules = []
    for spec in desired["rules"].values():
        # PyYAML reads a bare `on` key as the boolean true (YAML 1.1).
        desired_trigger = {"on" if k is True else k: v for k, v in spec["trigger"].items()}
        trigger: dict[str, Any] = {"on": desired_trigger["on"]}
        if "count" in desired_trigger:
            trigger["parameters"] = {"count": desired_trigger["count"]}
        operators = [
            {
                "id": ids[name],
                **({"parameters": ref["parameters"]} if ref.get("parameters") else {}),
            }
            for name, ref in spec["operators"].items()
        ]
        rules.append({"operators": operators, "triggers": [trigger], "actions": []})
    return rules


def converse(
    api: httpx.Client, conv_config: str, name: str, messages: list[tuple[str, str]]
) -> list[dict[str, Any]]:
    created = api.post("/v2/Conversations", json={"configurationId": conv_config, "name": name})
    assert created.status_code == 201, created.text
    conversation = created.json()["id"]
    for sender, text in messages:
        author, recipient = (CUSTOMER, AGENT) if sender == "customer" else (AGENT, CUSTOMER)
        sent = api.post(
            f"/v2/Conversations/{conversation}/Communications",
            json={
                "author": {"channel": "SMS", "address": author},
                "content": {"type": "TEXT", "text": text},
                "recipients": [{"channel": "SMS", "address": recipient}],
            },
        )
        assert sent.status_code == 201, sent.text
    closed = api.put(f"/v2/Conversations/{conversation}", json={"status": "CLOSED"})
    assert closed.status_code == 200, closed.text
    results: list[dict[str, Any]] = api.get(
        "/v3/OperatorResults", params={"conversationId": conversation, "pageSize": 1000}
    ).json()["items"]
    for result in results:
        assert_valid(result, "operator-result.json")
    return results


def by_operator(results: list[dict[str, Any]], operator_id: str) -> list[dict[str, Any]]:
    return [r["result"] for r in results if r["operator"]["id"] == operator_id]


def test_the_demo_conversations_get_results_that_match_them(
    emulator: EmulatorHandle, api: httpx.Client
) -> None:
    emulator.set_settings(operation_delay_seconds=0)  # configuration writes apply at once
    base = load("stacks/base.yaml")
    ids = deploy_operators(api, base["operators"])
    analytics = base["intelligenceConfigurations"]["support-analytics"]
    first = create_config(api, rules=configuration(ids, analytics))
    accepted = api.post(
        "/v2/ControlPlane/Configurations",
        json=conv_config_body(intelligenceConfigurationIds=[first["id"]]),
    )
    assert accepted.status_code in (200, 201, 202), accepted.text
    conv_config = accepted.json()["related"]["configurationId"]

    late = converse(api, conv_config, *LATE_DELIVERY)
    # Sentiment after each message: furious, an apology, then thanks.
    assert by_operator(late, SENTIMENT) == [
        {"label": "negative"},
        {"label": "negative"},
        {"label": "mixed"},
    ]
    churn = by_operator(late, ids["churn-risk"])
    said = {text for _, text in LATE_DELIVERY[1]}
    assert churn[0] == {
        "risk": 8,
        "reason": "My delivery is three weeks late and I am furious.",
    }
    assert [c["risk"] for c in churn] == sorted((c["risk"] for c in churn), reverse=True)
    assert all(0 <= c["risk"] <= 10 and any(c["reason"] in s for s in said) for c in churn)
    assert by_operator(late, ids["contact-reason"]) == [{"label": "delivery"}]

    # The demo's rule change: the wrap-up rule also runs Twilio's Summary, on a new configuration.
    changed = merged(
        analytics,
        load("stacks/demo/rule-change.yaml")["intelligenceConfigurations"]["support-analytics"],
    )
    second = create_config(api, rules=configuration(ids, changed))
    relinked = api.put(
        f"/v2/ControlPlane/Configurations/{conv_config}",
        json=conv_config_body(intelligenceConfigurationIds=[second["id"]]),
    )
    assert relinked.status_code in (200, 202), relinked.text

    billing = converse(api, conv_config, *BILLING_QUESTION)
    assert by_operator(billing, SENTIMENT) == [
        {"label": "negative"},
        {"label": "negative"},
        {"label": "positive"},
    ]
    assert by_operator(billing, ids["contact-reason"]) == [{"label": "billing"}]
    assert by_operator(billing, SUMMARY) == [
        {
            "text": "Customer: Why was I charged twice this month? "
            "Agent: You were not: the second line is a refund. Customer: Great, thank you."
        }
    ]
    assert all(r["intelligenceConfiguration"]["id"] == second["id"] for r in billing)
