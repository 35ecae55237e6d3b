"""The package as a user gets it: the built wheel and sdist, installed into the example project's
own virtualenv outside this repository, driven by the engine against the emulator.

Nothing of the repository is on the example's sys.path or PATH, and automatic plugin acquisition
is left on: the wheel's ``pulumi-plugin.json`` (``{"resource": false}``) is what keeps the
language host from naming a plugin ``twilio-intelligence`` for the engine to download. The
Pulumi SDK is installed at each end of the declared range and at the repository's pin."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from twilio_emulator.testing import EmulatorHandle

from tools import engine

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "quickstart"
CONSTRAINTS = {
    "pinned": ROOT / "constraints.txt",
    "lowest": ROOT / "tests" / "e2e" / "constraints-lowest.txt",
    "newest": ROOT / "tests" / "e2e" / "constraints-newest.txt",
}
# What the engine logs (-v=7) when it tries to fetch a plugin for a Python package.
DOWNLOAD_MARKERS = ("failed to download plugin", "installPlugin(twilio-intelligence")
PASSPHRASE = "example-passphrase"  # noqa: S105 - a throwaway local stack

pytestmark = pytest.mark.e2e


@dataclass(frozen=True)
class Dist:
    wheel: Path
    sdist: Path


def _run(
    args: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert proc.returncode == 0, (
        f"{' '.join(args)} exited {proc.returncode}\n--- stdout\n{proc.stdout}\n"
        f"--- stderr\n{proc.stderr}"
    )
    return proc


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Dist:
    """``python -m build`` of the repository: what `make dist` makes."""
    out = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)], cwd=ROOT)
    (wheel,) = out.glob("*.whl")
    (sdist,) = out.glob("*.tar.gz")
    return Dist(wheel, sdist)


def test_wheel_and_sdist_pass_twine_and_hold_the_package(dist: Dist) -> None:
    checked = _run(
        [sys.executable, "-m", "twine", "check", "--strict", str(dist.wheel), str(dist.sdist)],
        cwd=ROOT,
    )
    assert checked.stdout.count("PASSED") == 2, checked.stdout

    with zipfile.ZipFile(dist.wheel) as wheel:
        names = set(wheel.namelist())
        plugin = json.loads(wheel.read("pulumi_twilio_intelligence/pulumi-plugin.json"))
        (metadata_name,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        metadata = wheel.read(metadata_name).decode()
    assert plugin == {"resource": False}
    assert "pulumi_twilio_intelligence/py.typed" in names
    assert "pulumi_twilio_intelligence/resources.py" in names
    assert not any(n.startswith(("tests/", "emulator/", "tools/", "provider/")) for n in names)
    requires = [line for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    runtime = [line for line in requires if "extra ==" not in line]
    assert any(line.startswith("Requires-Dist: pulumi<4,>=3.216.0") for line in runtime), runtime
    assert not [line for line in runtime if "==" in line], "a library declares ranges, not pins"

    with tarfile.open(dist.sdist) as sdist:
        members = [m.split("/", 1)[1] for m in sdist.getnames() if "/" in m]
    assert "provider/pulumi_twilio_intelligence/pulumi-plugin.json" in members
    assert "pyproject.toml" in members
    assert not [m for m in members if m.startswith(("tests/", "emulator/", "stacks/", "tools/"))]


def _user_env(workdir: Path, emulator: EmulatorHandle) -> dict[str, str]:
    """A user's shell after `eval "$(python tools/engine.py env)"`: no trace of this repository
    (its virtualenv, its backend, plugin settings), its own backend and PULUMI_HOME."""
    base = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PULUMI_", "PYTHON", "VIRTUAL_ENV", "TWILIO_"))
    }
    base["PATH"] = os.pathsep.join(
        entry for entry in base.get("PATH", "").split(os.pathsep) if str(ROOT) not in entry
    )
    (workdir / "state").mkdir()
    env = {
        **base,
        **_engine_only(),
        "PULUMI_HOME": str(workdir / "pulumi-home"),
        "PULUMI_BACKEND_URL": f"file://{workdir / 'state'}",
        "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
        "TWILIO_BASE_URL": emulator.url,
        "TWILIO_ACCOUNT_SID": emulator.account_sid,
        "TWILIO_AUTH_TOKEN": emulator.auth_token,
    }
    assert "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION" not in env
    return env


def _engine_only() -> dict[str, str]:
    """What `python tools/engine.py env` prints, parsed as a shell would."""
    out = _run([sys.executable, str(ROOT / "tools" / "engine.py"), "env"], cwd=ROOT).stdout
    printed = dict(
        line.removeprefix("export ").split("=", 1) for line in out.splitlines() if line.strip()
    )
    env = {key: value.strip("'") for key, value in printed.items()}
    assert set(env) == {"PATH", "PULUMI_SKIP_UPDATE_CHECK"}, env
    assert env["PATH"].split(os.pathsep)[0] == str(engine.ensure())
    return env


def _pulumi(project: Path, env: dict[str, str], *args: str) -> str:
    """Run pulumi with the engine's verbose log on stderr; fail on any plugin download."""
    proc = _run(
        ["pulumi", *args, "--non-interactive", "--logtostderr", "-v=7"], cwd=project, env=env
    )
    for marker in DOWNLOAD_MARKERS:
        assert marker not in proc.stderr, f"pulumi {' '.join(args)} tried to fetch a plugin"
    return proc.stdout


def _install(project: Path, dist: Dist, constraints: Path) -> Path:
    """The README's commands: a virtualenv in the project, the wheel into it, pinned."""
    _run([sys.executable, "-m", "venv", str(project / "venv")], cwd=project)
    python = project / "venv" / "bin" / "python"
    _run(
        [str(python), "-m", "pip", "install", "-q", "-c", str(constraints), str(dist.wheel)],
        cwd=project,
    )
    return python


@pytest.mark.parametrize("sdk", ["pinned", "lowest", "newest"])
def test_example_project_lifecycle(
    sdk: str, dist: Dist, tmp_path: Path, emulator: EmulatorHandle
) -> None:
    assert ROOT not in tmp_path.parents
    project = tmp_path / "quickstart"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("venv", "__pycache__"))
    python = _install(project, dist, CONSTRAINTS[sdk])
    env = _user_env(tmp_path, emulator)

    installed = _run([str(python), "-m", "pip", "list", "--format", "json"], cwd=project)
    versions = {p["name"].lower(): p["version"] for p in json.loads(installed.stdout)}
    if sdk != "pinned":
        pinned = CONSTRAINTS[sdk].read_text()
        for name, version in versions.items():
            if f"\n{name}=={version}\n" in f"\n{pinned.lower()}\n":
                pinned = pinned.lower().replace(f"{name}=={version}", "")
        leftover = [line for line in pinned.splitlines() if "==" in line]
        assert not leftover, f"not installed at the tested end: {leftover}"
    assert versions["pulumi-twilio-intelligence"] == "0.1.0"

    _pulumi(project, env, "install")
    assert not (project / "pyvenv.cfg").exists(), "pulumi install made a virtualenv of the project"
    _run(["pulumi", "stack", "init", "dev", "--non-interactive"], cwd=project, env=env)

    up = _pulumi(project, env, "up", "--yes", "--skip-preview")
    assert "+ 6 created" in up, up
    outputs = json.loads(_run(["pulumi", "stack", "output", "--json"], cwd=project, env=env).stdout)
    assert outputs["memoryStoreId"].startswith("mem_store_")
    assert outputs["conversationConfigurationId"].startswith("conv_configuration_")
    configuration = emulator.client().get(
        f"/v2/ControlPlane/Configurations/{outputs['conversationConfigurationId']}"
    )
    assert configuration.status_code == 200, configuration.text
    assert configuration.json()["intelligenceConfigurationIds"] == [
        outputs["intelligenceConfigurationId"]
    ]

    _pulumi(project, env, "preview", "--expect-no-changes")
    destroyed = _pulumi(project, env, "destroy", "--yes", "--skip-preview")
    assert "- 6 deleted" in destroyed, destroyed


def test_the_download_check_sees_a_package_without_its_plugin_file(
    dist: Dist, tmp_path: Path, emulator: EmulatorHandle
) -> None:
    """The control for the lifecycle test's assertion: without pulumi-plugin.json the engine
    does try to download a `twilio-intelligence` plugin, and the markers show it."""
    project = tmp_path / "quickstart"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("venv", "__pycache__"))
    python = _install(project, dist, CONSTRAINTS["pinned"])
    site = _run(
        [str(python), "-c", "import pulumi_twilio_intelligence as p; print(p.__file__)"],
        cwd=project,
    ).stdout.strip()
    (Path(site).parent / "pulumi-plugin.json").unlink()
    env = _user_env(tmp_path, emulator)
    _run(["pulumi", "stack", "init", "dev", "--non-interactive"], cwd=project, env=env)
    proc = subprocess.run(
        ["pulumi", "preview", "--non-interactive", "--logtostderr", "-v=7"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert all(marker in proc.stderr for marker in DOWNLOAD_MARKERS), proc.stderr[-3000:]


def test_installed_package_runs_alone_and_the_example_type_checks(
    dist: Dist, tmp_path: Path
) -> None:
    project = tmp_path / "quickstart"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("venv", "__pycache__"))
    python = _install(project, dist, CONSTRAINTS["pinned"])
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}

    probe = _run(
        [
            str(python),
            "-c",
            "import json, sys, pulumi_twilio_intelligence as p;"
            "print(json.dumps({'file': p.__file__, 'path': sys.path}))",
        ],
        cwd=project,
        env=env,
    )
    found = json.loads(probe.stdout)
    assert Path(found["file"]).is_relative_to(project / "venv"), found["file"]
    assert not [entry for entry in found["path"] if str(ROOT) in entry], found["path"]

    drift_help = _run(
        [str(project / "venv" / "bin" / "twilio-intelligence"), "drift", "--help"],
        cwd=project,
        env=env,
    )
    assert "usage:" in drift_help.stdout
    assert "--stack" in drift_help.stdout

    # The program's types, checked against the installed wheel (its py.typed), not the sources.
    typed = _run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--python-executable",
            str(python),
            "__main__.py",
        ],
        cwd=project,
        env=env,
    )
    assert "Success" in typed.stdout


def test_a_gitops_project_on_the_wheel_deploys_and_its_drift_gate_runs(
    dist: Dist, tmp_path: Path, emulator: EmulatorHandle
) -> None:
    """The repository's own shape (Pulumi.yaml, the program, stacks/) rebuilt outside it, on the
    installed wheel: `pulumi up` of the dev stack, then the drift gate answers in sync (0), and
    drift (2) once the file moves ahead of what was deployed."""
    project = tmp_path / "gitops"
    project.mkdir()
    assert ROOT not in project.parents
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(ROOT / name, project / name)
    pulumi_yaml = project / "Pulumi.yaml"
    pulumi_yaml.write_text(pulumi_yaml.read_text().replace("virtualenv: .venv", "virtualenv: venv"))
    (project / "stacks").mkdir()
    for name in ("base.yaml", "dev.yaml"):
        shutil.copy(ROOT / "stacks" / name, project / "stacks" / name)
    _install(project, dist, CONSTRAINTS["pinned"])
    env = _user_env(tmp_path, emulator)
    _run(["pulumi", "stack", "init", "dev", "--non-interactive"], cwd=project, env=env)
    _run(
        ["pulumi", "config", "set", "twilio-intelligence:desiredState", "stacks/dev.yaml"],
        cwd=project,
        env=env,
    )
    _pulumi(project, env, "up", "--yes", "--skip-preview")

    drift_cli = str(project / "venv" / "bin" / "twilio-intelligence")
    gate = [drift_cli, "drift", "--stack", "dev", "--format", "json"]
    in_sync = json.loads(_run(gate, cwd=project, env=env).stdout)
    assert (in_sync["status"], in_sync["exitCode"]) == ("in-sync", 0), in_sync
    (stack,) = in_sync["stacks"]
    compared = {(o["kind"], o["name"]) for o in stack["objects"]}
    assert {("Operator", "churn-risk"), ("MemoryStore", "support-memory")} <= compared, compared
    assert in_sync["summary"]["drifted"] == 0, in_sync["summary"]

    # The file moves ahead of the deployment: the gate names the object, the field and the value.
    dev = project / "stacks" / "dev.yaml"
    dev.write_text(
        dev.read_text() + "\noperators:\n  churn-risk: {description: 'Edited, not deployed'}\n"
    )
    drifted = subprocess.run(
        gate, cwd=project, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert drifted.returncode == 2, drifted.stdout + drifted.stderr
    report = json.loads(drifted.stdout)
    (churn,) = [o for o in report["stacks"][0]["objects"] if o["name"] == "churn-risk"]
    assert churn["severity"] == "error", churn
    assert "Edited, not deployed" in json.dumps(churn["changes"]), churn
