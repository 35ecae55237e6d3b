"""Running Intelligence rules on conversation events and storing OperatorResults.

A rule fires only for configurations that are linked (from the conversation
configuration, or the conversation's own override), still exist, and are
active, so the PUT trap silently stops results. COMMUNICATION rules honour
``count`` with a per-(conversation, rule) counter. A pinned RETIRED version is
a hard failure: no result. Each WEBHOOK action queues a delivery of the result
(``webhook`` documents, sent by the web layer over real HTTP with retries).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from .executor import Execution, Turn, execute
from .intelligence_configs import ConfigurationService
from .knowledge_refs import KnowledgeReferences
from .knowledge_sources import KnowledgeSourceService
from .operator_results import RESULT_KIND
from .operators import OperatorService
from .runtime import Runtime

__all__ = ["RESULT_PREFIX", "WEBHOOK_KIND", "Event", "IntelligenceRuntime"]

RESULT_PREFIX = "intelligence_operatorresult"
WEBHOOK_KIND = "webhook"


@dataclass
class Event:
    """Something that happened to a conversation, with what the rules may look at."""

    conversation: dict[str, Any]
    trigger: str  # COMMUNICATION, CONVERSATION_INACTIVE or CONVERSATION_END
    config_ids: list[str]
    communications: list[dict[str, Any]]
    participants: list[dict[str, Any]]


class _Firing(NamedTuple):
    """One rule of a configuration firing on an event, in an account."""

    account: str
    event: Event
    config: dict[str, Any]
    rule: dict[str, Any]


class IntelligenceRuntime:
    def __init__(
        self,
        rt: Runtime,
        configurations: ConfigurationService,
        operators: OperatorService,
        *,
        knowledge: KnowledgeSourceService | None = None,
    ) -> None:
        self.rt = rt
        self.configurations = configurations
        self.operators = operators
        self.knowledge = None if knowledge is None else KnowledgeReferences(knowledge)

    # -- execution ---------------------------------------------------------------------

    def on_event(self, account: str, event: Event) -> list[str]:
        """Fire the matching rules; returns the ids of the results created."""
        if not event.communications:
            return []  # executionDetails.communications needs a first and a last
        created: list[str] = []
        counters: dict[str, int] = event.conversation["internal"].setdefault("ruleCounters", {})
        for config_id in event.config_ids:
            config = self.configurations.get(account, config_id)
            if config is None or not self.configurations.is_active(config):
                continue
            for rule in config["rules"]:
                trigger = rule["triggers"][0] if rule["triggers"] else None
                if trigger is None or trigger.get("on") != event.trigger:
                    continue
                if event.trigger == "COMMUNICATION":
                    every = int(trigger.get("parameters", {}).get("count", 1))
                    counters[rule["id"]] = counters.get(rule["id"], 0) + 1
                    if counters[rule["id"]] < every:
                        continue
                    counters[rule["id"]] = 0
                firing = _Firing(account, event, config, rule)
                for ref in rule["operators"]:
                    result = self._run(firing, ref)
                    if result is not None:
                        created.append(result["id"])
        return created

    def run_rule(
        self,
        account: str,
        event: Event,
        config: dict[str, Any],
        rule: dict[str, Any],
        overrides: dict[str, dict[str, Any]],
    ) -> list[str]:
        """One stored rule run on demand (POST /v3/RuleExecutions) exactly as a triggered
        firing would run it, with per-operator parameter ``overrides`` merged over the stored
        ones. An inactive configuration (the PUT trap) silently yields nothing, as it does for
        triggered runs: the trap's "results stop" has no exception for on-demand runs."""
        if not event.communications or not self.configurations.is_active(config):
            return []
        firing = _Firing(account, event, config, rule)
        created: list[str] = []
        for ref in rule["operators"]:
            result = self._run(firing, ref, overrides.get(ref["id"], {}))
            if result is not None:
                created.append(result["id"])
        return created

    def _run(
        self, firing: _Firing, ref: dict[str, Any], override: dict[str, Any] | None = None
    ) -> dict[str, Any] | None:
        """Run one operator of a rule; stores (and returns) its OperatorResult."""
        account, event, _, rule = firing
        operator = self.resolve(account, ref)
        if operator is None:
            return None
        params = {
            name: spec["default"]
            for name, spec in operator.get("parameters", {}).items()
            if "default" in spec
        }
        params.update(ref.get("parameters", {}))
        params.update(override or {})
        roles = {p["id"]: p.get("type") or "UNKNOWN" for p in event.participants}
        conversation = [
            Turn(
                text=str(c["content"].get("text", "")),
                role=roles.get(c["author"].get("participantId"), "UNKNOWN"),
            )
            for c in event.communications
        ]
        run = execute(
            operator,
            conversation,
            params,
            lowercase_sentiment=self.rt.traps.sentiment_labels_lowercase,
        )
        doc = self._result(firing, operator=operator, params=params, run=run)
        self.rt.store.put(RESULT_KIND, account, doc["id"], doc)
        self._queue_webhooks(account, rule, doc["id"])
        return doc

    def _result(
        self,
        firing: _Firing,
        *,
        operator: dict[str, Any],
        params: dict[str, Any],
        run: Execution,
    ) -> dict[str, Any]:
        account, event, config, rule = firing
        now = self.rt.timestamp()
        communications, participants = event.communications, event.participants
        details: dict[str, Any] = {
            "trigger": {"on": event.trigger, "timestamp": now},
            "communications": {"first": communications[0]["id"], "last": communications[-1]["id"]},
            "channels": sorted({c["author"]["channel"] for c in communications}),
            "participants": [_participant_ref(p) for p in participants],
        }
        context = self._resolved_context(rule, operator, participants)
        if self.knowledge is not None:
            used = self.knowledge.used_sources(account, rule, operator, params)
            if used:
                context["knowledge"] = {"sources": used}
        if context:
            details["resolvedContext"] = context
        return {
            "id": self.rt.ids.new(RESULT_PREFIX),
            "accountId": account,
            "outputFormat": run.output_format,
            "intelligenceConfiguration": {
                "id": config["id"],
                "ruleId": rule["id"],
                "version": config["version"],
            },
            "conversationId": event.conversation["id"],
            "operator": {
                "id": operator["id"],
                "version": operator["version"],
                "parameters": params,
            },
            "dateCreated": now,
            "referenceIds": [communications[-1]["id"]],
            "executionDetails": details,
            "metadata": {
                "system": {
                    "resolvedModel": "emulator-deterministic-1",
                    "latencyMs": 5 + run.input_characters % 50,
                    "inputCharacters": run.input_characters,
                    "outputCharacters": run.output_characters,
                    "inputTruncated": False,
                }
            },
            "result": run.result,
        }

    def _queue_webhooks(self, account: str, rule: dict[str, Any], result_id: str) -> None:
        """One delivery per WEBHOOK action, due now (sent by the web layer)."""
        for index, action in enumerate(rule.get("actions", [])):
            if action.get("type") == "WEBHOOK":
                hook_id = f"{result_id}/{index}"
                hook = {
                    "id": hook_id,
                    "url": action["url"],
                    "resultId": result_id,
                    "attempts": 0,
                    "state": "PENDING",
                }
                self.rt.store.put(WEBHOOK_KIND, account, hook_id, hook, due=self.rt.now())

    def resolve(self, account: str, ref: dict[str, Any]) -> dict[str, Any] | None:
        """The operator version to run: the pinned one, else the latest ACTIVE one."""
        if self.operators.get(account, ref["id"]) is None:
            return None
        if ref.get("version") is not None:
            version = self.operators.get_version(account, ref["id"], int(ref["version"]))
            return None if version is None or version["status"] == "RETIRED" else version
        page = self.operators.list_versions(account, ref["id"], 1000, None)
        return next((v for v in page.items if v["status"] == "ACTIVE"), None)

    @staticmethod
    def _resolved_context(
        rule: dict[str, Any], operator: dict[str, Any], participants: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """Context is injected only when the rule supplies it and the operator allows it."""
        rule_ctx, op_ctx = rule.get("context", {}), operator.get("context", {})
        out: dict[str, Any] = {}
        customer = next((p for p in participants if p.get("profileId")), None)
        if (
            rule_ctx.get("memory", {}).get("enabled")
            and op_ctx.get("memory", {}).get("enabled")
            and customer
        ):
            out["memory"] = {
                "profileId": customer["profileId"],
                "memoryStoreId": customer["memoryStoreId"],
            }
        return out


def _participant_ref(participant: dict[str, Any]) -> dict[str, Any]:
    ref: dict[str, Any] = {"id": participant["id"]}
    if participant.get("profileId"):
        ref["profileId"] = participant["profileId"]
    ref["type"] = participant.get("type") or "UNKNOWN"
    return ref
