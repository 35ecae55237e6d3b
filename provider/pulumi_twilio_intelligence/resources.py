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
from ._pulumi.providers import (
    ConversationConfigurationProvider,
    IntelligenceConfigurationProvider,
    MemoryStoreProvider,
    OperatorProvider,
)
from ._pulumi.state import PLUGIN
from .errors import NotFoundError, TwilioIntelligenceError
from .inputs import (
    ChannelSettingsArgsDict,
    ConversationGroupingType,
    ConversationsV1BridgeArgsDict,
    DeletionPolicy,
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


def _scope() -> list[str]:
    return [pulumi.get_project(), pulumi.get_stack()]


def _bookkeeping(resource_name: str, adopt_id: Any) -> dict[str, Any]:
    return {"resourceName": resource_name, "scope": _scope(), "adoptId": adopt_id}


def _read_existing(  # noqa: PLR0917 - the arguments of Resource.get, plus what to read
    resource: Resource,
    provider: ResourceProvider,
    resource_name: str,
    object_id: pulumi.Input[str],
    outputs: tuple[str, ...],
    opts: pulumi.ResourceOptions | None,
) -> None:
    """``Resource.get``: the engine reads the object through the provider into ``resource``; the
    stack records it as external (never changed or deleted by it)."""
    props = {**_bookkeeping(resource_name, None), **dict.fromkeys(outputs)}
    read = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(id=object_id))
    Resource.__init__(resource, provider, resource_name, props, read)


class Operator(Resource, module=MODULE, name="Operator"):
    """A custom Language Operator. Outputs: ``id``, ``version``, ``author``, ``predecessor_ids``."""

    display_name: pulumi.Output[str]
    version: pulumi.Output[int]
    author: pulumi.Output[str]
    predecessor_ids: pulumi.Output[list[str]]

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
        props = {
            **_bookkeeping(resource_name, adopt_id),
            "updateStrategy": update_strategy,
            "displayName": display_name,
            "description": description,
            "prompt": prompt,
            "outputFormat": output_format,
            "outputSchema": output_schema,
            "trainingExamples": training_examples,
            "context": _none_if_empty(context),
            "parameters": parameters,
            "version": None,
            "author": None,
            "predecessorIds": None,
        }
        super().__init__(OperatorProvider(), resource_name, props, opts)

    @staticmethod
    def get(
        resource_name: str,
        id: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> Operator:
        """An existing operator, read by id; the stack never changes or deletes it."""
        resource = Operator.__new__(Operator)
        outputs = ("displayName", "description", "prompt", "outputFormat", "version", "author")
        _read_existing(resource, OperatorProvider(), resource_name, id, outputs, opts)
        return resource


class IntelligenceConfiguration(Resource, module=MODULE, name="IntelligenceConfiguration"):
    """Rules that run operators. Never PUT: any change creates a new one before the old goes."""

    display_name: pulumi.Output[str]
    version: pulumi.Output[int]
    rule_ids: pulumi.Output[list[str]]
    predecessor_ids: pulumi.Output[list[str]]

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
        props = {
            **_bookkeeping(resource_name, adopt_id),
            "displayName": display_name,
            "description": description,
            "rules": rules,
            "version": None,
            "ruleIds": None,
            "predecessorIds": None,
        }
        super().__init__(IntelligenceConfigurationProvider(), resource_name, props, opts)

    @staticmethod
    def get(
        resource_name: str,
        id: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> IntelligenceConfiguration:
        """An existing Intelligence Configuration, read by id; the stack never changes it."""
        resource = IntelligenceConfiguration.__new__(IntelligenceConfiguration)
        outputs = ("displayName", "description", "rules", "version", "ruleIds")
        _read_existing(
            resource, IntelligenceConfigurationProvider(), resource_name, id, outputs, opts
        )
        return resource


class ConversationConfiguration(Resource, module=MODULE, name="ConversationConfiguration"):
    """The Conversation Orchestrator configuration that captures traffic and links the
    Intelligence Configurations. Updated in place; a new grouping type replaces it
    (delete before create)."""

    display_name: pulumi.Output[str]
    version: pulumi.Output[int]

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
        props = {
            **_bookkeeping(resource_name, adopt_id),
            "displayName": display_name,
            "description": description,
            "conversationGroupingType": conversation_grouping_type,
            "memoryStoreId": memory_store_id,
            "channelSettings": _none_if_empty(channel_settings),
            "statusCallbacks": status_callbacks,
            "intelligenceConfigurationIds": intelligence_configuration_ids,
            "memoryExtractionEnabled": memory_extraction_enabled,
            "conversationsV1Bridge": conversations_v1_bridge,
            "version": None,
        }
        super().__init__(ConversationConfigurationProvider(), resource_name, props, opts)

    @staticmethod
    def get(
        resource_name: str,
        id: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> ConversationConfiguration:
        """An existing Conversation configuration, read by id; the stack never changes it."""
        resource = ConversationConfiguration.__new__(ConversationConfiguration)
        outputs = (
            "displayName",
            "description",
            "memoryStoreId",
            "intelligenceConfigurationIds",
            "version",
        )
        _read_existing(
            resource, ConversationConfigurationProvider(), resource_name, id, outputs, opts
        )
        return resource


class MemoryStore(Resource, module=MODULE, name="MemoryStore"):
    """A Memory Store. It holds customer data: removing it from the stack retains it, with a
    warning naming it, unless ``deletion_policy="delete"`` (then it is deleted, with everything
    in it, after the Conversation configurations that use it)."""

    display_name: pulumi.Output[str]
    status: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        *,
        display_name: pulumi.Input[str] | None = None,
        description: pulumi.Input[str] | None = None,
        deletion_policy: DeletionPolicy = "retain",
        adopt_id: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            **_bookkeeping(resource_name, adopt_id),
            "deletionPolicy": deletion_policy,
            "displayName": display_name,
            "description": description,
            "status": None,
        }
        super().__init__(MemoryStoreProvider(), resource_name, props, opts)

    @staticmethod
    def get(
        resource_name: str,
        id: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> MemoryStore:
        """An existing Memory Store, read by id; never changed or deleted by the stack."""
        resource = MemoryStore.__new__(MemoryStore)
        outputs = ("displayName", "description", "status")
        _read_existing(resource, MemoryStoreProvider(), resource_name, id, outputs, opts)
        return resource


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
