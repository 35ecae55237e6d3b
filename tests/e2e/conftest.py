"""Fixtures for end-to-end tests: the project's own program and stack files, in a scratch copy,
driven by the real engine against the emulator over HTTP."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from twilio_emulator.testing import EmulatorHandle

from tests.e2e.pulumi_cli import PulumiProject

ROOT = Path(__file__).resolve().parents[2]


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

    def writes(self, since: int) -> list[tuple[str, str]]:
        """(method, path) of every write the emulator received since ``since``, in order."""
        return [
            (r["method"], r["path"])
            for r in self.emulator.requests(since=since)
            if r["method"] in ("POST", "PUT", "PATCH", "DELETE")
        ]


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


@pytest.fixture
def deployment(tmp_path: Path, emulator: EmulatorHandle) -> Deployment:
    project_dir = copy_project(tmp_path / "project")
    project = PulumiProject(
        project_dir=project_dir,
        workdir=tmp_path,
        stack="dev",
        extra_env={
            "TWILIO_BASE_URL": emulator.url,
            "TWILIO_ACCOUNT_SID": emulator.account_sid,
            "TWILIO_AUTH_TOKEN": emulator.auth_token,
        },
    )
    project.init()
    return Deployment(project, emulator, project_dir)
