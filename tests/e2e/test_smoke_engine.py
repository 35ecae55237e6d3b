"""The foundation: the pinned engine runs a dynamic resource through its lifecycle, offline."""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

import pytest

from tools import engine
from tools.pulumi_project import PulumiProject

ROOT = Path(__file__).resolve().parents[2]

PROGRAM = textwrap.dedent(
    """
    import pulumi
    from pulumi.dynamic import CreateResult, ReadResult, Resource, ResourceProvider

    class Counter(ResourceProvider):
        def create(self, props):
            return CreateResult("counter-" + props["label"], {"label": props["label"], "n": 1})

        def read(self, id_, props):
            return ReadResult(id_, props)

        def delete(self, id_, props):
            pass

    class CounterResource(Resource):
        def __init__(self, name, label):
            super().__init__(Counter(), name, {"label": label, "n": None})

    counter = CounterResource("smoke", pulumi.Config().require("label"))
    pulumi.export("label", counter.label)
    """
)


@pytest.fixture
def smoke_project(tmp_path: Path) -> PulumiProject:
    project_dir = tmp_path / "project"
    project_dir.mkdir()
    (project_dir / "Pulumi.yaml").write_text(
        "name: smoke\n"
        "runtime:\n"
        "  name: python\n"
        "  options:\n"
        "    toolchain: pip\n"
        f"    virtualenv: {ROOT / '.venv'}\n"
    )
    (project_dir / "__main__.py").write_text(PROGRAM)
    return PulumiProject(project_dir=project_dir, workdir=tmp_path)


@pytest.mark.e2e
def test_engine_is_the_pinned_version() -> None:
    out = subprocess.run(
        [str(engine.ensure() / "pulumi"), "version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == f"v{engine.VERSION}"


@pytest.mark.e2e
def test_dynamic_resource_lifecycle_offline(smoke_project: PulumiProject) -> None:
    smoke_project.init(config={"label": "hello"})

    up = smoke_project.up()
    assert "+ 2 created" in up.stdout
    assert smoke_project.outputs() == {"label": "hello"}

    smoke_project.preview("--expect-no-changes")
    smoke_project.refresh("--expect-no-changes")

    # A changed input is seen by preview: --expect-no-changes must now fail.
    smoke_project.run("config", "set", "label", "changed")
    drifted = smoke_project.preview("--expect-no-changes", check=False)
    assert drifted.returncode != 0

    smoke_project.destroy()
    assert smoke_project.resources("dynamic:Resource") == []
