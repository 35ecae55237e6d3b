"""Pulumi dynamic ``ResourceProvider`` adapters: translate engine calls into reconciler calls.

Property bags hold three groups of keys: the resource's desired fields (described in _core.models),
bookkeeping of our own (``BOOKKEEPING``), and server-assigned outputs. The provider objects hold
no state at all: the engine pickles them into the stack's state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)
from pulumi.output import Unknown

from .._core import kinds as _kinds
from .._core import naming as _naming
from .._core.wire import UNKNOWN, integral
from ..errors import ObjectMissingError, ValidationError, Violation
from .state import PLUGIN

if TYPE_CHECKING:
    from .._core.bodies import ServerFields
    from .._core.spec import ResourceModel
    from .._reconcile import Observation, Reconciler
    from .._twilio.api import TwilioApi

PROVIDER_KEY = "__provider"
BOOKKEEPING = (
    "resourceName",  # the logical (Pulumi) name, for physical names and messages
    "scope",  # [project, stack]: physical names differ per stack
    "autoName",  # displayName was derived by us, not set by the user
    "generation",  # bumped when refresh finds the object changed outside Pulumi
    "adoptId",  # take over this existing object instead of creating one
    "updateStrategy",  # operators: "replace" (default) or "in-place"
    "deletionPolicy",  # kinds that hold customer data: "retain" (default) or "delete"
)
OUTPUT_ONLY = ("predecessorIds", "refreshedGeneration")

# What diff() hands over to the replacement's second check() and create(): see state.PLUGIN.


class _Adapter(ResourceProvider):
    # Names in _core.models and _reconcile, resolved on first use: the Pulumi program builds these
    # adapters but needs neither pydantic's models nor the HTTP stack (see _models_module()).
    model_name: ClassVar[str]
    reconciler_name: ClassVar[str]
    replace_on_drift: ClassVar[bool] = False  # replaced (not updated) resources need a new name
    name_max_length: ClassVar[int] = 128
    name_disallowed: ClassVar[str] = r"[^a-zA-Z0-9-]"
    auto_name: ClassVar[bool] = True  # False: the kind has no displayName to derive

    @property
    def model(self) -> type[ResourceModel]:
        model: type[ResourceModel] = getattr(_models_module(), self.model_name)
        return model

    def reconciler(self, api: TwilioApi | None = None) -> Reconciler:
        # The Pulumi program builds these adapters but never calls Twilio: the HTTP stack
        # (httpx, tenacity) is imported only in the provider plugin, where it is used.
        from .. import _reconcile  # noqa: PLC0415

        reconciler_class: type[Reconciler] = getattr(_reconcile, self.reconciler_name)
        return reconciler_class(api or PLUGIN.api())

    # --- engine entry points -------------------------------------------------------------
    def configure(self, req: ConfigureRequest) -> None:
        PLUGIN.configure(req.config._props)  # the SDK exposes no getter

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        olds = _olds or {}
        book, desired = _split(news)
        # Deprecated spellings of nested keys become the documented ones, so that the state, the
        # policy pack and drift reports only ever see the API's keys (no diff: see _core.spec.Wire).
        desired = self.model.canonical(desired)
        if olds:
            generation = int(olds.get("generation") or 0)
        else:
            with PLUGIN.lock:
                generation = PLUGIN.generations.get(self._identity(book), 0)
        book.setdefault("generation", generation)
        name_field = self.model.NAME_FIELD
        if self.auto_name and not desired.get(name_field):
            desired[name_field] = self._physical_name(book, desired)
            book["autoName"] = True
        label = f"{self.model.KIND} {book.get('resourceName', '')}".strip()
        failures = [CheckFailure("", str(v)) for v in _policy_violations(self.model.KIND, book)]
        try:
            self.model.validate_desired(desired, label)
        except ValidationError as exc:
            # No property: the engine would print the value it finds under that name, which for
            # a nested path ("rules[0]") is none ("property rules[0] value {<nil>}"); the reason
            # names the resource, the field path and the rule itself.
            failures += [CheckFailure("", str(v)) for v in exc.violations]
        else:
            # The recorded inputs take the normal form read() gives a live object (defaults and
            # empties dropped, Twilio's rewrites applied, unordered lists sorted): a refresh of an
            # object in sync then hands back exactly these inputs, and shows no change.
            desired = self.model.normalise(desired)
        return CheckResult({**book, **desired}, failures)

    def diff(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> DiffResult:
        _, old = _split(_olds)
        book, new = _split(_news)
        plan = self.model.plan(self.model.diff(old, new))
        replaces = list(plan.replace_fields)
        # A refresh that found the object changed outside Pulumi bumps the generation: that alone
        # replaces it (an inactive configuration whose fields still match, or any object with a
        # displayName of its own, which a new generation does not rename). The refresh's own diff
        # (refreshed outputs against the recorded inputs) sees it through refreshedGeneration.
        generation = int(_news.get("generation") or 0)
        refreshed = _olds.get("refreshedGeneration")
        regenerated = self.replace_on_drift and (
            int(_olds.get("generation") or 0) != generation
            or (refreshed is not None and int(refreshed) != generation)
        )
        if regenerated and not replaces:
            replaces = ["generation"]
        if self._in_place(book):
            replaces = []
        if replaces:
            _refuse_data_loss(self.model.KIND, self._label(book), replaces, book)
            with PLUGIN.lock:
                PLUGIN.generations[self._identity(book)] = int(_news.get("generation") or 0)
                PLUGIN.lineage[str(new.get(self.model.NAME_FIELD))] = [
                    *(_olds.get("predecessorIds") or []),
                    _id,
                ]
        # Only a real change of policy counts: none recorded is the default, retain.
        old_policy = _split(_olds)[0].get("deletionPolicy") or _kinds.RETAIN
        policy_changed = old_policy != (book.get("deletionPolicy") or _kinds.RETAIN)
        return DiffResult(
            changes=bool(plan.changes) or bool(replaces) or policy_changed,
            replaces=replaces,
            delete_before_replace=plan.delete_before_replace,
        )

    def create(self, props: dict[str, Any]) -> CreateResult:
        book, desired_props = _split(props)
        desired = self.model.validate_desired(desired_props, self._label(book))
        reconciler = self.reconciler()
        with PLUGIN.lock:
            predecessors = PLUGIN.lineage.pop(str(desired_props.get(self.model.NAME_FIELD)), [])
            PLUGIN.generations.pop(self._identity(book), None)
        adopt_id = book.get("adoptId")
        # A replacement never adopts: the object adoptId names is the one being replaced, which
        # the engine deletes next.
        if adopt_id and str(adopt_id) not in predecessors:
            object_id, server = self._adopt(reconciler, str(adopt_id), desired, book)
        else:
            created = reconciler.create(desired, replacing=predecessors)
            object_id, server = created.id, created.server
        outs = {
            **book,
            **self.model.normalise(desired.wire()),
            **server,
            "predecessorIds": predecessors,
        }
        return CreateResult(object_id, outs)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        props = _from_state(props)
        _, recorded = _split(props)
        # Nothing recorded: a read of an object the stack does not hold yet (``Resource.get``).
        observation = self.reconciler().observe(id_, recorded or None, props)
        if not observation.exists and not recorded:
            # The dynamic provider always answers with properties, so an empty id would pass for
            # an object read by Resource.get: say it does not exist.
            raise ObjectMissingError(f"{self.model.KIND} {id_} does not exist")
        if not observation.exists:
            return ReadResult(id_="", outs={})  # deleted outside Pulumi: refresh drops it
        return self.read_result(id_, props, observation, recorded=bool(recorded))

    def read_result(
        self, id_: str, props: dict[str, Any], observation: Observation, *, recorded: bool = True
    ) -> ReadResult:
        """Inputs and outputs for a live object, as ``create`` would have recorded them (the
        import file is made with this too). Drift against a recorded state bumps the generation
        of a resource replaced on drift; an object read for the first time has nothing to drift
        from."""
        book, _ = _split(props)
        drifted = bool(observation.changes) or any(
            f.severity == "error" for f in observation.findings
        )
        inputs = {**book, **observation.live}
        regenerate = recorded and drifted and self.replace_on_drift and not self._in_place(book)
        if regenerate:
            # The object will be replaced; the replacement needs a name of its own.
            inputs["generation"] = int(book.get("generation") or 0) + 1
        server = {k: props[k] for k in ("createdVersion",) if k in props}
        outs = {
            **book,
            **observation.live,
            **observation.server,
            **server,
            "predecessorIds": props.get("predecessorIds") or [],
        }
        if regenerate:
            outs["refreshedGeneration"] = inputs["generation"]  # see diff()
        return ReadResult(id_=id_, outs=outs, inputs=inputs)

    def update(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> UpdateResult:
        book, desired_props = _split(_news)
        desired = self.model.validate_desired(desired_props, self._label(book))
        olds = _from_state(_olds)
        if self.model.diff(_split(olds)[1], desired.wire()):
            server = self.reconciler().update(_id, desired, olds).server
        else:  # only bookkeeping changed (a deletion policy): nothing to send
            skip = {PROVIDER_KEY, *BOOKKEEPING, *self.model.input_keys()}
            server = {k: v for k, v in olds.items() if k not in skip}
        kept: dict[str, Any] = {
            k: olds[k] for k in ("createdVersion", "predecessorIds") if k in olds
        }
        return UpdateResult({**book, **self.model.normalise(desired.wire()), **server, **kept})

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        self.reconciler().delete(_id, _from_state(_props))

    # --- helpers ---------------------------------------------------------------------------
    def _identity(self, book: dict[str, Any]) -> tuple[str, ...]:
        scope = [str(part) for part in book.get("scope") or ()]
        return (self.model.KIND, *scope, str(book.get("resourceName")))

    def _label(self, book: dict[str, Any]) -> str:
        return f"{self.model.KIND} {book.get('resourceName', '')}".strip()

    def _in_place(self, book: dict[str, Any]) -> bool:
        return False

    def _physical_name(self, book: dict[str, Any], desired: dict[str, Any]) -> str:
        logical = str(book.get("resourceName") or self.model.KIND)
        scope = tuple(book.get("scope") or ("", ""))
        content: Any = book.get("generation", 0)
        if self.replace_on_drift and not self._in_place(book):
            name_field = self.model.NAME_FIELD
            body = self.model.normalise({k: v for k, v in desired.items() if k != name_field})
            if UNKNOWN in repr(body):
                return UNKNOWN  # depends on values known only after earlier creates
            content = [body, content]
        return _naming.physical_name(
            logical,
            (str(scope[0]), str(scope[1])),
            content=content,
            max_length=self.name_max_length,
            allowed=self.name_disallowed,
        )

    def _adopt(
        self, reconciler: Reconciler, object_id: str, desired: ResourceModel, book: dict[str, Any]
    ) -> tuple[str, ServerFields]:
        observation = reconciler.observe(object_id, desired.wire())
        if not observation.exists:
            raise ObjectMissingError(f"adoptId {object_id} does not exist")
        if not observation.changes:
            return object_id, observation.server
        if self.replace_on_drift and not self._in_place(book):
            fields = ", ".join(sorted({c.path for c in observation.changes}))
            raise ValidationError(
                [
                    Violation(
                        self._label(book),
                        "adoptId",
                        f"{object_id} differs from the desired state in {fields}; it cannot be "
                        f"changed in place. Make the stack file match it (the export command "
                        f"writes it) or drop adoptId to create a new one.",
                    )
                ]
            )
        return object_id, reconciler.update(object_id, desired, observation.server).server


def _policy_violations(kind_name: str, book: dict[str, Any]) -> list[Violation]:
    """A ``deletionPolicy`` is ``retain`` or ``delete``, on kinds that hold customer data."""
    policy = book.get("deletionPolicy")
    if policy is None:
        return []
    label = f"{kind_name} {book.get('resourceName', '')}".strip()
    kind = _kinds.by_name(kind_name)
    if not kind.holds_data:
        rule = f"only kinds that hold customer data take a deletion policy, not {kind.label}"
        return [Violation(label, "deletionPolicy", rule)]
    if policy not in _kinds.DELETION_POLICIES:
        return [Violation(label, "deletionPolicy", "must be 'retain' or 'delete'")]
    return []


def _refuse_data_loss(
    kind_name: str, label: str, replaces: list[str], book: dict[str, Any]
) -> None:
    """A replacement deletes the old object: refused for one that holds customer data unless its
    deletion policy is ``delete`` (the preview stops here, naming the change)."""
    kind = _kinds.by_name(kind_name)
    if kind.holds_data and book.get("deletionPolicy") != _kinds.DELETE:
        raise ValidationError(
            [
                Violation(
                    label,
                    ", ".join(replaces),
                    f"this change replaces the {kind.singular}, which deletes {kind.holds_data}; "
                    f"refused under deletionPolicy: retain (set deletionPolicy: delete"
                    + (" on its knowledge base" if kind.policy_from else "")
                    + " to allow it)",
                )
            ]
        )


def _models_module() -> Any:
    from .._core import models as _models  # noqa: PLC0415 - pydantic is imported by the plugin only

    return _models


def _split(props: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(bookkeeping, desired fields); drops the engine's serialized provider and outputs."""
    book = {k: integral(props[k], Unknown) for k in BOOKKEEPING if props.get(k) is not None}
    skip = {PROVIDER_KEY, *BOOKKEEPING, *OUTPUT_ONLY}
    desired = {k: integral(v, Unknown) for k, v in props.items() if k not in skip and v is not None}
    return book, desired


def _from_state(props: dict[str, Any]) -> dict[str, Any]:
    """A property bag read back from Pulumi state (recorded inputs and outputs, server fields
    such as an operator's ``version`` included) with numbers as the API gave them: Pulumi's
    protobuf Struct turned every int into a float (``If-Match: 2.0`` would be refused)."""
    restored: dict[str, Any] = integral(props, Unknown)
    return restored


class OperatorProvider(_Adapter):
    model_name = "OperatorModel"
    reconciler_name = "OperatorReconciler"
    replace_on_drift = True

    def _in_place(self, book: dict[str, Any]) -> bool:
        return book.get("updateStrategy") == "in-place"


class IntelligenceConfigurationProvider(_Adapter):
    model_name = "IntelligenceConfigurationModel"
    reconciler_name = "IntelligenceConfigurationReconciler"
    replace_on_drift = True


class ConversationConfigurationProvider(_Adapter):
    model_name = "ConversationConfigurationModel"
    reconciler_name = "ConversationConfigurationReconciler"
    name_max_length = 32
    name_disallowed = r"[^a-zA-Z0-9\-_ ]"


class MemoryStoreProvider(_Adapter):
    model_name = "MemoryStoreModel"
    reconciler_name = "MemoryStoreReconciler"
    name_max_length = 64


class KnowledgeBaseProvider(_Adapter):
    model_name = "KnowledgeBaseModel"
    reconciler_name = "KnowledgeBaseReconciler"
    name_max_length = 64


class KnowledgeSourceProvider(_Adapter):
    model_name = "KnowledgeSourceModel"
    reconciler_name = "KnowledgeSourceReconciler"
    name_max_length = 30
