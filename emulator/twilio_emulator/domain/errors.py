"""API-neutral domain errors.

The domain layer says *what* went wrong (status + Twilio code + message); the
web layer decides which of the three error body shapes to render it in.
"""

from __future__ import annotations

__all__ = [
    "Conflict",
    "DomainError",
    "Forbidden",
    "NotFound",
    "PreconditionFailed",
    "ValidationFailed",
]


class DomainError(Exception):
    """A failure to report: its HTTP ``status`` and Twilio ``code`` default to the class's,
    which a subclass sets in its header: ``class NotFound(DomainError, status=404, code=20404)``.
    """

    status: int = 400
    code: int = 20001

    def __init_subclass__(cls, *, status: int | None = None, code: int | None = None) -> None:
        super().__init_subclass__()
        if status is not None:
            cls.status = status
        if code is not None:
            cls.code = code

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        status: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.headers = headers or {}


class ValidationFailed(DomainError, status=400, code=20001):
    """400: the body or a parameter breaks a rule (20001, or 70001 for operators)."""


class NotFound(DomainError, status=404, code=20404): ...


class Forbidden(DomainError, status=403, code=20403): ...


class Conflict(DomainError, status=409, code=20409): ...


class PreconditionFailed(DomainError, status=412, code=20412): ...
