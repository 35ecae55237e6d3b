"""Memory v1 control-plane routes: Stores and Operations.

There is deliberately no DELETE (nor PUT) on stores: the spec has none, so the
router answers 405 Method Not Allowed, in the Memory error shape.
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
    json_response,
    page_body,
    write_action,
)
from .operation_shapes import accepted, twilio_operation_shape

__all__ = ["router"]

router = APIRouter()
_STORES = "/v1/ControlPlane/Stores"
_OPERATIONS = "/v1/ControlPlane/Operations"


def _accepted(request: Request, em: Emulator, op: dict[str, Any], message: str) -> Response:
    return accepted(request, em, op, message, _OPERATIONS)


# Declared before the body, so that an unknown store answers 400/404 first.
async def _store(em: Backend, account: Account, store_id: str) -> dict[str, Any]:
    return em.memory_stores.fetch(account, store_id)


ExistingStore = Annotated[dict[str, Any], Depends(_store)]


@router.get(_STORES)
async def list_stores(request: Request, em: Backend, account: Account) -> Response:
    # Memory pages are capped at 100, and its orderBy is checked before the token.
    q = request.query_params
    size = page_size(q.get("pageSize"), maximum=100)
    order = q.get("orderBy", "DESC")
    if order not in ("ASC", "DESC"):
        raise ValidationFailed("orderBy: must be one of [ASC, DESC]")
    token = q.get("pageToken")
    if token is not None and len(token) > 500:
        raise ValidationFailed("pageToken: size must be between 0 and 500")
    page = em.memory_stores.page(account, size, token, order)
    return json_response(page_body("stores", [doc["id"] for doc in page.items], page))


@router.post(_STORES)
@write_action
def create_store(
    request: Request, em: Backend, account: Account, fail: FailRequested, body: JsonBody
) -> Response:
    op = em.memory_stores.create(account, body, fail=fail)
    return _accepted(request, em, op, "Memory Store creation accepted for processing.")


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
    return _accepted(request, em, op, "Memory Store update request accepted for processing.")


add_operation_route(router, _OPERATIONS, "memory", twilio_operation_shape(_OPERATIONS, _STORES))
