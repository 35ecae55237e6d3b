"""Two writers at once: a second ``pulumi up`` on the same stack, and someone else's write on a
Conversation configuration while ours is under way.

The file backend of the pinned engine (3.259) takes a lock per stack for every update
(``.pulumi/locks/<org>/<project>/<stack>/<id>.json``): a second ``up`` is refused, names the
holder, and changes nothing. Conversations v2 answers 409 to a write on a configuration whose
previous write is still in flight: the provider re-reads and tries again, and says so.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Deployment
from tests.e2e.engine_process import spawn, wait_until
from tests.e2e.inventory import OPERATORS, V2_CONFIGS, V3_CONFIGS, assert_state_matches_live

pytestmark = pytest.mark.e2e

SERVER_FIELDS = ("id", "createdAt", "updatedAt", "version", "conversationsV1Bridge")


def _stalled(d: Deployment, fault_id: str) -> bool:
    return any(f["id"] == fault_id and f["hits"] >= 1 for f in d.emulator.faults())


def test_a_second_up_on_the_same_stack_is_refused_by_the_lock_and_nothing_is_lost(
    deployment: Deployment, tmp_path: Path
) -> None:
    d = deployment
    d.pulumi.up()
    before = d.pulumi.outputs()
    d.edit("explain why in one sentence.", "explain why in at most ten words.")
    # Hold the first run inside its update (at the new operator's create) while the second starts.
    hold = d.emulator.inject_fault(
        "latency", method="POST", path=f"^{OPERATORS}$", count=1, latency_ms=8000
    )
    mark = d.emulator.mark()
    first = spawn(d.pulumi, "up", "--yes", "--skip-preview", log=tmp_path / "first-up.log")
    wait_until(lambda: _stalled(d, hold), "the first up to reach its create", running=first)

    second = d.pulumi.up(check=False)
    assert second.returncode != 0
    assert "the stack is currently locked by 1 lock(s)" in second.stderr
    assert f"(pid {first.process.pid})" in second.stderr, "the refusal names the holder"
    assert "pulumi cancel" in second.stderr
    assert first.wait() == 0, first.output()

    after = d.pulumi.outputs()
    conversation = after["conversationConfigurations"]["support"]
    writes = d.writes(mark)
    assert writes == [
        ("POST", OPERATORS),
        ("POST", V3_CONFIGS),
        ("PUT", f"{V2_CONFIGS}/{conversation}"),
        ("DELETE", f"{V3_CONFIGS}/{before['intelligenceConfigurations']['support-analytics']}"),
        ("DELETE", f"{OPERATORS}/{before['operators']['churn-risk']}"),
    ], "only the first run wrote, each write once"
    assert_state_matches_live(d.pulumi, d.emulator.client())
    d.pulumi.preview("--refresh", "--expect-no-changes")


def test_a_write_in_flight_on_the_conversation_configuration_is_waited_out_and_reported(
    deployment: Deployment, tmp_path: Path
) -> None:
    d = deployment
    client = d.emulator.client()
    d.pulumi.up()
    conversation = d.pulumi.outputs()["conversationConfigurations"]["support"]
    path = f"{V2_CONFIGS}/{conversation}"

    # A rule change relinks the Conversation configuration. Just before our PUT (while the
    # provider reads the configuration), someone else PUTs it, and their write stays in flight
    # for 3 seconds.
    d.edit(
        "contact-reason: {}\n        trigger: {on: CONVERSATION_END}",
        "contact-reason: {}\n        trigger: {on: CONVERSATION_INACTIVE}",
    )
    d.emulator.set_settings(operation_delay_seconds=3)
    hold = d.emulator.inject_fault(
        "latency", method="GET", path=f"^{path}$", count=1, latency_ms=1500
    )
    mark = d.emulator.mark()
    ours = spawn(d.pulumi, "up", "--yes", "--skip-preview", log=tmp_path / "up.log")
    wait_until(lambda: _stalled(d, hold), "the provider to read the configuration", running=ours)
    live: dict[str, Any] = client.get(path).json()
    theirs = {k: v for k, v in live.items() if k not in SERVER_FIELDS}
    theirs["description"] = "edited in the console"
    client.put(path, json=theirs, headers={"Idempotency-Key": str(uuid.uuid4())}).raise_for_status()
    assert ours.wait() == 0, ours.output()

    output = ours.output()
    assert "another write is in flight (409), re-reading and retrying" in output
    puts = [
        (r["status"], r["headers"].get("idempotency-key"))
        for r in d.emulator.requests(method="PUT", path_regex=f"^{path}$", since=mark)
    ]
    statuses = [status for status, _ in puts]
    assert statuses[0] == 202, "their write"
    assert 409 in statuses, "ours met it in flight"
    assert statuses[-1] == 202, "ours, once theirs had finished"
    # Re-read between the refusal and the retry.
    log = [(r["method"], r["path"], r["status"]) for r in d.emulator.requests(since=mark)]
    first_409 = log.index(("PUT", path, 409))
    assert ("GET", path, 200) in log[first_409:]

    # The desired state wins, and says which configuration it links.
    new_config = d.pulumi.outputs()["intelligenceConfigurations"]["support-analytics"]
    final = client.get(path).json()
    assert final["intelligenceConfigurationIds"] == [new_config]
    assert final["description"] == "Support line over SMS and WhatsApp"
    assert_state_matches_live(d.pulumi, client)
    d.emulator.set_settings(operation_delay_seconds=0)
    d.pulumi.preview("--refresh", "--expect-no-changes")
