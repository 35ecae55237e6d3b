"""The Pulumi resources users declare. Arguments are snake_case; keys inside nested values are the
API's camelCase, typed by the TypedDicts of ``inputs`` (``RuleArgsDict``, ...).

Every resource accepts ``display_name`` (default: the resource name plus a short derived suffix)
and ``adopt_id`` (take over an existing object instead of creating one; ``pulumi import`` works from
the import file ``twilio-intelligence export --import-file`` writes, not in its one-resource form).
``Operator.get(name, id)`` and the like read an existing object without managing it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, ReadResult, Resource, ResourceProvider

from ._core.kinds import MODULE, TWILIO_OPERATOR_IDS, twilio_operator_id
from ._pulumi.resource import DataContainer, ManagedResource
from ._pulumi.state import PLUGIN
from .errors import NotFoundError, TwilioIntelligenceError
from .inputs import (
    ChannelSettingsArgsDict,
    ConversationGroupingType,
    ConversationsV1BridgeArgsDict,
    JsonSchema,
    OperatorContextArgsDict,
    OperatorParameterArgsDict,
    OutputFormat,
    RuleArgsDict,
    StatusCallbackArgsDict,
    TrainingExampleArgsDict,
)

__all__ = [
    "TWILIO_OPERATOR_IDS",
    "ConversationConfiguration",
    "IntelligenceConfiguration",
    "MemoryStore",
    "Operator",
    "TwilioOperator",
]


# Arguments that take one nested object default to an empty one, not None: mypy names a mistyped
# key inside `XArgsDict`, but only says "incompatible type" inside `XArgsDict | None`. Never
# mutated; sent as no value at all, as before.
_NO_CONTEXT: OperatorContextArgsDict = {}
_NO_CHANNEL_SETTINGS: ChannelSettingsArgsDict = {}


def _none_if_empty(value: Any) -> Any:
    return None if isinstance(value, dict) and not value else value


class Operator(ManagedResource):
    """A custom Language Operator. Outputs: ``id``, ``version``, ``author``, ``predecessor_ids``."""

    display_name: pulumi.Output[str]
    version: pulumi.Output[int]
    author: pulumi.Output[str]
    predecessor_ids: pulumi.Output[list[str]]
    read_by_get = ("displayName", "description", "prompt", "outputFormat", "version", "author")

    def __init__(
        self,
        resource_name: str,
        *,
        prompt: pulumi.Input[str],
        output_format: pulumi.Input[OutputFormat],
        display_name: pulumi.Input[str] | None = None,
        description: pulumi.Input[str] | None = None,
        output_schema: pulumi.Input[JsonSchema] | None = None,
        training_examples: pulumi.Input[Sequence[TrainingExampleArgsDict]] | None = None,
        context: OperatorContextArgsDict = _NO_CONTEXT,
        parameters: pulumi.Input[Mapping[str, OperatorParameterArgsDict]] | None = None,
        update_strategy: str = "replace",
        adopt_id: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        if update_strategy not in ("replace", "in-place"):
            raise TwilioIntelligenceError(
                f"Operator {resource_name}.updateStrategy: must be 'replace' or 'in-place'"
            )
        self._declare({**locals(), "context": _none_if_empty(context)})


class IntelligenceConfiguration(ManagedResource):
    """Rules that run operators. Never PUT: any change creates a new one before the old goes."""

    display_name: pulumi.Output[str]
    version: pulumi.Output[int]
    rule_ids: pulumi.Output[list[str]]
    predecessor_ids: pulumi.Output[list[str]]
    read_by_get = ("displayName", "description", "rules", "version", "ruleIds")

    def __init__(
        self,
        resource_name: str,
        *,
        rules: pulumi.Input[Sequence[RuleArgsDict]],
        display_name: pulumi.Input[str] | None = None,
        description: pulumi.Input[str] | None = None,
        adopt_id: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        self._declare(locals())


class ConversationConfiguration(ManagedResource):
    """The Conversation Orchestrator configuration that captures traffic and links the
    Intelligence Configurations. Updated in place; a new grouping type replaces it
    (delete before create)."""

    display_name: pulumi.Output[str]
    version: pulumi.Output[int]
    read_by_get = (
        "displayName",
        "description",
        "memoryStoreId",
        "intelligenceConfigurationIds",
        "version",
    )

    def __init__(
        self,
        resource_name: str,
        *,
        memory_store_id: pulumi.Input[str],
        conversation_grouping_type: pulumi.Input[ConversationGroupingType],
        description: pulumi.Input[str] = "Managed by pulumi-twilio-intelligence",
        display_name: pulumi.Input[str] | None = None,
        channel_settings: ChannelSettingsArgsDict = _NO_CHANNEL_SETTINGS,
        status_callbacks: pulumi.Input[Sequence[StatusCallbackArgsDict]] | None = None,
        intelligence_configuration_ids: pulumi.Input[list[pulumi.Input[str]]] | None = None,
        memory_extraction_enabled: pulumi.Input[bool] = False,
        conversations_v1_bridge: ConversationsV1BridgeArgsDict | None = None,
        adopt_id: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        self._declare({**locals(), "channel_settings": _none_if_empty(channel_settings)})


class MemoryStore(DataContainer):
    """A Memory Store. It holds customer data: removing it from the stack retains it, with a
    warning naming it, unless ``deletion_policy="delete"`` (then it is deleted, with everything
    in it, after the Conversation configurations that use it)."""

    display_name: pulumi.Output[str]
    status: pulumi.Output[str]
    read_by_get = ("displayName", "description", "status")


class _TwilioOperatorProvider(ResourceProvider):
    """Read-only: verifies a Twilio-authored operator exists and reports its version."""

    def configure(self, req: Any) -> None:
        PLUGIN.configure(req.config._props)  # the SDK exposes no getter

    def _read(self, operator_id: str, props: dict[str, Any]) -> dict[str, Any]:
        return self.outputs(
            operator_id, props.get("ref"), PLUGIN.api().get_operator(operator_id).body
        )

    @staticmethod
    def outputs(operator_id: str, ref: Any, body: dict[str, Any]) -> dict[str, Any]:
        """The recorded outputs of a reference to the live operator ``body``."""
        if body.get("author") != "TWILIO":
            raise TwilioIntelligenceError(f"{operator_id} is not a Twilio-authored operator")
        return {
            "ref": ref,
            "displayName": body.get("displayName"),
            "version": body.get("version"),
            "outputFormat": body.get("outputFormat"),
        }

    def create(self, props: dict[str, Any]) -> CreateResult:
        operator_id = _resolve_twilio_operator(str(props["ref"]))
        return CreateResult(operator_id, self._read(operator_id, props))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        try:
            return ReadResult(id_, self._read(id_, props))
        except NotFoundError:
            return ReadResult("", {})

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """Twilio-authored operators are never deleted: forgetting the reference is enough."""


def _resolve_twilio_operator(ref: str) -> str:
    operator_id = twilio_operator_id(ref)
    if operator_id is None:
        raise TwilioIntelligenceError(
            f"unknown Twilio-authored operator {ref!r}; known: {', '.join(TWILIO_OPERATOR_IDS)}"
        )
    return operator_id


class TwilioOperator(Resource, module=MODULE, name="TwilioOperator"):
    """A reference to a Twilio-authored operator (sentiment, summary, next-best-response,
    script-adherence, or an operator id). Never created or deleted; ``id`` is the operator id."""

    version: pulumi.Output[int]
    output_format: pulumi.Output[str]

    def __init__(self, resource_name: str, ref: str, opts: pulumi.ResourceOptions | None = None):
        _resolve_twilio_operator(ref)  # fail at construction, before any request
        props = {"ref": ref, "displayName": None, "version": None, "outputFormat": None}
        super().__init__(_TwilioOperatorProvider(), resource_name, props, opts)
