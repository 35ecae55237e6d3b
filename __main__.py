"""The project's Pulumi program: deploy the stack's desired-state file (config key desiredState)."""

from pathlib import Path

from pulumi_twilio_intelligence.program import run

run(project_dir=Path(__file__).resolve().parent)
