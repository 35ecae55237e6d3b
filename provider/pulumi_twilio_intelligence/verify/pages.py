"""Pages of a v3 list (``/v3/Conversations``, ``/v3/OperatorResults``, configurations), each with
the server's clock, at most ``max_pages`` of them: the listings verify reads are bounded."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from .._twilio.api import Peek, TwilioApi

__all__ = ["MAX_PAGES", "PAGE_SIZE", "pages"]

MAX_PAGES = 10  # pages read per listing; a server may filter after it paginates
PAGE_SIZE = 1000  # the largest the API allows


def pages(
    api: TwilioApi, path: str, params: Mapping[str, Any], max_pages: int = MAX_PAGES
) -> Iterator[Peek]:
    """Follow ``meta.nextToken`` (the filters repeated on every page)."""
    query = {**params, "pageSize": PAGE_SIZE}
    for _ in range(max_pages):
        page = api.peek(path, query)
        yield page
        if not page.next_token:
            return
        query["pageToken"] = page.next_token
