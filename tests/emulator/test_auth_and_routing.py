"""Basic auth per account, tenant isolation, and error shapes for unknown routes."""

from __future__ import annotations

import httpx
import pytest
from twilio_emulator import (
    DEFAULT_ACCOUNT_SID,
    DEFAULT_API_KEY_SECRET,
    DEFAULT_API_KEY_SID,
    DEFAULT_AUTH_TOKEN,
)
from twilio_emulator.testing import EmulatorHandle

from tests.emulator.emulator_helpers import create_config, create_operator

V3_KEYS = {"code", "message", "httpStatusCode", "userError"}
V2_KEYS = {"code", "message", "more_info", "status"}


@pytest.mark.parametrize(
    ("path", "keys"),
    [
        ("/v3/ControlPlane/Configurations", V3_KEYS),
        ("/v2/ControlPlane/Configurations", V2_KEYS),
        ("/v1/ControlPlane/Stores", V2_KEYS),
    ],
)
@pytest.mark.parametrize(
    "auth",
    [
        None,
        (DEFAULT_ACCOUNT_SID, "wrong"),
        ("AC" + "f" * 32, DEFAULT_AUTH_TOKEN),
        (DEFAULT_API_KEY_SID, "wrong"),
        ("nobody", "x"),
    ],
)
def test_bad_credentials_get_401_in_the_api_shape(
    emulator: EmulatorHandle, path: str, keys: set[str], auth: tuple[str, str] | None
) -> None:
    response = httpx.get(emulator.url + path, auth=auth)
    assert response.status_code == 401
    body = response.json()
    assert set(body) == keys
    assert body["code"] == 20003


def test_malformed_authorization_headers(emulator: EmulatorHandle) -> None:
    for header in ("Bearer abc", "Basic !!!", "Basic " + "YWJj", "Basic"):
        response = httpx.get(
            emulator.url + "/v3/ControlPlane/Operators", headers={"Authorization": header}
        )
        assert response.status_code == 401


def test_api_key_authenticates_as_its_account(emulator: EmulatorHandle) -> None:
    with httpx.Client(
        base_url=emulator.url, auth=(DEFAULT_API_KEY_SID, DEFAULT_API_KEY_SECRET)
    ) as client:
        created = create_config(client)
        assert created["accountId"] == DEFAULT_ACCOUNT_SID


def test_accounts_are_isolated(emulator: EmulatorHandle, api: httpx.Client) -> None:
    other = emulator.create_account()
    assert other.account_sid.startswith("AC")
    assert other.api_key_sid.startswith("SK")
    mine = create_config(api)
    my_operator = create_operator(api)
    with httpx.Client(
        base_url=emulator.url, auth=(other.api_key_sid, other.api_key_secret)
    ) as theirs:
        assert theirs.get(f"/v3/ControlPlane/Configurations/{mine['id']}").status_code == 404
        assert theirs.delete(f"/v3/ControlPlane/Configurations/{mine['id']}").status_code == 404
        assert theirs.get(f"/v3/ControlPlane/Operators/{my_operator['id']}").status_code == 404
        assert theirs.get("/v3/ControlPlane/Configurations").json()["items"] == []
        # Twilio operators exist in every account.
        assert len(theirs.get("/v3/ControlPlane/Operators").json()["items"]) == 4
        # The other account cannot use my operator in a rule.
        body = {
            "displayName": "x",
            "rules": [{"operators": [{"id": my_operator["id"]}], "actions": []}],
        }
        assert theirs.post("/v3/ControlPlane/Configurations", json=body).json()["code"] == 70001
    # An API key of one account is not valid with another's SID.
    assert (
        httpx.get(
            emulator.url + "/v3/ControlPlane/Operators",
            auth=(DEFAULT_ACCOUNT_SID, other.auth_token),
        ).status_code
        == 401
    )


@pytest.mark.parametrize(
    ("path", "keys"),
    [
        ("/v3/Nope", V3_KEYS),
        ("/v3/ControlPlane/Configurations/x/y", V3_KEYS),
        ("/v2/Services", V2_KEYS),
        ("/v2/Services/GA00000000000000000000000000000000", V2_KEYS),
        ("/v1/Nope", V2_KEYS),
        ("/", V3_KEYS),
        ("/v3/ControlPlane/Configurations/", V3_KEYS),
    ],
)
def test_unknown_paths_are_404_in_the_api_shape(
    api: httpx.Client, path: str, keys: set[str]
) -> None:
    response = api.get(path)
    assert response.status_code == 404
    assert set(response.json()) == keys
    assert response.json()["code"] == 20404


def test_wrong_method_is_405(api: httpx.Client) -> None:
    response = api.patch(
        "/v3/ControlPlane/Configurations/intelligence_configuration_01kermhm82e5mr98nbeh1hpmbn"
    )
    assert response.status_code == 405
    assert set(response.json()) == V3_KEYS


def test_control_api_needs_no_auth_and_is_not_logged(emulator: EmulatorHandle) -> None:
    assert httpx.get(emulator.url + "/__emulator__/health").json()["status"] == "ok"
    assert emulator.requests() == []
