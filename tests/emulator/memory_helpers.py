"""Helpers for the Memory v1 control-plane tests: async writes completed on the
emulator clock, error checks, and bodies taken from the reference's examples."""

from __future__ import annotations

from typing import Any

import httpx
from twilio_emulator.testing import EmulatorHandle

from tests.emulator.emulator_helpers import assert_valid

STORES = "/v1/ControlPlane/Stores"
OPS = "async-operation.json"
DELAY = 2.0  # emulator seconds each operation takes in these tests


def error_of(response: httpx.Response, status: int, code: int = 20001) -> str:
    """The message of a Memory error answer (TwilioError, schema-checked)."""
    assert response.status_code == status, response.text
    body = response.json()
    assert_valid(body, "error.json", "memoryV1Error")
    assert (body["code"], body["status"]) == (code, status)
    assert body["more_info"] == f"https://www.twilio.com/docs/api/errors/{code}"  # §1.2
    message: str = body["message"]
    return message


def accepted(response: httpx.Response, message_start: str) -> str:
    """Checks a 202 (headers, schema-valid body) and returns its status URL."""
    assert response.status_code == 202, response.text
    body = response.json()
    assert_valid(body, OPS, "memoryV1OperationAccepted")
    assert body["message"].startswith(message_start), body
    assert response.headers["Location"] == body["statusUrl"]
    assert body["statusUrl"].endswith(
        "/v1/ControlPlane/Operations/" + response.headers["Operation-Id"]
    )
    assert response.headers["Retry-After"].isdigit()
    url: str = body["statusUrl"]
    return url


def finish(
    emulator: EmulatorHandle, api: httpx.Client, response: httpx.Response, message_start: str
) -> dict[str, Any]:
    """Accept, check the operation is still PENDING, advance the clock past it and return
    the terminal operation body (schema-checked)."""
    url = accepted(response, message_start)
    pending = api.get(url).json()
    assert_valid(pending, OPS, "memoryV1OperationStatus")
    assert pending["status"] in ("PENDING", "RUNNING")
    emulator.advance_clock(DELAY)
    done: dict[str, Any] = api.get(url).json()
    assert_valid(done, OPS, "memoryV1OperationStatus")
    assert done["status"] in ("COMPLETED", "FAILED")
    return done


def completed(
    emulator: EmulatorHandle, api: httpx.Client, response: httpx.Response, message_start: str
) -> dict[str, Any]:
    done = finish(emulator, api, response, message_start)
    assert done["status"] == "COMPLETED", done
    assert done["result"]["type"] == "RESOURCE_ID"
    return done


def make_store(emulator: EmulatorHandle, api: httpx.Client, name: str = "sandbox") -> str:
    done = completed(emulator, api, api.post(STORES, json={"displayName": name}), "Memory Store")
    store_id: str = done["result"]["id"]
    return store_id


# From the reference: trait-group.create.json's example and data-mapping.create.json's shape.
MIXED_TRAITS: dict[str, Any] = {
    "email": {
        "dataType": "STRING",
        "description": "User's email address",
        "validationRule": {
            "ruleType": "STRING",
            "pattern": "^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\\.[a-zA-Z]{2,}$",
            "minLength": 5,
            "maxLength": 254,
        },
    },
    "age": {
        "dataType": "NUMBER",
        "description": "User's age in years",
        "validationRule": {"ruleType": "NUMBER", "min": 0, "max": 150},
    },
    "isSubscribed": {"dataType": "BOOLEAN", "validationRule": {"ruleType": "BOOLEAN"}},
    "favoriteColors": {
        "dataType": "ARRAY",
        "validationRule": {"ruleType": "ARRAY", "minItems": 1, "maxItems": 10},
    },
}


def group_body(name: str = "mixedTraits", **extra: Any) -> dict[str, Any]:
    return {
        "displayName": name,
        "description": "Demonstrates all types.",
        "traits": MIXED_TRAITS,
        **extra,
    }


def mapping_body(name: str = "crm-contacts", **extra: Any) -> dict[str, Any]:
    return {
        "displayName": name,
        "description": "Contacts from the CRM",
        "mappingFrom": {"type": "INGRESS", "columns": ["email_address", "age"]},
        "mappingTo": {
            "type": "TRAITS",
            "mappings": [
                {"expression": "email_address", "traitGroup": "mixedTraits", "traitName": "email"},
                {"expression": "age", "traitGroup": "mixedTraits", "traitName": "age"},
            ],
        },
        **extra,
    }


def make_group(emulator: EmulatorHandle, api: httpx.Client, store_id: str, **extra: Any) -> str:
    body = group_body(**extra)
    response = api.post(f"{STORES}/{store_id}/TraitGroups", json=body)
    done = completed(emulator, api, response, "TraitGroup creation")
    assert done["result"]["id"] == body["displayName"]
    name: str = body["displayName"]
    return name


def make_mapping(emulator: EmulatorHandle, api: httpx.Client, store_id: str, **extra: Any) -> str:
    response = api.post(f"{STORES}/{store_id}/DataMappings", json=mapping_body(**extra))
    done = completed(emulator, api, response, "Data mapping creation")
    mapping_id: str = done["result"]["id"]
    return mapping_id
