"""LIVE MODE (opt-in, never in CI): the contract and the trap checks against a real Twilio
account, each also made on the emulator, and a report of where the two differ.

    TWILIO_LIVE_ACCOUNT_SID=AC... TWILIO_LIVE_AUTH_TOKEN=... \\
        .venv/bin/python -m pytest tests/contract -m live --live --live-report live-report.md

Without ``--live`` and both variables these tests are deselected (conftest.py), so a default
run does not even collect them. Everything a run creates carries its prefix ("ct" + six
letters), only objects it created are ever written to, and all of them are deleted when each
check ends, failed or not. Calls that would leave something undeletable are not made live;
the report lists them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from twilio_emulator.testing import EmulatorHandle

from .conftest import emulator_run, live_credentials
from .harness import Run, sleep_seconds
from .live_check import Row, compare, record, write_report
from .table import TABLE, live_plan
from .traps import TRAPS

pytestmark = pytest.mark.live

LIVE_CALLS, NOT_LIVE = live_plan()


def live_run() -> Run:
    """A run on the account. TWILIO_LIVE_ORIGIN (an emulator's URL) is for testing this
    module itself (test_live_harness.py): requests go there, and time is its clock."""
    credentials = live_credentials()
    assert credentials is not None  # collected only with credentials (conftest.py)
    origin = os.environ.get("TWILIO_LIVE_ORIGIN")
    if origin is None:
        return Run(credentials[0], credentials[1], None, sleep_seconds)

    def advance(seconds: float) -> None:
        httpx.post(
            f"{origin}/__emulator__/clock/advance", json={"seconds": seconds}
        ).raise_for_status()

    return Run(credentials[0], credentials[1], origin, advance)


@pytest.fixture(scope="module")
def rows(request: pytest.FixtureRequest) -> Iterator[list[Row]]:
    found: list[Row] = []
    yield found
    write_report(Path(request.config.getoption("--live-report")), found, NOT_LIVE)


def _check(
    name: str,
    action: Callable[[Run], object],
    emulator: EmulatorHandle,
    rows: list[Row],
) -> Row:
    emulated = record(lambda: emulator_run(emulator), action)  # type: ignore[arg-type]
    live = record(live_run, action)  # type: ignore[arg-type]
    row = compare(name, emulated, live)
    rows.append(row)
    return row


@pytest.mark.parametrize("name", LIVE_CALLS)
def test_the_call_on_the_live_account(name: str, emulator: EmulatorHandle, rows: list[Row]) -> None:
    drive = TABLE[name].drive
    assert drive is not None
    row = _check(name, drive, emulator, rows)
    assert row.live.passed, row.live.error
    assert row.live.cleanup_failures == []


@pytest.mark.parametrize("name", sorted(TRAPS))
def test_the_trap_on_the_live_account(name: str, emulator: EmulatorHandle, rows: list[Row]) -> None:
    """What the account does is the finding (the report); the check must complete."""
    row = _check(name, TRAPS[name], emulator, rows)
    assert row.live.passed, row.live.error
    assert row.live.cleanup_failures == []
