"""The live account, read with whole-collection list calls (pageSize 1000) and nothing else.

The HTTP transport under the client refuses every method but GET, so the drift and export
commands cannot write even by mistake, and it counts requests per collection for the report.
Memory Stores are the one collection that lists ids only (at most 15 per account): each store is
then fetched, in parallel.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx

from .._core import kinds as _kinds
from .._twilio.api import STORES, TwilioApi
from .._twilio.connector import Connector, Target
from ..errors import NotFoundError, WriteRefusedError
from .memory_contents import read_store_contents

__all__ = [
    "COLLECTIONS",
    "LiveAccount",
    "ReadOnlyTransport",
    "RequestStats",
    "WriteRefusedError",
    "connect",
]

WORKERS = 16  # the HTTP client pools 16 connections


def _path_pattern(collection: str) -> str:
    """A collection's path as a pattern; ``{storeId}`` and the like match one segment."""
    return re.sub(r"\\\{[A-Za-z]+\\\}", "[^/]+", re.escape(collection))


# (collection, path pattern, is a list call): each kind's collection (by its section's name)
# and its objects, and the collections the findings and the health check read.
_ROUTES: tuple[tuple[str, re.Pattern[str], bool], ...] = (
    ("operatorVersions", re.compile(r"^/v3/ControlPlane/Operators/[^/]+/Versions$"), True),
    ("operatorVersions", re.compile(r"^/v3/ControlPlane/Operators/[^/]+/Versions/[^/]+$"), False),
    *(
        route
        for kind in _kinds.in_file_order()
        for route in (
            (kind.section, re.compile(rf"^{_path_pattern(kind.collection)}$"), True),
            (kind.section, re.compile(rf"^{_path_pattern(kind.collection)}/[^/]+$"), False),
        )
    ),
    ("operatorResults", re.compile(r"^/v3/OperatorResults$"), True),
    ("conversations", re.compile(r"^/v3/Conversations$"), True),
)
COLLECTIONS = tuple(dict.fromkeys(name for name, _, _ in _ROUTES))


@dataclass
class RequestStats:
    """HTTP requests sent, per collection: list pages and single-object GETs."""

    pages: Counter[str] = field(default_factory=Counter)
    gets: Counter[str] = field(default_factory=Counter)
    other: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, path: str) -> None:
        with self._lock:
            for name, pattern, is_list in _ROUTES:
                if pattern.match(path):
                    (self.pages if is_list else self.gets)[name] += 1
                    return
            self.other += 1

    @property
    def total(self) -> int:
        return sum(self.pages.values()) + sum(self.gets.values()) + self.other

    def as_dict(self) -> dict[str, Any]:
        by = {
            name: {"listPages": self.pages[name], "gets": self.gets[name]}
            for name in COLLECTIONS
            if self.pages[name] or self.gets[name]
        }
        return {"total": self.total, "byCollection": by}


class ReadOnlyTransport(httpx.BaseTransport):
    """Sends GETs only (and the writes ``allow`` names, as (method, path)), and counts them."""

    def __init__(
        self,
        stats: RequestStats,
        inner: httpx.BaseTransport | None = None,
        allow: frozenset[tuple[str, str]] = frozenset(),
    ) -> None:
        self.stats = stats
        self.inner = inner or httpx.HTTPTransport()
        self.allow = allow

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method != "GET" and (request.method, request.url.path) not in self.allow:
            raise WriteRefusedError(
                f"refused {request.method} {request.url.path}: this command is read-only"
            )
        self.stats.record(request.url.path)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def connect(
    target: Target,
    stats: RequestStats,
    transport: httpx.BaseTransport | None = None,
    allow: frozenset[tuple[str, str]] = frozenset(),
) -> TwilioApi:
    """A read-only client of its own for ``target`` (resolved once, by the caller, with
    ``Target.resolve``), allowed only the writes ``allow`` names; the caller closes it."""
    return Connector.private(target, ReadOnlyTransport(stats, transport, allow))


@dataclass
class LiveAccount:
    """Every control-plane object of one account, by id."""

    operators: dict[str, dict[str, Any]]
    intelligence_configurations: dict[str, dict[str, Any]]
    conversation_configurations: dict[str, dict[str, Any]]
    memory_stores: dict[str, dict[str, Any]]
    knowledge_bases: dict[str, dict[str, Any]] = field(default_factory=dict)
    # By Pulumi id ("<base id>:<source id>"), with ``knowledgeBaseId`` added.
    knowledge_sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Memory Store contents, read store by store (``memory_contents``); ids as the provider's.
    identity_resolution_settings: dict[str, dict[str, Any]] = field(default_factory=dict)
    trait_groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    data_mappings: dict[str, dict[str, Any]] = field(default_factory=dict)

    def by_kind(self, kind: str) -> dict[str, dict[str, Any]]:
        objects: dict[str, dict[str, Any]] = getattr(self, _kinds.by_name(kind).attribute)
        return objects

    @classmethod
    def read(cls, api: TwilioApi) -> LiveAccount:
        with ThreadPoolExecutor(WORKERS) as pool:
            operators = pool.submit(api.list_operators)
            configurations = pool.submit(api.list_configurations)
            conversations = pool.submit(api.list_conversation_configurations)
            store_ids = pool.submit(api.list_store_ids)
            bases = pool.submit(api.list_knowledge_bases)
            stores = list(pool.map(_store_fetcher(api), store_ids.result()))
            live_bases = [b for b in bases.result() if b.get("status") != "DELETING"]
            sources = list(pool.map(_source_lister(api), live_bases))
            memory_stores = _by_id([s for s in stores if s is not None])
            contents = read_store_contents(api, pool, list(memory_stores))
            return cls(
                operators=_by_id(operators.result()),
                intelligence_configurations=_by_id(configurations.result()),
                conversation_configurations=_by_id(conversations.result()),
                memory_stores=memory_stores,
                knowledge_bases=_by_id(live_bases),
                knowledge_sources=_by_id([s for listed in sources for s in listed]),
                **contents,
            )


def _store_fetcher(api: TwilioApi) -> Callable[[str], dict[str, Any] | None]:
    def fetch(store_id: str) -> dict[str, Any] | None:
        try:
            return api.get_tagged(STORES, store_id).body
        except NotFoundError:  # listed, then gone
            return None

    return fetch


def _source_lister(api: TwilioApi) -> Callable[[dict[str, Any]], list[dict[str, Any]]]:
    def sources(base: dict[str, Any]) -> list[dict[str, Any]]:
        base_id = str(base["id"])
        try:
            listed = api.list_knowledge_sources(base_id)
        except NotFoundError:  # listed, then gone
            return []
        return [{**s, "id": f"{base_id}:{s.get('id')}", "knowledgeBaseId": base_id} for s in listed]

    return sources


def _by_id(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {str(item["id"]): item for item in items if item.get("id")}
