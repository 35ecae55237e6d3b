"""Run the project's console script (``twilio-intelligence``) in a deployment, and check that it
stayed read-only: every run asserts, through the emulator's request log, that it sent no write."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped,unused-ignore]  # stubs may or may not be installed

from tests.e2e.conftest import Deployment

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / ".venv" / "bin" / "twilio-intelligence"
SCHEMA = json.loads((ROOT / "docs" / "drift-schema.json").read_text())
WRITES = ("POST", "PUT", "PATCH", "DELETE")
FORMATS = ("table", "json", "markdown")


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    def json(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.stdout)
        return data


def twilio_intelligence(d: Deployment, *args: str) -> Run:
    """Run the script in the deployment's project with its engine environment; assert that the
    emulator received no write meanwhile."""
    mark = d.emulator.mark()
    proc = subprocess.run(
        [str(SCRIPT), *args],
        cwd=d.project_dir,
        env=d.pulumi.env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    writes = [
        (r["method"], r["path"]) for r in d.emulator.requests(since=mark) if r["method"] in WRITES
    ]
    assert writes == [], f"twilio-intelligence {' '.join(args)} wrote: {writes}"
    return Run(proc.returncode, proc.stdout, proc.stderr)


def drift(d: Deployment, *args: str) -> dict[str, Run]:
    """``drift`` in every format; the exit code is the same in all, and the JSON is valid."""
    runs = {fmt: twilio_intelligence(d, "drift", "--format", fmt, *args) for fmt in FORMATS}
    report = runs["json"].json()
    jsonschema.validate(report, SCHEMA)
    codes = {fmt: run.code for fmt, run in runs.items()}
    assert set(codes.values()) == {report["exitCode"]}, (codes, runs["table"].stdout)
    return runs


def find(report: dict[str, Any], kind: str, name: str, stack: str = "dev") -> dict[str, Any]:
    for s in report["stacks"]:
        if s["name"] == stack:
            for obj in s["objects"]:
                if obj["kind"] == kind and obj["name"] == name:
                    found: dict[str, Any] = obj
                    return found
    raise AssertionError(f"no {kind} {name} in stack {stack}: {json.dumps(report, indent=1)}")
