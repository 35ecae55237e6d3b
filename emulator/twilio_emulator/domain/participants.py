"""Conversations v2 Participants, kept under their conversation.

A participant is created explicitly (POST, or in the conversation's create
body) or implicitly, as the author of a communication whose address no
participant has yet (see :meth:`ParticipantService.author`).
"""

from __future__ import annotations

from typing import Any

from .checks import Checker, join
from .collection import ChildCollection
from .conversation_configs import ConversationConfigService
from .memory_stores import MemoryStoreService
from .runtime import Runtime

__all__ = ["CHANNELS", "PARTICIPANT_TYPES", "ParticipantService"]

PARTICIPANT_TYPES = ("HUMAN_AGENT", "CUSTOMER", "AI_AGENT", "AGENT", "UNKNOWN")
CHANNELS = ("VOICE", "SMS", "RCS", "EMAIL", "WHATSAPP", "CHAT", "API", "SYSTEM")


class ParticipantService(ChildCollection):
    kind = "participant"
    noun = "Participant"

    def __init__(self, rt: Runtime, configs: ConversationConfigService) -> None:
        super().__init__(rt)
        self.configs = configs

    def add(
        self, account: str, conversation: dict[str, Any], body: Any, *, path: str = ""
    ) -> dict[str, Any]:
        """Validate a participant body (at ``path`` inside a larger body) and store it."""
        c = Checker()
        obj = c.object(body, path or "body") or {}
        addresses = c.get(obj, "addresses", path, required=True)
        kept = [] if addresses is None else self._addresses(c, addresses, join(path, "addresses"))
        kind = obj.get("type")
        if kind is not None:
            c.string(kind, join(path, "type"), enum=PARTICIPANT_TYPES)
        name = obj.get("name")
        if name is not None:
            c.string(name, join(path, "name"))
        c.raise_if_failed()
        return self.create(account, conversation, kept, kind or "UNKNOWN", name)

    @staticmethod
    def _addresses(c: Checker, value: Any, path: str) -> list[dict[str, str]]:
        kept: list[dict[str, str]] = []
        for address, item_path in c.objects(value, path, min_items=1):
            channel = c.get(address, "channel", item_path, required=True)
            value = c.get(address, "address", item_path, required=True)
            if (
                channel is not None
                and c.string(channel, join(item_path, "channel"), enum=CHANNELS)
                and value is not None
                and c.string(value, join(item_path, "address"))
            ):
                kept.append({"channel": channel, "address": value})
        return kept

    def create(
        self,
        account: str,
        conversation: dict[str, Any],
        addresses: list[dict[str, str]],
        kind: str,
        name: str | None,
    ) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "id": self.rt.ids.new("conv_participant"),
            "conversationId": conversation["id"],
            "name": name,
            "type": kind,
            "addresses": addresses,
            "createdAt": self.rt.timestamp(),
        }
        config = self.configs.get(account, conversation["configurationId"]) or {}
        store_id = config.get("memoryStoreId", "")
        # Profiles are resolved only for customers (spec), and only while the configured
        # store exists: one deleted or never made leaves capture working while identity
        # resolution (and so memory context) silently does nothing (gotchas A32, E18).
        if kind == "CUSTOMER" and self.rt.store.get(MemoryStoreService.kind, account, store_id):
            doc["profileId"] = self.rt.ids.new("mem_profile")  # the id is made up
            doc["memoryStoreId"] = store_id
        self._put(account, conversation["id"], doc)
        return doc

    def author(
        self,
        account: str,
        conversation: dict[str, Any],
        channel: str,
        address: str,
        participant_id: Any,
    ) -> dict[str, Any]:
        """The participant a communication is from: named, found by address, or new."""
        if isinstance(participant_id, str):
            return self.fetch(account, conversation["id"], participant_id)
        for participant in self.list(account, conversation["id"]):
            if any(a["address"] == address for a in participant["addresses"]):
                return participant
        # gotchas A26: the configured (Twilio) address is the agent, anyone else the customer.
        config = self.configs.get(account, conversation["configurationId"]) or {}
        rules = config.get("channelSettings", {}).get(channel, {}).get("captureRules", [])
        ours = {r.get(k) for r in rules for k in ("from", "to")} - {"*", None}
        kind = "HUMAN_AGENT" if address in ours else "CUSTOMER"
        return self.create(
            account, conversation, [{"channel": channel, "address": address}], kind, None
        )
