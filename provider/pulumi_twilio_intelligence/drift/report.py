"""The drift report: what the command found, independent of how it is printed.

``Report.as_dict()`` is the JSON format; docs/drift-schema.json describes it and is the contract
(``schemaVersion`` changes only with an incompatible change).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal

from .._core.kinds import EXIT_DRIFT, EXIT_ERROR, EXIT_OK
from .._core.records import record_dict

__all__ = [
    "EXIT_DRIFT",
    "EXIT_ERROR",
    "EXIT_OK",
    "SCHEMA_VERSION",
    "Change",
    "Health",
    "Issue",
    "ObjectReport",
    "Report",
    "StackReport",
    "Unmanaged",
]

SCHEMA_VERSION = 1

Severity = Literal["ok", "warning", "error"]

# Object statuses from most to least important: an object's status is its first finding's kind.
STATUS_ORDER = (
    "not-deployed",
    "removed-from-desired",
    "pending-delete",
    "deleted",
    "inactive-configuration",
    "pin-retired",
    "unlinked",
    "modified",
    "silent-failure",
    "pin-deprecated",
    "in-sync",
)


@dataclass(frozen=True)
class Change:
    path: str
    desired: Any
    live: Any

    def as_dict(self) -> dict[str, Any]:
        return record_dict(self)


@dataclass(frozen=True)
class Issue:
    """One finding about an object (the kinds are STATUS_ORDER without in-sync)."""

    kind: str
    severity: Literal["warning", "error"]
    message: str

    def as_dict(self) -> dict[str, Any]:
        return record_dict(self)


@dataclass(frozen=True)
class Health:
    """When a managed Intelligence Configuration last produced a result."""

    last_result_at: str | None
    last_conversation_at: str | None
    silence_hours: float
    silent: bool
    error: str | None = None  # the check could not be made (the object itself was compared)

    def as_dict(self) -> dict[str, Any]:
        return record_dict(self)


@dataclass
class ObjectReport:
    kind: str
    name: str
    id: str | None
    display_name: str | None
    issues: list[Issue] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    origin: Literal["out-of-band", "undeployed", "both"] | None = None
    remediation: str | None = None
    health: Health | None = None

    @property
    def status(self) -> str:
        if not self.issues:
            return "in-sync"
        return min((i.kind for i in self.issues), key=STATUS_ORDER.index)

    @property
    def severity(self) -> Severity:
        if any(i.severity == "error" for i in self.issues):
            return "error"
        return "warning" if self.issues else "ok"

    def as_dict(self) -> dict[str, Any]:
        return record_dict(
            self,
            "kind name id display_name status severity issues changes origin remediation health",
        )


@dataclass
class StackReport:
    name: str
    desired_state: str | None
    deployed: bool = True
    error: str | None = None
    objects: list[ObjectReport] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.error:
            return "error"
        if any(o.severity == "error" for o in self.objects):
            return "drift"
        return "in-sync"

    def as_dict(self) -> dict[str, Any]:
        return record_dict(self, "name desired_state deployed status error objects")


@dataclass(frozen=True)
class Unmanaged:
    kind: str
    id: str
    display_name: str | None
    remediation: str
    severity: ClassVar[str] = "warning"  # an object outside every stack never fails the run

    def as_dict(self) -> dict[str, Any]:
        return record_dict(self, "kind id display_name severity remediation")


@dataclass
class Report:
    stacks: list[StackReport] = field(default_factory=list)
    unmanaged: list[Unmanaged] = field(default_factory=list)
    requests: dict[str, Any] = field(default_factory=lambda: {"total": 0, "byCollection": {}})
    strict: bool = False  # warnings (unmanaged objects, deprecated pins) count as drift
    error: str | None = None  # a failure outside any one stack
    generated_at: str = field(
        default_factory=lambda: datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    )

    def counts(self) -> dict[str, int]:
        objects = [o for s in self.stacks for o in s.objects]
        return {
            "stacks": len(self.stacks),
            "objects": len(objects),
            "inSync": sum(o.severity == "ok" for o in objects),
            "drifted": sum(o.severity == "error" for o in objects),
            "warnings": sum(o.severity == "warning" for o in objects),
            "unmanaged": len(self.unmanaged),
            "stackErrors": sum(1 for s in self.stacks if s.error),
        }

    @property
    def exit_code(self) -> int:
        counts = self.counts()
        if self.error or counts["stackErrors"]:
            return EXIT_ERROR
        if counts["drifted"]:
            return EXIT_DRIFT
        if self.strict and (counts["warnings"] or counts["unmanaged"]):
            return EXIT_DRIFT
        return EXIT_OK

    @property
    def status(self) -> str:
        return {EXIT_OK: "in-sync", EXIT_DRIFT: "drift", EXIT_ERROR: "error"}[self.exit_code]

    def as_dict(self) -> dict[str, Any]:
        return {
            "schemaVersion": SCHEMA_VERSION,
            "generatedAt": self.generated_at,
            "status": self.status,
            "exitCode": self.exit_code,
            "strict": self.strict,
            "error": self.error,
            "summary": self.counts(),
            "stacks": [s.as_dict() for s in self.stacks],
            "unmanaged": [u.as_dict() for u in self.unmanaged],
            "requests": self.requests,
        }
