"""Conversations v2 ControlPlane routes: Configurations and Operations.

Writes answer 202 with an operation handle. An ``Idempotency-Key`` seen before
(same account, within its lifetime) replays the original 202 before anything
else is looked at, so a retried write never creates a second operation.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ..domain import Emulator
from ..domain.idempotency import check_idempotency_key
from ..domain.pagination import page_size
from .bodies import read_json_object
from .common import account_of, base_url, emulator_of, fail_requested, json_response, page_body
from .errors import MESSAGES

__all__ = ["router"]

router = APIRouter()
_CONFIGS = "/v2/ControlPlane/Configurations"
_OPERATIONS = "/v2/ControlPlane/Operations"


def _status_url(request: Request, op_id: str) -> str:
    return f"{base_url(request)}{_OPERATIONS}/{op_id}"


# Reads the body (and runs checks that must precede it), then starts the operation.
_Prepare = Callable[[Emulator, str], Awaitable[dict[str, Any]]]
_Start = Callable[[Emulator, str, dict[str, Any]], dict[str, Any]]


async def _no_body(em: Emulator, account: str) -> dict[str, Any]:
    return {}


async def _accepted(request: Request, prepare: _Prepare, start: _Start) -> Response:
    """Run an async write, honouring Idempotency-Key, and answer 202."""
    em = emulator_of(request)
    account = account_of(request)
    key = check_idempotency_key(request.headers.get("idempotency-key"))
    if key is not None:
        recalled = em.idempotency.recall(account, key)
        if recalled is not None:
            return json_response(recalled["body"], recalled["status"], recalled["headers"])
    payload = await prepare(em, account)
    with em.transaction():
        op = start(em, account, payload)
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
async def list_configurations(request: Request) -> Response:
    em = emulator_of(request)
    size = page_size(request.query_params.get("pageSize"))
    page = em.conversation_configs.page(
        account_of(request),
        size,
        request.query_params.get("pageToken"),
        request.query_params.get("memoryStoreId"),
    )
    return json_response(page_body("configurations", page.items, page))


@router.post(_CONFIGS)
async def create_configuration(request: Request) -> Response:
    fail = fail_requested(request)

    async def prepare(em: Emulator, account: str) -> dict[str, Any]:
        return await read_json_object(request, em.settings.max_body_bytes)

    return await _accepted(
        request,
        prepare,
        lambda em, account, body: em.conversation_configs.create(account, body, fail=fail),
    )


@router.get(_CONFIGS + "/{config_id}")
async def fetch_configuration(request: Request) -> Response:
    em = emulator_of(request)
    doc = em.conversation_configs.fetch(account_of(request), request.path_params["config_id"])
    return json_response(doc)


@router.put(_CONFIGS + "/{config_id}")
async def update_configuration(request: Request) -> Response:
    config_id = request.path_params["config_id"]
    fail = fail_requested(request)

    async def prepare(em: Emulator, account: str) -> dict[str, Any]:
        # 409 and 404 come before any complaint about the body.
        em.operations.ensure_unlocked(account, config_id)
        em.conversation_configs.fetch(account, config_id)
        return await read_json_object(request, em.settings.max_body_bytes)

    return await _accepted(
        request,
        prepare,
        lambda em, account, body: em.conversation_configs.update(
            account, config_id, body, fail=fail
        ),
    )


@router.delete(_CONFIGS + "/{config_id}")
async def delete_configuration(request: Request) -> Response:
    config_id = request.path_params["config_id"]
    fail = fail_requested(request)
    return await _accepted(
        request,
        _no_body,
        lambda em, account, _: em.conversation_configs.delete(account, config_id, fail=fail),
    )


@router.get(_OPERATIONS + "/{operation_id}")
async def fetch_operation(request: Request) -> Response:
    em = emulator_of(request)
    op = em.operations.fetch(
        account_of(request), "conversations", request.path_params["operation_id"]
    )
    status = em.operations.status(op)
    error = None
    if op["error"] is not None:
        code, http_status = op["error"]["code"], op["error"]["status"]
        error = {
            "type": f"https://www.twilio.com/docs/errors/{code}",
            "title": MESSAGES.get(http_status, (0, "Error"))[1],
            "status": http_status,
            "detail": op["error"]["detail"],
            "instance": _status_url(request, op["id"]),
        }
    terminal = status in ("COMPLETED", "FAILED", "CANCELLED")
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
    return json_response(body, headers=headers)
