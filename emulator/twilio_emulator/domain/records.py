"""camelCase JSON views of the emulator's own dataclasses (control API, test fixtures)."""

from __future__ import annotations

from typing import Any

__all__ = ["camel_view"]


def camel_view(record: Any, names: str) -> dict[str, Any]:
    """The attributes listed in ``names`` (space separated), in order, keyed in camelCase."""
    view: dict[str, Any] = {}
    for name in names.split():
        head, *rest = name.split("_")
        view[head + "".join(word.title() for word in rest)] = getattr(record, name)
    return view
