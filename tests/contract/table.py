"""The contract: one Entry per SDK call (tests/contract/sdk_surface.py enumerates them)."""

from __future__ import annotations

from . import (
    calls_conversations,
    calls_insights,
    calls_intelligence,
    calls_knowledge,
    calls_memory,
    calls_results,
)
from .harness import Entry

__all__ = ["TABLE"]

TABLE: dict[str, Entry] = {
    entry.call: entry
    for module in (
        calls_intelligence,
        calls_results,
        calls_conversations,
        calls_memory,
        calls_knowledge,
        calls_insights,
    )
    for entry in module.ENTRIES
}
