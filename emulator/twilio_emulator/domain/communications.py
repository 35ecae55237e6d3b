"""Conversations v2 Communications, kept under their conversation.

This module validates and stores a communication; what it does to its
conversation (activity, channels, status, Intelligence triggers) is the
conversation's business (conversations.py).
"""

from __future__ import annotations

from typing import Any

from .checks import Checker
from .collection import ChildCollection
from .participants import CHANNELS, ParticipantService
from .runtime import Runtime

__all__ = ["CommunicationService"]


class CommunicationService(ChildCollection):
    kind = "communication"
    noun = "Communication"

    def __init__(self, rt: Runtime, participants: ParticipantService) -> None:
        super().__init__(rt)
        self.participants = participants

    def add(
        self, account: str, conversation: dict[str, Any], body: dict[str, Any]
    ) -> dict[str, Any]:
        c = Checker()
        author = c.object(c.get(body, "author", "", required=True) or {}, "author") or {}
        channel = c.get(author, "channel", "author", required=True)
        if channel is not None:
            c.string(channel, "author.channel", enum=CHANNELS)
        address = c.get(author, "address", "author", required=True)
        if address is not None:
            c.string(address, "author.address")
        content = c.object(c.get(body, "content", "", required=True) or {}, "content") or {}
        kind = c.get(content, "type", "content", required=True)
        if kind is not None:
            c.string(kind, "content.type", enum=("TEXT", "TRANSCRIPTION"))
        text = content.get("text")
        if text is not None:
            c.string(text, "content.text")
        recipients = c.get(body, "recipients", "", required=True)
        if recipients is not None:
            c.array(recipients, "recipients", min_items=1)
        channel_id = body.get("channelId")
        if channel_id is not None:
            c.string(channel_id, "channelId")
        c.raise_if_failed()
        participant = self.participants.author(
            account, conversation, str(channel), str(address), author.get("participantId")
        )
        doc = {
            "id": self.rt.ids.new("conv_communication"),
            "conversationId": conversation["id"],
            "author": {"address": address, "channel": channel, "participantId": participant["id"]},
            "content": {"type": kind, "text": text or ""},
            "recipients": recipients,
            "createdAt": self.rt.timestamp(),
        }
        if channel_id is not None:
            doc["channelId"] = channel_id
        self._put(account, conversation["id"], doc)
        return doc
