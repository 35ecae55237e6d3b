"""The reconcilers of a Memory Store's contents against the emulator over real HTTP: what each
lifecycle step writes, and the failure paths (a lost create answer, a stale ETag) they exist for.
The end-to-end tests (tests/e2e/test_memory_contents.py) drive the same through the engine."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi_twilio_intelligence._core.memory_models import (
    DataMappingModel,
    IdentityResolutionSettingsModel,
    TraitGroupModel,
)
from pulumi_twilio_intelligence._reconcile import (
    DataMappingReconciler,
    IdentityResolutionSettingsReconciler,
    MemoryStoreReconciler,
    TraitGroupReconciler,
)
from pulumi_twilio_intelligence._twilio.api import TwilioApi
from twilio_emulator.testing import EmulatorHandle

from tests.unit.emulated_api import header, writes
from tests.unit.test_reconcilers import STORES, api, store

__all__ = ["api"]  # the fixture, shared with test_reconcilers


@pytest.fixture
def store_id(api: TwilioApi) -> str:
    return MemoryStoreReconciler(api).create(store()).id


def settings(store_id: str, *id_types: str) -> IdentityResolutionSettingsModel:
    body = {
        "storeId": store_id,
        "identifierConfigs": [{"idType": t} for t in id_types],
        "matchingRules": list(id_types),
    }
    return IdentityResolutionSettingsModel.validate_desired(body, "settings")


def group(store_id: str, name: str = "Preferences", **traits: Any) -> TraitGroupModel:
    body = {"storeId": store_id, "displayName": name, "traits": traits}
    return TraitGroupModel.validate_desired(body, "group")


def mapping(store_id: str, **changes: Any) -> DataMappingModel:
    body = {
        "storeId": store_id,
        "displayName": "crm-import",
        "mappingFrom": {"type": "INGRESS", "columns": ["tier"]},
        "mappingTo": {
            "mappings": [{"expression": "tier", "traitGroup": "Preferences", "traitName": "tier"}]
        },
        **changes,
    }
    return DataMappingModel.validate_desired(body, "mapping")


def test_settings_are_adopted_put_only_when_they_differ_and_never_deleted(
    api: TwilioApi, emulator: EmulatorHandle, store_id: str
) -> None:
    rec = IdentityResolutionSettingsReconciler(api)
    path = f"{STORES}/{store_id}/IdentityResolutionSettings"
    mark = emulator.mark()
    first = rec.create(settings(store_id, "email", "crmId"))
    assert first.id == f"{store_id}/IdentityResolutionSettings"
    assert writes(emulator, mark) == [("PUT", path)]
    [put] = emulator.requests(method="PUT", since=mark)
    assert put["body"]["identifierConfigs"][0]["matchingAlgo"] == "exact", "defaults are sent"
    assert (header(put, "If-Match") or "").startswith('"'), "the ETag just read, quoted"

    mark = emulator.mark()
    again = rec.create(settings(store_id, "email", "crmId"))
    assert (again.id, again.adopted) == (first.id, True)
    assert rec.observe(first.id, settings(store_id, "email", "crmId").wire()).up_to_date
    rec.delete(first.id, again.server)
    assert writes(emulator, mark) == [], "in sync: no PUT; delete leaves them"


def test_a_stale_etag_is_read_again_and_the_put_made_once_more(
    api: TwilioApi, emulator: EmulatorHandle, store_id: str
) -> None:
    rec = IdentityResolutionSettingsReconciler(api)
    emulator.inject_fault(
        "error", method="PUT", path="IdentityResolutionSettings", status=412, count=1
    )
    created = rec.create(settings(store_id, "email"))
    assert [r["status"] for r in emulator.requests(method="PUT")] == [412, 202]
    assert rec.observe(created.id, settings(store_id, "email").wire()).up_to_date


def test_trait_group_lifecycle_patches_only_the_differences(
    api: TwilioApi, emulator: EmulatorHandle, store_id: str
) -> None:
    rec = TraitGroupReconciler(api)
    base = f"{STORES}/{store_id}/TraitGroups"
    mark = emulator.mark()
    created = rec.create(group(store_id, tier={"dataType": "NUMBER"}, vip={"dataType": "BOOLEAN"}))
    assert created.id == f"{store_id}/TraitGroups/Preferences"
    assert writes(emulator, mark) == [("POST", base)]

    mark = emulator.mark()
    changed = group(store_id, tier={"dataType": "NUMBER"}, nickname={"dataType": "STRING"})
    rec.update(created.id, changed, created.server)
    assert writes(emulator, mark) == [("PATCH", f"{base}/Preferences")]
    [patch] = emulator.requests(method="PATCH", since=mark)
    assert patch["body"] == {
        "traits": {"nickname": {"dataType": "STRING"}, "vip": {"dataType": ""}}
    }
    assert header(patch, "If-Match")
    assert rec.observe(created.id, changed.wire()).up_to_date

    mark = emulator.mark()
    rec.delete(created.id, created.server)  # the store's policy is retain: the traits' values stay
    assert writes(emulator, mark) == []
    assert rec.observe(created.id, changed.wire()).exists
    recorded = {**created.server, "deletionPolicy": "delete"}
    rec.delete(created.id, recorded)
    rec.delete(created.id, recorded)  # already gone: fine
    assert writes(emulator, mark)[0] == ("DELETE", f"{base}/Preferences")
    assert rec.observe(created.id, changed.wire()).exists is False


def test_a_lost_trait_group_create_is_found_by_name(
    api: TwilioApi, emulator: EmulatorHandle, store_id: str
) -> None:
    # Long enough that the lookup after the lost answer cannot see the group yet.
    emulator.set_settings(operation_delay_seconds=0.5)
    emulator.inject_fault("drop_response", method="POST", path="/TraitGroups$", count=1)
    created = TraitGroupReconciler(api).create(group(store_id, tier={"dataType": "NUMBER"}))
    assert created.adopted
    names = [g["displayName"] for g in api.list_trait_groups(store_id)]
    assert names.count("Preferences") == 1, "no duplicate"
    # The answer was lost, the group was not visible yet, the second POST's operation failed on
    # the duplicate name: the group is adopted all the same.
    statuses = [r["status"] for r in emulator.requests(method="POST", path_regex="/TraitGroups$")]
    assert statuses == [None, 202]


def test_the_built_in_group_is_adopted_made_to_match_and_never_deleted(
    api: TwilioApi, emulator: EmulatorHandle, store_id: str
) -> None:
    rec = TraitGroupReconciler(api)
    live = rec.fetch(f"{store_id}/TraitGroups/Contact")
    assert live is not None, "every store has it"
    traits = {**(live.get("traits") or {}), "loyaltyId": {"dataType": "STRING"}}
    desired = group(store_id, "Contact", **traits)
    mark = emulator.mark()
    created = rec.create(desired)
    assert created.adopted
    assert [m for m, _ in writes(emulator, mark)] == ["PATCH"], "never POSTed"
    mark = emulator.mark()
    rec.delete(created.id, created.server)
    assert writes(emulator, mark) == []


def test_data_mapping_lifecycle_and_a_lost_create(
    api: TwilioApi, emulator: EmulatorHandle, store_id: str
) -> None:
    TraitGroupReconciler(api).create(group(store_id, tier={"dataType": "NUMBER"}))
    rec = DataMappingReconciler(api)
    emulator.set_settings(operation_delay_seconds=0.5)  # not visible at once after the drop
    emulator.inject_fault("drop_response", method="POST", path="/DataMappings$", count=1)
    created = rec.create(mapping(store_id))
    mapping_id = created.id.rsplit("/", 1)[-1]
    assert created.id == f"{store_id}/DataMappings/{mapping_id}"
    assert [m["id"] for m in api.list_data_mappings(store_id)] == [mapping_id], "no duplicate"

    mark = emulator.mark()
    changed = mapping(store_id, description="From the CRM", isEnabled=False)
    rec.update(created.id, changed, created.server)
    [patch] = emulator.requests(method="PATCH", since=mark)
    assert "mappingFrom" not in patch["body"], "the source is fixed at creation"
    assert patch["body"]["isEnabled"] is False
    assert rec.observe(created.id, changed.wire()).up_to_date
    rec.delete(created.id, created.server)
    assert api.list_data_mappings(store_id) == []
