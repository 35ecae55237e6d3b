"""Memory v1 control-plane routes under a store: Identity Resolution Settings,
Trait Groups and Data Mappings (memory-v1 §3-§5). Every write answers 202 with
an operation (see memory.py); every read of one resource carries an ETag.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ..domain import ValidationFailed
from ..domain.data_mappings import mapping_etag
from ..domain.identity_resolution import settings_etag
from ..domain.trait_groups import group_etag
from .common import (
    Account,
    Backend,
    FailRequested,
    JsonBody,
    OptionalJsonBody,
    json_response,
    page_body,
    write_action,
)
from .memory import ExistingStore, accepted, list_args

__all__ = ["router"]

router = APIRouter()

_STORE = "/v1/ControlPlane/Stores/{store_id}"
_SETTINGS = _STORE + "/IdentityResolutionSettings"
_GROUPS = _STORE + "/TraitGroups"
_GROUP = _GROUPS + "/{group_name}"
_MAPPINGS = _STORE + "/DataMappings"
_MAPPING = _MAPPINGS + "/{mapping_id}"


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
    if_match = request.headers.get("if-match")
    op = em.identity_resolution.replace(account, store_id, body, if_match, fail=fail)
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


@router.post(_GROUPS)
@write_action
def create_trait_group(
    *,
    request: Request,
    em: Backend,
    account: Account,
    store_id: str,
    fail: FailRequested,
    _: ExistingStore,
    body: OptionalJsonBody,
) -> Response:
    op = em.trait_groups.create(account, store_id, body, fail=fail)
    return accepted(request, em, op, "TraitGroup creation request accepted.")


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


@router.patch(_GROUP)
@write_action
def patch_trait_group(
    *,
    request: Request,
    em: Backend,
    account: Account,
    store_id: str,
    group_name: str,
    fail: FailRequested,
    _: ExistingStore,
    body: OptionalJsonBody,
) -> Response:
    if_match = request.headers.get("if-match")
    op = em.trait_groups.update(account, store_id, group_name, body, if_match, fail=fail)
    return accepted(request, em, op, "TraitGroup update request accepted.")


@router.delete(_GROUP)
@write_action
def delete_trait_group(
    *,
    request: Request,
    em: Backend,
    account: Account,
    store_id: str,
    group_name: str,
    fail: FailRequested,
) -> Response:
    op = em.trait_groups.delete(account, store_id, group_name, fail=fail)
    return accepted(request, em, op, "TraitGroup deletion request accepted.")


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


@router.post(_MAPPINGS)
@write_action
def create_data_mapping(
    *,
    request: Request,
    em: Backend,
    account: Account,
    store_id: str,
    fail: FailRequested,
    _: ExistingStore,
    body: JsonBody,
) -> Response:
    op = em.data_mappings.create(account, store_id, body, fail=fail)
    return accepted(request, em, op, "Data mapping creation request accepted for processing.")


@router.get(_MAPPING)
async def fetch_data_mapping(
    em: Backend, account: Account, store_id: str, mapping_id: str
) -> Response:
    doc = em.data_mappings.fetch(account, store_id, mapping_id)
    return json_response(em.data_mappings.render(doc), headers={"ETag": mapping_etag(doc)})


@router.patch(_MAPPING)
@write_action
def patch_data_mapping(
    *,
    request: Request,
    em: Backend,
    account: Account,
    store_id: str,
    mapping_id: str,
    fail: FailRequested,
    _: ExistingStore,
    body: OptionalJsonBody,
) -> Response:
    if_match = request.headers.get("if-match")
    op = em.data_mappings.update(account, store_id, mapping_id, body, if_match, fail=fail)
    return accepted(request, em, op, "Data mapping update request accepted for processing.")


@router.delete(_MAPPING)
@write_action
def delete_data_mapping(
    *,
    request: Request,
    em: Backend,
    account: Account,
    store_id: str,
    mapping_id: str,
    fail: FailRequested,
) -> Response:
    op = em.data_mappings.delete(account, store_id, mapping_id, fail=fail)
    return accepted(request, em, op, "Data mapping deletion request accepted for processing.")
