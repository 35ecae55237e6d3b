"""Fixtures for end-to-end tests: the project's own program and stack files, in a scratch copy,
driven by the real engine against the emulator over HTTP."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from twilio_emulator.testing import EmulatorHandle, operator_results, simulate_sms_conversation

from tests.e2e import processes
from tools.pulumi_project import PulumiProject, initialised_copy, twilio_env

ROOT = Path(__file__).resolve().parents[2]
CUSTOMER = "+15551230000"
SUPPORT_LINE = "+15005550006"  # the SMS capture rule of stacks/base.yaml


@dataclass
class Deployment:
    """A copy of the project wired to the emulator; edit its stack files and run pulumi."""

    pulumi: PulumiProject
    emulator: EmulatorHandle
    project_dir: Path

    def stack_file(self, name: str = "dev") -> Path:
        return self.project_dir / "stacks" / f"{name}.yaml"

    def edit(self, old: str, new: str, name: str = "base") -> None:
        path = self.stack_file(name)
        text = path.read_text()
        assert old in text, f"{old!r} not in {path}"
        path.write_text(text.replace(old, new, 1))

    def converse(self, *texts: str) -> str:
        """A customer's SMS conversation with the support line, through the data plane of the
        deployed Conversation configuration; returns the conversation id."""
        config_id = self.pulumi.outputs()["conversationConfigurations"]["support"]
        messages = [(CUSTOMER, SUPPORT_LINE, text) for text in texts]
        return simulate_sms_conversation(self.emulator.client(), config_id, messages)

    def results(self, conversation_id: str) -> list[dict[str, Any]]:
        return operator_results(self.emulator.client(), conversation_id)

    def writes(self, since: int) -> list[tuple[str, str]]:
        """(method, path) of every write the emulator received since ``since``, in order."""
        return [
            (r["method"], r["path"])
            for r in self.emulator.requests(since=since)
            if r["method"] in ("POST", "PUT", "PATCH", "DELETE")
        ]


LEFTOVER_EXIT_SECONDS = 30  # processes that are already ending get this long to finish


@pytest.fixture(scope="session", autouse=True)
def _subreaper() -> None:
    """Orphans among the processes tests start are re-parented to this process (so found)."""
    processes.become_subreaper()


@pytest.fixture(autouse=True)
def leaves_no_process(_subreaper: None) -> Iterator[None]:
    """A test leaves nothing running: every process it started (pulumi, the engine's plugins,
    anything they started) has ended when it returns. Leftovers are killed and named."""
    before = set(processes.descendants(os.getpid()))
    yield
    started = set(processes.descendants(os.getpid())) - before
    leftovers = processes.wait_gone(started, timeout=LEFTOVER_EXIT_SECONDS)
    if leftovers:
        for pid in leftovers:
            processes.kill_tree(pid)
        processes.wait_gone(set(leftovers), timeout=LEFTOVER_EXIT_SECONDS)
        names = "\n".join(f"  {p}" for p in leftovers.values())
        pytest.fail(f"the test left {len(leftovers)} processes running (now killed):\n{names}")


@pytest.fixture
def deployment(tmp_path: Path, emulator: EmulatorHandle) -> Deployment:
    env = twilio_env(emulator.url, emulator.account_sid, emulator.auth_token)
    project = initialised_copy(tmp_path / "project", tmp_path, env)
    return Deployment(project, emulator, project.project_dir)
