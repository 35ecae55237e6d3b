"""Typed shapes of the bodies that cross layers.

The server-assigned values a reconciler records (``Created.server``, ``Updated.server``,
``Observation.server``) go from the reconcilers through the Pulumi adapters into each stack's
state, and back to the reconcilers as ``recorded`` and to the drift command as outputs: one
TypedDict per kind says which keys they are, so that mypy checks what each reconciler writes.
Every value may be missing from an answer (``None``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NotRequired, TypeAlias, TypedDict, TypeVar, cast

__all__ = [
    "ConversationConfigurationServer",
    "IntelligenceConfigurationServer",
    "KnowledgeBaseServer",
    "KnowledgeSourceServer",
    "MemoryStoreServer",
    "OperatorServer",
    "ServerFields",
    "read_as",
]


class OperatorServer(TypedDict):
    version: int | None
    author: str | None  # "SELF" (ours to manage) or "TWILIO"


class IntelligenceConfigurationServer(TypedDict):
    version: int | None  # 1 after the create; higher: someone used PUT (inactive)
    ruleIds: list[str | None]
    dateCreated: str | None
    dateUpdated: str | None
    createdVersion: NotRequired[int]  # recorded at create: the version a POST made


class ConversationConfigurationServer(TypedDict):
    version: int | None
    createdAt: str | None
    updatedAt: str | None


class MemoryStoreServer(TypedDict):
    status: str | None
    version: int | None
    intelligenceServiceId: str | None


class KnowledgeBaseServer(TypedDict):
    status: str | None
    version: int | None
    createdAt: str | None
    updatedAt: str | None


class KnowledgeSourceServer(TypedDict):
    knowledgeId: str | None  # the source's own id (the Pulumi id is "<base id>:<source id>")
    status: str | None
    createdAt: str | None
    updatedAt: str | None


# What any reconciler records, read generically (the Pulumi adapters merge it into outputs).
ServerFields: TypeAlias = Mapping[str, Any]


Shape = TypeVar("Shape")


def read_as(shape: type[Shape], body: Mapping[str, Any]) -> Shape:
    """The keys of the TypedDict ``shape``, read from an API body as they are (None where
    missing): for the kinds whose server-assigned values are the body's own fields."""
    return cast(Shape, {key: body.get(key) for key in shape.__annotations__})
