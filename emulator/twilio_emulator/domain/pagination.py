"""Cursor pagination shared by every list endpoint.

Page tokens are opaque to clients: URL-safe base64 of a small JSON object
naming the list and the id of the last item returned. A cursor (rather than an
offset) keeps pages stable while objects are created or deleted between calls.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..store import DocumentStore
from .errors import ValidationFailed

__all__ = ["Page", "decode_token", "encode_token", "page_size", "paginate"]

_MAX_TOKEN_CHARS = 500


@dataclass
class Page:
    items: list[dict[str, Any]]
    next_token: str | None


def page_size(raw: str | None, *, default: int = 50, maximum: int = 1000) -> int:
    if raw is None:
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ValidationFailed("pageSize: must be an integer") from None
    if value < 1:
        raise ValidationFailed("pageSize: must be greater than or equal to 1")
    if value > maximum:
        raise ValidationFailed(f"pageSize: must be less than or equal to {maximum}")
    return value


def encode_token(list_name: str, after: str) -> str:
    raw = json.dumps({"l": list_name, "a": after}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str | None, list_name: str) -> str | None:
    """The cursor inside a token, or None for the first page."""
    if token is None or token == "":
        return None
    after = None
    if len(token) <= _MAX_TOKEN_CHARS:
        try:
            padded = token + "=" * (-len(token) % 4)
            data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        except (ValueError, UnicodeError, binascii.Error):
            data = None
        if isinstance(data, dict) and data.get("l") == list_name:
            after = data.get("a")
    if not isinstance(after, str):
        raise ValidationFailed("pageToken: is not a valid page token")
    return after


def paginate(
    store: DocumentStore,
    kind: str,
    account: str,
    *,
    list_name: str,
    size: int,
    token: str | None,
    descending: bool = False,
    prefix: str | None = None,
    keep: Callable[[dict[str, Any]], bool] | None = None,
) -> Page:
    """One page of documents, optionally filtered by ``keep``.

    ``list_name`` binds tokens to one list (and its filters' meaning), so a
    token from another list is rejected instead of silently misread.
    """
    after = decode_token(token, list_name)
    found: list[tuple[str, dict[str, Any]]] = []
    batch = size + 1 if keep is None else max(64, 2 * size)
    while len(found) <= size:
        rows = store.rows(
            kind, account, after=after, limit=batch, descending=descending, prefix=prefix
        )
        for row in rows:
            if keep is None or keep(row[1]):
                found.append(row)
        if len(rows) < batch:
            break
        after = rows[-1][0]
    if len(found) > size:
        page = found[:size]
        return Page([doc for _, doc in page], encode_token(list_name, page[-1][0]))
    return Page([doc for _, doc in found], None)
