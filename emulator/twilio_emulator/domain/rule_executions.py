"""On-demand rule executions: ``POST /v3/RuleExecutions`` (intelligence-v3.md §3.18).

Runs one stored rule of one Intelligence Configuration against one conversation,
through the same runtime as a triggered run, so it yields OperatorResults (and
WEBHOOK deliveries) exactly like one: in particular an inactive configuration
(trap ``put_deactivates_configuration``) silently yields nothing. Nothing is
kept of the execution itself; the answer is 202 without a body.

Order of the checks: the body's schema (400); the configuration and its rule
(404); the parameter overrides, which need the stored rule (400); the
conversation (404); the memory store derived from the conversation's live
Orchestrator configuration (422 when that chain is broken, e.g. the
configuration was deleted).
"""

from __future__ import annotations

import re
from typing import Any

from .checks import Checker, join
from .conversation_configs import ConversationConfigService
from .conversations import ConversationService
from .errors import DomainError, NotFound
from .intelligence_configs import ConfigurationService
from .intelligence_runtime import IntelligenceRuntime
from .operators import check_parameter_value

__all__ = ["RuleExecutions", "Unprocessable"]

_CONFIGURATION_ID = re.compile(r"intelligence_configuration_[0-7][0-9a-z]{25}")
_RULE_ID = re.compile(r"intelligence_configurationrule_[0-7][0-9a-z]{25}")
_CONVERSATION_ID = re.compile(r"conv_conversation_[0-7][0-9a-z]{25}")


class Unprocessable(DomainError, status=422, code=20422):
    """The spec lists no code for this 422; 20422 follows the 20xxx = HTTP status habit."""


class RuleExecutions:
    def __init__(
        self,
        configurations: ConfigurationService,
        intelligence: IntelligenceRuntime,
        conversations: ConversationService,
        conversation_configs: ConversationConfigService,
    ) -> None:
        self.configurations = configurations
        self.intelligence = intelligence
        self.conversations = conversations
        self.conversation_configs = conversation_configs

    def execute(self, account: str, body: dict[str, Any]) -> list[str]:
        """Validate, run, and return the ids of the OperatorResults created."""
        ids, override_items = _check_body(body)
        config = self.configurations.get(account, ids["intelligenceConfigurationId"])
        if config is None:
            raise NotFound(f"Configuration {ids['intelligenceConfigurationId']} not found")
        rule = next((r for r in config["rules"] if r["id"] == ids["ruleId"]), None)
        if rule is None:
            raise NotFound(f"Rule {ids['ruleId']} is not a rule of configuration {config['id']}")
        overrides = self._overrides(account, rule, override_items)
        conversation = self.conversations.get(account, ids["conversationId"])
        if conversation is None:
            raise NotFound(f"Conversation {ids['conversationId']} not found")
        orchestrator = self.conversation_configs.get(account, conversation["configurationId"])
        if not (orchestrator or {}).get("memoryStoreId"):
            raise Unprocessable(
                f"No memoryStoreId can be derived for conversation {conversation['id']}: its "
                f"configuration {conversation['configurationId']} does not exist"
            )
        return self.conversations.execute_rule(account, conversation, config, rule, overrides)

    def _overrides(
        self, account: str, rule: dict[str, Any], items: list[tuple[dict[str, Any], str]]
    ) -> dict[str, dict[str, Any]]:
        """Override parameters by operator id, checked against the operator's definitions."""
        c = Checker()
        refs = {ref["id"]: ref for ref in rule["operators"]}
        out: dict[str, dict[str, Any]] = {}
        for item, path in items:
            ref = refs.get(item["id"])
            if ref is None:
                c.fail(join(path, "id"), f"operator {item['id']} is not an operator of the rule")
                continue
            operator = self.intelligence.resolve(account, ref) or {}
            declared: dict[str, Any] = operator.get("parameters", {})
            params_path = join(path, "parameters")
            for name, value in item["parameters"].items():
                if name not in declared:
                    c.fail(join(params_path, name), f"operator {ref['id']} declares no {name!r}")
                elif value is not None:
                    check_parameter_value(c, declared[name]["type"], value, join(params_path, name))
            effective = dict(ref.get("parameters", {}), **item["parameters"])
            for name, spec in declared.items():
                blank = effective.get(name) in (None, "")
                if spec.get("required") and "default" not in spec and blank:
                    c.fail(join(params_path, name), "must not be blank (required, no default)")
            out[ref["id"]] = dict(item["parameters"])
        c.raise_if_failed()
        return out


def _check_body(body: dict[str, Any]) -> tuple[dict[str, str], list[tuple[dict[str, Any], str]]]:
    """The three ids and the well-formed ``rule.operators`` items (400 otherwise)."""
    c = Checker()
    ids: dict[str, str] = {}
    for key, pattern in (
        ("intelligenceConfigurationId", _CONFIGURATION_ID),
        ("ruleId", _RULE_ID),
        ("conversationId", _CONVERSATION_ID),
    ):
        value = c.get(body, key, "", required=True)
        if value is not None and c.string(value, key, pattern=pattern) is not None:
            ids[key] = value
    items: list[tuple[dict[str, Any], str]] = []
    rule = c.member_object(body, "rule", "")
    if rule is not None:
        operators = c.get(rule, "operators", "rule", required=True)
        for obj, path in c.objects(operators, "rule.operators") if operators is not None else ():
            op_id = c.get(obj, "id", path, required=True)
            params = c.get(obj, "parameters", path, required=True)
            good_id = op_id is not None and c.string(op_id, join(path, "id")) is not None
            good_params = params is not None and c.object(params, join(path, "parameters"))
            if good_id and good_params is not None:
                items.append((obj, path))
    c.raise_if_failed()
    return ids, items
