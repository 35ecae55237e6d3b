"""Memory v1 control-plane routes: Stores and Operations.

There is deliberately no DELETE (nor PUT) on stores: the spec has none, so the
router answers 405 Method Not Allowed, in the Memory error shape.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ..domain import ValidationFailed
from ..domain.memory_stores import store_etag
from ..domain.pagination import page_size
from .bodies import read_json_object
from .common import account_of, base_url, emulator_of, fail_requested, json_response, page_body
from .errors import MESSAGES

__all__ = ["router"]

router = APIRouter()
_STORES = "/v1/ControlPlane/Stores"
_OPERATIONS = "/v1/ControlPlane/Operations"


def _accepted(request: Request, op: dict[str, Any], message: str) -> Response:
    em = emulator_of(request)
    url = f"{base_url(request)}{_OPERATIONS}/{op['id']}"
    headers = {
        "Operation-Id": op["id"],
        "Location": url,
        "Retry-After": str(em.settings.retry_after_seconds),
    }
    return json_response({"message": message, "statusUrl": url}, 202, headers)


@router.get(_STORES)
async def list_stores(request: Request) -> Response:
    em = emulator_of(request)
    size = page_size(request.query_params.get("pageSize"), maximum=100)
    order = request.query_params.get("orderBy", "DESC")
    if order not in ("ASC", "DESC"):
        raise ValidationFailed("orderBy: must be one of [ASC, DESC]")
    token = request.query_params.get("pageToken")
    if token is not None and len(token) > 500:
        raise ValidationFailed("pageToken: size must be between 0 and 500")
    page = em.memory_stores.page(account_of(request), size, token, order)
    return json_response(page_body("stores", [doc["id"] for doc in page.items], page))


@router.post(_STORES)
async def create_store(request: Request) -> Response:
    em = emulator_of(request)
    body = await read_json_object(request, em.settings.max_body_bytes)
    with em.transaction():
        op = em.memory_stores.create(account_of(request), body, fail=fail_requested(request))
    return _accepted(request, op, "Memory Store creation accepted for processing.")


@router.get(_STORES + "/{store_id}")
async def fetch_store(request: Request) -> Response:
    em = emulator_of(request)
    doc = em.memory_stores.fetch(account_of(request), request.path_params["store_id"])
    return json_response(em.memory_stores.render(doc), headers={"ETag": store_etag(doc)})


@router.patch(_STORES + "/{store_id}")
async def patch_store(request: Request) -> Response:
    em = emulator_of(request)
    account, store_id = account_of(request), request.path_params["store_id"]
    em.memory_stores.fetch(account, store_id)
    body = await read_json_object(request, em.settings.max_body_bytes, optional=True)
    with em.transaction():
        op = em.memory_stores.update(
            account, store_id, body, request.headers.get("if-match"), fail=fail_requested(request)
        )
    return _accepted(request, op, "Memory Store update request accepted for processing.")


@router.get(_OPERATIONS + "/{operation_id}")
async def fetch_operation(request: Request) -> Response:
    em = emulator_of(request)
    op = em.operations.fetch(account_of(request), "memory", request.path_params["operation_id"])
    status = em.operations.status(op)
    url = f"{base_url(request)}{_OPERATIONS}/{op['id']}"
    body: dict[str, Any] = {
        "operationId": op["id"],
        "status": status,
        "createdAt": em.rt.timestamp(op["createdAt"]),
        "statusUrl": url,
    }
    if status in ("COMPLETED", "FAILED"):
        body["completedAt"] = em.rt.timestamp(op["completedAt"])
    if status == "COMPLETED":
        body["result"] = {"type": "RESOURCE_ID", "id": op["target"]}
        body["resultUrl"] = f"{base_url(request)}{_STORES}/{op['target']}"
    if status == "FAILED":
        code, http_status = op["error"]["code"], op["error"]["status"]
        body["error"] = {
            "type": f"https://www.twilio.com/docs/errors/{code}",
            "title": MESSAGES.get(http_status, (0, "Error"))[1][:128],
            "code": code,
            "detail": str(op["error"]["detail"])[:1024],
        }
    headers = {"Operation-Id": op["id"], "Retry-After": str(em.settings.retry_after_seconds)}
    return json_response(body, headers=headers)
