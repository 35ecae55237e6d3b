"""The contract's Memory v1 control-plane calls (memory-v1.md): stores, identity resolution
settings, trait groups and data mappings, all asynchronous (202, then an operation)."""

from __future__ import annotations

from typing import Any

from twilio.rest.memory.v1.data_mapping import DataMappingList
from twilio.rest.memory.v1.identity_resolution_setting import IdentityResolutionSettingList
from twilio.rest.memory.v1.store import StoreList
from twilio.rest.memory.v1.trait_group import TraitGroupList

from .harness import Entry, Run, check_id

__all__ = ["ENTRIES", "make_store"]

V1 = "memory.v1."
OPERATION = "proc_job"
# memory-v1.md §3's example.
SETTINGS = {
    "identifierConfigs": [
        {
            "idType": "email",
            "matchingAlgo": "exact",
            "normalization": "email",
            "enforceUnique": True,
        },
        {
            "idType": "phone",
            "matchingAlgo": "exact",
            "normalization": "phone",
            "enforceUnique": True,
        },
    ],
    "matchingRules": ["email", "phone"],
}
TRAITS = {
    "score": {
        "dataType": "NUMBER",
        "description": "Lead score",
        "validationRule": {"ruleType": "NUMBER", "min": 0, "max": 100},
    },
}


def settled(run: Run, accepted: Any, what: str, gone_is_done: bool = False) -> Any:
    return run.settled(accepted, run.client.memory.v1.operations, what, OPERATION, gone_is_done)


def result_id(done: Any) -> str:
    result = done.result
    ident = result["id"] if isinstance(result, dict) else result.id
    assert isinstance(ident, str)
    return ident


def deleter(run: Run, context: Any, what: str) -> Any:
    """Cleanup of an asynchronous delete: a parent goes only after its children are gone."""

    def delete() -> None:
        settled(run, context.delete(), what, gone_is_done=True)

    return delete


def make_store(run: Run) -> str:
    stores = run.client.memory.v1.stores
    accepted = stores.create(
        StoreList.ServiceRequest({"displayName": run.name("store"), "description": "contract"})
    )
    store_id = check_id(result_id(settled(run, accepted, "store create")), "mem_store")
    run.created("memory store", store_id, deleter(run, stores(store_id), "store delete"))
    # A new store is provisioning until its own clock says ACTIVE (memory-v1.md §2.2).
    run.until(stores(store_id).fetch, lambda s: s.status == "ACTIVE", "store provisioning")
    return store_id


def make_group(run: Run, store_id: str) -> str:
    groups = run.client.memory.v1.trait_groups(store_id)
    body = {"displayName": run.name("group"), "description": "contract", "traits": TRAITS}
    accepted = groups.create(TraitGroupList.TraitGroupRequest(body))
    name = result_id(settled(run, accepted, "trait group create"))
    assert name == run.name("group"), name
    return run.created(
        "trait group",
        name,
        deleter(run, run.client.memory.v1.trait_groups(store_id, name), "trait group delete"),
    )


def make_mapping(run: Run, store_id: str, group: str) -> str:
    body = {
        "displayName": run.name("mapping"),
        "description": "contract",
        "mappingFrom": {"type": "INGRESS", "columns": ["lead_score"]},
        "mappingTo": {
            "type": "TRAITS",
            "mappings": [{"expression": "lead_score", "traitGroup": group, "traitName": "score"}],
        },
    }
    mappings = run.client.memory.v1.data_mappings(store_id)
    accepted = mappings.create(DataMappingList.CreateDataMappingInput(body))
    ident = check_id(result_id(settled(run, accepted, "data mapping create")), "mem_datamapping")
    return run.created(
        "data mapping",
        ident,
        deleter(run, run.client.memory.v1.data_mappings(store_id, ident), "data mapping delete"),
    )


def store_create(run: Run) -> None:
    store_id = make_store(run)
    fetched = run.client.memory.v1.stores(store_id).fetch()
    assert fetched.display_name == run.name("store")


def store_list(run: Run) -> None:
    store_id = make_store(run)
    listed = run.client.memory.v1.stores.list(page_size=100)
    run.answered(200)
    # The SDK types the items as plain store ids (List[str]).
    assert store_id in listed, listed


def store_fetch(run: Run) -> None:
    store_id = make_store(run)
    fetched = run.client.memory.v1.stores(store_id).fetch()
    run.answered(200)
    assert (fetched.id, fetched.status) == (store_id, "ACTIVE")
    assert fetched.version is not None


def store_patch(run: Run) -> None:
    store_id = make_store(run)
    store = run.client.memory.v1.stores(store_id)
    settled(
        run, store.patch(StoreList.PatchStoreRequest({"description": "patched"})), "store patch"
    )
    assert store.fetch().description == "patched"


def store_delete(run: Run) -> None:
    store_id = make_store(run)
    settled(run, run.client.memory.v1.stores(store_id).delete(), "store delete")
    run.deleted(store_id)


def settings_fetch(run: Run) -> None:
    store_id = make_store(run)
    fetched = run.client.memory.v1.identity_resolution_settings(store_id).fetch()
    run.answered(200)
    assert fetched.identifier_configs
    assert fetched.matching_rules
    assert fetched.version is not None


def settings_update(run: Run) -> None:
    store_id = make_store(run)
    settings = run.client.memory.v1.identity_resolution_settings(store_id)
    core = IdentityResolutionSettingList.IdentityResolutionSettingsCore(SETTINGS)
    settled(run, settings.update(core), "identity resolution settings update")
    assert settings.fetch().matching_rules == ["email", "phone"]


def group_create(run: Run) -> None:
    store_id = make_store(run)
    name = make_group(run, store_id)
    fetched = run.client.memory.v1.trait_groups(store_id, name).fetch(include_traits=True)
    assert fetched.trait_group["displayName"] == name


def group_list(run: Run) -> None:
    store_id = make_store(run)
    name = make_group(run, store_id)
    assert name in run.listed(run.client.memory.v1.trait_groups(store_id).list(), "display_name")


def group_fetch(run: Run) -> None:
    store_id = make_store(run)
    name = make_group(run, store_id)
    fetched = run.client.memory.v1.trait_groups(store_id, name).fetch(include_traits=True)
    run.answered(200)
    # The SDK keeps the answer's wrapper: {traitGroup: {...}, meta}.
    assert fetched.trait_group["displayName"] == name
    assert set(fetched.trait_group["traits"]) == {"score"}


def group_patch(run: Run) -> None:
    store_id = make_store(run)
    name = make_group(run, store_id)
    group = run.client.memory.v1.trait_groups(store_id, name)
    settled(
        run,
        group.patch(TraitGroupList.PatchTraitGroupRequest({"description": "patched"})),
        "trait group patch",
    )
    assert group.fetch().trait_group["description"] == "patched"


def group_delete(run: Run) -> None:
    store_id = make_store(run)
    name = make_group(run, store_id)
    settled(run, run.client.memory.v1.trait_groups(store_id, name).delete(), "trait group delete")
    run.deleted(name)


def mapping_create(run: Run) -> None:
    store_id = make_store(run)
    ident = make_mapping(run, store_id, make_group(run, store_id))
    assert run.client.memory.v1.data_mappings(store_id, ident).fetch().display_name == run.name(
        "mapping"
    )


def mapping_list(run: Run) -> None:
    store_id = make_store(run)
    ident = make_mapping(run, store_id, make_group(run, store_id))
    assert ident in run.listed(run.client.memory.v1.data_mappings(store_id).list())


def mapping_fetch(run: Run) -> None:
    store_id = make_store(run)
    ident = make_mapping(run, store_id, make_group(run, store_id))
    fetched = run.client.memory.v1.data_mappings(store_id, ident).fetch()
    run.answered(200)
    assert (fetched.id, fetched.display_name) == (ident, run.name("mapping"))


def mapping_patch(run: Run) -> None:
    store_id = make_store(run)
    ident = make_mapping(run, store_id, make_group(run, store_id))
    mapping = run.client.memory.v1.data_mappings(store_id, ident)
    settled(
        run,
        mapping.patch(DataMappingList.DataMappingCore({"description": "patched"})),
        "data mapping patch",
    )
    assert mapping.fetch().description == "patched"


def mapping_delete(run: Run) -> None:
    store_id = make_store(run)
    ident = make_mapping(run, store_id, make_group(run, store_id))
    settled(
        run, run.client.memory.v1.data_mappings(store_id, ident).delete(), "data mapping delete"
    )
    run.deleted(ident)


def operation_fetch(run: Run) -> None:
    stores = run.client.memory.v1.stores
    accepted = stores.create(StoreList.ServiceRequest({"displayName": run.name("store")}))
    done = settled(run, accepted, "store create")
    store_id = result_id(done)
    run.created("memory store", store_id, deleter(run, stores(store_id), "store delete"))
    check_id(done.operation_id, OPERATION)
    assert done.created_at is not None
    assert done.completed_at is not None


STORE = ("memory store",)
GROUP = ("memory store", "trait group")
MAPPING = ("memory store", "trait group", "data mapping")
ENTRIES = [
    Entry(V1 + "StoreList.create", "ServiceRequest{displayName, description}", (), store_create),
    Entry(V1 + "StoreList.list", "page_size", STORE, store_list),
    Entry(V1 + "StoreContext.fetch", "store_id", STORE, store_fetch),
    Entry(
        V1 + "StoreContext.patch", "store_id, PatchStoreRequest{description}", STORE, store_patch
    ),
    Entry(V1 + "StoreContext.delete", "store_id", STORE, store_delete),
    Entry(V1 + "OperationContext.fetch", "operation_id", STORE, operation_fetch),
    Entry(V1 + "IdentityResolutionSettingList.fetch", "store_id", STORE, settings_fetch),
    Entry(
        V1 + "IdentityResolutionSettingList.update",
        "store_id, IdentityResolutionSettingsCore",
        STORE,
        settings_update,
    ),
    Entry(
        V1 + "TraitGroupList.create",
        "store_id, TraitGroupRequest{displayName, description, traits}",
        STORE,
        group_create,
    ),
    Entry(V1 + "TraitGroupList.list", "store_id", GROUP, group_list),
    Entry(
        V1 + "TraitGroupContext.fetch",
        "store_id, trait_group_name, include_traits",
        GROUP,
        group_fetch,
    ),
    Entry(
        V1 + "TraitGroupContext.patch",
        "store_id, trait_group_name, PatchTraitGroupRequest{description}",
        GROUP,
        group_patch,
    ),
    Entry(V1 + "TraitGroupContext.delete", "store_id, trait_group_name", GROUP, group_delete),
    Entry(
        V1 + "DataMappingList.create",
        "store_id, CreateDataMappingInput{displayName, mappingFrom, mappingTo}",
        GROUP,
        mapping_create,
    ),
    Entry(V1 + "DataMappingList.list", "store_id", MAPPING, mapping_list),
    Entry(V1 + "DataMappingContext.fetch", "store_id, data_mapping_id", MAPPING, mapping_fetch),
    Entry(
        V1 + "DataMappingContext.patch",
        "store_id, data_mapping_id, DataMappingCore{description}",
        MAPPING,
        mapping_patch,
    ),
    Entry(V1 + "DataMappingContext.delete", "store_id, data_mapping_id", MAPPING, mapping_delete),
]
