"""Domain layer: accounts, resources, validation rules, traps and the clock.

Nothing here knows about HTTP; the web layer translates requests into calls on
:class:`Emulator` and its services, and :class:`DomainError` into error bodies.
"""

from .accounts import AccountCredentials
from .clock import Clock, format_timestamp, parse_timestamp
from .emulator import Emulator
from .errors import (
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
    PreconditionFailed,
    ValidationFailed,
)
from .pagination import Page
from .settings import Settings, Traps
from .twilio_operators import (
    NEXT_BEST_RESPONSE_ID,
    SCRIPT_ADHERENCE_ID,
    SENTIMENT_ID,
    SUMMARY_ID,
)

__all__ = [
    "NEXT_BEST_RESPONSE_ID",
    "SCRIPT_ADHERENCE_ID",
    "SENTIMENT_ID",
    "SUMMARY_ID",
    "AccountCredentials",
    "Clock",
    "Conflict",
    "DomainError",
    "Emulator",
    "Forbidden",
    "NotFound",
    "Page",
    "PreconditionFailed",
    "Settings",
    "Traps",
    "ValidationFailed",
    "format_timestamp",
    "parse_timestamp",
]
