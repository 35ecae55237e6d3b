"""Knowledge as Intelligence v3 sees it (intelligence-v3.md §4.14, knowledge-v2.md §3.4).

Operators name knowledge two ways: a ``KNOWLEDGE_BASE_AND_SOURCE_IDS`` parameter value
``know_knowledgebase_…:know_knowledge_…`` and a rule's ``context.knowledge.bases`` (whose
items may be bare base ids or such pairs [UNCERTAIN]; both are accepted). Only plaintext
(Text) sources count. This module checks those references against the emulated
Knowledge API (when ``knowledge_references_must_exist`` is on) and lists the sources an
operator run used, for ``resolvedContext.knowledge.sources``.
"""

from __future__ import annotations

from typing import Any

from .checks import Checker
from .knowledge_sources import KnowledgeSourceService

__all__ = ["KnowledgeReferences"]

_KB_TYPE = "KNOWLEDGE_BASE_AND_SOURCE_IDS"


def _split(value: str) -> tuple[str, str | None]:
    base, sep, source = value.partition(":")
    return base, (source if sep else None)


class KnowledgeReferences:
    def __init__(self, sources: KnowledgeSourceService) -> None:
        self.sources = sources
        self.rt = sources.rt

    # -- configuration checks ---------------------------------------------------------

    def check(self, c: Checker, account: str, value: str, path: str) -> None:
        """A base id or ``base:source`` pair must name an existing base (and Text source),
        when ``knowledge_references_must_exist`` is on."""
        if not self.rt.settings.knowledge_references_must_exist:
            return
        base_id, source_id = _split(value)
        base = self.sources.bases.get(account, base_id)
        if base is None:
            c.fail(path, f"knowledge base {base_id} does not exist")
            return
        if source_id is None:
            return
        doc = self.rt.store.get(self.sources.kind, account, f"{base_id}/{source_id}")
        if doc is None:
            c.fail(path, f"knowledge source {source_id} does not exist in {base_id}")
        elif doc["source"]["type"] != "Text":
            c.fail(path, f"knowledge source {source_id} is not a Text source")

    def check_context(self, c: Checker, account: str, rules: list[dict[str, Any]]) -> None:
        for index, rule in enumerate(rules):
            bases = rule.get("context", {}).get("knowledge", {}).get("bases", [])
            for item_index, item in enumerate(bases):
                path = f"rules[{index}].context.knowledge.bases[{item_index}]"
                self.check(c, account, item, path)

    # -- runtime ----------------------------------------------------------------------

    def used_sources(
        self,
        account: str,
        rule: dict[str, Any],
        operator: dict[str, Any],
        params: dict[str, Any],
    ) -> list[dict[str, str]]:
        """The COMPLETED Text sources an operator run uses: those its knowledge-typed
        parameters name, plus (when the operator enables knowledge context) those of the
        rule's ``context.knowledge.bases``; each once, in that order."""
        wanted: list[str] = [
            str(params[name])
            for name, spec in operator.get("parameters", {}).items()
            if spec.get("type") == _KB_TYPE and isinstance(params.get(name), str)
        ]
        if operator.get("context", {}).get("knowledge", {}).get("enabled"):
            wanted += rule.get("context", {}).get("knowledge", {}).get("bases", [])
        used: list[dict[str, str]] = []
        for value in wanted:
            base_id, source_id = _split(value)
            for doc in self.sources.completed_text_sources(account, base_id):
                pair = {"baseId": base_id, "sourceId": doc["id"]}
                if source_id in (None, doc["id"]) and pair not in used:
                    used.append(pair)
        return used
