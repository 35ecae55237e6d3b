"""Memory v1 control-plane routes under a store: Identity Resolution Settings,
Trait Groups and Data Mappings (memory-v1 §3-§5). Every write answers 202 with
an operation (see memory.py); every read of one resource carries an ETag.
"""

from __future__ import annotations

import functools

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ..domain import ValidationFailed
from ..domain.data_mappings import mapping_etag
from ..domain.identity_resolution import settings_etag
from ..domain.trait_groups import group_etag
from ..domain.writes import Write
from .async_writes import AsyncWrites, add_async_writes
from .common import (
    Account,
    Backend,
    FailRequested,
    JsonBody,
    json_response,
    optional_json_body,
    page_body,
    write_action,
)
from .memory import OPERATIONS as _OPERATIONS
from .memory import ExistingStore, accepted, existing_store, list_args

__all__ = ["router"]

router = APIRouter()

_STORE = "/v1/ControlPlane/Stores/{store_id}"
_SETTINGS = _STORE + "/IdentityResolutionSettings"
_GROUPS = _STORE + "/TraitGroups"
_GROUP = _GROUPS + "/{group_name}"
_MAPPINGS = _STORE + "/DataMappings"
_MAPPING = _MAPPINGS + "/{mapping_id}"

# The 202 texts of create, update and delete (memory-v1 §1.4's example messages).
_GROUP_MESSAGES = (
    "TraitGroup creation request accepted.",
    "TraitGroup update request accepted.",
    "TraitGroup deletion request accepted.",
)
_MAPPING_MESSAGES = (
    "Data mapping creation request accepted for processing.",
    "Data mapping update request accepted for processing.",
    "Data mapping deletion request accepted for processing.",
)


# Every store child's writes check that the store exists before reading the body, report
# under Memory's operations, and may PATCH with an empty body.
_child_writes = functools.partial(
    AsyncWrites,
    operations=_OPERATIONS,
    create_guard=existing_store,
    update_guard=existing_store,
    update_body=optional_json_body,
)


def _flag(request: Request, name: str, default: bool) -> bool:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if raw.lower() not in ("true", "false"):
        raise ValidationFailed(f"{name}: must be true or false")
    return raw.lower() == "true"


# -- Identity Resolution Settings ------------------------------------------------------


@router.get(_SETTINGS)
async def fetch_identity_resolution(
    em: Backend, account: Account, store_id: str, _: ExistingStore
) -> Response:
    doc = em.identity_resolution.fetch(account, store_id)
    return json_response(em.identity_resolution.render(doc), headers={"ETag": settings_etag(doc)})


@router.put(_SETTINGS)
@write_action
def replace_identity_resolution(  # FastAPI passes everything by name
    *,
    request: Request,
    em: Backend,
    account: Account,
    store_id: str,
    fail: FailRequested,
    _: ExistingStore,
    body: JsonBody,
) -> Response:
    write = Write(account, body, request.headers.get("if-match"), fail)
    op = em.identity_resolution.replace(write, store_id)
    return accepted(request, em, op, "Identity Resolution Settings accepted for processing.")


# -- Trait Groups ------------------------------------------------------------------------


@router.get(_GROUPS)
async def list_trait_groups(
    request: Request, em: Backend, account: Account, store_id: str, _: ExistingStore
) -> Response:
    include = _flag(request, "includeTraits", False)
    size, token, order = list_args(request)
    page = em.trait_groups.page(account, store_id, size, token, order)
    items = [em.trait_groups.render(doc, include_traits=include) for doc in page.items]
    return json_response(page_body("traitGroups", items, page))


@router.get(_GROUP)
async def fetch_trait_group(
    request: Request, em: Backend, account: Account, store_id: str, group_name: str
) -> Response:
    include = _flag(request, "includeTraits", True)
    list_args(request)  # accepted and checked; the whole trait map is returned at once
    doc = em.trait_groups.fetch(account, store_id, group_name)
    body = {
        "traitGroup": em.trait_groups.render(doc, include_traits=include),
        "meta": {"key": "traitGroup", "pageSize": 1},
    }
    return json_response(body, headers={"ETag": group_etag(doc)})


add_async_writes(
    router,
    _child_writes(
        collection=_GROUPS,
        item=_GROUP,
        service=lambda em: em.trait_groups,
        messages=_GROUP_MESSAGES,
        create_body=optional_json_body,
    ),
)

# -- Data Mappings -----------------------------------------------------------------------


@router.get(_MAPPINGS)
async def list_data_mappings(
    request: Request, em: Backend, account: Account, store_id: str, _: ExistingStore
) -> Response:
    size, token, order = list_args(request)
    kind = request.query_params.get("type")
    page = em.data_mappings.page(account, store_id, size, token, order, kind)
    items = [em.data_mappings.render(doc) for doc in page.items]
    return json_response(page_body("dataMappings", items, page))


@router.get(_MAPPING)
async def fetch_data_mapping(
    em: Backend, account: Account, store_id: str, mapping_id: str
) -> Response:
    doc = em.data_mappings.fetch(account, store_id, mapping_id)
    return json_response(em.data_mappings.render(doc), headers={"ETag": mapping_etag(doc)})


add_async_writes(
    router,
    _child_writes(
        collection=_MAPPINGS,
        item=_MAPPING,
        service=lambda em: em.data_mappings,
        messages=_MAPPING_MESSAGES,
    ),
)
