"""Drive the real Pulumi CLI against a throwaway file backend (shared by every end-to-end test)."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools import engine


class PulumiCommandError(AssertionError):
    """A pulumi command exited non-zero; carries its output so the failing test shows it."""


@dataclass
class PulumiProject:
    """One Pulumi project directory plus its own backend and PULUMI_HOME under ``workdir``."""

    project_dir: Path
    workdir: Path
    stack: str = "test"
    extra_env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        bin_dir = engine.ensure()
        self.env = {
            **os.environ,
            **engine.offline_env(
                bin_dir,
                backend_dir=self.workdir / "backend",
                home=self.workdir / "pulumi-home",
            ),
            **self.extra_env,
        }

    def run(
        self, *args: str, check: bool = True, timeout: float = 600
    ) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            ["pulumi", *args, "--non-interactive", "--stack", self.stack],
            cwd=self.project_dir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and proc.returncode != 0:
            raise PulumiCommandError(
                f"pulumi {' '.join(args)} exited {proc.returncode}\n"
                f"--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"
            )
        return proc

    def init(
        self, config: dict[str, str] | None = None, secrets: dict[str, str] | None = None
    ) -> None:
        subprocess.run(
            ["pulumi", "stack", "init", self.stack, "--non-interactive"],
            cwd=self.project_dir,
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        )
        for key, value in (config or {}).items():
            self.run("config", "set", key, value)
        for key, value in (secrets or {}).items():
            self.run("config", "set", "--secret", key, value)

    def up(self, *extra: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self.run("up", "--yes", "--skip-preview", *extra, check=check)

    def preview(self, *extra: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self.run("preview", *extra, check=check)

    def refresh(self, *extra: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self.run("refresh", "--yes", *extra, check=check)

    def destroy(self, *extra: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self.run("destroy", "--yes", *extra, check=check)

    def outputs(self) -> dict[str, Any]:
        result: dict[str, Any] = json.loads(self.run("stack", "output", "--json").stdout)
        return result

    def export(self) -> dict[str, Any]:
        result: dict[str, Any] = json.loads(self.run("stack", "export").stdout)
        return result

    def resources(self, type_suffix: str = "") -> list[dict[str, Any]]:
        deployment = self.export()["deployment"]
        found: list[dict[str, Any]] = [
            r for r in deployment.get("resources", []) if r["type"].endswith(type_suffix)
        ]
        return found
