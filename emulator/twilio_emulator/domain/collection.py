"""One account-owned collection of documents, described once per service.

A service says what it stores (``kind``), what its 404 calls one object
(``noun``) and what its page tokens are bound to (``list_name``); get, fetch
and page come from here. :class:`ChildCollection` is the same for objects kept
under a parent (participants and communications under their conversation).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from .errors import NotFound
from .pagination import Page, paginate
from .runtime import Runtime

__all__ = ["ChildCollection", "Collection"]


class Collection:
    kind: ClassVar[str]
    noun: ClassVar[str]
    list_name: ClassVar[str]

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def get(self, account: str, doc_id: str) -> dict[str, Any] | None:
        return self.rt.store.get(self.kind, account, doc_id)

    def fetch(self, account: str, doc_id: str) -> dict[str, Any]:
        doc = self.get(account, doc_id)
        if doc is None:
            raise NotFound(f"{self.noun} {doc_id} not found")
        return doc

    def page(self, account: str, size: int, token: str | None) -> Page:
        return self._page(account, size, token)

    def _page(
        self,
        account: str,
        size: int,
        token: str | None,
        *,
        list_name: str | None = None,
        descending: bool = False,
        keep: Callable[[dict[str, Any]], bool] | None = None,
    ) -> Page:
        """A page of this collection; filtered lists name themselves (``list_name``)."""
        return paginate(
            self.rt.store,
            self.kind,
            account,
            list_name=list_name or self.list_name,
            size=size,
            token=token,
            descending=descending,
            keep=keep,
        )


class ChildCollection:
    """Objects stored under ``<parent id>/<own id>``, listed in creation order."""

    kind: ClassVar[str]
    noun: ClassVar[str]

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def list(self, account: str, parent_id: str) -> list[dict[str, Any]]:
        return [d for _, d in self.rt.store.rows(self.kind, account, prefix=f"{parent_id}/")]

    def fetch(self, account: str, parent_id: str, child_id: str) -> dict[str, Any]:
        """The child; the caller has checked that the parent exists."""
        doc = self.rt.store.get(self.kind, account, f"{parent_id}/{child_id}")
        if doc is None:
            raise NotFound(f"{self.noun} {child_id} not found")
        return doc

    def _put(self, account: str, parent_id: str, doc: dict[str, Any]) -> None:
        self.rt.store.put(self.kind, account, f"{parent_id}/{doc['id']}", doc)
