"""Intelligence v3 control-plane routes (``/v3/ControlPlane/...``)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ..domain import NotFound, ValidationFailed
from ..domain.intelligence_configs import render_configuration
from ..domain.operators import render_operator, render_version, version_summary
from ..domain.pagination import page_size
from .bodies import read_json_object
from .common import account_of, emulator_of, json_response, no_content, page_body

__all__ = ["router"]

router = APIRouter()
_CONFIGS = "/v3/ControlPlane/Configurations"
_OPERATORS = "/v3/ControlPlane/Operators"


# -- Configurations ---------------------------------------------------------------


@router.post(_CONFIGS)
async def create_configuration(request: Request) -> Response:
    em = emulator_of(request)
    body = await read_json_object(request, em.settings.max_body_bytes)
    with em.transaction():
        doc = em.configurations.create(account_of(request), body)
    return json_response(render_configuration(doc), 201)


@router.get(_CONFIGS)
async def list_configurations(request: Request) -> Response:
    em = emulator_of(request)
    size = page_size(request.query_params.get("pageSize"))
    page = em.configurations.page(account_of(request), size, request.query_params.get("pageToken"))
    return json_response(page_body("items", [render_configuration(d) for d in page.items], page))


@router.get(_CONFIGS + "/{config_id}")
async def fetch_configuration(request: Request) -> Response:
    em = emulator_of(request)
    doc = em.configurations.fetch(account_of(request), request.path_params["config_id"])
    return json_response(render_configuration(doc))


@router.put(_CONFIGS + "/{config_id}")
async def update_configuration(request: Request) -> Response:
    em = emulator_of(request)
    account, config_id = account_of(request), request.path_params["config_id"]
    em.configurations.fetch(account, config_id)  # 404 before body errors
    body = await read_json_object(request, em.settings.max_body_bytes)
    with em.transaction():
        doc = em.configurations.update(account, config_id, body)
    return json_response(render_configuration(doc))


@router.delete(_CONFIGS + "/{config_id}")
async def delete_configuration(request: Request) -> Response:
    em = emulator_of(request)
    with em.transaction():
        em.configurations.delete(account_of(request), request.path_params["config_id"])
    return no_content()


# -- Operators --------------------------------------------------------------------


@router.get(_OPERATORS)
async def list_operators(request: Request) -> Response:
    em = emulator_of(request)
    size = page_size(request.query_params.get("pageSize"))
    page = em.operators.page(account_of(request), size, request.query_params.get("pageToken"))
    items = [render_operator(doc, em.traps) for doc in page.items]
    return json_response(page_body("items", items, page))


@router.post(_OPERATORS)
async def create_operator(request: Request) -> Response:
    em = emulator_of(request)
    body = await read_json_object(request, em.settings.max_body_bytes)
    with em.transaction():
        doc = em.operators.create(account_of(request), body)
    return json_response(render_operator(doc, em.traps), 201, {"ETag": str(doc["version"])})


@router.get(_OPERATORS + "/{operator_id}")
async def fetch_operator(request: Request) -> Response:
    em = emulator_of(request)
    doc = em.operators.fetch(account_of(request), request.path_params["operator_id"])
    return json_response(render_operator(doc, em.traps), headers={"ETag": str(doc["version"])})


@router.put(_OPERATORS + "/{operator_id}")
async def update_operator(request: Request) -> Response:
    em = emulator_of(request)
    account, operator_id = account_of(request), request.path_params["operator_id"]
    em.operators.fetch(account, operator_id)
    body = await read_json_object(request, em.settings.max_body_bytes)
    with em.transaction():
        doc = em.operators.update(account, operator_id, body, request.headers.get("if-match"))
    return json_response(render_operator(doc, em.traps), headers={"ETag": str(doc["version"])})


@router.delete(_OPERATORS + "/{operator_id}")
async def delete_operator(request: Request) -> Response:
    em = emulator_of(request)
    with em.transaction():
        em.operators.delete(account_of(request), request.path_params["operator_id"])
    return no_content()


@router.get(_OPERATORS + "/{operator_id}/Versions")
async def list_operator_versions(request: Request) -> Response:
    em = emulator_of(request)
    size = page_size(request.query_params.get("pageSize"))
    page = em.operators.list_versions(
        account_of(request),
        request.path_params["operator_id"],
        size,
        request.query_params.get("pageToken"),
    )
    return json_response(page_body("items", [version_summary(d) for d in page.items], page))


@router.get(_OPERATORS + "/{operator_id}/Versions/{version}")
async def fetch_operator_version(request: Request) -> Response:
    em = emulator_of(request)
    raw = request.path_params["version"]
    if not raw.isdigit() or not raw.isascii():
        em.operators.fetch(account_of(request), request.path_params["operator_id"])
        raise ValidationFailed("version: must be an integer")
    if len(raw) > 9:
        raise NotFound(f"Version {raw} not found")
    doc = em.operators.fetch_version(
        account_of(request), request.path_params["operator_id"], int(raw)
    )
    return json_response(render_version(doc, em.traps))
