"""Typed references between the objects of one desired state, and the one resolver.

The stack-file loader turns every name that refers to another object into a ``Ref(kind, name)``:
a Conversation configuration's ``memoryStore`` and ``intelligenceConfigurations`` (as
``memoryStoreId: Ref`` and ``intelligenceConfigurationIds: [Ref, ...]``), and each operator of a
rule (as ``{"ref": Ref, ...}``). ``resolve`` replaces them with what the caller knows an object
by: Pulumi outputs in the program, recorded ids in the drift command, well-formed placeholders
when the loader checks field rules. A ``{"ref": Ref, ...}`` mapping becomes ``{"id": ..., ...}``.

A ``Ref`` is also a ``str`` (``"@name"``, or the bare name for a rule's operator as the file
writes it), so bodies stay JSON-shaped and compare equal to what they always held. The desired-
state cache keeps them typed through ``dump`` / ``load``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["Ref", "dump", "load", "refs", "resolve"]

T = TypeVar("T")
_TAG = "$ref"


class Ref(str):
    """A reference to object ``name`` of kind ``kind`` (a kind's name in ``_core.kinds``)."""

    kind: str
    name: str
    bare: bool  # written as the bare name (a rule's operators), not "@name"

    def __new__(cls, kind: str, name: str, *, bare: bool = False) -> Ref:
        made = super().__new__(cls, name if bare else f"@{name}")
        made.kind = kind
        made.name = name
        made.bare = bare
        return made

    def __repr__(self) -> str:
        return f"Ref({self.kind!r}, {self.name!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_make, (self.kind, self.name, self.bare))


def _make(kind: str, name: str, bare: bool) -> Ref:
    return Ref(kind, name, bare=bare)


def resolve(value: Any, lookup: Callable[[Ref], Any]) -> Any:
    """``value`` with every ``Ref`` replaced by ``lookup(ref)``; ``{"ref": Ref, ...}`` mappings
    become ``{"id": lookup(ref), ...}``."""
    if isinstance(value, Ref):
        return lookup(value)
    if isinstance(value, dict):
        ref = value.get("ref")
        if isinstance(ref, Ref):
            rest = {k: resolve(v, lookup) for k, v in value.items() if k != "ref"}
            return {"id": lookup(ref), **rest}
        return {k: resolve(v, lookup) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, lookup) for v in value]
    return value


def refs(value: Any) -> list[Ref]:
    """Every reference in ``value``, in order."""
    found: list[Ref] = []
    resolve(value, found.append)
    return found


def dump(value: Any) -> Any:
    """``value`` with each ``Ref`` as a tagged mapping JSON keeps (for the desired-state cache)."""
    if isinstance(value, Ref):
        return {_TAG: [value.kind, value.name, value.bare]}
    if isinstance(value, dict):
        return {k: dump(v) for k, v in value.items()}
    if isinstance(value, list):
        return [dump(v) for v in value]
    return value


def load(value: Any) -> Any:
    """The inverse of ``dump``."""
    if isinstance(value, dict):
        tagged = value.get(_TAG)
        if len(value) == 1 and isinstance(tagged, list) and len(tagged) == 3:
            return Ref(str(tagged[0]), str(tagged[1]), bare=bool(tagged[2]))
        return {k: load(v) for k, v in value.items()}
    if isinstance(value, list):
        return [load(v) for v in value]
    return value
