"""Run the `run:` steps of a GitHub Actions job locally, in order, the way a runner would.

Only what the example workflow uses is supported, and anything else fails loudly rather than
being guessed: expressions are `${{ secrets.X }}`, `${{ matrix.X }}`, `${{ github.X }}` and
`${{ runner.os }}` in `env:` blocks; a job's `if:` compares `github.event_name`; a step's `if:` is
`always()`, `!cancelled()`, `success()` or `failure()`. Steps that `uses:` an action (checkout,
setup-python, cache, ...) prepare a CI machine and are skipped: the checkout is a local directory.
Each script runs as GitHub runs `shell: bash`: `bash --noprofile --norc -eo pipefail`.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = ["JobRun", "LocalRunner", "StepRun", "clean_environment", "load_workflow"]

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
EVENT_TEST = re.compile(r"^github\.event_name\s*==\s*'([a-z_]+)'$")


def load_workflow(path: Path) -> dict[str, Any]:
    data: dict[Any, Any] = yaml.safe_load(path.read_text())
    if True in data:  # YAML 1.1 reads the key `on` as a boolean
        data["on"] = data.pop(True)
    return data


@dataclass
class StepRun:
    name: str
    script: str
    returncode: int | None  # None: skipped by its `if:`
    output: str = ""


@dataclass
class JobRun:
    job: str
    matrix: dict[str, str]
    steps: list[StepRun] = field(default_factory=list)

    @property
    def succeeded(self) -> bool:
        return all(s.returncode in (0, None) for s in self.steps)

    def step(self, name: str) -> StepRun:
        for step in self.steps:
            if step.name == name:
                return step
        raise KeyError(f"no step {name!r} in job {self.job}: {[s.name for s in self.steps]}")


@dataclass
class LocalRunner:
    workflow: dict[str, Any]
    checkout: Path
    secrets: dict[str, dict[str, str]]  # environment name -> secrets
    github: dict[str, Any]  # the `github` context (event_name, token, event, repository, ...)
    base_env: dict[str, str]
    timeout: float = 900

    def jobs_for(self, event: str) -> list[str]:
        """The jobs whose `if:` lets this event through (every job when there is no `if:`)."""
        chosen = []
        for name, job in self.workflow["jobs"].items():
            condition = job.get("if")
            if condition is None:
                chosen.append(name)
                continue
            events = set()
            for part in str(condition).split("||"):
                match = EVENT_TEST.match(part.strip())
                if not match:
                    raise ValueError(f"job {name}: unsupported if: {condition!r}")
                events.add(match.group(1))
            if event in events:
                chosen.append(name)
        return chosen

    def matrix(self, job: str) -> list[dict[str, str]]:
        axes: dict[str, list[Any]] = (self.workflow["jobs"][job].get("strategy") or {}).get(
            "matrix"
        ) or {}
        if not axes:
            return [{}]
        if len(axes) != 1:
            raise ValueError(f"job {job}: only one-axis matrices are supported")
        ((axis, values),) = axes.items()
        return [{axis: str(v)} for v in values]

    def _evaluate(self, expression: str, context: dict[str, Any]) -> str:
        value: Any = context
        for part in expression.split("."):
            if not isinstance(value, dict) or part not in value:
                raise KeyError(f"unsupported or unknown expression ${{{{ {expression} }}}}")
            value = value[part]
        return str(value)

    def _substitute(self, text: str, context: dict[str, Any]) -> str:
        return EXPRESSION.sub(lambda m: self._evaluate(m.group(1), context), text)

    def _env(self, block: dict[str, Any] | None, context: dict[str, Any]) -> dict[str, str]:
        return {k: self._substitute(str(v), context) for k, v in (block or {}).items()}

    def run_job(self, job: str, matrix: dict[str, str], *, workdir: Path) -> JobRun:
        spec = self.workflow["jobs"][job]
        base_context = {"matrix": matrix, "github": self.github, "runner": {"os": "Linux"}}
        environment = self._substitute(str(spec.get("environment", "")), base_context)
        context = {**base_context, "secrets": self.secrets.get(environment, {})}
        shell = (self.workflow.get("defaults") or {}).get("run", {}).get("shell")
        if shell != "bash":
            raise ValueError("the workflow must default to `shell: bash` (pipefail)")
        job_env = {
            **{
                k: self._substitute(str(v), context)
                for k, v in (self.workflow.get("env") or {}).items()
            },
            **{k: self._substitute(str(v), context) for k, v in (spec.get("env") or {}).items()},
        }
        workdir.mkdir(parents=True, exist_ok=True)
        files = {
            name: workdir / name.lower()
            for name in ("GITHUB_STEP_SUMMARY", "GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_PATH")
        }
        for path in files.values():
            path.touch()
        run = JobRun(job, matrix)
        failed = False
        for step in spec["steps"]:
            if "run" not in step:
                continue  # `uses:` an action that prepares a CI machine
            name = str(step.get("name") or step["run"].splitlines()[0])
            condition = str(step.get("if", "success()")).strip()
            if not self._should_run(condition, failed):
                run.steps.append(StepRun(name, step["run"], None))
                continue
            env = {
                **self.base_env,
                "CI": "true",
                "GITHUB_ACTIONS": "true",
                "GITHUB_EVENT_NAME": str(self.github["event_name"]),
                "GITHUB_REPOSITORY": str(self.github["repository"]),
                "RUNNER_TEMP": str(workdir),
                **{k: str(v) for k, v in files.items()},
                **job_env,
                **{
                    k: self._substitute(str(v), context) for k, v in (step.get("env") or {}).items()
                },
            }
            script = self._substitute(str(step["run"]), context)
            proc = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
                cwd=self.checkout / str(step.get("working-directory", ".")),
                env=env,
                capture_output=True,
                text=True,
                timeout=self.timeout,
                check=False,
            )
            run.steps.append(StepRun(name, script, proc.returncode, proc.stdout + proc.stderr))
            failed = failed or proc.returncode != 0
        return run

    @staticmethod
    def _should_run(condition: str, failed: bool) -> bool:
        if condition in ("always()", "!cancelled()"):
            return True
        if condition == "success()":
            return not failed
        if condition == "failure()":
            return failed
        raise ValueError(f"unsupported step if: {condition!r}")


def clean_environment() -> dict[str, str]:
    """This process's environment without what a fresh CI runner would not have."""
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PULUMI_", "TWILIO_", "GITHUB_", "VIRTUAL_ENV"))
    }
