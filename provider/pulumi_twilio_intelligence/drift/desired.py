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

from ..resources import TWILIO_OPERATOR_IDS
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
    if body.get("displayName"):
        return body
    found = recorded.get(kind, name)
    if found is not None and found.inputs.get("displayName"):
        return {**body, "displayName": found.inputs["displayName"]}
    return body


def operator_id(ref: str, state: DesiredState, recorded: RecordedState) -> str:
    if ref in state.operators:
        found = recorded.get("Operator", ref)
        return found.id if found else _unresolved("Operator", ref)
    return TWILIO_OPERATOR_IDS.get(ref.lower(), ref)


def resolve(state: DesiredState, recorded: RecordedState) -> dict[tuple[str, str], DesiredObject]:
    """Every object the file declares, keyed by (kind, logical name)."""
    out: dict[tuple[str, str], DesiredObject] = {}
    store_ids: dict[str, str] = {}
    for name, body in state.memory_stores.items():
        if "existingId" in body:
            store_ids[name] = str(body["existingId"])
            out[("MemoryStore", name)] = DesiredObject(
                "MemoryStore", name, {}, existing_id=str(body["existingId"])
            )
            continue
        found = recorded.get("MemoryStore", name)
        store_ids[name] = found.id if found else _unresolved("MemoryStore", name)
        out[("MemoryStore", name)] = DesiredObject(
            "MemoryStore",
            name,
            _display_name(_fields(body), recorded, "MemoryStore", name),
            adopt_id=body.get("adoptId"),
        )
    for name, body in state.operators.items():
        out[("Operator", name)] = DesiredObject(
            "Operator",
            name,
            _display_name(_fields(body), recorded, "Operator", name),
            adopt_id=body.get("adoptId"),
        )
    config_ids: dict[str, str] = {}
    for name, body in state.intelligence_configurations.items():
        names: dict[str, str] = {}
        rules = []
        for rule in body["rules"]:
            operators = []
            for op in rule["operators"]:
                resolved = operator_id(str(op["ref"]), state, recorded)
                names[resolved] = str(op["ref"])
                operators.append({"id": resolved, **{k: v for k, v in op.items() if k != "ref"}})
            rules.append({**rule, "operators": operators})
        found = recorded.get("IntelligenceConfiguration", name)
        config_ids[name] = found.id if found else _unresolved("IntelligenceConfiguration", name)
        api_body = {**_fields(body), "rules": rules}
        out[("IntelligenceConfiguration", name)] = DesiredObject(
            "IntelligenceConfiguration",
            name,
            _display_name(api_body, recorded, "IntelligenceConfiguration", name),
            adopt_id=body.get("adoptId"),
            names=names,
        )
    for name, body in state.conversation_configurations.items():
        api_body = _fields(body)
        store = str(api_body.get("memoryStoreId", ""))
        if store.startswith("@"):
            api_body["memoryStoreId"] = store_ids.get(store[1:], _unresolved("MemoryStore", store))
        links = [str(link)[1:] for link in api_body.get("intelligenceConfigurationIds", [])]
        api_body["intelligenceConfigurationIds"] = [config_ids[link] for link in links]
        out[("ConversationConfiguration", name)] = DesiredObject(
            "ConversationConfiguration",
            name,
            _display_name(api_body, recorded, "ConversationConfiguration", name),
            adopt_id=body.get("adoptId"),
            names={config_ids[link]: link for link in links},
        )
    return out
