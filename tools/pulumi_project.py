"""Drive the real Pulumi CLI against a throwaway file backend, on a scratch copy of this project
(shared by the end-to-end tests and the benchmarks)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools import engine

ROOT = Path(__file__).resolve().parents[1]

# Edits of stacks/base.yaml, (old, new), that the lifecycle tests and benchmarks deploy: the
# contact-reason rule fires on inactivity instead of at the end, and the churn-risk prompt changes.
RULE_EDIT = (
    "contact-reason: {}\n        trigger: {on: CONVERSATION_END}",
    "contact-reason: {}\n        trigger: {on: CONVERSATION_INACTIVE}",
)
PROMPT_EDIT = ("explain why in one sentence.", "explain why in at most ten words.")


def run_captured(
    args: list[str],
    *,
    cwd: Path,
    env: dict[str, str] | None = None,
    timeout: float | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``args`` in ``cwd`` (with ``env``, else ours), its output captured as text; a
    non-zero exit is the caller's to judge."""
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


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
        proc = run_captured(
            ["pulumi", *args, "--non-interactive", "--stack", self.stack],
            cwd=self.project_dir,
            env=self.env,
            timeout=timeout,
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


def copy_project(destination: Path) -> Path:
    destination.mkdir(parents=True)
    for name in ("__main__.py",):
        shutil.copy(ROOT / name, destination / name)
    shutil.copytree(ROOT / "stacks", destination / "stacks")
    pulumi_yaml = (ROOT / "Pulumi.yaml").read_text()
    # The copy lives elsewhere: point it at the project's virtualenv by absolute path.
    pulumi_yaml = pulumi_yaml.replace("virtualenv: .venv", f"virtualenv: {ROOT / '.venv'}")
    (destination / "Pulumi.yaml").write_text(pulumi_yaml)
    return destination


def twilio_env(base_url: str, account_sid: str, auth_token: str) -> dict[str, str]:
    """The environment that points the provider at ``base_url`` (the emulator) as one account."""
    return {
        "TWILIO_BASE_URL": base_url,
        "TWILIO_ACCOUNT_SID": account_sid,
        "TWILIO_AUTH_TOKEN": auth_token,
    }


def initialised_copy(
    project_dir: Path, workdir: Path, env: dict[str, str], stack: str = "dev"
) -> PulumiProject:
    """A copy of this project at ``project_dir`` (backend and PULUMI_HOME under ``workdir``)
    with ``stack`` initialised, run with ``env`` added."""
    project = PulumiProject(copy_project(project_dir), workdir, stack=stack, extra_env=env)
    project.init()
    return project
