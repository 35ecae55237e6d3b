"""The contents of a Memory Store through the real engine against the emulator: identity
resolution settings (a singleton, adopted and PUT), trait groups (PATCH merges traits, a removed
trait is sent as ``dataType: ""``, a rename replaces), data mappings (PATCH in place, a new
source replaces). Asserted through the emulator's request log: each step's writes, exactly."""

from __future__ import annotations

import textwrap
from typing import Any

import pytest
import yaml

from tests.e2e.conftest import Deployment
from tests.e2e.drift_cli import drift
from tests.e2e.memory_stack import STORES, add_memory_contents, contents
from tests.e2e.test_export import export_to_dev

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
        ("POST", f"{base}/TraitGroups"),  # the base stack's SupportLine, and Preferences
        ("POST", f"{base}/TraitGroups"),
        ("POST", f"{base}/DataMappings"),
    ]
    ids = f"{store}/TraitGroups/Preferences", f"{store}/IdentityResolutionSettings"
    assert outputs["traitGroups"] == {
        "Preferences": ids[0],
        "SupportLine": f"{store}/TraitGroups/SupportLine",
    }
    assert outputs["identityResolutionSettings"] == {"support-identities": ids[1]}
    live = contents(d.emulator.client(), store)
    assert live["settings"]["matchingRules"] == ["email", "phone", "crmId"]
    crm = next(c for c in live["settings"]["identifierConfigs"] if c["idType"] == "crmId")
    assert crm["limit"] == 1
    group = live["traitGroups"]["Preferences"]
    assert set(group["traits"]) == {"preferredChannel", "loyaltyTier", "crmRef", "vip"}
    assert group["traits"]["crmRef"]["idTypePromotion"] == "crmId"
    assert list(live["dataMappings"]) == [mapping_id]
    mapped = live["dataMappings"][mapping_id]["mappingTo"]["mappings"]
    assert {m["traitGroup"] for m in mapped} == {"Preferences"}

    mark = d.emulator.mark()
    d.pulumi.preview("--expect-no-changes")
    d.pulumi.refresh("--expect-no-changes")
    d.pulumi.preview("--refresh", "--expect-no-changes")
    assert d.writes(mark) == [], "preview and refresh must not write"


def _writes_under(d: Deployment, mark: int, store: str) -> list[tuple[str, str]]:
    base = f"{STORES}/{store}/"
    return [(m, p[len(base) :]) for m, p in d.writes(mark) if p.startswith(base)]


def _body_of(d: Deployment, mark: int, method: str, path_suffix: str) -> dict[str, Any]:
    [request] = [
        r for r in d.emulator.requests(since=mark, method=method) if r["path"].endswith(path_suffix)
    ]
    body: dict[str, Any] = request["body"]
    return body


def test_changes_are_made_in_place(deployment: Deployment) -> None:
    d = deployment
    store, before = _deploy(d)
    d.edit("matchingRules: [email, phone, crmId]", "matchingRules: [crmId, phone, email]")
    d.edit(
        "validationRule: {ruleType: STRING, maxLength: 16}",
        "validationRule: {ruleType: STRING, maxLength: 32}\n      nickname: {dataType: STRING}",
    )
    d.edit("      vip: {dataType: BOOLEAN}\n", "")
    d.edit("description: Preferences from the CRM export", "description: Preferences from the CRM")
    d.edit(
        "{expression: ref, traitGroup: Preferences, traitName: crmRef}",
        "{expression: ref, traitGroup: Preferences, traitName: nickname}",
    )
    mark = d.emulator.mark()
    d.pulumi.up()
    mapping = before["dataMappings"]["crm-import"].rsplit("/", 1)[-1]
    assert _writes_under(d, mark, store) == [
        ("PUT", "IdentityResolutionSettings"),
        ("PATCH", "TraitGroups/Preferences"),
        ("PATCH", f"DataMappings/{mapping}"),
    ]
    assert d.pulumi.outputs() == before, "changed in place: the same ids"
    patch = _body_of(d, mark, "PATCH", "TraitGroups/Preferences")
    assert patch["traits"]["vip"] == {"dataType": ""}, "a removed trait is deleted"
    assert set(patch["traits"]) == {"preferredChannel", "nickname", "vip"}, "only the changes"
    live = contents(d.emulator.client(), store)
    assert live["settings"]["matchingRules"] == ["crmId", "phone", "email"]
    group = live["traitGroups"]["Preferences"]
    assert set(group["traits"]) == {"preferredChannel", "loyaltyTier", "crmRef", "nickname"}
    assert group["traits"]["preferredChannel"]["validationRule"]["maxLength"] == 32
    (mapped,) = live["dataMappings"].values()
    assert mapped["mappingTo"]["mappings"][2]["traitName"] == "nickname"
    assert mapped["description"] == "Preferences from the CRM"
    d.pulumi.preview("--refresh", "--expect-no-changes")


def test_a_new_source_or_group_name_replaces(deployment: Deployment) -> None:
    d = deployment
    store, before = _deploy(d)
    old_mapping = before["dataMappings"]["crm-import"].rsplit("/", 1)[-1]
    d.edit("columns: [channel, tier, ref]", "columns: [channel, tier, ref, extra]")
    mark = d.emulator.mark()
    d.pulumi.up()
    new_mapping = d.pulumi.outputs()["dataMappings"]["crm-import"].rsplit("/", 1)[-1]
    assert new_mapping != old_mapping
    assert _writes_under(d, mark, store) == [
        ("DELETE", f"DataMappings/{old_mapping}"),  # the name is unique in the store
        ("POST", "DataMappings"),
    ]

    # A trait group's name is its path: a rename makes a new group, moves the mapping, and
    # deletes the old group.
    d.edit(
        "  Preferences:\n    memoryStore: support-memory\n",
        "  Preferences:\n    memoryStore: support-memory\n    displayName: CustomerPreferences\n",
    )
    mark = d.emulator.mark()
    d.pulumi.up()
    assert _writes_under(d, mark, store) == [
        ("POST", "TraitGroups"),
        ("PATCH", f"DataMappings/{new_mapping}"),
        ("DELETE", "TraitGroups/Preferences"),
    ]
    live = contents(d.emulator.client(), store)
    assert "Preferences" not in live["traitGroups"]
    assert set(live["traitGroups"]["CustomerPreferences"]["traits"]) >= {"preferredChannel"}
    (mapped,) = live["dataMappings"].values()
    assert {m["traitGroup"] for m in mapped["mappingTo"]["mappings"]} == {"CustomerPreferences"}
    d.pulumi.preview("--refresh", "--expect-no-changes")


def test_out_of_band_edits_are_seen_by_refresh_and_healed(deployment: Deployment) -> None:
    d = deployment
    store, outputs = _deploy(d)
    client = d.emulator.client()
    base = f"{STORES}/{store}"
    mapping = outputs["dataMappings"]["crm-import"].rsplit("/", 1)[-1]
    console = [
        client.put(
            f"{base}/IdentityResolutionSettings",
            json={"identifierConfigs": [{"idType": "email"}], "matchingRules": ["email"]},
        ),
        client.patch(
            f"{base}/TraitGroups/Preferences",
            json={"traits": {"rogue": {"dataType": "BOOLEAN"}}, "description": "edited"},
        ),
        client.patch(f"{base}/DataMappings/{mapping}", json={"isEnabled": False}),
    ]
    for response in console:
        response.raise_for_status()
    d.emulator.advance_clock(60)  # the console's writes complete

    refreshed = d.pulumi.run("refresh", "--preview-only", "--expect-no-changes", check=False)
    assert refreshed.returncode != 0, "refresh sees the edits"
    for name in ("support-identities", "Preferences", "crm-import"):
        assert name in refreshed.stdout, refreshed.stdout

    mark = d.emulator.mark()
    d.pulumi.up("--refresh")
    assert _writes_under(d, mark, store) == [
        ("PUT", "IdentityResolutionSettings"),
        ("PATCH", "TraitGroups/Preferences"),
        ("PATCH", f"DataMappings/{mapping}"),
    ]
    patch = _body_of(d, mark, "PATCH", "TraitGroups/Preferences")
    assert patch["traits"]["rogue"] == {"dataType": ""}
    live = contents(client, store)
    assert live["settings"]["matchingRules"] == ["email", "phone", "crmId"]
    assert "rogue" not in live["traitGroups"]["Preferences"]["traits"]
    assert (
        live["traitGroups"]["Preferences"]["description"] == "How the customer likes to be served"
    )
    assert live["dataMappings"][mapping].get("isEnabled", True) is True
    d.pulumi.preview("--refresh", "--expect-no-changes")


def test_destroy_deletes_groups_and_mappings_then_the_store(
    deployment: Deployment,
) -> None:
    d = deployment
    store, outputs = _deploy(d)
    mapping = outputs["dataMappings"]["crm-import"].rsplit("/", 1)[-1]
    mark = d.emulator.mark()
    d.pulumi.destroy()
    assert sorted(_writes_under(d, mark, store)) == [  # the groups in either order
        ("DELETE", f"DataMappings/{mapping}"),
        ("DELETE", "TraitGroups/Preferences"),
        ("DELETE", "TraitGroups/SupportLine"),
    ]
    assert _writes_under(d, mark, store)[0] == ("DELETE", f"DataMappings/{mapping}")
    # The dev stack's store is deletionPolicy: delete: it goes last, with its settings (never
    # written by a destroy: they belong to the store).
    writes = d.writes(mark)
    store_delete = writes.index(("DELETE", f"{STORES}/{store}"))
    assert all(not p.startswith(f"{STORES}/{store}/") for _, p in writes[store_delete:])
    d.emulator.advance_clock(60)
    assert d.emulator.client().get(f"{STORES}/{store}").status_code == 404


def _make_contents_by_hand(d: Deployment, store: str) -> None:
    """The file's settings, trait group and data mapping, made through the API directly (a
    console, a script, or a run that died after its creates)."""
    client = d.emulator.client()
    base = f"{STORES}/{store}"
    settings = {
        "identifierConfigs": [
            {"idType": "email", "normalization": "email"},
            {"idType": "phone", "normalization": "phone"},
            {"idType": "crmId", "limit": 1},
        ],
        "matchingRules": ["email", "phone", "crmId"],
    }
    traits = {
        "preferredChannel": {
            "dataType": "STRING",
            "validationRule": {"ruleType": "STRING", "maxLength": 16},
        },
        "loyaltyTier": {
            "dataType": "NUMBER",
            "validationRule": {"ruleType": "NUMBER", "min": 0, "max": 5},
        },
        "crmRef": {"dataType": "STRING", "idTypePromotion": "crmId"},
        "vip": {"dataType": "BOOLEAN"},
    }
    group = {
        "displayName": "Preferences",
        "description": "How the customer likes to be served",
        "traits": traits,
    }
    mapped = [("channel", "preferredChannel"), ("tier", "loyaltyTier"), ("ref", "crmRef")]
    mapping = {
        "displayName": "crm-import",
        "description": "Preferences from the CRM export",
        "mappingFrom": {"type": "INGRESS", "columns": ["channel", "tier", "ref"]},
        "mappingTo": {
            "type": "TRAITS",
            "mappings": [
                {"expression": e, "traitGroup": "Preferences", "traitName": t} for e, t in mapped
            ],
        },
    }
    client.put(f"{base}/IdentityResolutionSettings", json=settings).raise_for_status()
    d.emulator.advance_clock(60)  # each asynchronous write completes before the next
    client.post(f"{base}/TraitGroups", json=group).raise_for_status()
    d.emulator.advance_clock(60)
    client.post(f"{base}/DataMappings", json=mapping).raise_for_status()
    d.emulator.advance_clock(60)


def test_existing_contents_and_the_built_in_group_are_adopted_without_a_write(
    deployment: Deployment,
) -> None:
    d = deployment
    d.pulumi.up()
    store = d.pulumi.outputs()["memoryStores"]["support-memory"]
    _make_contents_by_hand(d, store)
    # The built-in Contact group, declared as it is: adopted, never created.
    contact = contents(d.emulator.client(), store)["traitGroups"]["Contact"]
    add_memory_contents(d.project_dir)
    d.edit("  crm-import:\n", "  crm-import:\n    displayName: crm-import\n")
    declared = {k: contact[k] for k in ("description", "traits") if contact.get(k)}
    contact_yaml = yaml.safe_dump({"Contact": {"memoryStore": "support-memory", **declared}})
    d.edit("traitGroups:\n", "traitGroups:\n" + textwrap.indent(contact_yaml, "  "))

    mark = d.emulator.mark()
    d.pulumi.up()
    assert d.writes(mark) == [], "everything is adopted"
    outputs = d.pulumi.outputs()
    assert outputs["traitGroups"]["Contact"] == f"{store}/TraitGroups/Contact"
    assert set(outputs["dataMappings"]) == {"crm-import"}
    d.pulumi.preview("--refresh", "--expect-no-changes")

    # Destroy never deletes a built-in group.
    mark = d.emulator.mark()
    d.pulumi.destroy()
    assert ("DELETE", f"{STORES}/{store}/TraitGroups/Contact") not in d.writes(mark)


def test_export_writes_the_contents_and_drift_reports_them(deployment: Deployment) -> None:
    d = deployment
    d.emulator.set_settings(operation_delay_seconds=0, store_provisioning_seconds=0)
    client = d.emulator.client()
    client.post(STORES, json={"displayName": "support-memory"}).raise_for_status()
    (store,) = client.get(STORES).json()["stores"]
    d.emulator.advance_clock(1)
    _make_contents_by_hand(d, store)

    exported = export_to_dev(d)
    (settings,) = exported["identityResolutionSettings"].values()
    assert settings["memoryStore"] == "support-memory"
    assert settings["adoptId"] == f"{store}/IdentityResolutionSettings"
    groups = exported["traitGroups"]
    assert groups["Preferences"]["adoptId"] == f"{store}/TraitGroups/Preferences"
    assert "Contact" in groups, "built-in groups are exported (adopting them writes nothing)"
    (mapping,) = exported["dataMappings"].values()
    assert {m["traitGroup"] for m in mapping["mappingTo"]["mappings"]} == {"Preferences"}

    mark = d.emulator.mark()
    d.pulumi.up()
    assert d.writes(mark) == [], "export adopts everything"
    d.pulumi.preview("--refresh", "--expect-no-changes")
    report = drift(d, "--stack", "dev")["json"].json()
    assert report["exitCode"] == 0, report
    assert report["unmanaged"] == []
    kinds = {o["kind"] for o in report["stacks"][0]["objects"]}
    assert {"IdentityResolutionSettings", "TraitGroup", "DataMapping"} <= kinds

    # An edit in the console is drift, named by kind and object.
    client.patch(
        f"{STORES}/{store}/TraitGroups/Preferences", json={"description": "edited"}
    ).raise_for_status()
    d.emulator.advance_clock(60)
    report = drift(d, "--stack", "dev")["json"].json()
    assert report["exitCode"] == 2, report
    drifted = [o for o in report["stacks"][0]["objects"] if o["status"] != "in-sync"]
    assert [o["kind"] for o in drifted] == ["TraitGroup"], drifted
