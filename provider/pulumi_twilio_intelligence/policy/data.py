"""Policies on the objects that hold customer data (Memory stores, Knowledge bases and their
sources): written once, run by both the CrossGuard pack and the command (see ``checks``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from .._core import kinds as _kinds
from .base import UNKNOWN, Policies, Policy, Settings, Subject, dict_of

__all__ = ["DATA_POLICIES"]

_DATA_KINDS = tuple(k.name for k in _kinds.KINDS if k.holds_data and not k.policy_from)
_policies = Policies()  # filled by the checks below, in their order


# --- production-retains-customer-data --------------------------------------------------------
@_policies.mandatory(*_DATA_KINDS, config=("productionStacks",))
def _production_retains_customer_data(subject: Subject, settings: Settings) -> Iterator[str]:
    """In production stacks, objects that hold customer data (Memory stores, Knowledge bases)
    keep deletionPolicy: retain, so no change of the file deletes the data.

    Remediation: Remove deletionPolicy (retain is the default); delete the object by hand when
    it is really no longer needed."""
    if settings.is_production and subject.props.get("deletionPolicy") == _kinds.DELETE:
        holds = _kinds.by_name(subject.kind).holds_data
        yield (
            f"deletionPolicy is delete: removing it from the stack (or destroying the stack) "
            f"deletes {holds}"
        )


# --- knowledge-sources-say-when-to-use-them --------------------------------------------------
@_policies.advisory("KnowledgeSource")
def _knowledge_sources_say_when_to_use_them(subject: Subject, settings: Settings) -> Iterator[str]:
    """A knowledge source has a description that says when to use it.

    Remediation: Add a description: what the source holds and which questions it answers."""
    del settings
    description = subject.props.get("description")
    if description is not UNKNOWN and not (isinstance(description, str) and description.strip()):
        kind = dict_of(subject.props.get("source")).get("type", "")
        yield (
            f"this {kind} source has no description: the description tells the model when to "
            f"use the source"
        ).replace("this  source", "this source")


DATA_POLICIES: Final[tuple[Policy, ...]] = tuple(_policies)
