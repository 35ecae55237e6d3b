"""Pulumi resources and a declarative reconciler for Twilio Conversation Intelligence v3.

Public API: the resources in ``resources``, the types of their nested inputs in ``inputs``
(``RuleArgsDict``, ...), the exception tree in ``errors``, and the desired-state files in
``stackfile``. Modules whose names start with ``_`` are internal.

Attributes load on first use (PEP 562): ``import pulumi_twilio_intelligence`` imports nothing
else, so the drift and policy commands, which live in subpackages, never load the Pulumi SDK. The
package's names are those of the modules' ``__all__`` (of ``errors``, the exceptions of
``_ERRORS``): asking for an exception, a submodule or a ``_`` name never loads the Pulumi SDK;
any other name, ``dir()`` and ``import *`` load the modules that need it.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    # The names of _ERRORS; ``X as X``: a type checker re-exports them.
    from .errors import AmbiguousWriteError as AmbiguousWriteError
    from .errors import ApiError as ApiError
    from .errors import ConflictError as ConflictError
    from .errors import CredentialsError as CredentialsError
    from .errors import NameTakenError as NameTakenError
    from .errors import NotFoundError as NotFoundError
    from .errors import OperationFailedError as OperationFailedError
    from .errors import OperationTimeoutError as OperationTimeoutError
    from .errors import PreconditionFailedError as PreconditionFailedError
    from .errors import TransportError as TransportError
    from .errors import TwilioIntelligenceError as TwilioIntelligenceError
    from .errors import ValidationError as ValidationError
    from .errors import Violation as Violation
    from .inputs import *  # noqa: F403 - a type checker re-exports a star import's names
    from .knowledge import *  # noqa: F403
    from .memory_resources import *  # noqa: F403
    from .resources import *  # noqa: F403

# The exceptions the package itself exports (``errors`` holds the whole tree): loading one never
# loads the Pulumi SDK.
_ERRORS = frozenset(
    (
        "AmbiguousWriteError",
        "ApiError",
        "ConflictError",
        "CredentialsError",
        "NameTakenError",
        "NotFoundError",
        "OperationFailedError",
        "OperationTimeoutError",
        "PreconditionFailedError",
        "TransportError",
        "TwilioIntelligenceError",
        "ValidationError",
        "Violation",
    )
)
# Modules whose whole ``__all__`` the package exports: the one list of those names. They load the
# Pulumi SDK, so they are imported only when one of their names is asked for.
_REEXPORTED = ("inputs", "resources", "knowledge", "memory_resources")

# Public submodules, reachable as attributes after a bare ``import pulumi_twilio_intelligence``.
_SUBMODULES = frozenset(
    ("drift", "errors", "inputs", "knowledge", "policy", "program", "resources", "stackfile")
)


def _submodule(name: str) -> ModuleType:
    return importlib.import_module(f".{name}", __name__)


def _public_names() -> list[str]:
    reexported = (n for module in _REEXPORTED for n in _submodule(module).__all__)
    return sorted({*_ERRORS, *reexported})


def _origin(name: str) -> ModuleType | None:
    """The module a public name comes from, else None (a private name loads nothing)."""
    if name in _ERRORS:
        return _submodule("errors")
    if name.startswith("_"):
        return None
    return next((m for m in map(_submodule, _REEXPORTED) if name in m.__all__), None)


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return _submodule(name)
    if name == "__all__":  # ``from pulumi_twilio_intelligence import *``
        return _public_names()
    module = _origin(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(module, name)
    globals()[name] = value  # once loaded, a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_public_names()})
