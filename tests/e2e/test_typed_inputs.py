"""A mistyped nested key, in a Pulumi program that instantiates the resources itself, reads cleanly
through the real engine: the resource, the field path, the key and the key it likely means, and
none of the engine's rendering of a property it cannot find ("value {<nil>}")."""

from __future__ import annotations

import textwrap

import pytest

from tests.e2e.conftest import Deployment

pytestmark = pytest.mark.e2e

SENTIMENT = "intelligence_operator_01kcrvw16kfa88qvgrfmr7y151"

PROGRAM = f'''
from pulumi_twilio_intelligence import IntelligenceConfiguration, MemoryStore

MemoryStore("support-memory", description="Customer memory")
IntelligenceConfiguration(
    "support-analytics",
    rules=[
        {{
            "operators": [{{"id": "{SENTIMENT}"}}],
            "trigers": [{{"on": "COMMUNICATION"}}],
            "actions": [{{"url": "https://hooks.example.com/intelligence"}}],
        }},
        {{
            "operators": [{{"id": "{SENTIMENT}"}}],
            "triggers": [{{"on": "CONVERSATION_END", "parameters": {{"count": 1}}}}],
            "context": {{"memory": {{"enabled": True}}, "knowledge": {{"bases": [], "bsaes": []}}}},
        }},
    ],
)
'''


def test_a_typo_in_a_nested_key_is_reported_by_resource_path_and_key(
    deployment: Deployment,
) -> None:
    d = deployment
    (d.project_dir / "__main__.py").write_text(textwrap.dedent(PROGRAM))
    mark = d.emulator.mark()

    result = d.pulumi.preview(check=False)
    output = result.stdout + result.stderr

    assert result.returncode != 0, output
    assert (
        "IntelligenceConfiguration support-analytics.rules[0]: "
        "unknown field 'trigers' (did you mean 'triggers'?)"
    ) in output
    assert (
        "IntelligenceConfiguration support-analytics.rules[1].context.knowledge: "
        "unknown field 'bsaes' (did you mean 'bases'?)"
    ) in output
    assert "{<nil>}" not in output
    assert "property rules" not in output
    assert "Traceback" not in output
    # The other resource is fine, and nothing reached Twilio.
    # The engine may show the store's planned create before the error stops the preview (how
    # far it got depends on timing); no error is about it.
    assert not [
        line for line in output.splitlines() if "support-memory" in line and "error" in line
    ]
    assert d.writes(mark) == []
