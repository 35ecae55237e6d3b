"""Insights v3 QueryJobs (insights-v3.md §4): asynchronous queries on the emulator clock."""

from __future__ import annotations

from typing import Any

import httpx
from twilio_emulator.testing import EmulatorHandle

from tests.emulator.dataplane_helpers import conversation
from tests.emulator.emulator_helpers import assert_valid
from tests.emulator.test_insights import RESPONSE, data
from tests.emulator.test_intelligence_configurations import error_of

__all__ = ["data"]  # the fixture, shared with test_insights


JOBS = "/v3/InsightsDomains/Conversations/QueryJobs"
JOB_BODY = {"query": {"measures": ["Conversation.Count"], "dimensions": ["Id"]}}


def test_query_job_lifecycle(
    emulator: EmulatorHandle, api: httpx.Client, data: dict[str, Any]
) -> None:
    emulator.set_settings(operation_delay_seconds=10)
    submitted = api.post(JOBS, json=JOB_BODY)
    assert submitted.status_code == 202, submitted.text
    body = submitted.json()
    assert_valid(body, RESPONSE, "QueryJobSubmitResponse")
    assert body["status"] == "PENDING"
    assert submitted.headers["Location"] == body["statusUrl"]
    int(submitted.headers["Retry-After"])
    error_of(api.get(f"{body['statusUrl']}/Results"), 404, 20404)
    emulator.advance_clock(6)
    running = api.get(body["statusUrl"])
    assert running.json()["status"] == "RUNNING"
    assert "Retry-After" in running.headers
    conversation(api, data["orchestrator"], "a late conversation")  # after submit: not counted
    emulator.advance_clock(4)
    done = api.get(body["statusUrl"]).json()
    assert_valid(done, RESPONSE, "QueryJobStatusResponse")
    assert (done["status"], done["resultId"], done["resultRetentionPeriod"]) == (
        "COMPLETED",
        body["operationId"],
        "P7D",
    )
    first = api.get(done["resultUrl"], params={"pageSize": 2}).json()
    assert_valid(first, RESPONSE)
    rest = api.get(done["resultUrl"], params={"pageToken": first["meta"]["nextToken"]}).json()
    rows = first["items"] + rest["items"]
    assert sorted(r["Id"] for r in rows) == sorted(data[k] for k in ("happy", "angry", "silent"))
    listed = api.get(JOBS, params={"status": "COMPLETED"}).json()
    assert [j["operationId"] for j in listed["items"]] == [body["operationId"]]
    assert_valid(listed, RESPONSE, "QueryJobListResponse")
    assert api.get(JOBS, params={"status": "PENDING"}).json()["items"] == []
    emulator.advance_clock(7 * 24 * 3600 + 1)
    error_of(api.get(done["resultUrl"]), 404, 20404)


def test_query_job_idempotency_and_errors(emulator: EmulatorHandle, api: httpx.Client) -> None:
    key = {"Idempotency-Key": "01890a5d-aa0f-7c80-b8e6-0242ac140004"}
    first = api.post(JOBS, json=JOB_BODY, headers=key)
    again = api.post(JOBS, json=JOB_BODY, headers=key)
    assert first.json()["operationId"] == again.json()["operationId"]
    other = {"query": {"measures": ["OperatorResult.Count"]}}
    error_of(api.post(JOBS, json=other, headers=key), 422, 20422)
    error_of(api.post(JOBS, json={"query": {}}), 400)
    error_of(api.get(f"{JOBS}/proc_job_nope"), 404, 20404)
    error_of(api.get(JOBS, params={"status": "DONE"}), 400)
    assert len(api.get(JOBS).json()["items"]) == 1
