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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._core import kinds as _kinds
from ._core import refs as _refs
from ._core.kinds import STORE_ID, TWILIO_OPERATOR_IDS, Kind, twilio_operator_id
from ._core.refs import Ref
from ._stackyaml import read as _read
from .errors import ValidationError, Violation, unknown_fields

if TYPE_CHECKING:
    from ._spec import ResourceModel

__all__ = ["DesiredState", "load"]

BOOKKEEPING_KEYS = {"adoptId", "updateStrategy", "existingId"}
# Stands in for ids that exist only after deployment, so that field rules can be checked now.
PLACEHOLDER_ID = "intelligence_operator_0000000000000000000000000"
NAME = re.compile(r"^[A-Za-z][A-Za-z0-9-]*$")


def sections() -> tuple[str, ...]:
    """The sections a desired-state file may have, as its messages list them."""
    return tuple(kind.section for kind in _kinds.in_file_order())


Bodies = dict[str, dict[str, Any]]  # logical name -> API-shaped body


@dataclass
class DesiredState:
    """A merged, checked desired state: per kind (by section), API-shaped bodies by logical name,
    references to other objects as ``_core.refs.Ref``. ``state.operators`` and the like (each
    kind's ``attribute``) read one kind's bodies."""

    files: list[Path]
    bodies: dict[str, Bodies] = field(default_factory=dict)  # by section

    def of(self, kind: Kind) -> Bodies:
        return self.bodies.setdefault(kind.section, {})

    def __getattr__(self, name: str) -> Bodies:
        for kind in _kinds.KINDS:
            if kind.attribute == name:
                return self.of(kind)
        raise AttributeError(name)


def _merge(base: Any, overlay: Any, path: str, replaced: list[str]) -> Any:
    """Merge ``overlay`` into ``base``; ``replaced`` collects the paths whose base value the
    overlay replaced or removed (their base lines no longer describe the merged value)."""
    if isinstance(base, dict) and isinstance(overlay, dict):
        merged = dict(base)
        for key, value in overlay.items():
            child = f"{path}.{key}" if path else str(key)
            if value is None:
                if isinstance(merged.pop(key, None), dict | list):
                    replaced.append(child)
            else:
                merged[key] = _merge(base.get(key), value, child, replaced)
        return merged
    if isinstance(base, dict | list):  # only containers leave lines of their items behind
        replaced.append(path)
    return overlay


def _layers(path: str | Path) -> list[tuple[Path, dict[str, Any], dict[str, str]]]:
    """The file, then what it extends, then what that extends...: (file, data, lines)."""
    layers: list[tuple[Path, dict[str, Any], dict[str, str]]] = []
    current: Path | None = Path(path).resolve()
    while current is not None:
        # Errors about the file to read belong at the `extends:` line that named it.
        named_at = layers[-1][2].get("extends", str(layers[-1][0])) if layers else str(current)
        if any(current == seen for seen, _, _ in layers):
            raise ValidationError(
                [Violation("stack file", "extends", "extends itself (a cycle)", named_at)]
            )
        positions: dict[str, str] = {}
        try:
            data = _read(current, positions)
        except ValidationError as exc:
            if layers and any(v.rule.startswith("cannot read") for v in exc.violations):
                raise ValidationError(
                    [Violation("stack file", "extends", v.rule, named_at) for v in exc.violations]
                ) from None
            raise
        layers.append((current, data, positions))
        parent = data.pop("extends", None)
        if parent is None:
            current = None
        elif not isinstance(parent, str) or not parent.strip():
            where = positions.get("extends", f"{current}:1")
            raise ValidationError(
                [Violation("stack file", "extends", "must be a file name (one path)", where)]
            )
        else:
            try:
                current = (current.parent / parent).resolve()
            except (OSError, ValueError, RuntimeError) as exc:  # a NUL byte, a symlink loop
                where = positions.get("extends", f"{current}:1")
                raise ValidationError(
                    [Violation("stack file", "extends", f"not a usable path: {exc}", where)]
                ) from None
    return layers


def load(path: str | Path, *, cache_dir: Path | None = None) -> DesiredState:
    """Read, merge and check a desired-state file. Raises ValidationError with every problem.

    With ``cache_dir``, a state that passed its checks is kept there, keyed by the content of
    every file of the chain and by the source of the checks themselves; an unchanged chain is
    then read back without checking it again (no pydantic in the Pulumi program: that is most of
    a no-change preview's cost beyond the engine's own)."""
    layers = _layers(path)
    files = [file for file, _, _ in reversed(layers)]
    cached = _cache_path(cache_dir, files) if cache_dir is not None else None
    if cached is not None and cached.is_file():
        return _from_json(cached.read_text(), files)
    merged: dict[str, Any] = {}
    locations: dict[str, str] = {}
    for _, data, positions in reversed(layers):  # base first; later files override
        replaced: list[str] = []
        merged = _merge(merged, data, "", replaced)
        for gone in replaced:  # a replaced list's items are the overlay's, not the base's
            for stale in [p for p in locations if p.startswith((gone + ".", gone + "["))]:
                del locations[stale]
        locations.update(positions)
    checker = _Checker(locations)
    try:
        state = checker.build(merged, files)
    except Exception as exc:  # a checker bug must still read as a located error
        # The property tests feed the checker random trees so that this never runs; should it
        # run for a user, they get the file and a message to report instead of a traceback.
        checker.fail(
            "stack file",
            "",
            "",
            f"could not be checked ({type(exc).__name__}: {exc}); please report this "
            "as a bug of pulumi-twilio-intelligence",
        )
    if checker.violations:
        raise ValidationError(checker.violations)
    if cached is not None:
        try:
            text = _to_json(state)
        except (TypeError, ValueError):
            return state  # a value JSON cannot hold (binary, NaN): just not cached
        _write_atomically(cached, text)
    return state


# --- the cache of checked states -----------------------------------------------------------
_CHECK_SOURCES = (
    "stackfile.py",
    "_stackyaml.py",
    "_models.py",
    "_spec.py",
    "_outputschema.py",
    "resources.py",
    "_core/__init__.py",
    "_core/kinds.py",  # the sections, limits and id patterns
    "_core/refs.py",
    "_core/enums.py",  # the enumerations the models check against
    "errors.py",  # the wording of the unknown-field rule
    "_wire.py",
)


def _cache_path(cache_dir: Path, files: list[Path]) -> Path:
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for name in _CHECK_SOURCES:  # a new version of the checks invalidates every entry
        digest.update((here / name).read_bytes())
    for file in files:
        digest.update(str(file).encode() + b"\0" + file.read_bytes() + b"\0")
    return cache_dir / f"{digest.hexdigest()}.json"


def _to_json(state: DesiredState) -> str:
    return json.dumps(_refs.dump({kind.section: state.of(kind) for kind in _kinds.KINDS}))


def _from_json(text: str, files: list[Path]) -> DesiredState:
    data = _refs.load(json.loads(text))
    return DesiredState(files=files, bodies={k.section: data[k.section] for k in _kinds.KINDS})


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
        # Sections and definitions that are not mappings: names that refer to them are not
        # judged (their own error says what is wrong, once).
        self.broken: set[str] = set()

    def defined(self, section: str, name: str, known: dict[str, Any]) -> bool:
        return name in known or section in self.broken or f"{section}.{name}" in self.broken

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
        known = sections()
        for key in data:
            if key not in known:
                self.fail(
                    "stack file",
                    str(key),
                    str(key),
                    f"unknown section; expected one of {', '.join(known)}",
                )
        state = DesiredState(files=files)
        found = {kind.section: self._section(data, kind.section) for kind in _kinds.in_file_order()}
        for kind in _kinds.KINDS:  # dependency order: what a kind refers to is checked first
            check = self._checks.get(kind.name, self._plain)
            state.bodies[kind.section] = {
                name: check(kind, name, body, state) for name, body in found[kind.section].items()
            }
        self._account_limits(found)
        return state

    @property
    def _checks(self) -> dict[str, Callable[[Kind, str, dict[str, Any], DesiredState], Any]]:
        """Kinds whose bodies need more than their model's field rules (the rest: ``_plain``)."""
        return {
            "Operator": self._operator,
            "MemoryStore": self._store,
            "IntelligenceConfiguration": self._configuration,
            "ConversationConfiguration": self._conversation,
        }

    def _plain(self, kind: Kind, name: str, body: dict[str, Any], _: DesiredState) -> Any:
        resource = f"{kind.name} {name}"
        self._adopt_id(resource, f"{kind.section}.{name}", body)
        self._validate(kind.load("model"), resource, f"{kind.section}.{name}", body)
        return body

    # account-wide rules ---------------------------------------------------------------------
    def _account_limits(self, found: dict[str, dict[str, dict[str, Any]]]) -> None:
        """Limits of one Twilio account, which every stack file describes a part of: counts of
        objects, and display names that are unique within a kind."""
        for kind in _kinds.KINDS:
            if kind.account_limit is None:
                continue
            # An object named by existingId exists in the account too: it takes a place (once).
            seen_ids: set[str] = set()
            names = []
            for name, body in found[kind.section].items():
                existing = body.get("existingId")
                if not isinstance(existing, str) or existing not in seen_ids:
                    names.append(name)
                if isinstance(existing, str):
                    seen_ids.add(existing)
            limit = kind.account_limit
            if len(names) > limit:
                self.fail(
                    "stack file",
                    f"{kind.section}.{names[limit]}",
                    kind.section,
                    f"at most {limit} {kind.label} per account; this file has {len(names)}",
                )
        for kind in _kinds.in_file_order():
            first: dict[str, str] = {}
            for name, body in found[kind.section].items():
                display = body.get("displayName")
                if not isinstance(display, str):
                    continue  # derived names are unique by construction
                if display in first:
                    self.fail(
                        f"{kind.name} {name}",
                        f"{kind.section}.{name}.displayName",
                        "displayName",
                        f"same displayName as {first[display]} ({display!r}); "
                        "display names are unique within an account",
                    )
                else:
                    first[display] = f"{kind.name} {name}"

    def _section(self, data: dict[str, Any], section: str) -> dict[str, dict[str, Any]]:
        value = data.get(section) or {}
        if not isinstance(value, dict):
            self.fail("stack file", section, section, "must be a mapping of name -> definition")
            self.broken.add(section)
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
                self.broken.add(f"{section}.{name}")
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
    def _adopt_id(self, resource: str, base: str, body: dict[str, Any]) -> None:
        adopt = body.get("adoptId")
        if adopt is not None and not (isinstance(adopt, str) and adopt.strip()):
            self.fail(resource, f"{base}.adoptId", "adoptId", "must be the id of an object")

    def _operator(
        self, kind: Kind, name: str, body: dict[str, Any], _: DesiredState
    ) -> dict[str, Any]:
        resource = f"{kind.name} {name}"
        self._adopt_id(resource, f"operators.{name}", body)
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
        self._adopt_id(resource, f"memoryStores.{name}", body)
        if "existingId" in body:
            existing = body["existingId"]
            if not isinstance(existing, str):
                self.fail(
                    resource,
                    f"memoryStores.{name}.existingId",
                    "existingId",
                    "must be a string: the id of an existing store",
                )
            elif not STORE_ID.match(existing):
                self.fail(
                    resource,
                    f"memoryStores.{name}.existingId",
                    "existingId",
                    f"should match pattern '{STORE_ID.pattern}' (a store id such as "
                    "mem_store_01k1etk2y5f1y9fpe2epfdtvv2)",
                )
            extra = sorted(set(body) - {"existingId"})
            if extra:
                self.fail(
                    resource,
                    f"memoryStores.{name}",
                    "existingId",
                    f"a reference to an existing store takes no other fields ({', '.join(extra)})",
                )
            return body
        self._validate(kind.load("model"), resource, f"{kind.section}.{name}", body)
        return body

    # intelligence configurations ------------------------------------------------------------
    def _configuration(
        self, kind: Kind, name: str, body: dict[str, Any], state: DesiredState
    ) -> dict[str, Any]:
        resource = f"{kind.name} {name}"
        base = f"{kind.section}.{name}"
        self._adopt_id(resource, base, body)
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
                extra = [str(k) for k in trigger if k not in ("on", "count")]
                if extra:  # in the file a trigger is {on, count}, not the API's shape
                    self.fail(
                        resource,
                        f"{path}.trigger",
                        _in_resource(f"{path}.trigger"),
                        unknown_fields(extra, ("on", "count")),
                    )
                api_rule["triggers"] = [{"on": trigger.get("on"), "parameters": params}]
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
    def _conversation(
        self, kind: Kind, name: str, body: dict[str, Any], state: DesiredState
    ) -> dict[str, Any]:
        resource = f"{kind.name} {name}"
        base = f"{kind.section}.{name}"
        self._adopt_id(resource, base, body)
        api_body = {
            k: v for k, v in body.items() if k not in ("memoryStore", "intelligenceConfigurations")
        }
        store = body.get("memoryStore")
        if store is not None and not isinstance(store, str):
            self.fail(
                resource,
                f"{base}.memoryStore",
                "memoryStore",
                "must be the name of a store under memoryStores",
            )
            api_body["memoryStoreId"] = Ref("MemoryStore", "")  # reported above
        elif store is not None:
            if not self.defined("memoryStores", store, state.memory_stores):
                self.fail(
                    resource,
                    f"{base}.memoryStore",
                    "memoryStore",
                    f"unknown memory store {store!r}; define it under memoryStores",
                )
            api_body["memoryStoreId"] = Ref("MemoryStore", store)
        elif "memoryStoreId" not in body:
            self.fail(
                resource,
                base,
                "memoryStore",
                "required: name a store under memoryStores, or give memoryStoreId",
            )
            api_body["memoryStoreId"] = Ref("MemoryStore", "")  # reported above
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
        api_body["intelligenceConfigurationIds"] = [
            Ref("IntelligenceConfiguration", link) for link in links if isinstance(link, str)
        ]
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


def _placeholder(ref: Ref) -> str:
    """What a reference stands for while field rules are checked: a well-formed operator id (the
    model checks ids' shape); the reference's own text for the rest (only its presence counts)."""
    return PLACEHOLDER_ID if ref.kind == "Operator" else str.__str__(ref)


def _placeholders(body: dict[str, Any]) -> dict[str, Any]:
    """The API body with references replaced by placeholders, for field checks."""
    checked: dict[str, Any] = _refs.resolve(body, _placeholder)
    return checked


def _translate(api_path: str, table: dict[str, str]) -> str:
    """Map an API field path (rules[0].operators[1]) back to the file's (rules.realtime...)."""
    for prefix in sorted(table, key=len, reverse=True):
        if api_path == prefix or api_path.startswith((prefix + ".", prefix + "[")):
            return table[prefix] + api_path[len(prefix) :]
    return api_path
