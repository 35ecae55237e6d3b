"""The enumerations of the resources' fields: the models validate against these aliases, and
``inputs`` re-exports them for users. Imports nothing heavy (the drift and policy commands use
the models without the Pulumi SDK)."""

from collections.abc import Mapping
from typing import Any, Literal, TypeAlias

__all__ = [
    "Channel",
    "ConversationGroupingType",
    "CrawlPeriod",
    "DeletionPolicy",
    "JsonSchema",
    "OutputFormat",
    "ParameterType",
    "StatusCallbackMethod",
    "TriggerOn",
]

# --- enumerations (the models validate against these same aliases) --------------------------
OutputFormat: TypeAlias = Literal["TEXT", "JSON", "CLASSIFICATION"]
ParameterType: TypeAlias = Literal[
    "STRING", "INTEGER", "NUMBER", "BOOLEAN", "KNOWLEDGE_BASE_AND_SOURCE_IDS"
]
TriggerOn: TypeAlias = Literal["COMMUNICATION", "CONVERSATION_END", "CONVERSATION_INACTIVE"]
Channel: TypeAlias = Literal["VOICE", "SMS", "RCS", "WHATSAPP", "CHAT"]
ConversationGroupingType: TypeAlias = Literal[
    "GROUP_BY_PROFILE",
    "GROUP_BY_PARTICIPANT_ADDRESSES",
    "GROUP_BY_PARTICIPANT_ADDRESSES_AND_CHANNEL_TYPE",
]
# Requests accept five methods but responses can only say POST or GET: the models keep to those.
StatusCallbackMethod: TypeAlias = Literal["POST", "GET"]

# Knowledge v2: how often a Web source is crawled again.
CrawlPeriod: TypeAlias = Literal["WEEKLY", "BIWEEKLY", "MONTHLY", "NEVER"]
# What deleting an object that holds customer data does (``_core.kinds.DELETION_POLICIES``).
DeletionPolicy: TypeAlias = Literal["retain", "delete"]

# An operator's outputSchema is a JSON Schema (Twilio's subset, checked by the provider).
JsonSchema: TypeAlias = Mapping[str, Any]
