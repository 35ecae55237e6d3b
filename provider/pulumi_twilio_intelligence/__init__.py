"""Pulumi resources and a declarative reconciler for Twilio Conversation Intelligence v3.

Public API: the resources in ``resources``, the exception tree in ``errors``, and the desired-state
files in ``stackfile``. Modules whose names start with ``_`` are internal.
"""

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
from .resources import (
    TWILIO_OPERATOR_IDS,
    ConversationConfiguration,
    IntelligenceConfiguration,
    MemoryStore,
    Operator,
    TwilioOperator,
)

__all__ = [
    "TWILIO_OPERATOR_IDS",
    "AmbiguousWriteError",
    "ApiError",
    "ConflictError",
    "ConversationConfiguration",
    "CredentialsError",
    "IntelligenceConfiguration",
    "MemoryStore",
    "NameTakenError",
    "NotFoundError",
    "OperationFailedError",
    "OperationTimeoutError",
    "Operator",
    "PreconditionFailedError",
    "TransportError",
    "TwilioIntelligenceError",
    "TwilioOperator",
    "ValidationError",
    "Violation",
]
