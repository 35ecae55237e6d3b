"""Checking Knowledge sources, and the names that refer to knowledge: a source's
``knowledgeBase``, a rule's ``context.knowledge.bases`` and an operator's
KNOWLEDGE_BASE_AND_SOURCE_IDS parameters. Names become typed references (``_core.refs``), so the
engine creates bases, then sources, then what uses them; literal ids are kept as they are."""

from __future__ import annotations

from typing import Any

from .._core import kinds as _kinds
from .._core.kinds import KNOWLEDGE_BASE_ID, KNOWLEDGE_PAIR, RETAIN, Kind
from .._core.refs import Ref
from .checker import BaseChecker, _in_resource
from .state import DesiredState

# [UNCERTAIN] a newer revision of Twilio's skill (knowledge-v2.md §2.3); the spec says "multiple".
SOURCES_PER_BASE = 10
KB_PARAMETER_RULE = (
    "must be 'know_knowledgebase_…:know_knowledge_…' (base id, colon, source id) or the name "
    "of a Text source under knowledgeSources"
)


class KnowledgeChecks(BaseChecker):
    def _knowledge_source(
        self, kind: Kind, name: str, body: dict[str, Any], state: DesiredState
    ) -> dict[str, Any]:
        resource = f"{kind.name} {name}"
        base = f"{kind.section}.{name}"
        self._adopt_id(resource, base, body)
        api_body = {k: v for k, v in body.items() if k not in ("knowledgeBase", "deletionPolicy")}
        if "deletionPolicy" in body:
            self.fail(
                resource,
                f"{base}.deletionPolicy",
                "deletionPolicy",
                "a source follows its knowledge base's deletion policy; set it there",
            )
        target = body.get("knowledgeBase")
        if not isinstance(target, str):
            rule = "must be the name of a knowledge base under knowledgeBases"
            self.fail(resource, f"{base}.knowledgeBase" if target else base, "knowledgeBase", rule)
            target = ""
        elif not self.defined("knowledgeBases", target, state.knowledge_bases):
            self.fail(
                resource,
                f"{base}.knowledgeBase",
                "knowledgeBase",
                f"unknown knowledge base {target!r}; define it under knowledgeBases",
            )
        api_body["knowledgeBaseId"] = Ref("KnowledgeBase", target)
        policy = (state.knowledge_bases.get(target) or {}).get("deletionPolicy", RETAIN)
        api_body["deletionPolicy"] = policy  # its base's (bookkeeping: never sent)
        translate = {"knowledgeBaseId": "knowledgeBase"}
        self._validate(kind.load("model"), resource, base, _as_text(api_body), translate)
        return api_body

    def _unique_source_names(self, state: DesiredState) -> None:
        """Sources are found by name within their base: two of one base may not share one; and a
        base holds at most ``SOURCES_PER_BASE``."""
        seen: dict[tuple[str, str], str] = {}
        per_base: dict[str, int] = {}
        for name, body in state.knowledge_sources.items():
            base = str(body.get("knowledgeBaseId"))
            per_base[base] = per_base.get(base, 0) + 1
            if per_base[base] == SOURCES_PER_BASE + 1:
                self.fail(
                    "stack file",
                    f"knowledgeSources.{name}",
                    "knowledgeSources",
                    f"at most {SOURCES_PER_BASE} sources per knowledge base; "
                    f"{base.lstrip('@')} has more",
                )
            key = (str(body.get("knowledgeBaseId")), str(body.get("name") or name))
            if body.get("name") is None:
                continue  # derived names are unique by construction
            self.unique(
                seen,
                key,
                kind=_kinds.by_name("KnowledgeSource"),
                name=name,
                field="name",
                why=" in the same knowledge base; sources are found by name within their base",
            )

    def _knowledge_context(
        self, resource: str, path: str, context: Any, state: DesiredState
    ) -> Any:
        """A rule's ``context``, with ``knowledge.bases`` items that name a base (or a source) of
        the file as typed references; ids are kept."""
        knowledge = context.get("knowledge") if isinstance(context, dict) else None
        if not isinstance(knowledge, dict) or not isinstance(knowledge.get("bases"), list):
            return context  # the model reports shapes
        bases: list[Any] = knowledge["bases"]
        resolved: list[Any] = []
        for i, item in enumerate(bases):
            where = f"{path}.context.knowledge.bases[{i}]"
            if (
                not isinstance(item, str)
                or KNOWLEDGE_BASE_ID.match(item)
                or (KNOWLEDGE_PAIR.match(item))
            ):
                resolved.append(item)
            elif item in state.knowledge_bases:
                resolved.append(Ref("KnowledgeBase", item))
            elif item in state.knowledge_sources:
                resolved.append(Ref("KnowledgeSource", item))
            elif "knowledgeBases" in self.broken or "knowledgeSources" in self.broken:
                resolved.append(item)  # the broken section's own error says what is wrong
            else:
                self.fail(
                    resource,
                    where,
                    _in_resource(where),
                    f"unknown knowledge base {item!r}; name a base under knowledgeBases (or a "
                    "source under knowledgeSources), or give a know_knowledgebase_… id",
                )
                resolved.append(item)
        return {**context, "knowledge": {**knowledge, "bases": resolved}}

    def _knowledge_parameter(
        self, resource: str, path: str, value: Any, state: DesiredState
    ) -> Any:
        """A KNOWLEDGE_BASE_AND_SOURCE_IDS value: a source of the file (a typed reference) or a
        literal base:source pair."""
        from .._core import models  # noqa: PLC0415 - pydantic only when a file is checked

        if isinstance(value, str) and models.KB_VALUE.match(value):
            return value
        source = state.knowledge_sources.get(value) if isinstance(value, str) else None
        if source is None:
            if not (isinstance(value, str) and "knowledgeSources" in self.broken):
                self.fail(resource, path, _in_resource(path), KB_PARAMETER_RULE)
            return value
        if (source.get("source") or {}).get("type") != "Text":
            self.fail(
                resource,
                path,
                _in_resource(path),
                f"names source {value!r}, which is not a Text source; operators take plain "
                "text sources only",
            )
        return Ref("KnowledgeSource", value)


def _as_text(body: dict[str, Any]) -> dict[str, Any]:
    """The body with its base reference as text, for the field rules (its presence counts)."""
    return {**body, "knowledgeBaseId": str.__str__(body["knowledgeBaseId"])}
