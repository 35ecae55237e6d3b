"""Knowledge v2 routes (knowledge-v2.md): bases (async control plane), sources (sync),
Chunks and Search (data plane), the shared Operations path, and the unauthenticated
upload URL of File sources (under the control prefix, which Twilio auth does not guard)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from ..domain import Emulator, ValidationFailed
from ..domain.knowledge_bases import knowledge_base_etag
from ..domain.knowledge_sources import UPLOAD_PREFIX
from ..domain.pagination import page_size
from .common import (
    Account,
    Backend,
    FailRequested,
    JsonBody,
    OptionalJsonBody,
    add_operation_route,
    base_url,
    emulator_of,
    json_response,
    no_content,
    page_body,
    write_action,
)
from .operation_shapes import accepted, twilio_operation_shape

__all__ = ["router"]

router = APIRouter()
_BASES = "/v2/ControlPlane/KnowledgeBases"
_OPERATIONS = "/v2/ControlPlane/Operations"
_SOURCES = "/v2/KnowledgeBases/{kb_id}/Knowledge"
_SOURCE = _SOURCES + "/{knowledge_id}"


def _page_args(request: Request, *, maximum: int, token_max: int) -> tuple[int, str | None]:
    q = request.query_params
    size = page_size(q.get("pageSize"), maximum=maximum)
    token = q.get("pageToken")
    if token is not None and len(token) > token_max:
        raise ValidationFailed(f"pageToken: size must be between 0 and {token_max}")
    return size, token


# Declared before the body, so that an unknown base or source answers 400/404 first.
async def _base(em: Backend, account: Account, kb_id: str) -> dict[str, Any]:
    return em.knowledge_bases.fetch(account, kb_id)


async def _source(em: Backend, account: Account, kb_id: str, knowledge_id: str) -> dict[str, Any]:
    return em.knowledge_sources.fetch_source(account, kb_id, knowledge_id)


ExistingBase = Annotated[dict[str, Any], Depends(_base)]
ExistingSource = Annotated[dict[str, Any], Depends(_source)]

# -- knowledge bases ----------------------------------------------------------------------


@router.get(_BASES)
async def list_bases(request: Request, em: Backend, account: Account) -> Response:
    size, token = _page_args(request, maximum=100, token_max=4096)
    order = request.query_params.get("orderBy", "DESC")
    if order not in ("ASC", "DESC"):
        raise ValidationFailed("orderBy: must be one of [ASC, DESC]")
    page = em.knowledge_bases.page(account, size, token, order)
    items = [em.knowledge_bases.render(account, doc) for doc in page.items]
    return json_response(page_body("knowledgeBases", items, page))


@router.post(_BASES)
@write_action
def create_base(
    request: Request, em: Backend, account: Account, fail: FailRequested, body: JsonBody
) -> Response:
    op = em.knowledge_bases.create(account, body, fail=fail)
    message = "Knowledge Base creation request accepted for processing."
    return accepted(request, em, op, message, _OPERATIONS)


@router.get(_BASES + "/{kb_id}")
async def fetch_base(em: Backend, account: Account, doc: ExistingBase) -> Response:
    body = em.knowledge_bases.render(account, doc)
    return json_response(body, headers={"ETag": knowledge_base_etag(doc)})


@router.patch(_BASES + "/{kb_id}")
@write_action
def patch_base(  # FastAPI passes everything by name
    *,
    request: Request,
    em: Backend,
    account: Account,
    kb_id: str,
    fail: FailRequested,
    _: ExistingBase,
    body: JsonBody,
) -> Response:
    if_match = request.headers.get("if-match")
    op = em.knowledge_bases.update(account, kb_id, body, if_match, fail=fail)
    message = "Knowledge Base update request accepted for processing."
    return accepted(request, em, op, message, _OPERATIONS)


@router.delete(_BASES + "/{kb_id}")
@write_action
def delete_base(
    request: Request, em: Backend, account: Account, kb_id: str, fail: FailRequested
) -> Response:
    op = em.knowledge_bases.delete(account, kb_id, fail=fail)
    message = "Knowledge Base deletion request accepted for processing."
    return accepted(request, em, op, message, _OPERATIONS)


add_operation_route(router, _OPERATIONS, "knowledge", twilio_operation_shape(_OPERATIONS, _BASES))

# -- knowledge sources --------------------------------------------------------------------


@router.get(_SOURCES)
async def list_sources(
    request: Request, em: Backend, account: Account, kb_id: str, _: ExistingBase
) -> Response:
    size, token = _page_args(request, maximum=1000, token_max=4096)
    page_number = request.query_params.get("page")  # client-side state only (§3.2)
    if page_number is not None and (not page_number.isdigit()):
        raise ValidationFailed("page: must be an integer greater than or equal to 0")
    page = em.knowledge_sources.page(account, kb_id, size, token)
    url = base_url(request)
    items = [em.knowledge_sources.render(doc, url) for doc in page.items]
    return json_response(page_body("knowledge", items, page))


@router.post(_SOURCES)
@write_action
def create_source(
    request: Request, em: Backend, account: Account, kb_id: str, _: ExistingBase, body: JsonBody
) -> Response:
    doc = em.knowledge_sources.create(account, kb_id, body)
    return json_response(em.knowledge_sources.render(doc, base_url(request)), 201)


@router.get(_SOURCE)
async def fetch_source(request: Request, em: Backend, doc: ExistingSource) -> Response:
    return json_response(em.knowledge_sources.render(doc, base_url(request)))


@router.patch(_SOURCE)
@write_action
def patch_source(  # FastAPI passes everything by name
    *,
    request: Request,
    em: Backend,
    account: Account,
    kb_id: str,
    knowledge_id: str,
    _: ExistingSource,
    body: OptionalJsonBody,
) -> Response:
    raw = request.query_params.get("refresh", "false").lower()
    if raw not in ("true", "false"):
        raise ValidationFailed("refresh: must be a boolean")
    doc, requeued = em.knowledge_sources.update(
        account, kb_id, knowledge_id, body, refresh=raw == "true"
    )
    if requeued:
        return json_response({"message": "Knowledge update accepted for processing."}, 202)
    return json_response(em.knowledge_sources.render(doc, base_url(request)))


@router.delete(_SOURCE)
@write_action
def delete_source(em: Backend, account: Account, kb_id: str, knowledge_id: str) -> Response:
    em.knowledge_sources.delete(account, kb_id, knowledge_id)
    return no_content()


# -- data plane ---------------------------------------------------------------------------


@router.get(_SOURCE + "/Chunks")
async def list_chunks(request: Request, em: Backend, doc: ExistingSource) -> Response:
    size, token = _page_args(request, maximum=1000, token_max=2048)
    page = em.knowledge_search.chunk_page(doc, size, token)
    return json_response(page_body("chunks", page.items, page))


@router.post("/v2/KnowledgeBases/{kb_id}/Search")
async def search(
    em: Backend, account: Account, kb_id: str, _: ExistingBase, body: JsonBody
) -> Response:
    return json_response({"chunks": em.knowledge_search.search(account, kb_id, body)})


# -- the presigned upload URL of File sources ------------------------------------------------


@router.put(UPLOAD_PREFIX + "/{account}/{kb_id}/{knowledge_id}")
async def upload_file(request: Request, account: str, kb_id: str, knowledge_id: str) -> Response:
    em: Emulator = emulator_of(request)
    data = await request.body()
    em.tick()  # the control prefix skips the middleware's tick
    with em.transaction():
        em.knowledge_sources.upload(
            account, kb_id, knowledge_id, request.query_params.get("signature"), data
        )
    return Response(status_code=200)
