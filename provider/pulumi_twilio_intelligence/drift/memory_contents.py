"""The contents of every Memory Store, for the drift and export commands: identity resolution
settings, trait groups (with their traits) and data mappings, read store by store in parallel
with one request per collection page (at most 15 stores per account).

Bodies carry ``storeId`` and the provider's ids (paths under the store), as the reconcilers'
``fetch`` gives them, so ``observe(..., body=...)`` compares them as it would a fetched one.
A store's identity resolution settings and its built-in trait groups come with the store (never
created, never deleted): they are marked Twilio-authored, so that an account where nobody declared
them does not list them as unmanaged objects to adopt or delete.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

from .._core.memory_models import BUILT_IN_TRAIT_GROUPS
from .._reconcile.data_mappings import MAPPINGS
from .._reconcile.memory_objects import SETTINGS, TRAIT_GROUPS, object_id
from .._twilio.api import TwilioApi
from ..errors import NotFoundError

__all__ = ["read_store_contents"]

Objects = dict[str, dict[str, Any]]
Reader = Callable[[TwilioApi, str], list[dict[str, Any]]]  # one store's objects of one kind
_OF_THE_STORE = {"author": "TWILIO"}  # see the module's doc


def read_store_contents(api: TwilioApi, pool: Executor, store_ids: list[str]) -> dict[str, Objects]:
    """``{"identity_resolution_settings": ..., "trait_groups": ..., "data_mappings": ...}``, each
    by id (the ``LiveAccount`` attributes of these kinds)."""
    reads = [
        (store_id, what, pool.submit(_read, _READERS[what], api, store_id))
        for store_id in store_ids
        for what in _READERS
    ]
    found: dict[str, Objects] = {what: {} for what in _READERS}
    for _, what, future in reads:
        for body in future.result():
            found[what][str(body["id"])] = body
    return found


def _read(reader: Reader, api: TwilioApi, store_id: str) -> list[dict[str, Any]]:
    try:
        return reader(api, store_id)
    except NotFoundError:  # the store was listed, then gone
        return []


def _settings(api: TwilioApi, store_id: str) -> list[dict[str, Any]]:
    body = api.get_identity_settings(store_id).body
    return [{**body, "storeId": store_id, "id": object_id(store_id, SETTINGS), **_OF_THE_STORE}]


def _trait_groups(api: TwilioApi, store_id: str) -> list[dict[str, Any]]:
    return [
        {
            **group,
            "storeId": store_id,
            "id": object_id(store_id, TRAIT_GROUPS, str(group.get("displayName"))),
            **(_OF_THE_STORE if group.get("displayName") in BUILT_IN_TRAIT_GROUPS else {}),
        }
        for group in api.list_trait_groups(store_id)
    ]


def _data_mappings(api: TwilioApi, store_id: str) -> list[dict[str, Any]]:
    return [
        {**m, "storeId": store_id, "id": object_id(store_id, MAPPINGS, str(m.get("id")))}
        for m in api.list_data_mappings(store_id)
    ]


_READERS: dict[str, Reader] = {
    "identity_resolution_settings": _settings,
    "trait_groups": _trait_groups,
    "data_mappings": _data_mappings,
}
