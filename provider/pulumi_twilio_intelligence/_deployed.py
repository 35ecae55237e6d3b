"""What the Pulumi program made of one desired state (``program.deploy``), and how it resolves
the state's references to ids: the builders of every kind (``program``, ``_memory_program``) read
and fill it."""

from __future__ import annotations

from typing import Any

import pulumi

from ._core.kinds import twilio_operator_id
from ._core.refs import Ref
from .knowledge import KnowledgeBase, KnowledgeSource
from .resources import (
    ConversationConfiguration,
    IntelligenceConfiguration,
    MemoryStore,
    Operator,
    TwilioOperator,
)

__all__ = ["Deployed"]


class Deployed:
    """The resources made for one desired state, by logical name."""

    def __init__(self) -> None:
        self.operators: dict[str, Operator] = {}
        self.twilio_operators: dict[str, TwilioOperator] = {}
        self.memory_stores: dict[str, MemoryStore] = {}
        self.intelligence_configurations: dict[str, IntelligenceConfiguration] = {}
        self.conversation_configurations: dict[str, ConversationConfiguration] = {}
        self.knowledge_bases: dict[str, KnowledgeBase] = {}
        self.knowledge_sources: dict[str, KnowledgeSource] = {}
        # Memory Store contents (_memory_program)
        self.identity_resolution_settings: dict[str, pulumi.CustomResource] = {}
        self.trait_groups: dict[str, pulumi.CustomResource] = {}
        self.data_mappings: dict[str, pulumi.CustomResource] = {}
        self.settings_of_store: dict[str, pulumi.CustomResource] = {}  # by store name
        # What each declared object's id is, by (kind, logical name): a resource's id, or the id
        # a reference to an existing object gives. References resolve through this.
        self.ids: dict[tuple[str, str], pulumi.Input[str]] = {}

    @property
    def store_ids(self) -> dict[str, pulumi.Input[str]]:
        return {n: i for (k, n), i in self.ids.items() if k == "MemoryStore"}

    def options(self, body: dict[str, Any]) -> pulumi.ResourceOptions:
        """The Pulumi resource options the file gives an object (``protect``,
        ``retainOnDelete``)."""
        return pulumi.ResourceOptions(
            protect=body.get("protect"), retain_on_delete=body.get("retainOnDelete")
        )

    def resolve(self, ref: Ref) -> pulumi.Input[str]:
        """The id a reference of the desired state names (``_core.refs``)."""
        found = self.ids.get((ref.kind, ref.name))
        if found is not None:
            return found
        if ref.kind == "Operator" and twilio_operator_id(ref.name) is not None:
            key = ref.name.lower()
            if ref.name not in self.twilio_operators:
                self.twilio_operators[ref.name] = TwilioOperator(f"twilio-{key}", ref.name)
            return self.twilio_operators[ref.name].id
        raise AssertionError(f"unresolved reference {ref!r} (the loader checks these)")
