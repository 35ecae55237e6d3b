"""`pulumi import` through the real engine: objects made directly through the API are taken over
by the engine's own import command, from the import file `export --import-file` writes, with no
write to Twilio; then the program holds them, the previews are empty and a change applies. And
`Resource.get` reads existing objects into another program without ever changing them.

`pulumi import TYPE NAME ID` itself fails for dynamic resources (pulumi#16175); the first test pins
that down, so that this project notices when the engine starts supporting it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import ROOT, Deployment
from tests.e2e.drift_cli import drift, twilio_intelligence
from tests.e2e.test_clean_refresh import quiet_refresh_preview
from tests.e2e.test_export import make_account
from tools.pulumi_project import PulumiProject

pytestmark = pytest.mark.e2e

TYPE = "pulumi-python:dynamic/twilio-intelligence:"
V3_CONFIGS = "/v3/ControlPlane/Configurations"
V2_CONFIGS = "/v2/ControlPlane/Configurations"
SENTIMENT = "intelligence_operator_01kcrvw16kfa88qvgrfmr7y151"


def _held(d: Deployment) -> dict[str, dict[str, Any]]:
    """The custom resources of the stack's state, by logical name."""
    return {
        r["urn"].rsplit("::", 1)[1]: r
        for r in d.pulumi.resources()
        if r.get("custom") and r["type"].startswith(TYPE)
    }


def test_plain_pulumi_import_of_a_dynamic_resource_fails_in_the_engine(
    deployment: Deployment,
) -> None:
    d = deployment
    ids = make_account(d)
    mark = d.emulator.mark()
    run = d.pulumi.run(
        "import",
        f"{TYPE}Operator",
        "reason",
        ids["reason"],
        "--yes",
        "--generate-code=false",
        check=False,
    )
    assert run.returncode != 0
    assert "__provider" in run.stdout + run.stderr, run.stdout + run.stderr
    assert d.writes(mark) == []
    assert _held(d) == {}


def test_pulumi_import_file_takes_over_an_account(deployment: Deployment) -> None:
    d = deployment
    ids = make_account(d)
    (conversation,) = d.emulator.client().get(V2_CONFIGS).json()["configurations"]
    ids["conversation"] = conversation["id"]
    stack_file = d.stack_file("dev")
    import_path = d.project_dir / "import.json"
    run = twilio_intelligence(
        d,
        "export",
        "--stack",
        "dev",
        "--output",
        str(stack_file),
        "--import-file",
        str(import_path),
    )
    assert run.code == 0, run.stderr
    assert "adoptId" not in stack_file.read_text(), "pulumi import does the taking over"
    spec = json.loads(import_path.read_text())
    assert {(r["type"].removeprefix(TYPE), r["name"], r["id"]) for r in spec["resources"]} == {
        ("MemoryStore", "support-memory", ids["store"]),
        ("Operator", "Churn-risk-v2", ids["risk"]),
        ("Operator", "reason", ids["reason"]),
        ("IntelligenceConfiguration", "Support-analytics", ids["config"]),
        ("ConversationConfiguration", "Support-line", ids["conversation"]),
        ("TwilioOperator", "twilio-sentiment", SENTIMENT),
        ("TwilioOperator", "twilio-summary", "intelligence_operator_01kcv35pnkeysaf6z6cqtbpegn"),
        # What every store holds: its identity resolution settings and built-in trait group.
        (
            "IdentityResolutionSettings",
            "support-memory-settings",
            f"{ids['store']}/IdentityResolutionSettings",
        ),
        ("TraitGroup", "Contact", f"{ids['store']}/TraitGroups/Contact"),
    }

    mark = d.emulator.mark()
    d.pulumi.run(
        "import", "--file", str(import_path), "--yes", "--protect=false", "--generate-code=false"
    )
    assert d.writes(mark) == [], "importing writes nothing"
    held = _held(d)
    assert held["Churn-risk-v2"]["id"] == ids["risk"]
    assert held["Support-analytics"]["id"] == ids["config"]
    assert held["Support-line"]["id"] == ids["conversation"]
    assert held["support-memory"]["id"] == ids["store"]
    assert held["Churn-risk-v2"]["outputs"]["version"] == 1

    # The program declares exactly what was imported: nothing to do, nothing marked.
    d.pulumi.preview("--expect-no-changes")
    quiet_refresh_preview(d)
    mark = d.emulator.mark()
    d.pulumi.up()
    assert d.writes(mark) == [], "the first up after the import writes nothing"
    outputs = d.pulumi.outputs()
    assert outputs["intelligenceConfigurations"] == {"Support-analytics": ids["config"]}
    assert outputs["memoryStores"] == {"support-memory": ids["store"]}
    report = drift(d, "--stack", "dev")["json"].json()
    assert report["exitCode"] == 0, report
    assert report["unmanaged"] == []

    # Imported objects are the stack's like any other: a rule change replaces the configuration.
    d.edit("count: 3", "count: 4", name="dev")
    mark = d.emulator.mark()
    d.pulumi.up()
    new_config = d.pulumi.outputs()["intelligenceConfigurations"]["Support-analytics"]
    assert new_config != ids["config"]
    assert ("DELETE", f"{V3_CONFIGS}/{ids['config']}") in d.writes(mark)


GET_PROGRAM = '''"""Reads existing objects with Resource.get."""
import pulumi
from pulumi_twilio_intelligence.resources import (
    ConversationConfiguration,
    IntelligenceConfiguration,
    MemoryStore,
    Operator,
)

ids = pulumi.Config().require_object("ids")
got = {
    "risk": Operator.get("risk", ids["risk"]),
    "config": IntelligenceConfiguration.get("config", ids["config"]),
    "conversation": ConversationConfiguration.get("conversation", ids["conversation"]),
    "store": MemoryStore.get("store", ids["store"]),
}
for key, resource in got.items():
    pulumi.export(key, {"id": resource.id, "displayName": resource.displayName})
pulumi.export("riskVersion", got["risk"].version)
pulumi.export("linked", got["conversation"].intelligenceConfigurationIds)
'''


def test_resource_get_reads_existing_objects_and_never_changes_them(
    deployment: Deployment, tmp_path: Path
) -> None:
    d = deployment
    ids = make_account(d)
    (conversation,) = d.emulator.client().get(V2_CONFIGS).json()["configurations"]
    ids["conversation"] = conversation["id"]
    program_dir = tmp_path / "reader"
    program_dir.mkdir()
    (program_dir / "__main__.py").write_text(GET_PROGRAM)
    (program_dir / "Pulumi.yaml").write_text(
        "name: reader\nruntime:\n  name: python\n  options:\n    toolchain: pip\n"
        f"    virtualenv: {ROOT / '.venv'}\n"
    )
    reader = PulumiProject(
        project_dir=program_dir,
        workdir=tmp_path / "reader-home",
        stack="dev",
        extra_env=d.pulumi.extra_env,
    )
    reader.init(config={"ids": json.dumps(ids)})

    mark = d.emulator.mark()
    reader.up()
    out = reader.outputs()
    assert out["risk"] == {"id": ids["risk"], "displayName": "Churn risk (v2)"}
    assert out["config"] == {"id": ids["config"], "displayName": "Support analytics"}
    assert out["conversation"] == {"id": ids["conversation"], "displayName": "Support line"}
    assert out["store"] == {"id": ids["store"], "displayName": "support-memory"}
    assert out["riskVersion"] == 1
    assert out["linked"] == [ids["config"]]
    assert all(r.get("external") for r in reader.resources(":Operator")), "read, not managed"
    reader.preview("--refresh", "--expect-no-changes")
    reader.destroy()
    assert d.writes(mark) == [], "reading, refreshing and destroying the reader write nothing"
    client = d.emulator.client()
    assert client.get(f"{V3_CONFIGS}/{ids['config']}").status_code == 200

    ids["risk"] = "intelligence_operator_01aaaaaaaaaaaaaaaaaaaaaaaa"
    reader.run("config", "set", "ids", json.dumps(ids))
    missing = reader.up(check=False)
    assert missing.returncode != 0
    assert "does not exist" in missing.stdout + missing.stderr
