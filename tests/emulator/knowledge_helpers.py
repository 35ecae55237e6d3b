"""Paths, request helpers and error checks shared by the Knowledge v2 emulator tests."""

from __future__ import annotations

import re
from typing import Any

import httpx
from twilio_emulator.testing import EmulatorHandle

from tests.emulator.emulator_helpers import assert_valid

BASES = "/v2/ControlPlane/KnowledgeBases"
KB_ID = re.compile(r"know_knowledgebase_[0-7][0-9a-z]{25}")
SOURCE_ID = re.compile(r"know_knowledge_[0-7][0-9a-z]{25}")
MISSING_KB = "know_knowledgebase_01k6fc25s7epm9qtk8rszbv3q5"
MISSING_SOURCE = "know_knowledge_01k6fc25s7epm9qtk8rszbv3q6"
SOURCE_SCHEMA = "knowledge-source.json"


def error_of(response: httpx.Response, status: int, code: int = 20001) -> str:
    """A Knowledge error: the TwilioError shape (knowledgeV2Error) with this status/code."""
    assert response.status_code == status, response.text
    body = response.json()
    assert_valid(body, "error.json", "knowledgeV2Error")
    assert (body["code"], body["status"]) == (code, status)
    message: str = body["message"]
    return message


def assert_list(body: dict[str, Any], key: str, item_schema: str) -> None:
    """A Knowledge list: ``{<key>: [...], meta}``. (Checked item by item: the schemas' list
    definitions refer to their file's root with ``$ref: "#"``.)"""
    assert set(body) == {key, "meta"}
    assert_valid(body["meta"], "list-meta.json", "knowledgeV2Meta")
    for item in body[key]:
        assert_valid(item, item_schema)


def sources_path(kb_id: str) -> str:
    return f"/v2/KnowledgeBases/{kb_id}/Knowledge"


def finish(emulator: EmulatorHandle, api: httpx.Client, response: httpx.Response) -> dict[str, Any]:
    """Advance past the operation's delay and return its terminal status body."""
    assert response.status_code == 202, response.text
    emulator.advance_clock(10)
    op: dict[str, Any] = api.get(response.json()["statusUrl"]).json()
    assert op["status"] in ("COMPLETED", "FAILED"), op
    return op


def create_base(
    emulator: EmulatorHandle, api: httpx.Client, name: str = "support-kb", active: bool = True
) -> str:
    op = finish(emulator, api, api.post(BASES, json={"displayName": name}))
    assert op["status"] == "COMPLETED", op
    kb_id: str = op["result"]["id"]
    if active:
        emulator.advance_clock(10)
    return kb_id


def create_source(
    api: httpx.Client, kb_id: str, source: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    response = api.post(sources_path(kb_id), json={"name": "faq", "source": source, **extra})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    assert_valid(body, SOURCE_SCHEMA)
    return body


def clocked(emulator: EmulatorHandle) -> None:
    """Delays long enough to observe every intermediate state (moved by advance_clock)."""
    emulator.set_settings(
        operation_delay_seconds=4,
        knowledge_base_provisioning_seconds=10,
        knowledge_processing_seconds=10,
    )
