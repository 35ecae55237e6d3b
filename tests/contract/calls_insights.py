"""The contract's Insights v3 calls (insights-v3.md, and the SDK where it is newer): the
Conversations query and its catalogue, query jobs and their results, custom field mappings
(``entityMetadata.intelligenceOperator``, as the SDK nests it) and their capacity."""

from __future__ import annotations

from typing import Any

from twilio.rest.insights.v3.custom_field_mapping import CustomFieldMappingList
from twilio.rest.insights.v3.query import QueryList
from twilio.rest.insights.v3.result import ResultList

from .calls_conversations import make_conversation
from .calls_intelligence import make_operator
from .calls_results import WORLD, make_world
from .harness import Entries, Run, check_id

__all__ = ["ENTRIES"]

V3 = "insights.v3."
QUERY = {
    "domain": "Conversations",
    "query": {"measures": ["Conversation.Count"], "dimensions": ["Id"]},
}
MAP = ("operator", "custom field mapping")
# The SDK (and the reference) offer no way to delete a custom field mapping.
NO_DELETE = "creates a custom field mapping, which nothing can delete"
ENTRIES = Entries()


@ENTRIES.driver(V3 + "QueryList.create", "InsightsQueryRequest{domain, query}, page_size")
def query_create(run: Run) -> None:
    page = run.got(
        run.client.insights.v3.query.create(QueryList.InsightsQueryRequest(QUERY), page_size=10)
    )
    assert page.meta is not None, vars(page)
    assert isinstance(page.items, list), vars(page)


@ENTRIES.driver(V3 + "QueryList.fetch", "page_token", (*WORLD, "second conversation"))
def query_fetch(run: Run) -> None:
    world = make_world(run)
    make_conversation(run, world["orchestrator"], "A second conversation")
    first = run.client.insights.v3.query.create(QueryList.InsightsQueryRequest(QUERY), page_size=1)
    token = (first.meta or {}).get("nextToken")
    assert token, first.meta
    second = run.got(run.client.insights.v3.query.fetch(page_token=token))
    assert len(second.items) == 1
    assert second.items != first.items


@ENTRIES.driver(V3 + "MetadataList.fetch", "")
def metadata_fetch(run: Run) -> None:
    catalogue = run.got(run.client.insights.v3.metadata.fetch())
    assert catalogue.domain == "Conversations"
    assert catalogue.cubes, vars(catalogue)


def make_job(run: Run) -> str:
    # SDK 9.13.0 bug: QueryJobList.InsightsQueryRequest names QueryList, which query_job.py
    # does not import (NameError); QueryList's request has the same to_dict.
    request: Any = QueryList.InsightsQueryRequest(QUERY)
    job = run.client.insights.v3.query_jobs.create(request)
    run.answered(202)
    return check_id(job.operation_id, "proc_job")


@ENTRIES.driver(V3 + "QueryJobList.create", "InsightsQueryRequest")
def job_create(run: Run) -> None:
    op_id = make_job(run)
    done = run.operation_done(run.client.insights.v3.query_jobs(op_id).fetch, "query job")
    assert done.status == "COMPLETED", done.status


@ENTRIES.driver(V3 + "QueryJobList.list", "", ("query job",))
def job_list(run: Run) -> None:
    op_id = make_job(run)
    assert op_id in run.listed(run.client.insights.v3.query_jobs.list(), "operation_id")


@ENTRIES.driver(V3 + "QueryJobContext.fetch", "operation_id", ("query job",))
def job_fetch(run: Run) -> None:
    op_id = make_job(run)
    fetched = run.got(run.client.insights.v3.query_jobs(op_id).fetch())
    assert fetched.operation_id == op_id
    assert fetched.status


@ENTRIES.driver(V3 + "ResultList.fetch", "operation_id", ("query job",))
def result_fetch(run: Run) -> None:
    op_id = make_job(run)
    run.operation_done(run.client.insights.v3.query_jobs(op_id).fetch, "query job")
    # SDK 9.13.0: V3 exposes no property for ResultList; it is built on the version.
    result = run.got(ResultList(run.client.insights.v3, op_id).fetch())
    assert isinstance(result.items, list), vars(result)


def mapping_body(run: Run, operator_id: str, description: str = "Lead score") -> dict[str, object]:
    return {
        "category": "MEASURE",
        "name": run.name("Score").capitalize(),
        "description": description,
        "entityMetadata": {
            "sourceType": "INTELLIGENCE_OPERATOR",
            "intelligenceOperator": {
                "operatorId": operator_id,
                "operatorName": "Score",
                "field": "score",
            },
        },
    }


def make_mapping(run: Run) -> str:
    request = CustomFieldMappingList.CustomFieldMappingRequest(
        mapping_body(run, make_operator(run))
    )
    created = run.client.insights.v3.custom_field_mappings.create(request)
    run.answered(201)  # a new name (a POST with a known name answers 200)
    ident = check_id(created.id, "convinsights_mapping")
    # The SDK offers no delete for mappings: live runs cannot clean them up (see README).
    return run.created("custom field mapping", ident, None)


@ENTRIES.driver(
    V3 + "CustomFieldMappingList.create",
    "CustomFieldMappingRequest{category, name, description, entityMetadata.intelligenceOperator}",
    ("operator",),
    not_live=NO_DELETE,
)
def mapping_create(run: Run) -> None:
    before = measure_capacity(run)
    ident = make_mapping(run)
    after = measure_capacity(run)
    assert before is not None
    assert after == {"consumed": before["consumed"] + 1, "remaining": before["remaining"] - 1}
    fetched = run.client.insights.v3.custom_field_mappings(ident).fetch()
    assert fetched.entity_metadata["intelligenceOperator"]["field"] == "score", (
        fetched.entity_metadata
    )


@ENTRIES.driver(V3 + "CustomFieldMappingList.list", "", MAP, not_live=NO_DELETE)
def mapping_list(run: Run) -> None:
    ident = make_mapping(run)
    assert ident in run.listed(run.client.insights.v3.custom_field_mappings.list())


@ENTRIES.driver(V3 + "CustomFieldMappingContext.fetch", "mapping_id", MAP, not_live=NO_DELETE)
def mapping_fetch(run: Run) -> None:
    ident = make_mapping(run)
    fetched = run.got(run.client.insights.v3.custom_field_mappings(ident).fetch())
    assert (fetched.id, fetched.category) == (ident, "MEASURE")


@ENTRIES.driver(
    V3 + "CustomFieldMappingContext.patch",
    "mapping_id, CustomFieldMappingUpdateRequest{entityMetadata}",
    MAP,
    not_live=NO_DELETE,
)
def mapping_patch(run: Run) -> None:
    ident = make_mapping(run)
    fetched = run.client.insights.v3.custom_field_mappings(ident).fetch()
    source = dict(fetched.entity_metadata["intelligenceOperator"], operatorName="Score v2")
    # The SDK's update request carries entityMetadata only (no name or description).
    update = CustomFieldMappingList.CustomFieldMappingUpdateRequest(
        {"entityMetadata": {"sourceType": "INTELLIGENCE_OPERATOR", "intelligenceOperator": source}}
    )
    patched = run.got(run.client.insights.v3.custom_field_mappings(ident).patch(update))
    assert patched.id == ident
    assert patched.entity_metadata["intelligenceOperator"]["field"] == "score"


def measure_capacity(run: Run) -> dict[str, int] | None:
    """{consumed, remaining}, or None where custom measures do not apply (``{}``)."""
    capacity = run.got(run.client.insights.v3.custom_field_mappings_capacity.fetch())
    measure: dict[str, int] | None = capacity.measure
    if measure is not None:
        assert isinstance(measure["consumed"], int), measure
        assert isinstance(measure["remaining"], int), measure
        assert measure["remaining"] >= 0, measure
    return measure


@ENTRIES.driver(V3 + "CustomFieldMappingsCapacityList.fetch", "")
def capacity_fetch(run: Run) -> None:
    measure_capacity(run)
