"""Shared fixtures for the emulator's own tests.

``emulator`` and ``emulator_server`` come from ``twilio_emulator.pytest_plugin``
(auto-loaded through its pytest11 entry point).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]  # no stubs pinned in the dev dependencies
from twilio_emulator.testing import EmulatorHandle

REPO_ROOT = Path(__file__).resolve().parents[2]
SCHEMA_DIR = REPO_ROOT.parent / "shared" / "reference" / "schemas"


@pytest.fixture
def api(emulator: EmulatorHandle) -> httpx.Client:
    """An httpx client on the emulator, authenticated as the default account
    (closed by the ``emulator`` fixture)."""
    return emulator.client()


@cache
def _schema(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SCHEMA_DIR / name).read_text())
    return loaded


def schema_validator(name: str, definition: str | None = None) -> Draft202012Validator:
    """Validator for a reference schema file (or one of its ``$defs``).

    Skips the calling test when the reference folder is not beside the checkout.
    """
    if not SCHEMA_DIR.is_dir():
        pytest.skip(f"reference schemas not found at {SCHEMA_DIR} (not beside the checkout)")
    schema = _schema(name)
    if definition is not None:
        schema = {"$ref": f"#/$defs/{definition}", "$defs": schema["$defs"]}
    return Draft202012Validator(schema)


def assert_valid(body: Any, name: str, definition: str | None = None) -> None:
    errors = sorted(schema_validator(name, definition).iter_errors(body), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)
