"""Twilio's own client as the second judge of the emulator: every call the ``twilio`` SDK
(9.13.0, generated from Twilio's specs of November 2026) offers for Intelligence v3,
Conversations v2, Memory v1, Knowledge v2 and Insights v3 is sent by the SDK to the emulator,
answered with the status the reference gives, and parsed by the SDK into instances whose
fields are populated.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from .harness import Run
from .sdk_surface import call_for, sdk_calls, unknown_fields
from .table import TABLE

REPO = Path(__file__).resolve().parents[2]
DRIVEN = sorted(name for name, entry in TABLE.items() if entry.drive is not None)


def test_the_table_is_the_sdk_surface() -> None:
    """A call the SDK adds (or drops) fails here until the table says how to drive it."""
    assert sorted(TABLE) == [call.name for call in sdk_calls()]


def test_every_control_plane_call_is_driven() -> None:
    control = {call.name for call in sdk_calls() if call.control_plane}
    assert control - set(DRIVEN) == set()
    for name, entry in TABLE.items():
        assert entry.drive is not None or entry.why, f"{name}: neither driven nor explained"


def test_the_provider_does_not_depend_on_the_sdk() -> None:
    for path in (REPO / "provider").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            assert not any(n == "twilio" or n.startswith("twilio.") for n in names), path


@pytest.mark.parametrize("name", DRIVEN)
def test_the_sdk_call_is_answered_and_parsed(name: str, run: Run) -> None:
    """The driver asserts the status and a few meaningful fields of the parsed instances;
    then no answer of the run may carry a field the SDK would drop."""
    drive = TABLE[name].drive
    assert drive is not None
    drive(run)
    assert any(call_for(e.host, e.method, e.path) for e in run.transport.exchanges)
    for e in run.transport.exchanges:
        if e.status < 300:
            unknown = unknown_fields(e.host, e.method, e.path, e.body)
            assert not unknown, f"{e.method} {e.path}: the SDK does not read {sorted(unknown)}"


def test_a_field_the_sdk_does_not_read_is_caught() -> None:
    store = "/v1/ControlPlane/Stores/mem_store_01k1etk2y5f1y9fpe2epfdtvv2"
    host = "memory.twilio.com"
    assert unknown_fields(host, "GET", store, {"id": "x", "displayName": "a"}) == set()
    assert unknown_fields(host, "GET", store, {"id": "x", "display_name": "a"}) == {"display_name"}
    listing = {"operators": [{"id": "x", "name": "n"}], "meta": {"key": "operators"}}
    operators = "/v3/ControlPlane/Operators"
    assert unknown_fields("intelligence.twilio.com", "GET", operators, listing) == {"name"}
    rows = {"items": [{"Conversation.Count": 1}], "meta": {"key": "items"}}
    query = "/v3/InsightsDomains/Conversations/Query"
    assert unknown_fields("insights.twilio.com", "POST", query, rows) == set()
