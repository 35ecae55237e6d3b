"""The exception tree: everything raised on purpose derives from TwilioIntelligenceError.

    TwilioIntelligenceError
    ├── ValidationError            bad desired state, found before any request
    ├── CredentialsError           no usable credentials in stack config or environment
    ├── ApiError                   Twilio answered with an error status
    │   ├── NotFoundError          404
    │   ├── ConflictError          409 (another write in flight)
    │   └── PreconditionFailedError  412 (If-Match did not match)
    ├── TransportError             no answer after retries (network, timeouts)
    ├── AmbiguousWriteError        a write may or may not have happened, and lookup could not tell
    ├── NameTakenError             the physical name is held by an object that is not ours to adopt
    ├── ObjectMissingError         an object the operation needs was looked up and is not there
    ├── OperatorVersionNotActiveError  an in-place operator update made a version that is not ACTIVE
    ├── OperationFailedError       an asynchronous operation ended FAILED or CANCELLED
    ├── OperationTimeoutError      an asynchronous operation did not finish in time
    ├── DriftError                 the drift or export command could not do its job (exit 1)
    ├── VerifyError                the verify command could not check a stack (exit 1)
    └── ExportError                the live account holds what a desired-state file cannot say

    WriteRefusedError (a RuntimeError, not a TwilioIntelligenceError: a bug, never retried or
    reported as a user's problem) a read-only command tried to send a write

Only ApiError and its subclasses carry an HTTP status, and only for answers Twilio really gave;
an object found missing by a lookup is an ObjectMissingError.

Messages never contain credentials: the HTTP layer formats errors from status, code, message and
the request's method and path only.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "AmbiguousWriteError",
    "ApiError",
    "ConflictError",
    "CredentialsError",
    "DriftError",
    "ExportError",
    "NameTakenError",
    "NotFoundError",
    "ObjectMissingError",
    "OperationFailedError",
    "OperationTimeoutError",
    "OperatorVersionNotActiveError",
    "PreconditionFailedError",
    "TransportError",
    "TwilioIntelligenceError",
    "ValidationError",
    "VerifyError",
    "Violation",
    "WriteRefusedError",
    "unknown_fields",
]


class TwilioIntelligenceError(Exception):
    """Base class of every error this package raises on purpose."""


@dataclass(frozen=True)
class Violation:
    """One broken rule: which resource, which field (a dotted path), which rule, and where."""

    resource: str
    field: str
    rule: str
    location: str | None = None  # "file:line" when the value came from a stack file

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        field = f".{self.field}" if self.field else ""
        return f"{where}{self.resource}{field}: {self.rule}"


class ValidationError(TwilioIntelligenceError):
    """The desired state breaks one or more rules; nothing was sent to Twilio."""

    def __init__(self, violations: list[Violation]) -> None:
        self.violations = violations
        super().__init__("\n".join(str(v) for v in violations))


class CredentialsError(TwilioIntelligenceError):
    """No account SID + auth token (or API key + secret) could be found."""


class ApiError(TwilioIntelligenceError):
    """Twilio answered a request with an error status."""

    def __init__(self, method: str, path: str, status: int, code: int | None, message: str) -> None:
        self.method = method
        self.path = path
        self.status = status
        self.code = code
        self.message = message
        code_part = f" (code {code})" if code is not None else ""
        super().__init__(f"{method} {path} -> HTTP {status}{code_part}: {message}")


class NotFoundError(ApiError):
    """404: the object does not exist (or belongs to another account)."""


class ConflictError(ApiError):
    """409: another write on the same object is still in flight."""


class PreconditionFailedError(ApiError):
    """412: the object changed since it was read (If-Match did not match)."""


class TransportError(TwilioIntelligenceError):
    """The request got no usable answer after all retries."""


class AmbiguousWriteError(TwilioIntelligenceError):
    """A create may have happened but its response was lost, and no matching object was found."""


class NameTakenError(TwilioIntelligenceError):
    """An object already carries the name a create would use, and differs from the desired state."""


class ObjectMissingError(TwilioIntelligenceError):
    """An object the operation needs (an adoptId, the object ``Resource.get`` reads, the target of
    an update, the object a create just made) was looked up and does not exist."""


class OperatorVersionNotActiveError(TwilioIntelligenceError):
    """An in-place update produced a version that is not ACTIVE."""


class DriftError(TwilioIntelligenceError):
    """The drift or export command could not do its job (exit code 1)."""


class VerifyError(TwilioIntelligenceError):
    """The verify command could not check a stack: unknown, never deployed (exit code 1)."""


class ExportError(TwilioIntelligenceError):
    """The live account holds something a desired-state file cannot express."""


class WriteRefusedError(RuntimeError):
    """Internal: a read-only command tried to send a write (a bug; never retried)."""


class OperationFailedError(TwilioIntelligenceError):
    """An asynchronous control-plane operation ended FAILED or CANCELLED."""


class OperationTimeoutError(TwilioIntelligenceError):
    """An asynchronous control-plane operation did not reach a final state in time."""


def unknown_fields(unknown: Iterable[str], known: Iterable[str]) -> str:
    """The rule for keys an object does not have: each one, with the known key it most likely
    means ("unknown field 'trigers' (did you mean 'triggers'?)"), else the keys it does have."""
    choices = sorted(known)
    parts, unmatched = [], False
    for key in unknown:
        camel = re.sub(r"_([a-z])", lambda m: m[1].upper(), key.rstrip("_"))
        close = [camel] if camel in choices else difflib.get_close_matches(key, choices, n=1)
        parts.append(f"{key!r} (did you mean {close[0]!r}?)" if close else repr(key))
        unmatched = unmatched or not close
    noun = "field" if len(parts) == 1 else "fields"
    have = f"; known: {', '.join(choices)}" if unmatched and choices else ""
    return f"unknown {noun} {', '.join(parts)}{have}"
