"""Pulumi resources and a declarative reconciler for Twilio Conversation Intelligence v3.

Public API: the resources in ``resources``, the types of their nested inputs in ``inputs``
(``RuleArgsDict``, ...), the exception tree in ``errors``, and the desired-state files in
``stackfile``. Modules whose names start with ``_`` are internal.

Attributes load on first use (PEP 562): ``import pulumi_twilio_intelligence`` imports nothing
else, so the drift and policy commands, which live in subpackages, never load the Pulumi SDK.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .errors import (
        AmbiguousWriteError,
        ApiError,
        ConflictError,
        CredentialsError,
        NameTakenError,
        NotFoundError,
        OperationFailedError,
        OperationTimeoutError,
        PreconditionFailedError,
        TransportError,
        TwilioIntelligenceError,
        ValidationError,
        Violation,
    )
    from .inputs import (
        ActionArgsDict,
        CaptureRuleArgsDict,
        Channel,
        ChannelSettingArgsDict,
        ChannelSettingsArgsDict,
        ConversationGroupingType,
        ConversationsV1BridgeArgsDict,
        IdentifierConfigArgsDict,
        JsonSchema,
        KnowledgeSupplyArgsDict,
        MappingFromArgsDict,
        MappingToArgsDict,
        MappingTraitItemArgsDict,
        MemorySupplyArgsDict,
        OperatorContextArgsDict,
        OperatorParameterArgsDict,
        OutputFormat,
        ParameterType,
        RuleArgsDict,
        RuleContextArgsDict,
        RuleOperatorArgsDict,
        StatusCallbackArgsDict,
        StatusCallbackMethod,
        StatusTimeoutsArgsDict,
        ToggleArgsDict,
        TrainingExampleArgsDict,
        TraitDefinitionArgsDict,
        TriggerArgsDict,
        TriggerOn,
        TriggerParametersArgsDict,
        ValidationRuleArgsDict,
    )
    from .knowledge import KnowledgeBase, KnowledgeSource
    from .memory_resources import DataMapping, IdentityResolutionSettings, TraitGroup
    from .resources import (
        TWILIO_OPERATOR_IDS,
        ConversationConfiguration,
        IntelligenceConfiguration,
        MemoryStore,
        Operator,
        TwilioOperator,
    )

# Which module each public name comes from.
_ORIGIN = {
    **dict.fromkeys(
        (
            "AmbiguousWriteError",
            "ApiError",
            "ConflictError",
            "CrawlPeriod",
            "CredentialsError",
            "DeletionPolicy",
            "NameTakenError",
            "NotFoundError",
            "OperationFailedError",
            "OperationTimeoutError",
            "PreconditionFailedError",
            "TransportError",
            "TwilioIntelligenceError",
            "ValidationError",
            "Violation",
        ),
        "errors",
    ),
    **dict.fromkeys(
        (
            "TWILIO_OPERATOR_IDS",
            "ConversationConfiguration",
            "IntelligenceConfiguration",
            "MemoryStore",
            "Operator",
            "TwilioOperator",
        ),
        "resources",
    ),
    **dict.fromkeys(("KnowledgeBase", "KnowledgeSource"), "knowledge"),
    **dict.fromkeys(
        ("DataMapping", "IdentityResolutionSettings", "TraitGroup"), "memory_resources"
    ),
}


# Public submodules, reachable as attributes after a bare ``import pulumi_twilio_intelligence``.
_SUBMODULES = frozenset(
    ("drift", "errors", "inputs", "knowledge", "policy", "program", "resources", "stackfile")
)


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    module = _ORIGIN.get(name, "inputs" if name in _INPUTS else None)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # once loaded, a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__all__ = [
    "TWILIO_OPERATOR_IDS",
    "ActionArgsDict",
    "AmbiguousWriteError",
    "ApiError",
    "CaptureRuleArgsDict",
    "Channel",
    "ChannelSettingArgsDict",
    "ChannelSettingsArgsDict",
    "ConflictError",
    "ConversationConfiguration",
    "ConversationGroupingType",
    "ConversationsV1BridgeArgsDict",
    "CrawlPeriod",
    "CredentialsError",
    "DataMapping",
    "DeletionPolicy",
    "IdentifierConfigArgsDict",
    "IdentityResolutionSettings",
    "IntelligenceConfiguration",
    "JsonSchema",
    "KnowledgeBase",
    "KnowledgeSource",
    "KnowledgeSourceContentArgsDict",
    "KnowledgeSupplyArgsDict",
    "MappingFromArgsDict",
    "MappingToArgsDict",
    "MappingTraitItemArgsDict",
    "MemoryStore",
    "MemorySupplyArgsDict",
    "NameTakenError",
    "NotFoundError",
    "OperationFailedError",
    "OperationTimeoutError",
    "Operator",
    "OperatorContextArgsDict",
    "OperatorParameterArgsDict",
    "OutputFormat",
    "ParameterType",
    "PreconditionFailedError",
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
    "TraitGroup",
    "TransportError",
    "TriggerArgsDict",
    "TriggerOn",
    "TriggerParametersArgsDict",
    "TwilioIntelligenceError",
    "TwilioOperator",
    "ValidationError",
    "ValidationRuleArgsDict",
    "Violation",
    "WebSourceArgsDict",
]

_INPUTS = frozenset(__all__) - frozenset(_ORIGIN)
