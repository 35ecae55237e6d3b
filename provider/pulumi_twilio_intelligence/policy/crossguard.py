"""The checks of :mod:`.checks` as a Pulumi CrossGuard policy pack (``policy/__main__.py``).

The engine sends each resource's inputs; this adapter turns them into plain data (values unknown
during a preview become ``UNKNOWN``), reads the stack from the resource's URN and the settings from
the pack's config (``pulumi preview --policy-pack policy --policy-pack-config FILE``), and reports
each message of a check as a violation of the policy of the same name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyPack,
    ReportViolation,
    ResourceValidation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Secret,
)
from pulumi_policy.proxy import UnknownValueError

from .base import (
    DEFAULT_DEV_STACKS,
    DEFAULT_PRODUCTION_STACKS,
    UNKNOWN,
    Policy,
    Settings,
    Subject,
    kind_of,
    known,
    stack_of,
)
from .checks import POLICIES

__all__ = ["PACK_NAME", "plain", "resource_policies", "serve", "settings_from"]

PACK_NAME = "twilio-intelligence"

_LEVELS = {"mandatory": EnforcementLevel.MANDATORY, "advisory": EnforcementLevel.ADVISORY}
_STRING_LIST = {"type": "array", "items": {"type": "string"}}
_CONFIG_SCHEMA: dict[str, dict[str, Any]] = {
    "devStacks": {
        **_STRING_LIST,
        "default": list(DEFAULT_DEV_STACKS),
        "description": "Stacks that may send webhooks to http://localhost",
    },
    "productionStacks": {
        **_STRING_LIST,
        "default": list(DEFAULT_PRODUCTION_STACKS),
        "description": "Stacks that must pin operator versions",
    },
    "acceptedPhrases": {
        **_STRING_LIST,
        "default": [],
        "description": "Prompt wording accepted as an instruction to ignore embedded instructions",
    },
}


def plain(value: Any) -> Any:
    """The analyzer's property proxies as plain data, with UNKNOWN for unknown values."""
    if isinstance(value, Secret):
        return plain(value.value)
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key in value:
            try:
                out[str(key)] = plain(value[key])
            except UnknownValueError:
                out[str(key)] = UNKNOWN
        return out
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        items: list[Any] = []
        for index in range(len(value)):
            try:
                items.append(plain(value[index]))
            except UnknownValueError:
                items.append(UNKNOWN)
        return items
    return known(value)


def _strings(value: Any, default: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, Sequence) and not isinstance(value, str):
        return tuple(str(v) for v in value)
    return tuple(default)


def settings_from(urn: str, config: Mapping[str, Any]) -> Settings:
    return Settings(
        stack=stack_of(urn),
        dev_stacks=_strings(config.get("devStacks"), DEFAULT_DEV_STACKS),
        production_stacks=_strings(config.get("productionStacks"), DEFAULT_PRODUCTION_STACKS),
        accepted_phrases=_strings(config.get("acceptedPhrases"), ()),
    )


def _validator(policy: Policy) -> ResourceValidation:
    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        kind = kind_of(args.resource_type)
        if kind not in policy.kinds:
            return
        subject = Subject(kind, args.name, plain(args.props))
        for message in policy.check(subject, settings_from(args.urn, args.get_config())):
            report(message, None)

    return validate


def resource_policies(policies: Iterable[Policy] = POLICIES) -> list[ResourceValidationPolicy]:
    return [
        ResourceValidationPolicy(
            name=policy.name,
            description=policy.description,
            validate=_validator(policy),
            enforcement_level=_LEVELS[policy.level],
            config_schema=(
                PolicyConfigSchema({key: _CONFIG_SCHEMA[key] for key in policy.config})
                if policy.config
                else None
            ),
            remediation_steps=policy.remediation,
        )
        for policy in policies
    ]


def serve() -> None:
    """Run the policy pack: serves the engine's analyzer requests until the engine stops it."""
    PolicyPack(
        name=PACK_NAME,
        policies=list(resource_policies()),
        description="Checks a Twilio Conversation Intelligence team enforces before deploying",
    )
