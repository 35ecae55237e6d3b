"""Placeholder."""

from .harness import Entry

ENTRIES: list[Entry] = []
