"""The provider plugin's process state, in one documented object.

The engine pickles each provider object into the stack's state, so nothing secret or stateful
may live on one: what a plugin process must remember between the engine's calls lives here.

- ``stack_config``: the stack's config, handed over by ``configure()``; credentials are resolved
  from it (or the environment) when a client is needed, through ``_twilio.connector``.
- ``generations`` and ``lineage``: for a replacement the engine calls check(olds, news), diff(),
  then check() again with no olds, then create(), all in one plugin process. diff() hands over
  what the second check and the create need: the generation (so that the replacement keeps the
  name the first check derived), by (kind, project, stack, logical name); and the ids the
  replacement replaces, by its physical name.

This module imports nothing heavy: the Pulumi program builds providers but never calls Twilio.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .._twilio.api import TwilioApi

__all__ = ["PLUGIN", "PluginState"]


@dataclass
class PluginState:
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    stack_config: dict[str, Any] = field(default_factory=dict, repr=False)
    generations: dict[tuple[str, ...], int] = field(default_factory=dict)
    lineage: dict[str, list[str]] = field(default_factory=dict)

    def configure(self, config: Mapping[str, Any]) -> None:
        with self.lock:
            self.stack_config = dict(config)

    def api(self) -> TwilioApi:
        """The client for the current credentials (shared, see ``_twilio.connector``)."""
        # Imported on first use: a no-change preview configures the provider but sends nothing.
        from .._twilio.connector import CONNECTOR, Target  # noqa: PLC0415

        with self.lock:
            config = dict(self.stack_config)
        return CONNECTOR.api(Target.resolve(config, os.environ))


PLUGIN = PluginState()
