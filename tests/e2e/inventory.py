"""What exists in the emulator's account, against what the stack's state records.

Shared by the fault, crash and concurrency tests: "nothing lost, nothing duplicated, nothing left
behind" is checked by listing every collection the provider writes to and comparing it with the
ids in ``pulumi stack export``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import httpx

from tools.pulumi_project import PulumiProject

V3_CONFIGS = "/v3/ControlPlane/Configurations"
V2_CONFIGS = "/v2/ControlPlane/Configurations"
OPERATORS = "/v3/ControlPlane/Operators"
STORES = "/v1/ControlPlane/Stores"
BASES = "/v2/ControlPlane/KnowledgeBases"

# Resource kinds whose objects the provider creates, by the suffix of their Pulumi type. (A
# store's identity resolution settings are not among them: one per store, never created.)
KINDS = (
    "Operator",
    "IntelligenceConfiguration",
    "ConversationConfiguration",
    "MemoryStore",
    "KnowledgeBase",
    "KnowledgeSource",
    "TraitGroup",
    "DataMapping",
)
# Kinds that hold customer data: retained unless the file says delete, so the account may keep
# one the stack forgot.
DATA_KINDS = ("MemoryStore", "KnowledgeBase", "KnowledgeSource", "TraitGroup")
BUILT_IN_GROUPS = ("Contact",)  # every store has it (memory-v1.md §4.5): not the provider's


@dataclass(frozen=True)
class Inventory:
    """Every object of the account the provider could have made, by kind (id -> displayName; a
    knowledge source: "<base id>:<source id>" -> "<base id>/<name>", names being unique within
    a base)."""

    objects: dict[str, dict[str, str]]

    def ids(self, kind: str) -> set[str]:
        return set(self.objects[kind])

    def duplicates(self) -> dict[str, list[str]]:
        """displayNames held by more than one object of a kind (a create that happened twice)."""
        found: dict[str, list[str]] = {}
        for kind, by_id in self.objects.items():
            counts = Counter(by_id.values())
            repeated = sorted(name for name, n in counts.items() if n > 1)
            if repeated:
                found[kind] = repeated
        return found

    def count(self) -> int:
        return sum(len(by_id) for by_id in self.objects.values())


def live_inventory(client: httpx.Client) -> Inventory:
    """List the collections (custom operators only: Twilio's own are not ours; every store's
    trait groups, built-in ones aside, and data mappings).

    Call it with faults cleared: the client's requests pass through fault injection too."""

    def items(path: str, key: str, page_size: int = 1000) -> list[Any]:
        response = client.get(path, params={"pageSize": page_size})
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        assert not (body.get("meta") or {}).get("nextToken"), f"{path}: more than one page"
        found: list[Any] = body[key]
        return found

    def names(objects: list[dict[str, Any]]) -> dict[str, str]:
        return {str(o["id"]): str(o["displayName"]) for o in objects}

    stores: dict[str, str] = {}
    groups: dict[str, str] = {}
    mappings: dict[str, str] = {}
    for store_id in items(STORES, "stores", page_size=100):
        response = client.get(f"{STORES}/{store_id}")
        response.raise_for_status()
        stores[str(store_id)] = str(response.json()["displayName"])
        # Ids as the provider records them: paths under the store.
        base = f"{STORES}/{store_id}"
        for group in items(f"{base}/TraitGroups", "traitGroups", page_size=100):
            if group["displayName"] not in BUILT_IN_GROUPS:
                groups[f"{store_id}/TraitGroups/{group['displayName']}"] = group["displayName"]
        for mapping in items(f"{base}/DataMappings", "dataMappings", page_size=100):
            mappings[f"{store_id}/DataMappings/{mapping['id']}"] = str(mapping["displayName"])
    bases = [b for b in items(BASES, "knowledgeBases", 100) if b.get("status") != "DELETING"]
    sources: dict[str, str] = {}
    for base in bases:
        path = f"/v2/KnowledgeBases/{base['id']}/Knowledge"
        for source in items(path, "knowledge"):
            sources[f"{base['id']}:{source['id']}"] = f"{base['id']}/{source['name']}"
    return Inventory(
        {
            "Operator": names([o for o in items(OPERATORS, "items") if o.get("author") == "SELF"]),
            "IntelligenceConfiguration": names(items(V3_CONFIGS, "items")),
            "ConversationConfiguration": names(items(V2_CONFIGS, "configurations")),
            "MemoryStore": stores,
            "KnowledgeBase": names(bases),
            "KnowledgeSource": sources,
            "TraitGroup": groups,
            "DataMapping": mappings,
        }
    )


def state_resources(
    project: PulumiProject, exported: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """The stack's custom resources of our kinds, including any marked for deletion."""
    deployment = (exported or project.export())["deployment"]
    resources: list[dict[str, Any]] = deployment.get("resources") or []
    return [r for r in resources if r["type"].rsplit(":", 1)[-1] in KINDS]


def state_ids(
    project: PulumiProject, exported: dict[str, Any] | None = None
) -> dict[str, set[str]]:
    """Ids recorded in state by kind (resources pending deletion included)."""
    ids: dict[str, set[str]] = {kind: set() for kind in KINDS}
    for resource in state_resources(project, exported):
        ids[resource["type"].rsplit(":", 1)[-1]].add(str(resource["id"]))
    return ids


def pending_operations(
    project: PulumiProject, exported: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Operations the engine started and never saw finish (left by a killed run)."""
    deployment = (exported or project.export())["deployment"]
    found: list[dict[str, Any]] = deployment.get("pending_operations") or []
    return found


def assert_state_matches_live(project: PulumiProject, client: httpx.Client) -> Inventory:
    """Every object in state exists, exactly once, and nothing else of ours exists (objects that
    hold customer data aside: retained ones stay in the account when the stack forgets them)."""
    live = live_inventory(client)
    assert live.duplicates() == {}, f"duplicate objects: {live.duplicates()}"
    exported = project.export()
    recorded = state_ids(project, exported)
    for kind in KINDS:
        if kind in DATA_KINDS:
            assert recorded[kind] <= live.ids(kind), f"{kind}: in state but not live"
            continue
        assert live.ids(kind) == recorded[kind], (
            f"{kind}: live {sorted(live.ids(kind))} != state {sorted(recorded[kind])}"
        )
    assert pending_operations(project, exported) == []
    return live
