"""`pulumi preview --refresh` on a stack in sync shows nothing to the user: no `[diff: ...]` marker
on any resource, right after `up`, after a `refresh`, and after `up --refresh` healed out-of-band
edits of every kind.

The marker is what the engine's display prints after a resource's name. For a refresh step the
dynamic provider gives no detailed diff, so the display compares the recorded inputs with those
the provider's read returned. The JSON preview carries the steps as planned, before the reads; the
engine's event log carries them as applied. The test reads both, applies the display's rule to the
events, and reads the progress display itself.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from pulumi_twilio_intelligence._core.models import OperatorModel

from tests.e2e.conftest import Deployment
from tests.e2e.inventory import KINDS, OPERATORS, V2_CONFIGS, V3_CONFIGS

pytestmark = pytest.mark.e2e

# The managed kinds this test requires refreshed: all but a store's contents (its trait groups
# and data mappings).
MANAGED = tuple(kind for kind in KINDS if kind not in ("TraitGroup", "DataMapping"))


def step_markers(step: dict[str, Any]) -> list[str]:
    """The keys the display would mark for one step (a JSON preview step or the metadata of an
    engine event): the engine's diff keys, else, for any step but `same`, the inputs that differ
    between old and new state (internal `__` keys aside), as the display computes them when the
    provider gives no detailed diff."""
    reasons = step.get("diffReasons") or step.get("diffs") or []
    keys = {*reasons, *(step.get("detailedDiff") or {})}
    old = (step.get("oldState") or step.get("old") or {}).get("inputs")
    new = (step.get("newState") or step.get("new") or {}).get("inputs")
    if not keys and step["op"] != "same" and old is not None and new is not None:
        keys = {k for k in {*old, *new} if not k.startswith("__") and old.get(k) != new.get(k)}
    return sorted(keys)


def change_markers(preview: dict[str, Any], events: list[dict[str, Any]]) -> dict[str, Any]:
    """Every step of the JSON preview and every resource event of the event log that is not a
    plain refresh or `same`, or that carries a marker; by URN."""
    markers: dict[str, Any] = {}
    steps = [*preview["steps"]]
    for event in events:
        for kind in ("resourcePreEvent", "resOutputsEvent"):
            if kind in event:
                steps.append(event[kind]["metadata"])
    for step in steps:
        keys = step_markers(step)
        if keys or step["op"] not in ("same", "refresh"):
            markers.setdefault(step["urn"], []).append([step["op"], *keys])
    return markers


def quiet_refresh_preview(d: Deployment) -> None:
    """`pulumi preview --refresh --diff --json` (and the plain progress display) change nothing
    and mark nothing."""
    mark = d.emulator.mark()
    log = Path(d.project_dir) / f"events-{uuid.uuid4().hex}.jsonl"
    # --event-log (what the Automation API reads) is listed only with debug commands on.
    d.pulumi.env = {**d.pulumi.env, "PULUMI_DEBUG_COMMANDS": "true"}
    run = d.pulumi.preview(
        "--refresh", "--diff", "--json", "--event-log", str(log), "--expect-no-changes", check=False
    )
    assert run.returncode == 0, run.stdout + run.stderr
    preview = json.loads(run.stdout)
    events = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    refreshed = {
        e["resOutputsEvent"]["metadata"]["type"].rsplit(":", 1)[1]
        for e in events
        if "resOutputsEvent" in e and e["resOutputsEvent"]["metadata"]["op"] == "refresh"
    }
    held = {r["type"].rsplit(":", 1)[1] for r in d.pulumi.resources()} & set(MANAGED)
    assert held <= refreshed, f"every managed kind is refreshed: {sorted(refreshed)}"
    assert change_markers(preview, events) == {}
    assert set(preview["changeSummary"]) == {"same"}, preview["changeSummary"]

    shown = d.pulumi.preview("--refresh").stdout
    assert "[diff:" not in shown, shown
    assert d.writes(mark) == [], "a preview never writes"


def _get(d: Deployment, path: str) -> dict[str, Any]:
    response = d.emulator.client().get(path)
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body


def test_refresh_preview_after_up_is_quiet(deployment: Deployment) -> None:
    d = deployment
    d.emulator.set_settings(operation_delay_seconds=0, store_provisioning_seconds=0)
    d.pulumi.up()
    quiet_refresh_preview(d)
    d.pulumi.refresh()  # a refresh records the inputs read returned
    quiet_refresh_preview(d)


def test_refresh_preview_after_healing_out_of_band_edits_is_quiet(deployment: Deployment) -> None:
    d = deployment
    d.emulator.set_settings(operation_delay_seconds=0, store_provisioning_seconds=0)
    d.pulumi.up()
    ids = d.pulumi.outputs()
    client = d.emulator.client()

    operator_id = ids["operators"]["churn-risk"]
    operator = _get(d, f"{OPERATORS}/{operator_id}")
    edited = {k: v for k, v in operator.items() if k in OperatorModel.input_keys()}
    edited["description"] = "edited in the console"
    client.put(
        f"{OPERATORS}/{operator_id}", json=edited, headers={"If-Match": str(operator["version"])}
    ).raise_for_status()

    config_id = ids["intelligenceConfigurations"]["support-analytics"]
    config = _get(d, f"{V3_CONFIGS}/{config_id}")
    body = {"displayName": config["displayName"], "description": "edited", "rules": config["rules"]}
    client.put(f"{V3_CONFIGS}/{config_id}", json=body).raise_for_status()

    conversation_id = ids["conversationConfigurations"]["support"]
    conversation = _get(d, f"{V2_CONFIGS}/{conversation_id}")
    server = ("id", "createdAt", "updatedAt", "version", "conversationsV1Bridge")
    changed = {k: v for k, v in conversation.items() if k not in server}
    changed["memoryExtractionEnabled"] = True
    client.put(
        f"{V2_CONFIGS}/{conversation_id}",
        json=changed,
        headers={"Idempotency-Key": str(uuid.uuid4())},
    ).raise_for_status()

    drifted = d.pulumi.preview("--refresh", "--expect-no-changes", check=False)
    assert drifted.returncode != 0, "the edits are drift"

    d.pulumi.up("--refresh")
    healed = _get(d, f"{V2_CONFIGS}/{d.pulumi.outputs()['conversationConfigurations']['support']}")
    assert healed["memoryExtractionEnabled"] is False
    quiet_refresh_preview(d)
