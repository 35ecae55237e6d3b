"""Compare desired, recorded and live state per object, through the reconcilers' ``observe``.

No request is made here except what the reconcilers' findings need (the versions of pinned
operators, once each): live bodies come from whole-collection lists (``live.LiveAccount``) and
are handed to ``observe(..., body=...)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from .._core import kinds as _kinds
from .._reconcile import IntelligenceConfigurationReconciler, Reconciler
from .._twilio.api import TwilioApi
from .desired import DesiredObject
from .live import WORKERS, LiveAccount
from .mask import mask
from .report import Change, Health, Issue, ObjectReport, StackReport, Unmanaged
from .state import RecordedResource, RecordedState, kind_names

__all__ = [
    "StackInput",
    "compare_stack",
    "find_unmanaged",
    "managed_ids",
    "pinned_operator_ids",
    "prefetch_pins",
    "reconcilers",
]


@dataclass
class StackInput:
    name: str
    desired_state: str | None  # the file, as shown in reports
    desired: dict[tuple[str, str], DesiredObject]
    recorded: RecordedState | None  # None: the stack was never deployed


def reconcilers(api: TwilioApi) -> dict[str, Reconciler]:
    """One reconciler per kind for one account (the configuration reconciler caches the
    operator versions it reads, so share these across the stacks of an account)."""
    return {kind.name: kind.load("reconciler")(api) for kind in _kinds.KINDS}


def pinned_operator_ids(live: LiveAccount, config_ids: Iterable[str]) -> set[str]:
    """Operators that the given live configurations pin to a version."""
    found: set[str] = set()
    for config_id in config_ids:
        for rule in (live.intelligence_configurations.get(config_id) or {}).get("rules") or []:
            for op in rule.get("operators") or []:
                if op.get("version") is not None and op.get("id"):
                    found.add(str(op["id"]))
    return found


def prefetch_pins(
    by_kind: Mapping[str, Reconciler], live: LiveAccount, config_ids: Iterable[str]
) -> None:
    """Read the versions of every operator these configurations pin, in parallel, so that
    comparing them afterwards makes no request."""
    reconciler = by_kind["IntelligenceConfiguration"]
    if isinstance(reconciler, IntelligenceConfigurationReconciler):
        with ThreadPoolExecutor(WORKERS) as pool:
            list(
                pool.map(
                    reconciler.operator_versions, sorted(pinned_operator_ids(live, config_ids))
                )
            )


def compare_stack(
    stack: StackInput,
    live: LiveAccount,
    by_kind: Mapping[str, Reconciler],
    health: Mapping[str, Health] | None = None,
) -> StackReport:
    report = StackReport(stack.name, stack.desired_state, deployed=stack.recorded is not None)
    recorded = stack.recorded or RecordedState()
    comparer = _Comparer(stack.name, live, by_kind, _names(stack.desired, recorded), health)
    for kind in kind_names():
        keys = sorted(
            {n for k, n in stack.desired if k == kind} | {r.name for r in recorded.of_kind(kind)}
        )
        for name in keys:
            report.objects.append(
                comparer.compare(
                    kind, name, stack.desired.get((kind, name)), recorded.get(kind, name)
                )
            )
        for pending in sorted(
            (r for r in recorded.pending_deletes if r.kind == kind), key=lambda r: (r.name, r.id)
        ):
            report.objects.append(
                comparer.pending_delete(pending, recorded.get(kind, pending.name))
            )
    return report


def _names(
    desired: Mapping[tuple[str, str], DesiredObject], recorded: RecordedState
) -> dict[str, str]:
    """id -> "logical name (id)" for messages."""
    names = {
        r.id: f"{r.name} ({r.id})"
        for r in (*recorded.pending_deletes, *recorded.resources.values())
    }
    for obj in desired.values():
        names.update({i: f"{n} ({i})" for i, n in obj.names.items() if i not in names})
    return names


@dataclass
class _Comparer:
    stack: str
    live: LiveAccount
    by_kind: Mapping[str, Reconciler]
    names: Mapping[str, str]
    health: Mapping[str, Health] | None

    @property
    def up(self) -> str:
        return f"pulumi up --stack {self.stack}"

    @property
    def refresh_up(self) -> str:
        return f"pulumi up --refresh --stack {self.stack}"

    def compare(
        self,
        kind: str,
        name: str,
        desired: DesiredObject | None,
        recorded: RecordedResource | None,
    ) -> ObjectReport:
        if desired is not None and desired.existing_id is not None:
            return self._reference(kind, name, desired.existing_id)
        if recorded is None:
            assert desired is not None  # noqa: S101 - one of the two is always present
            return self._not_deployed(kind, name, desired)
        body = self.live.by_kind(kind).get(recorded.id)
        shown = _shown(kind, body or recorded.outputs)
        obj = ObjectReport(kind, name, recorded.id, str(shown) if shown else None)
        if desired is None:
            retained = _retained(kind, recorded.outputs)
            obj.issues.append(
                Issue(
                    "removed-from-desired",
                    "error",
                    f"in the stack but no longer in the desired state: `pulumi up` deletes "
                    f"it{retained}",
                )
            )
            obj.remediation = self.up
        elif body is None:
            obj.issues.append(
                Issue(
                    "deleted", "error", "deleted outside Pulumi: `pulumi up --refresh` recreates it"
                )
            )
            obj.remediation = self.refresh_up
            if desired.adopt_id and desired.adopt_id not in self.live.by_kind(kind):
                obj.remediation = (
                    f"remove `adoptId: {desired.adopt_id}` from the desired-state file (the "
                    f"object it adopted is gone), then `{self.refresh_up}`"
                )
        else:
            self._observe(obj, desired, recorded, body)
        return obj

    def pending_delete(
        self, old: RecordedResource, current: RecordedResource | None
    ) -> ObjectReport:
        """An object a replacement left in Pulumi state, marked for deletion: managed, and the
        next `pulumi up` deletes it."""
        body = self.live.by_kind(old.kind).get(old.id)
        shown = _shown(old.kind, body or old.outputs)
        obj = ObjectReport(old.kind, old.name, old.id, str(shown) if shown else None)
        by = f" by {current.id}" if current is not None and current.id != old.id else ""
        if body is None:
            message = (
                f"replaced{by}; Pulumi state still holds the old object, pending deletion, but "
                f"it is already gone: the next `pulumi up` only drops it from the state"
            )
        else:
            retained = _retained(old.kind, old.outputs)
            message = (
                f"replaced{by}; deleting the old object failed or never ran. Pulumi state still "
                f"holds it, pending deletion: the next `pulumi up` deletes it{retained}"
            )
        obj.issues.append(Issue("pending-delete", "error", message))
        obj.remediation = self.up
        return obj

    def _reference(self, kind: str, name: str, existing_id: str) -> ObjectReport:
        body = self.live.by_kind(kind).get(existing_id)
        obj = ObjectReport(kind, name, existing_id, _shown(kind, body or {}))
        if body is None:
            obj.issues.append(
                Issue(
                    "deleted",
                    "error",
                    f"existingId {existing_id} does not exist: Conversation configurations using "
                    f"it lose identity resolution and memory silently",
                )
            )
            obj.remediation = f"point existingId at a live Memory Store, then `{self.up}`"
        return obj

    def _not_deployed(self, kind: str, name: str, desired: DesiredObject) -> ObjectReport:
        obj = ObjectReport(kind, name, desired.adopt_id, _shown(kind, desired.body))
        what = f"adopts {desired.adopt_id}" if desired.adopt_id else "creates it"
        message = f"declared in the desired state but not in the stack: `pulumi up` {what}"
        if desired.adopt_id and desired.adopt_id not in self.live.by_kind(kind):
            message += f" (but {desired.adopt_id} does not exist)"
        obj.issues.append(Issue("not-deployed", "error", message))
        obj.remediation = self.up
        return obj

    def _observe(
        self,
        obj: ObjectReport,
        desired: DesiredObject,
        recorded: RecordedResource,
        body: dict[str, Any],
    ) -> None:
        reconciler = self.by_kind[obj.kind]
        observation = reconciler.observe(recorded.id, desired.body, recorded.outputs, body=body)
        obj.changes = [Change(c.path, mask(c.old), mask(c.new)) for c in observation.changes]
        if obj.changes:
            out_of_band = bool(reconciler.model.diff(recorded.inputs, body))
            undeployed = bool(reconciler.model.diff(desired.body, recorded.inputs))
            obj.origin = (
                "both"
                if out_of_band and undeployed
                else "undeployed"
                if undeployed
                else "out-of-band"
            )
            fields = ", ".join(sorted({c.field for c in observation.changes}))
            obj.issues.append(
                Issue("modified", "error", f"differs from the desired state in {fields}")
            )
        for finding in observation.findings:
            obj.issues.append(Issue(finding.kind, finding.severity, self._named(finding.message)))
        if obj.kind == "ConversationConfiguration":
            obj.issues += self._unlinked(desired, body)
        if obj.kind == "IntelligenceConfiguration" and self.health and recorded.id in self.health:
            obj.health = self.health[recorded.id]
            if obj.health.silent:
                obj.issues.append(
                    Issue(
                        "silent-failure",
                        "error",
                        f"silent: no OperatorResult in the last {obj.health.silence_hours:g} h, "
                        f"not even for a conversation it processed that closed at "
                        f"{obj.health.last_conversation_at} (last result seen: "
                        f"{obj.health.last_result_at or 'none'})",
                    )
                )
        obj.remediation = self._remediation(obj)

    def _unlinked(self, desired: DesiredObject, body: dict[str, Any]) -> list[Issue]:
        linked = set(body.get("intelligenceConfigurationIds") or [])
        return [
            Issue(
                "unlinked",
                "error",
                f"no longer linked to {self.names.get(config_id, config_id)}: its rules no longer "
                f"run on this configuration's conversations",
            )
            for config_id in desired.body.get("intelligenceConfigurationIds") or []
            if config_id not in linked and not config_id.startswith("<")
        ]

    def _remediation(self, obj: ObjectReport) -> str | None:
        kinds = {i.kind for i in obj.issues}
        pins = {"pin-retired", "pin-deprecated"}
        if not kinds:
            return None
        if kinds <= pins:
            return f"pin an ACTIVE operator version in the desired-state file, then `{self.up}`"
        if kinds == {"silent-failure"}:
            return (
                f"check that a Conversation configuration links it and that its operators run; "
                f"`{self.refresh_up}` replaces it if it was changed outside Pulumi"
            )
        if obj.origin == "undeployed" and kinds == {"modified"}:
            return self.up
        return self.refresh_up

    def _named(self, message: str) -> str:
        for object_id, label in self.names.items():
            if object_id in message and label not in message:
                message = message.replace(object_id, label)
        return message


def find_unmanaged(live: LiveAccount, managed: set[str]) -> list[Unmanaged]:
    """Live objects no stack manages (Twilio-authored operators never count)."""
    found: list[Unmanaged] = []
    for kind in kind_names():
        for object_id, body in sorted(live.by_kind(kind).items()):
            if object_id in managed:
                continue
            if body.get("author") == "TWILIO":  # Twilio-authored (operators)
                continue
            found.append(
                Unmanaged(kind, object_id, _shown(kind, body), _adopt_or_delete(kind, object_id))
            )
    return found


def _adopt_or_delete(kind: str, object_id: str) -> str:
    adopt = (
        f"adopt it: declare it in a stack's desired-state file with `adoptId: {object_id}` "
        f"(`twilio-intelligence export` writes the entry)"
    )
    delete = _kinds.by_name(kind).delete
    if delete is None:
        return f"{adopt}, or remove it in the Twilio Console (the Memory API has no delete)"
    base, _, own = object_id.rpartition(":")  # a knowledge source: "<base id>:<source id>"
    return f"{adopt}, or delete it ({delete.format(id=own, base=base)})"


def _shown(kind: str, body: Mapping[str, Any]) -> Any:
    """The name an object is shown by (a knowledge source's ``name``, else ``displayName``)."""
    return body.get(_kinds.by_name(kind).load("model").NAME_FIELD)


def _retained(kind: str, outputs: Mapping[str, Any]) -> str:
    """What a removal message adds for a kind that has no delete API, or that holds customer
    data and is kept by its recorded deletion policy."""
    spec = _kinds.by_name(kind)
    if spec.retained:
        return f" ({spec.label.title()} are retained: no delete API)"
    if spec.holds_data and outputs.get("deletionPolicy") != _kinds.DELETE:
        return f" (deletionPolicy: retain: it is kept, with {spec.holds_data}, and forgotten)"
    return ""


def managed_ids(stacks: Iterable[StackInput]) -> set[str]:
    """Ids any of these stacks manages, adopts next or refers to."""
    ids: set[str] = set()
    for stack in stacks:
        if stack.recorded is not None:
            ids |= stack.recorded.ids()
        for obj in stack.desired.values():
            ids |= {i for i in (obj.adopt_id, obj.existing_id) if i}
    return ids
