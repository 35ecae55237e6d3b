"""Intelligence v3 control-plane routes (``/v3/ControlPlane/...``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from ..domain import NotFound, ValidationFailed
from ..domain.intelligence_configs import render_configuration
from ..domain.operators import render_operator, render_version, version_summary
from .common import (
    Account,
    Backend,
    JsonBody,
    Paging,
    json_response,
    no_content,
    page_body,
    write_action,
)

__all__ = ["router"]

router = APIRouter()
_CONFIGS = "/v3/ControlPlane/Configurations"
_OPERATORS = "/v3/ControlPlane/Operators"


# Declared before the body, so that an unknown id answers 404 before body errors.
async def _configuration(em: Backend, account: Account, config_id: str) -> dict[str, Any]:
    return em.configurations.fetch(account, config_id)


async def _operator(em: Backend, account: Account, operator_id: str) -> dict[str, Any]:
    return em.operators.fetch(account, operator_id)


ExistingConfiguration = Annotated[dict[str, Any], Depends(_configuration)]
ExistingOperator = Annotated[dict[str, Any], Depends(_operator)]


def _operator_response(em: Backend, doc: dict[str, Any], status: int = 200) -> Response:
    return json_response(render_operator(doc, em.traps), status, {"ETag": str(doc["version"])})


# -- Configurations ---------------------------------------------------------------


@router.post(_CONFIGS)
@write_action
def create_configuration(em: Backend, account: Account, body: JsonBody) -> Response:
    return json_response(render_configuration(em.configurations.create(account, body)), 201)


@router.get(_CONFIGS)
async def list_configurations(em: Backend, account: Account, paging: Paging) -> Response:
    page = em.configurations.page(account, paging.size, paging.token)
    return json_response(page_body("items", [render_configuration(d) for d in page.items], page))


@router.get(_CONFIGS + "/{config_id}")
async def fetch_configuration(doc: ExistingConfiguration) -> Response:
    return json_response(render_configuration(doc))


@router.put(_CONFIGS + "/{config_id}")
@write_action
def update_configuration(
    em: Backend, account: Account, config_id: str, _: ExistingConfiguration, body: JsonBody
) -> Response:
    return json_response(render_configuration(em.configurations.update(account, config_id, body)))


@router.delete(_CONFIGS + "/{config_id}")
@write_action
def delete_configuration(em: Backend, account: Account, config_id: str) -> Response:
    em.configurations.delete(account, config_id)
    return no_content()


# -- Operators --------------------------------------------------------------------


@router.get(_OPERATORS)
async def list_operators(em: Backend, account: Account, paging: Paging) -> Response:
    page = em.operators.page(account, paging.size, paging.token)
    items = [render_operator(doc, em.traps) for doc in page.items]
    return json_response(page_body("items", items, page))


@router.post(_OPERATORS)
@write_action
def create_operator(em: Backend, account: Account, body: JsonBody) -> Response:
    return _operator_response(em, em.operators.create(account, body), 201)


@router.get(_OPERATORS + "/{operator_id}")
async def fetch_operator(em: Backend, doc: ExistingOperator) -> Response:
    return _operator_response(em, doc)


@router.put(_OPERATORS + "/{operator_id}")
@write_action
def update_operator(
    request: Request,
    em: Backend,
    account: Account,
    operator_id: str,
    _: ExistingOperator,
    body: JsonBody,
) -> Response:
    if_match = request.headers.get("if-match")
    return _operator_response(em, em.operators.update(account, operator_id, body, if_match))


@router.delete(_OPERATORS + "/{operator_id}")
@write_action
def delete_operator(em: Backend, account: Account, operator_id: str) -> Response:
    em.operators.delete(account, operator_id)
    return no_content()


@router.get(_OPERATORS + "/{operator_id}/Versions")
async def list_operator_versions(
    em: Backend, account: Account, operator_id: str, paging: Paging
) -> Response:
    page = em.operators.list_versions(account, operator_id, paging.size, paging.token)
    return json_response(page_body("items", [version_summary(d) for d in page.items], page))


@router.get(_OPERATORS + "/{operator_id}/Versions/{version}")
async def fetch_operator_version(
    em: Backend, account: Account, operator_id: str, version: str
) -> Response:
    if not version.isdigit() or not version.isascii():
        em.operators.fetch(account, operator_id)
        raise ValidationFailed("version: must be an integer")
    if len(version) > 9:
        raise NotFound(f"Version {version} not found")
    doc = em.operators.fetch_version(account, operator_id, int(version))
    return json_response(render_version(doc, em.traps))


# -- RuleExecutions (intelligence-v3 §3.18) ------------------------------------------


@router.post("/v3/RuleExecutions")
@write_action
def create_rule_execution(em: Backend, account: Account, body: JsonBody) -> Response:
    em.rule_executions.execute(account, body)
    return Response(status_code=202)
