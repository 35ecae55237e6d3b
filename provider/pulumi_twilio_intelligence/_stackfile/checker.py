"""Checking a merged desired state: the part every kind shares."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._core import kinds as _kinds
from .._core.kinds import Kind
from ..errors import ValidationError, Violation
from .state import BOOKKEEPING_KEYS, NAME, DesiredState, sections

if TYPE_CHECKING:
    from .._core.spec import ResourceModel

KindCheck = Callable[[Kind, str, dict[str, Any], DesiredState], Any]


class BaseChecker:
    """What every kind's check shares: locations, failures, sections, field rules, account
    limits. ``checks.Checker`` adds the kinds whose bodies need more than their model."""

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
            # Filled as it goes: a kind's check can see the entries of its section before it.
            bodies = state.bodies[kind.section] = {}
            for name, body in found[kind.section].items():
                bodies[name] = self._check(kind, name, body, state)
        self._account_limits(found)
        return state

    @property
    def _checks(self) -> dict[str, KindCheck]:
        """Kinds whose bodies need more than their model's field rules (the rest: ``_plain``)."""
        return {}

    def _check(self, kind: Kind, name: str, body: dict[str, Any], state: DesiredState) -> Any:
        """What every kind may carry (adoptId), then the kind's own rules."""
        self._adopt_id(f"{kind.name} {name}", f"{kind.section}.{name}", body)
        return self._checks.get(kind.name, self._plain)(kind, name, body, state)

    def _plain(self, kind: Kind, name: str, body: dict[str, Any], _: DesiredState) -> Any:
        self._validate(kind.load("model"), f"{kind.name} {name}", f"{kind.section}.{name}", body)
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
            if not kind.account_unique_names:
                continue  # unique within a store: the kind's own check
            first: dict[str, str] = {}
            for name, body in found[kind.section].items():
                display = body.get("displayName")
                if not isinstance(display, str):
                    continue  # derived names are unique by construction
                self.unique(
                    first,
                    display,
                    kind=kind,
                    name=name,
                    field="displayName",
                    why="; display names are unique within an account",
                )

    def unique(
        self, first: dict[Any, str], key: Any, *, kind: Kind, name: str, field: str, why: str
    ) -> None:
        """Records entry ``name`` of ``kind`` as the first with ``key`` (read from its ``field``,
        the key's last part), or fails it as a repeat of the first: ``why`` says what is unique."""
        shown = key[-1] if isinstance(key, tuple) else key
        if key in first:
            rule = f"same {field} as {first[key]} ({shown!r}){why}"
            self.fail(f"{kind.name} {name}", f"{kind.section}.{name}.{field}", field, rule)
        else:
            first[key] = f"{kind.name} {name}"

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
        if model.NAME_FIELD in model.input_keys():  # the real one is derived at deploy time
            fields.setdefault(model.NAME_FIELD, "placeholder")
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
        """``adoptId`` and the other keys every kind may carry (``_options``)."""
        adopt = body.get("adoptId")
        if adopt is not None and not (isinstance(adopt, str) and adopt.strip()):
            self.fail(resource, f"{base}.adoptId", "adoptId", "must be the id of an object")
        self._options(resource, base, body)

    def _options(self, resource: str, base: str, body: dict[str, Any]) -> None:
        """Pulumi's ``protect`` and ``retainOnDelete`` (booleans), and a ``deletionPolicy`` on
        the kinds that hold customer data (``Kind.holds_data``)."""
        for option in ("protect", "retainOnDelete"):
            if option in body and not isinstance(body[option], bool):
                self.fail(resource, f"{base}.{option}", option, "must be true or false")
        if "deletionPolicy" not in body:
            return
        kind = _kinds.by_name(resource.split(" ", 1)[0])
        policy = body["deletionPolicy"]
        if not kind.holds_data:
            self.fail(
                resource,
                f"{base}.deletionPolicy",
                "deletionPolicy",
                f"only objects that hold customer data take a deletion policy, not {kind.label}",
            )
        elif not kind.policy_from and policy not in _kinds.DELETION_POLICIES:
            self.fail(
                resource,
                f"{base}.deletionPolicy",
                "deletionPolicy",
                f"must be 'retain' (keep it, with a warning, when it leaves the stack: the "
                f"default) or 'delete' (delete it and {kind.holds_data})",
            )


def _in_resource(file_path: str) -> str:
    """A value's field path within its resource: "section.name.rules.x" -> "rules.x"."""
    return file_path.split(".", 2)[-1]


def _translate(api_path: str, table: dict[str, str]) -> str:
    """Map an API field path (rules[0].operators[1]) back to the file's (rules.realtime...)."""
    for prefix in sorted(table, key=len, reverse=True):
        if api_path == prefix or api_path.startswith((prefix + ".", prefix + "[")):
            return table[prefix] + api_path[len(prefix) :]
    return api_path
