"""Turn a checked desired state into Pulumi resources, wired by reference.

Names in the file become dependencies: a rule that names an operator depends on that Operator's
id, a Conversation configuration that names an Intelligence Configuration depends on its id. So
the engine orders everything, and a replaced configuration is created, then relinked, then the
old one deleted.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, cast

import pulumi

from .errors import ValidationError
from .inputs import RuleArgsDict
from .resources import (
    TWILIO_OPERATOR_IDS,
    ConversationConfiguration,
    IntelligenceConfiguration,
    MemoryStore,
    Operator,
    TwilioOperator,
)
from .stackfile import DesiredState, load

__all__ = ["Deployed", "deploy", "run"]


class Deployed:
    """The resources made for one desired state, by logical name."""

    def __init__(self) -> None:
        self.operators: dict[str, Operator] = {}
        self.twilio_operators: dict[str, TwilioOperator] = {}
        self.memory_stores: dict[str, MemoryStore] = {}
        self.store_ids: dict[str, pulumi.Input[str]] = {}
        self.intelligence_configurations: dict[str, IntelligenceConfiguration] = {}
        self.conversation_configurations: dict[str, ConversationConfiguration] = {}


def deploy(state: DesiredState) -> Deployed:
    out = Deployed()
    for name, body in state.operators.items():
        out.operators[name] = Operator(
            name,
            prompt=body["prompt"],
            output_format=body["outputFormat"],
            display_name=body.get("displayName"),
            description=body.get("description"),
            output_schema=body.get("outputSchema"),
            training_examples=body.get("trainingExamples"),
            context=body.get("context", {}),
            parameters=body.get("parameters"),
            update_strategy=body.get("updateStrategy", "replace"),
            adopt_id=body.get("adoptId"),
        )
    for name, body in state.memory_stores.items():
        if "existingId" in body:
            out.store_ids[name] = str(body["existingId"])
            continue
        store = MemoryStore(
            name,
            display_name=body.get("displayName"),
            description=body.get("description"),
            adopt_id=body.get("adoptId"),
        )
        out.memory_stores[name] = store
        out.store_ids[name] = store.id
    for name, body in state.intelligence_configurations.items():
        rules = [_rule(rule, out) for rule in body["rules"]]
        out.intelligence_configurations[name] = IntelligenceConfiguration(
            name,
            rules=rules,
            display_name=body.get("displayName"),
            description=body.get("description"),
            adopt_id=body.get("adoptId"),
        )
    for name, body in state.conversation_configurations.items():
        ids: list[pulumi.Input[str]] = [
            out.intelligence_configurations[ref[1:]].id
            for ref in body.get("intelligenceConfigurationIds", [])
        ]
        store_ref = str(body["memoryStoreId"])
        store_id = out.store_ids[store_ref[1:]] if store_ref.startswith("@") else store_ref
        out.conversation_configurations[name] = ConversationConfiguration(
            name,
            memory_store_id=store_id,
            conversation_grouping_type=body["conversationGroupingType"],
            description=body["description"],
            display_name=body.get("displayName"),
            channel_settings=body.get("channelSettings", {}),
            status_callbacks=body.get("statusCallbacks"),
            intelligence_configuration_ids=ids,
            memory_extraction_enabled=body.get("memoryExtractionEnabled", False),
            adopt_id=body.get("adoptId"),
        )
    return out


def _rule(rule: dict[str, Any], out: Deployed) -> RuleArgsDict:
    operators = []
    for op in rule["operators"]:
        options = {k: v for k, v in op.items() if k != "ref"}
        operators.append({"id": _operator_id(str(op["ref"]), out), **options})
    # The loader checked the rule against the model the TypedDict mirrors.
    return cast("RuleArgsDict", {**rule, "operators": operators})


def _operator_id(ref: str, out: Deployed) -> pulumi.Input[str]:
    if ref in out.operators:
        return out.operators[ref].id
    key = ref.lower()
    if key in TWILIO_OPERATOR_IDS or ref.startswith("intelligence_operator_"):
        if ref not in out.twilio_operators:
            out.twilio_operators[ref] = TwilioOperator(f"twilio-{key}", ref)
        return out.twilio_operators[ref].id
    raise AssertionError(f"unresolved operator reference {ref!r} (the loader checks these)")


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "pulumi-twilio-intelligence" / "desired-state"


def run(desired_state: str | Path | None = None, *, project_dir: Path | None = None) -> Deployed:
    """Entry point of a Pulumi program: load the stack's file, deploy, export the ids.

    A relative path is taken from ``project_dir`` (where Pulumi.yaml is), else the working
    directory."""
    config = pulumi.Config()
    path = Path(desired_state or config.require("desiredState"))
    if not path.is_absolute() and project_dir is not None:
        path = project_dir / path
    try:
        state = load(path, cache_dir=_cache_dir())
    except ValidationError as exc:
        # RunError: the engine shows the message without a Python traceback.
        raise pulumi.RunError(f"invalid desired state in {path}:\n{exc}") from None
    out = deploy(state)
    pulumi.export("operators", {n: r.id for n, r in out.operators.items()})
    pulumi.export(
        "intelligenceConfigurations", {n: r.id for n, r in out.intelligence_configurations.items()}
    )
    pulumi.export(
        "conversationConfigurations", {n: r.id for n, r in out.conversation_configurations.items()}
    )
    pulumi.export("memoryStores", dict(out.store_ids))
    return out
