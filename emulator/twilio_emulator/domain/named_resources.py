"""What Memory Stores and Knowledge Bases share: top-level resources with ids of one
pattern (400 otherwise), lists ordered by ``orderBy``, and a ``displayName`` (required at
creation, ``[a-zA-Z0-9-]``, at most 64) with an optional ``description`` (1..128) that a
PATCH may change but not clear (memory-v1 §2, knowledge-v2 §2)."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any, ClassVar

from .checks import Checker
from .collection import Collection
from .errors import ValidationFailed
from .memory_common import reject_unknown_fields
from .operations import Operations
from .pagination import Page
from .runtime import Runtime

__all__ = ["NAMED_FIELDS", "NamedResourceService", "name_and_description"]

NAMED_FIELDS = ("displayName", "description")
_DISPLAY_NAME = re.compile(r"[a-zA-Z0-9-]+")


class NamedResourceService(Collection, ABC):
    # The path parameter a malformed id is blamed on (``storeId``), the ids' pattern, what
    # the page tokens of each order are bound to (``stores`` -> ``stores:DESC``) and the
    # prefix of the operation types (``store`` -> ``store-create``).
    id_param: ClassVar[str]
    id_pattern: ClassVar[re.Pattern[str]]
    list_prefix: ClassVar[str]
    op_prefix: ClassVar[str]

    def __init__(self, rt: Runtime, operations: Operations) -> None:
        super().__init__(rt)
        self.operations = operations
        # Called with (account, id) inside the operation that deletes one (cascades).
        self.on_deleted: list[Callable[[str, str], None]] = []
        operations.register(f"{self.op_prefix}-create", self._apply_create)
        operations.register(f"{self.op_prefix}-update", self._apply_update)
        operations.register(f"{self.op_prefix}-delete", self._apply_delete)

    @abstractmethod
    def _apply_create(self, account: str, op: dict[str, Any]) -> None: ...

    @abstractmethod
    def _apply_update(self, account: str, op: dict[str, Any]) -> None: ...

    def _apply_delete(self, account: str, op: dict[str, Any]) -> None:
        self.fetch(account, op["target"])
        for hook in self.on_deleted:
            hook(account, op["target"])
        self.rt.store.delete(self.kind, account, op["target"])

    def fetch(self, account: str, doc_id: str) -> dict[str, Any]:
        if self.id_pattern.fullmatch(doc_id) is None:
            raise ValidationFailed(f'{self.id_param}: must match "^{self.id_pattern.pattern}$"')
        return super().fetch(account, doc_id)

    def page(self, account: str, size: int, token: str | None, order: str = "DESC") -> Page:
        list_name = f"{self.list_prefix}:{order}"
        return self._page(account, size, token, list_name=list_name, descending=order == "DESC")

    @staticmethod
    def _render_name(doc: dict[str, Any]) -> dict[str, Any]:
        """The head of a rendered resource: id, displayName and (when set) description."""
        out: dict[str, Any] = {"id": doc["id"], "displayName": doc["displayName"]}
        if "description" in doc:
            out["description"] = doc["description"]
        return out


def name_and_description(body: dict[str, Any], *, create: bool, closed: bool) -> dict[str, Any]:
    """The checked ``displayName`` and ``description`` of a create or PATCH body (400 with
    every violation); a PATCH cannot null either, and a ``closed`` body (additionalProperties
    false) has no others."""
    c = Checker()
    if not create:
        for key in NAMED_FIELDS:
            if key in body and body[key] is None:
                c.fail(key, "must not be null")
    if closed:
        reject_unknown_fields(c, body, NAMED_FIELDS)
    out: dict[str, Any] = {}
    name = c.get(body, "displayName", "", required=create)
    if name is not None and c.string(name, "displayName", max_len=64, pattern=_DISPLAY_NAME):
        out["displayName"] = name
    description = c.get(body, "description", "", required=False)
    if description is not None and c.string(description, "description", min_len=1, max_len=128):
        out["description"] = description
    c.raise_if_failed()
    return out
