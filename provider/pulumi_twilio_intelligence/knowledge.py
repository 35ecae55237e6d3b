"""The Knowledge v2 resources: bases and their sources (see ``resources`` for the conventions)."""

from __future__ import annotations

import pulumi
from pulumi.dynamic import Resource

from ._core.kinds import MODULE
from ._pulumi.providers import KnowledgeBaseProvider, KnowledgeSourceProvider
from .inputs import DeletionPolicy, KnowledgeSourceContentArgsDict
from .resources import _bookkeeping, _read_existing

__all__ = ["KnowledgeBase", "KnowledgeSource"]


class KnowledgeBase(Resource, module=MODULE, name="KnowledgeBase"):
    """A Knowledge base (Knowledge v2). It holds customer data: removing it from the stack
    retains it (and its sources), with a warning naming it, unless ``deletion_policy="delete"``
    (then it is deleted with every source in it)."""

    display_name: pulumi.Output[str]
    status: pulumi.Output[str]
    version: pulumi.Output[int]

    def __init__(
        self,
        resource_name: str,
        *,
        display_name: pulumi.Input[str] | None = None,
        description: pulumi.Input[str] | None = None,
        deletion_policy: DeletionPolicy = "retain",
        adopt_id: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            **_bookkeeping(resource_name, adopt_id),
            "deletionPolicy": deletion_policy,
            "displayName": display_name,
            "description": description,
            "status": None,
            "version": None,
        }
        super().__init__(KnowledgeBaseProvider(), resource_name, props, opts)

    @staticmethod
    def get(
        resource_name: str,
        id: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> KnowledgeBase:
        """An existing Knowledge base, read by id; never changed or deleted by the stack."""
        resource = KnowledgeBase.__new__(KnowledgeBase)
        outputs = ("displayName", "description", "status", "version")
        _read_existing(resource, KnowledgeBaseProvider(), resource_name, id, outputs, opts)
        return resource


class KnowledgeSource(Resource, module=MODULE, name="KnowledgeSource"):
    """A source of a Knowledge base: Text content or a crawled Web site. ``id`` is
    ``<base id>:<source id>``, the value of a KNOWLEDGE_BASE_AND_SOURCE_IDS operator parameter.
    A new source type, Web url or base replaces it; the rest changes in place. It is deleted
    under its base's deletion policy (``deletion_policy``: pass the base's)."""

    name: pulumi.Output[str]
    status: pulumi.Output[str]
    knowledge_id: pulumi.Output[str]

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
        props = {
            **_bookkeeping(resource_name, adopt_id),
            "deletionPolicy": deletion_policy,
            "knowledgeBaseId": knowledge_base_id,
            "name": name,
            "description": description,
            "source": source,
            "status": None,
            "knowledgeId": None,
        }
        super().__init__(KnowledgeSourceProvider(), resource_name, props, opts)

    @staticmethod
    def get(
        resource_name: str,
        id: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> KnowledgeSource:
        """An existing source, read by ``<base id>:<source id>``; never changed by the stack."""
        resource = KnowledgeSource.__new__(KnowledgeSource)
        outputs = ("knowledgeBaseId", "name", "description", "source", "status", "knowledgeId")
        _read_existing(resource, KnowledgeSourceProvider(), resource_name, id, outputs, opts)
        return resource
