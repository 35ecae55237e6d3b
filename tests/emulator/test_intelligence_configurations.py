"""Intelligence v3 Configurations: CRUD, rule ids, validation and the PUT trap."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from twilio_emulator import DEFAULT_ACCOUNT_SID
from twilio_emulator.domain import Emulator
from twilio_emulator.testing import EmulatorHandle

from tests.emulator.emulator_helpers import (
    KB_VALUE,
    SENTIMENT,
    SUMMARY,
    config_body,
    create_config,
    create_operator,
    rule,
)

CONFIGS = "/v3/ControlPlane/Configurations"
CONFIG_ID = re.compile(r"intelligence_configuration_[0-7][0-9a-z]{25}")
RULE_ID = re.compile(r"intelligence_configurationrule_[0-7][0-9a-z]{25}")


def error_of(response: httpx.Response, status: int, code: int = 20001) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == code
    assert body["httpStatusCode"] == status
    assert body["userError"] is (status < 500)
    message: str = body["message"]
    return message


def test_create_fetch_list_delete(api: httpx.Client) -> None:
    created = create_config(api)
    assert CONFIG_ID.fullmatch(created["id"])
    assert created["accountId"] == DEFAULT_ACCOUNT_SID
    assert created["version"] == 1
    assert created["dateCreated"] == created["dateUpdated"]
    assert RULE_ID.fullmatch(created["rules"][0]["id"])
    assert "internal" not in created
    fetched = api.get(f"{CONFIGS}/{created['id']}").json()
    assert fetched == created
    listed = api.get(CONFIGS).json()
    assert listed["items"] == [created]
    assert listed["meta"] == {"key": "items", "pageSize": 1}
    assert api.delete(f"{CONFIGS}/{created['id']}").status_code == 204
    error_of(api.get(f"{CONFIGS}/{created['id']}"), 404, 20404)
    error_of(api.delete(f"{CONFIGS}/{created['id']}"), 404, 20404)


def test_empty_rules_allowed_and_missing_triggers_stored_as_empty(api: httpx.Client) -> None:
    assert create_config(api, rules=[])["rules"] == []
    without_triggers = {k: v for k, v in rule().items() if k != "triggers"}
    created = create_config(api, rules=[without_triggers])
    assert created["rules"][0]["triggers"] == []


def test_put_replaces_rules_keeps_known_ids_and_bumps_version(api: httpx.Client) -> None:
    created = create_config(api, rules=[rule(SENTIMENT), rule(SUMMARY)])
    first, second = (r["id"] for r in created["rules"])
    body = config_body(rules=[dict(rule(SUMMARY), id=second), rule(SENTIMENT)])
    body.pop("description")
    updated = api.put(f"{CONFIGS}/{created['id']}", json=body)
    assert updated.status_code == 200
    doc = updated.json()
    assert doc["version"] == 2
    assert "description" not in doc  # full replacement: omitted fields are gone
    ids = [r["id"] for r in doc["rules"]]
    assert ids[0] == second
    assert ids[1] not in (first, second)
    assert RULE_ID.fullmatch(ids[1])
    assert doc["dateCreated"] == created["dateCreated"]
    again = api.put(f"{CONFIGS}/{created['id']}", json=body).json()
    assert again["version"] == 3


def test_put_with_unknown_rule_id_is_400(api: httpx.Client) -> None:
    created = create_config(api)
    other = create_config(api)
    foreign = other["rules"][0]["id"]
    body = config_body(rules=[dict(rule(), id=foreign)])
    message = error_of(api.put(f"{CONFIGS}/{created['id']}", json=body), 400)
    assert message.startswith("rules[0].id:")
    assert foreign in message


def test_put_on_unknown_configuration_is_404(api: httpx.Client) -> None:
    missing = "intelligence_configuration_01kermhm82e5mr98nbeh1hpmbn"
    error_of(api.put(f"{CONFIGS}/{missing}", json=config_body()), 404, 20404)


def test_put_never_checks_versions(api: httpx.Client) -> None:
    created = create_config(api)
    response = api.put(
        f"{CONFIGS}/{created['id']}", json=config_body(), headers={"If-Match": "999"}
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            config_body(rules=[rule(actions=[{}, {}, {}])]),
            "rules[0].actions: size must be between 0 and 2",
        ),
        (
            config_body(rules=[rule(operators=[])]),
            "rules[0].operators: size must be between 1 and 5",
        ),
        (config_body(rules=[rule()] * 6), "rules: size must be between 0 and 5"),
        (
            config_body(rules=[rule(operators=[{"id": SENTIMENT}] * 6)]),
            "rules[0].operators: size must be between 1 and 5",
        ),
        (
            config_body(rules=[rule(triggers=[{"on": "COMMUNICATION"}] * 2)]),
            "rules[0].triggers: size must be between 0 and 1",
        ),
        (
            config_body(
                rules=[rule(triggers=[{"on": "COMMUNICATION", "parameters": {"count": 21}}])]
            ),
            "rules[0].triggers[0].parameters.count: must be less than or equal to 20",
        ),
        (
            config_body(
                rules=[rule(triggers=[{"on": "COMMUNICATION", "parameters": {"count": 0}}])]
            ),
            "rules[0].triggers[0].parameters.count: must be greater than or equal to 1",
        ),
        (
            config_body(rules=[rule(triggers=[{"on": "SOMETIMES"}])]),
            "rules[0].triggers[0].on: must be one of"
            " [COMMUNICATION, CONVERSATION_END, CONVERSATION_INACTIVE]",
        ),
        (
            config_body(
                rules=[rule(actions=[{"type": "EMAIL", "method": "POST", "url": "https://x.io"}])]
            ),
            "rules[0].actions[0].type: must be one of [WEBHOOK]",
        ),
        (
            config_body(
                rules=[rule(actions=[{"type": "WEBHOOK", "method": "GET", "url": "https://x.io"}])]
            ),
            "rules[0].actions[0].method: must be one of [POST]",
        ),
        (
            config_body(
                rules=[rule(actions=[{"type": "WEBHOOK", "method": "POST", "url": "not a url"}])]
            ),
            "rules[0].actions[0].url: must be a valid URL",
        ),
        (
            config_body(rules=[rule(actions=[{"type": "WEBHOOK", "method": "POST"}])]),
            "rules[0].actions[0].url: must not be null",
        ),
        (config_body(displayName=""), "displayName: size must be between 1 and 128"),
        (config_body(displayName="x" * 129), "displayName: size must be between 1 and 128"),
        ({"rules": []}, "displayName: must not be null"),
        ({"displayName": "x"}, "rules: must not be null"),
        (
            config_body(rules=[rule(context={"knowledge": {"bases": []}})]),
            "rules[0].context.knowledge.bases: size must be between 1 and 2147483647",
        ),
        (
            config_body(rules=[rule(context={"knowledge": {}})]),
            "rules[0].context.knowledge.bases: must not be null",
        ),
        (config_body(rules=[rule(actions=None)]), "rules[0].actions: must not be null"),
        (config_body(displayName=5), "displayName: must be a string"),
        (config_body(rules="nope"), "rules: must be an array"),
    ],
)
def test_validation_messages(api: httpx.Client, body: dict[str, Any], expected: str) -> None:
    assert error_of(api.post(CONFIGS, json=body), 400) == expected


def test_unknown_operator_is_70001_naming_it(api: httpx.Client) -> None:
    ghost = "intelligence_operator_01kcgy1ew0e9x8re6jq542zt8b"
    body = config_body(rules=[rule(ghost)])
    message = error_of(api.post(CONFIGS, json=body), 400, 70001)
    assert ghost in message
    created = create_config(api)
    error_of(api.put(f"{CONFIGS}/{created['id']}", json=body), 400, 70001)


def test_pinned_operator_version_must_exist(api: httpx.Client) -> None:
    body = config_body(rules=[rule(operators=[{"id": SENTIMENT, "version": 7}])])
    assert "version 7" in error_of(api.post(CONFIGS, json=body), 400, 70001)
    pinned = config_body(rules=[rule(operators=[{"id": SENTIMENT, "version": 1}])])
    assert api.post(CONFIGS, json=pinned).status_code == 201


def test_rule_parameters_must_match_the_operator(api: httpx.Client) -> None:
    operator = create_operator(
        api,
        parameters={
            "scale": {"type": "INTEGER"},
            "kb": {"type": "KNOWLEDGE_BASE_AND_SOURCE_IDS"},
            "name": {"type": "STRING"},
        },
    )
    op = operator["id"]

    def with_params(params: dict[str, Any]) -> dict[str, Any]:
        return config_body(rules=[rule(operators=[{"id": op, "parameters": params}])])

    ok = api.post(CONFIGS, json=with_params({"scale": 3, "kb": KB_VALUE, "name": "x"}))
    assert ok.status_code == 201, ok.text
    assert ok.json()["rules"][0]["operators"][0]["parameters"]["kb"] == KB_VALUE
    bad_kb = [
        "know_knowledgebase_01k6fc25s7epm9qtk8rszbv3q5",
        "know_knowledgebase_01k6fc25s7epm9qtk8rszbv3q5;know_knowledge_01k6fc25s7epm9qtk8rszbv3q6",
        KB_VALUE + ":extra",
        "a:b",
    ]
    for value in bad_kb:
        message = error_of(api.post(CONFIGS, json=with_params({"kb": value})), 400)
        assert message.startswith("rules[0].operators[0].parameters.kb:")
    message = error_of(api.post(CONFIGS, json=with_params({"scale": "3"})), 400)
    assert message == "rules[0].operators[0].parameters.scale: must be an integer"
    message = error_of(api.post(CONFIGS, json=with_params({"nope": 1})), 400)
    assert "nope" in message


def test_put_deactivates_internally_but_never_shows_it(
    api: httpx.Client, server_state: Emulator
) -> None:
    created = create_config(api)
    updated = api.put(f"{CONFIGS}/{created['id']}", json=config_body()).json()
    assert set(updated) == set(created)
    stored = server_state.configurations.fetch(created["accountId"], created["id"])
    assert stored["internal"]["active"] is False
    assert server_state.configurations.is_active(stored) is False


def test_put_trap_can_be_switched_off(
    emulator: EmulatorHandle, api: httpx.Client, server_state: Emulator
) -> None:
    emulator.set_traps(put_deactivates_configuration=False)
    created = create_config(api)
    api.put(f"{CONFIGS}/{created['id']}", json=config_body())
    stored = server_state.configurations.fetch(created["accountId"], created["id"])
    assert stored["internal"]["active"] is True


def test_pagination(api: httpx.Client) -> None:
    ids = [create_config(api, displayName=f"c{i}")["id"] for i in range(5)]
    seen: list[str] = []
    token = None
    pages = 0
    while True:
        params: dict[str, Any] = {"pageSize": 2}
        if token:
            params["pageToken"] = token
        body = api.get(CONFIGS, params=params).json()
        pages += 1
        seen += [item["id"] for item in body["items"]]
        assert body["meta"]["pageSize"] == len(body["items"])
        token = body["meta"].get("nextToken")
        if token is None:
            assert "nextToken" not in body["meta"]
            break
    assert seen == ids
    assert pages == 3


@pytest.mark.parametrize("size", ["0", "1001", "abc", "-1"])
def test_page_size_out_of_range_is_400(api: httpx.Client, size: str) -> None:
    error_of(api.get(CONFIGS, params={"pageSize": size}), 400)


def test_bad_page_token_is_400_and_unknown_params_ignored(api: httpx.Client) -> None:
    error_of(api.get(CONFIGS, params={"pageToken": "garbage!"}), 400)
    assert (
        api.get(CONFIGS, params={"intelligenceConfiguration": "x", "foo": "1"}).status_code == 200
    )
