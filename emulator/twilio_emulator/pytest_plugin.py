"""pytest fixtures for tests that talk to the emulator over real HTTP.

Loaded automatically when the package is installed (entry point ``pytest11``);
otherwise add ``-p twilio_emulator.pytest_plugin``.

- ``emulator_server`` (session): one running :class:`~twilio_emulator.testing.EmulatorServer`
  with in-memory state; ``.url``.
- ``emulator`` (function): resets all state (data, accounts, clock, traps,
  settings, faults, request log) and yields an
  :class:`~twilio_emulator.testing.EmulatorHandle` with ``.url``,
  ``.account_sid``, ``.auth_token``, ``.api_key_sid``, ``.api_key_secret``,
  ``.client()``, ``.requests(**filters)``, ``.mark()``, ``.inject_fault(...)``,
  ``.advance_clock(seconds)``, ``.set_traps(...)``, ``.set_settings(...)``,
  ``.set_operator_version_status(...)``, ``.create_account()``, ``.reset()``
  and ``.admin`` (an ``httpx.Client`` on the control API).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .testing import EmulatorHandle, EmulatorServer

__all__ = ["emulator", "emulator_server"]


@pytest.fixture(scope="session")
def emulator_server() -> Iterator[EmulatorServer]:
    # Imported here so that merely loading the plugin stays cheap.
    from .testing import EmulatorServer  # noqa: PLC0415 - keep loading the plugin cheap

    with EmulatorServer() as server:
        yield server


@pytest.fixture
def emulator(emulator_server: EmulatorServer) -> Iterator[EmulatorHandle]:
    handle = emulator_server.handle()
    try:
        handle.reset()
        yield handle
    finally:
        handle.close_clients()
        handle.admin.close()
