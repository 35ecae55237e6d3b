"""Desired-state files: one per environment, built from a shared base plus overlays.

A file may say ``extends: base.yaml``. Overlays merge into what they extend: mappings merge key by
key, lists and scalars replace, and ``null`` removes a key. Rules and the operators of a rule are
mappings keyed by name for that reason: an overlay can change one webhook URL, one trigger count
or one version pin without repeating the rest.

Everything is checked here, before any resource is registered and so before any request: the
shape of each file, names that refer to each other, rule parameters against the operators'
declared parameters, and every field rule of the resources. Each error names the file and line,
the resource, the field and the rule.

This module is the public face; the work is done in the private package ``_stackfile``:
``layers`` (reading and merging a chain of files), ``checker`` (what every kind's check shares),
``checks`` (the kinds whose bodies refer to others), ``cache`` and ``state``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ._stackfile import cache as _cache
from ._stackfile import layers as _layers
from ._stackfile.cache import CHECK_SOURCES
from ._stackfile.checks import Checker
from ._stackfile.state import (
    BOOKKEEPING_KEYS,
    NAME,
    PLACEHOLDER_ID,
    Bodies,
    DesiredState,
    sections,
)
from .errors import ValidationError

__all__ = [
    "BOOKKEEPING_KEYS",
    "NAME",
    "PLACEHOLDER_ID",
    "Bodies",
    "DesiredState",
    "load",
    "rule_names",
    "sections",
]

# The sources the cache key covers (tests/unit/test_stackfile_cache.py walks the imports).
_CHECK_SOURCES = CHECK_SOURCES


def load(path: str | Path, *, cache_dir: Path | None = None) -> DesiredState:
    """Read, merge and check a desired-state file. Raises ValidationError with every problem.

    With ``cache_dir``, a state that passed its checks is kept there, keyed by the content of
    every file of the chain and by the source of the checks themselves; an unchanged chain is
    then read back without checking it again (no pydantic in the Pulumi program: that is most of
    a no-change preview's cost beyond the engine's own)."""
    layers = _layers.layers(path)
    files = [file for file, _, _ in reversed(layers)]
    cached = _cache.cache_path(cache_dir, files) if cache_dir is not None else None
    if cached is not None and cached.is_file():
        return _cache.from_json(cached.read_text(), files)
    merged, locations = _merge(layers)
    checker = Checker(locations)
    try:
        state = checker.build(merged, files)
    except Exception as exc:  # a checker bug must still read as a located error
        # The property tests feed the checker random trees so that this never runs; should it
        # run for a user, they get the file and a message to report instead of a traceback.
        checker.fail(
            "stack file",
            "",
            "",
            f"could not be checked ({type(exc).__name__}: {exc}); please report this "
            "as a bug of pulumi-twilio-intelligence",
        )
    if checker.violations:
        raise ValidationError(checker.violations)
    if cached is not None:
        try:
            text = _cache.to_json(state)
        except (TypeError, ValueError):
            return state  # a value JSON cannot hold (binary, NaN): just not cached
        _cache.write_atomically(cached, text)
    return state


def _merge(
    layers: list[tuple[Path, dict[str, Any], dict[str, str]]],
) -> tuple[dict[str, Any], dict[str, str]]:
    """The chain merged, base first (later files override), and where each value was set."""
    merged: dict[str, Any] = {}
    locations: dict[str, str] = {}
    for _, data, positions in reversed(layers):
        replaced: list[str] = []
        merged = _layers.merge(merged, data, "", replaced)
        for gone in replaced:  # a replaced list's items are the overlay's, not the base's
            for stale in [p for p in locations if p.startswith((gone + ".", gone + "["))]:
                del locations[stale]
        locations.update(positions)
    return merged, locations


def rule_names(path: str | Path) -> dict[str, list[str]]:
    """Each Intelligence Configuration's rule names, in the order its rules are sent (the checked
    state keeps the API's rule list, which has no names). Unchecked: a file that does not load
    gives what can be read of it, and a chain that cannot be read gives nothing."""
    try:
        merged, _ = _merge(_layers.layers(path))
    except Exception:  # names only decorate a report; load() reports the errors
        return {}
    section = merged.get("intelligenceConfigurations")
    if not isinstance(section, dict):
        return {}
    return {
        str(name): [str(rule) for rule in body["rules"]]
        for name, body in section.items()
        if isinstance(body, dict) and isinstance(body.get("rules"), dict)
    }
