"""The server starts, authenticates and answers one route."""

from __future__ import annotations

import httpx
from twilio_emulator import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN
from twilio_emulator.testing import EmulatorHandle


def test_default_account_lists_twilio_operators(emulator: EmulatorHandle) -> None:
    response = httpx.get(
        emulator.url + "/v3/ControlPlane/Operators", auth=(DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN)
    )
    assert response.status_code == 200
    authors = {item["author"] for item in response.json()["items"]}
    assert authors == {"TWILIO"}


def test_missing_credentials_get_401(emulator: EmulatorHandle) -> None:
    response = httpx.get(emulator.url + "/v3/ControlPlane/Operators")
    assert response.status_code == 401
    assert response.json()["code"] == 20003
