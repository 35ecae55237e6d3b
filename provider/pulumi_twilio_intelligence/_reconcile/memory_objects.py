"""The objects inside a Memory Store: identity resolution settings, trait groups, data mappings.

Their ids are their paths under the store (``mem_store_…/TraitGroups/Contact``), so that each
call knows its store from the id alone. Every write is asynchronous and polled (``memory_api``);
updates send the ETag just read as ``If-Match``, and a 412 (someone wrote in between) re-reads,
re-diffs and tries once more.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from .._core.bodies import ServerFields
from .._core.memory_models import (
    BUILT_IN_TRAIT_GROUPS,
    IdentityResolutionSettingsModel,
    TraitGroupModel,
)
from .._core.spec import ResourceModel
from .._twilio.http import AmbiguousWrite, Tagged
from ..errors import (
    AmbiguousWriteError,
    ConflictError,
    NameTakenError,
    NotFoundError,
    ObjectMissingError,
    OperationFailedError,
    PreconditionFailedError,
)
from .base import Created, DataHoldingReconciler, Reconciler, Updated, log

SETTINGS = "IdentityResolutionSettings"
TRAIT_GROUPS = "TraitGroups"


def object_id(store_id: str, collection: str, key: str = "") -> str:
    return f"{store_id}/{collection}/{key}" if key else f"{store_id}/{collection}"


def split_id(object_id_: str) -> tuple[str, str]:
    """(store id, the object's key in its collection: a group's name, a mapping's id)."""
    store_id, _, rest = object_id_.partition("/")
    return store_id, rest.partition("/")[2]


def api_body(desired: ResourceModel, *drop: str) -> tuple[str, dict[str, Any]]:
    """(store id, the write body): the store is in the path, not the body."""
    wire = desired.wire()
    store_id = str(wire.pop("storeId"))
    for key in drop:
        wire.pop(key, None)
    return store_id, wire


class InStoreReconciler(Reconciler):
    """What the three kinds share: live bodies carry their ``storeId``; writes retry on 412."""

    def server_fields(self, body: dict[str, Any]) -> ServerFields:
        return {"version": body.get("version")}

    @staticmethod
    def live(store_id: str, body: dict[str, Any], object_id_: str) -> dict[str, Any]:
        return {**body, "storeId": store_id, "id": object_id_}

    def write_fresh(
        self, read: Callable[[], Tagged], write: Callable[[Tagged], None], what: str
    ) -> None:
        """Write on the state just read; a 412 or a lost answer re-reads and writes once more
        (each write here sets fields, so repeating it is safe whether or not the first landed)."""
        for attempt in (1, 2):
            try:
                write(read())
            except (PreconditionFailedError, AmbiguousWrite) as exc:
                if attempt == 2:
                    raise AmbiguousWriteError(f"{what}: {exc}, twice") from None
                log.warning("%s: %s; re-reading and writing again", what, exc)
            else:
                return


class IdentityResolutionSettingsReconciler(InStoreReconciler):
    """A singleton per store: adopted from it (create = read + PUT when it differs), never
    deleted (delete leaves the settings as they are: no DELETE exists, and putting defaults back
    could re-key the profiles the current settings resolved)."""

    model = IdentityResolutionSettingsModel

    def fetch(self, object_id_: str) -> dict[str, Any] | None:
        store_id, _ = split_id(object_id_)
        tagged = self._get_or_none(lambda: self.api.get_identity_settings(store_id).body)
        return None if tagged is None else self.live(store_id, tagged, object_id_)

    def create(self, desired: ResourceModel, *, replacing: Collection[str] = ()) -> Created:
        store_id, _ = api_body(desired)
        settings_id = object_id(store_id, SETTINGS)
        current = self.fetch(settings_id)
        if current is None:
            raise ObjectMissingError(f"memory store {store_id} does not exist")
        if not self.model.diff(desired.wire(), current):
            return Created(settings_id, self.server_fields(current), adopted=True)
        return Created(settings_id, self.update(settings_id, desired, {}).server)

    def update(self, object_id_: str, desired: ResourceModel, recorded: ServerFields) -> Updated:
        store_id, body = api_body(desired)

        def put(current: Tagged) -> None:
            live = self.live(store_id, current.body, object_id_)
            if self.model.diff(desired.wire(), live):  # after a 412 it may already be so
                self.api.put_identity_settings(store_id, body, current.etag)

        self.write_fresh(lambda: self.api.get_identity_settings(store_id), put, object_id_)
        return Updated(self.server_fields(self.api.get_identity_settings(store_id).body))

    def delete(self, object_id_: str, recorded: ServerFields) -> None:
        log.warning(
            "identity resolution settings of memory store %s are left as they are: they belong "
            "to the store, which keeps them until it is deleted",
            split_id(object_id_)[0],
        )


class TraitGroupReconciler(DataHoldingReconciler, InStoreReconciler):
    """Created by name (the name is the id); PATCH merges traits by key, so a trait removed from
    the file is sent as ``dataType: ""``. Built-in groups are adopted and never deleted; the
    others only under their store's ``deletionPolicy: delete`` (a group's traits hold values on
    every profile)."""

    model = TraitGroupModel

    def fetch(self, object_id_: str) -> dict[str, Any] | None:
        store_id, name = split_id(object_id_)
        found = self._get_or_none(lambda: self.api.get_trait_group(store_id, name).body)
        return None if found is None else self.live(store_id, found, object_id_)

    def create(self, desired: ResourceModel, *, replacing: Collection[str] = ()) -> Created:
        store_id, body = api_body(desired)
        name = str(body["displayName"])
        group_id = object_id(store_id, TRAIT_GROUPS, name)
        for _ in range(2):
            existing = self.fetch(group_id)
            if existing is not None:
                return self._adopt(group_id, desired, existing)
            if name in BUILT_IN_TRAIT_GROUPS:
                raise ObjectMissingError(
                    f"built-in trait group {name!r} is not in memory store {store_id}; "
                    "built-in groups are adopted, never created"
                )
            try:
                self.api.create_trait_group(store_id, body)
            except AmbiguousWrite as exc:
                log.warning("%s; looking trait group %r up before trying again", exc, name)
                continue  # the lookup above finds it if the POST landed
            except (ConflictError, OperationFailedError):
                # A group appears once its create completes: after a lost answer the lookup can
                # miss it, and this POST then fails on the duplicate name. Found now: adopt it.
                existing = self.fetch(group_id)
                if existing is None:
                    raise
                return self._adopt(group_id, desired, existing)
            created = self.fetch(group_id)
            if created is not None:
                return Created(group_id, self.server_fields(created))
        raise AmbiguousWriteError(f"create of trait group {name!r} got no answer, twice")

    def _adopt(self, group_id: str, desired: ResourceModel, existing: dict[str, Any]) -> Created:
        name = str(existing.get("displayName"))
        if not self.model.diff(desired.wire(), existing):
            log.info("adopting existing trait group %s", group_id)
            return Created(group_id, self.server_fields(existing), adopted=True)
        if name in BUILT_IN_TRAIT_GROUPS:  # adopted, then made to match the file
            return Created(group_id, self.update(group_id, desired, {}).server, adopted=True)
        raise NameTakenError(
            f"trait group {name!r} already exists in memory store {split_id(group_id)[0]} but "
            f"differs from the desired state. Adopt it with `adoptId: {group_id}`, or rename."
        )

    def update(self, object_id_: str, desired: ResourceModel, recorded: ServerFields) -> Updated:
        store_id, name = split_id(object_id_)

        def patch(current: Tagged) -> None:
            body = self.patch_body(desired, current.body)
            if body:
                self.api.patch_trait_group(store_id, name, body, current.etag)

        def read() -> Tagged:
            return self.api.get_trait_group(store_id, name)

        self.write_fresh(read, patch, object_id_)
        return Updated(self.server_fields(read().body))

    @classmethod
    def patch_body(cls, desired: ResourceModel, live: dict[str, Any]) -> dict[str, Any]:
        """Only what differs: changed or new traits whole, removed ones as ``dataType: ""``."""
        want = cls.model.normalise(desired.wire())
        have = cls.model.normalise({**live, "storeId": want.get("storeId")})
        body: dict[str, Any] = {}
        if want.get("description") != have.get("description"):
            body["description"] = want.get("description", "")
        wanted, had = want.get("traits", {}), have.get("traits", {})
        sent = desired.wire().get("traits", {})
        traits = {k: sent[k] for k, v in wanted.items() if had.get(k) != v}
        traits |= {k: {"dataType": ""} for k in had if k not in wanted}
        if traits:
            body["traits"] = traits
        return body

    def delete_now(self, object_id_: str, recorded: ServerFields) -> None:
        store_id, name = split_id(object_id_)
        if name in BUILT_IN_TRAIT_GROUPS:
            log.warning("built-in trait group %r of store %s is kept", name, store_id)
            return
        try:
            self.api.delete_trait_group(store_id, name)
        except NotFoundError:
            return  # already gone
        except ConflictError as exc:
            raise ConflictError(
                exc.method,
                exc.path,
                exc.status,
                exc.code,
                f"trait group {name!r} cannot be deleted yet (a data mapping still maps into "
                f"it?): {exc.message}",
            ) from None
