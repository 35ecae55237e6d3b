"""Turn a checked desired state into Pulumi resources, wired by reference.

Names in the file become dependencies: a rule that names an operator depends on that Operator's
id, a Conversation configuration that names an Intelligence Configuration depends on its id. So
the engine orders everything, and a replaced configuration is created, then relinked, then the
old one deleted.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pulumi

from . import _memory_program
from ._core.kinds import KINDS, in_file_order
from ._core.refs import Ref, resolve
from ._deployed import Deployed
from ._pulumi.resource import DataContainer
from .errors import ValidationError
from .inputs import KnowledgeSourceContentArgsDict, RuleArgsDict
from .knowledge import KnowledgeBase, KnowledgeSource
from .resources import (
    ConversationConfiguration,
    IntelligenceConfiguration,
    MemoryStore,
    Operator,
)
from .stackfile import DesiredState, load

__all__ = ["Deployed", "deploy", "run"]


# A kind's builder: its resource, from a declared object's name and file-shaped body.
_Builder = Callable[[str, dict[str, Any], Deployed], pulumi.CustomResource]


def _operator(name: str, body: dict[str, Any], out: Deployed) -> Operator:
    return Operator(
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
        opts=out.options(body),
    )


def _data_container(resource_class: type[DataContainer]) -> _Builder:
    """The builder of a kind whose resource is a ``DataContainer`` (a store, a knowledge base)."""

    def build(name: str, body: dict[str, Any], out: Deployed) -> DataContainer:
        return resource_class(
            name,
            display_name=body.get("displayName"),
            description=body.get("description"),
            deletion_policy=body.get("deletionPolicy", "retain"),
            adopt_id=body.get("adoptId"),
            opts=out.options(body),
        )

    return build


def _configuration(name: str, body: dict[str, Any], out: Deployed) -> IntelligenceConfiguration:
    # The loader checked the rules against the model the TypedDict mirrors.
    rules = cast("list[RuleArgsDict]", resolve(body["rules"], out.resolve))
    return IntelligenceConfiguration(
        name,
        rules=rules,
        display_name=body.get("displayName"),
        description=body.get("description"),
        adopt_id=body.get("adoptId"),
        opts=out.options(body),
    )


def _conversation(name: str, body: dict[str, Any], out: Deployed) -> ConversationConfiguration:
    body = resolve(body, out.resolve)
    return ConversationConfiguration(
        name,
        memory_store_id=body["memoryStoreId"],
        conversation_grouping_type=body["conversationGroupingType"],
        description=body["description"],
        display_name=body.get("displayName"),
        channel_settings=body.get("channelSettings", {}),
        status_callbacks=body.get("statusCallbacks"),
        intelligence_configuration_ids=body.get("intelligenceConfigurationIds", []),
        memory_extraction_enabled=body.get("memoryExtractionEnabled", False),
        adopt_id=body.get("adoptId"),
        opts=out.options(body),
    )


def _knowledge_source(name: str, body: dict[str, Any], out: Deployed) -> KnowledgeSource:
    base: Ref = body["knowledgeBaseId"]
    # A source is deleted under its base's policy (the loader put the base's policy here).
    return KnowledgeSource(
        name,
        knowledge_base_id=out.resolve(base),
        source=cast("KnowledgeSourceContentArgsDict", body["source"]),
        name=body.get("name"),
        description=body.get("description"),
        deletion_policy=body.get("deletionPolicy", "retain"),
        adopt_id=body.get("adoptId"),
        opts=out.options(body),
    )


# How each kind's file-shaped body becomes its resource's arguments.
_BUILDERS: dict[str, _Builder] = {
    "Operator": _operator,
    "MemoryStore": _data_container(MemoryStore),
    "IntelligenceConfiguration": _configuration,
    "ConversationConfiguration": _conversation,
    "KnowledgeBase": _data_container(KnowledgeBase),
    "KnowledgeSource": _knowledge_source,
    **_memory_program.BUILDERS,
}


def deploy(state: DesiredState) -> Deployed:
    out = Deployed()
    for kind in KINDS:  # dependency order: what a body refers to is declared first
        made: dict[str, Any] = getattr(out, kind.attribute)
        for name, body in state.of(kind).items():
            if "existingId" in body:  # a reference to an object this stack does not manage
                out.ids[(kind.name, name)] = str(body["existingId"])
                continue
            resource = _BUILDERS[kind.name](name, body, out)
            made[name] = resource
            out.ids[(kind.name, name)] = resource.id
    return out


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
    for kind in in_file_order():
        pulumi.export(kind.section, {n: i for (k, n), i in out.ids.items() if k == kind.name})
    return out
