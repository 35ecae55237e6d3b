"""State survives a restart with --state-file; the CLI prints a ready line."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
from twilio_emulator import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN
from twilio_emulator.testing import EmulatorServer

from tests.emulator.emulator_helpers import conv_config_body, create_config, create_operator


def test_state_file_survives_restart(tmp_path: Path) -> None:
    state = str(tmp_path / "state.db")
    with EmulatorServer(state_file=state) as server:
        handle = server.handle()
        api = handle.client()
        config = create_config(api)
        operator = create_operator(api)
        other = handle.create_account()
        handle.set_traps(twilio_prompt_null=False)
        handle.set_settings(operation_delay_seconds=30)
        handle.advance_clock(100)
        pending = api.post("/v2/ControlPlane/Configurations", json=conv_config_body())
        store = api.post("/v1/ControlPlane/Stores", json={"displayName": "kept"})
        clock_before = handle.admin.get("/clock").json()["offsetSeconds"]
        handle.close_clients()
        handle.admin.close()
    with EmulatorServer(state_file=state) as server:
        handle = server.handle()
        api = handle.client()
        assert api.get(f"/v3/ControlPlane/Configurations/{config['id']}").json() == config
        assert api.get(f"/v3/ControlPlane/Operators/{operator['id']}").json() == operator
        assert handle.admin.get("/traps").json()["twilio_prompt_null"] is False
        assert handle.admin.get("/settings").json()["operation_delay_seconds"] == 30
        assert handle.admin.get("/clock").json()["offsetSeconds"] == clock_before
        with httpx.Client(
            base_url=server.url, auth=(other.account_sid, other.auth_token)
        ) as theirs:
            assert theirs.get("/v3/ControlPlane/Configurations").status_code == 200
        # Operations that were pending at shutdown complete after the restart.
        # (Status URLs name the old port, so only their paths are reused.)
        pending_path = httpx.URL(pending.json()["statusUrl"]).path
        assert api.get(pending_path).json()["status"] == "PENDING"
        handle.advance_clock(30)
        assert api.get(pending_path).json()["status"] == "COMPLETED"
        store_op = api.get(httpx.URL(store.json()["statusUrl"]).path).json()
        assert api.get(f"/v1/ControlPlane/Stores/{store_op['result']['id']}").status_code == 200
        handle.close_clients()
        handle.admin.close()


def test_cli_starts_prints_ready_line_and_honours_env(tmp_path: Path) -> None:
    env = dict(os.environ)
    env["TWILIO_EMULATOR_ACCOUNT_SID"] = "AC" + "c" * 32
    env["TWILIO_EMULATOR_AUTH_TOKEN"] = "cli-token"  # noqa: S105 - a throwaway test credential
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "twilio_emulator",
            "--port",
            "0",
            "--state-file",
            str(tmp_path / "s.db"),
        ],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("Twilio emulator ready at http://127.0.0.1:")
        assert "AC" + "c" * 32 in line
        assert "cli-token" in line
        url = line.split(" at ", 1)[1].split(" ", 1)[0]
        response = httpx.get(
            url + "/v3/ControlPlane/Operators", auth=("AC" + "c" * 32, "cli-token")
        )
        assert response.status_code == 200
        assert (
            httpx.get(
                url + "/v3/ControlPlane/Operators", auth=(DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN)
            ).status_code
            == 401
        )
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


def test_console_script_help() -> None:
    script = Path(sys.executable).with_name("twilio-emulator")
    result = subprocess.run(
        [str(script), "--help"], capture_output=True, text=True, check=True, timeout=30
    )
    assert "--state-file" in result.stdout


def test_lists_of_thousands_stay_fast(api: httpx.Client) -> None:
    """Budgets in CPU time of this process (the client and the in-process server): what the
    work costs, not how long a machine busy with other work made it wait."""
    for index in range(1200):
        response = api.post(
            "/v3/ControlPlane/Configurations", json={"displayName": f"c{index}", "rules": []}
        )
        assert response.status_code == 201
    started = time.process_time()
    token = None
    seen = 0
    while True:
        params: dict[str, str | int] = {"pageSize": 100}
        if token:
            params["pageToken"] = token
        body = api.get("/v3/ControlPlane/Configurations", params=params).json()
        seen += len(body["items"])
        token = body["meta"].get("nextToken")
        if not token:
            break
    elapsed = time.process_time() - started
    assert seen == 1200
    assert elapsed < 2.0, f"12 pages took {elapsed:.2f}s of CPU"
    started = time.process_time()
    full = api.get("/v3/ControlPlane/Configurations", params={"pageSize": 1000}).json()
    assert len(full["items"]) == 1000
    assert time.process_time() - started < 1.0
    last_id = full["items"][-1]["id"]
    started = time.process_time()
    for _ in range(50):
        assert api.get(f"/v3/ControlPlane/Configurations/{last_id}").status_code == 200
    assert time.process_time() - started < 1.0
