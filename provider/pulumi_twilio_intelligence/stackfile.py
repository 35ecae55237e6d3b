"""Desired-state files: one per environment, built from a shared base plus overlays.

A file may say ``extends: base.yaml``. Overlays merge into what they extend: mappings merge key by
key, lists and scalars replace, and ``null`` removes a key. Rules and the operators of a rule are
mappings keyed by name for that reason: an overlay can change one webhook URL, one trigger count
or one version pin without repeating the rest.

Everything is checked here, before any resource is registered and so before any request: the
shape of each file, names that refer to each other, rule parameters against the operators'
declared parameters, and every field rule of the resources. Each error names the file and line,
the resource, the field and the rule.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from .errors import ValidationError, Violation
from .resources import TWILIO_OPERATOR_IDS

if TYPE_CHECKING:
    from ._spec import ResourceModel

__all__ = ["DesiredState", "load"]

SECTIONS = ("operators", "intelligenceConfigurations", "memoryStores", "conversationConfigurations")
BOOKKEEPING_KEYS = {"adoptId", "updateStrategy", "existingId"}
OPERATOR_ID = re.compile(r"^intelligence_operator_[0-7][0-9a-z]{25}$")
# Stands in for ids that exist only after deployment, so that field rules can be checked now.
PLACEHOLDER_ID = "intelligence_operator_0000000000000000000000000"
NAME = re.compile(r"^[A-Za-z][A-Za-z0-9-]*$")


@dataclass
class DesiredState:
    """A merged, checked desired state. Bodies are API-shaped, with references still by name."""

    files: list[Path]
    operators: dict[str, dict[str, Any]] = field(default_factory=dict)
    intelligence_configurations: dict[str, dict[str, Any]] = field(default_factory=dict)
    memory_stores: dict[str, dict[str, Any]] = field(default_factory=dict)
    conversation_configurations: dict[str, dict[str, Any]] = field(default_factory=dict)


# --- reading YAML with positions ---------------------------------------------------------
# libyaml's parser when the wheel has it (it is several times faster than the pure-Python one).
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeLoader):  # type: ignore[valid-type,misc] # a class chosen at import time
    """YAML 1.2 booleans: only true/false. In YAML 1.1 the trigger key ``on`` would read as True."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _read(path: Path, locations: dict[str, str]) -> dict[str, Any]:
    """Parse one file once: its data, and the line of every value (into ``locations``)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        reason = f"cannot read: {exc.strerror}"
        raise ValidationError([Violation("stack file", "", reason, str(path))]) from None
    except UnicodeDecodeError as exc:
        reason = f"not valid YAML: not UTF-8 text (byte {exc.start})"
        raise ValidationError([Violation("stack file", "", reason, str(path))]) from None
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise ValidationError(
            [Violation("stack file", "", f"not valid YAML: {exc}", where)]
        ) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise ValidationError(
            [Violation("stack file", "", "must be a mapping of sections", f"{path}:1")]
        )
    if node is not None:
        try:
            _record(node, "", path, locations)
        except RecursionError:  # an alias inside what it names: the data has no end
            reason = "not valid YAML: nested too deeply, or an alias refers to itself"
            raise ValidationError([Violation("stack file", "", reason, str(path))]) from None
    return data


def _record(
    node: yaml.Node, path: str, file: Path, locations: dict[str, str], line: int | None = None
) -> None:
    """The line of every value; a value under a key is at the key's line (a block value starts
    on the line after its key, and "rules: must be a mapping" belongs on the `rules:` line)."""
    locations[path] = f"{file}:{(node.start_mark.line if line is None else line) + 1}"
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = f"{path}.{key.value}" if path else str(key.value)
            _record(value, child, file, locations, key.start_mark.line)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record(item, f"{path}[{index}]", file, locations)


def _merge(base: Any, overlay: Any) -> Any:
    if isinstance(base, dict) and isinstance(overlay, dict):
        merged = dict(base)
        for key, value in overlay.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = _merge(base.get(key), value)
        return merged
    return overlay


def load(path: str | Path, *, cache_dir: Path | None = None) -> DesiredState:
    """Read, merge and check a desired-state file. Raises ValidationError with every problem.

    With ``cache_dir``, a state that passed its checks is kept there, keyed by the content of
    every file of the chain and by the source of the checks themselves; an unchanged chain is
    then read back without checking it again (no pydantic in the Pulumi program: that is most of
    a no-change preview's cost beyond the engine's own)."""
    layers: list[tuple[Path, dict[str, Any], dict[str, str]]] = []
    current: Path | None = Path(path).resolve()
    while current is not None:  # the file, then what it extends, then what that extends...
        if any(current == seen for seen, _, _ in layers):
            raise ValidationError(
                [Violation("stack file", "extends", "extends itself (a cycle)", str(current))]
            )
        positions: dict[str, str] = {}
        data = _read(current, positions)
        layers.append((current, data, positions))
        parent = data.pop("extends", None)
        current = (current.parent / str(parent)).resolve() if parent is not None else None
    files = [file for file, _, _ in reversed(layers)]
    cached = _cache_path(cache_dir, files) if cache_dir is not None else None
    if cached is not None and cached.is_file():
        return _from_json(cached.read_text(), files)
    merged: dict[str, Any] = {}
    locations: dict[str, str] = {}
    for _, data, positions in reversed(layers):  # base first; later files override
        merged = _merge(merged, data)
        locations.update(positions)
    checker = _Checker(locations)
    state = checker.build(merged, files)
    if checker.violations:
        raise ValidationError(checker.violations)
    if cached is not None:
        try:
            text = _to_json(state)
        except TypeError:
            return state  # a YAML value JSON cannot hold (a date, say): just not cached
        _write_atomically(cached, text)
    return state


# --- the cache of checked states -----------------------------------------------------------
_CHECK_SOURCES = ("stackfile.py", "_models.py", "_spec.py", "_outputschema.py", "resources.py")


def _cache_path(cache_dir: Path, files: list[Path]) -> Path:
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for name in _CHECK_SOURCES:  # a new version of the checks invalidates every entry
        digest.update((here / name).read_bytes())
    for file in files:
        digest.update(str(file).encode() + b"\0" + file.read_bytes() + b"\0")
    return cache_dir / f"{digest.hexdigest()}.json"


def _to_json(state: DesiredState) -> str:
    return json.dumps(
        {
            "operators": state.operators,
            "intelligenceConfigurations": state.intelligence_configurations,
            "memoryStores": state.memory_stores,
            "conversationConfigurations": state.conversation_configurations,
        }
    )


def _from_json(text: str, files: list[Path]) -> DesiredState:
    data = json.loads(text)
    return DesiredState(
        files=files,
        operators=data["operators"],
        intelligence_configurations=data["intelligenceConfigurations"],
        memory_stores=data["memoryStores"],
        conversation_configurations=data["conversationConfigurations"],
    )


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_text(text)
    temporary.replace(path)  # readers see the whole entry or none


# --- checking ----------------------------------------------------------------------------
class _Checker:
    def __init__(self, locations: dict[str, str]) -> None:
        self.locations = locations
        self.violations: list[Violation] = []

    def where(self, path: str) -> str | None:
        while path:
            if path in self.locations:
                return self.locations[path]
            # Drop the last step ("[3]" or ".name"). Always strictly shorter: a last step such as
            # pydantic's ".[key]" (a bad mapping key) once left the path as it was, forever.
            index = re.search(r"\[\d+\]$", path)
            path = path[: index.start()] if index else path.rpartition(".")[0]
        return self.locations.get("")

    def fail(self, resource: str, file_path: str, field_path: str, rule: str) -> None:
        self.violations.append(Violation(resource, field_path, rule, self.where(file_path)))

    def build(self, data: dict[str, Any], files: list[Path]) -> DesiredState:
        for key in data:
            if key not in SECTIONS:
                self.fail(
                    "stack file",
                    str(key),
                    str(key),
                    f"unknown section; expected one of {', '.join(SECTIONS)}",
                )
        state = DesiredState(files=files)
        sections = {s: self._section(data, s) for s in SECTIONS}
        state.operators = {n: self._operator(n, b) for n, b in sections["operators"].items()}
        state.memory_stores = {n: self._store(n, b) for n, b in sections["memoryStores"].items()}
        state.intelligence_configurations = {
            n: self._configuration(n, b, state)
            for n, b in sections["intelligenceConfigurations"].items()
        }
        state.conversation_configurations = {
            n: self._conversation(n, b, state)
            for n, b in sections["conversationConfigurations"].items()
        }
        return state

    def _section(self, data: dict[str, Any], section: str) -> dict[str, dict[str, Any]]:
        value = data.get(section) or {}
        if not isinstance(value, dict):
            self.fail("stack file", section, section, "must be a mapping of name -> definition")
            return {}
        result: dict[str, dict[str, Any]] = {}
        for name, body in value.items():
            if not NAME.match(str(name)):
                self.fail(
                    "stack file",
                    f"{section}.{name}",
                    section,
                    f"name {name!r}: letters, digits and '-', starting with a letter",
                )
            if not isinstance(body, dict):
                self.fail(
                    "stack file", f"{section}.{name}", f"{section}.{name}", "must be a mapping"
                )
                continue
            result[str(name)] = body
        return result

    def _validate(
        self,
        model: type[ResourceModel],
        resource: str,
        base: str,
        body: dict[str, Any],
        translate: dict[str, str] | None = None,
    ) -> None:
        fields = {k: v for k, v in body.items() if k not in BOOKKEEPING_KEYS}
        fields.setdefault("displayName", "placeholder")  # the real one is derived at deploy time
        try:
            model.validate_desired(fields, resource)
        except ValidationError as exc:
            for v in exc.violations:
                file_field = _translate(v.field, translate or {})
                self.fail(
                    resource, f"{base}.{file_field}" if file_field else base, file_field, v.rule
                )

    # operators ------------------------------------------------------------------------------
    def _operator(self, name: str, body: dict[str, Any]) -> dict[str, Any]:
        resource = f"Operator {name}"
        strategy = body.get("updateStrategy", "replace")
        if strategy not in ("replace", "in-place"):
            self.fail(
                resource,
                f"operators.{name}.updateStrategy",
                "updateStrategy",
                "must be 'replace' or 'in-place'",
            )
        self._validate(_models().OperatorModel, resource, f"operators.{name}", body)
        return body

    def _store(self, name: str, body: dict[str, Any]) -> dict[str, Any]:
        resource = f"MemoryStore {name}"
        if "existingId" in body:
            extra = sorted(set(body) - {"existingId"})
            if extra:
                self.fail(
                    resource,
                    f"memoryStores.{name}",
                    "existingId",
                    f"a reference to an existing store takes no other fields ({', '.join(extra)})",
                )
            return body
        self._validate(_models().MemoryStoreModel, resource, f"memoryStores.{name}", body)
        return body

    # intelligence configurations ------------------------------------------------------------
    def _configuration(
        self, name: str, body: dict[str, Any], state: DesiredState
    ) -> dict[str, Any]:
        resource = f"IntelligenceConfiguration {name}"
        base = f"intelligenceConfigurations.{name}"
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
        self._validate(
            _models().IntelligenceConfigurationModel,
            resource,
            base,
            _placeholders(api_body),
            translate,
        )
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
        for key in sorted(set(rule) - allowed):
            self.fail(
                resource,
                f"{path}.{key}",
                _in_resource(f"{path}.{key}"),
                f"unknown field; a rule has {', '.join(sorted(allowed))}",
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
            if not isinstance(trigger, dict):
                self.fail(
                    resource,
                    f"{path}.trigger",
                    _in_resource(f"{path}.trigger"),
                    "must be {on: ..., count: ...}",
                )
            else:
                translate[f"rules[{index}].triggers[0].parameters"] = (
                    f"{translate[f'rules[{index}]']}.trigger"
                )
                translate[f"rules[{index}].triggers[0]"] = f"{translate[f'rules[{index}]']}.trigger"
                params = {"count": trigger["count"]} if "count" in trigger else {}
                extra = {k: v for k, v in trigger.items() if k not in ("on", "count")}
                api_rule["triggers"] = [{"on": trigger.get("on"), "parameters": params, **extra}]
        if rule.get("context") is not None:
            api_rule["context"] = rule["context"]
        return api_rule

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
        elif ref.lower() not in TWILIO_OPERATOR_IDS and not OPERATOR_ID.match(ref):
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
        return {"ref": ref, **options}

    def _parameters(
        self, resource: str, path: str, ref: str, declared: dict[str, Any], supplied: dict[str, Any]
    ) -> None:
        for pname, value in supplied.items():
            spec = declared.get(pname)
            if spec is None:
                self.fail(
                    resource,
                    f"{path}.parameters.{pname}",
                    _in_resource(f"{path}.parameters.{pname}"),
                    f"operator {ref!r} declares no parameter {pname!r}",
                )
                continue
            kind = str(spec.get("type", "")).upper()
            if kind == "KNOWLEDGE_BASE_AND_SOURCE_IDS" and not (
                isinstance(value, str) and _models().KB_VALUE.match(value)
            ):
                self.fail(
                    resource,
                    f"{path}.parameters.{pname}",
                    _in_resource(f"{path}.parameters.{pname}"),
                    "must be 'know_knowledgebase_…:know_knowledge_…' (base id, colon, source id)",
                )
            elif kind in _PYTHON_TYPES and not _is_type(value, kind):
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
    def _conversation(self, name: str, body: dict[str, Any], state: DesiredState) -> dict[str, Any]:
        resource = f"ConversationConfiguration {name}"
        base = f"conversationConfigurations.{name}"
        api_body = {
            k: v for k, v in body.items() if k not in ("memoryStore", "intelligenceConfigurations")
        }
        store = body.get("memoryStore")
        if store is not None:
            if store not in state.memory_stores:
                self.fail(
                    resource,
                    f"{base}.memoryStore",
                    "memoryStore",
                    f"unknown memory store {store!r}; define it under memoryStores",
                )
            api_body["memoryStoreId"] = f"@{store}"
        elif "memoryStoreId" not in body:
            self.fail(
                resource,
                base,
                "memoryStore",
                "required: name a store under memoryStores, or give memoryStoreId",
            )
            api_body["memoryStoreId"] = "@"  # reported above; keep the field check quiet
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
            if link not in state.intelligence_configurations:
                self.fail(
                    resource,
                    f"{base}.intelligenceConfigurations[{i}]",
                    "intelligenceConfigurations",
                    f"unknown intelligence configuration {link!r}",
                )
        api_body["intelligenceConfigurationIds"] = [f"@{link}" for link in links]
        api_body.setdefault("description", "Managed by pulumi-twilio-intelligence")
        translate = {
            "intelligenceConfigurationIds": "intelligenceConfigurations",
            "memoryStoreId": "memoryStore" if store is not None else "memoryStoreId",
        }
        self._validate(
            _models().ConversationConfigurationModel, resource, base, api_body, translate
        )
        return api_body


def _models() -> Any:
    from . import _models as models  # noqa: PLC0415 - pydantic only when a file is checked

    return models


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


def _in_resource(file_path: str) -> str:
    """A value's field path within its resource: "section.name.rules.x" -> "rules.x"."""
    return file_path.split(".", 2)[-1]


def _placeholders(body: dict[str, Any]) -> dict[str, Any]:
    """The API body with operator references replaced by a well-formed id, for field checks."""
    rules = []
    for rule in body.get("rules", []):
        ops = [
            {**{k: v for k, v in op.items() if k != "ref"}, "id": PLACEHOLDER_ID}
            for op in rule["operators"]
        ]
        rules.append({**rule, "operators": ops})
    return {**body, "rules": rules}


def _translate(api_path: str, table: dict[str, str]) -> str:
    """Map an API field path (rules[0].operators[1]) back to the file's (rules.realtime...)."""
    for prefix in sorted(table, key=len, reverse=True):
        if api_path == prefix or api_path.startswith((prefix + ".", prefix + "[")):
            return table[prefix] + api_path[len(prefix) :]
    return api_path


def iter_refs(state: DesiredState) -> Iterator[tuple[str, str]]:
    """(configuration, operator reference) pairs, for callers that resolve references."""
    for config_name, body in state.intelligence_configurations.items():
        for rule in body["rules"]:
            for op in rule["operators"]:
                yield config_name, op["ref"]
