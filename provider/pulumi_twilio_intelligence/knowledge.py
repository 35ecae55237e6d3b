"""The Knowledge v2 resources: bases and their sources (see ``resources`` for the conventions)."""

from __future__ import annotations

import pulumi

from ._pulumi.resource import DataContainer, ManagedResource
from .inputs import DeletionPolicy, KnowledgeSourceContentArgsDict

__all__ = ["KnowledgeBase", "KnowledgeSource"]


class KnowledgeBase(DataContainer):
    """A Knowledge base (Knowledge v2). It holds customer data: removing it from the stack
    retains it (and its sources), with a warning naming it, unless ``deletion_policy="delete"``
    (then it is deleted with every source in it)."""

    display_name: pulumi.Output[str]
    status: pulumi.Output[str]
    version: pulumi.Output[int]
    read_by_get = ("displayName", "description", "status", "version")


class KnowledgeSource(ManagedResource):
    """A source of a Knowledge base: Text content or a crawled Web site. ``id`` is
    ``<base id>:<source id>``, the value of a KNOWLEDGE_BASE_AND_SOURCE_IDS operator parameter;
    ``get`` takes it too. A new source type, Web url or base replaces it; the rest changes in
    place. It is deleted under its base's deletion policy (``deletion_policy``: pass the base's)."""

    name: pulumi.Output[str]
    status: pulumi.Output[str]
    knowledge_id: pulumi.Output[str]
    read_by_get = ("knowledgeBaseId", "name", "description", "source", "status", "knowledgeId")

    def __init__(
        self,
        resource_name: str,
        *,
        knowledge_base_id: pulumi.Input[str],
        source: KnowledgeSourceContentArgsDict,
        name: pulumi.Input[str] | None = None,
        description: pulumi.Input[str] | None = None,
        deletion_policy: DeletionPolicy = "retain",
        adopt_id: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        self._declare(locals())
