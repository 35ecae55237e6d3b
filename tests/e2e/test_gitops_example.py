"""The GitOps example (docs/examples/github-actions-gitops.yml), run locally: its `run:` commands,
in order, per job and matrix entry, against the emulator (not GitHub). Each GitHub environment
is an emulator account of its own; secrets become the emulator's credentials, a file state
backend and the demo passphrase; `gh` is a stub that records the pull-request comment.

The story: a merge deploys dev, staging and prod; a pull request gets a preview and a drift
report per stack as a comment, and one that breaks a policy fails its check; the scheduled drift
check passes until someone changes Twilio by hand, then fails with exit 2.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
from twilio_emulator.testing import AccountHandle, EmulatorHandle, simulate_sms_conversation

from tests.e2e.conftest import CUSTOMER, ROOT, SUPPORT_LINE
from tests.e2e.gh_actions_local import JobRun, LocalRunner, clean_environment, load_workflow
from tools import engine

pytestmark = pytest.mark.e2e

WORKFLOW = ROOT / "docs" / "examples" / "github-actions-gitops.yml"
STACKS = ["dev", "staging", "prod"]
SCRATCH = ("preview.txt", "drift.md", "comment.md", "verify.md")
GH_STUB = """#!/bin/sh
# Stands in for the GitHub CLI: records `gh pr comment N --repo R --body-file FILE`.
set -e
n=$(ls "$GH_STUB_LOG" | grep -c '\\.args$' || true)
echo "$@" > "$GH_STUB_LOG/$n.args"
while [ $# -gt 0 ]; do
  if [ "$1" = "--body-file" ]; then cp "$2" "$GH_STUB_LOG/$n.md"; fi
  shift
done
"""


def test_workflow_triggers_jobs_and_scripts() -> None:
    workflow = load_workflow(WORKFLOW)
    on = workflow["on"]
    assert "pull_request" in on
    assert on["push"] == {"branches": ["main"]}
    assert on["schedule"][0]["cron"]
    runner = LocalRunner(workflow, ROOT, {}, {"event_name": "x", "repository": "r"}, {})
    assert runner.jobs_for("pull_request") == ["pull-request"]
    assert runner.jobs_for("push") == ["deploy"]
    assert runner.jobs_for("schedule") == ["drift"]
    assert runner.jobs_for("workflow_dispatch") == ["drift"]
    deploy = workflow["jobs"]["deploy"]["strategy"]
    assert deploy["max-parallel"] == 1
    assert deploy["fail-fast"] is True
    for job in ("pull-request", "deploy", "drift"):
        assert runner.matrix(job) == [{"stack": s} for s in STACKS]
        for step in workflow["jobs"][job]["steps"]:
            assert "${{" not in step.get("run", ""), "expressions belong in env:, not in scripts"


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A checkout of the project: what the workflow reads and writes is copied; the virtualenv,
    the provider and the emulator (installed editable) are the project's own."""
    # Brings the virtualenv up to date in the project itself, so that `make engine` in the copy
    # (same pyproject files) finds it current and never reinstalls the packages from the copy.
    subprocess.run(["make", "-s", "engine"], cwd=ROOT, check=True, capture_output=True)
    repo = tmp_path / "checkout"
    repo.mkdir()
    for name in (
        "Pulumi.yaml",
        "__main__.py",
        "Makefile",
        "pyproject.toml",
        "constraints.txt",
        ".gitignore",
    ):
        shutil.copy(ROOT / name, repo / name)
    for name in ("stacks", "policy", "tools", "docs"):
        shutil.copytree(ROOT / name, repo / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in (".venv", "provider", "emulator"):
        (repo / name).symlink_to(ROOT / name)
    (repo / ".gitignore").write_text(
        (repo / ".gitignore").read_text() + ".venv\npreview.txt\ndrift.md\ncomment.md\nverify.md\n"
    )
    git(repo, "init", "-q", "-b", "main")
    return repo


def git(repo: Path, *args: str) -> str:
    proc = subprocess.run(
        ["git", "-c", "user.name=CI", "-c", "user.email=ci@example.com", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return proc.stdout.strip()


class Scenario:
    def __init__(self, tmp_path: Path, checkout: Path, emulator: EmulatorHandle) -> None:
        self.tmp = tmp_path
        self.checkout = checkout
        self.emulator = emulator
        self.accounts: dict[str, AccountHandle] = {s: emulator.create_account() for s in STACKS}
        backend = tmp_path / "state"
        backend.mkdir()
        self.secrets = {
            stack: {
                "TWILIO_ACCOUNT_SID": account.account_sid,
                "TWILIO_AUTH_TOKEN": account.auth_token,
                "PULUMI_CONFIG_PASSPHRASE": engine.DEMO_PASSPHRASE,
                "PULUMI_BACKEND_URL": f"file://{backend}",
            }
            for stack, account in self.accounts.items()
        }
        stub_bin = tmp_path / "stub-bin"
        stub_bin.mkdir()
        (stub_bin / "gh").write_text(GH_STUB)
        (stub_bin / "gh").chmod(0o755)
        self.comments = tmp_path / "comments"
        self.comments.mkdir()
        base = clean_environment()
        self.base_env = {
            **base,
            "PATH": f"{stub_bin}:{base.get('PATH', '')}",
            "GH_STUB_LOG": str(self.comments),
            # The emulator stands in for api.twilio.com (unset in real CI).
            "TWILIO_BASE_URL": emulator.url,
        }
        self.workflow = load_workflow(WORKFLOW)
        self.runs = 0

    def init_stacks(self) -> None:
        """The workflow's one-time setup: each stack created once in the shared backend, and
        the encryption salts this writes into the stack files committed."""
        for stack in STACKS:
            script = (
                'eval "$(.venv/bin/python tools/engine.py env --repo)"\n'
                'export PULUMI_BACKEND_URL="$STATE_BACKEND_URL"\n'
                f"pulumi stack init {stack} --non-interactive\n"
            )
            env = {
                **self.base_env,
                "STATE_BACKEND_URL": self.secrets[stack]["PULUMI_BACKEND_URL"],
                "PULUMI_CONFIG_PASSPHRASE": engine.DEMO_PASSPHRASE,
            }
            proc = subprocess.run(
                ["bash", "-eo", "pipefail", "-c", script],
                cwd=self.checkout,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            assert proc.returncode == 0, proc.stdout + proc.stderr
        git(self.checkout, "add", "-A")
        git(self.checkout, "commit", "-q", "-m", "Stacks dev, staging and prod")
        self.base_sha = git(self.checkout, "rev-parse", "HEAD")

    def run(self, event: str, stack: str) -> JobRun:
        github: dict[str, Any] = {
            "event_name": event,
            "repository": "example/twilio-intelligence",
            "ref": "refs/heads/main",
            "token": "fake-github-token",
            "event": {"pull_request": {"number": 7, "base": {"sha": self.base_sha}}},
        }
        runner = LocalRunner(self.workflow, self.checkout, self.secrets, github, self.base_env)
        (job,) = runner.jobs_for(event)
        assert {"stack": stack} in runner.matrix(job)
        for name in SCRATCH:  # every job starts from a fresh checkout on GitHub
            (self.checkout / name).unlink(missing_ok=True)
        self.runs += 1
        return runner.run_job(job, {"stack": stack}, workdir=self.tmp / f"run-{self.runs}")

    def api(self, stack: str) -> httpx.Client:
        account = self.accounts[stack]
        return self.emulator.client(auth=(account.account_sid, account.auth_token))

    def comment(self, index: int) -> str:
        return (self.comments / f"{index}.md").read_text()


def _explain(run: JobRun) -> str:
    return "\n".join(
        f"--- {s.name}: exit {s.returncode}\n{s.output[-3000:]}" for s in run.steps if s.output
    )


def test_gitops_example_runs_locally(
    tmp_path: Path, checkout: Path, emulator: EmulatorHandle
) -> None:
    sc = Scenario(tmp_path, checkout, emulator)
    sc.init_stacks()

    # Merge to main: dev, then staging, then prod, each deployed and then checked in sync.
    for stack in STACKS:
        run = sc.run("push", stack)
        assert run.succeeded, _explain(run)
        assert [s.name for s in run.steps] == [
            "Set up the project and the Pulumi engine",
            "Deploy with the policy pack",
            "Verify each rule produces results",
            "Check the stack is in sync after the deploy",
            "Publish the verification and drift reports",
        ]
        assert "Policy Packs run" in run.step("Deploy with the policy pack").output
        summary = (tmp_path / f"run-{sc.runs}" / "github_step_summary").read_text()
        # A new account has no conversation to run the rules on: a notice, not a failure.
        assert "### Twilio Intelligence verify" in summary
        assert "CANNOT VERIFY (no recent conversation)" in summary
        assert "(exit 3)" in summary
        assert "### Twilio Intelligence drift" in summary
        assert "(exit 0)" in summary
        operators = sc.api(stack).get("/v3/ControlPlane/Operators", params={"pageSize": 1000})
        custom = [o for o in operators.json()["items"] if o["author"] == "SELF"]
        assert len(custom) == 2, f"{stack}: its own account holds its own objects"

    # Once prod has had a conversation, the next deploy runs each rule on it.
    (prod_conversations,) = (
        sc.api("prod").get("/v2/ControlPlane/Configurations").json()["configurations"]
    )
    conversation = simulate_sms_conversation(
        sc.api("prod"), prod_conversations["id"], [(CUSTOMER, SUPPORT_LINE, "My order is late.")]
    )
    run = sc.run("push", "prod")
    assert run.succeeded, _explain(run)
    summary = (tmp_path / f"run-{sc.runs}" / "github_step_summary").read_text()
    assert "OK: every rule produced results (3 rules)" in summary
    assert f"| realtime | support-analytics | {conversation} |" in summary

    # A pull request changes prod: every stack gets a preview and a drift report as a comment;
    # the drift report compares live Twilio with main, so the change itself is not drift.
    git(checkout, "checkout", "-q", "-b", "fewer-realtime-runs")
    prod_file = checkout / "stacks" / "prod.yaml"
    merged = prod_file.read_text()
    prod_file.write_text(merged.replace("COMMUNICATION, count: 3}", "COMMUNICATION, count: 4}"))
    git(checkout, "commit", "-q", "-am", "Fewer real-time runs in prod")
    for index, stack in enumerate(STACKS):
        run = sc.run("pull_request", stack)
        assert run.succeeded, _explain(run)
        args = (sc.comments / f"{index}.args").read_text().split()
        assert args == [
            "pr",
            "comment",
            "7",
            "--repo",
            "example/twilio-intelligence",
            "--body-file",
            "comment.md",
        ]
        comment = sc.comment(index)
        assert f"## Stack `{stack}`" in comment
        assert "Policy Packs run" in comment
        assert "### Twilio Intelligence drift" in comment
        assert "(exit 0)" in comment
    assert "support-analytics" in sc.comment(2)
    assert "replace" in sc.comment(2), "the prod preview shows the configuration replaced"
    assert "to replace" not in sc.comment(0), "dev is unchanged by this pull request"

    # A pull request that breaks a policy fails its check, and still gets its comment.
    prod_file.write_text(merged.replace("sentiment: {version: 1}", "sentiment: {}"))
    git(checkout, "commit", "-q", "-am", "Unpin sentiment")
    run = sc.run("pull_request", "prod")
    assert not run.succeeded
    assert run.step("Preview with the policy pack").returncode != 0
    assert run.step("Drift report").returncode == 0
    assert run.step("Comment on the pull request").returncode == 0
    assert "production-pins-operator-versions" in sc.comment(3)
    git(checkout, "checkout", "-q", "main")  # neither pull request was merged
    assert prod_file.read_text() == merged

    # The schedule: in sync everywhere, until someone PUTs the prod configuration by hand.
    for stack in STACKS:
        run = sc.run("schedule", stack)
        assert run.succeeded, _explain(run)
    api = sc.api("prod")
    (config,) = api.get("/v3/ControlPlane/Configurations").json()["items"]
    api.put(
        f"/v3/ControlPlane/Configurations/{config['id']}",
        json={k: config[k] for k in ("displayName", "description", "rules")},
    ).raise_for_status()
    run = sc.run("schedule", "prod")
    assert not run.succeeded
    drift_step = run.step("Drift check (exit 2 on drift fails the job)")
    assert drift_step.returncode == 2, _explain(run)
    assert run.step("Publish the drift report").returncode == 0
    summary = (tmp_path / f"run-{sc.runs}" / "github_step_summary").read_text()
    assert "(exit 2)" in summary
    assert "support-analytics" in summary
    assert sc.run("schedule", "staging").succeeded, "other environments are unaffected"
