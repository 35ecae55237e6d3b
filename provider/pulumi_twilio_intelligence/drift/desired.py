"""A stack's desired state as the API bodies the program would send, references resolved.

The desired-state file refers to objects by name (a rule's operators, a Conversation
configuration's store and Intelligence Configurations); the program turns names into the ids of
the resources it declares. Without running the program, the ids come from Pulumi's recorded
state; a displayName the program derives is taken from there too. A name with no recorded object
yet stays a recognisable placeholder: the object it names is reported as not deployed anyway.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .._core import kinds as _kinds
from .._core import refs as _refs
from .._core.kinds import twilio_operator_id
from .._core.refs import Ref
from ..stackfile import BOOKKEEPING_KEYS, DesiredState
from .state import RecordedState

__all__ = ["DesiredObject", "resolve"]


@dataclass(frozen=True)
class DesiredObject:
    kind: str
    name: str
    body: dict[str, Any]  # API-shaped, ids resolved
    adopt_id: str | None = None
    existing_id: str | None = None  # a reference to an object this stack does not manage
    names: dict[str, str] = field(default_factory=dict)  # id -> logical name, for messages


def _unresolved(kind: str, name: str) -> str:
    return f"<{kind} {name}: not deployed>"


def _fields(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in BOOKKEEPING_KEYS}


def _display_name(
    body: dict[str, Any], recorded: RecordedState, kind: str, name: str
) -> dict[str, Any]:
    name_field = _kinds.by_name(kind).load("model").NAME_FIELD
    if body.get(name_field):
        return body
    found = recorded.get(kind, name)
    if found is not None and found.inputs.get(name_field):
        return {**body, name_field: found.inputs[name_field]}
    return body


def _recorded_id(ref: Ref, state: DesiredState, recorded: RecordedState) -> str:
    """The id a reference names, without running the program: a Twilio-authored operator's id,
    a referenced existing object's id, or what Pulumi recorded for a declared object."""
    kind = _kinds.by_name(ref.kind)
    body = state.of(kind).get(ref.name)
    if body is None:  # not declared: a Twilio-authored operator (the loader checked the rest)
        return twilio_operator_id(ref.name) or ref.name
    if "existingId" in body:
        return str(body["existingId"])
    if ref.kind == "TraitGroup":  # a data mapping names a group by its displayName (its key)
        return str(body.get("displayName") or ref.name)
    found = recorded.get(ref.kind, ref.name)
    return found.id if found else _unresolved(ref.kind, ref.name)


def resolve(state: DesiredState, recorded: RecordedState) -> dict[tuple[str, str], DesiredObject]:
    """Every object the file declares, keyed by (kind, logical name)."""
    out: dict[tuple[str, str], DesiredObject] = {}
    for kind in _kinds.KINDS:
        for name, body in state.of(kind).items():
            if "existingId" in body:
                out[(kind.name, name)] = DesiredObject(
                    kind.name, name, {}, existing_id=str(body["existingId"])
                )
                continue
            names: dict[str, str] = {}

            def lookup(ref: Ref, names: dict[str, str] = names) -> str:
                object_id = _recorded_id(ref, state, recorded)
                names[object_id] = ref.name
                return object_id

            api_body = _refs.resolve(_fields(body), lookup)
            out[(kind.name, name)] = DesiredObject(
                kind.name,
                name,
                _display_name(api_body, recorded, kind.name, name),
                adopt_id=body.get("adoptId"),
                names=names,
            )
    return out
