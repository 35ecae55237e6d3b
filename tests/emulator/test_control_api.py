"""The control API: reset, accounts, request log, faults, clock, traps, settings."""

from __future__ import annotations

import email.utils
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from twilio_emulator.testing import EmulatorHandle

from tests.emulator.emulator_helpers import (
    conv_config_body,
    create_config,
    create_operator,
    wait_operation,
)

CONFIGS = "/v3/ControlPlane/Configurations"


def test_reset_all_and_one_account(emulator: EmulatorHandle, api: httpx.Client) -> None:
    create_config(api)
    other = emulator.create_account()
    with httpx.Client(base_url=emulator.url, auth=(other.account_sid, other.auth_token)) as theirs:
        create_config(theirs)
        emulator.reset(other.account_sid)
        assert theirs.get(CONFIGS).json()["items"] == []
        assert len(theirs.get("/v3/ControlPlane/Operators").json()["items"]) == 4
        assert len(api.get(CONFIGS).json()["items"]) == 1
        emulator.reset()
        assert theirs.get(CONFIGS).status_code == 401  # created accounts are gone
    assert api.get(CONFIGS).json()["items"] == []
    assert emulator.admin.post("/reset", json={"accountSid": "AC" + "9" * 32}).status_code == 404


def test_create_account_with_chosen_credentials(emulator: EmulatorHandle) -> None:
    sid = "AC" + "a" * 32
    created = emulator.create_account(accountSid=sid, authToken="tok")
    assert created.account_sid == sid
    assert httpx.get(emulator.url + CONFIGS, auth=(sid, "tok")).status_code == 200
    duplicate = emulator.admin.post("/accounts", json={"accountSid": sid})
    assert duplicate.status_code == 400
    assert emulator.admin.post("/accounts", json={"bogus": 1}).status_code == 400
    key = emulator.admin.post(f"/accounts/{sid}/keys", json={}).json()
    assert (
        httpx.get(emulator.url + CONFIGS, auth=(key["apiKeySid"], key["apiKeySecret"])).status_code
        == 200
    )
    listed = emulator.admin.get("/accounts").json()["accounts"]
    assert sid in {a["accountSid"] for a in listed}


def test_request_log_and_filters(emulator: EmulatorHandle, api: httpx.Client) -> None:
    created = create_config(api)
    api.get(f"{CONFIGS}/{created['id']}")
    api.get(f"{CONFIGS}/intelligence_configuration_01kermhm82e5mr98nbeh1hpmbn")
    api.post(CONFIGS, content=b"a=b", headers={"Content-Type": "application/x-www-form-urlencoded"})
    entries = emulator.requests()
    assert [(e["method"], e["status"]) for e in entries] == [
        ("POST", 201),
        ("GET", 200),
        ("GET", 404),
        ("POST", 415),
    ]
    first = entries[0]
    assert first["path"] == CONFIGS
    assert first["account"] == emulator.account_sid
    assert first["api"] == "intelligence"
    assert first["body"]["displayName"] == "cfg"
    assert first["headers"]["content-type"] == "application/json"
    assert emulator.requests(method="post", status=201) == [first]
    assert len(emulator.requests(path_prefix=f"{CONFIGS}/")) == 2
    assert len(emulator.requests(path_regex=r"01kermhm82e5mr98nbeh1hpmbn$")) == 1
    assert emulator.requests(account="AC" + "0" * 32) == []
    mark = emulator.mark()
    api.get(CONFIGS, params={"pageSize": 3})
    since = emulator.requests(since=mark)
    assert len(since) == 1
    assert since[0]["query"] == {"pageSize": ["3"]}
    emulator.clear_requests()
    assert emulator.requests() == []
    assert emulator.admin.get("/requests", params={"path_regex": "("}).status_code == 400


def test_fault_error_and_count(emulator: EmulatorHandle, api: httpx.Client) -> None:
    emulator.inject_fault(
        "error", method="POST", path=r"^/v3/ControlPlane/Configurations$", status=503, count=2
    )
    for _ in range(2):
        response = api.post(CONFIGS, json={"displayName": "x", "rules": []})
        assert response.status_code == 503
        assert response.json()["code"] == 20503
        assert response.json()["userError"] is False
    assert api.post(CONFIGS, json={"displayName": "x", "rules": []}).status_code == 201
    assert len(api.get(CONFIGS).json()["items"]) == 1  # faulted writes changed nothing
    assert emulator.faults()[0]["hits"] == 2
    logged = emulator.requests(method="POST")
    assert [e["fault"] for e in logged] == ["error", "error", None]


def test_fault_rate_limit(emulator: EmulatorHandle, api: httpx.Client) -> None:
    emulator.inject_fault("rate_limit", path="Operators", retry_after=7, count=1)
    response = api.get("/v3/ControlPlane/Operators")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert response.json()["code"] == 20429
    for header in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"):
        assert header in response.headers
    assert api.get("/v3/ControlPlane/Operators").status_code == 200


def test_fault_rate_is_probabilistic_and_seedable(
    emulator: EmulatorHandle, api: httpx.Client
) -> None:
    emulator.inject_fault("error", path="Operators", rate=0.5, seed=42)
    statuses = [api.get("/v3/ControlPlane/Operators").status_code for _ in range(40)]
    assert 5 < statuses.count(500) < 35
    assert statuses.count(200) == 40 - statuses.count(500)


def test_fault_latency(emulator: EmulatorHandle, api: httpx.Client) -> None:
    emulator.inject_fault("latency", path="Operators", latency_ms=300, count=1)
    started = time.monotonic()
    assert api.get("/v3/ControlPlane/Operators").status_code == 200
    assert time.monotonic() - started >= 0.3


def test_a_held_request_is_released_when_its_fault_is_removed(
    emulator: EmulatorHandle, api: httpx.Client
) -> None:
    """skip lets the first matching request through; the second is held (ten minutes) until
    the fault is removed, and then served at once."""
    fault = emulator.inject_fault(
        "latency", path="^/v3/ControlPlane/Operators$", skip=1, count=1, latency_ms=600_000
    )
    assert api.get("/v3/ControlPlane/Operators").status_code == 200  # skipped: not held
    with ThreadPoolExecutor(1) as pool:
        held = pool.submit(api.get, "/v3/ControlPlane/Operators")
        deadline = time.monotonic() + 60  # a bound, not a wait

        def hits() -> int:
            return int(next(f["hits"] for f in emulator.faults() if f["id"] == fault))

        while hits() < 1:
            assert time.monotonic() < deadline, "the second request never arrived"
            time.sleep(0.02)
        assert not held.done()
        assert emulator.admin.delete(f"/faults/{fault}").status_code == 204
        assert held.result(timeout=60).status_code == 200
    listed = emulator.requests(path_regex="^/v3/ControlPlane/Operators$")
    assert [r["status"] for r in listed] == [200, 200]


def test_fault_reset_closes_without_response(emulator: EmulatorHandle, api: httpx.Client) -> None:
    emulator.inject_fault("reset", method="POST", path="Configurations", count=1)
    with pytest.raises(httpx.TransportError):
        api.post(CONFIGS, json={"displayName": "x", "rules": []})
    assert api.get(CONFIGS).json()["items"] == []
    assert emulator.requests(method="POST")[0]["status"] is None


def test_fault_drop_response_commits_the_write(emulator: EmulatorHandle, api: httpx.Client) -> None:
    emulator.inject_fault("drop_response", method="POST", path="Configurations", count=1)
    with pytest.raises(httpx.TransportError):
        api.post(CONFIGS, json={"displayName": "dropped", "rules": []})
    items = api.get(CONFIGS).json()["items"]
    assert [item["displayName"] for item in items] == ["dropped"]
    entry = emulator.requests(method="POST")[0]
    assert (entry["fault"], entry["status"]) == ("drop_response", None)


def test_fault_fail_operation(emulator: EmulatorHandle, api: httpx.Client) -> None:
    emulator.inject_fault(
        "fail_operation", method="POST", path="/v2/ControlPlane/Configurations", count=1
    )
    response = api.post("/v2/ControlPlane/Configurations", json=conv_config_body())
    assert response.status_code == 202
    op = wait_operation(api, response.json()["statusUrl"])
    assert op["status"] == "FAILED"
    assert op["error"]["status"] == 500
    config_id = response.json()["related"]["configurationId"]
    assert api.get(f"/v2/ControlPlane/Configurations/{config_id}").status_code == 404


def test_fault_scoped_to_account_and_removable(emulator: EmulatorHandle, api: httpx.Client) -> None:
    fault_id = emulator.inject_fault("error", account="AC" + "b" * 32)
    assert api.get(CONFIGS).status_code == 200
    assert emulator.admin.delete(f"/faults/{fault_id}").status_code == 204
    assert emulator.admin.delete(f"/faults/{fault_id}").status_code == 404
    emulator.inject_fault("error")
    emulator.clear_faults()
    assert emulator.faults() == []
    bad = emulator.admin.post("/faults", json={"kind": "meteor"})
    assert bad.status_code == 400
    assert emulator.admin.post("/faults", json={"kind": "error", "path": "("}).status_code == 400
    assert emulator.admin.post("/faults", json={"kind": "error", "rate": 2}).status_code == 400


def test_clock(emulator: EmulatorHandle) -> None:
    before = emulator.admin.get("/clock").json()
    advanced = emulator.advance_clock(3600)
    assert advanced["offsetSeconds"] == before["offsetSeconds"] + 3600
    assert advanced["epoch"] >= before["epoch"] + 3600
    assert emulator.admin.post("/clock/advance", json={"seconds": -1}).status_code == 400


def test_clock_drives_timestamps(emulator: EmulatorHandle, api: httpx.Client) -> None:
    first = create_operator(api)
    emulator.advance_clock(86400 * 400)
    created = create_config(api)
    assert created["dateCreated"][:4] > "2000"
    versions = api.get(f"/v3/ControlPlane/Operators/{first['id']}/Versions").json()["items"]
    assert versions[0]["dateCreated"] < created["dateCreated"]


def test_the_date_header_is_the_emulator_clock(emulator: EmulatorHandle, api: httpx.Client) -> None:
    emulator.advance_clock(86400 * 400)

    def clock() -> float:
        epoch: float = emulator.admin.get("/clock").json()["epoch"]
        return epoch

    requests: list[tuple[httpx.Client, str]] = [
        (api, CONFIGS),
        (api, f"{CONFIGS}/nope"),  # an error answer
        (emulator.admin, "/health"),  # the control API too
    ]
    for client, path in requests:
        before = clock()
        (date,) = client.get(path).headers.get_list("date")
        after = clock()
        sent = email.utils.parsedate_to_datetime(date).timestamp()
        assert int(before) <= sent <= after, (date, before, after)  # Date has whole seconds


def test_traps_and_settings(emulator: EmulatorHandle) -> None:
    traps = emulator.admin.get("/traps").json()
    assert traps == {
        "put_deactivates_configuration": True,
        "twilio_prompt_null": True,
        "lowercase_parameter_type_accepted": True,
        "conversation_configuration_id_unused": True,
        "sentiment_labels_lowercase": True,
        "memory_store_sync_name_checks": True,
        "memory_if_match_412_everywhere": True,
        "memory_identity_settings_strict": False,
        "memory_trait_names_camel_case": True,
        "memory_builtin_group_protected": True,
        "memory_data_mapping_wide_names": False,
    }
    assert emulator.set_traps(twilio_prompt_null=False)["twilio_prompt_null"] is False
    assert emulator.admin.patch("/traps", json={"nope": True}).status_code == 400
    assert emulator.admin.patch("/traps", json={"twilio_prompt_null": "no"}).status_code == 400
    settings = emulator.set_settings(operation_delay_seconds=1, retry_after_seconds=0)
    assert settings["operation_delay_seconds"] == 1.0
    assert (
        emulator.admin.patch("/settings", json={"operation_delay_seconds": -1}).status_code == 400
    )
    assert (
        emulator.admin.patch("/settings", json={"new_operator_version_status": "GONE"}).status_code
        == 400
    )
    assert emulator.admin.patch("/settings", json=[1]).status_code == 400
    emulator.reset()
    assert emulator.admin.get("/traps").json()["twilio_prompt_null"] is True
    assert emulator.admin.get("/settings").json()["operation_delay_seconds"] == 0.2


def test_retry_after_setting(emulator: EmulatorHandle, api: httpx.Client) -> None:
    emulator.set_settings(retry_after_seconds=0)
    response = api.post("/v1/ControlPlane/Stores", json={"displayName": "s"})
    assert response.headers["Retry-After"] == "0"
