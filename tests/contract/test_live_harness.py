"""The live mode's harness, run against the emulator as if it were a live account (a second
emulator account plays the live one), so that it is not dead code: writes only to what a run
created, cleanup also when the check fails, the report written with the differences."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from twilio.rest.intelligence.v3.operator import OperatorList
from twilio_emulator.testing import EmulatorHandle

from .calls_intelligence import make_operator, operator_body
from .calls_memory import make_store
from .conftest import emulator_run
from .harness import Run
from .live_check import compare, record, write_report
from .sdk_http import RefusedWrite
from .table import TABLE, live_plan
from .traps import TRAPS

OPERATORS = "/v3/ControlPlane/Operators"
REPO = Path(__file__).resolve().parents[2]


def as_live(emulator: EmulatorHandle) -> Run:
    """A run on a second emulator account, standing in for a real one."""
    account = emulator.create_account()
    return Run(account.account_sid, account.auth_token, emulator.url, emulator.advance_clock)


def test_writes_to_objects_the_run_did_not_create_are_refused_unsent(
    emulator: EmulatorHandle, api: httpx.Client, run: Run
) -> None:
    foreign = api.post(OPERATORS, json=operator_body(run)).json()["id"]
    mark = emulator.mark()
    operators = run.client.intelligence.v3.operators
    with pytest.raises(RefusedWrite, match=foreign):
        operators(foreign).delete()
    with pytest.raises(RefusedWrite, match=foreign):
        operators(foreign).update(OperatorList.LanguageOperator(operator_body(run)))
    assert operators(foreign).fetch().id == foreign  # reading is harmless
    store_id = make_store(run)
    with pytest.raises(RefusedWrite, match="Contact"):  # built in, so not the run's
        run.client.memory.v1.trait_groups(store_id, "Contact").delete()
    writes = [r for r in emulator.requests(since=mark) if r["method"] != "GET"]
    assert [(r["method"], r["path"]) for r in writes] == [("POST", "/v1/ControlPlane/Stores")]
    assert api.get(f"{OPERATORS}/{foreign}").status_code == 200


def test_cleanup_runs_when_the_check_fails(emulator: EmulatorHandle, api: httpx.Client) -> None:
    made: list[str] = []

    def failing(run: Run) -> None:
        made.append(make_operator(run))
        raise AssertionError("the live service answered something unexpected")

    outcome = record(lambda: as_live(emulator), failing)
    assert not outcome.passed
    assert "answered something unexpected" in outcome.error
    assert outcome.cleanup_failures == []
    deletes = emulator.requests(method="DELETE", path_prefix=f"{OPERATORS}/{made[0]}")
    assert [r["status"] for r in deletes] == [204]


def test_the_report_names_where_the_live_side_differs(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    live = as_live(emulator)
    emulator.inject_fault(
        "error",
        method="GET",
        path=r"/v3/ControlPlane/Operators/.*",
        status=500,
        account=live.account_sid,
    )
    rows = []
    for name in (
        "intelligence.v3.OperatorContext.fetch",
        "intelligence.v3.ConfigurationList.create",
    ):
        drive = TABLE[name].drive
        assert drive is not None
        emulated = record(lambda: emulator_run(emulator), drive)
        rows.append(compare(name, emulated, record(lambda: live, drive)))
    report = tmp_path / "live-report.md"
    write_report(report, rows, live_plan()[1])
    data = json.loads(report.with_suffix(".json").read_text())
    differing = {row["name"]: row["differences"] for row in data["rows"]}
    assert differing["intelligence.v3.ConfigurationList.create"] == []
    fetch = differing["intelligence.v3.OperatorContext.fetch"]
    assert any("status emulator 200, live 500" in d for d in fetch), fetch
    assert "insights.v3.CustomFieldMappingList.create" in data["notRunLive"]
    markdown = report.read_text()
    assert "1 of 2 checks differ" in markdown
    assert "OperatorContext.fetch" in markdown


@pytest.mark.parametrize("deactivates", [True, False])
def test_the_put_trap_check_sees_the_emulator_switch(
    emulator: EmulatorHandle, run: Run, deactivates: bool
) -> None:
    emulator.set_traps(put_deactivates_configuration=deactivates)
    observed = TRAPS["trap: PUT deactivates an Intelligence Configuration"](run)
    assert observed == {"versionBumped": True, "resultsAfterPut": not deactivates}


def test_the_schema_and_operation_trap_checks(run: Run) -> None:
    schema = TRAPS["trap: outputSchema rewritten"](run)
    assert schema == {
        "additionalProperties": False,
        "required": ["detail", "score"],
        "nestedAdditionalProperties": False,
        "nestedRequired": ["reason"],
    }
    operations = TRAPS["trap: asynchronous operations"](run)
    assert operations == {"createStatus": 202, "finalStatus": "COMPLETED", "knownStatuses": True}


def _pytest(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=REPO,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_without_credentials_the_live_tests_are_not_collected() -> None:
    """Even with --live: both the flag and the credentials are needed (conftest.py)."""
    unset = {"TWILIO_LIVE_ACCOUNT_SID": "", "TWILIO_LIVE_AUTH_TOKEN": ""}
    listing = _pytest(["--co", "-q", "--live", "tests/contract"], unset)
    assert listing.returncode == 0, listing.stdout + listing.stderr
    assert "test_live.py" not in listing.stdout
    assert "test_live_harness.py" in listing.stdout


def test_the_live_module_runs_against_an_emulator_as_if_live(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    """tests/contract/test_live.py itself, in a pytest of its own: a second account of this
    emulator is the live account, the child's own emulator the emulated side."""
    account = emulator.create_account()
    report = tmp_path / "report.md"
    checks = "OperatorContext.fetch or OperatorList.create or outputSchema"
    result = _pytest(
        [
            "tests/contract/test_live.py",
            "--live",
            "-m",
            "live",
            "-k",
            checks,
            "--live-report",
            str(report),
            "-q",
        ],
        {
            "TWILIO_LIVE_ACCOUNT_SID": account.account_sid,
            "TWILIO_LIVE_AUTH_TOKEN": account.auth_token,
            "TWILIO_LIVE_ORIGIN": emulator.url,
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout
    data = json.loads(report.with_suffix(".json").read_text())
    names = sorted(row["name"] for row in data["rows"])
    assert names == [
        "intelligence.v3.OperatorContext.fetch",
        "intelligence.v3.OperatorList.create",
        "trap: outputSchema rewritten",
    ]
    assert all(row["differences"] == [] for row in data["rows"]), data["rows"]
    assert "0 of 3 checks differ" in report.read_text()
    for written in (report, report.with_suffix(".json")):
        assert account.auth_token not in written.read_text()
    assert account.auth_token not in result.stdout + result.stderr
    # The live side's run cleaned up: its operator was deleted on the "live" account.
    live_deletes = emulator.requests(method="DELETE", account=account.account_sid)
    assert len(live_deletes) == 2  # one operator per check that made one
    assert all(r["status"] == 204 for r in live_deletes)
