"""Conversations v2 data plane: conversations, participants, communications.

Status follows the configuration's per-channel ``statusTimeouts`` (minutes) on
the emulator clock: ACTIVE until ``inactive`` minutes pass without a
communication, then INACTIVE; CLOSED ``closed`` minutes after that. A new
communication re-activates an INACTIVE conversation; CLOSED is final. Each
transition, and each communication, is handed to the Intelligence runtime.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .checks import Checker, join, join_index
from .collection import Collection
from .conversation_configs import ConversationConfigService
from .errors import Conflict, NotFound, ValidationFailed
from .intelligence_runtime import Event, IntelligenceRuntime
from .pagination import Page
from .runtime import Runtime

__all__ = ["CONVERSATION_PREFIX", "ConversationService"]

CONVERSATION_PREFIX = "conv_conversation"
PARTICIPANT_TYPES = ("HUMAN_AGENT", "CUSTOMER", "AI_AGENT", "AGENT", "UNKNOWN")
STATUSES = ("ACTIVE", "INACTIVE", "CLOSED")
CHANNELS = ("VOICE", "SMS", "RCS", "EMAIL", "WHATSAPP", "CHAT", "API", "SYSTEM")
_KIND = "conversation"
_PARTICIPANT = "participant"
_COMMUNICATION = "communication"


class ConversationService(Collection):
    kind = _KIND
    noun = "Conversation"
    list_name = "conversations:::"

    def __init__(
        self, rt: Runtime, configs: ConversationConfigService, intelligence: IntelligenceRuntime
    ) -> None:
        super().__init__(rt)
        self.configs = configs
        self.intelligence = intelligence

    # -- conversations -----------------------------------------------------------------

    def render(self, doc: dict[str, Any]) -> dict[str, Any]:
        keys = ("id", "accountId", "configurationId", "name", "status", "createdAt", "updatedAt")
        return {key: doc[key] for key in keys}

    def page(
        self,
        account: str,
        size: int,
        token: str | None,
        statuses: Sequence[str] = (),
        channel_id: str | None = None,
        *,
        also: Callable[[dict[str, Any]], bool] | None = None,
        also_key: str = "",
    ) -> Page:
        """One page of conversations. ``also`` is an extra filter applied *before* paging (so
        a filtered page is full, and its token continues the filtered list); ``also_key`` names
        it so that a token from another filter is refused."""
        for status in statuses:
            if status not in STATUSES:
                raise ValidationFailed(f"status: must be one of [{', '.join(STATUSES)}]")

        def keep(doc: dict[str, Any]) -> bool:
            return (
                (not statuses or doc["status"] in statuses)
                and (channel_id is None or channel_id in doc["internal"]["channelIds"])
                and (also is None or also(doc))
            )

        name = f"conversations:{','.join(statuses)}:{channel_id or ''}:{also_key}"
        return self._page(account, size, token, list_name=name, keep=keep)

    def create(self, account: str, body: dict[str, Any]) -> dict[str, Any]:
        c = Checker()
        config_id = c.get(body, "configurationId", "", required=True)
        if config_id is not None:
            c.string(config_id, "configurationId")
        name = body.get("name")
        if name is not None:
            c.string(name, "name")
        override = None
        settings = body.get("configuration")
        if settings is not None and c.object(settings, "configuration") is not None:
            ids = settings.get("intelligenceConfigurationIds")
            if ids is not None:
                items = c.array(ids, "configuration.intelligenceConfigurationIds", max_items=5)
                if items is not None and all(isinstance(i, str) for i in items):
                    override = list(items)
        participants = body.get("participants")
        if participants is not None:
            c.array(participants, "participants", max_items=50)
        c.raise_if_failed()
        config = self.configs.fetch(account, str(config_id))
        now = self.rt.now()
        doc: dict[str, Any] = {
            "id": self.rt.ids.new(CONVERSATION_PREFIX),
            "accountId": account,
            "configurationId": config["id"],
            "name": name,
            "status": "ACTIVE",
            "createdAt": self.rt.timestamp(now),
            "updatedAt": self.rt.timestamp(now),
            "internal": {
                "lastActivity": now,
                "inactiveSince": None,
                "channel": None,
                "channels": [],
                "channelIds": [],
                "intelligenceConfigurationIds": override,
                "operatorResultIds": [],
                "ruleCounters": {},
            },
        }
        self._save(account, doc)
        for index, item in enumerate(participants or []):
            self.add_participant(account, doc["id"], item, path=join_index("participants", index))
        return doc

    def set_status(
        self, account: str, conversation_id: str, body: dict[str, Any], *, partial: bool
    ) -> dict[str, Any]:
        doc = self.fetch(account, conversation_id)
        c = Checker()
        status = c.get(body, "status", "", required=not partial)
        if status is not None:
            c.string(status, "status", enum=STATUSES)
        name = body.get("name")
        if name is not None:
            c.string(name, "name")
        c.raise_if_failed()
        if name is not None or not partial:
            doc["name"] = name
        if status is not None and status != doc["status"]:
            if doc["status"] == "CLOSED":
                raise Conflict(f"Conversation {conversation_id} is CLOSED")
            self._transition(account, doc, status)
        doc["updatedAt"] = self.rt.timestamp()
        self._save(account, doc)
        return doc

    # -- participants ----------------------------------------------------------------------

    # Participants and communications are stored under "<conversation id>/<own id>".
    def _children(self, kind: str, account: str, conversation_id: str) -> list[dict[str, Any]]:
        return [d for _, d in self.rt.store.rows(kind, account, prefix=f"{conversation_id}/")]

    def _child(
        self, kind: str, label: str, account: str, conversation_id: str, child_id: str
    ) -> dict[str, Any]:
        self.fetch(account, conversation_id)
        doc = self.rt.store.get(kind, account, f"{conversation_id}/{child_id}")
        if doc is None:
            raise NotFound(f"{label} {child_id} not found")
        return doc

    def participants(self, account: str, conversation_id: str) -> list[dict[str, Any]]:
        return self._children(_PARTICIPANT, account, conversation_id)

    def fetch_participant(
        self, account: str, conversation_id: str, participant_id: str
    ) -> dict[str, Any]:
        return self._child(_PARTICIPANT, "Participant", account, conversation_id, participant_id)

    def add_participant(
        self, account: str, conversation_id: str, body: Any, *, path: str = ""
    ) -> dict[str, Any]:
        conversation = self.fetch(account, conversation_id)
        c = Checker()
        obj = c.object(body, path or "body") or {}
        addresses = c.get(obj, "addresses", path, required=True)
        kept: list[dict[str, str]] = []
        for index, item in enumerate(
            c.array(addresses, join(path, "addresses"), min_items=1) or []
            if addresses is not None
            else []
        ):
            item_path = join_index(join(path, "addresses"), index)
            address = c.object(item, item_path)
            if address is None:
                continue
            channel = c.get(address, "channel", item_path, required=True)
            value = c.get(address, "address", item_path, required=True)
            if (
                channel is not None
                and c.string(channel, join(item_path, "channel"), enum=CHANNELS)
                and value is not None
                and c.string(value, join(item_path, "address"))
            ):
                kept.append({"channel": channel, "address": value})
        kind = obj.get("type")
        if kind is not None:
            c.string(kind, join(path, "type"), enum=PARTICIPANT_TYPES)
        name = obj.get("name")
        if name is not None:
            c.string(name, join(path, "name"))
        c.raise_if_failed()
        return self._new_participant(account, conversation, kept, kind or "UNKNOWN", name)

    def _new_participant(
        self,
        account: str,
        conversation: dict[str, Any],
        addresses: list[dict[str, str]],
        kind: str,
        name: str | None,
    ) -> dict[str, Any]:
        participant_id = self.rt.ids.new("conv_participant")
        doc: dict[str, Any] = {
            "id": participant_id,
            "conversationId": conversation["id"],
            "name": name,
            "type": kind,
            "addresses": addresses,
            "createdAt": self.rt.timestamp(),
        }
        if kind == "CUSTOMER":
            # Profiles are resolved only for customers (spec); the id is made up.
            config = self.configs.get(account, conversation["configurationId"]) or {}
            doc["profileId"] = self.rt.ids.new("mem_profile")
            doc["memoryStoreId"] = config.get("memoryStoreId", "")
        self.rt.store.put(_PARTICIPANT, account, f"{conversation['id']}/{participant_id}", doc)
        return doc

    # -- communications --------------------------------------------------------------------

    def communications(self, account: str, conversation_id: str) -> list[dict[str, Any]]:
        return self._children(_COMMUNICATION, account, conversation_id)

    def fetch_communication(
        self, account: str, conversation_id: str, communication_id: str
    ) -> dict[str, Any]:
        return self._child(
            _COMMUNICATION, "Communication", account, conversation_id, communication_id
        )

    def add_communication(
        self, account: str, conversation_id: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        conversation = self.fetch(account, conversation_id)
        if conversation["status"] == "CLOSED":
            raise Conflict(f"Conversation {conversation_id} is CLOSED")
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
        participant = self._author(
            account, conversation, str(channel), str(address), author.get("participantId")
        )
        communication_id = self.rt.ids.new("conv_communication")
        doc = {
            "id": communication_id,
            "conversationId": conversation_id,
            "author": {"address": address, "channel": channel, "participantId": participant["id"]},
            "content": {"type": kind, "text": text or ""},
            "recipients": recipients,
            "createdAt": self.rt.timestamp(),
        }
        if channel_id is not None:
            doc["channelId"] = channel_id
        self.rt.store.put(_COMMUNICATION, account, f"{conversation_id}/{communication_id}", doc)
        internal = conversation["internal"]
        internal["lastActivity"] = self.rt.now()
        internal["channel"] = channel
        if channel not in internal["channels"]:
            internal["channels"].append(channel)
        if channel_id is not None and channel_id not in internal["channelIds"]:
            internal["channelIds"].append(channel_id)
        if conversation["status"] == "INACTIVE":
            conversation["status"] = "ACTIVE"
            internal["inactiveSince"] = None
        conversation["updatedAt"] = self.rt.timestamp()
        self._fire(account, conversation, "COMMUNICATION")
        self._save(account, conversation)
        return doc

    def _author(
        self,
        account: str,
        conversation: dict[str, Any],
        channel: str,
        address: str,
        participant_id: Any,
    ) -> dict[str, Any]:
        if isinstance(participant_id, str):
            return self.fetch_participant(account, conversation["id"], participant_id)
        for participant in self.participants(account, conversation["id"]):
            if any(a["address"] == address for a in participant["addresses"]):
                return participant
        # gotchas A26: the configured (Twilio) address is the agent, anyone else the customer.
        config = self.configs.get(account, conversation["configurationId"]) or {}
        rules = config.get("channelSettings", {}).get(channel, {}).get("captureRules", [])
        ours = {r.get(k) for r in rules for k in ("from", "to")} - {"*", None}
        kind = "HUMAN_AGENT" if address in ours else "CUSTOMER"
        return self._new_participant(
            account, conversation, [{"channel": channel, "address": address}], kind, None
        )

    # -- time and triggers -----------------------------------------------------------------

    def on_due(self, account: str, doc: dict[str, Any]) -> None:
        """Called by the clock when a conversation's next timeout is reached."""
        now = self.rt.now()
        internal = doc["internal"]
        timeouts = self._timeouts(account, doc)
        if (
            doc["status"] == "ACTIVE"
            and "inactive" in timeouts
            and now >= internal["lastActivity"] + timeouts["inactive"] * 60
        ):
            self._transition(account, doc, "INACTIVE")
        elif (
            doc["status"] == "INACTIVE"
            and "closed" in timeouts
            and internal["inactiveSince"] is not None
            and now >= internal["inactiveSince"] + timeouts["closed"] * 60
        ):
            self._transition(account, doc, "CLOSED")
        self._save(account, doc)

    def _transition(self, account: str, doc: dict[str, Any], status: str) -> None:
        doc["status"] = status
        doc["updatedAt"] = self.rt.timestamp()
        if status == "INACTIVE":
            doc["internal"]["inactiveSince"] = self.rt.now()
            self._fire(account, doc, "CONVERSATION_INACTIVE")
        elif status == "CLOSED":
            self._fire(account, doc, "CONVERSATION_END")
        else:
            doc["internal"]["inactiveSince"] = None
            doc["internal"]["lastActivity"] = self.rt.now()

    def _fire(self, account: str, doc: dict[str, Any], event: str) -> None:
        created = self.intelligence.on_event(
            account,
            Event(
                conversation=doc,
                trigger=event,
                config_ids=self.linked_configurations(account, doc),
                communications=self.communications(account, doc["id"]),
                participants=self.participants(account, doc["id"]),
            ),
        )
        doc["internal"]["operatorResultIds"].extend(created)

    def linked_configurations(self, account: str, doc: dict[str, Any]) -> list[str]:
        override = doc["internal"].get("intelligenceConfigurationIds")
        if override is not None:
            return list(override)
        config = self.configs.get(account, doc["configurationId"]) or {}
        return list(config.get("intelligenceConfigurationIds", []))

    def _timeouts(self, account: str, doc: dict[str, Any]) -> dict[str, int]:
        channel = doc["internal"].get("channel")
        config = self.configs.get(account, doc["configurationId"]) or {}
        settings = config.get("channelSettings", {}).get(channel or "", {})
        timeouts: dict[str, int] = settings.get("statusTimeouts", {})
        return timeouts

    def _save(self, account: str, doc: dict[str, Any]) -> None:
        """Store with the time of the next timeout, so the clock wakes it up."""
        internal = doc["internal"]
        timeouts = self._timeouts(account, doc)
        due = None
        if doc["status"] == "ACTIVE" and "inactive" in timeouts:
            due = internal["lastActivity"] + timeouts["inactive"] * 60
        elif (
            doc["status"] == "INACTIVE"
            and "closed" in timeouts
            and internal["inactiveSince"] is not None
        ):
            due = internal["inactiveSince"] + timeouts["closed"] * 60
        self.rt.store.put(_KIND, account, doc["id"], doc, due=due)
