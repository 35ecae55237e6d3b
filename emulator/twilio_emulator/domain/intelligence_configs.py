"""Intelligence Configurations (v3): containers of up to five rules.

The trap (gotchas A1): a PUT answers 200 with ``version`` + 1, yet from then on
the configuration is internally inactive and produces no results. The flag is
stored beside the resource (``internal.active``) and never rendered.
"""

from __future__ import annotations

from typing import Any

from .checks import Checker, join, join_index
from .collection import Collection
from .knowledge_refs import KnowledgeReferences
from .knowledge_sources import KnowledgeSourceService
from .operators import OperatorService, check_parameter_value
from .runtime import Runtime

__all__ = ["CONFIGURATION_PREFIX", "RULE_PREFIX", "ConfigurationService", "render_configuration"]

CONFIGURATION_PREFIX = "intelligence_configuration"
RULE_PREFIX = "intelligence_configurationrule"
TRIGGERS = ("COMMUNICATION", "CONVERSATION_END", "CONVERSATION_INACTIVE")
_KIND = "intelligence_configuration"


def render_configuration(doc: dict[str, Any]) -> dict[str, Any]:
    """The public resource: everything except the internal bookkeeping."""
    return {key: value for key, value in doc.items() if key != "internal"}


class ConfigurationService(Collection):
    kind = _KIND
    noun = "Intelligence Configuration"
    list_name = "configurations"

    def __init__(
        self,
        rt: Runtime,
        operators: OperatorService,
        *,
        knowledge: KnowledgeSourceService | None = None,
    ) -> None:
        super().__init__(rt)
        self.operators = operators
        # Knowledge ids in rules are checked against it when the setting asks (§4.14).
        self.knowledge = None if knowledge is None else KnowledgeReferences(knowledge)

    def create(self, account: str, body: dict[str, Any]) -> dict[str, Any]:
        fields = self._validate(account, body, existing_rules=None)
        now = self.rt.timestamp()
        doc: dict[str, Any] = {"accountId": account, "id": self.rt.ids.new(CONFIGURATION_PREFIX)}
        doc["displayName"] = fields["displayName"]
        if "description" in fields:
            doc["description"] = fields["description"]
        doc.update(version=1, rules=fields["rules"], dateCreated=now, dateUpdated=now)
        doc["internal"] = {"active": True}
        self.rt.store.put(_KIND, account, doc["id"], doc)
        return doc

    def update(self, account: str, config_id: str, body: dict[str, Any]) -> dict[str, Any]:
        old = self.fetch(account, config_id)
        existing = {rule["id"] for rule in old["rules"]}
        fields = self._validate(account, body, existing_rules=existing)
        doc: dict[str, Any] = {"accountId": account, "id": config_id}
        doc["displayName"] = fields["displayName"]
        if "description" in fields:
            doc["description"] = fields["description"]
        doc.update(
            version=int(old["version"]) + 1,
            rules=fields["rules"],
            dateCreated=old["dateCreated"],
            dateUpdated=self.rt.timestamp(),
        )
        active = bool(old["internal"]["active"]) and not self.rt.traps.put_deactivates_configuration
        doc["internal"] = {"active": active}
        self.rt.store.put(_KIND, account, config_id, doc)
        return doc

    def delete(self, account: str, config_id: str) -> None:
        self.fetch(account, config_id)
        self.rt.store.delete(_KIND, account, config_id)

    def is_active(self, doc: dict[str, Any]) -> bool:
        return bool(doc.get("internal", {}).get("active", True))

    # -- validation ------------------------------------------------------------

    def _validate(
        self, account: str, body: dict[str, Any], existing_rules: set[str] | None
    ) -> dict[str, Any]:
        """Bean-style checks (20001), then operator references (70001)."""
        c = Checker()
        out: dict[str, Any] = {}
        name = c.get(body, "displayName", "", required=True)
        if name is not None and c.string(name, "displayName", min_len=1, max_len=128):
            out["displayName"] = name
        description = c.get(body, "description", "", required=False)
        if description is not None and c.string(description, "description") is not None:
            out["description"] = description
        rules_value = c.get(body, "rules", "", required=True)
        rules: list[dict[str, Any]] = []
        if rules_value is not None:
            items = c.array(rules_value, "rules", max_items=5)
            seen: set[str] = set()
            for index, item in enumerate(items or []):
                rule = self._rule(c, item, join_index("rules", index), existing_rules, seen)
                if rule is not None:
                    rules.append(rule)
        c.raise_if_failed()
        refs = Checker()
        for index, rule in enumerate(rules):
            for op_index, ref in enumerate(rule["operators"]):
                self._check_reference(refs, account, ref, f"rules[{index}].operators[{op_index}]")
        # Unknown operators and versions are "operator validation" errors.
        refs.raise_if_failed(code=70001)
        types = Checker()
        for index, rule in enumerate(rules):
            for op_index, ref in enumerate(rule["operators"]):
                self._check_parameters(types, account, ref, f"rules[{index}].operators[{op_index}]")
        if self.knowledge is not None:
            self.knowledge.check_context(types, account, rules)
        types.raise_if_failed()
        for rule in rules:
            if "id" not in rule:
                rule["id"] = self.rt.ids.new(RULE_PREFIX)
        out["rules"] = [_ordered_rule(rule) for rule in rules]
        return out

    def _rule(
        self,
        c: Checker,
        value: Any,
        path: str,
        existing_rules: set[str] | None,
        seen: set[str],
    ) -> dict[str, Any] | None:
        obj = c.object(value, path)
        if obj is None:
            return None
        rule: dict[str, Any] = {}
        rule_id = obj.get("id")
        # A create body has no rule ids; one sent anyway is ignored (ids are
        # server-assigned). On PUT an id must name a rule of this configuration.
        if (
            existing_rules is not None
            and rule_id is not None
            and c.string(rule_id, join(path, "id")) is not None
        ):
            if rule_id not in existing_rules:
                c.fail(join(path, "id"), f"rule {rule_id} does not belong to this configuration")
            elif rule_id in seen:
                c.fail(join(path, "id"), f"rule {rule_id} appears more than once")
            else:
                seen.add(rule_id)
                rule["id"] = rule_id
        operators = c.get(obj, "operators", path, required=True)
        if operators is not None:
            rule["operators"] = [
                self._operator_ref(c, ref, ref_path)
                for ref, ref_path in c.objects(
                    operators, join(path, "operators"), min_items=1, max_items=5
                )
            ]
        rule["triggers"] = self._triggers(c, obj.get("triggers"), join(path, "triggers"))
        actions = c.get(obj, "actions", path, required=True)
        if actions is not None:
            rule["actions"] = self._actions(c, actions, join(path, "actions"))
        context = obj.get("context")
        if context is not None:
            parsed = self._context(c, context, join(path, "context"))
            if parsed is not None:
                rule["context"] = parsed
        return rule

    @staticmethod
    def _operator_ref(c: Checker, obj: dict[str, Any], path: str) -> dict[str, Any]:
        ref: dict[str, Any] = {}
        op_id = c.get(obj, "id", path, required=True)
        if op_id is not None and c.string(op_id, join(path, "id")) is not None:
            ref["id"] = op_id
        version = obj.get("version")
        if version is not None and c.integer(version, join(path, "version"), minimum=1):
            ref["version"] = version
        params = obj.get("parameters")
        if params is not None and c.object(params, join(path, "parameters")) is not None:
            ref["parameters"] = params
        return ref

    @staticmethod
    def _triggers(c: Checker, value: Any, path: str) -> list[dict[str, Any]]:
        # Request rules may omit triggers, but response rules require the key:
        # the emulator stores and returns [] (a rule that never fires).
        triggers: list[dict[str, Any]] = []
        if value is None:
            return triggers
        for obj, item_path in c.objects(value, path, max_items=1):
            trigger: dict[str, Any] = {}
            on = c.get(obj, "on", item_path, required=True)
            if on is not None and c.string(on, join(item_path, "on"), enum=TRIGGERS):
                trigger["on"] = on
            params_obj = c.member_object(obj, "parameters", item_path)
            if params_obj is not None:
                kept: dict[str, Any] = {}
                count = params_obj.get("count")
                if count is not None and c.integer(
                    count, join(item_path, "parameters.count"), minimum=1, maximum=20
                ):
                    kept["count"] = count
                trigger["parameters"] = kept
            triggers.append(trigger)
        return triggers

    @staticmethod
    def _actions(c: Checker, value: Any, path: str) -> list[dict[str, Any]]:
        actions: list[dict[str, Any]] = []
        for obj, item_path in c.objects(value, path, max_items=2):
            action: dict[str, Any] = {}
            kind = c.get(obj, "type", item_path, required=True)
            if kind is not None and c.string(kind, join(item_path, "type"), enum=("WEBHOOK",)):
                action["type"] = kind
            method = c.get(obj, "method", item_path, required=True)
            if method is not None and c.string(method, join(item_path, "method"), enum=("POST",)):
                action["method"] = method
            url = c.get(obj, "url", item_path, required=True)
            if url is not None and c.uri(url, join(item_path, "url")) is not None:
                action["url"] = url
            actions.append(action)
        return actions

    @staticmethod
    def _context(c: Checker, value: Any, path: str) -> dict[str, Any] | None:
        obj = c.object(value, path)
        if obj is None:
            return None
        context: dict[str, Any] = {}
        memory_obj = c.member_object(obj, "memory", path)
        if memory_obj is not None:
            kept: dict[str, Any] = {}
            enabled = memory_obj.get("enabled")
            if enabled is not None and c.boolean(enabled, join(path, "memory.enabled")) is not None:
                kept["enabled"] = enabled
            context["memory"] = kept
        k_obj = c.member_object(obj, "knowledge", path)
        if k_obj is not None:
            k_path = join(path, "knowledge")
            bases = c.get(k_obj, "bases", k_path, required=True)
            if bases is not None:
                items = c.array(bases, join(k_path, "bases"), min_items=1)
                if items is not None and all(
                    c.string(base, join_index(join(k_path, "bases"), i)) is not None
                    for i, base in enumerate(items)
                ):
                    context["knowledge"] = {"bases": list(items)}
        return context

    def _check_reference(self, c: Checker, account: str, ref: dict[str, Any], path: str) -> None:
        op_id = ref.get("id")
        if op_id is None:
            return
        if self.operators.get(account, op_id) is None:
            c.fail(join(path, "id"), f"operator {op_id} does not exist")
            return
        version = ref.get("version")
        if version is not None and self.operators.get_version(account, op_id, version) is None:
            c.fail(join(path, "version"), f"operator {op_id} has no version {version}")

    def _check_parameters(self, c: Checker, account: str, ref: dict[str, Any], path: str) -> None:
        params = ref.get("parameters")
        if not params:
            return
        operator = self.operators.get(account, ref["id"])
        if ref.get("version") is not None:
            operator = self.operators.get_version(account, ref["id"], ref["version"])
        declared = (operator or {}).get("parameters", {})
        for name, value in params.items():
            value_path = join(join(path, "parameters"), name)
            if name not in declared:
                c.fail(value_path, f"operator {ref['id']} declares no parameter {name!r}")
            elif value is not None:
                kind = declared[name]["type"]
                valid = check_parameter_value(c, kind, value, value_path)
                if valid and kind == "KNOWLEDGE_BASE_AND_SOURCE_IDS" and self.knowledge:
                    self.knowledge.check(c, account, value, value_path)


def _ordered_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """Keys in the spec's order, so responses read like the examples."""
    order = ("id", "operators", "triggers", "actions", "context")
    return {key: rule[key] for key in order if key in rule}
