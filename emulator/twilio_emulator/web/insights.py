"""Insights v3 routes (insights-v3.md; paths and shapes per twilio 9.13.0).

- ``POST /v3/InsightsDomains/Conversations/Query?pageSize=`` runs a query, first page;
- ``GET  /v3/InsightsDomains/Conversations/Query?pageToken=`` the following pages;
- ``GET  /v3/InsightsDomains/Conversations/Metadata`` the catalogue;
- ``POST|GET /v3/InsightsDomains/Conversations/QueryJobs``, ``GET .../QueryJobs/{id}`` and
  ``GET .../QueryJobs/{id}/Results``: the asynchronous queries;
- ``POST|GET /v3/ControlPlane/ConversationInsights/CustomFieldMappings`` upsert, list;
- ``GET|PATCH .../CustomFieldMappings/{id}`` fetch and update (SDK; ``ETag``/``If-Match``);
- ``GET .../CustomFieldMappingsCapacity`` (SDK; ``.../CustomFieldMappings/Capacity`` too).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ..domain.idempotency import check_idempotency_key
from ..domain.insights_mappings import etag, render_mapping
from .common import (
    Account,
    Backend,
    JsonBody,
    Paging,
    base_url,
    json_response,
    page_body,
    write_action,
)

__all__ = ["router"]

router = APIRouter()
_QUERY = "/v3/InsightsDomains/Conversations/Query"
_JOBS = "/v3/InsightsDomains/Conversations/QueryJobs"
_MAPPINGS = "/v3/ControlPlane/ConversationInsights/CustomFieldMappings"


@router.post(_QUERY)
async def create_query_results(
    request: Request, em: Backend, account: Account, body: JsonBody
) -> Response:
    page_size = request.query_params.get("pageSize")
    return json_response(em.insights.first_page(account, body, page_size))


@router.get(_QUERY)
async def fetch_query_results(request: Request, em: Backend, account: Account) -> Response:
    token = request.query_params.get("pageToken")
    return json_response(em.insights.next_page(account, token))


@router.get("/v3/InsightsDomains/Conversations/Metadata")
async def fetch_metadata(em: Backend, account: Account) -> Response:
    return json_response(em.insights.metadata(account))


@router.post(_JOBS)
async def create_query_job(
    request: Request, em: Backend, account: Account, body: JsonBody
) -> Response:
    key = check_idempotency_key(request.headers.get("idempotency-key"))
    with em.transaction():
        job = em.insights_jobs.submit(account, body, key)
    url = f"{base_url(request)}{_JOBS}/{job['id']}"
    rendered = em.insights_jobs.render(job, url)
    submitted = {k: rendered[k] for k in ("operationId", "status", "statusUrl", "createdAt")}
    headers = {"Location": url, "Retry-After": str(em.settings.retry_after_seconds)}
    return json_response(submitted, 202, headers)


@router.get(_JOBS)
async def list_query_jobs(
    request: Request, em: Backend, account: Account, paging: Paging
) -> Response:
    jobs = em.insights_jobs
    page = jobs.jobs(account, paging.size, paging.token, request.query_params.get("status"))
    url = f"{base_url(request)}{_JOBS}"
    items = [jobs.render(job, f"{url}/{job['id']}") for job in page.items]
    return json_response(page_body("items", items, page))


@router.get(_JOBS + "/{operation_id}")
async def fetch_query_job_status(
    request: Request, em: Backend, account: Account, operation_id: str
) -> Response:
    jobs = em.insights_jobs
    job = jobs.fetch(account, operation_id)
    rendered = jobs.render(job, f"{base_url(request)}{_JOBS}/{operation_id}")
    headers = None
    if rendered["status"] in ("PENDING", "RUNNING"):
        headers = {"Retry-After": str(em.settings.retry_after_seconds)}
    return json_response(rendered, headers=headers)


@router.get(_JOBS + "/{operation_id}/Results")
async def fetch_query_job_results(
    em: Backend, account: Account, operation_id: str, paging: Paging
) -> Response:
    return json_response(em.insights_jobs.results(account, operation_id, paging.size, paging.token))


@router.post(_MAPPINGS)
@write_action
def create_custom_field_mapping(em: Backend, account: Account, body: JsonBody) -> Response:
    mapping, created = em.insights_mappings.upsert(account, body)
    return _mapping_response(mapping, 201 if created else 200)


def _mapping_response(doc: dict[str, Any], status: int = 200) -> Response:
    return json_response(render_mapping(doc), status, {"ETag": etag(doc)})


@router.get(_MAPPINGS)
async def list_custom_field_mappings(em: Backend, account: Account) -> Response:
    # Not paginated (reference); the SDK's token pager reads meta.key, so meta is sent too.
    return json_response(page_body("mappings", em.insights_mappings.list(account)))


@router.get(_MAPPINGS + "Capacity")
@router.get(_MAPPINGS + "/Capacity")
async def fetch_custom_field_mapping_capacity(em: Backend, account: Account) -> Response:
    return json_response(em.insights_mappings.capacity(account))


@router.get(_MAPPINGS + "/{mapping_id}")
async def fetch_custom_field_mapping(em: Backend, account: Account, mapping_id: str) -> Response:
    return _mapping_response(em.insights_mappings.fetch(account, mapping_id))


@router.patch(_MAPPINGS + "/{mapping_id}")
@write_action
def update_custom_field_mapping(
    request: Request, em: Backend, account: Account, mapping_id: str, body: JsonBody
) -> Response:
    if_match = request.headers.get("if-match")
    return _mapping_response(em.insights_mappings.patch(account, mapping_id, body, if_match))
