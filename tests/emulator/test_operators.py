"""Intelligence v3 Operators: custom CRUD, ETags, versions, Twilio-authored ones."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from twilio_emulator.testing import EmulatorHandle

from tests.emulator.emulator_helpers import (
    SCRIPT_ADHERENCE,
    SENTIMENT,
    TWILIO_OPERATORS,
    create_operator,
    operator_body,
)
from tests.reference_data import UNSUPPORTED_OUTPUT_SCHEMA_KEYWORDS

OPERATORS = "/v3/ControlPlane/Operators"
OPERATOR_ID = re.compile(r"intelligence_operator_[0-7][0-9a-z]{25}")


def error_of(response: httpx.Response, status: int, code: int = 20001) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert (body["code"], body["httpStatusCode"]) == (code, status)
    message: str = body["message"]
    return message


def test_create_returns_201_etag_and_self_author(api: httpx.Client) -> None:
    response = api.post(OPERATORS, json=operator_body())
    assert response.status_code == 201
    assert response.headers["ETag"] == "1"
    doc = response.json()
    assert OPERATOR_ID.fullmatch(doc["id"])
    assert (doc["author"], doc["version"]) == ("SELF", 1)
    assert doc["prompt"].startswith("Rate")
    assert doc["parameters"]["scale"] == {
        "type": "INTEGER",
        "default": 5,
        "description": "Max score",
    }
    fetched = api.get(f"{OPERATORS}/{doc['id']}")
    assert fetched.headers["ETag"] == "1"
    assert fetched.json() == doc


def test_read_only_fields_in_the_body_are_ignored(api: httpx.Client) -> None:
    doc = create_operator(
        api, id="intelligence_operator_01aaaaaaaaaaaaaaaaaaaaaaaa", version=9, author="TWILIO"
    )
    assert doc["author"] == "SELF"
    assert doc["version"] == 1
    assert doc["id"] != "intelligence_operator_01aaaaaaaaaaaaaaaaaaaaaaaa"


def test_output_schema_is_rewritten_recursively(api: httpx.Client) -> None:
    schema = {
        "type": "object",
        "properties": {
            "score": {"type": "integer"},
            "detail": {
                "type": "object",
                "properties": {"a": {"type": "string"}, "b": {"type": ["string", "null"]}},
                "required": ["a"],
                "additionalProperties": True,
            },
            "tags": {
                "type": "array",
                "items": {"type": "object", "properties": {"t": {"type": "string"}}},
            },
            "either": {
                "anyOf": [
                    {"type": "object", "properties": {"x": {"type": "number"}}},
                    {"type": "null"},
                ]
            },
            "ref": {"$ref": "#/$defs/thing"},
        },
        "$defs": {"thing": {"type": "object", "properties": {"name": {"type": "string"}}}},
        "required": [],
        "additionalProperties": True,
    }
    out = create_operator(api, outputSchema=schema)["outputSchema"]
    assert out["required"] == ["score", "detail", "tags", "either", "ref"]
    assert out["additionalProperties"] is False
    assert out["properties"]["detail"]["required"] == ["a", "b"]
    assert out["properties"]["detail"]["additionalProperties"] is False
    assert out["properties"]["tags"]["items"]["required"] == ["t"]
    assert out["properties"]["either"]["anyOf"][0]["required"] == ["x"]
    assert out["$defs"]["thing"]["required"] == ["name"]
    assert out["$defs"]["thing"]["additionalProperties"] is False
    assert list(out["properties"]) == ["score", "detail", "tags", "either", "ref"]


def test_text_and_classification_get_generated_schemas(api: httpx.Client) -> None:
    text = create_operator(
        api, outputFormat="TEXT", outputSchema={"type": "object", "properties": {"zzz": {}}}
    )
    assert text["outputSchema"] == {
        "type": "object",
        "properties": {"text": {"type": "string"}},
        "required": ["text"],
        "additionalProperties": False,
    }
    label = create_operator(api, outputFormat="CLASSIFICATION")
    assert label["outputSchema"]["required"] == ["label"]


# The tests' own copy of the reference list (not the emulator's), so each catches the other's slip.
@pytest.mark.parametrize("keyword", sorted(UNSUPPORTED_OUTPUT_SCHEMA_KEYWORDS))
def test_unsupported_keywords_are_rejected(api: httpx.Client, keyword: str) -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string", keyword: 1}}}
    message = error_of(api.post(OPERATORS, json=operator_body(outputSchema=schema)), 400)
    assert message == f"outputSchema.properties.a.{keyword}: keyword is not supported"


def _nested(levels: int) -> dict[str, Any]:
    node: dict[str, Any] = {"type": "object", "properties": {"leaf": {"type": "string"}}}
    for _ in range(levels - 1):
        node = {"type": "object", "properties": {"child": node}}
    return node


def test_schema_limits(api: httpx.Client) -> None:
    assert api.post(OPERATORS, json=operator_body(outputSchema=_nested(10))).status_code == 201
    assert "nesting depth" in error_of(
        api.post(OPERATORS, json=operator_body(outputSchema=_nested(11))), 400
    )
    many = {"type": "object", "properties": {f"p{i}": {"type": "string"} for i in range(101)}}
    assert "100 object properties" in error_of(
        api.post(OPERATORS, json=operator_body(outputSchema=many)), 400
    )
    hundred = {"type": "object", "properties": {f"p{i}": {"type": "string"} for i in range(100)}}
    assert api.post(OPERATORS, json=operator_body(outputSchema=hundred)).status_code == 201
    enums = {
        "type": "object",
        "properties": {"e": {"type": "string", "enum": [str(i) for i in range(1001)]}},
    }
    assert "1000 enum values" in error_of(
        api.post(OPERATORS, json=operator_body(outputSchema=enums)), 400
    )


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"outputSchema": None}, "outputSchema: must not be null when outputFormat is JSON"),
        ({"outputSchema": {"type": "array", "items": {}}}, "outputSchema: root must be"),
        ({"outputSchema": {"type": "object"}}, "outputSchema: root must be"),
        (
            {"outputFormat": "EXTRACTION"},
            "outputFormat: EXTRACTION is not supported for custom operators",
        ),
        ({"outputFormat": "XML"}, "outputFormat: must be one of [TEXT, JSON, CLASSIFICATION]"),
        ({"prompt": None}, "prompt: must not be null"),
        ({"displayName": None}, "displayName: must not be null"),
        (
            {"parameters": {"kb": {"type": "KNOWLEDGE_BASE_AND_SOURCE_IDS", "default": "a:b"}}},
            "parameters.kb.default:",
        ),
        ({"parameters": {"x": {"type": "FLOAT"}}}, "parameters.x.type: must be one of"),
        (
            {"parameters": {"x": {"type": "INTEGER", "default": "five"}}},
            "parameters.x.default: must be an integer",
        ),
        ({"parameters": {"x": {}}}, "parameters.x.type: must not be null"),
        (
            {"trainingExamples": [{"input": "only input"}]},
            "trainingExamples[0].output: must not be null",
        ),
        ({"context": {"memory": {"enabled": "yes"}}}, "context.memory.enabled: must be a boolean"),
        (
            {"outputSchema": {"type": "object", "properties": {"a": {"$ref": "#/$defs/missing"}}}},
            "outputSchema.properties.a.$ref:",
        ),
        (
            {"outputSchema": {"type": "object", "properties": {"a": {"type": "date"}}}},
            "outputSchema.properties.a.type: must be one of",
        ),
    ],
)
def test_validation(api: httpx.Client, overrides: dict[str, Any], expected: str) -> None:
    message = error_of(api.post(OPERATORS, json=operator_body(**overrides)), 400)
    assert message.startswith(expected), message


def test_lowercase_parameter_type_is_normalised_unless_switched_off(
    emulator: EmulatorHandle, api: httpx.Client
) -> None:
    params = {"scale": {"type": "integer", "default": 5}}
    doc = create_operator(api, parameters=params)
    assert doc["parameters"]["scale"]["type"] == "INTEGER"
    emulator.set_traps(lowercase_parameter_type_accepted=False)
    error_of(api.post(OPERATORS, json=operator_body(parameters=params)), 400)


def test_put_versions_etag_and_if_match(emulator: EmulatorHandle, api: httpx.Client) -> None:
    doc = create_operator(api)
    url = f"{OPERATORS}/{doc['id']}"
    updated = api.put(url, json=operator_body(displayName="v2"), headers={"If-Match": "1"})
    assert updated.status_code == 200
    assert updated.headers["ETag"] == "2"
    assert updated.json()["version"] == 2
    stale = api.put(url, json=operator_body(displayName="v3"), headers={"If-Match": "1"})
    error_of(stale, 412, 20412)
    assert api.put(url, json=operator_body(), headers={"If-Match": '"2"'}).status_code == 200
    assert api.put(url, json=operator_body()).status_code == 200  # If-Match is optional
    versions = api.get(f"{url}/Versions").json()
    assert [v["version"] for v in versions["items"]] == [4, 3, 2, 1]
    assert {v["status"] for v in versions["items"]} == {"ACTIVE"}
    v2 = api.get(f"{url}/Versions/2").json()
    assert (v2["version"], v2["displayName"], v2["status"]) == (2, "v2", "ACTIVE")
    error_of(api.get(f"{url}/Versions/99"), 404, 20404)
    error_of(api.get(f"{url}/Versions/abc"), 400)
    emulator.set_settings(new_operator_version_status="PREVIEW")
    api.put(url, json=operator_body())
    assert api.get(f"{url}/Versions").json()["items"][0]["status"] == "PREVIEW"


def test_put_full_replacement_drops_omitted_fields(api: httpx.Client) -> None:
    doc = create_operator(api)
    body = operator_body()
    for key in ("description", "trainingExamples", "parameters", "context"):
        body.pop(key)
    updated = api.put(f"{OPERATORS}/{doc['id']}", json=body).json()
    assert "description" not in updated
    assert updated["trainingExamples"] == []
    assert updated["parameters"] == {}
    assert updated["context"] == {"memory": {"enabled": False}, "knowledge": {"enabled": False}}


def test_version_lifecycle_via_control_api(emulator: EmulatorHandle, api: httpx.Client) -> None:
    doc = create_operator(api)
    url = f"{OPERATORS}/{doc['id']}"
    api.put(url, json=operator_body())
    deprecated = emulator.set_operator_version_status(doc["id"], 1, "DEPRECATED")
    assert deprecated["status"] == "DEPRECATED"
    assert {"dateDeprecated", "retirementDate"} <= set(deprecated)
    retired = emulator.set_operator_version_status(
        doc["id"], 1, "RETIRED", dateRetired="2026-04-10T00:00:00Z"
    )
    assert retired["dateRetired"] == "2026-04-10T00:00:00Z"
    assert "retirementDate" not in retired
    listed = api.get(f"{url}/Versions").json()["items"]
    assert listed[1]["status"] == "RETIRED"
    assert listed[0] == {"version": 2, "status": "ACTIVE", "dateCreated": listed[0]["dateCreated"]}
    with pytest.raises(httpx.HTTPStatusError):
        emulator.set_operator_version_status(doc["id"], 9, "RETIRED")


def test_delete(api: httpx.Client) -> None:
    doc = create_operator(api)
    assert api.delete(f"{OPERATORS}/{doc['id']}").status_code == 204
    error_of(api.get(f"{OPERATORS}/{doc['id']}"), 404, 20404)
    error_of(api.get(f"{OPERATORS}/{doc['id']}/Versions"), 404, 20404)
    error_of(api.delete(f"{OPERATORS}/{doc['id']}"), 404, 20404)


def test_twilio_operators_are_seeded_read_only_and_hide_prompts(
    emulator: EmulatorHandle, api: httpx.Client
) -> None:
    listed = {item["id"]: item for item in api.get(OPERATORS).json()["items"]}
    assert set(TWILIO_OPERATORS) <= set(listed)
    for op_id in TWILIO_OPERATORS:
        item = listed[op_id]
        assert item["author"] == "TWILIO"
        assert item["prompt"] is None
        assert "trainingExamples" not in item
    sentiment = listed[SENTIMENT]
    assert sentiment["outputFormat"] == "CLASSIFICATION"
    assert sentiment["outputSchema"]["properties"]["label"]["enum"] == [
        "positive",
        "negative",
        "neutral",
        "mixed",
    ]
    assert listed[SCRIPT_ADHERENCE]["outputFormat"] == "JSON"
    error_of(api.put(f"{OPERATORS}/{SENTIMENT}", json=operator_body()), 403, 20403)
    error_of(api.delete(f"{OPERATORS}/{SENTIMENT}"), 403, 20403)
    emulator.set_traps(twilio_prompt_null=False)
    fetched = api.get(f"{OPERATORS}/{SENTIMENT}").json()
    assert "prompt" not in fetched
    version = api.get(f"{OPERATORS}/{SENTIMENT}/Versions/1").json()
    assert "prompt" not in version
    assert "trainingExamples" not in version


def test_operators_list_twilio_and_custom_paginated(api: httpx.Client) -> None:
    custom = [create_operator(api, displayName=f"op{i}")["id"] for i in range(3)]
    first = api.get(OPERATORS, params={"pageSize": 4}).json()
    second = api.get(
        OPERATORS, params={"pageSize": 4, "pageToken": first["meta"]["nextToken"]}
    ).json()
    ids = [i["id"] for i in first["items"] + second["items"]]
    assert ids == list(TWILIO_OPERATORS) + custom
    assert "nextToken" not in second["meta"]
