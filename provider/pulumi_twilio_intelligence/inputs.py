"""Types of the nested inputs of every resource, for type checkers and IDEs.

One naming convention, the one every Pulumi SDK has: the resources' constructor arguments are
snake_case (``training_examples=``, ``channel_settings=``), and every key *inside* a nested value
is the API's camelCase, exactly as in Twilio's documentation and in the desired-state YAML files
(``{"statusTimeouts": {...}, "captureRules": [...]}``). Each nested object has a TypedDict named
after the object plus ``ArgsDict``, as in Pulumi's generated SDKs (``RuleArgsDict``,
``TriggerArgsDict``, ...). Leaf values and lists may be ``Output``s of other resources
(``pulumi.Input``); the nested objects themselves are plain dicts, which is what lets a type
checker name a mistyped key (inside a union with ``Output`` it could only say "incompatible").

The single description of every field (limits, defaults, which change replaces) is the pydantic
models in ``_core/models.py``; these TypedDicts mirror them key for key, and
``tests/unit/test_typed_inputs.py`` fails if the two ever disagree. The ``Literal`` aliases below
are used by the models themselves.

This module must stay light (no pydantic): the Pulumi program imports it.
"""

# No `from __future__ import annotations`: on Python 3.11 a TypedDict reads Required/NotRequired
# from evaluated annotations only.
from collections.abc import Mapping, Sequence
from typing import Any, Literal, NotRequired, TypedDict

import pulumi

__all__ = [
    "ActionArgsDict",
    "CaptureRuleArgsDict",
    "Channel",
    "ChannelSettingArgsDict",
    "ChannelSettingsArgsDict",
    "ConversationGroupingType",
    "ConversationsV1BridgeArgsDict",
    "CrawlPeriod",
    "DeletionPolicy",
    "IdentifierConfigArgsDict",
    "JsonSchema",
    "KnowledgeSourceContentArgsDict",
    "KnowledgeSupplyArgsDict",
    "MappingFromArgsDict",
    "MappingToArgsDict",
    "MappingTraitItemArgsDict",
    "MemorySupplyArgsDict",
    "OperatorContextArgsDict",
    "OperatorParameterArgsDict",
    "OutputFormat",
    "ParameterType",
    "RuleArgsDict",
    "RuleContextArgsDict",
    "RuleOperatorArgsDict",
    "StatusCallbackArgsDict",
    "StatusCallbackMethod",
    "StatusTimeoutsArgsDict",
    "TextSourceArgsDict",
    "ToggleArgsDict",
    "TrainingExampleArgsDict",
    "TraitDefinitionArgsDict",
    "TriggerArgsDict",
    "TriggerOn",
    "TriggerParametersArgsDict",
    "ValidationRuleArgsDict",
    "WebSourceArgsDict",
]

# The enumerations live in _core.enums (the models validate against the same aliases, without
# importing Pulumi); they are part of this module's public face.
from ._core.enums import (
    Channel,
    ConversationGroupingType,
    CrawlPeriod,
    DeletionPolicy,
    JsonSchema,
    OutputFormat,
    ParameterType,
    StatusCallbackMethod,
    TriggerOn,
)


# --- Operator ---------------------------------------------------------------------------------
class TrainingExampleArgsDict(TypedDict):
    """One example conversation and the output the operator should give for it."""

    input: pulumi.Input[str]
    output: pulumi.Input[str]  # a JSON object (as text) when outputFormat is JSON


class ToggleArgsDict(TypedDict):
    enabled: NotRequired[pulumi.Input[bool]]  # default false


class OperatorContextArgsDict(TypedDict):
    """What the operator MAY use at run time (the rule decides what is supplied)."""

    memory: NotRequired[ToggleArgsDict]
    knowledge: NotRequired[ToggleArgsDict]


class OperatorParameterArgsDict(TypedDict):
    """A parameter the prompt references as ``{{parameters.<name>}}``."""

    type: pulumi.Input[ParameterType]
    default: NotRequired[pulumi.Input[Any]]  # a value of `type`; none for knowledge bases
    required: NotRequired[pulumi.Input[bool]]  # default false
    description: NotRequired[pulumi.Input[str]]


# --- IntelligenceConfiguration ----------------------------------------------------------------
class RuleOperatorArgsDict(TypedDict):
    """An operator a rule runs: its id (``Operator.id`` / ``TwilioOperator.id``)."""

    id: pulumi.Input[str]
    version: NotRequired[pulumi.Input[int]]  # omitted: the latest ACTIVE version at run time
    parameters: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str | int | float | bool]]]]


class TriggerParametersArgsDict(TypedDict):
    count: NotRequired[pulumi.Input[int]]  # 1-20: run once every `count` communications


class TriggerArgsDict(TypedDict):
    on: pulumi.Input[TriggerOn]
    parameters: NotRequired[TriggerParametersArgsDict]


class ActionArgsDict(TypedDict):
    """A webhook that receives the rule's results."""

    url: pulumi.Input[str]  # absolute http(s) URL
    type: NotRequired[pulumi.Input[Literal["WEBHOOK"]]]
    method: NotRequired[pulumi.Input[Literal["POST"]]]


class KnowledgeSupplyArgsDict(TypedDict):
    bases: pulumi.Input[Sequence[pulumi.Input[str]]]  # at least one knowledge base id


class MemorySupplyArgsDict(TypedDict):
    enabled: NotRequired[pulumi.Input[bool]]  # default false


class RuleContextArgsDict(TypedDict):
    """What the rule supplies to operators that are allowed to use it."""

    memory: NotRequired[MemorySupplyArgsDict]
    knowledge: NotRequired[KnowledgeSupplyArgsDict]


class RuleArgsDict(TypedDict):
    """One rule: which operators run (1-5), when (at most one trigger), where results go
    (at most two actions), with what context."""

    operators: pulumi.Input[Sequence[RuleOperatorArgsDict]]
    triggers: NotRequired[pulumi.Input[Sequence[TriggerArgsDict]]]
    actions: NotRequired[pulumi.Input[Sequence[ActionArgsDict]]]
    context: NotRequired[RuleContextArgsDict]


# --- ConversationConfiguration ----------------------------------------------------------------
class StatusTimeoutsArgsDict(TypedDict):
    inactive: NotRequired[pulumi.Input[int]]  # minutes
    closed: NotRequired[pulumi.Input[int]]  # minutes


# "from" is a Python keyword: the functional form is the only way to spell this key.
CaptureRuleArgsDict = TypedDict(
    "CaptureRuleArgsDict",
    {
        "from": pulumi.Input[str],  # an address, or "*"
        "to": pulumi.Input[str],
        "metadata": NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str]]]],
    },
)


class ChannelSettingArgsDict(TypedDict):
    statusTimeouts: NotRequired[StatusTimeoutsArgsDict]
    captureRules: NotRequired[pulumi.Input[Sequence[CaptureRuleArgsDict]]]


class ChannelSettingsArgsDict(TypedDict, total=False):
    """``channelSettings``: the settings of each channel, keyed by channel (see ``Channel``)."""

    VOICE: ChannelSettingArgsDict
    SMS: ChannelSettingArgsDict
    RCS: ChannelSettingArgsDict
    WHATSAPP: ChannelSettingArgsDict
    CHAT: ChannelSettingArgsDict


class StatusCallbackArgsDict(TypedDict):
    url: pulumi.Input[str]  # absolute http(s) URL
    method: NotRequired[pulumi.Input[StatusCallbackMethod]]  # default POST


class ConversationsV1BridgeArgsDict(TypedDict):
    serviceId: pulumi.Input[str]  # a Conversations v1 service: IS + 32 hex digits


# --- Knowledge source -------------------------------------------------------------------------
class TextSourceArgsDict(TypedDict):
    """Plain text (the only kind a KNOWLEDGE_BASE_AND_SOURCE_IDS parameter may name)."""

    type: Literal["Text"]
    content: pulumi.Input[str]  # at most 185000 characters


class WebSourceArgsDict(TypedDict):
    """A crawled web site; the url cannot change (a new one replaces the source)."""

    type: Literal["Web"]
    url: pulumi.Input[str]
    crawlDepth: NotRequired[pulumi.Input[int]]  # 1-10, default 2
    crawlPeriod: NotRequired[pulumi.Input[CrawlPeriod]]  # default NEVER


KnowledgeSourceContentArgsDict = TextSourceArgsDict | WebSourceArgsDict


# --- Memory Store contents: IdentityResolutionSettings, TraitGroup, DataMapping -------------------
class IdentifierConfigArgsDict(TypedDict):
    """One identifier type of a store (defaults: the spec's; some only accept them, see E7)."""

    idType: pulumi.Input[str]  # 2-30 characters, e.g. "email"
    matchingAlgo: NotRequired[pulumi.Input[Literal["exact", "fuzzy"]]]  # only "exact" for now
    matchingThreshold: NotRequired[pulumi.Input[int]]  # 75 (fuzzy matching only)
    limit: NotRequired[pulumi.Input[int]]  # 1-100, default 100
    limitPolicy: NotRequired[pulumi.Input[Literal["fifo", "lifo"]]]  # default fifo
    enforceUnique: NotRequired[pulumi.Input[bool]]  # only true for now
    normalization: NotRequired[pulumi.Input[Literal["phone", "email", "trim", "none"]]]


class ValidationRuleArgsDict(TypedDict):
    """Value constraints of a trait; ``ruleType`` equals the trait's ``dataType``."""

    ruleType: pulumi.Input[Literal["STRING", "NUMBER", "BOOLEAN", "ARRAY"]]
    pattern: NotRequired[pulumi.Input[str]]  # STRING
    minLength: NotRequired[pulumi.Input[int]]  # STRING
    maxLength: NotRequired[pulumi.Input[int]]  # STRING
    min: NotRequired[pulumi.Input[float]]  # NUMBER
    max: NotRequired[pulumi.Input[float]]  # NUMBER
    minItems: NotRequired[pulumi.Input[int]]  # ARRAY
    maxItems: NotRequired[pulumi.Input[int]]  # ARRAY


class TraitDefinitionArgsDict(TypedDict):
    dataType: pulumi.Input[Literal["STRING", "NUMBER", "BOOLEAN", "ARRAY"]]
    description: NotRequired[pulumi.Input[str]]
    validationRule: NotRequired[ValidationRuleArgsDict]
    idTypePromotion: NotRequired[pulumi.Input[str]]  # an idType of the store's settings


class MappingFromArgsDict(TypedDict):
    """The mapping's source, fixed at creation: ``columns`` (INGRESS) or ``datasetId``."""

    type: pulumi.Input[Literal["INGRESS", "DATASET_CLOUDAPP", "DATASET_WAREHOUSE"]]
    columns: NotRequired[pulumi.Input[Sequence[pulumi.Input[str]]]]
    datasetId: NotRequired[pulumi.Input[str]]


class MappingTraitItemArgsDict(TypedDict):
    expression: pulumi.Input[str]  # the source field or column
    traitGroup: pulumi.Input[str]  # a trait group's displayName (TraitGroup.display_name)
    traitName: pulumi.Input[str]


class MappingToArgsDict(TypedDict):
    mappings: pulumi.Input[Sequence[MappingTraitItemArgsDict]]  # 1-100, replaced as a whole
    type: NotRequired[pulumi.Input[Literal["TRAITS"]]]
