"""What every policy check is made of: the subjects checked (one resource), the stack's
settings, a policy's description, a finding; the engine's unknown values; helpers the checks
share. The checks themselves are in :mod:`.checks`."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal, TypeVar
from urllib.parse import parse_qsl, urlsplit

from .._core.kinds import TYPE_PREFIX
from .._core.records import record_dict

__all__ = [
    "DEFAULT_DEV_STACKS",
    "DEFAULT_PRODUCTION_STACKS",
    "ENGINE_UNKNOWNS",
    "TYPE_PREFIX",
    "UNKNOWN",
    "Finding",
    "Level",
    "Policies",
    "Policy",
    "Settings",
    "Subject",
    "dict_of",
    "is_loopback",
    "kind_of",
    "known",
    "list_of",
    "masked",
    "stack_of",
    "webhook_urls",
]

Level = Literal["mandatory", "advisory"]
DEFAULT_DEV_STACKS: Final = ("dev",)
DEFAULT_PRODUCTION_STACKS: Final = ("prod", "production")

# The engine's placeholders for values it cannot know during a preview: the same strings reach
# an analyzer and appear in `pulumi preview --json` (boolean, number, string, array, asset,
# archive, object).
ENGINE_UNKNOWNS: Final = frozenset(
    {
        "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
        "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
        "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
        "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
        "030794c1-ac77-496b-92df-f27374a8bd58",
        "e48ece36-62e2-4504-bad9-02848725956a",
        "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
    }
)


class _Unknown:
    """A value the engine will only know after the update (a check skips it)."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Final = _Unknown()


def known(value: Any) -> Any:
    """``value`` as plain data, with the engine's unknown placeholders replaced by UNKNOWN."""
    if isinstance(value, str) and value in ENGINE_UNKNOWNS:
        return UNKNOWN
    if isinstance(value, Mapping):
        return {str(k): known(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [known(v) for v in value]
    return value


def kind_of(resource_type: str) -> str | None:
    """``Operator`` for ``pulumi-python:dynamic/twilio-intelligence:Operator``; None otherwise."""
    if resource_type.startswith(TYPE_PREFIX):
        return resource_type[len(TYPE_PREFIX) :]
    return None


def stack_of(urn: str) -> str:
    """``dev`` for ``urn:pulumi:dev::project::type::name``."""
    return urn.split("::", 1)[0].rsplit(":", 1)[-1]


@dataclass(frozen=True)
class Settings:
    """What the checks need to know about the stack (the policy pack's config)."""

    stack: str
    dev_stacks: tuple[str, ...] = DEFAULT_DEV_STACKS
    production_stacks: tuple[str, ...] = DEFAULT_PRODUCTION_STACKS
    # Wording a team uses instead of the English instruction the guard check looks for.
    accepted_phrases: tuple[str, ...] = ()

    @property
    def is_dev(self) -> bool:
        return self.stack in self.dev_stacks

    @property
    def is_production(self) -> bool:
        return self.stack in self.production_stacks


@dataclass(frozen=True)
class Subject:
    """One resource to check."""

    kind: str  # Operator, IntelligenceConfiguration, ConversationConfiguration, MemoryStore, ...
    name: str
    props: Mapping[str, Any]


Check = Callable[[Subject, Settings], Iterable[str]]
CheckFunction = TypeVar("CheckFunction", bound=Check)


@dataclass(frozen=True)
class Policy:
    name: str
    level: Level
    kinds: tuple[str, ...]
    description: str
    remediation: str
    check: Check
    # The Settings this policy reads, by their names in the pack's config.
    config: tuple[str, ...] = field(default=())


class Policies(list[Policy]):
    """One module's policies, in the order their checks are defined. A check is declared a policy
    by ``@policies.mandatory(*kinds)`` or ``@policies.advisory(*kinds)``, with the names of the
    settings it reads as ``config``. The check says the rest: the policy's name is the check's
    (``_webhooks_use_https``: ``webhooks-use-https``), its description the docstring's first
    paragraph and its remediation the paragraph that starts with ``Remediation:``."""

    def mandatory(
        self, *kinds: str, config: tuple[str, ...] = ()
    ) -> Callable[[CheckFunction], CheckFunction]:
        return self._declare("mandatory", kinds, config)

    def advisory(
        self, *kinds: str, config: tuple[str, ...] = ()
    ) -> Callable[[CheckFunction], CheckFunction]:
        return self._declare("advisory", kinds, config)

    def _declare(
        self, level: Level, kinds: tuple[str, ...], config: tuple[str, ...]
    ) -> Callable[[CheckFunction], CheckFunction]:
        def declare(check: CheckFunction) -> CheckFunction:
            name = check.__name__.strip("_").replace("_", "-")
            if check.__doc__ is None:  # python -OO strips docstrings: the policy still runs
                doc = f"{name}. Remediation: see the policy pack's documentation."
            else:
                doc = check.__doc__
            description, _, remediation = doc.partition("Remediation:")
            if not (description.strip() and remediation.strip()):
                raise ValueError(f"policy {name}: its docstring says no description or remedy")
            description, remediation = (" ".join(s.split()) for s in (description, remediation))
            self.append(Policy(name, level, kinds, description, remediation, check, config))
            return check

        return declare


@dataclass(frozen=True)
class Finding:
    policy: str
    level: Level
    kind: str
    name: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return record_dict(self)


# --- helpers -------------------------------------------------------------------------------
def list_of(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def dict_of(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def masked(url: str) -> str:
    """The URL without user info and with query values hidden, for messages."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<malformed URL>"
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    query = "&".join(f"{key}=***" for key, _ in parse_qsl(parts.query, keep_blank_values=True))
    return f"{parts.scheme}://{host}{parts.path}" + (f"?{query}" if query else "")


def is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def webhook_urls(subject: Subject) -> Iterator[tuple[str, str]]:
    """(field path, URL) of every webhook Twilio calls for this resource."""
    if subject.kind == "IntelligenceConfiguration":
        for r, rule in enumerate(list_of(subject.props.get("rules"))):
            for a, action in enumerate(list_of(dict_of(rule).get("actions"))):
                url = dict_of(action).get("url")
                if isinstance(url, str):
                    yield f"rules[{r}].actions[{a}].url", url
    elif subject.kind == "ConversationConfiguration":
        for c, callback in enumerate(list_of(subject.props.get("statusCallbacks"))):
            url = dict_of(callback).get("url")
            if isinstance(url, str):
                yield f"statusCallbacks[{c}].url", url
