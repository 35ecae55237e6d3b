"""Checking the kinds whose bodies need more than their model's field rules: names that refer to
each other (typed references, ``_core.refs``), rules and their operators' parameters, stores
given by id."""

from __future__ import annotations

from typing import Any

from .._core import refs as _refs
from .._core.kinds import STORE_ID, TWILIO_OPERATOR_IDS, Kind, twilio_operator_id
from .._core.refs import Ref
from ..errors import unknown_fields
from .checker import KindCheck, _in_resource
from .knowledge import KnowledgeChecks
from .memory_checks import MemoryChecks
from .state import PLACEHOLDER_ID, DesiredState


class Checker(MemoryChecks, KnowledgeChecks):
    def build(self, data: dict[str, Any], files: list[Any]) -> DesiredState:
        state = super().build(data, files)
        self._unique_source_names(state)
        return state

    @property
    def _checks(self) -> dict[str, KindCheck]:
        """Kinds whose bodies need more than their model's field rules (the rest: ``_plain``)."""
        return {
            "Operator": self._operator,
            "MemoryStore": self._store,
            "IntelligenceConfiguration": self._configuration,
            "ConversationConfiguration": self._conversation,
            "KnowledgeSource": self._knowledge_source,
            # Memory Store contents (memory_checks)
            "IdentityResolutionSettings": self._identity_settings,
            "TraitGroup": self._trait_group,
            "DataMapping": self._data_mapping,
        }

    def _operator(
        self, kind: Kind, name: str, body: dict[str, Any], _: DesiredState
    ) -> dict[str, Any]:
        resource = f"{kind.name} {name}"
        strategy = body.get("updateStrategy", "replace")
        if strategy not in ("replace", "in-place"):
            self.fail(
                resource,
                f"operators.{name}.updateStrategy",
                "updateStrategy",
                "must be 'replace' or 'in-place'",
            )
        self._validate(kind.load("model"), resource, f"{kind.section}.{name}", body)
        return body

    def _store(
        self, kind: Kind, name: str, body: dict[str, Any], _: DesiredState
    ) -> dict[str, Any]:
        resource = f"{kind.name} {name}"
        if "existingId" in body:
            self._existing_store(resource, f"memoryStores.{name}", body)
            return body
        self._validate(kind.load("model"), resource, f"{kind.section}.{name}", body)
        return body

    def _existing_store(self, resource: str, path: str, body: dict[str, Any]) -> None:
        """A reference to a store made elsewhere: a store id in ``existingId``, nothing else."""
        existing = body["existingId"]
        problem = None
        if not isinstance(existing, str):
            problem = "must be a string: the id of an existing store"
        elif not STORE_ID.match(existing):
            problem = (
                f"should match pattern '{STORE_ID.pattern}' (a store id such as "
                "mem_store_01k1etk2y5f1y9fpe2epfdtvv2)"
            )
        if problem:
            self.fail(resource, f"{path}.existingId", "existingId", problem)
        extra = sorted(set(body) - {"existingId"})
        if extra:
            others = f"a reference to an existing store takes no other fields ({', '.join(extra)})"
            self.fail(resource, path, "existingId", others)

    # intelligence configurations ------------------------------------------------------------
    def _configuration(
        self, kind: Kind, name: str, body: dict[str, Any], state: DesiredState
    ) -> dict[str, Any]:
        resource = f"{kind.name} {name}"
        base = f"{kind.section}.{name}"
        rules_in = body.get("rules") or {}
        if not isinstance(rules_in, dict):
            self.fail(resource, f"{base}.rules", "rules", "must be a mapping of rule name -> rule")
            rules_in = {}
        api_rules: list[dict[str, Any]] = []
        translate: dict[str, str] = {}
        for r, (rule_name, rule) in enumerate(rules_in.items()):
            translate[f"rules[{r}]"] = f"rules.{rule_name}"
            api_rules.append(
                self._rule(
                    resource=resource,
                    path=f"{base}.rules.{rule_name}",
                    rule=rule,
                    state=state,
                    index=r,
                    translate=translate,
                )
            )
        api_body = {**{k: v for k, v in body.items() if k != "rules"}, "rules": api_rules}
        self._validate(kind.load("model"), resource, base, _placeholders(api_body), translate)
        return api_body

    def _rule(
        self,
        *,
        resource: str,
        path: str,
        rule: Any,
        state: DesiredState,
        index: int,
        translate: dict[str, str],
    ) -> dict[str, Any]:
        if not isinstance(rule, dict):
            self.fail(resource, path, _in_resource(path), "a rule must be a mapping")
            return {"operators": []}
        allowed = {"operators", "trigger", "actions", "context"}
        for key in sorted(set(rule) - allowed, key=str):
            self.fail(
                resource,
                f"{path}.{key}",
                _in_resource(f"{path}.{key}"),
                unknown_fields([str(key)], allowed),
            )
        operators = rule.get("operators") or {}
        if not isinstance(operators, dict):
            self.fail(
                resource,
                f"{path}.operators",
                _in_resource(f"{path}.operators"),
                "must be a mapping of operator name -> options",
            )
            operators = {}
        api_ops = []
        for o, (ref, options) in enumerate(operators.items()):
            translate[f"rules[{index}].operators[{o}]"] = (
                f"{translate[f'rules[{index}]']}.operators.{ref}"
            )
            api_ops.append(
                self._rule_operator(
                    resource, f"{path}.operators.{ref}", str(ref), options or {}, state
                )
            )
        api_rule: dict[str, Any] = {"operators": api_ops, "actions": rule.get("actions") or []}
        trigger = rule.get("trigger")
        if trigger is not None:
            triggers = self._trigger(resource, path, trigger, index, translate)
            if triggers is not None:
                api_rule["triggers"] = triggers
        if rule.get("context") is not None:
            api_rule["context"] = self._knowledge_context(resource, path, rule["context"], state)
        return api_rule

    def _trigger(
        self, resource: str, path: str, trigger: Any, index: int, translate: dict[str, str]
    ) -> list[dict[str, Any]] | None:
        """A rule's trigger, ``{on, count}`` in the file, as the API's one-item list."""
        if not isinstance(trigger, dict):
            self.fail(
                resource,
                f"{path}.trigger",
                _in_resource(f"{path}.trigger"),
                "must be {on: ..., count: ...}",
            )
            return None
        translate[f"rules[{index}].triggers[0].parameters"] = (
            f"{translate[f'rules[{index}]']}.trigger"
        )
        translate[f"rules[{index}].triggers[0]"] = f"{translate[f'rules[{index}]']}.trigger"
        params = {"count": trigger["count"]} if "count" in trigger else {}
        extra = [str(k) for k in trigger if k not in ("on", "count")]
        if extra:  # in the file a trigger is {on, count}, not the API's shape
            self.fail(
                resource,
                f"{path}.trigger",
                _in_resource(f"{path}.trigger"),
                unknown_fields(extra, ("on", "count")),
            )
        return [{"on": trigger.get("on"), "parameters": params}]

    def _rule_operator(
        self, resource: str, path: str, ref: str, options: Any, state: DesiredState
    ) -> dict[str, Any]:
        if not isinstance(options, dict):
            self.fail(
                resource,
                path,
                _in_resource(path),
                "operator options must be a mapping (version, parameters)",
            )
            options = {}
        declared: dict[str, Any] | None = None
        if ref in state.operators:
            declared = state.operators[ref].get("parameters") or {}
            if not isinstance(declared, dict):
                declared = None  # the operator's own check reports its parameters
        elif twilio_operator_id(ref) is None and not self.defined(
            "operators", ref, state.operators
        ):
            known = sorted([*state.operators, *TWILIO_OPERATOR_IDS])
            self.fail(
                resource,
                path,
                _in_resource(path),
                f"unknown operator {ref!r}; define it under operators or use one of "
                f"{', '.join(known)}",
            )
        supplied = options.get("parameters") or {}
        if declared is not None and isinstance(supplied, dict):
            self._parameters(resource, path, ref, declared, supplied)
            knowledge = {
                pname: self._knowledge_parameter(
                    resource, f"{path}.parameters.{pname}", value, state
                )
                for pname, value in supplied.items()
                if isinstance(declared.get(pname), dict)
                and str(declared[pname].get("type", "")).upper() == "KNOWLEDGE_BASE_AND_SOURCE_IDS"
            }
            if knowledge:
                options = {**options, "parameters": {**supplied, **knowledge}}
        return {"ref": Ref("Operator", ref, bare=True), **options}

    def _parameters(
        self, resource: str, path: str, ref: str, declared: dict[str, Any], supplied: dict[str, Any]
    ) -> None:
        for pname, value in supplied.items():
            spec = declared.get(pname)
            if spec is not None and not isinstance(spec, dict):
                continue  # a malformed declaration: the operator's own check reports it
            if spec is None:
                self.fail(
                    resource,
                    f"{path}.parameters.{pname}",
                    _in_resource(f"{path}.parameters.{pname}"),
                    f"operator {ref!r} declares no parameter {pname!r}",
                )
                continue
            kind = str(spec.get("type", "")).upper()
            if kind in _PYTHON_TYPES and not _is_type(value, kind):
                self.fail(
                    resource,
                    f"{path}.parameters.{pname}",
                    _in_resource(f"{path}.parameters.{pname}"),
                    f"must be a {kind} value",
                )
        for pname, spec in declared.items():
            if (
                isinstance(spec, dict)
                and spec.get("required")
                and pname not in supplied
                and spec.get("default") is None
            ):
                self.fail(
                    resource,
                    f"{path}.parameters",
                    _in_resource(f"{path}.parameters"),
                    f"required parameter {pname!r} of operator {ref!r} is not supplied",
                )

    # conversation configurations ------------------------------------------------------------
    def _conversation(
        self, kind: Kind, name: str, body: dict[str, Any], state: DesiredState
    ) -> dict[str, Any]:
        resource = f"{kind.name} {name}"
        base = f"{kind.section}.{name}"
        api_body = {
            k: v for k, v in body.items() if k not in ("memoryStore", "intelligenceConfigurations")
        }
        store = body.get("memoryStore")
        if store is not None or "memoryStoreId" not in body:
            or_ = ", or give memoryStoreId"
            api_body["memoryStoreId"] = self.store_ref(resource, base, body, state, or_=or_)
        api_body["intelligenceConfigurationIds"] = self._links(resource, base, body, state)
        api_body.setdefault("description", "Managed by pulumi-twilio-intelligence")
        translate = {
            "intelligenceConfigurationIds": "intelligenceConfigurations",
            "memoryStoreId": "memoryStore" if store is not None else "memoryStoreId",
        }
        model = kind.load("model")
        self._validate(model, resource, base, _placeholders(api_body), translate)
        # Deprecated spellings (channelSettings.*.status_timeouts, ...) become the API's keys, so
        # the policy checks and the drift command read one spelling; the references stay typed.
        canonical: dict[str, Any] = model.canonical(api_body)
        for ref_field in kind.references:
            if ref_field.api_key in api_body:
                canonical[ref_field.api_key] = api_body[ref_field.api_key]
        return canonical

    def _links(
        self, resource: str, base: str, body: dict[str, Any], state: DesiredState
    ) -> list[Ref]:
        """A Conversation configuration's ``intelligenceConfigurations``, as typed references."""
        links = body.get("intelligenceConfigurations") or []
        if not isinstance(links, list):
            self.fail(
                resource,
                f"{base}.intelligenceConfigurations",
                "intelligenceConfigurations",
                "must be a list of configuration names",
            )
            links = []
        for i, link in enumerate(links):
            if not isinstance(link, str):
                self.fail(
                    resource,
                    f"{base}.intelligenceConfigurations[{i}]",
                    f"intelligenceConfigurations[{i}]",
                    "must be the name of an intelligence configuration of this file",
                )
            elif not self.defined(
                "intelligenceConfigurations", link, state.intelligence_configurations
            ):
                self.fail(
                    resource,
                    f"{base}.intelligenceConfigurations[{i}]",
                    "intelligenceConfigurations",
                    f"unknown intelligence configuration {link!r}",
                )
        return [Ref("IntelligenceConfiguration", link) for link in links if isinstance(link, str)]


_PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "STRING": (str,),
    "INTEGER": (int,),
    "NUMBER": (int, float),
    "BOOLEAN": (bool,),
}


def _is_type(value: Any, kind: str) -> bool:
    if kind in ("INTEGER", "NUMBER") and isinstance(value, bool):
        return False
    return isinstance(value, _PYTHON_TYPES[kind])


def _placeholder(ref: Ref) -> str:
    """What a reference stands for while field rules are checked: a well-formed operator id (the
    model checks ids' shape); the reference's own text for the rest (only its presence counts)."""
    return PLACEHOLDER_ID if ref.kind == "Operator" else str.__str__(ref)


def _placeholders(body: dict[str, Any]) -> dict[str, Any]:
    """The API body with references replaced by placeholders, for field checks."""
    checked: dict[str, Any] = _refs.resolve(body, _placeholder)
    return checked
