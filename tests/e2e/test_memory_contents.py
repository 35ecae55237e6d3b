"""The contents of a Memory Store through the real engine against the emulator: identity
resolution settings (a singleton, adopted and PUT), trait groups (PATCH merges traits, a removed
trait is sent as ``dataType: ""``, a rename replaces), data mappings (PATCH in place, a new
source replaces). Asserted through the emulator's request log: each step's writes, exactly."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import Deployment
from tests.e2e.memory_stack import STORES, add_memory_contents, contents

pytestmark = pytest.mark.e2e


def _deploy(d: Deployment) -> tuple[str, dict[str, Any]]:
    """``up`` of the dev stack with the store's contents; (store id, stack outputs)."""
    add_memory_contents(d.project_dir)
    d.pulumi.up()
    outputs = d.pulumi.outputs()
    return outputs["memoryStores"]["support-memory"], outputs


def test_up_creates_the_contents_in_order_then_nothing_changes(deployment: Deployment) -> None:
    d = deployment
    mark = d.emulator.mark()
    store, outputs = _deploy(d)
    base = f"{STORES}/{store}"
    mapping_id = outputs["dataMappings"]["crm-import"].rsplit("/", 1)[-1]
    writes = [w for w in d.writes(mark) if w[1].startswith(base + "/")]
    assert writes == [
        ("PUT", f"{base}/IdentityResolutionSettings"),
        ("POST", f"{base}/TraitGroups"),
        ("POST", f"{base}/DataMappings"),
    ]
    ids = f"{store}/TraitGroups/Preferences", f"{store}/IdentityResolutionSettings"
    assert outputs["traitGroups"] == {"Preferences": ids[0]}
    assert outputs["identityResolutionSettings"] == {"support-identities": ids[1]}
    live = contents(d.emulator.client(), store)
    assert live["settings"]["matchingRules"] == ["email", "phone", "crmId"]
    crm = next(c for c in live["settings"]["identifierConfigs"] if c["idType"] == "crmId")
    assert crm["limit"] == 1
    group = live["traitGroups"]["Preferences"]
    assert set(group["traits"]) == {"preferredChannel", "loyaltyTier", "crmRef"}
    assert group["traits"]["crmRef"]["idTypePromotion"] == "crmId"
    assert list(live["dataMappings"]) == [mapping_id]
    mapped = live["dataMappings"][mapping_id]["mappingTo"]["mappings"]
    assert {m["traitGroup"] for m in mapped} == {"Preferences"}

    mark = d.emulator.mark()
    d.pulumi.preview("--expect-no-changes")
    d.pulumi.refresh("--expect-no-changes")
    d.pulumi.preview("--refresh", "--expect-no-changes")
    assert d.writes(mark) == [], "preview and refresh must not write"
