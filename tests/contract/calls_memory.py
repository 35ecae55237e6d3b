"""The contract's Memory v1 control-plane calls (memory-v1.md): stores, identity resolution
settings, trait groups and data mappings, all asynchronous (202, then an operation)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from twilio.rest.memory.v1.data_mapping import DataMappingList
from twilio.rest.memory.v1.identity_resolution_setting import IdentityResolutionSettingList
from twilio.rest.memory.v1.store import StoreList
from twilio.rest.memory.v1.trait_group import TraitGroupList

from .harness import Entries, Run, check_id, ident_of

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
STORE = ("memory store",)
GROUP = ("memory store", "trait group")
MAPPING = ("memory store", "trait group", "data mapping")
ENTRIES = Entries()


def settled(run: Run, accepted: Any, what: str, gone_is_done: bool = False) -> Any:
    return run.settled(accepted, run.client.memory.v1.operations, what, OPERATION, gone_is_done)


def result_id(done: Any) -> str:
    ident = ident_of(done.result)
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


def store_with_group(run: Run) -> tuple[str, str]:
    """A store and a trait group in it: (store id, group name)."""
    store_id = make_store(run)
    return store_id, make_group(run, store_id)


def store_with_mapping(run: Run) -> tuple[str, str]:
    """A store, a trait group and a data mapping onto it: (store id, mapping id)."""
    store_id, group = store_with_group(run)
    return store_id, make_mapping(run, store_id, group)


def a_store(run: Run) -> tuple[str, Any]:
    """A new store: its id and its SDK context (likewise a_group and a_mapping)."""
    store_id = make_store(run)
    return store_id, run.client.memory.v1.stores(store_id)


def a_group(run: Run) -> tuple[str, Any]:
    store_id, name = store_with_group(run)
    return name, run.client.memory.v1.trait_groups(store_id, name)


def a_mapping(run: Run) -> tuple[str, Any]:
    store_id, ident = store_with_mapping(run)
    return ident, run.client.memory.v1.data_mappings(store_id, ident)


@ENTRIES.driver(V1 + "StoreList.create", "ServiceRequest{displayName, description}")
def store_create(run: Run) -> None:
    store_id = make_store(run)
    fetched = run.client.memory.v1.stores(store_id).fetch()
    assert fetched.display_name == run.name("store")


@ENTRIES.driver(V1 + "StoreList.list", "page_size", STORE)
def store_list(run: Run) -> None:
    store_id = make_store(run)
    listed = run.got(run.client.memory.v1.stores.list(page_size=100))
    # The SDK types the items as plain store ids (List[str]).
    assert store_id in listed, listed


@ENTRIES.driver(V1 + "StoreContext.fetch", "store_id", STORE)
def store_fetch(run: Run) -> None:
    store_id, store = a_store(run)
    fetched = run.got(store.fetch())
    assert (fetched.id, fetched.status) == (store_id, "ACTIVE")
    assert fetched.version is not None


@ENTRIES.driver(V1 + "IdentityResolutionSettingList.fetch", "store_id", STORE)
def settings_fetch(run: Run) -> None:
    store_id = make_store(run)
    fetched = run.got(run.client.memory.v1.identity_resolution_settings(store_id).fetch())
    assert fetched.identifier_configs
    assert fetched.matching_rules
    assert fetched.version is not None


@ENTRIES.driver(
    V1 + "IdentityResolutionSettingList.update", "store_id, IdentityResolutionSettingsCore", STORE
)
def settings_update(run: Run) -> None:
    store_id = make_store(run)
    settings = run.client.memory.v1.identity_resolution_settings(store_id)
    core = IdentityResolutionSettingList.IdentityResolutionSettingsCore(SETTINGS)
    settled(run, settings.update(core), "identity resolution settings update")
    assert settings.fetch().matching_rules == ["email", "phone"]


@ENTRIES.driver(
    V1 + "TraitGroupList.create",
    "store_id, TraitGroupRequest{displayName, description, traits}",
    STORE,
)
def group_create(run: Run) -> None:
    name, group = a_group(run)
    assert group.fetch(include_traits=True).trait_group["displayName"] == name


@ENTRIES.driver(V1 + "TraitGroupList.list", "store_id", GROUP)
def group_list(run: Run) -> None:
    store_id, name = store_with_group(run)
    assert name in run.listed(run.client.memory.v1.trait_groups(store_id).list(), "display_name")


@ENTRIES.driver(V1 + "TraitGroupContext.fetch", "store_id, trait_group_name, include_traits", GROUP)
def group_fetch(run: Run) -> None:
    name, group = a_group(run)
    fetched = run.got(group.fetch(include_traits=True))
    # The SDK keeps the answer's wrapper: {traitGroup: {...}, meta}.
    assert fetched.trait_group["displayName"] == name
    assert set(fetched.trait_group["traits"]) == {"score"}


@ENTRIES.driver(
    V1 + "DataMappingList.create",
    "store_id, CreateDataMappingInput{displayName, mappingFrom, mappingTo}",
    GROUP,
)
def mapping_create(run: Run) -> None:
    _, mapping = a_mapping(run)
    assert mapping.fetch().display_name == run.name("mapping")


@ENTRIES.driver(V1 + "DataMappingList.list", "store_id", MAPPING)
def mapping_list(run: Run) -> None:
    store_id, ident = store_with_mapping(run)
    assert ident in run.listed(run.client.memory.v1.data_mappings(store_id).list())


@ENTRIES.driver(V1 + "DataMappingContext.fetch", "store_id, data_mapping_id", MAPPING)
def mapping_fetch(run: Run) -> None:
    ident, mapping = a_mapping(run)
    fetched = run.got(mapping.fetch())
    assert (fetched.id, fetched.display_name) == (ident, run.name("mapping"))


@ENTRIES.driver(V1 + "OperationContext.fetch", "operation_id", STORE)
def operation_fetch(run: Run) -> None:
    stores = run.client.memory.v1.stores
    accepted = stores.create(StoreList.ServiceRequest({"displayName": run.name("store")}))
    done = settled(run, accepted, "store create")
    store_id = result_id(done)
    run.created("memory store", store_id, deleter(run, stores(store_id), "store delete"))
    check_id(done.operation_id, OPERATION)
    assert done.created_at is not None
    assert done.completed_at is not None


@dataclass(frozen=True)
class Kind:
    """A Memory kind whose PATCH and DELETE the contract drives alike: the description patched,
    the operation settled and the change fetched; the delete's operation settled."""

    sdk: str  # the SDK's class prefix: <sdk>Context
    what: str  # as the operations are named in failures: "trait group patch"
    ids: str  # what the context is given, as the table says it
    needs: tuple[str, ...]
    made: Callable[[Run], tuple[str, Any]]  # a new one: its id and its SDK context
    request: type[Any]  # the PATCH body's SDK type
    description: Callable[[Any], str]  # where a fetched one keeps its description

    def patch(self, run: Run) -> None:
        _, context = self.made(run)
        patch = self.request({"description": "patched"})
        settled(run, context.patch(patch), f"{self.what} patch")
        assert self.description(context.fetch()) == "patched"

    def delete(self, run: Run) -> None:
        ident, context = self.made(run)
        settled(run, context.delete(), f"{self.what} delete")
        run.deleted(ident)


def described(fetched: Any) -> str:
    description: str = fetched.description
    return description


def group_described(fetched: Any) -> str:
    description: str = fetched.trait_group["description"]  # the SDK keeps the wrapper
    return description


for kind in (
    Kind("Store", "store", "store_id", STORE, a_store, StoreList.PatchStoreRequest, described),
    Kind(
        "TraitGroup",
        "trait group",
        "store_id, trait_group_name",
        GROUP,
        a_group,
        TraitGroupList.PatchTraitGroupRequest,
        group_described,
    ),
    Kind(
        "DataMapping",
        "data mapping",
        "store_id, data_mapping_id",
        MAPPING,
        a_mapping,
        DataMappingList.DataMappingCore,
        described,
    ),
):
    patch_args = f"{kind.ids}, {kind.request.__name__}{{description}}"
    ENTRIES.driver(V1 + f"{kind.sdk}Context.patch", patch_args, kind.needs)(kind.patch)
    ENTRIES.driver(V1 + f"{kind.sdk}Context.delete", kind.ids, kind.needs)(kind.delete)
