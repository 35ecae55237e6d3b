"""What every domain service shares: storage, clock, id generator, switches."""

from __future__ import annotations

from dataclasses import dataclass

from ..store import DocumentStore
from .clock import Clock, format_timestamp
from .ids import IdGenerator
from .settings import Settings, Traps

__all__ = ["Runtime"]


@dataclass
class Runtime:
    store: DocumentStore
    clock: Clock
    ids: IdGenerator
    traps: Traps
    settings: Settings

    def now(self) -> float:
        return self.clock.now()

    def timestamp(self, epoch: float | None = None) -> str:
        return format_timestamp(self.clock.now() if epoch is None else epoch)
