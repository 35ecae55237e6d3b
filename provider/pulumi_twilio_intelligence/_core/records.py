"""JSON views of the report dataclasses: their attributes, named once, under camelCase keys."""

from __future__ import annotations

import re
from dataclasses import fields
from typing import Any

__all__ = ["camel", "record_dict"]


def camel(name: str) -> str:
    """``last_result_at`` -> ``lastResultAt``."""
    return re.sub(r"_([a-z])", lambda m: m[1].upper(), name)


def _plain(value: Any) -> Any:
    if hasattr(value, "as_dict"):
        return value.as_dict()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def record_dict(record: Any, names: str = "") -> dict[str, Any]:
    """``{camel(name): value}`` for the attributes (fields or properties) named in ``names``
    (separated by spaces, as for namedtuple), in that order; without names, every dataclass field.
    Values with ``as_dict()`` (and lists of them) are converted in turn."""
    chosen = names.split() or [f.name for f in fields(record)]
    return {camel(name): _plain(getattr(record, name)) for name in chosen}
