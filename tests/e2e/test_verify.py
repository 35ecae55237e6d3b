"""``twilio-intelligence verify`` end to end: the dev stack deployed by the engine to the emulator,
a conversation through its data plane, then the rules run on demand. The command waits on the
emulator's clock: once it has posted its rule executions, the test moves that clock (by what the
results need, or past ``--timeout``) instead of sleeping."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest

from tests.e2e.conftest import Deployment
from tests.e2e.drift_cli import SCRIPT, Run
from tests.e2e.engine_process import wait_until

pytestmark = pytest.mark.e2e

V3_CONFIGS = "/v3/ControlPlane/Configurations"
EXECUTIONS = "/v3/RuleExecutions"
RULES = ("realtime", "wrap-up", "assist")  # stacks/base.yaml's support-analytics
WAIT_FOR_PROCESS = 120.0  # a generous bound on a condition, not a measure of time


def _executions(d: Deployment, since: int) -> list[dict[str, Any]]:
    return d.emulator.requests(method="POST", path_prefix=EXECUTIONS, since=since)


def verify(d: Deployment, *args: str, advance: float, executions: int = len(RULES)) -> Run:
    """Run ``verify --stack dev``; when it has posted ``executions`` rule executions, move the
    emulator clock by ``advance`` seconds. Asserts it wrote nothing but those executions."""
    mark = d.emulator.mark()
    proc = subprocess.Popen(
        [str(SCRIPT), "verify", "--stack", "dev", *args],
        cwd=d.project_dir,
        env=d.pulumi.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # A state of the command, not a span of time: it posted its executions (or it ended).
        wait_until(
            lambda: len(_executions(d, mark)) >= executions or proc.poll() is not None,
            f"verify to post {executions} rule executions",
            timeout=WAIT_FOR_PROCESS,
        )
        d.emulator.advance_clock(advance)
        out, err = proc.communicate(timeout=WAIT_FOR_PROCESS)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    writes = [
        (r["method"], r["path"])
        for r in d.emulator.requests(since=mark)
        if r["method"] in ("POST", "PUT", "PATCH", "DELETE")
    ]
    assert set(writes) <= {("POST", EXECUTIONS)}, writes
    assert len(writes) == executions, (writes, out, err)
    return Run(proc.returncode, out, err)


def _row(table: str, rule: str) -> list[str]:
    (line,) = [line for line in table.splitlines() if line.startswith(f"{rule} ")]
    return line.split()


def test_verify_passes_on_a_working_stack_and_names_the_rules_a_put_silenced(
    deployment: Deployment,
) -> None:
    d = deployment
    d.emulator.set_settings(operation_delay_seconds=0, store_provisioning_seconds=0)
    d.pulumi.up()

    # Deployed, and no conversation yet: nothing to run the rules on.
    run = verify(d, advance=0, executions=0)
    assert run.code == 3, run.stdout + run.stderr
    assert "cannot verify: no conversation processed by it" in run.stdout
    assert "CANNOT VERIFY (no recent conversation): dev: support-analytics" in run.stdout

    conversation = d.converse("Hi, my parcel never arrived.", "Thanks, that is helpful!")
    run = verify(d, "--timeout", "60", advance=5)
    assert run.code == 0, run.stdout + run.stderr
    for rule in RULES:
        name, config, used, count = _row(run.stdout, rule)
        assert (name, config, used) == (rule, "support-analytics", conversation)
        assert int(count) >= 1
    assert "OK: every rule produced results (3 rules) (exit 0)" in run.stdout

    # The trap: the very same body PUT by hand leaves the configuration inactive.
    client = d.emulator.client()
    config_id = d.pulumi.outputs()["intelligenceConfigurations"]["support-analytics"]
    live = client.get(f"{V3_CONFIGS}/{config_id}").json()
    body = {k: live[k] for k in ("displayName", "description", "rules")}
    client.put(f"{V3_CONFIGS}/{config_id}", json=body).raise_for_status()
    before = d.emulator.mark()
    run = verify(d, "--timeout", "60", advance=61)
    assert run.code == 2, run.stdout + run.stderr
    for rule in RULES:
        assert _row(run.stdout, rule)[3:5] == ["NONE", "no"]
    assert "support-analytics is INACTIVE (version is 2 but we created version 1" in run.stdout
    assert "its rules realtime, wrap-up, assist produce no results" in run.stdout
    assert (
        "rules that produced no results: dev: support-analytics/realtime, "
        "dev: support-analytics/wrap-up, dev: support-analytics/assist" in run.stdout
    )
    # Polite: a handful of result listings over the minute it waited.
    polls = d.emulator.requests(method="GET", path_prefix="/v3/OperatorResults", since=before)
    assert 1 <= len(polls) <= 10
