"""Conversations v2 ControlPlane routes: Configurations and Operations.

Writes answer 202 with an operation handle. An ``Idempotency-Key`` seen before
(same account, within its lifetime) replays the original 202 before anything
else is looked at, so a retried write never creates a second operation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ..domain import Emulator
from ..domain.idempotency import check_idempotency_key
from .common import (
    Account,
    Backend,
    FailRequested,
    Paging,
    add_operation_route,
    base_url,
    json_body,
    json_response,
    page_body,
)

__all__ = ["router"]

router = APIRouter()
_CONFIGS = "/v2/ControlPlane/Configurations"
_OPERATIONS = "/v2/ControlPlane/Operations"

# Starts the operation, in the write transaction, from the body (or {}).
_Start = Callable[[dict[str, Any]], dict[str, Any]]


def _status_url(request: Request, op_id: str) -> str:
    return f"{base_url(request)}{_OPERATIONS}/{op_id}"


async def _accepted(
    request: Request,
    em: Emulator,
    account: str,
    start: _Start,
    *,
    existing: str | None = None,
    with_body: bool = True,
) -> Response:
    """Run an async write, honouring Idempotency-Key, and answer 202.

    The order is the API's: a replay before anything else is looked at; then,
    for the ``existing`` configuration, 409 (an operation pending on it) and
    404; only then the body. So the body is read here, not by a dependency.
    """
    key = check_idempotency_key(request.headers.get("idempotency-key"))
    if key is not None:
        recalled = em.idempotency.recall(account, key)
        if recalled is not None:
            return json_response(recalled["body"], recalled["status"], recalled["headers"])
    if existing is not None:
        em.operations.ensure_unlocked(account, existing)
        em.conversation_configs.fetch(account, existing)
    payload = await json_body(request) if with_body else {}
    with em.transaction():
        op = start(payload)
        url = _status_url(request, op["id"])
        body = {"statusUrl": url, "related": op["related"]}
        headers = {
            "Operation-Id": op["id"],
            "Retry-After": str(em.settings.retry_after_seconds),
            "Location": url,
        }
        if key is not None:
            em.idempotency.remember(account, key, {"status": 202, "headers": headers, "body": body})
    return json_response(body, 202, headers)


@router.get(_CONFIGS)
async def list_configurations(
    request: Request, em: Backend, account: Account, paging: Paging
) -> Response:
    memory_store_id = request.query_params.get("memoryStoreId")
    page = em.conversation_configs.page(account, paging.size, paging.token, memory_store_id)
    return json_response(page_body("configurations", page.items, page))


@router.post(_CONFIGS)
async def create_configuration(
    request: Request, em: Backend, account: Account, fail: FailRequested
) -> Response:
    configs = em.conversation_configs
    return await _accepted(
        request, em, account, lambda body: configs.create(account, body, fail=fail)
    )


@router.get(_CONFIGS + "/{config_id}")
async def fetch_configuration(em: Backend, account: Account, config_id: str) -> Response:
    return json_response(em.conversation_configs.fetch(account, config_id))


async def _update(
    request: Request, em: Emulator, account: str, config_id: str, fail: bool, *, merge: bool
) -> Response:
    """PUT (full replacement) or PATCH (``merge``) of a configuration."""
    configs = em.conversation_configs
    write = configs.patch if merge else configs.update
    return await _accepted(
        request,
        em,
        account,
        lambda body: write(account, config_id, body, fail=fail),
        existing=config_id,
    )


@router.put(_CONFIGS + "/{config_id}")
async def update_configuration(
    request: Request, em: Backend, account: Account, config_id: str, fail: FailRequested
) -> Response:
    return await _update(request, em, account, config_id, fail, merge=False)


@router.patch(_CONFIGS + "/{config_id}")
async def patch_configuration(
    request: Request, em: Backend, account: Account, config_id: str, fail: FailRequested
) -> Response:
    return await _update(request, em, account, config_id, fail, merge=True)


@router.delete(_CONFIGS + "/{config_id}")
async def delete_configuration(
    request: Request, em: Backend, account: Account, config_id: str, fail: FailRequested
) -> Response:

    def start_delete(_: dict[str, Any]) -> dict[str, Any]:  # a DELETE has no body
        return em.conversation_configs.delete(account, config_id, fail=fail)

    return await _accepted(request, em, account, start_delete, with_body=False)


def _operation_shape(
    request: Request, em: Emulator, op: dict[str, Any], status: str, problem: dict[str, str]
) -> tuple[dict[str, Any], dict[str, str] | None]:
    error = None
    if op["error"] is not None:
        error = {
            **problem,
            "status": op["error"]["status"],
            "detail": op["error"]["detail"],
            "instance": _status_url(request, op["id"]),
        }
    terminal = status in ("COMPLETED", "FAILED", "CANCELLED")
    if status == "RUNNING" and not em.rt.traps.conversations_operation_running:
        status = "PENDING"  # the spec's (and the SDK's) enum has no RUNNING
    body = {
        "operationId": op["id"],
        "status": status,
        "createdAt": em.rt.timestamp(op["createdAt"]),
        "completedAt": em.rt.timestamp(op["completedAt"]) if terminal else None,
        "statusUrl": _status_url(request, op["id"]),
        "related": op["related"],
        "error": error,
    }
    headers = None if terminal else {"Retry-After": str(em.settings.retry_after_seconds)}
    return body, headers


add_operation_route(router, _OPERATIONS, "conversations", _operation_shape)
