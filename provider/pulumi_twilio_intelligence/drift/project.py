"""The Pulumi project on disk and the engine beside it: stacks, their config, their state.

State is read with ``pulumi stack export`` (never by parsing a backend's files), config with
``pulumi config --json`` when a value is a secret. The engine's environment is the caller's when
it names a backend (``PULUMI_BACKEND_URL``); otherwise the project's own offline environment from
``tools/engine.py`` (the file backend and passphrase ``make demo`` and the tests use), when the
project has one; otherwise the caller's environment as is (a ``pulumi login`` backend).
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import DriftError

__all__ = ["DriftError", "Project", "PulumiCli", "find_project"]

PACKAGE_ROOT = Path(__file__).resolve().parents[3]  # the source checkout, when installed editable
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


def _engine_module(project: Project) -> Any | None:
    for candidate in (project.root / "tools" / "engine.py", PACKAGE_ROOT / "tools" / "engine.py"):
        if candidate.exists():
            spec = importlib.util.spec_from_file_location("_project_engine", candidate)
            if spec is None or spec.loader is None:
                continue
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return module
    return None


def engine_env(project: Project, base: Mapping[str, str]) -> dict[str, str]:
    """The environment pulumi runs in (see the module docstring)."""
    env = dict(base)
    if env.get("PULUMI_BACKEND_URL"):
        return env
    engine = _engine_module(project)
    if engine is None:
        return env
    offline: dict[str, str] = engine.offline_env(engine.ensure())
    return {**env, **offline}


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
                "no `pulumi` on PATH (run `python tools/engine.py ensure`, or install the CLI)"
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
