"""A desired-state file and the files it extends, read and merged (overlays over bases)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import ValidationError, Violation
from .reader import read as _read


def merge(base: Any, overlay: Any, path: str, replaced: list[str]) -> Any:
    """Merge ``overlay`` into ``base``; ``replaced`` collects the paths whose base value the
    overlay replaced or removed (their base lines no longer describe the merged value)."""
    if isinstance(base, dict) and isinstance(overlay, dict):
        merged = dict(base)
        for key, value in overlay.items():
            child = f"{path}.{key}" if path else str(key)
            if value is None:
                if isinstance(merged.pop(key, None), dict | list):
                    replaced.append(child)
            else:
                merged[key] = merge(base.get(key), value, child, replaced)
        return merged
    if isinstance(base, dict | list):  # only containers leave lines of their items behind
        replaced.append(path)
    return overlay


def layers(path: str | Path) -> list[tuple[Path, dict[str, Any], dict[str, str]]]:
    """The file, then what it extends, then what that extends...: (file, data, lines)."""
    layers: list[tuple[Path, dict[str, Any], dict[str, str]]] = []
    current: Path | None = Path(path).resolve()
    while current is not None:
        # Errors about the file to read belong at the `extends:` line that named it.
        named_at = layers[-1][2].get("extends", str(layers[-1][0])) if layers else str(current)
        if any(current == seen for seen, _, _ in layers):
            raise ValidationError(
                [Violation("stack file", "extends", "extends itself (a cycle)", named_at)]
            )
        positions: dict[str, str] = {}
        try:
            data = _read(current, positions)
        except ValidationError as exc:
            if layers and any(v.rule.startswith("cannot read") for v in exc.violations):
                raise ValidationError(
                    [Violation("stack file", "extends", v.rule, named_at) for v in exc.violations]
                ) from None
            raise
        layers.append((current, data, positions))
        parent = data.pop("extends", None)
        if parent is None:
            current = None
        elif not isinstance(parent, str) or not parent.strip():
            where = positions.get("extends", f"{current}:1")
            raise ValidationError(
                [Violation("stack file", "extends", "must be a file name (one path)", where)]
            )
        else:
            try:
                current = (current.parent / parent).resolve()
            except (OSError, ValueError, RuntimeError) as exc:  # a NUL byte, a symlink loop
                where = positions.get("extends", f"{current}:1")
                raise ValidationError(
                    [Violation("stack file", "extends", f"not a usable path: {exc}", where)]
                ) from None
    return layers
