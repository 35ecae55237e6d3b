"""Conversations v2 data plane: conversations (participants.py and
communications.py keep what is stored under them).

Status follows the configuration's per-channel ``statusTimeouts`` (minutes) on
the emulator clock: ACTIVE until ``inactive`` minutes pass without a
communication, then INACTIVE; CLOSED ``closed`` minutes after that. A new
communication re-activates an INACTIVE conversation; CLOSED is final. Each
transition, and each communication, is handed to the Intelligence runtime.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .checks import Checker, join_index
from .collection import Collection
from .communications import CommunicationService
from .conversation_configs import ConversationConfigService, pinned_view
from .errors import Conflict, ValidationFailed
from .intelligence_runtime import Event, IntelligenceRuntime
from .pagination import Page
from .participants import ParticipantService
from .runtime import Runtime

__all__ = ["CONVERSATION_PREFIX", "ConversationService"]

CONVERSATION_PREFIX = "conv_conversation"
STATUSES = ("ACTIVE", "INACTIVE", "CLOSED")
_KIND = "conversation"


class ConversationService(Collection):
    kind = _KIND
    noun = "Conversation"
    list_name = "conversations:::"

    def __init__(
        self,
        rt: Runtime,
        configs: ConversationConfigService,
        intelligence: IntelligenceRuntime,
        participants: ParticipantService,
        communications: CommunicationService,
    ) -> None:
        super().__init__(rt)
        self.configs = configs
        self.intelligence = intelligence
        self.participants = participants
        self.communications = communications

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
                # gotchas E5: the configuration as it was when the conversation began.
                "configuration": pinned_view(config),
            },
        }
        self._save(account, doc)
        for index, item in enumerate(participants or []):
            self.participants.add(account, doc, item, path=join_index("participants", index))
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

    # -- communications --------------------------------------------------------------------

    def add_communication(
        self, account: str, conversation_id: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        """Store a communication and bring its conversation back to life (INACTIVE -> ACTIVE)."""
        conversation = self.fetch(account, conversation_id)
        if conversation["status"] == "CLOSED":
            raise Conflict(f"Conversation {conversation_id} is CLOSED")
        doc = self.communications.add(account, conversation, body)
        channel, channel_id = doc["author"]["channel"], doc.get("channelId")
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
                communications=self.communications.list(account, doc["id"]),
                participants=self.participants.list(account, doc["id"]),
            ),
        )
        doc["internal"]["operatorResultIds"].extend(created)

    def execute_rule(
        self,
        account: str,
        doc: dict[str, Any],
        config: dict[str, Any],
        rule: dict[str, Any],
        overrides: dict[str, dict[str, Any]],
    ) -> list[str]:
        """Run one rule of ``config`` on the conversation now (POST /v3/RuleExecutions).
        The result records the rule's own trigger (which one an on-demand run records is
        UNCERTAIN, intelligence-v3 §3.18)."""
        trigger = rule["triggers"][0].get("on", "COMMUNICATION") if rule["triggers"] else None
        event = Event(
            conversation=doc,
            trigger=trigger or "COMMUNICATION",
            config_ids=[config["id"]],
            communications=self.communications.list(account, doc["id"]),
            participants=self.participants.list(account, doc["id"]),
        )
        created = self.intelligence.run_rule(account, event, config, rule, overrides)
        doc["internal"]["operatorResultIds"].extend(created)
        self._save(account, doc)
        return created

    def linked_configurations(self, account: str, doc: dict[str, Any]) -> list[str]:
        override = doc["internal"].get("intelligenceConfigurationIds")
        if override is not None:
            return list(override)
        config = self.configs.for_conversation(account, doc)
        return list(config.get("intelligenceConfigurationIds", []))

    def _timeouts(self, account: str, doc: dict[str, Any]) -> dict[str, int]:
        channel = doc["internal"].get("channel")
        config = self.configs.for_conversation(account, doc)
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
