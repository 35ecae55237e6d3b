"""The engine dies in the middle of a replacement; the next run finishes it.

An operator prompt edit runs the whole choreography: POST the new operator, POST the new
Intelligence Configuration, PUT the Conversation configuration to link it (an asynchronous
operation, polled), DELETE the old configuration, DELETE the old operator. Each crash point
stalls one request of that sequence with injected latency, and the test SIGKILLs the whole
process tree of `pulumi up` (engine, language host, program, provider plugin) while it waits,
as a dying CI runner would. Where the point is "the create landed but the engine never learned
its id", the create's response is dropped and the kill comes during the lookup that follows.

Recovery is what the README documents:

    pulumi cancel --yes                            # the dead run's lock
    pulumi refresh --clear-pending-creates --yes   # creates the dead run never saw finish
    pulumi up                                      # adopts what the dead run made, by name

and it must end with the change applied, nothing lost, nothing duplicated, state equal to live.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Deployment
from tests.e2e.engine_process import spawn, wait_until
from tests.e2e.inventory import (
    BASES,
    KINDS,
    OPERATORS,
    STORES,
    V2_CONFIGS,
    V3_CONFIGS,
    Inventory,
    assert_state_matches_live,
    live_inventory,
    pending_operations,
    state_ids,
)
from tests.e2e.memory_stack import add_memory_contents

pytestmark = pytest.mark.e2e

# The stalled request is held until the test removes the fault after the kill: there is no
# window for a busy machine to miss.
STALL_MS = 600_000
PROMPT_EDIT = ("explain why in one sentence.", "explain why in at most ten words.")


@dataclass(frozen=True)
class CrashPoint:
    """Where in the choreography the engine dies.

    ``stall`` is a (method, path regex) whose ``stall_at``-th request is held until the kill
    (the ones before it pass untouched);
    ``drop`` (method, path regex) loses the response of that create, which still lands.
    """

    name: str
    stall: tuple[str, str]
    stall_at: int = 1
    drop: tuple[str, str] | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    interrupted: str = "creating"  # the operation the engine records as pending
    # The run creates the store's contents (tests/e2e/memory_stack: settings, a trait group, a
    # data mapping) instead of the prompt edit's replacement, the stall being in one of theirs.
    memory: bool = False


def _point_id(point: CrashPoint) -> str:
    return point.name.replace(" ", "-")


def lost_create(what: str, collection: str, memory: bool = False) -> CrashPoint:
    """``what``'s POST to ``collection`` (a path regex) lands but its answer is lost; the run is
    killed at the second GET of the collection: the lookup before the POST, then the one after."""
    return CrashPoint(
        f"{what} create landed, its id never recorded",
        drop=("POST", collection),
        stall=("GET", collection),
        stall_at=2,
        memory=memory,
    )


CRASH_POINTS = [
    lost_create("operator", f"^{OPERATORS}$"),
    CrashPoint(
        "after the operator create, before the configuration create",
        stall=("GET", f"^{V3_CONFIGS}$"),
    ),
    lost_create("configuration", f"^{V3_CONFIGS}$"),
    CrashPoint(
        "new configuration created, before the relink",
        stall=("GET", f"^{V2_CONFIGS}/"),
        interrupted="updating",
    ),
    CrashPoint(
        "during the relink's asynchronous operation poll",
        stall=("GET", "^/v2/ControlPlane/Operations/"),
        settings={"operation_delay_seconds": 3},
        interrupted="updating",
    ),
    CrashPoint(
        "relinked, before the old configuration is deleted",
        stall=("DELETE", f"^{V3_CONFIGS}/"),
        interrupted="deleting",
    ),
    CrashPoint(
        "old configuration deleted, before the old operator is deleted",
        stall=("DELETE", f"^{OPERATORS}/"),
        interrupted="deleting",
    ),
    CrashPoint(
        "trait group create landed, never seen",
        drop=("POST", f"^{STORES}/[^/]+/TraitGroups$"),
        stall=("GET", f"^{STORES}/[^/]+/TraitGroups/Preferences$"),  # before, then after
        stall_at=2,
        memory=True,
    ),
    lost_create("data mapping", f"^{STORES}/[^/]+/DataMappings$", memory=True),
]


def _live(d: Deployment, path: str) -> dict[str, Any]:
    response = d.emulator.client().get(path)
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body


def _finish_the_killed_run(d: Deployment) -> tuple[Inventory, dict[str, set[str]]]:
    """What the user does next (cancel, refresh clearing the pending creates, up): after it
    nothing is pending and the state matches the account. (the live inventory, the state's ids)"""
    d.pulumi.run("cancel", "--yes")
    d.pulumi.refresh("--clear-pending-creates")
    d.pulumi.up()

    assert pending_operations(d.pulumi) == []
    live = assert_state_matches_live(d.pulumi, d.emulator.client())
    return live, state_ids(d.pulumi)


def _stack_counts(memory: bool) -> dict[str, int]:
    """Objects of each kind the stack holds once applied; ``memory``: with the store's contents
    (tests/e2e/memory_stack: a trait group and a data mapping)."""
    return {
        "Operator": 2,
        "IntelligenceConfiguration": 1,
        "ConversationConfiguration": 1,
        "MemoryStore": 1,
        "KnowledgeBase": 1,
        "KnowledgeSource": 1,
        "TraitGroup": 1 + int(memory),  # the base stack's SupportLine, and Preferences
        "DataMapping": int(memory),
    }


def _kill_up_at(d: Deployment, point: CrashPoint, tmp_path: Path) -> None:
    """Run `pulumi up` and SIGKILL its process tree while ``point``'s request is stalled; return
    once that request (still served after the kill) has ended."""
    emulator = d.emulator
    if point.settings:
        emulator.set_settings(**point.settings)
    if point.drop:
        emulator.inject_fault("drop_response", method=point.drop[0], path=point.drop[1], count=1)
    method, path = point.stall
    stall = emulator.inject_fault(
        "latency", method=method, path=path, skip=point.stall_at - 1, count=1, latency_ms=STALL_MS
    )
    mark = emulator.mark()

    run = spawn(d.pulumi, "up", "--yes", "--skip-preview", log=tmp_path / "killed-up.log")

    def stalled() -> bool:
        return any(f["id"] == stall and f["hits"] == 1 for f in emulator.faults())

    wait_until(stalled, f"the stall at {point.name}", running=run)
    run.kill()
    emulator.clear_faults()  # releases the stalled request
    # The stalled request is still served after the kill (what it commits is part of the test):
    # let it finish before looking.
    wait_until(
        lambda: (
            len(emulator.requests(method=method, path_regex=path, since=mark)) >= point.stall_at
        ),
        "the stalled request to end",
    )


@pytest.mark.parametrize("point", CRASH_POINTS, ids=_point_id)
def test_a_run_killed_mid_replacement_is_finished_by_the_next(
    deployment: Deployment, tmp_path: Path, point: CrashPoint
) -> None:
    d = deployment
    emulator = d.emulator
    d.pulumi.up()
    before = d.pulumi.outputs()
    store_id = before["memoryStores"]["support-memory"]

    if point.memory:  # the contents alone: the killed run's only pending step is theirs
        add_memory_contents(d.project_dir)
    else:
        d.edit(*PROMPT_EDIT)
    _kill_up_at(d, point, tmp_path)

    assert [op["type"] for op in pending_operations(d.pulumi)] == [point.interrupted]
    # Objects the dead run made that its state does not know.
    unknown = {
        kind: live_inventory(emulator.client()).ids(kind) - ids
        for kind, ids in state_ids(d.pulumi).items()
    }
    if point.drop:
        assert any(unknown.values()), "the dropped create landed"
    refused = d.pulumi.up(check=False)
    assert refused.returncode != 0
    assert "the stack is currently locked" in refused.stderr
    assert "pulumi cancel" in refused.stderr

    live, recorded = _finish_the_killed_run(d)
    assert {kind: len(ids) for kind, ids in recorded.items()} == _stack_counts(point.memory), (
        "nothing lost, nothing left over"
    )
    assert live.ids("MemoryStore") == {store_id}
    for kind, ids in unknown.items():
        assert ids <= recorded[kind], f"{kind} made by the dead run was not adopted"
    after = d.pulumi.outputs()
    operator_id = after["operators"]["churn-risk"]
    config_id = after["intelligenceConfigurations"]["support-analytics"]
    conversation_id = after["conversationConfigurations"]["support"]
    replaced = not point.memory  # the prompt edit replaces the operator and the configuration
    assert (operator_id != before["operators"]["churn-risk"]) is replaced
    assert (config_id != before["intelligenceConfigurations"]["support-analytics"]) is replaced
    assert conversation_id == before["conversationConfigurations"]["support"]
    prompt = _live(d, f"{OPERATORS}/{operator_id}")["prompt"]
    assert ("at most ten words" in prompt) is replaced
    rule_operators = [
        o["id"] for o in _live(d, f"{V3_CONFIGS}/{config_id}")["rules"][0]["operators"]
    ]
    assert operator_id in rule_operators
    links = _live(d, f"{V2_CONFIGS}/{conversation_id}")["intelligenceConfigurationIds"]
    assert links == [config_id]
    assert not emulator.requests(method="PUT", path_prefix=V3_CONFIGS), "never PUT"
    d.pulumi.preview("--refresh", "--expect-no-changes")

    # Results flow from the new configuration, with the new operator.
    conversation = d.converse("My parcel is late", "Third time this month")
    results = d.results(conversation)
    assert results
    assert {r["intelligenceConfiguration"]["id"] for r in results} == {config_id}
    assert operator_id in {r["operator"]["id"] for r in results}


SOURCES = r"^/v2/KnowledgeBases/[^/]+/Knowledge"

# The first `up` creates the knowledge base (202, operation, then ACTIVE) and its source (201,
# then processed to COMPLETED) before anything that refers to them.
KNOWLEDGE_CRASH_POINTS = [
    lost_create("knowledge base", f"^{BASES}$"),
    CrashPoint(
        "knowledge base created, waiting for it to be ACTIVE",
        stall=("GET", f"^{BASES}/"),
        settings={"knowledge_base_provisioning_seconds": 3},
    ),
    lost_create("knowledge source", f"{SOURCES}$"),
    CrashPoint(
        "knowledge source created, waiting for it to be processed",
        stall=("GET", f"{SOURCES}/"),
        settings={"knowledge_processing_seconds": 3},
    ),
]


@pytest.mark.parametrize("point", KNOWLEDGE_CRASH_POINTS, ids=_point_id)
def test_a_run_killed_while_creating_knowledge_is_finished_by_the_next(
    deployment: Deployment, tmp_path: Path, point: CrashPoint
) -> None:
    d = deployment
    _kill_up_at(d, point, tmp_path)
    assert "creating" in [op["type"] for op in pending_operations(d.pulumi)]
    made = live_inventory(d.emulator.client())
    if point.drop:
        kind = "KnowledgeBase" if "ControlPlane" in point.drop[1] else "KnowledgeSource"
        assert made.ids(kind), "the dropped create landed"

    live, recorded = _finish_the_killed_run(d)
    assert {kind: len(recorded[kind]) for kind in KINDS} == _stack_counts(memory=False), (
        "nothing lost, nothing left over"
    )
    for kind in ("KnowledgeBase", "KnowledgeSource"):
        assert live.ids(kind) == recorded[kind], f"{kind}: the dead run's object was adopted"
        assert made.ids(kind) <= recorded[kind], f"{kind}: a duplicate was made"
    base_id = d.pulumi.outputs()["knowledgeBases"]["support-knowledge"]
    assert _live(d, f"{BASES}/{base_id}")["status"] == "ACTIVE"
    d.pulumi.preview("--refresh", "--expect-no-changes")
