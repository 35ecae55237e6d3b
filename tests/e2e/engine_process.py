"""Run a pulumi command in the background, and stop it the way a dying CI runner would.

The command gets its own process group, so ``kill_group`` takes down the engine together with
its language host, the program and the provider plugin, with SIGKILL: nothing gets to clean up.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.e2e.pulumi_cli import PulumiProject

POLL_SECONDS = 0.05


@dataclass
class Background:
    """A pulumi command started by ``spawn``; its output goes to ``log``."""

    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill_group(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

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
