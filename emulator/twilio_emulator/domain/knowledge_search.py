"""Knowledge data plane: Chunks and Search (knowledge-v2.md §5).

Chunking is deterministic: a COMPLETED Text source (or uploaded text file) is cut
at blank lines, one chunk per paragraph; a Web source yields one chunk naming its
URL. Search scores each chunk by the share of the query's distinct words it
contains, a stand-in for semantic similarity that is stable from run to run;
ties keep source and chunk order.
"""

from __future__ import annotations

import re
from typing import Any

from .checks import Checker
from .errors import ValidationFailed
from .knowledge_sources import KNOWLEDGE_SOURCE_ID, KnowledgeSourceService
from .pagination import Page, decode_token, encode_token

__all__ = ["KnowledgeSearch"]

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_WORD = re.compile(r"[a-z0-9]+")
_MAX_CHUNK_CHARS = 65536
_SEARCH_KEYS = ("query", "top", "knowledgeIds")


def _paragraphs(text: str) -> list[str]:
    out: list[str] = []
    for block in _PARAGRAPH_BREAK.split(text):
        paragraph = block.strip()
        for start in range(0, len(paragraph), _MAX_CHUNK_CHARS):
            out.append(paragraph[start : start + _MAX_CHUNK_CHARS])
    return out


class KnowledgeSearch:
    def __init__(self, sources: KnowledgeSourceService) -> None:
        self.sources = sources
        self.rt = sources.rt

    def chunks(self, doc: dict[str, Any]) -> list[dict[str, Any]]:
        """The chunks of one source: none until its processing has COMPLETED."""
        if self.sources.status(doc) != "COMPLETED":
            return []
        source = doc["source"]
        extra: dict[str, Any] = {}
        if source["type"] == "Text":
            texts, title = _paragraphs(source["content"]), doc["name"]
        elif source["type"] == "Web":
            texts, title = [f"Content crawled from {source['url']}"], doc["name"]
            extra["documentUrl"] = source["url"]
        else:
            texts, title = _paragraphs(doc.get("fileText", "")), source["fileName"]
            if source["mimeType"] == "application/pdf":
                extra["documentNumber"] = 1
        created = self.rt.timestamp(self.sources.completed_at(doc))
        return [
            {
                "content": text,
                "createdAt": created,
                "chunkIndex": index,
                "documentTitle": title[:512],
                **extra,
            }
            for index, text in enumerate(texts)
        ]

    def chunk_page(self, doc: dict[str, Any], size: int, token: str | None) -> Page:
        if token is not None and len(token) > 2048:
            raise ValidationFailed("pageToken: size must be between 0 and 2048")
        list_name = f"chunks:{doc['id']}"
        after = decode_token(token, list_name)
        start = 0 if after is None else int(after) + 1
        chunks = self.chunks(doc)
        page = chunks[start : start + size]
        more = start + size < len(chunks)
        return Page(page, encode_token(list_name, str(start + size - 1)) if more else None)

    def search(self, account: str, kb_id: str, body: dict[str, Any]) -> list[dict[str, Any]]:
        query, top, wanted = _search_request(body)
        terms = set(_WORD.findall(query.lower()))
        scored: list[tuple[float, int, dict[str, Any]]] = []
        for position, doc in enumerate(self.sources.list(account, kb_id)):
            if wanted is not None and doc["id"] not in wanted:
                continue
            for chunk in self.chunks(doc):
                words = set(_WORD.findall(chunk["content"].lower()))
                score = len(terms & words) / len(terms) if terms else 0.0
                scored.append(
                    (score, position, {**chunk, "score": score, "knowledgeId": doc["id"]})
                )
        scored.sort(key=lambda item: (-item[0], item[1], item[2]["chunkIndex"]))
        return [chunk for _, _, chunk in scored[:top]]


def _search_request(body: dict[str, Any]) -> tuple[str, int, set[str] | None]:
    """KnowledgeSearch: ``query`` (<=2048) and ``top`` (1..20) required, optional
    ``knowledgeIds`` (<=100 source ids); no other key."""
    c = Checker()
    for key in body:
        if key not in _SEARCH_KEYS:
            c.fail(key, "unknown field")
    query = c.get(body, "query", "", required=True)
    if query is not None:
        query = c.string(query, "query", max_len=2048)
    top = c.get(body, "top", "", required=True)
    if top is not None:
        top = c.integer(top, "top", minimum=1, maximum=20)
    wanted: set[str] | None = None
    ids = body.get("knowledgeIds")
    if ids is not None:
        items = c.array(ids, "knowledgeIds", max_items=100) or []
        ok = [
            c.string(item, f"knowledgeIds[{i}]", pattern=KNOWLEDGE_SOURCE_ID)
            for i, item in enumerate(items)
        ]
        wanted = {item for item in ok if item is not None}
    c.raise_if_failed()
    return str(query), int(top or 0), wanted
