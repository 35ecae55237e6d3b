"""The Pulumi project on disk and the engine beside it: stacks, their config, their state.
One module, used by both commands (drift and export, and the policy command).

State is read with ``pulumi stack export`` (never by parsing a backend's files), config with
``pulumi config --json`` when a value is a secret. The engine runs in the caller's environment
(its backend: ``PULUMI_BACKEND_URL`` or a ``pulumi login``); the ``pulumi`` it runs is the one on
PATH, or the one in the directory ``TWILIO_INTELLIGENCE_ENGINE`` (or a command's ``--engine``)
names. Nothing here reads files of the repository this package is developed in: installed from a
wheel, there is none.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import DriftError

__all__ = [
    "ENGINE_VAR",
    "Project",
    "PulumiCli",
    "engine_env",
    "find_project",
    "stack_credentials_config",
]

ENGINE_VAR = "TWILIO_INTELLIGENCE_ENGINE"  # a directory holding the pulumi binary to run
DESIRED_STATE_KEY = "desiredState"
NO_STACK = re.compile(r"no stack named '[^']*' found")


@dataclass(frozen=True)
class Project:
    root: Path
    name: str
    stack_config_dir: Path

    def stacks(self) -> list[str]:
        """Every stack with a ``Pulumi.<stack>.yaml`` in the stack config directory."""
        return sorted(
            p.name[len("Pulumi.") : -len(".yaml")]
            for p in self.stack_config_dir.glob("Pulumi.*.yaml")
        )

    def unknown_stacks(self, selected: list[str]) -> str | None:
        """What is wrong with ``selected`` if it names stacks the project does not have."""
        every = self.stacks()
        unknown = sorted(set(selected) - set(every))
        if not unknown:
            return None
        return (
            f"no stack {', '.join(unknown)} in {self.relative(self.stack_config_dir)} "
            f"(stacks: {', '.join(every) or 'none'})"
        )

    def stack_config_file(self, stack: str) -> Path:
        return self.stack_config_dir / f"Pulumi.{stack}.yaml"

    def plain_config(self, stack: str) -> dict[str, Any]:
        """The stack's config as written; secret values stay as their ``{secure: ...}`` form."""
        path = self.stack_config_file(stack)
        if not path.exists():
            raise DriftError(f"stack {stack!r}: no {path.relative_to(self.root)}")
        shown = path.relative_to(self.root)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise DriftError(f"stack {stack!r}: {shown} is not valid YAML: {exc}") from None
        config = (data.get("config") if isinstance(data, dict) else None) or {}
        if not isinstance(config, dict):
            raise DriftError(f"stack {stack!r}: {shown}: config must be a mapping")
        return dict(config)

    def desired_state_path(self, stack: str) -> Path:
        value = self.plain_config(stack).get(f"{self.name}:{DESIRED_STATE_KEY}")
        if not isinstance(value, str) or not value:
            raise DriftError(
                f"stack {stack!r}: config {self.name}:{DESIRED_STATE_KEY} (the desired-state "
                f"file) is not set in {self.stack_config_file(stack).relative_to(self.root)}"
            )
        path = Path(value)
        return path if path.is_absolute() else self.root / path

    def relative(self, path: Path) -> str:
        try:
            return str(path.resolve().relative_to(self.root.resolve()))
        except ValueError:
            return str(path)


def find_project(start: Path) -> Project:
    """The project whose Pulumi.yaml is in ``start`` or the nearest directory above it."""
    for directory in (start.resolve(), *start.resolve().parents):
        pulumi_yaml = directory / "Pulumi.yaml"
        if pulumi_yaml.exists():
            data = yaml.safe_load(pulumi_yaml.read_text()) or {}
            name = str(data.get("name") or "")
            if not name:
                raise DriftError(f"{pulumi_yaml}: no project name")
            config_dir = directory / str(data.get("stackConfigDir") or ".")
            return Project(directory, name, config_dir)
    raise DriftError(f"no Pulumi.yaml in {start} or above it; pass --project-dir")


def engine_env(base: Mapping[str, str], engine_dir: str | Path | None = None) -> dict[str, str]:
    """The environment pulumi runs in: the caller's, with the engine's directory (``engine_dir``,
    else ``TWILIO_INTELLIGENCE_ENGINE``) first on PATH when one is given."""
    env = dict(base)
    where = str(engine_dir) if engine_dir else env.get(ENGINE_VAR)
    if where:
        env["PATH"] = os.pathsep.join([where, *filter(None, [env.get("PATH")])])
    return env


@dataclass
class PulumiCli:
    """Read-only pulumi commands in the project directory."""

    project: Project
    env: dict[str, str] = field(default_factory=dict)

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        try:
            return subprocess.run(  # noqa: S603 - fixed argv, no shell
                ["pulumi", *args, "--non-interactive"],  # noqa: S607 - pulumi from the engine PATH
                cwd=self.project.root,
                env=self.env,
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
        except FileNotFoundError:
            raise DriftError(
                f"no `pulumi` on PATH: install the CLI, or name its directory with --engine "
                f"or {ENGINE_VAR}"
            ) from None

    def export(self, stack: str) -> dict[str, Any] | None:
        """The stack's state, or None when the backend has no such stack (never deployed)."""
        proc = self._run("stack", "export", "--stack", stack)
        if proc.returncode != 0:
            if NO_STACK.search(proc.stderr):
                return None
            raise DriftError(f"`pulumi stack export --stack {stack}` failed: {proc.stderr.strip()}")
        data: dict[str, Any] = json.loads(proc.stdout)
        return data

    def config(self, stack: str) -> dict[str, Any]:
        """The stack's config with secrets decrypted (only called when one is needed)."""
        proc = self._run("config", "--json", "--show-secrets", "--stack", stack)
        if proc.returncode != 0:
            raise DriftError(f"`pulumi config --stack {stack}` failed: {proc.stderr.strip()}")
        raw: dict[str, Any] = json.loads(proc.stdout or "{}")
        return {key: entry.get("value") for key, entry in raw.items() if isinstance(entry, dict)}


def stack_credentials_config(project: Project, cli: PulumiCli, stack: str) -> dict[str, Any]:
    """The ``twilio:*`` config of a stack, decrypting secrets through pulumi only if any."""
    plain = {k: v for k, v in project.plain_config(stack).items() if k.startswith("twilio:")}
    if any(isinstance(v, dict) for v in plain.values()):
        return {k: v for k, v in cli.config(stack).items() if k.startswith("twilio:")}
    return plain
