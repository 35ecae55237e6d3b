"""Silent failure: a configuration that processes conversations but produces no results.

The inactive-version trap shows no error anywhere, only missing results. For each managed
Intelligence Configuration: the newest OperatorResult it produced (one result, one small page),
and only when none is recent, the newest conversation it processed (one more small page). It is
silent when no result is newer than the period while a conversation was active within it.

Lists are assumed newest first (the only ordering the reference shows); "now" is the later of
this machine's clock and the server's ``Date``, so a slow local clock cannot hide silence.
"""

from __future__ import annotations

import email.utils
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from .._api import TwilioApi
from ..errors import TwilioIntelligenceError
from .live import WORKERS
from .report import Health

__all__ = ["check_silence"]

RESULTS = "/v3/OperatorResults"
CONVERSATIONS = "/v3/Conversations"


def _parse(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _newest(api: TwilioApi, path: str, params: dict[str, Any]) -> tuple[dict[str, Any] | None, Any]:
    response = api.http.request("intelligence", "GET", path, params={**params, "pageSize": 1})
    items = (response.json() or {}).get("items") or []
    server_now = None
    if response.headers.get("Date"):
        server_now = email.utils.parsedate_to_datetime(response.headers["Date"])
    return (items[0] if items else None), server_now


def _check(api: TwilioApi, config_id: str, hours: float) -> Health:
    try:
        result, server_now = _newest(api, RESULTS, {"intelligenceConfigurationId": config_id})
        now = max(datetime.now(UTC), server_now or datetime.now(UTC))
        since = now - timedelta(hours=hours)
        last_result = _parse((result or {}).get("dateCreated"))
        if last_result is not None and last_result >= since:
            return Health(_iso(last_result), None, hours, silent=False)
        conversation, _ = _newest(api, CONVERSATIONS, {"intelligenceConfigurationIds": config_id})
    except (TwilioIntelligenceError, ValueError) as exc:
        return Health(None, None, hours, silent=False, error=str(exc))
    active = None
    if conversation is not None:
        active = _parse(conversation.get("updatedAt")) or _parse(conversation.get("createdAt"))
    silent = (
        active is not None and active >= since and (last_result is None or active > last_result)
    )
    return Health(_iso(last_result), _iso(active), hours, silent=silent)


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def check_silence(api: TwilioApi, config_ids: Iterable[str], hours: float) -> dict[str, Health]:
    ids = list(dict.fromkeys(config_ids))
    with ThreadPoolExecutor(WORKERS) as pool:
        return dict(zip(ids, pool.map(lambda i: _check(api, i, hours), ids), strict=True))
