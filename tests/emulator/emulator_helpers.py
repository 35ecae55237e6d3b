"""Request bodies, schema validation and small helpers for the emulator tests."""

from __future__ import annotations

import json
import time
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator  # type: ignore[import-untyped,unused-ignore]  # stubs may or may not be installed
from referencing import Registry, Resource

REPO_ROOT = Path(__file__).resolve().parents[2]
SCHEMA_DIR = REPO_ROOT.parent / "shared" / "reference" / "schemas"


@cache
def _schema(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SCHEMA_DIR / name).read_text())
    return loaded


def schema_validator(name: str, definition: str | None = None) -> Draft202012Validator:
    """Validator for a reference schema file (or one of its ``$defs``).

    Skips the calling test when the reference folder is not beside the checkout.
    """
    if not SCHEMA_DIR.is_dir():
        pytest.skip(f"reference schemas not found at {SCHEMA_DIR} (not beside the checkout)")
    schema = _schema(name)
    if definition is None:
        return Draft202012Validator(schema)
    # Through a registry, so that a "$ref": "#" inside the definition (the list schemas'
    # items) still means the file's root schema.
    uri = schema.get("$id", f"urn:schema:{name}")
    registry: Registry[Any] = Registry().with_resource(uri, Resource.from_contents(schema))
    return Draft202012Validator({"$ref": f"{uri}#/$defs/{definition}"}, registry=registry)


def assert_valid(body: Any, name: str, definition: str | None = None) -> None:
    errors = sorted(schema_validator(name, definition).iter_errors(body), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


# -- request bodies and helpers shared by the test modules ---------------------------

SENTIMENT = "intelligence_operator_01kcrvw16kfa88qvgrfmr7y151"
SUMMARY = "intelligence_operator_01kcv35pnkeysaf6z6cqtbpegn"
NEXT_BEST_RESPONSE = "intelligence_operator_01kea27sy7ffsafmtsfp17nzx4"
SCRIPT_ADHERENCE = "intelligence_operator_01kf34tcyefpyb1t4m0nbd8rxg"
TWILIO_OPERATORS = (SENTIMENT, SUMMARY, NEXT_BEST_RESPONSE, SCRIPT_ADHERENCE)
KB_VALUE = "know_knowledgebase_01k6fc25s7epm9qtk8rszbv3q5:know_knowledge_01k6fc25s7epm9qtk8rszbv3q6"


def operator_body(**overrides: Any) -> dict[str, Any]:
    return {
        "displayName": "Script Adherence",
        "description": "Measuring whether the agent stuck to the script",
        "prompt": "Rate the interaction from 0-{{parameters.scale}}.",
        "outputFormat": "JSON",
        "outputSchema": {
            "type": "object",
            "properties": {"score": {"type": "integer"}, "explanation": {"type": "string"}},
        },
        "trainingExamples": [{"input": "hello", "output": '{"score": 5, "explanation": "ok"}'}],
        "context": {"memory": {"enabled": True}, "knowledge": {"enabled": True}},
        "parameters": {"scale": {"type": "INTEGER", "default": 5, "description": "Max score"}},
        **overrides,
    }


def rule(operator_id: str = SENTIMENT, **overrides: Any) -> dict[str, Any]:
    return {
        "operators": [{"id": operator_id}],
        "triggers": [{"on": "COMMUNICATION"}],
        "actions": [{"type": "WEBHOOK", "method": "POST", "url": "https://example.com/hook"}],
        **overrides,
    }


def config_body(**overrides: Any) -> dict[str, Any]:
    return {"displayName": "cfg", "description": "d", "rules": [rule()], **overrides}


def conv_config_body(**overrides: Any) -> dict[str, Any]:
    return {
        "displayName": "Support Config",
        "description": "Support configuration",
        "conversationGroupingType": "GROUP_BY_PARTICIPANT_ADDRESSES",
        "memoryStoreId": "mem_store_01k1etk2y5f1y9fpe2epfdtvv2",
        "channelSettings": {
            "SMS": {
                "statusTimeouts": {"inactive": 5, "closed": 10},
                "captureRules": [{"from": "*", "to": "+18005550100", "metadata": {}}],
            }
        },
        **overrides,
    }


def _created(api: httpx.Client, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = api.post(path, json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def create_operator(api: httpx.Client, **overrides: Any) -> dict[str, Any]:
    return _created(api, "/v3/ControlPlane/Operators", operator_body(**overrides))


def create_config(api: httpx.Client, **overrides: Any) -> dict[str, Any]:
    return _created(api, "/v3/ControlPlane/Configurations", config_body(**overrides))


def wait_operation(api: httpx.Client, url: str, timeout: float = 60.0) -> dict[str, Any]:
    """Poll an operation status URL until it is terminal."""
    deadline = time.monotonic() + timeout
    while True:
        body: dict[str, Any] = api.get(url).json()
        if body["status"] in ("COMPLETED", "FAILED", "CANCELLED"):
            return body
        if time.monotonic() > deadline:
            raise AssertionError(f"operation still {body['status']}")
        time.sleep(0.02)
