"""SQLite document store: one JSON document per object, keyed by kind/account/id.

With a state file the data survives a restart; without one the same code runs
on SQLite's ``:memory:`` database, so both modes behave identically.

Why documents instead of a table per resource: the resources are nested JSON
that the API returns nearly verbatim, and a newcomer can read every query in
this one module. The primary key (kind, account, id) is the index that makes
fetches and cursor-paged lists O(log n) instead of scans; ids are
time-ordered, so ``ORDER BY id`` is creation order.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["DocumentStore"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    kind    TEXT NOT NULL,
    account TEXT NOT NULL,
    id      TEXT NOT NULL,
    due     REAL,
    body    TEXT NOT NULL,
    PRIMARY KEY (kind, account, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS documents_due ON documents (due) WHERE due IS NOT NULL;
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""


class DocumentStore:
    """Thread-safe; writes inside :meth:`transaction` are atomic."""

    def __init__(self, path: str | None = None) -> None:
        self.path = path
        self._conn = sqlite3.connect(
            path or ":memory:", check_same_thread=False, isolation_level=None
        )
        self._lock = threading.RLock()
        self._depth = 0
        # Per kind, a lower bound of the earliest `due` in the table: lets the
        # (common) requests with nothing due skip the query. Unknown kinds are
        # treated as "maybe due" (0.0) until queried once.
        self._earliest_due: dict[str, float | None] = {}
        if path:
            # WAL + NORMAL: durable enough for a test double and much faster.
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Re-entrant: only the outermost block commits (or rolls back)."""
        with self._lock:
            outermost = self._depth == 0
            if outermost:
                self._conn.execute("BEGIN")
            self._depth += 1
            try:
                yield
            except BaseException:
                self._depth -= 1
                if outermost:
                    self._conn.execute("ROLLBACK")
                raise
            self._depth -= 1
            if outermost:
                self._conn.execute("COMMIT")

    # -- documents ------------------------------------------------------------

    def get(self, kind: str, account: str, doc_id: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT body FROM documents WHERE kind=? AND account=? AND id=?",
                (kind, account, doc_id),
            ).fetchone()
        return None if row is None else _load(row[0])

    def put(
        self,
        kind: str,
        account: str,
        doc_id: str,
        body: dict[str, Any],
        *,
        due: float | None = None,
    ) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT OR REPLACE INTO documents (kind, account, id, due, body)"
                " VALUES (?, ?, ?, ?, ?)",
                (kind, account, doc_id, due, json.dumps(body, separators=(",", ":"))),
            )
            known = self._earliest_due.get(kind, 0.0)
            if due is not None and (known is None or due < known):
                self._earliest_due[kind] = due

    def delete(self, kind: str, account: str, doc_id: str) -> bool:
        with self._lock:
            cursor = self._conn.execute(
                "DELETE FROM documents WHERE kind=? AND account=? AND id=?",
                (kind, account, doc_id),
            )
        return cursor.rowcount > 0

    def rows(
        self,
        kind: str,
        account: str,
        *,
        after: str | None = None,
        limit: int | None = None,
        descending: bool = False,
        prefix: str | None = None,
    ) -> list[tuple[str, dict[str, Any]]]:
        """(id, document) pairs ordered by id, strictly after the ``after`` cursor."""
        sql = "SELECT id, body FROM documents WHERE kind=? AND account=?"
        args: list[Any] = [kind, account]
        if prefix is not None:
            # Range scan on the primary key instead of LIKE, which would not use it.
            sql += " AND id >= ? AND id < ?"
            args += [prefix, prefix + "\U0010ffff"]
        if after is not None:
            sql += " AND id < ?" if descending else " AND id > ?"
            args.append(after)
        sql += " ORDER BY id DESC" if descending else " ORDER BY id"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        with self._lock:
            rows = self._conn.execute(sql, args).fetchall()
        return [(row[0], _load(row[1])) for row in rows]

    def count(self, kind: str, account: str) -> int:
        with self._lock:
            row = self._conn.execute(
                "SELECT COUNT(*) FROM documents WHERE kind=? AND account=?", (kind, account)
            ).fetchone()
        return int(row[0])

    def nothing_due(self, kind: str, now: float) -> bool:
        """Cheap check (no query) that due(kind, now) would return nothing."""
        with self._lock:
            earliest = self._earliest_due.get(kind, 0.0)
            return earliest is None or earliest > now

    def due(self, kind: str, now: float) -> list[tuple[str, str, dict[str, Any]]]:
        """(account, id, body) of scheduled documents of a kind whose time has come.

        They stay scheduled until their handler stores them again with a new
        (or no) ``due``.
        """
        with self._lock:
            row = self._conn.execute(
                "SELECT MIN(due) FROM documents WHERE due IS NOT NULL AND kind=?", (kind,)
            ).fetchone()
            self._earliest_due[kind] = None if row[0] is None else float(row[0])
            rows = self._conn.execute(
                "SELECT account, id, body FROM documents"
                " WHERE due IS NOT NULL AND due <= ? AND kind=? ORDER BY due, id",
                (now, kind),
            ).fetchall()
        return [(r[0], r[1], _load(r[2])) for r in rows]

    def clear(self, account: str | None = None) -> None:
        with self._lock:
            self._earliest_due.clear()
            if account is None:
                self._conn.execute("DELETE FROM documents")
                self._conn.execute("DELETE FROM meta")
            else:
                self._conn.execute("DELETE FROM documents WHERE account=?", (account,))

    # -- small key/value settings ------------------------------------------------

    def get_meta(self, key: str) -> Any:
        with self._lock:
            row = self._conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return None if row is None else json.loads(row[0])

    def set_meta(self, key: str, value: Any) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, json.dumps(value))
            )


def _load(text: str) -> dict[str, Any]:
    value = json.loads(text)
    if not isinstance(value, dict):  # pragma: no cover - only this module writes rows
        raise TypeError("corrupt document")
    return value
