"""The checked desired state and the names the loader's layers share."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._core import kinds as _kinds
from .._core.kinds import Kind

# Keys of a file's object that are not API fields: how the stack treats it, and Pulumi resource
# options (``protect``, ``retainOnDelete``).
BOOKKEEPING_KEYS = {
    "adoptId",
    "updateStrategy",
    "existingId",
    "deletionPolicy",
    "protect",
    "retainOnDelete",
}
# Stands in for ids that exist only after deployment, so that field rules can be checked now.
PLACEHOLDER_ID = "intelligence_operator_0000000000000000000000000"
NAME = re.compile(r"^[A-Za-z][A-Za-z0-9-]*$")


def sections() -> tuple[str, ...]:
    """The sections a desired-state file may have, as its messages list them."""
    return tuple(kind.section for kind in _kinds.in_file_order())


Bodies = dict[str, dict[str, Any]]  # logical name -> API-shaped body


@dataclass
class DesiredState:
    """A merged, checked desired state: per kind (by section), API-shaped bodies by logical name,
    references to other objects as ``_core.refs.Ref``. ``state.operators`` and the like (each
    kind's ``attribute``) read one kind's bodies."""

    files: list[Path]
    bodies: dict[str, Bodies] = field(default_factory=dict)  # by section

    def of(self, kind: Kind) -> Bodies:
        return self.bodies.setdefault(kind.section, {})

    def __getattr__(self, name: str) -> Bodies:
        for kind in _kinds.KINDS:
            if kind.attribute == name:
                return self.of(kind)
        raise AttributeError(name)
