"""Insights v3 asynchronous queries, QueryJobs (insights-v3.md §4).

The query is checked and run when the job is submitted (so a bad body is a
synchronous 400) and its rows are kept with the job. The status follows the
emulator clock: PENDING for the first half of ``operation_delay_seconds``,
RUNNING for the second, then COMPLETED; the results stay fetchable for the
retention period (P7D) and answer 404 before completion and after it.

``Idempotency-Key``: the same key with the same body returns the same job;
with another body, 422. Keys live ``idempotency_ttl_seconds``.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from .collection import Collection
from .errors import DomainError, NotFound, ValidationFailed
from .insights import InsightsQueries
from .pagination import Page
from .runtime import Runtime

__all__ = ["QueryJobs"]

_KEY_KIND = "insights_query_job_key"
RETENTION_SECONDS = 7 * 24 * 3600
RETENTION = "P7D"
STATUSES = ("PENDING", "RUNNING", "CANCELLED", "COMPLETED", "FAILED")


class KeyReused(DomainError, status=422, code=20422):
    """An Idempotency-Key already used with a different body."""


class QueryJobs(Collection):
    kind = "insights_query_job"
    noun = "Query job"
    list_name = "queryjobs:"

    def __init__(self, rt: Runtime, queries: InsightsQueries) -> None:
        super().__init__(rt)
        self.queries = queries

    def submit(self, account: str, body: dict[str, Any], key: str | None) -> dict[str, Any]:
        if key is not None:
            known = self.rt.store.get(_KEY_KIND, account, key)
            fresh = known is not None and known["expiresAt"] > self.rt.now()
            if known is not None and fresh:
                if known["body"] != body:
                    raise KeyReused(f"Idempotency-Key {key} was used with a different body")
                return self.fetch(account, known["operationId"])
        self.queries.check(account, body)
        now = self.rt.now()
        doc: dict[str, Any] = {
            "id": self.rt.ids.new("proc_job"),
            "createdAt": now,
            "dueAt": now + self.rt.settings.operation_delay_seconds,
            "rows": self.queries.run(account, body),
        }
        self.rt.store.put(self.kind, account, doc["id"], doc)
        if key is not None:
            ttl = self.rt.settings.idempotency_ttl_seconds
            record = {"operationId": doc["id"], "body": body, "expiresAt": now + ttl}
            self.rt.store.put(_KEY_KIND, account, key, record)
        return doc

    def status(self, doc: dict[str, Any]) -> str:
        now, created, due = self.rt.now(), float(doc["createdAt"]), float(doc["dueAt"])
        if now >= due:
            return "COMPLETED"
        return "PENDING" if now - created < (due - created) / 2 else "RUNNING"

    def render(self, doc: dict[str, Any], status_url: str) -> dict[str, Any]:
        status = self.status(doc)
        done = status == "COMPLETED"
        return {
            "operationId": doc["id"],
            "status": status,
            "statusUrl": status_url,
            "createdAt": self.rt.timestamp(doc["createdAt"]),
            "completedAt": self.rt.timestamp(doc["dueAt"]) if done else None,
            "error": None,
            "resultUrl": f"{status_url}/Results" if done else None,
            "resultId": doc["id"] if done else None,
            "resultRetentionPeriod": RETENTION if done else None,
        }

    def jobs(self, account: str, size: int, token: str | None, status: str | None) -> Page:
        if status is not None and status not in STATUSES:
            raise ValidationFailed(f"status: must be one of [{', '.join(STATUSES)}]")
        if status is None:
            return self._page(account, size, token, descending=True)
        return self._page(
            account,
            size,
            token,
            list_name=f"queryjobs:{status}",
            descending=True,
            keep=lambda doc: self.status(doc) == status,
        )

    def results(self, account: str, job_id: str, size: int, token: str | None) -> dict[str, Any]:
        doc = self.fetch(account, job_id)
        if self.status(doc) != "COMPLETED":
            raise NotFound(f"Query job {job_id} has no results yet")
        if self.rt.now() > float(doc["dueAt"]) + RETENTION_SECONDS:
            raise NotFound(f"The results of query job {job_id} have expired")
        offset = _offset(token)
        rows: list[dict[str, Any]] = doc["rows"]
        items = rows[offset : offset + size]
        meta: dict[str, Any] = {"key": "items", "pageSize": len(items)}
        if offset + size < len(rows):
            meta["nextToken"] = _encode(offset + size)
        if offset > 0:
            meta["previousToken"] = _encode(max(0, offset - size))
        return {"domain": "Conversations", "items": items, "meta": meta}


def _encode(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode()


def _offset(token: str | None) -> int:
    if token is None:
        return 0
    try:
        return int(json.loads(base64.urlsafe_b64decode(token.encode()))["o"])
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise ValidationFailed("pageToken: not a token this API issued") from exc
