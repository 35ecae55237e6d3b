"""The desired state of each managed resource, described once (limits from Twilio's OpenAPI specs
and the developer guide's traps; see the field comments for which is which)."""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, StringConstraints, field_validator

from . import outputschema as _outputschema
from .enums import (
    Channel,
    ConversationGroupingType,
    OutputFormat,
    ParameterType,
    StatusCallbackMethod,
    TriggerOn,
)
from .fields import HttpUrl, NonEmpty, _http_url
from .kinds import KNOWLEDGE_PAIR
from .knowledge_models import KnowledgeBaseModel, KnowledgeSourceModel
from .spec import REPLACE, REPLACE_DELETE_FIRST, UNORDERED, ResourceModel, Rewrite, Wire
from .wire import UNKNOWN

__all__ = [
    "ConversationConfigurationModel",
    "IntelligenceConfigurationModel",
    "KnowledgeBaseModel",
    "KnowledgeSourceModel",
    "MemoryStoreModel",
    "OperatorModel",
]

PARAMETER_REF = re.compile(r"\{\{\s*parameters\.([A-Za-z0-9_]+)\s*\}\}")
KB_VALUE = KNOWLEDGE_PAIR  # a KNOWLEDGE_BASE_AND_SOURCE_IDS value


# --- Operator -----------------------------------------------------------------------------
class TrainingExample(Wire):
    input: NonEmpty
    output: NonEmpty


class Toggle(Wire):
    enabled: bool = False


class OperatorContext(Wire):
    """What the operator MAY use at run time (the rule decides what is supplied)."""

    memory: Toggle | None = None
    knowledge: Toggle | None = None


class OperatorParameter(Wire):
    type: ParameterType
    default: Any = None
    required: bool = False
    description: str | None = None

    @field_validator("type", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        # The spec's own example writes "integer"; the enum (and Twilio) want upper case.
        return value.upper() if isinstance(value, str) else value


_DEFAULT_TYPES: dict[str, tuple[type, ...]] = {
    "STRING": (str,),
    "INTEGER": (int,),
    "NUMBER": (int, float),
    "BOOLEAN": (bool,),
}


def _schema_for_format(schema: Any, body: dict[str, Any]) -> Any:
    # Twilio generates the schema of TEXT and CLASSIFICATION operators itself: ignore it there.
    if body.get("outputFormat") != "JSON":
        return None
    return _outputschema.rewrite(schema)


class OperatorModel(ResourceModel):
    """A custom Language Operator. Any change replaces it unless updateStrategy is "in-place"."""

    KIND: ClassVar[str] = "Operator"

    display_name: Annotated[str, REPLACE, StringConstraints(min_length=1, max_length=128)]
    description: Annotated[str | None, REPLACE] = None
    prompt: Annotated[NonEmpty, REPLACE]
    output_format: Annotated[OutputFormat, REPLACE]
    output_schema: Annotated[dict[str, Any] | None, REPLACE, Rewrite(_schema_for_format)] = None
    training_examples: Annotated[list[TrainingExample] | None, REPLACE] = None
    context: Annotated[OperatorContext | None, REPLACE] = None
    parameters: Annotated[dict[str, OperatorParameter] | None, REPLACE] = None

    @field_validator("output_format", mode="before")
    @classmethod
    def _no_extraction(cls, value: Any) -> Any:
        if value == "EXTRACTION":
            raise ValueError(
                "EXTRACTION is produced by some Twilio-authored operators only; "
                "custom operators use TEXT, JSON or CLASSIFICATION"
            )
        return value

    def extra_violations(self) -> list[tuple[str, str]]:
        return self._schema_violations() + self._parameter_violations() + self._example_violations()

    def _schema_violations(self) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        if self.output_format == "JSON":
            if self.output_schema is None:
                found.append(("outputSchema", "required when outputFormat is JSON"))
            else:
                found += [
                    (_join("outputSchema", p), r)
                    for p, r in _outputschema.violations(self.output_schema)
                ]
        elif self.output_schema is not None:
            found.append(
                (
                    "outputSchema",
                    f"only allowed when outputFormat is JSON; Twilio generates "
                    f"the schema of {self.output_format} operators",
                )
            )
        return found

    def _parameter_violations(self) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        declared = self.parameters or {}
        for name in sorted(set(PARAMETER_REF.findall(self.prompt))):
            if name not in declared:
                found.append(
                    (
                        "prompt",
                        f"references {{{{parameters.{name}}}}} but no parameter "
                        f"{name!r} is declared in parameters",
                    )
                )
        for name, param in declared.items():
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
                found.append((f"parameters.{name}", "parameter names are letters, digits and _"))
            if param.default is None:
                continue
            if param.type == "KNOWLEDGE_BASE_AND_SOURCE_IDS":
                found.append(
                    (
                        f"parameters.{name}.default",
                        "KNOWLEDGE_BASE_AND_SOURCE_IDS parameters cannot have a default",
                    )
                )
            elif not _matches_type(param.default, param.type):
                found.append((f"parameters.{name}.default", f"must be a {param.type} value"))
        return found

    def _example_violations(self) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        if self.output_format == "JSON":
            for index, example in enumerate(self.training_examples or []):
                try:
                    parsed = json.loads(example.output)
                except ValueError:
                    parsed = None
                if not isinstance(parsed, dict):
                    found.append(
                        (
                            f"trainingExamples[{index}].output",
                            "must be a JSON object when outputFormat is JSON",
                        )
                    )
        return found


def _matches_type(value: Any, kind: str) -> bool:
    if kind in ("INTEGER", "NUMBER") and isinstance(value, bool):
        return False
    return isinstance(value, _DEFAULT_TYPES.get(kind, (object,)))


# --- Intelligence Configuration -----------------------------------------------------------
class RuleOperator(Wire):
    id: NonEmpty
    version: Annotated[int, Field(ge=1)] | None = None  # omitted: latest ACTIVE version at run time
    parameters: dict[str, Any] | None = None


class TriggerParameters(Wire):
    count: Annotated[int, Field(ge=1, le=20)] = 1  # run once every `count` communications


class Trigger(Wire):
    on: TriggerOn
    parameters: TriggerParameters = Field(default_factory=TriggerParameters)


class Action(Wire):
    type: Literal["WEBHOOK"] = "WEBHOOK"
    method: Literal["POST"] = "POST"
    url: HttpUrl

    @field_validator("url")
    @classmethod
    def _absolute(cls, value: str) -> str:
        return _http_url(value)


class KnowledgeSupply(Wire):
    bases: Annotated[list[NonEmpty], Field(min_length=1)]


class MemorySupply(Toggle):
    """Whether the rule supplies memory (its own class: validation messages name it)."""


class RuleContext(Wire):
    """What the rule supplies to operators that are allowed to use it."""

    memory: MemorySupply | None = None
    knowledge: KnowledgeSupply | None = None


class Rule(Wire):
    operators: Annotated[list[RuleOperator], Field(min_length=1, max_length=5)]
    triggers: Annotated[list[Trigger], Field(max_length=1, default_factory=list)]
    actions: Annotated[list[Action], Field(max_length=2, default_factory=list)]
    context: RuleContext | None = None


class IntelligenceConfigurationModel(ResourceModel):
    """Never updated with PUT (a PUT leaves it inactive): every change replaces it."""

    KIND: ClassVar[str] = "IntelligenceConfiguration"

    display_name: Annotated[str, REPLACE, StringConstraints(min_length=1, max_length=128)]
    description: Annotated[str | None, REPLACE] = None
    rules: Annotated[list[Rule], REPLACE, Field(max_length=5, default_factory=list)]

    def extra_violations(self) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        for r, rule in enumerate(self.rules):
            for o, op in enumerate(rule.operators):
                for name, value in (op.parameters or {}).items():
                    if (
                        isinstance(value, str)
                        and ":" in value
                        and value.startswith("know_")
                        and not KB_VALUE.match(value)
                    ):
                        found.append(
                            (
                                f"rules[{r}].operators[{o}].parameters.{name}",
                                "knowledge values are 'know_knowledgebase_…:know_knowledge_…'",
                            )
                        )
        return found


# --- Conversation Orchestrator configuration ----------------------------------------------
class StatusTimeouts(Wire):
    inactive: Annotated[int, Field(ge=1)] | None = None  # minutes
    closed: Annotated[int, Field(ge=1)] | None = None  # minutes


class CaptureRule(Wire):
    from_: Annotated[NonEmpty, Field(alias="from")]
    to: NonEmpty
    metadata: dict[str, str] = Field(default_factory=dict)


# Voice capture rules' metadata.callType (conversations-v2 §5.3); PSTN is the default.
VOICE_CALL_TYPES = ("PSTN", "CLIENT", "PUBLIC_SIP")


class ChannelSetting(Wire):
    status_timeouts: StatusTimeouts | None = None
    # Twilio's guidance: at most 100 capture rules per channel (the spec states no limit).
    capture_rules: Annotated[list[CaptureRule], Field(max_length=100, default_factory=list)]


class StatusCallback(Wire):
    url: HttpUrl
    method: StatusCallbackMethod = "POST"  # see StatusCallbackMethod

    @field_validator("url")
    @classmethod
    def _absolute(cls, value: str) -> str:
        return _http_url(value)


class ConversationsV1Bridge(Wire):
    """Mirror this configuration's conversations into a Conversations v1 service."""

    service_id: Annotated[str, StringConstraints(pattern=r"^IS[0-9a-f]{32}$")]


class ConversationConfigurationModel(ResourceModel):
    """Updated in place with full-body PUTs, except the grouping type: two configurations that
    capture the same addresses would duplicate traffic, so that one is delete-before-replace."""

    KIND: ClassVar[str] = "ConversationConfiguration"

    display_name: Annotated[
        str, StringConstraints(min_length=1, max_length=32, pattern=r"^[a-zA-Z0-9\-_ ]+$")
    ]
    description: Annotated[str, StringConstraints(min_length=1, max_length=512)]
    conversation_grouping_type: Annotated[ConversationGroupingType, REPLACE_DELETE_FIRST]
    memory_store_id: NonEmpty
    channel_settings: dict[Channel, ChannelSetting] = Field(default_factory=dict)
    status_callbacks: Annotated[list[StatusCallback], Field(max_length=2, default_factory=list)]
    intelligence_configuration_ids: Annotated[
        list[NonEmpty], UNORDERED, Field(max_length=5, default_factory=list)
    ]
    memory_extraction_enabled: bool = False
    conversations_v1_bridge: ConversationsV1Bridge | None = None

    def extra_violations(self) -> list[tuple[str, str]]:
        # During a preview the ids of configurations not created yet are all the same UNKNOWN
        # marker: they are not equal to anything, so only known ids are compared here (the
        # stack file's check compares the names, which are always known).
        known = [i for i in self.intelligence_configuration_ids if i != UNKNOWN]
        found = self._call_type_violations()
        if len(set(known)) != len(known):
            found.append(("intelligenceConfigurationIds", "lists the same configuration twice"))
        return found

    def _call_type_violations(self) -> list[tuple[str, str]]:
        """A capture rule's ``metadata.callType`` says which calls a VOICE rule captures:
        PSTN (the default), CLIENT or PUBLIC_SIP (conversations-v2 §5.3). The older spelling
        ``SIP`` (the spec's description, Twilio's skill) may or may not be accepted: it is refused
        here, naming PUBLIC_SIP, so that what is sent is the documented value (gotchas E16)."""
        found: list[tuple[str, str]] = []
        for channel, setting in self.channel_settings.items():
            for r, rule in enumerate(setting.capture_rules):
                call_type = rule.metadata.get("callType")
                path = f"channelSettings.{channel}.captureRules[{r}].metadata.callType"
                if call_type is None:
                    continue
                if channel != "VOICE":
                    found.append((path, "callType applies to VOICE capture rules only"))
                elif call_type not in VOICE_CALL_TYPES:
                    hint = " (write PUBLIC_SIP for SIP calls)" if call_type == "SIP" else ""
                    found.append((path, f"must be one of {', '.join(VOICE_CALL_TYPES)}{hint}"))
        return found


# --- Memory Store -------------------------------------------------------------------------
class MemoryStoreModel(ResourceModel):
    """Created asynchronously; renamed in place; never deleted (the API has no delete)."""

    KIND: ClassVar[str] = "MemoryStore"

    display_name: Annotated[
        str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-zA-Z0-9-]+$")
    ]
    description: Annotated[str, StringConstraints(min_length=1, max_length=128)] | None = None


def _join(prefix: str, path: str) -> str:
    return f"{prefix}.{path}" if path else prefix
