"""Memory v1 control-plane routes: Stores and Operations.

The store's children (identity resolution settings, trait groups, data
mappings) are in memory_children.py. There is no PUT on stores: the router
answers 405 Method Not Allowed, in the Memory error shape.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from ..domain import Emulator, ValidationFailed
from ..domain.memory_stores import store_etag
from ..domain.pagination import page_size
from .common import (
    Account,
    Backend,
    FailRequested,
    JsonBody,
    OptionalJsonBody,
    add_operation_route,
    base_url,
    json_response,
    page_body,
    write_action,
)

__all__ = ["ExistingStore", "accepted", "list_args", "router"]

router = APIRouter()
_STORES = "/v1/ControlPlane/Stores"
_OPERATIONS = "/v1/ControlPlane/Operations"


def accepted(request: Request, em: Emulator, op: dict[str, Any], message: str) -> Response:
    url = f"{base_url(request)}{_OPERATIONS}/{op['id']}"
    headers = {
        "Operation-Id": op["id"],
        "Location": url,
        "Retry-After": str(em.settings.retry_after_seconds),
    }
    return json_response({"message": message, "statusUrl": url}, 202, headers)


# Declared before the body, so that an unknown store answers 400/404 first.
async def _store(em: Backend, account: Account, store_id: str) -> dict[str, Any]:
    return em.memory_stores.fetch(account, store_id)


ExistingStore = Annotated[dict[str, Any], Depends(_store)]


def list_args(request: Request) -> tuple[int, str | None, str]:
    """Control-plane ``pageSize`` (1..100), ``pageToken`` (<=4096) and ``orderBy``; the
    order is checked before the token."""
    q = request.query_params
    size = page_size(q.get("pageSize"), maximum=100)
    order = q.get("orderBy", "DESC")
    if order not in ("ASC", "DESC"):
        raise ValidationFailed("orderBy: must be one of [ASC, DESC]")
    token = q.get("pageToken")
    if token is not None and len(token) > 4096:
        raise ValidationFailed("pageToken: size must be between 0 and 4096")
    return size, token, order


@router.get(_STORES)
async def list_stores(request: Request, em: Backend, account: Account) -> Response:
    size, token, order = list_args(request)
    page = em.memory_stores.page(account, size, token, order)
    return json_response(page_body("stores", [doc["id"] for doc in page.items], page))


@router.post(_STORES)
@write_action
def create_store(
    request: Request, em: Backend, account: Account, fail: FailRequested, body: JsonBody
) -> Response:
    op = em.memory_stores.create(account, body, fail=fail)
    return accepted(request, em, op, "Memory Store creation accepted for processing.")


@router.get(_STORES + "/{store_id}")
async def fetch_store(em: Backend, doc: ExistingStore) -> Response:
    return json_response(em.memory_stores.render(doc), headers={"ETag": store_etag(doc)})


@router.patch(_STORES + "/{store_id}")
@write_action
def patch_store(  # FastAPI passes everything by name
    *,
    request: Request,
    em: Backend,
    account: Account,
    store_id: str,
    fail: FailRequested,
    _: ExistingStore,
    body: OptionalJsonBody,
) -> Response:
    if_match = request.headers.get("if-match")
    op = em.memory_stores.update(account, store_id, body, if_match, fail=fail)
    return accepted(request, em, op, "Memory Store update request accepted for processing.")


@router.delete(_STORES + "/{store_id}")
@write_action
def delete_store(
    request: Request, em: Backend, account: Account, store_id: str, fail: FailRequested
) -> Response:
    op = em.memory_stores.delete(account, store_id, fail=fail)
    return accepted(request, em, op, "Memory Store deletion request accepted for processing.")


def _operation_shape(
    request: Request, em: Emulator, op: dict[str, Any], status: str, problem: dict[str, str]
) -> tuple[dict[str, Any], dict[str, str]]:
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
        # Operations recorded before Memory had children name the store in their target.
        related = op.get("related") or {}
        body["result"] = {"type": "RESOURCE_ID", "id": related.get("resultId", op["target"])}
        path = related.get("resultPath", f"{_STORES}/{op['target']}" if not related else None)
        if path is not None:
            body["resultUrl"] = f"{base_url(request)}{path}"
    if status == "FAILED":
        body["error"] = {
            "type": problem["type"],
            "title": problem["title"][:128],
            "code": op["error"]["code"],
            "detail": str(op["error"]["detail"])[:1024],
        }
    headers = {"Operation-Id": op["id"], "Retry-After": str(em.settings.retry_after_seconds)}
    return body, headers


add_operation_route(router, _OPERATIONS, "memory", _operation_shape)
