"""A recent conversation each configuration processed, to run its rules against.

``GET /v3/Conversations`` lists the conversations Intelligence Configurations processed; its
``intelligenceConfigurationIds`` filter is an OR match, so one listing (pages of 1000, created in
the look-back period on the server's clock) serves every configuration of a stack. A
configuration that replaced another has processed nothing until new traffic arrives, so a
conversation one of its predecessors processed counts too; one it processed itself is preferred,
then one with results, then the newest. Only when the listing was cut short (``MAX_PAGES``) is a
configuration still without one looked up on its own.

Each conversation keeps the ids of the results it already had (``operatorResultIds``) and the
server's clock when it was listed: results the rule execution makes are the others.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .._twilio.api import CONVERSATIONS_V3, TwilioApi
from .pages import pages
from .plan import ConfigTarget

__all__ = ["Conversation", "find_conversations", "iso"]


@dataclass(frozen=True)
class Conversation:
    id: str
    created_at: str
    known_result_ids: frozenset[str]  # its results when it was listed
    listed_at: datetime | None  # the server's clock then


def iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _rank(target: ConfigTarget, item: dict[str, Any]) -> tuple[bool, bool, str] | None:
    if not item.get("id"):
        return None
    processed_by = {str(i) for i in item.get("intelligenceConfigurationIds") or []}
    if not processed_by & set(target.lineage):
        return None
    has_results = bool(item.get("operatorResultIds"))
    return (target.id in processed_by, has_results, str(item.get("createdAt") or ""))


def _search(
    api: TwilioApi, targets: Sequence[ConfigTarget], since: datetime
) -> tuple[dict[str, Conversation], bool]:
    """The best conversation found per configuration id, and whether the listing was cut short
    (pages remained when every configuration had one, or after ``MAX_PAGES``)."""
    best: dict[str, tuple[tuple[bool, bool, str], Conversation]] = {}
    more = False
    lineage = list(dict.fromkeys(i for t in targets for i in t.lineage))
    query = {"intelligenceConfigurationIds": lineage, "createdAtAfter": iso(since)}
    for page in pages(api, CONVERSATIONS_V3, query):
        more = bool(page.next_token)
        for item in page.items:
            for target in targets:
                rank = _rank(target, item)
                if rank is None or (target.id in best and best[target.id][0] >= rank):
                    continue
                best[target.id] = (rank, _conversation(item, page.server_now))
        if len(best) == len(targets):
            break
    return {config_id: found for config_id, (_, found) in best.items()}, more


def _conversation(item: dict[str, Any], listed_at: datetime | None) -> Conversation:
    return Conversation(
        str(item.get("id")),
        str(item.get("createdAt") or ""),
        frozenset(str(i) for i in item.get("operatorResultIds") or []),
        listed_at,
    )


def find_conversations(
    api: TwilioApi, targets: Sequence[ConfigTarget], since: datetime
) -> dict[str, Conversation]:
    """A conversation per configuration id, for the configurations that have one."""
    wanted = [t for t in targets if t.rules and not t.missing]
    if not wanted:
        return {}
    found, cut_short = _search(api, wanted, since)
    if cut_short:
        for target in [t for t in wanted if t.id not in found]:
            alone, _ = _search(api, [target], since)
            found.update(alone)
    return found
