"""The calls this provider makes, one method per operation, on top of ``HttpClient``.

Each method knows its API's quirks: list keys, page-size limits, ETags, Idempotency-Keys, and
asynchronous operations that must be polled to a final state before the write counts.
"""

from __future__ import annotations

import contextlib
import email.utils
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from ..errors import NotFoundError, OperationFailedError, OperationTimeoutError
from .http import Api, HttpClient, Tagged
from .memory_api import MemoryObjectsApi

CONFIGURATIONS_V3 = "/v3/ControlPlane/Configurations"
OPERATORS_V3 = "/v3/ControlPlane/Operators"
CONFIGURATIONS_V2 = "/v2/ControlPlane/Configurations"
STORES_V1 = "/v1/ControlPlane/Stores"
MEMORY_OPERATIONS_V1 = "/v1/ControlPlane/Operations"
KNOWLEDGE_BASES_V2 = "/v2/ControlPlane/KnowledgeBases"
KNOWLEDGE_OPERATIONS_V2 = "/v2/ControlPlane/Operations"
OPERATOR_RESULTS_V3 = "/v3/OperatorResults"
CONVERSATIONS_V3 = "/v3/Conversations"
RULE_EXECUTIONS_V3 = "/v3/RuleExecutions"

FINAL_OPERATION_STATES = ("COMPLETED", "FAILED", "CANCELLED")


@dataclass(frozen=True)
class PollPolicy:
    timeout: float = 300.0
    min_interval: float = 0.05
    max_interval: float = 5.0


@dataclass(frozen=True)
class Peek:
    """One page of a list, its next-page token, and the server's clock when it answered."""

    items: list[dict[str, Any]]
    next_token: str | None
    server_now: datetime | None


@dataclass(frozen=True)
class AsyncCollection:
    """A collection written asynchronously (202, an operation to poll) whose objects are usable
    once ACTIVE: Memory stores and Knowledge bases."""

    api: Api
    path: str
    operations: str  # where its operations are polled
    label: str  # how messages name one of its objects


STORES = AsyncCollection("memory", STORES_V1, MEMORY_OPERATIONS_V1, "memory store")
KNOWLEDGE_BASES = AsyncCollection(
    "knowledge", KNOWLEDGE_BASES_V2, KNOWLEDGE_OPERATIONS_V2, "knowledge base"
)


class TwilioApi(MemoryObjectsApi):
    """The control-plane operations of Intelligence v3, Conversations v2, Memory v1 (the objects
    inside a store: ``MemoryObjectsApi``) and Knowledge v2."""

    def __init__(self, http: HttpClient, poll: PollPolicy | None = None) -> None:
        self.http = http
        self.poll = poll or PollPolicy()

    # --- Intelligence v3: configurations -------------------------------------------------
    def list_configurations(self) -> list[dict[str, Any]]:
        return self.http.list_all("intelligence", CONFIGURATIONS_V3, "items")

    def get_configuration(self, config_id: str) -> dict[str, Any]:
        return self.http.get_json("intelligence", f"{CONFIGURATIONS_V3}/{config_id}")

    def create_configuration(self, body: dict[str, Any]) -> dict[str, Any]:
        created: dict[str, Any] = self.http.request(
            "intelligence", "POST", CONFIGURATIONS_V3, json=body
        ).json()
        return created

    def delete_configuration(self, config_id: str) -> None:
        self.http.request("intelligence", "DELETE", f"{CONFIGURATIONS_V3}/{config_id}")

    # --- Intelligence v3: operators ------------------------------------------------------
    def list_operators(self) -> list[dict[str, Any]]:
        return self.http.list_all("intelligence", OPERATORS_V3, "items")

    def get_operator(self, operator_id: str) -> Tagged:
        response = self.http.request("intelligence", "GET", f"{OPERATORS_V3}/{operator_id}")
        return Tagged.of(response)

    def create_operator(self, body: dict[str, Any]) -> Tagged:
        response = self.http.request("intelligence", "POST", OPERATORS_V3, json=body)
        return Tagged.of(response)

    def update_operator(
        self, operator_id: str, body: dict[str, Any], if_match: str | None
    ) -> Tagged:
        headers = {"If-Match": if_match} if if_match else None
        response = self.http.request(
            "intelligence", "PUT", f"{OPERATORS_V3}/{operator_id}", json=body, headers=headers
        )
        return Tagged.of(response)

    def delete_operator(self, operator_id: str) -> None:
        self.http.request("intelligence", "DELETE", f"{OPERATORS_V3}/{operator_id}")

    def get_operator_version(self, operator_id: str, version: int) -> dict[str, Any]:
        return self.http.get_json(
            "intelligence", f"{OPERATORS_V3}/{operator_id}/Versions/{version}"
        )

    def list_operator_versions(self, operator_id: str) -> list[dict[str, Any]]:
        return self.http.list_all("intelligence", f"{OPERATORS_V3}/{operator_id}/Versions", "items")

    # --- Intelligence v3: results and conversations (drift health reads one-item pages) -----
    def peek(self, path: str, params: Mapping[str, Any]) -> Peek:
        """One small page of ``/v3/OperatorResults`` or ``/v3/Conversations``, with the
        server's clock (its ``Date`` header) for judging how old the items are."""
        response = self.http.request("intelligence", "GET", path, params=dict(params))
        body = response.json() or {}
        return Peek(
            items=list(body.get("items") or []),
            next_token=(body.get("meta") or {}).get("nextToken"),
            server_now=_server_now(response),
        )

    def execute_rule(self, config_id: str, rule_id: str, conversation_id: str) -> datetime | None:
        """Queue one run of a stored rule on a conversation (202, no body; the results appear
        later as OperatorResults); returns the server's clock when it accepted it."""
        body = {
            "intelligenceConfigurationId": config_id,
            "ruleId": rule_id,
            "conversationId": conversation_id,
        }
        response = self.http.request("intelligence", "POST", RULE_EXECUTIONS_V3, json=body)
        return _server_now(response)

    # --- Conversations v2: orchestrator configurations -----------------------------------
    def list_conversation_configurations(self) -> list[dict[str, Any]]:
        return self.http.list_all("conversations", CONFIGURATIONS_V2, "configurations")

    def get_conversation_configuration(self, config_id: str) -> dict[str, Any]:
        return self.http.get_json("conversations", f"{CONFIGURATIONS_V2}/{config_id}")

    def write_conversation_configuration(
        self, method: str, path_suffix: str, body: dict[str, Any] | None, idempotency_key: str
    ) -> str | None:
        """POST, PUT or DELETE, then poll the operation; returns ``related.configurationId``.

        The Idempotency-Key makes the write safe to repeat: a retry (even from a later run, within
        Twilio's 24 h) replays the original operation instead of starting a second one.
        """
        response = self.http.request(
            "conversations",
            method,
            CONFIGURATIONS_V2 + path_suffix,
            json=body,
            headers={"Idempotency-Key": idempotency_key},
            replay_safe=True,
        )
        accepted = response.json() if response.content else {}
        operation = self._poll_operation(
            "conversations", "/v2/ControlPlane/Operations", response, accepted
        )
        related = operation.get("related") or accepted.get("related") or {}
        config_id = related.get("configurationId")
        return str(config_id) if config_id else None

    # --- Memory v1 stores and Knowledge v2 bases (``STORES``, ``KNOWLEDGE_BASES``) -------
    def list_store_ids(self) -> list[str]:
        ids: list[str] = self.http.list_all("memory", STORES_V1, "stores", page_size=100)
        return ids

    def list_knowledge_bases(self) -> list[dict[str, Any]]:
        return self.http.list_all("knowledge", KNOWLEDGE_BASES_V2, "knowledgeBases", page_size=100)

    def get_tagged(self, collection: AsyncCollection, object_id: str) -> Tagged:
        response = self.http.request(collection.api, "GET", f"{collection.path}/{object_id}")
        return Tagged.of(response)

    def create_async(self, collection: AsyncCollection, body: dict[str, Any]) -> str:
        """POST then poll; the new id is only in the finished operation's ``result.id``."""
        response = self.http.request(collection.api, "POST", collection.path, json=body)
        operation = self._poll_operation(collection.api, collection.operations, response, {})
        result = operation.get("result") or {}
        if not result.get("id"):
            raise OperationFailedError(
                f"{collection.label} operation completed without a result id"
            )
        return str(result["id"])

    def patch_async(
        self,
        collection: AsyncCollection,
        object_id: str,
        body: dict[str, Any],
        if_match: str | None,
    ) -> None:
        headers = {"If-Match": if_match} if if_match else None
        path = f"{collection.path}/{object_id}"
        response = self.http.request(collection.api, "PATCH", path, json=body, headers=headers)
        self._poll_operation(collection.api, collection.operations, response, {})

    def wait_active(self, collection: AsyncCollection, object_id: str) -> Tagged:
        """An object is usable only once ACTIVE; FAILED provisioning is an error."""
        tagged: Tagged = self._wait(
            lambda: self.get_tagged(collection, object_id),
            lambda tagged: tagged.body.get("status") in ("ACTIVE", "FAILED"),
            f"{collection.label} {object_id} to become ACTIVE",
            check=lambda tagged: _raise_if(
                tagged.body.get("status") == "FAILED",
                f"{collection.label} {object_id} provisioning FAILED",
            ),
        )
        return tagged

    def delete_async(self, collection: AsyncCollection, object_id: str) -> None:
        """DELETE then poll (memory-v1 §2.6): the object and everything in it (a store's
        contents, a base's sources). Gone already: done."""
        path = f"{collection.path}/{object_id}"
        self._delete_async(collection.api, collection.operations, path)

    # --- Knowledge v2: sources (synchronous writes, processed in the background) -----------
    def list_knowledge_sources(self, base_id: str) -> list[dict[str, Any]]:
        return self.http.list_all("knowledge", _sources(base_id), "knowledge")

    def get_knowledge_source(self, base_id: str, source_id: str) -> dict[str, Any]:
        body: dict[str, Any] = self.http.get_json("knowledge", f"{_sources(base_id)}/{source_id}")
        return body

    def create_knowledge_source(self, base_id: str, body: dict[str, Any]) -> dict[str, Any]:
        created: dict[str, Any] = self.http.request(
            "knowledge", "POST", _sources(base_id), json=body
        ).json()
        return created

    def patch_knowledge_source(self, base_id: str, source_id: str, body: dict[str, Any]) -> None:
        """200 with the source, or 202 when the change starts reprocessing."""
        self.http.request("knowledge", "PATCH", f"{_sources(base_id)}/{source_id}", json=body)

    def delete_knowledge_source(self, base_id: str, source_id: str) -> None:
        with contextlib.suppress(NotFoundError):  # gone already (or its base is)
            self.http.request("knowledge", "DELETE", f"{_sources(base_id)}/{source_id}")

    def wait_knowledge_source_processed(self, base_id: str, source_id: str) -> dict[str, Any]:
        """A source is usable once COMPLETED; FAILED processing is an error naming it."""

        def failed(body: dict[str, Any]) -> None:
            errors = (body.get("source") or {}).get("errors") or []
            titles = ", ".join(str(e.get("title")) for e in errors[:3] if isinstance(e, dict))
            _raise_if(
                body.get("status") == "FAILED",
                f"knowledge source {body.get('name')!r} ({source_id}) processing FAILED"
                + (f": {titles}" if titles else ""),
            )

        body: dict[str, Any] = self._wait(
            lambda: self.get_knowledge_source(base_id, source_id),
            lambda body: body.get("status") in ("COMPLETED", "FAILED"),
            f"knowledge source {source_id} to be processed (COMPLETED)",
            check=failed,
        )
        return body

    # --- asynchronous operations ---------------------------------------------------------
    def _poll_operation(
        self, api: Api, prefix: str, response: Any, accepted: dict[str, Any]
    ) -> dict[str, Any]:
        operation_id = response.headers.get("Operation-Id") or _last_segment(
            response.headers.get("Location") or accepted.get("statusUrl") or ""
        )
        if not operation_id:
            raise OperationFailedError(
                f"202 without an operation id from {response.request.url.path}"
            )
        path = f"{prefix}/{operation_id}"
        operation: dict[str, Any] = self._wait(
            lambda: self.http.get_json(api, path),
            lambda op: op.get("status") in FINAL_OPERATION_STATES,
            f"operation {operation_id}",
            first_delay=_seconds(response.headers.get("Retry-After")),
        )
        if operation.get("status") != "COMPLETED":
            error = operation.get("error") or {}
            detail = error.get("detail") or error.get("title") or "no detail given"
            raise OperationFailedError(
                f"operation {operation_id} ended {operation.get('status')}: {detail}"
            )
        return operation

    def _delete_async(self, api: Api, operations: str, path: str) -> None:
        try:
            response = self.http.request(api, "DELETE", path)
        except NotFoundError:
            return
        self._poll_operation(api, operations, response, response.json() if response.content else {})

    def _wait(
        self,
        fetch: Callable[[], Any],
        done: Callable[[Any], bool],
        what: str,
        *,
        first_delay: float | None = None,
        check: Callable[[Any], None] | None = None,
    ) -> Any:
        deadline = time.monotonic() + self.poll.timeout
        interval = self.poll.min_interval
        if first_delay:
            time.sleep(min(first_delay, self.poll.max_interval))
        while True:
            value = fetch()
            if done(value):
                if check:
                    check(value)
                return value
            if time.monotonic() > deadline:
                raise OperationTimeoutError(
                    f"timed out after {self.poll.timeout:.0f}s waiting for {what}"
                )
            time.sleep(interval)
            interval = min(interval * 2, self.poll.max_interval)


def _server_now(response: httpx.Response) -> datetime | None:
    """The server's clock when it answered (its ``Date`` header), if it sent a valid one."""
    date = response.headers.get("Date")
    try:
        return email.utils.parsedate_to_datetime(date) if date else None
    except (TypeError, ValueError):
        return None


def _sources(base_id: str) -> str:
    return f"/v2/KnowledgeBases/{base_id}/Knowledge"


def _last_segment(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1] if url else ""


def _seconds(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None


def _raise_if(condition: bool, message: str) -> None:
    if condition:
        raise OperationFailedError(message)
