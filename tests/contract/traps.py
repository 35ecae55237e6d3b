"""Trap checks: behaviour the seeds report and the specs do not encode (gotchas.md), observed
through the SDK. Each returns what it saw; the emulator models each reading behind a trap, so
the same check tells which reading a live account follows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from twilio.rest.intelligence.v3.configuration import ConfigurationList
from twilio.rest.intelligence.v3.operator import OperatorList
from twilio.rest.memory.v1.store import StoreList

from .calls_conversations import make_conversation
from .calls_intelligence import operator_body, rule
from .calls_results import make_world
from .harness import Run, check_id

__all__ = ["TRAPS"]

# How long a live account is given to produce a result it is expected to produce.
RESULT_WAIT_SECONDS = 120


def put_deactivates(run: Run) -> dict[str, Any]:
    """gotchas A1: after a PUT, a configuration silently stops producing results."""
    world = make_world(run)
    results = run.client.intelligence.v3.operator_results
    run.until(lambda: results.list(conversation_id=world["conversation"]), bool, "first result")
    config = world["config"]
    first = config.rules[0]
    body = {
        "displayName": config.display_name,
        "description": "after PUT",
        "rules": [{**rule(on="COMMUNICATION"), "id": first["id"]}],
    }
    updated = run.client.intelligence.v3.configurations(config.id).update(
        ConfigurationList.UpdateConfigurationRequest(body)
    )
    after = make_conversation(run, world["orchestrator"], "Thanks again, still great")
    run.advance(RESULT_WAIT_SECONDS)
    produced = bool(results.list(conversation_id=after))
    return {"versionBumped": updated.version > config.version, "resultsAfterPut": produced}


def output_schema_rewrite(run: Run) -> dict[str, Any]:
    """gotchas A12: the service sets additionalProperties false and requires every property,
    maybe at every level."""
    schema = {
        "type": "object",
        "properties": {
            "score": {"type": "integer"},
            "detail": {"type": "object", "properties": {"reason": {"type": "string"}}},
        },
    }
    operators = run.client.intelligence.v3.operators
    created = operators.create(
        OperatorList.LanguageOperator(operator_body(run, outputSchema=schema))
    )
    ident = check_id(created.id, "intelligence_operator")
    run.created("operator", ident, operators(ident).delete)
    stored = operators(ident).fetch().output_schema or {}
    nested = stored.get("properties", {}).get("detail", {})
    return {
        "additionalProperties": stored.get("additionalProperties"),
        "required": sorted(stored.get("required") or []),
        "nestedAdditionalProperties": nested.get("additionalProperties"),
        "nestedRequired": sorted(nested.get("required") or []),
    }


def async_operations(run: Run) -> dict[str, Any]:
    """memory-v1.md §6, conversations-v2.md §3: a create answers 202 and an operation whose
    statuses end COMPLETED; which statuses appear on the way."""
    stores = run.client.memory.v1.stores
    accepted = stores.create(StoreList.ServiceRequest({"displayName": run.name("store")}))
    status = run.status()
    op_id = accepted.status_url.rsplit("/", 1)[-1]
    seen: list[str] = []

    def fetch() -> Any:
        op = run.client.memory.v1.operations(op_id).fetch()
        if not seen or seen[-1] != op.status:
            seen.append(op.status)
        return op

    done = run.operation_done(fetch, "store create")
    if done.status == "COMPLETED":
        store_id = done.result["id"]
        run.created("memory store", store_id, stores(store_id).delete)
    return {
        "createStatus": status,
        "finalStatus": done.status,
        "knownStatuses": all(s in ("PENDING", "RUNNING", "COMPLETED") for s in seen),
    }


TRAPS: dict[str, Callable[[Run], dict[str, Any]]] = {
    "trap: PUT deactivates an Intelligence Configuration": put_deactivates,
    "trap: outputSchema rewritten": output_schema_rewrite,
    "trap: asynchronous operations": async_operations,
}
