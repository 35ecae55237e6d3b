"""What Twilio stores for a body: the emulator's domain layer, in process, as an oracle.

The emulator is the project's faithful model of the three APIs (rewrites, defaults, generated
schemas, server fields). Calling its domain services directly, without HTTP, lets property tests
ask "what would a GET return after this create?" for hundreds of bodies per second.
"""

from __future__ import annotations

import re
from typing import Any

from twilio_emulator.domain import Emulator
from twilio_emulator.domain.intelligence_configs import render_configuration
from twilio_emulator.domain.operators import render_operator
from twilio_emulator.domain.writes import Write

_KB = re.compile(r"^know_knowledgebase_\w+:know_knowledge_\w+$")


class TwilioOracle:
    def __init__(self) -> None:
        self.em = Emulator()  # in-memory SQLite
        self.account = self.em.default_credentials.account_sid
        self.fresh()

    def fresh(self) -> None:
        """Start from an empty account (accounts hold few configurations and stores, and stores
        cannot be deleted), with asynchronous writes completing at once."""
        self.em.reset()
        self.em.set_settings({"operation_delay_seconds": 0.0, "store_provisioning_seconds": 0.0})

    def close(self) -> None:
        self.em.close()

    def operator(self, wire: dict[str, Any]) -> dict[str, Any]:
        with self.em.transaction():
            doc = self.em.operators.create(self.account, wire)
        return render_operator(doc, self.em.traps)

    def configuration(self, wire: dict[str, Any]) -> dict[str, Any]:
        with self.em.transaction():
            doc = self.em.configurations.create(self.account, wire)
        live = render_configuration(doc)
        assert live["version"] == 1
        assert all(r["id"].startswith("intelligence_configurationrule_") for r in live["rules"])
        return live

    def _created_async(self, collection: Any, wire: dict[str, Any]) -> str:
        """Create through an asynchronous operation in a fresh account, let the emulator complete
        it, and return the id of the object it made."""
        self.fresh()
        with self.em.transaction():
            operation = collection.create(Write(self.account, wire))
        self.em.tick()
        return str(operation["target"])

    def conversation_configuration(self, wire: dict[str, Any]) -> dict[str, Any]:
        target = self._created_async(self.em.conversation_configs, wire)
        live = self.em.conversation_configs.get(self.account, target)
        assert live is not None
        return dict(live)

    def memory_store(self, wire: dict[str, Any]) -> dict[str, Any]:
        stores = self.em.memory_stores
        return stores.render(stores.fetch(self.account, self._created_async(stores, wire)))

    def operators_for(self, configuration: dict[str, Any]) -> dict[str, Any]:
        """The configuration with every rule operator replaced by a custom operator created here,
        declaring exactly the parameters the rule supplies (so the emulator's checks pass), and
        version pins moved to version 1 (the only version a new operator has)."""
        rules = []
        for rule in configuration.get("rules", []):
            operators = []
            for op in rule["operators"]:
                params = op.get("parameters") or {}
                created = self.operator(
                    {
                        "displayName": "oracle",
                        "prompt": "p",
                        "outputFormat": "TEXT",
                        "parameters": {n: {"type": _type_of(v)} for n, v in params.items()},
                    }
                )
                new = {**op, "id": created["id"]}
                if "version" in op:
                    new["version"] = 1
                operators.append(new)
            rules.append({**rule, "operators": operators})
        return {**configuration, "rules": rules}


def _type_of(value: Any) -> str:
    if isinstance(value, bool):
        return "BOOLEAN"
    if isinstance(value, int):
        return "INTEGER"
    if isinstance(value, float):
        return "NUMBER"
    if isinstance(value, str) and _KB.match(value):
        return "KNOWLEDGE_BASE_AND_SOURCE_IDS"
    return "STRING"
