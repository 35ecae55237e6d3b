"""Shared fixtures for the emulator's own tests.

``emulator`` and ``emulator_server`` come from ``twilio_emulator.pytest_plugin``
(auto-loaded through its pytest11 entry point); helpers live in emulator_helpers.py.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from twilio_emulator.domain import Emulator
from twilio_emulator.testing import EmulatorHandle, EmulatorServer

from tests.emulator.memory_helpers import DELAY, make_store


@pytest.fixture
def api(emulator: EmulatorHandle) -> httpx.Client:
    """An httpx client on the emulator, authenticated as the default account
    (closed by the ``emulator`` fixture)."""
    return emulator.client()


@pytest.fixture
def server_state(emulator_server: EmulatorServer, emulator: EmulatorHandle) -> Emulator:
    """The in-process domain object behind the server, for peeking at what the API
    never shows (e.g. a configuration's internal active flag)."""
    return emulator_server.emulator


@pytest.fixture
def memory_delay(emulator: EmulatorHandle) -> None:
    """Each operation takes ``DELAY`` emulator seconds, so tests see writes pending
    (modules opt in with ``pytestmark = pytest.mark.usefixtures("memory_delay")``)."""
    emulator.set_settings(operation_delay_seconds=DELAY)


@pytest.fixture
def store_id(emulator: EmulatorHandle, api: httpx.Client) -> str:
    """A Memory Store whose create has completed."""
    return make_store(emulator, api)


@pytest.fixture
def knowledge_clock(emulator: EmulatorHandle) -> None:
    """Knowledge delays long enough to observe every intermediate state (moved by
    advance_clock; modules opt in with ``pytest.mark.usefixtures``)."""
    emulator.set_settings(
        operation_delay_seconds=4,
        knowledge_base_provisioning_seconds=10,
        knowledge_processing_seconds=10,
    )


def peek(state: Emulator, kind: str, account: str, doc_id: str) -> dict[str, Any] | None:
    return state.store.get(kind, account, doc_id)
