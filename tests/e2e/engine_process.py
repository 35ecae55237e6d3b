"""Run a pulumi command in the background, and stop it the way a dying CI runner would.

``kill`` takes down the whole process tree with SIGKILL: the engine, its language host, the
program and the provider plugins (which the engine starts in process groups of their own, so
killing the command's group is not enough). Nothing gets to clean up, and nothing survives.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.e2e.processes import kill_tree, wait_gone
from tools.pulumi_project import PulumiProject

POLL_SECONDS = 0.05


@dataclass
class Background:
    """A pulumi command started by ``spawn``; its output goes to ``log``."""

    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        killed = kill_tree(self.process.pid)
        self.process.wait()
        survivors = wait_gone({p.pid for p in killed}, timeout=60)
        assert not survivors, f"still running after SIGKILL: {list(survivors.values())}"

    def wait(self, timeout: float = 600) -> int:
        return self.process.wait(timeout=timeout)


def spawn(project: PulumiProject, *args: str, log: Path) -> Background:
    """``pulumi <args> --non-interactive --stack <stack>`` in the background."""
    with log.open("wb") as sink:
        process = subprocess.Popen(
            ["pulumi", *args, "--non-interactive", "--stack", project.stack],
            cwd=project.project_dir,
            env=project.env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Background(process, log)


def wait_until(
    condition: Callable[[], bool],
    what: str,
    *,
    timeout: float = 120,
    running: Background | None = None,
) -> None:
    """Poll ``condition``; fail if it takes too long, or if ``running`` ends first."""
    deadline = time.monotonic() + timeout
    while not condition():
        if running is not None and running.process.poll() is not None:
            raise AssertionError(
                f"pulumi ended (exit {running.process.returncode}) before {what}:\n"
                f"{running.output()}"
            )
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(POLL_SECONDS)
