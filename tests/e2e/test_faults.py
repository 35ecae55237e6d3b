"""Up / change / destroy of the dev stack, cycle after cycle, while the emulator misbehaves.

Every request to the three control planes may be answered 500 or 503, rate limited (429 with
Retry-After), delayed, or have its connection reset; creates may be committed and their response
dropped; asynchronous writes may end FAILED. The odds are moderate and seeded, and the engine runs
one step at a time, so a run meets the same faults in the same places.

A cycle is: ``up`` from nothing, a change (a rule edit and an operator prompt edit, alternately),
``up`` again, ``destroy``. A failed ``up`` or ``destroy`` may be run again (counted). After each
``up`` (faults paused) the live account holds exactly the objects in state, each once, and
``pulumi preview --refresh --expect-no-changes`` agrees; after each ``destroy`` nothing of ours is
left, but for what holds customer data under ``deletionPolicy: retain`` (then adopted again by
the next cycle) and a store's identity resolution settings. The store holds settings, a trait
group and a data mapping (tests/e2e/memory_stack): their asynchronous writes meet the same faults.

Two copies of the dev stack, each in its own emulated account with its own faults, run their
cycles side by side: the engine spends much of a run waiting, and the wall time stays a few
minutes on two cores. The first deletes its memory store and knowledge base on destroy (the dev
stack's ``deletionPolicy: delete``); the second retains them (no policy): it never sends a
delete for them, and each cycle adopts the same store, base and source again.
"""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from twilio_emulator.testing import AccountHandle, EmulatorHandle

from tests.e2e.conftest import Deployment
from tests.e2e.inventory import (
    DATA_KINDS,
    V3_CONFIGS,
    assert_state_matches_live,
    live_inventory,
    state_resources,
)
from tests.e2e.memory_stack import add_memory_contents
from tests.emulator_timing import every_async_step_takes
from tools.pulumi_project import PROMPT_EDIT, RULE_EDIT, initialised_copy, twilio_env

pytestmark = pytest.mark.e2e

CYCLES = 20
WORKERS = 2  # stacks cycling side by side, CYCLES // WORKERS cycles each
SEED = 20_260_606
MAX_RUNS = 5  # per step: the first run and at most four re-runs
CONTROL_PLANES = r"^/v[123]/(ControlPlane|KnowledgeBases)/"
ASYNC_WRITES = (
    r"^/v2/ControlPlane/Configurations|^/v1/ControlPlane/Stores|^/v2/ControlPlane/KnowledgeBases"
)
# Stores, their trait groups (the traits' values), knowledge bases and their sources; not a
# store's data mappings, which hold nothing themselves.
DATA_PATHS = (
    r"^/v1/ControlPlane/Stores/[^/]+(/TraitGroups/.*)?$"
    r"|^/v2/ControlPlane/KnowledgeBases|^/v2/KnowledgeBases/"
)
DEV_POLICIES = (
    "memoryStores:\n  support-memory: {deletionPolicy: delete}\n"
    "knowledgeBases:\n  support-knowledge: {deletionPolicy: delete}\n"
)

# (kind, method, path, options): moderate odds per matching request.
FAULT_PLAN: tuple[tuple[str, str, str, dict[str, Any]], ...] = (
    ("error", "*", CONTROL_PLANES, {"status": 500, "rate": 0.03}),
    ("error", "*", CONTROL_PLANES, {"status": 503, "rate": 0.03}),
    ("rate_limit", "*", CONTROL_PLANES, {"rate": 0.04, "retry_after": 1}),
    ("latency", "*", CONTROL_PLANES, {"rate": 0.15, "latency_ms": 150}),
    ("reset", "*", CONTROL_PLANES, {"rate": 0.03}),
    ("drop_response", "POST", CONTROL_PLANES, {"rate": 0.15}),
    ("fail_operation", "*", ASYNC_WRITES, {"rate": 0.08}),
)
KINDS = sorted({kind for kind, _, _, _ in FAULT_PLAN})


@dataclass
class Tally:
    """What one stack's cycles met and left."""

    cycles: int = 0
    reruns: Counter[str] = field(default_factory=Counter)
    hits: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    duplicates: int = 0
    orphans: int = 0
    store_ids: set[str] = field(default_factory=set)
    base_ids: set[str] = field(default_factory=set)
    data_deletes: int = 0  # DELETEs of data-holding objects sent by the provider


class Worker:
    """One copy of the dev stack in its own account, cycled under that account's faults."""

    def __init__(self, emulator: EmulatorHandle, workdir: Path, index: int) -> None:
        # A handle of its own: the workers' threads share no HTTP client.
        admin = httpx.Client(base_url=emulator.url + "/__emulator__", timeout=30.0)
        self.emulator = replace(emulator, admin=admin, _clients=[])
        self.index = index
        self.account: AccountHandle = self.emulator.create_account()
        env = twilio_env(emulator.url, self.account.account_sid, self.account.auth_token)
        project = initialised_copy(workdir / "project", workdir, env)
        add_memory_contents(project.project_dir)  # settings, a trait group, a data mapping
        self.d = Deployment(project, self.emulator, project.project_dir)
        self.retains = index % 2 == 1
        if self.retains:
            self.d.edit(DEV_POLICIES, "", name="dev")
        self.client = self.emulator.client(auth=(self.account.account_sid, self.account.auth_token))
        self.tally = Tally()
        self._faults: list[str] = []
        self._mark = 0

    # --- faults ----------------------------------------------------------------------------
    def start_faults(self, seed: int) -> None:
        self._mark = self.emulator.mark()
        self._faults = [
            self.emulator.inject_fault(
                kind,
                method=method,
                path=path,
                account=self.account.account_sid,
                seed=seed + n,
                **options,
            )
            for n, (kind, method, path, options) in enumerate(FAULT_PLAN)
        ]

    def pause_faults(self) -> None:
        """Remove this stack's faults, and tally those that took effect."""
        hits = self.tally.hits
        for fault in self.emulator.faults():
            # Latency is not in the request log (it only delays): its fault counts what it held.
            if fault["id"] in self._faults and fault["kind"] == "latency":
                hits["latency"] += int(fault["hits"])
        for fault_id in self._faults:
            self.emulator.admin.delete(f"/faults/{fault_id}").raise_for_status()
        entries = self.emulator.requests(since=self._mark, account=self.account.account_sid)
        self.tally.data_deletes += sum(
            1 for e in entries if e["method"] == "DELETE" and re.match(DATA_PATHS, e["path"])
        )
        for entry in entries:
            kind = entry["fault"]
            # fail_operation acts on asynchronous writes only; reads it matched were served.
            if kind and (kind != "fail_operation" or entry["method"] != "GET"):
                hits[kind] += 1

    # --- one step, run again until it succeeds ---------------------------------------------
    def step(self, label: str, args: tuple[str, ...], seed: int) -> None:
        self.start_faults(seed)
        try:
            for attempt in range(MAX_RUNS):
                result = self.d.pulumi.run(*args, "--yes", "--parallel", "1", check=False)
                if result.returncode == 0:
                    self.tally.reruns[label] += attempt
                    return
                self.tally.failures.append(
                    f"stack {self.index} cycle {self.tally.cycles} {label}, run {attempt + 1}: "
                    f"{_error(result)}"
                )
        finally:
            self.pause_faults()
        raise AssertionError(
            f"{label} did not converge in {MAX_RUNS} runs:\n" + "\n".join(self.tally.failures)
        )

    def converged(self, label: str) -> None:
        live = live_inventory(self.client)
        self.tally.duplicates += sum(len(names) for names in live.duplicates().values())
        assert_state_matches_live(self.d.pulumi, self.client)
        self.tally.store_ids.update(live.ids("MemoryStore"))
        self.tally.base_ids.update(live.ids("KnowledgeBase"))
        check = self.d.pulumi.preview("--refresh", "--expect-no-changes", check=False)
        assert check.returncode == 0, f"{label}: state differs from live\n{check.stdout}"

    def cycle(self, n: int) -> None:
        seed = SEED + 1000 * self.index + 100 * n
        where = f"stack {self.index} cycle {n}"
        self.step("up", ("up", "--skip-preview"), seed)
        self.converged(f"{where} up")

        old, new = RULE_EDIT if n % 2 == 0 else PROMPT_EDIT
        if n % 4 >= 2:  # every other edit of a kind puts the original text back
            old, new = new, old
        self.d.edit(old, new)
        self.step("change", ("up", "--skip-preview"), seed + 10)
        self.converged(f"{where} change")

        self.step("destroy", ("destroy",), seed + 20)
        assert state_resources(self.d.pulumi) == []
        left = live_inventory(self.client)
        retained = {kind: len(left.ids(kind)) for kind in DATA_KINDS}
        self.tally.orphans += left.count() - sum(retained.values())
        # Retained: the store (with the base stack's trait group and tests/e2e/memory_stack's),
        # the knowledge base and its source.
        expected = {"MemoryStore": 1, "KnowledgeBase": 1, "KnowledgeSource": 1, "TraitGroup": 2}
        wanted = expected if self.retains else dict.fromkeys(DATA_KINDS, 0)
        assert retained == wanted, f"{where}: retained {retained}"
        self.tally.cycles += 1

    def run(self, cycles: int) -> Tally:
        try:
            for n in range(cycles):
                self.cycle(n)
        finally:
            self.emulator.close_clients()
            self.emulator.admin.close()
        return self.tally


def _error(result: subprocess.CompletedProcess[str]) -> str:
    """The run's first error diagnostic (the provider's message), for the report."""
    lines = [line.strip() for line in (result.stdout + result.stderr).splitlines()]
    errors = [line for line in lines if "error:" in line and not line.endswith("update failed")]
    return (errors or lines or ["(no output)"])[0][:400]


@pytest.mark.timeout(1800)  # a few minutes on two idle cores; a loaded machine takes longer
def test_cycles_under_faults_converge_without_duplicates_or_orphans(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    # Asynchronous writes finish at once, stores provision at once and 202s ask for no wait,
    # so the requests of a step (and so which of them meet a fault) do not depend on timing.
    every_async_step_takes(emulator, 0)
    start = emulator.mark()
    workers = [Worker(emulator, tmp_path / f"stack-{i}", i) for i in range(WORKERS)]
    with ThreadPoolExecutor(WORKERS) as pool:
        tallies = list(pool.map(lambda w: w.run(CYCLES // WORKERS), workers))

    cycles = sum(t.cycles for t in tallies)
    reruns = sum((t.reruns for t in tallies), Counter[str]())
    hits = sum((t.hits for t in tallies), Counter[str]())
    duplicates = sum(t.duplicates for t in tallies)
    orphans = sum(t.orphans for t in tallies)
    stores = [len(t.store_ids) for t in tallies]
    bases = [len(t.base_ids) for t in tallies]
    data_deletes = [t.data_deletes for t in tallies]
    requests = emulator.requests(since=start)
    never_put = [r for r in requests if r["method"] == "PUT" and r["path"].startswith(V3_CONFIGS)]
    print(
        f"\nfault cycles: {cycles} ({WORKERS} stacks side by side), "
        f"re-runs: {dict(reruns)} ({sum(reruns.values())} in all), "
        f"faults hit: {dict(sorted(hits.items()))} "
        f"({sum(hits.values())} in all, over {len(requests)} requests), "
        f"duplicates: {duplicates}, orphans: {orphans}, memory stores per stack: {stores}, "
        f"knowledge bases per stack: {bases}, data-holding deletes per stack: {data_deletes}"
    )
    for tally in tallies:
        for failure in tally.failures:
            print(f"  re-run after: {failure}")
    assert cycles == CYCLES
    assert duplicates == 0
    assert orphans == 0
    deleting, retaining = tallies[0::2], tallies[1::2]
    # deletionPolicy: delete: a new store and base each cycle, every one deleted on destroy.
    assert all(len(t.store_ids) == len(t.base_ids) == t.cycles for t in deleting)
    assert all(t.data_deletes >= 2 * t.cycles for t in deleting)
    # retain: never a delete of what holds data; the same store and base adopted each cycle.
    assert [t.data_deletes for t in retaining] == [0] * len(retaining)
    assert all(len(t.store_ids) == len(t.base_ids) == 1 for t in retaining)
    assert never_put == [], "an Intelligence Configuration must never be PUT"
    assert all(hits[kind] > 0 for kind in KINDS), f"a fault kind never fired: {hits}"
