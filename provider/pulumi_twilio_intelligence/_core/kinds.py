"""The kind registry: every managed kind of Twilio object, described once.

A kind's entry says where it lives in a desired-state file (its section), which classes describe
and drive it (its model, reconciler, Pulumi provider and resource, named by dotted path and
imported on first use so that this module stays free of pydantic, httpx and Pulumi), its API
collection and how a delete goes (or that there is none), which of its fields refer to other
kinds, and what a delete would destroy. Validation, the Pulumi program, drift, export and the
policy checks iterate over ``KINDS`` instead of naming kinds.

Adding a kind touches: its model (``_core/models.py``), its reconciler (a module in
``_reconcile/``, exported by its ``__init__``), its API calls (``_twilio/api.py``), its provider and
resource (``_pulumi/providers.py``, ``resources.py``, and its argument builder in ``program.py``),
the list of the live account (``drift/live.py``) and one entry here (``_kind``, or ``_in_store``
for the objects inside a Memory store): validation, the cache, drift, export's sections, the
import file and the policy subjects follow from the entry.

The other facts several layers share live here too: the Twilio-authored operators, the id
patterns, the Pulumi type prefix and the commands' exit codes.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from typing import Any

__all__ = [
    "EXIT_CANNOT_VERIFY",
    "EXIT_DRIFT",
    "EXIT_ERROR",
    "EXIT_NO_RESULTS",
    "EXIT_OK",
    "EXIT_VIOLATION",
    "KINDS",
    "KNOWLEDGE_PAIR",
    "OPERATOR_ID",
    "TWILIO_OPERATOR_IDS",
    "TYPE_PREFIX",
    "Kind",
    "RefField",
    "by_name",
    "in_file_order",
    "register",
    "twilio_operator_id",
    "unregister",
]

# --- facts shared by every layer -----------------------------------------------------------
TTID_SUFFIX = r"[0-7][0-9a-z]{25}"  # Twilio's type-tagged ids end with a ULID-like suffix
OPERATOR_ID = re.compile(rf"^intelligence_operator_{TTID_SUFFIX}$")
STORE_ID = re.compile(rf"^mem_(store|service)_{TTID_SUFFIX}$")
KNOWLEDGE_BASE_ID = re.compile(rf"^know_knowledgebase_{TTID_SUFFIX}$")
KNOWLEDGE_SOURCE_ID = re.compile(rf"^know_knowledge_{TTID_SUFFIX}$")
# A Knowledge source's Pulumi id, and the value of a KNOWLEDGE_BASE_AND_SOURCE_IDS parameter.
KNOWLEDGE_PAIR = re.compile(rf"^know_knowledgebase_{TTID_SUFFIX}:know_knowledge_{TTID_SUFFIX}$")

# Deletion policies of the kinds that hold customer data (``Kind.holds_data``): what a delete
# (destroy, removal from the file, or the old half of a replacement) does to one.
RETAIN, DELETE = "retain", "delete"
DELETION_POLICIES = (RETAIN, DELETE)

# Twilio-authored operators, by the names the developer guide gives them.
TWILIO_OPERATOR_IDS = {
    "sentiment": "intelligence_operator_01kcrvw16kfa88qvgrfmr7y151",
    "summary": "intelligence_operator_01kcv35pnkeysaf6z6cqtbpegn",
    "next-best-response": "intelligence_operator_01kea27sy7ffsafmtsfp17nzx4",
    "script-adherence": "intelligence_operator_01kf34tcyefpyb1t4m0nbd8rxg",
}
TWILIO_OPERATOR_NAMES = {operator_id: name for name, operator_id in TWILIO_OPERATOR_IDS.items()}

# Pulumi's type token of a dynamic resource of this package: the prefix plus the kind's name.
MODULE = "twilio-intelligence"
TYPE_PREFIX = f"pulumi-python:dynamic/{MODULE}:"

# Exit codes of the drift, export, policy and verify commands.
EXIT_OK, EXIT_ERROR, EXIT_DRIFT = 0, 1, 2
EXIT_VIOLATION = EXIT_DRIFT  # the policy command: a mandatory policy failed
EXIT_NO_RESULTS = EXIT_DRIFT  # verify: a rule produced no results, or a configuration is inactive
EXIT_CANNOT_VERIFY = 3  # verify: no recent conversation to run some configuration's rules on


def twilio_operator_key(ref: str) -> str:
    """The one normalisation of a Twilio-authored operator's name ("Next best response",
    "next_best_response" and "next-best-response" name the same operator)."""
    return ref.strip().lower().replace(" ", "-").replace("_", "-")


def twilio_operator_id(ref: str) -> str | None:
    """The id a reference to a Twilio-authored operator names (its name or its id), else None."""
    if OPERATOR_ID.match(ref):
        return ref
    return TWILIO_OPERATOR_IDS.get(twilio_operator_key(ref))


# --- the registry ------------------------------------------------------------------------
@dataclass(frozen=True)
class RefField:
    """A field whose value names objects of another kind of the same desired state.

    In the file the field is ``file_key`` and holds names; in the API body it is ``api_key`` and
    holds ids (before resolution, typed references: see ``_core.refs``)."""

    file_key: str
    api_key: str
    target: str  # the kind's name
    many: bool = False


@dataclass(frozen=True)
class Kind:
    name: str  # "Operator": the model's KIND, the resource's Pulumi type name
    section: str  # "operators": the desired-state file's section (and export's)
    attribute: str  # "operators": the attribute on DesiredState and LiveAccount
    collection: str  # the API collection's path
    file_order: int  # where the section is listed in a desired-state file's messages
    delete: str | None  # how a delete goes, shown to users; None: no delete API (retained)
    export_name: str  # the fallback logical name export gives an unnamed object
    references: tuple[RefField, ...] = ()
    account_limit: int | None = None  # objects per account, checked by the loader
    # What deleting one would destroy (a description). Such objects carry a deletion policy
    # (``deletionPolicy``: ``retain`` by default, forgotten with a warning naming them; ``delete``)
    # and are never replaced unless it is ``delete``; ``policy_from`` names the reference whose
    # target's policy an object inherits (a knowledge source: its base's).
    holds_data: str | None = None
    policy_from: str | None = None
    # Display names are unique within the account (False: within a store, checked by the kind).
    account_unique_names: bool = True
    # "module:Class" of the pydantic model, the reconciler, the Pulumi dynamic provider and the
    # Pulumi resource; empty: this package's conventional place (``_DEFAULT_PATHS``).
    model: str = ""
    reconciler: str = ""
    provider: str = ""
    resource: str = ""

    @property
    def singular(self) -> str:
        """How messages name one object of the kind ("memory store")."""
        return re.sub(r"(?<!^)([A-Z])", r" \1", self.name).lower()

    @property
    def label(self) -> str:
        """How reports name the kind in plural ("memory stores", "identity resolution
        settings": a name already plural stays as it is)."""
        return self.singular if self.singular.endswith("s") else self.singular + "s"

    def load(self, which: str) -> Any:
        """The class ``which`` ("model", "reconciler", "provider", "resource") names."""
        path = str(getattr(self, which)) or _DEFAULT_PATHS[which].format(name=self.name)
        module, _, attr = path.partition(":")
        return getattr(importlib.import_module(module, __package__), attr)

    @property
    def retained(self) -> bool:
        return self.delete is None


_P = "pulumi_twilio_intelligence"
_DEFAULT_PATHS = {
    "model": f"{_P}._core.models:{{name}}Model",
    "reconciler": f"{_P}._reconcile:{{name}}Reconciler",
    "provider": f"{_P}._pulumi.providers:{{name}}Provider",
    "resource": f"{_P}.resources:{{name}}",
}


def _plural(name: str) -> str:
    return name if name.endswith("s") else f"{name}s"  # "IdentityResolutionSettings" is one


def _kind(name: str, collection: str, *, delete_note: str = "", **own: Any) -> Kind:
    """A kind of this package from what is its own: its section and attribute are its name's
    plural (lowerCamelCase, snake_case), and its delete, unless ``own`` gives one, is
    ``DELETE <collection>/{id}`` with ``delete_note`` in parentheses."""
    plural = _plural(name)
    conventional = f"DELETE {collection}/{{id}}" + (f" ({delete_note})" if delete_note else "")
    own.setdefault("delete", conventional)
    return Kind(
        name=name,
        section=plural[0].lower() + plural[1:],
        attribute=re.sub(r"(?<!^)([A-Z])", r"_\1", plural).lower(),
        collection=collection,
        **own,
    )


# In dependency order: what a kind refers to comes before it (reports list in this order too).
_BUILTIN = (
    _kind(
        "MemoryStore",
        "/v1/ControlPlane/Stores",
        file_order=2,
        export_name="store",
        delete_note="asynchronous; deletes everything in it",
        account_limit=15,  # Memory v1
        holds_data="profiles and memories of every conversation",
    ),
    # --- Knowledge v2 (knowledge-v2.md): bases are written asynchronously (202, operation,
    # then ACTIVE), like Memory stores; displayName and description change in place (PATCH +
    # If-Match). Sources are written synchronously (201) and then processed to COMPLETED; their
    # Pulumi id is "<base id>:<source id>", the value of a KNOWLEDGE_BASE_AND_SOURCE_IDS
    # parameter. A source's source.type and Web url are immutable (a change replaces it, as does
    # moving it to another base); name, description, Text content and crawl settings change in
    # place (PATCH, always with name: gotchas E13). Twilio adds status, errors, importUrl and
    # uploadExpiration, which never cause a diff.
    _kind(
        "KnowledgeBase",
        "/v2/ControlPlane/KnowledgeBases",
        file_order=10,
        export_name="knowledge-base",
        delete_note="asynchronous; deletes its sources",
        account_limit=5,  # [UNCERTAIN] a newer skill revision; the spec says "multiple"
        holds_data="every knowledge source in it, with their chunks and embeddings",
        resource=f"{_P}.knowledge:KnowledgeBase",
    ),
    _kind(
        "KnowledgeSource",
        "/v2/KnowledgeBases/{base}/Knowledge",
        file_order=11,
        export_name="source",
        references=(RefField("knowledgeBase", "knowledgeBaseId", "KnowledgeBase"),),
        holds_data="the source's processed content, chunks and embeddings",
        policy_from="knowledgeBaseId",
        resource=f"{_P}.knowledge:KnowledgeSource",
    ),
    _kind("Operator", "/v3/ControlPlane/Operators", file_order=0, export_name="operator"),
    _kind(
        "IntelligenceConfiguration",
        "/v3/ControlPlane/Configurations",
        file_order=1,
        export_name="configuration",
    ),
    _kind(
        "ConversationConfiguration",
        "/v2/ControlPlane/Configurations",
        file_order=3,
        export_name="conversation",
        delete_note="asynchronous",
        references=(
            RefField("memoryStore", "memoryStoreId", "MemoryStore"),
            RefField(
                "intelligenceConfigurations",
                "intelligenceConfigurationIds",
                "IntelligenceConfiguration",
                many=True,
            ),
        ),
        # Twilio's guidance (the docs say "as many as you need": the careful reading).
        account_limit=10,
    ),
)


# --- Memory v1 edition 2: the objects inside a store (memory-v1.md §3-§5, §8) ------------
# Their ids are their paths under the store ("mem_store_…/TraitGroups/Contact"), so one id is
# enough to read, write or import them (and ``delete`` formats with it alone). Each refers to
# its store by name (``memoryStore``); what they refer to comes first, so the engine orders
# store -> settings -> trait groups -> data mappings.
def _in_store(name: str, **own: Any) -> Kind:
    """A kind of object inside a Memory store: its collection is under the store's, its names
    are unique within the store, and its classes live in the Memory modules."""
    own.setdefault("delete", "DELETE /v1/ControlPlane/Stores/{id} (asynchronous)")
    return _kind(
        name,
        f"/v1/ControlPlane/Stores/{{storeId}}/{_plural(name)}",
        references=(RefField("memoryStore", "storeId", "MemoryStore"),),
        account_unique_names=False,
        model=f"{_P}._core.memory_models:{name}Model",
        provider=f"{_P}._pulumi.memory:{name}Provider",
        resource=f"{_P}.memory_resources:{name}",
        **own,
    )


_MEMORY = (
    # A singleton per store, adopted from it and written with PUT + If-Match: "create" reads the
    # live settings and PUTs the file's (no write when they already match); "delete" leaves them
    # as they are (no DELETE exists; putting defaults back could re-key every profile). The spec
    # defaults are filled before comparing; settings the service only accepts at their defaults
    # (matchingAlgo exact, enforceUnique true, E7) are validated as such. Changing the store
    # replaces it; everything else is a PUT of both lists.
    _in_store("IdentityResolutionSettings", file_order=4, export_name="settings", delete=None),
    # Addressed by displayName (the path key, immutable: a rename replaces the group). PATCH
    # merges traits by key, so a trait removed from the file is sent as ``dataType: ""``. Built-in
    # groups (``Contact``) are adopted, never created, and never deleted. Trait names are
    # lowerCamelCase (Twilio normalises them, E8: validated, so there is no perpetual diff).
    # Deleted (``<store>/TraitGroups/<name>``) only under its store's deletionPolicy: delete.
    _in_store(
        "TraitGroup",
        file_order=5,
        export_name="trait-group",
        holds_data="the values of these traits on every profile of the store",
        policy_from="storeId",
    ),
    # Created asynchronously (the id is the operation's result.id; a lost response is resolved by
    # displayName). mappingFrom is fixed at creation (a change replaces the mapping, deleting the
    # old one first: the name stays and is unique in the store); the rest is PATCHed, mappingTo
    # replacing the whole mappings list. Each mapping names trait groups of the
    # file (or built-in ones) and their traits.
    _in_store("DataMapping", file_order=6, export_name="mapping"),
)

KINDS: list[Kind] = [*_BUILTIN[:1], *_MEMORY, *_BUILTIN[1:]]


def register(kind: Kind) -> None:
    """Add a kind (after the kinds it refers to). Tests register fake kinds this way."""
    if any(k.name == kind.name or k.section == kind.section for k in KINDS):
        raise ValueError(f"kind {kind.name} (section {kind.section}) is already registered")
    KINDS.append(kind)


def unregister(name: str) -> None:
    KINDS[:] = [k for k in KINDS if k.name != name]


def in_file_order() -> list[Kind]:
    return sorted(KINDS, key=lambda k: k.file_order)


def by_name(name: str) -> Kind:
    for kind in KINDS:
        if kind.name == name:
            return kind
    raise KeyError(name)
