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
from .async_writes import AsyncWrites, add_async_writes
from .common import (
    Account,
    Backend,
    add_operation_route,
    json_response,
    optional_json_body,
    page_body,
)
from .operation_shapes import accepted as operation_accepted
from .operation_shapes import twilio_operation_shape

__all__ = ["OPERATIONS", "ExistingStore", "accepted", "existing_store", "list_args", "router"]

router = APIRouter()
_STORES = "/v1/ControlPlane/Stores"
OPERATIONS = "/v1/ControlPlane/Operations"


def accepted(request: Request, em: Emulator, op: dict[str, Any], message: str) -> Response:
    return operation_accepted(request, em, op, message, OPERATIONS)


# Declared before the body, so that an unknown store answers 400/404 first.
async def existing_store(em: Backend, account: Account, store_id: str) -> dict[str, Any]:
    return em.memory_stores.fetch(account, store_id)


ExistingStore = Annotated[dict[str, Any], Depends(existing_store)]


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


@router.get(_STORES + "/{store_id}")
async def fetch_store(em: Backend, doc: ExistingStore) -> Response:
    return json_response(em.memory_stores.render(doc), headers={"ETag": store_etag(doc)})


add_async_writes(
    router,
    AsyncWrites(
        collection=_STORES,
        item=_STORES + "/{store_id}",
        service=lambda em: em.memory_stores,
        operations=OPERATIONS,
        messages=(
            "Memory Store creation accepted for processing.",
            "Memory Store update request accepted for processing.",
            "Memory Store deletion request accepted for processing.",
        ),
        update_guard=existing_store,
        update_body=optional_json_body,
    ),
)
add_operation_route(router, OPERATIONS, "memory", twilio_operation_shape(OPERATIONS, _STORES))
