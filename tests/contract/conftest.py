"""Fixtures of the SDK contract tests, and the opt-in live mode.

Live tests (marker ``live``, tests/contract/test_live.py) talk to a real Twilio account. They
are collected only with ``--live`` and both ``TWILIO_LIVE_ACCOUNT_SID`` and
``TWILIO_LIVE_AUTH_TOKEN`` set; otherwise test_live.py is not collected at all (and any other
live-marked test is deselected), so no default run reports them as skipped or passed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from twilio_emulator.testing import EmulatorHandle

from .harness import Run


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("live", "checking the emulator against a real Twilio account")
    group.addoption(
        "--live", action="store_true", help="run the live tests (needs TWILIO_LIVE_* credentials)"
    )
    group.addoption(
        "--live-report",
        default="live-report.md",
        help="where the live run writes its report (markdown; a .json beside it)",
    )


def live_credentials() -> tuple[str, str] | None:
    sid = os.environ.get("TWILIO_LIVE_ACCOUNT_SID", "")
    token = os.environ.get("TWILIO_LIVE_AUTH_TOKEN", "")
    return (sid, token) if sid and token else None


def live_enabled(config: pytest.Config) -> bool:
    return bool(config.getoption("--live")) and live_credentials() is not None


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """test_live.py is not even collected unless live mode is asked for."""
    if collection_path.name == "test_live.py" and not live_enabled(config):
        return True
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Belt and braces: a live-marked test anywhere else is deselected too."""
    if live_enabled(config):
        return
    live = [item for item in items if item.get_closest_marker("live")]
    if live:
        config.hook.pytest_deselected(items=live)
        items[:] = [item for item in items if not item.get_closest_marker("live")]


def emulator_run(emulator: EmulatorHandle) -> Run:
    """A run of the SDK against the emulator: its origin, its default account, its clock."""
    return Run(emulator.account_sid, emulator.auth_token, emulator.url, emulator.advance_clock)


@pytest.fixture
def api(emulator: EmulatorHandle) -> httpx.Client:
    """Plain HTTP on the emulator's default account, for what the SDK must not be used for."""
    return emulator.client()


@pytest.fixture
def run(emulator: EmulatorHandle) -> Iterator[Run]:
    this = emulator_run(emulator)
    try:
        yield this
    finally:
        assert this.cleanup() == []
