"""The contents of the dev stack's Memory Store, for the end-to-end tests of those kinds: its
identity resolution settings, a trait group whose trait is promoted to an identifier, and a data
mapping into that group (memory-v1.md §3-§5). ``add_memory_contents`` appends them to a copy's
stacks/base.yaml."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx

STORES = "/v1/ControlPlane/Stores"

MEMORY_CONTENTS = """
identityResolutionSettings:
  support-identities:
    memoryStore: support-memory
    identifierConfigs:
      - {idType: email, normalization: email}
      - {idType: phone, normalization: phone}
      - {idType: crmId, limit: 1}
    matchingRules: [email, phone, crmId]

traitGroups:
  Preferences:
    memoryStore: support-memory
    description: How the customer likes to be served
    traits:
      preferredChannel:
        dataType: STRING
        validationRule: {ruleType: STRING, maxLength: 16}
      loyaltyTier:
        dataType: NUMBER
        validationRule: {ruleType: NUMBER, min: 0, max: 5}
      crmRef: {dataType: STRING, idTypePromotion: crmId}
      vip: {dataType: BOOLEAN}

dataMappings:
  crm-import:
    memoryStore: support-memory
    description: Preferences from the CRM export
    mappingFrom: {type: INGRESS, columns: [channel, tier, ref]}
    mappingTo:
      mappings:
        - {expression: channel, traitGroup: Preferences, traitName: preferredChannel}
        - {expression: tier, traitGroup: Preferences, traitName: loyaltyTier}
        - {expression: ref, traitGroup: Preferences, traitName: crmRef}
"""

# Kinds of the store's contents by the suffix of their Pulumi type.
CONTENT_KINDS = ("IdentityResolutionSettings", "TraitGroup", "DataMapping")


def add_memory_contents(project_dir: Path) -> None:
    add_sections(project_dir / "stacks" / "base.yaml", MEMORY_CONTENTS)


def add_sections(base: Path, sections: str) -> None:
    """Add the entries of each top-level section of ``sections`` to a stack file: under the
    section the file already has (the base stack's own trait group), else as a new section at
    the end."""
    text = base.read_text()
    for section in re.split(r"\n(?=[a-zA-Z])", sections.strip()):
        header, _, entries = section.partition("\n")
        if f"\n{header}\n" in text:
            text = text.replace(f"\n{header}\n", f"\n{header}\n{entries}\n", 1)
        else:
            text += f"\n{section}\n"
    base.write_text(text)


def get(client: httpx.Client, path: str, **params: Any) -> dict[str, Any]:
    response = client.get(path, params=params)
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body


def contents(client: httpx.Client, store_id: str) -> dict[str, Any]:
    """The store's settings, trait groups (by name, with traits) and data mappings (by id)."""
    base = f"{STORES}/{store_id}"
    groups = get(client, f"{base}/TraitGroups", includeTraits="true", pageSize=100)
    mappings = get(client, f"{base}/DataMappings", pageSize=100)
    return {
        "settings": get(client, f"{base}/IdentityResolutionSettings"),
        "traitGroups": {g["displayName"]: g for g in groups["traitGroups"]},
        "dataMappings": {m["id"]: m for m in mappings["dataMappings"]},
    }
