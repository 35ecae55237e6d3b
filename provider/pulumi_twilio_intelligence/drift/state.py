"""What Pulumi recorded for a stack: our resources by kind and logical name, from
``pulumi stack export``. Secret values stay encrypted and are replaced by a marker."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .._core import kinds as _kinds
from .._core.kinds import TYPE_PREFIX

__all__ = ["SECRET", "RecordedResource", "RecordedState"]

SECRET = "[secret]"  # noqa: S105 - the placeholder printed instead of a secret, not one
_SECRET_SIG = "4dabf18193072939515e22adb298388d"  # noqa: S105 - Pulumi's public secret marker


@dataclass(frozen=True)
class RecordedResource:
    kind: str
    name: str  # the logical name, as in the desired-state file
    id: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]


@dataclass
class RecordedState:
    resources: dict[tuple[str, str], RecordedResource] = field(default_factory=dict)
    twilio_operators: dict[str, str] = field(default_factory=dict)  # logical name -> id
    # Objects a replacement left behind (``delete: true`` in the state: the replacement was
    # created, deleting the old one failed or never ran). Still managed: the next `pulumi up`
    # deletes them.
    pending_deletes: list[RecordedResource] = field(default_factory=list)

    @classmethod
    def from_export(cls, exported: dict[str, Any]) -> RecordedState:
        state = cls()
        for raw in (exported.get("deployment") or {}).get("resources") or []:
            type_ = str(raw.get("type", ""))
            if not type_.startswith(TYPE_PREFIX):
                continue
            kind = type_[len(TYPE_PREFIX) :]
            name = str(raw.get("urn", "")).rsplit("::", 1)[-1]
            object_id = str(raw.get("id") or "")
            if kind == "TwilioOperator":
                if not raw.get("delete"):
                    state.twilio_operators[name] = object_id
            elif kind in kind_names() and object_id:
                recorded = RecordedResource(
                    kind,
                    name,
                    object_id,
                    _unsecret(raw.get("inputs") or {}),
                    _unsecret(raw.get("outputs") or {}),
                )
                if raw.get("delete"):
                    state.pending_deletes.append(recorded)
                else:
                    state.resources[(kind, name)] = recorded
        return state

    def of_kind(self, kind: str) -> Iterator[RecordedResource]:
        return (r for (k, _), r in self.resources.items() if k == kind)

    def get(self, kind: str, name: str) -> RecordedResource | None:
        return self.resources.get((kind, name))

    def ids(self) -> set[str]:
        """Every object the stack manages, those pending deletion included."""
        return {r.id for r in self.resources.values()} | {r.id for r in self.pending_deletes}


def kind_names() -> tuple[str, ...]:
    """Managed kinds, in dependency order (what a report lists first)."""
    return tuple(kind.name for kind in _kinds.KINDS)


def _unsecret(value: Any) -> Any:
    if isinstance(value, dict):
        if _SECRET_SIG in value:
            return SECRET
        return {k: _unsecret(v) for k, v in value.items() if k != "__provider"}
    if isinstance(value, list):
        return [_unsecret(v) for v in value]
    return value
