"""The reconciler contract, after Crossplane's managed reconciler: one ``observe`` that says
exists / up to date / what differs, and ``create``, ``update``, ``delete`` beside it.

Reconcilers know Twilio and the resource descriptions, and nothing of Pulumi: the Pulumi adapters,
the drift command and the tests all drive them the same way.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from .._core import kinds as _kinds
from .._core.bodies import ServerFields
from .._core.spec import FieldChange, ResourceModel
from .._twilio.api import TwilioApi
from .._twilio.http import AmbiguousWrite
from ..errors import AmbiguousWriteError, NameTakenError, NotFoundError

log = logging.getLogger("pulumi_twilio_intelligence.reconcile")

Severity = Literal["warning", "error"]


@dataclass(frozen=True)
class Finding:
    """Something wrong with a live object that is not a field difference."""

    kind: str  # "inactive-configuration", "pin-deprecated", "pin-retired", ...
    message: str
    severity: Severity = "error"


@dataclass
class Observation:
    exists: bool
    live: dict[str, Any] = field(default_factory=dict)  # normalised, shaped like desired state
    server: ServerFields = field(default_factory=dict)  # values Twilio assigns
    changes: list[FieldChange] = field(default_factory=list)  # desired -> live differences
    findings: list[Finding] = field(default_factory=list)

    @property
    def up_to_date(self) -> bool:
        return (
            self.exists
            and not self.changes
            and not any(f.severity == "error" for f in self.findings)
        )


@dataclass(frozen=True)
class Created:
    """What ``create`` made (after crossplane-runtime's ExternalCreation)."""

    id: str
    server: ServerFields
    adopted: bool = False  # found an existing object instead of posting a new one


@dataclass(frozen=True)
class Updated:
    """What ``update`` changed in place (after crossplane-runtime's ExternalUpdate): the new
    server-assigned values."""

    server: ServerFields


class Reconciler(ABC):
    """Drive one kind of Twilio object towards a desired state."""

    model: ClassVar[type[ResourceModel]]

    def __init__(self, api: TwilioApi) -> None:
        self.api = api

    @abstractmethod
    def fetch(self, object_id: str) -> dict[str, Any] | None:
        """The live object, or None when it does not exist."""

    @abstractmethod
    def server_fields(self, body: dict[str, Any]) -> ServerFields:
        """The server-assigned values worth recording (versions, dates, authors)."""

    def findings(self, body: dict[str, Any], recorded: ServerFields | None) -> list[Finding]:
        """Problems a field diff cannot show (override per resource)."""
        return []

    def observe(
        self,
        object_id: str,
        desired: dict[str, Any] | None = None,
        recorded: ServerFields | None = None,
        *,
        body: dict[str, Any] | None = None,
    ) -> Observation:
        """Compare the live object with the desired state. ``body`` skips the GET when the caller
        already listed the object (the drift command reads whole collections at once)."""
        live_body = body if body is not None else self.fetch(object_id)
        if live_body is None:
            return Observation(exists=False)
        return Observation(
            exists=True,
            live=self.model.normalise(live_body),
            server=self.server_fields(live_body),
            changes=self.model.diff(desired, live_body) if desired is not None else [],
            findings=self.findings(live_body, recorded),
        )

    @abstractmethod
    def create(self, desired: ResourceModel, *, replacing: Collection[str] = ()) -> Created:
        """Create the object. ``replacing`` lists the ids this create replaces: they may carry
        the same name but must never be adopted, since the engine deletes them next."""

    @abstractmethod
    def update(self, object_id: str, desired: ResourceModel, recorded: ServerFields) -> Updated:
        """Change the object in place."""

    @abstractmethod
    def delete(self, object_id: str, recorded: ServerFields) -> None: ...

    # --- shared helpers ------------------------------------------------------------------
    def _get_or_none(self, get: Callable[[], dict[str, Any]]) -> dict[str, Any] | None:
        try:
            return get()
        except NotFoundError:
            return None

    def adoptable(self, body: dict[str, Any]) -> bool:
        """Whether a live object found by name may be taken over (override per resource)."""
        return True

    def _create_by_name(
        self,
        desired: ResourceModel,
        post: Callable[[dict[str, Any]], dict[str, Any]],
        find: Callable[[str], list[dict[str, Any]]],
        replacing: Collection[str] = (),
        attempts: int = 3,
    ) -> Created:
        """Create an object whose displayName is unique, never posting it twice.

        Before posting, an object left by an earlier run that crashed after its create is looked
        up by name and adopted when it matches. A lost response is resolved the same way: by
        name, then (when nothing is found, so the POST did not land) one more POST.
        """
        name = desired.wire()[self.model.NAME_FIELD]

        def others(wanted: str) -> list[dict[str, Any]]:
            return [c for c in find(wanted) if str(c.get("id")) not in replacing]

        adopted = self._adopt_by_name(desired, others)
        if adopted:
            return adopted
        for _ in range(attempts):
            try:
                body = post(desired.wire())
            except AmbiguousWrite as exc:
                log.warning("%s; looking %r up before trying again", exc, name)
                adopted = self._adopt_by_name(desired, others)
                if adopted:
                    return adopted
                continue
            if body.get("id"):
                return Created(str(body["id"]), self.server_fields(body))
            # Twilio can answer a create without the id: find what it made.
            adopted = self._adopt_by_name(desired, others)
            if adopted:
                return adopted
            raise AmbiguousWriteError(
                f"create of {name!r} answered without an id, and no object of that name was found"
            )
        raise AmbiguousWriteError(f"create of {name!r} got no answer after {attempts} attempts")

    def _adopt_by_name(
        self, desired: ResourceModel, find: Callable[[str], list[dict[str, Any]]]
    ) -> Created | None:
        name = desired.wire()[self.model.NAME_FIELD]
        for candidate in find(name):
            if self.adoptable(candidate) and not self.model.diff(desired.wire(), candidate):
                log.info("adopting existing %s %s named %r", self.model.KIND, candidate["id"], name)
                return Created(str(candidate["id"]), self.server_fields(candidate), adopted=True)
            raise NameTakenError(
                f"{self.model.KIND} {candidate['id']} is already named {name!r} but differs from "
                f"the desired state (changed outside Pulumi?). Run `pulumi refresh`, then "
                f"`pulumi up`: the refreshed resource is replaced under a new name."
            )
        return None


def deletion_policy(recorded: ServerFields) -> str:
    """The recorded ``deletionPolicy`` of an object that holds customer data (``retain`` unless
    the file says ``delete``)."""
    return _kinds.DELETE if recorded.get("deletionPolicy") == _kinds.DELETE else _kinds.RETAIN


class DataHoldingReconciler(Reconciler):
    """A kind that holds customer data (``Kind.holds_data``): deleted only when its recorded
    deletion policy is ``delete``; otherwise it is forgotten, with a warning naming it and what
    it holds, so that nobody believes it is gone."""

    def delete(self, object_id: str, recorded: ServerFields) -> None:
        if deletion_policy(recorded) == _kinds.DELETE:
            self.delete_now(object_id, recorded)
            return
        kind = _kinds.by_name(self.model.KIND)
        log.warning(
            "%s %s (%s) is retained (deletionPolicy: retain): it holds %s. It no longer belongs "
            "to this stack; set deletionPolicy: delete in the stack file to have it deleted, or "
            "delete it in the Twilio Console if it is not needed.",
            kind.singular,
            object_id,
            recorded.get(self.model.NAME_FIELD),
            kind.holds_data,
        )

    @abstractmethod
    def delete_now(self, object_id: str, recorded: ServerFields) -> None:
        """Delete the object (its policy allows it), waiting until it is gone."""
