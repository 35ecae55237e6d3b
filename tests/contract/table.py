"""The contract: one Entry per SDK call (tests/contract/sdk_surface.py enumerates them)."""

from __future__ import annotations

from . import (
    calls_conversations,
    calls_dataplane,
    calls_insights,
    calls_intelligence,
    calls_knowledge,
    calls_memory,
    calls_results,
)
from .harness import Entry

__all__ = ["TABLE", "live_plan"]

TABLE: dict[str, Entry] = {
    entry.call: entry
    for module in (
        calls_intelligence,
        calls_results,
        calls_conversations,
        calls_memory,
        calls_knowledge,
        calls_insights,
        calls_dataplane,
    )
    for entry in module.ENTRIES
}


def live_plan() -> tuple[list[str], dict[str, str]]:
    """The driven calls a live run makes, and those it must not make (with why)."""
    driven = sorted(name for name, entry in TABLE.items() if entry.drive is not None)
    skipped = {name: TABLE[name].not_live for name in driven if TABLE[name].not_live}
    return [name for name in driven if name not in skipped], skipped
