"""Conversation Orchestrator configurations (Conversations v2): asynchronous, full-body writes.

Every write carries an Idempotency-Key derived from what it does, so a retry, even by a later run
after a crash, replays the original operation instead of starting a second one. A key whose
operation ended FAILED is spent: Twilio would replay that failure to every run for 24 hours, so
the write is tried once more under a fresh key (a failed operation changed nothing).
"""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from collections.abc import Callable, Collection
from typing import Any

from .._core.bodies import ConversationConfigurationServer, ServerFields, read_as
from .._core.models import ConversationConfigurationModel
from .._core.spec import ResourceModel
from ..errors import ConflictError, NotFoundError, ObjectMissingError, OperationFailedError
from .base import Created, Reconciler, Updated, log

_KEYS = uuid.UUID("6f1c9a52-2f4e-4d0e-9a51-6d1f3c1b7e20")  # namespace of our idempotency keys
CONFLICT_RETRIES = 5


def idempotency_key(*parts: Any) -> str:
    return str(uuid.uuid5(_KEYS, json.dumps(parts, sort_keys=True, default=str)))


class ConversationConfigurationReconciler(Reconciler):
    model = ConversationConfigurationModel

    def fetch(self, object_id: str) -> dict[str, Any] | None:
        return self._get_or_none(lambda: self.api.get_conversation_configuration(object_id))

    def server_fields(self, body: dict[str, Any]) -> ConversationConfigurationServer:
        return read_as(ConversationConfigurationServer, body)

    def create(self, desired: ResourceModel, *, replacing: Collection[str] = ()) -> Created:
        body = desired.wire()
        for nonce in range(2):
            key = idempotency_key("create", body, nonce)
            # Before a fresh key, look for what an earlier run's fresh key may have made.
            config_id = self._write(
                "POST", "", body, key, before_retry=lambda: self._find_id(body["displayName"])
            )
            if not config_id:
                config_id = self._find_id(body["displayName"])
            live = self.fetch(config_id) if config_id else None
            if live is not None:
                return Created(config_id or "", self.server_fields(live))
            # The key replayed an earlier create whose object has since been deleted (destroy
            # then up within Twilio's 24 h): start a genuinely new operation.
            log.info("idempotent create replayed a deleted configuration; creating anew")
        raise ObjectMissingError(
            f"the configuration created as {body['displayName']!r} could not be found"
        )

    def _write(
        self,
        method: str,
        path_suffix: str,
        body: dict[str, Any] | None,
        key: str,
        before_retry: Callable[[], str | None] | None = None,
    ) -> str | None:
        """One write under ``key``; if its operation FAILED, once more under a fresh key."""
        try:
            return self.api.write_conversation_configuration(method, path_suffix, body, key)
        except OperationFailedError as exc:
            found = before_retry() if before_retry else None
            if found:
                return found
            log.warning("%s; trying once more under a new Idempotency-Key", exc)
        return self.api.write_conversation_configuration(
            method, path_suffix, body, str(uuid.uuid4())
        )

    def _find_id(self, name: str) -> str | None:
        for config in self.api.list_conversation_configurations():
            if config.get("displayName") == name:
                return str(config["id"])
        return None

    def update(self, object_id: str, desired: ResourceModel, recorded: ServerFields) -> Updated:
        body = desired.wire()  # PUT replaces the whole object: always send everything
        conflict: ConflictError
        for attempt in range(1, CONFLICT_RETRIES + 1):
            live = self.fetch(object_id)
            if live is None:
                raise ObjectMissingError(
                    f"configuration {object_id} was deleted outside Pulumi; refresh and up"
                )
            key = idempotency_key("update", object_id, live.get("version"), body)
            try:
                self._write("PUT", f"/{object_id}", body, key)
            except ConflictError as exc:
                conflict = exc
                log.warning(
                    "configuration %s: another write is in flight (409), re-reading and "
                    "retrying (%d/%d)",
                    object_id,
                    attempt,
                    CONFLICT_RETRIES,
                )
                time.sleep(min(0.2 * 2**attempt, 5.0))
                continue
            updated = self.fetch(object_id) or {}
            return Updated(self.server_fields(updated))
        # The last 409 Twilio really answered, with how often it was tried.
        raise ConflictError(
            conflict.method,
            conflict.path,
            conflict.status,
            conflict.code,
            f"{conflict.message} (still conflicting after {CONFLICT_RETRIES} attempts)",
        )

    def delete(self, object_id: str, recorded: ServerFields) -> None:
        with contextlib.suppress(NotFoundError):  # already gone: that is what we wanted
            self._write("DELETE", f"/{object_id}", None, idempotency_key("delete", object_id))
