"""Silent failure: a configuration that processes conversations but produces no results.

The inactive-version trap shows no error anywhere, only missing results. For each managed
Intelligence Configuration, with one-item pages:

1. a result of the configuration (``/v3/OperatorResults?intelligenceConfigurationId=``): if it is
   newer than the period, the configuration is producing. Otherwise (none, or an old one: the API
   does not say how lists are ordered, so one item proves only what it shows),
2. a conversation it processed that was created in the period and is CLOSED, so every trigger
   (each communication, inactivity, end) had its chance (``/v3/Conversations``); none: nothing to
   judge by,
3. a result of the configuration for that conversation: none means silent.

"now" is the server's clock (its ``Date`` header), like the timestamps the period is compared
with; this machine's clock only when the server sends no Date, so that a skewed local clock
never moves the period.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from .._twilio.api import CONVERSATIONS_V3, OPERATOR_RESULTS_V3, Peek, TwilioApi
from ..errors import TwilioIntelligenceError
from .live import WORKERS
from .report import Health

__all__ = ["check_silence", "parse_time"]

RESULTS = OPERATOR_RESULTS_V3
EMPTY_PAGES_FOLLOWED = 9
CONVERSATIONS = CONVERSATIONS_V3


def parse_time(value: Any) -> datetime | None:
    """A timestamp of the API (ISO 8601, ``Z`` or an offset; UTC if it has neither), or None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _first(api: TwilioApi, path: str, params: dict[str, Any]) -> tuple[dict[str, Any] | None, Any]:
    """The first item of a one-item page, and the server's clock. A server may filter after it
    paginates (the emulator's v3 Conversations does): an empty page with a next token is
    followed, a few times at most."""
    query = {**params, "pageSize": 1}
    page = Peek([], None, None)
    for _ in range(EMPTY_PAGES_FOLLOWED + 1):
        page = api.peek(path, query)
        if page.items or not page.next_token:
            break
        query["pageToken"] = page.next_token
    return (page.items[0] if page.items else None), page.server_now


def _check(api: TwilioApi, config_id: str, hours: float) -> Health:
    try:
        result, server_now = _first(api, RESULTS, {"intelligenceConfigurationId": config_id})
        now = server_now or datetime.now(UTC)
        since = now - timedelta(hours=hours)
        seen = parse_time((result or {}).get("dateCreated"))
        if seen is not None and seen >= since:
            return Health(_iso(seen), None, hours, silent=False)
        conversation, _ = _first(
            api,
            CONVERSATIONS,
            {
                "intelligenceConfigurationIds": config_id,
                "status": "CLOSED",
                "createdAtAfter": _iso(since),
            },
        )
        if conversation is None:
            return Health(_iso(seen), None, hours, silent=False)
        activity = parse_time(conversation.get("updatedAt")) or parse_time(
            conversation.get("createdAt")
        )
        produced, _ = _first(
            api,
            RESULTS,
            {"intelligenceConfigurationId": config_id, "conversationId": conversation.get("id")},
        )
    except (TwilioIntelligenceError, ValueError) as exc:
        return Health(None, None, hours, silent=False, error=str(exc))
    if produced is not None:
        return Health(
            _iso(parse_time(produced.get("dateCreated"))), _iso(activity), hours, silent=False
        )
    return Health(_iso(seen), _iso(activity), hours, silent=True)


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def check_silence(api: TwilioApi, config_ids: Iterable[str], hours: float) -> dict[str, Health]:
    ids = list(dict.fromkeys(config_ids))
    with ThreadPoolExecutor(WORKERS) as pool:
        return dict(zip(ids, pool.map(lambda i: _check(api, i, hours), ids), strict=True))
