"""Insights v3 (insights-v3.md; shapes of twilio 9.13.0 where it is newer): queries over the
emulated conversations and OperatorResults, the catalogue, and custom field mappings."""

from __future__ import annotations

from datetime import datetime, timedelta
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

QUERY = "/v3/InsightsDomains/Conversations/Query"
METADATA = "/v3/InsightsDomains/Conversations/Metadata"
MAPPINGS = "/v3/ControlPlane/ConversationInsights/CustomFieldMappings"
CAPACITY = "/v3/ControlPlane/ConversationInsights/CustomFieldMappingsCapacity"
RESPONSE = "insights-query-response.json"


@pytest.fixture
def data(emulator: EmulatorHandle, api: httpx.Client) -> dict[str, Any]:
    """Three conversations: one positive, one negative (a Sentiment result on each
    communication), one without communications (so without results)."""
    emulator.set_settings(operation_delay_seconds=0)
    config = intelligence_with_rule(api, SENTIMENT)
    orchestrator = orchestrator_config(api, intelligenceConfigurationIds=[config["id"]])
    happy = conversation(api, orchestrator, "Thanks, this is great, I love it")
    angry = conversation(api, orchestrator, "This is terrible and awful", "Still terrible")
    silent = conversation(api, orchestrator)
    return {"happy": happy, "angry": angry, "silent": silent, "orchestrator": orchestrator}


def query(api: httpx.Client, body: dict[str, Any], **params: Any) -> dict[str, Any]:
    response = api.post(QUERY, json=body, params=params)
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    assert_valid(page, RESPONSE)
    return page


def test_counts_grouped_by_result_value(api: httpx.Client, data: dict[str, Any]) -> None:
    body = {
        "domain": "Conversations",
        "query": {
            "measures": ["OperatorResult.Count", "Conversation.Count"],
            "dimensions": ["OperatorResult.Value"],
            "orderBy": [{"field": "OperatorResult.Count", "direction": "DESC"}],
        },
    }
    assert_valid(body, "insights-query.json")
    labels = [r["result"]["label"] for c in ("happy", "angry") for r in results_of(api, data[c])]
    assert labels == ["positive", "negative", "negative"]
    page = query(api, body)
    assert page["items"] == [
        {"OperatorResult.Value": "negative", "OperatorResult.Count": 2, "Conversation.Count": 1},
        {"OperatorResult.Value": "positive", "OperatorResult.Count": 1, "Conversation.Count": 1},
        {"OperatorResult.Value": None, "OperatorResult.Count": 0, "Conversation.Count": 1},
    ]
    assert page["meta"] == {"key": "items", "pageSize": 3}


def test_without_dimensions_one_row(api: httpx.Client, data: dict[str, Any]) -> None:
    body = {"query": {"measures": ["Conversation.Count", "OperatorResult.Count"]}}
    assert query(api, body)["items"] == [{"Conversation.Count": 3, "OperatorResult.Count": 3}]


def test_filters(api: httpx.Client, data: dict[str, Any]) -> None:
    def ids(filters: list[dict[str, Any]]) -> list[str]:
        body = {"query": {"dimensions": ["Id"], "filters": filters, "orderBy": [{"field": "Id"}]}}
        return [row["Id"] for row in query(api, body)["items"]]

    value_in = {"op": "IN", "field": "OperatorResult.Value", "values": ["positive"]}
    assert ids([{"op": "AND", "expressions": [value_in]}]) == [data["happy"]]
    angry = {"op": "EQ", "field": "Id", "values": [data["angry"]]}
    either = [{"op": "OR", "expressions": [value_in, angry]}]
    assert ids(either) == sorted([data["happy"], data["angry"]])
    both = [{"op": "AND", "expressions": [value_in, angry]}]
    assert ids(both) == []
    not_happy = [{"expressions": [{"op": "NE", "field": "Id", "values": [data["happy"]]}]}]
    assert ids(not_happy) == sorted([data["angry"], data["silent"]])
    sms = [{"expressions": [{"op": "IN", "field": "Channels", "values": ["SMS"]}]}]
    assert ids(sms) == sorted([data["happy"], data["angry"]])


def test_pages_follow_next_token(api: httpx.Client, data: dict[str, Any]) -> None:
    body = {"query": {"dimensions": ["Id"], "orderBy": [{"field": "Id", "direction": "ASC"}]}}
    first = query(api, body, pageSize=2)
    assert first["meta"]["pageSize"] == 2
    second = api.get(QUERY, params={"pageToken": first["meta"]["nextToken"]})
    assert second.status_code == 200
    assert_valid(second.json(), RESPONSE)
    assert "nextToken" not in second.json()["meta"]
    assert second.json()["meta"]["previousToken"]
    rows = first["items"] + second.json()["items"]
    assert [r["Id"] for r in rows] == sorted([data["happy"], data["angry"], data["silent"]])
    error_of(api.get(QUERY, params={"pageToken": "not-a-token"}), 400)
    error_of(api.get(QUERY), 400)


def test_timezone_property_cuts_days(api: httpx.Client, data: dict[str, Any]) -> None:
    """gotchas E20: properties.timezone (IANA, default UTC) applies to dates. UTC+14 and
    UTC-11 are 25 hours apart, so the day always differs between them."""
    created = api.get(f"/v2/Conversations/{data['happy']}").json()["createdAt"]
    moment = datetime.fromisoformat(created.replace("Z", "+00:00"))
    cases = {
        None: moment.date(),
        "Pacific/Kiritimati": (moment + timedelta(hours=14)).date(),
        "Pacific/Pago_Pago": (moment - timedelta(hours=11)).date(),
    }
    for zone, day in cases.items():
        body: dict[str, Any] = {
            "query": {
                "dimensions": ["DateCreated"],
                "filters": [
                    {"expressions": [{"op": "EQ", "field": "Id", "values": [data["happy"]]}]}
                ],
            }
        }
        if zone is not None:
            body["properties"] = {"timezone": zone}
        assert query(api, body)["items"] == [{"DateCreated": day.isoformat()}]
    bad = {"query": {"dimensions": ["DateCreated"]}, "properties": {"timezone": "Mars/Base"}}
    assert "properties.timezone" in error_of(api.post(QUERY, json=bad), 400)


def test_bad_queries_answer_400(api: httpx.Client) -> None:
    for body, fragment in (
        ({}, "query: must not be null"),
        ({"query": {}}, "at least one measure or dimension"),
        ({"query": {"measures": ["Nope.Count"]}}, "query.measures[0]: unknown name"),
        ({"query": {"dimensions": ["Conversation.Count"]}}, "query.dimensions[0]: unknown name"),
        (
            {
                "query": {
                    "dimensions": ["Id"],
                    "filters": [{"expressions": [{"op": "XOR", "field": "Id"}]}],
                }
            },
            "query.filters[0].expressions[0].op",
        ),
        (
            {"query": {"dimensions": ["Id"], "orderBy": [{"field": "Id", "direction": "UP"}]}},
            "direction",
        ),
    ):
        message = error_of(api.post(QUERY, json=body), 400)
        assert fragment in message, (body, message)
        assert_valid(api.post(QUERY, json=body).json(), "error.json", "insightsV3Error")
    error_of(api.post(QUERY, json={"query": {"dimensions": ["Id"]}}, params={"pageSize": 0}), 400)


def test_metadata_lists_the_catalogue(api: httpx.Client) -> None:
    response = api.get(METADATA)
    assert response.status_code == 200
    body = response.json()
    assert_valid(body, RESPONSE, "InsightsMetadataResponse")
    cube = body["cubes"][0]
    measures = {m["name"] for m in cube["measures"]}
    dimensions = {d["name"] for d in cube["dimensions"]}
    assert {"Conversation.Count", "OperatorResult.Count"} <= measures
    assert {"DateCreated", "OperatorResults", "OperatorResult.Value"} <= dimensions


# -- custom field mappings ---------------------------------------------------------------


def mapping_body(operator_id: str, name: str = "LeadScore", field: str = "score") -> dict[str, Any]:
    """The SDK's shape (twilio 9.13.0): entityMetadata nests intelligenceOperator."""
    return {
        "category": "MEASURE",
        "name": name,
        "description": "Lead quality score",
        "entityMetadata": {
            "sourceType": "INTELLIGENCE_OPERATOR",
            "intelligenceOperator": {
                "operatorId": operator_id,
                "operatorName": "Score",
                "field": field,
            },
        },
    }


def assert_mapping_valid(mapping: dict[str, Any]) -> None:
    """custom-field-mapping.json, except entityMetadata, whose shape the SDK nests."""
    source = mapping["entityMetadata"]["intelligenceOperator"]
    flat = {**mapping, "entityMetadata": {"sourceType": "INTELLIGENCE_OPERATOR", **source}}
    assert_valid(flat, "custom-field-mapping.json")


def test_mapping_upsert(emulator: EmulatorHandle, api: httpx.Client) -> None:
    operator = create_operator(api)
    created = api.post(MAPPINGS, json=mapping_body(operator["id"]))
    assert created.status_code == 201, created.text
    mapping = created.json()
    assert_mapping_valid(mapping)
    assert mapping["id"].startswith("convinsights_mapping_")
    assert mapping["updatedAt"] is None
    assert mapping["entityMetadata"] == mapping_body(operator["id"])["entityMetadata"]
    emulator.advance_clock(60)
    updated = api.post(MAPPINGS, json={**mapping_body(operator["id"]), "description": "v2"})
    assert updated.status_code == 200
    assert updated.json()["id"] == mapping["id"]
    assert updated.json()["createdAt"] == mapping["createdAt"]
    assert updated.json()["updatedAt"] > mapping["createdAt"]
    other = create_operator(api)
    clash = api.post(MAPPINGS, json=mapping_body(other["id"]))
    assert "already registered to a different operator" in error_of(clash, 409, 20052)
    listed = api.get(MAPPINGS).json()
    assert [m["description"] for m in listed["mappings"]] == ["v2"]
    assert listed["meta"]["key"] == "mappings"
    fetched = api.get(f"{MAPPINGS}/{mapping['id']}")
    assert fetched.json() == updated.json()
    error_of(api.get(f"{MAPPINGS}/convinsights_mapping_nope"), 404, 20404)


def test_mapping_field_must_resolve(api: httpx.Client) -> None:
    operator = create_operator(api)
    for body, fragment in (
        (mapping_body(operator["id"], field="leadScore"), "not a number or integer property"),
        (mapping_body(operator["id"], field="explanation"), "not a number or integer property"),
        (mapping_body(operator["id"], field="a.b.c"), "field: must match"),
        # The SDK (newer than the reference, which shows OPxxxx) requires an operator TTID.
        (mapping_body("OPxxxx"), "operatorId: must match"),
        (mapping_body("intelligence_operator_01kcgy1ew0e9x8re6jq542zt8b"), "no ACTIVE version"),
        (mapping_body(operator["id"], name="Lead-Score"), "name: must match"),
        ({**mapping_body(operator["id"]), "category": "DIMENSION"}, "category: must be one of"),
        (
            {
                **mapping_body(operator["id"]),
                "entityMetadata": {
                    "sourceType": "INTELLIGENCE_OPERATOR",
                    "operatorId": operator["id"],
                    "field": "score",
                },
            },
            "entityMetadata.intelligenceOperator: must not be null",
        ),
    ):
        assert fragment in error_of(api.post(MAPPINGS, json=body), 400)
    assert api.get(MAPPINGS).json()["mappings"] == []


def test_mapping_patch_with_etag(emulator: EmulatorHandle, api: httpx.Client) -> None:
    """twilio 9.13.0: PATCH .../{id} changes the field; If-Match on the ETag, else 412."""
    operator = create_operator(
        api,
        outputSchema={
            "type": "object",
            "properties": {
                "score": {"type": "integer"},
                "scores": {"type": "object", "properties": {"lead": {"type": "number"}}},
            },
        },
    )
    created = api.post(MAPPINGS, json=mapping_body(operator["id"]))
    url = f"{MAPPINGS}/{created.json()['id']}"
    tag = created.headers["ETag"]
    assert api.get(url).headers["ETag"] == tag
    change = {
        "entityMetadata": {
            "sourceType": "INTELLIGENCE_OPERATOR",
            "intelligenceOperator": {"field": "scores.lead"},
        }
    }
    stale = api.patch(url, json=change, headers={"If-Match": '"99"'})
    error_of(stale, 412, 20412)
    emulator.advance_clock(60)
    patched = api.patch(url, json=change, headers={"If-Match": tag})
    assert patched.status_code == 200, patched.text
    mapping = patched.json()
    assert_mapping_valid(mapping)
    assert mapping["entityMetadata"]["intelligenceOperator"] == {
        "operatorId": operator["id"],
        "operatorName": "Score",
        "field": "scores.lead",
    }
    assert mapping["updatedAt"] > mapping["createdAt"]
    assert patched.headers["ETag"] != tag
    bad = {"entityMetadata": {"intelligenceOperator": {"field": "nope"}}}
    error_of(api.patch(url, json=bad), 400)
    error_of(api.patch(f"{MAPPINGS}/convinsights_mapping_nope", json=change), 404, 20404)


def test_post_on_existing_name_per_the_sdk(emulator: EmulatorHandle, api: httpx.Client) -> None:
    operator = create_operator(api)
    assert api.post(MAPPINGS, json=mapping_body(operator["id"])).status_code == 201
    emulator.set_traps(insights_mapping_post_upserts=False)
    error_of(api.post(MAPPINGS, json=mapping_body(operator["id"])), 409, 20052)


def test_capacity(emulator: EmulatorHandle, api: httpx.Client) -> None:
    operator = create_operator(api)
    assert api.get(CAPACITY).json() == {"measure": {"consumed": 0, "remaining": 3}}
    for name in ("A", "B", "C"):
        assert api.post(MAPPINGS, json=mapping_body(operator["id"], name=name)).status_code == 201
    assert api.get(CAPACITY).json() == {"measure": {"consumed": 3, "remaining": 0}}
    assert api.get(f"{MAPPINGS}/Capacity").json() == api.get(CAPACITY).json()
    assert "capacity" in error_of(
        api.post(MAPPINGS, json=mapping_body(operator["id"], name="D")), 400
    )
    assert api.post(MAPPINGS, json=mapping_body(operator["id"], name="A")).status_code == 200
    emulator.set_settings(insights_custom_measure_capacity=0)
    assert api.get(CAPACITY).json() == {}


def test_custom_measure_in_queries(emulator: EmulatorHandle, api: httpx.Client) -> None:
    emulator.set_settings(operation_delay_seconds=0)
    operator = create_operator(api)
    config = intelligence_with_rule(api, operator["id"])
    orchestrator = orchestrator_config(api, intelligenceConfigurationIds=[config["id"]])
    conv = conversation(api, orchestrator, "Hello there", "I want to buy", "Thanks a lot")
    assert api.post(MAPPINGS, json=mapping_body(operator["id"])).status_code == 201
    names = {m["name"] for m in api.get(METADATA).json()["cubes"][0]["measures"]}
    assert "LeadScore" in names
    scores = [r["result"]["score"] for r in results_of(api, conv)]
    assert len(scores) == 3
    body = {"query": {"measures": ["LeadScore", "OperatorResult.Count"], "dimensions": ["Id"]}}
    rows = query(api, body)["items"]
    assert rows == [{"Id": conv, "LeadScore": sum(scores) / 3, "OperatorResult.Count": 3}]


def test_rate_limit_headers_are_integers(emulator: EmulatorHandle, api: httpx.Client) -> None:
    emulator.inject_fault("rate_limit", path="/v3/InsightsDomains/.*", count=1, retry_after=45)
    response = api.get(METADATA)
    assert response.status_code == 429
    for header in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"):
        int(response.headers[header])
    assert int(response.headers["X-RateLimit-Reset"]) == 45
    for header in ("X-Rate-Limit-Limit", "X-Rate-Limit-Remaining", "X-Rate-Limit-Config"):
        assert header in response.headers
    assert_valid(response.json(), "error.json", "insightsV3Error")
    assert api.get(METADATA).status_code == 200
