"""Asynchronous control-plane operations (Conversations v2 and Memory v1 writes).

A write is validated at once (400s are synchronous), then recorded as an
operation that completes ``operation_delay_seconds`` later on the emulator
clock. The change is applied when the operation completes, not before: until
then a created resource is invisible (404) and reads of an updated one show the
old state. Failures that depend on the account's state at completion time
(quotas, duplicate names, a resource deleted meanwhile) end the operation
FAILED instead of failing the write.

Status is derived from the clock: PENDING for the first half of the delay,
RUNNING for the second, then COMPLETED or FAILED.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .errors import Conflict, DomainError, NotFound
from .runtime import Runtime

__all__ = ["OPERATION_PREFIX", "Applier", "Operations"]

OPERATION_PREFIX = "proc_job"
_KIND = "operation"
_LOCK_KIND = "operation_lock"

# An applier performs the change of one operation type; raising a DomainError
# ends the operation FAILED with that error.
Applier = Callable[[str, dict[str, Any]], None]


class Operations:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self._appliers: dict[str, Applier] = {}

    def register(self, op_type: str, applier: Applier) -> None:
        self._appliers[op_type] = applier

    def start(
        self,
        account: str,
        *,
        api: str,
        op_type: str,
        target: str,
        payload: dict[str, Any],
        related: dict[str, str] | None = None,
        force_failure: bool = False,
        id_prefix: str = OPERATION_PREFIX,
    ) -> dict[str, Any]:
        """Record an operation; with a zero delay it completes before returning. APIs that
        share an operations path give their ids distinct prefixes (``id_prefix``)."""
        now = self.rt.now()
        op: dict[str, Any] = {
            "id": self.rt.ids.new(id_prefix),
            "api": api,
            "type": op_type,
            "target": target,
            "payload": payload,
            "related": related or {},
            "createdAt": now,
            "dueAt": now + self.rt.settings.operation_delay_seconds,
            "state": "PENDING",
            "completedAt": None,
            "error": None,
            "forceFailure": force_failure,
        }
        self.rt.store.put(_KIND, account, op["id"], op, due=op["dueAt"])
        self.rt.store.put(_LOCK_KIND, account, target, {"operationId": op["id"]})
        if self.rt.settings.operation_delay_seconds == 0:
            self._complete(account, op)
        return op

    def pending_for(self, account: str, target: str) -> str | None:
        """The id of an unfinished operation on ``target``, if any."""
        lock = self.rt.store.get(_LOCK_KIND, account, target)
        return None if lock is None else str(lock["operationId"])

    def ensure_unlocked(self, account: str, target: str) -> None:
        pending = self.pending_for(account, target)
        if pending is not None:
            raise Conflict(
                f"Resource {target} has an operation in progress: {pending}",
                headers={"X-Conflicting-Resource-Id": pending},
            )

    def fetch(self, account: str, api: str, op_id: str) -> dict[str, Any]:
        op = self.rt.store.get(_KIND, account, op_id)
        if op is None or op["api"] != api:
            raise NotFound(f"Operation {op_id} not found")
        return op

    def status(self, op: dict[str, Any]) -> str:
        if op["state"] != "PENDING":
            return str(op["state"])
        elapsed = self.rt.now() - float(op["createdAt"])
        delay = float(op["dueAt"]) - float(op["createdAt"])
        return "PENDING" if elapsed < delay / 2 else "RUNNING"

    def on_due(self, account: str, op: dict[str, Any]) -> None:
        """Called by the clock when the operation's completion time is reached."""
        if op["state"] == "PENDING":
            self._complete(account, op)

    def _complete(self, account: str, op: dict[str, Any]) -> None:
        try:
            self._apply(account, op)
        except DomainError as exc:
            op["state"] = "FAILED"
            op["error"] = {"code": exc.code, "status": exc.status, "detail": exc.message}
        else:
            op["state"] = "COMPLETED"
        op["completedAt"] = max(self.rt.now(), float(op["dueAt"]))
        self.rt.store.put(_KIND, account, op["id"], op)
        lock = self.rt.store.get(_LOCK_KIND, account, op["target"])
        if lock is not None and lock["operationId"] == op["id"]:
            self.rt.store.delete(_LOCK_KIND, account, op["target"])

    def _apply(self, account: str, op: dict[str, Any]) -> None:
        if op.get("forceFailure"):
            raise DomainError("Injected failure (emulator fault)", code=20500, status=500)
        self._appliers[op["type"]](account, op)
