"""The typed inputs (inputs.py) mirror the single field description (the pydantic models of
_models.py), so the two cannot drift apart:

* every nested object a resource model reaches has a TypedDict named ``<Model>ArgsDict``, exported
  from the package, with exactly the model's keys (the API's camelCase), the same required keys,
  the same nested objects under each key and the same ``Literal`` values;
* every resource constructor has exactly one snake_case argument per top-level field, typed with
  the TypedDicts (and Literals) of that field;
* mypy accepts a program that uses them, and rejects a typo in a nested key.
"""

from __future__ import annotations

import inspect
import textwrap
from pathlib import Path
from typing import (
    Annotated,
    Any,
    Literal,
    Union,
    get_args,
    get_origin,
    get_type_hints,
    is_typeddict,
)

import pulumi.output
import pulumi_twilio_intelligence as package
import pytest
from mypy import api as mypy_api
from pulumi_twilio_intelligence import inputs, knowledge, memory_resources, resources
from pulumi_twilio_intelligence._core import memory_models as _memory_models
from pulumi_twilio_intelligence._core import models as _models
from pulumi_twilio_intelligence._core.spec import ResourceModel, Wire
from pydantic.alias_generators import to_snake

RESOURCES: dict[type[ResourceModel], type[Any]] = {
    _models.OperatorModel: resources.Operator,
    _models.IntelligenceConfigurationModel: resources.IntelligenceConfiguration,
    _models.ConversationConfigurationModel: resources.ConversationConfiguration,
    _models.MemoryStoreModel: resources.MemoryStore,
    _models.KnowledgeBaseModel: knowledge.KnowledgeBase,
    _models.KnowledgeSourceModel: knowledge.KnowledgeSource,
    _memory_models.IdentityResolutionSettingsModel: memory_resources.IdentityResolutionSettings,
    _memory_models.TraitGroupModel: memory_resources.TraitGroup,
    _memory_models.DataMappingModel: memory_resources.DataMapping,
}
# Keys of a model field's mapping type that are a closed set get a TypedDict of their own.
KEYED_MAPS = {("ConversationConfigurationModel", "channelSettings"): "ChannelSettingsArgsDict"}
# pulumi.Input is Union[T, Awaitable[T], "Output[T]"]: the forward reference needs these names.
PULUMI_NAMES = vars(pulumi.output)
# Constructor arguments that are not fields of the model (bookkeeping, Pulumi's own).
NOT_FIELDS = {"resource_name", "adopt_id", "update_strategy", "deletion_policy", "opts"}


# --- walking annotations ------------------------------------------------------------------------
def _parts(annotation: Any) -> list[Any]:
    """Every type an annotation is made of, recursively (through Annotated, unions, generics,
    pulumi.Input's Awaitable/Output, and into TypedDicts and Wire models only by name)."""
    found = [annotation]
    origin = get_origin(annotation)
    if origin is Annotated:
        return [*found, *_parts(get_args(annotation)[0])]
    if origin is Literal:
        return found
    for arg in get_args(annotation) if origin is not None else ():
        found += _parts(arg)
    return found


def wire_refs(annotation: Any) -> set[str]:
    """The nested objects a model field holds, by their TypedDict names."""
    return {
        f"{t.__name__}ArgsDict"
        for t in _parts(annotation)
        if isinstance(t, type) and issubclass(t, Wire)
    }


def typed_dict_refs(annotation: Any) -> set[str]:
    return {t.__name__ for t in _parts(annotation) if is_typeddict(t)}


def literals(annotation: Any) -> set[Any]:
    return {v for t in _parts(annotation) if get_origin(t) is Literal for v in get_args(t)}


def reachable_wire_models() -> list[type[Wire]]:
    seen: list[type[Wire]] = []
    todo: list[type[Wire]] = list(RESOURCES)
    while todo:
        model = todo.pop()
        for field in model.model_fields.values():
            for part in _parts(field.annotation):
                if isinstance(part, type) and issubclass(part, Wire) and part not in seen:
                    seen.append(part)
                    todo.append(part)
    return sorted(seen, key=lambda m: m.__name__)


NESTED = reachable_wire_models()


def hints(typed_dict: Any) -> dict[str, Any]:
    return get_type_hints(typed_dict, {**PULUMI_NAMES, **vars(inputs)}, include_extras=True)


# --- the tests ----------------------------------------------------------------------------------
def test_every_nested_object_is_found() -> None:
    """The walk itself: it finds the nested objects of every resource."""
    names = {m.__name__ for m in NESTED}
    assert {
        "Rule",
        "Trigger",
        "TriggerParameters",
        "Action",
        "RuleContext",
        "RuleOperator",
    } <= names
    assert {"TrainingExample", "OperatorParameter", "OperatorContext", "Toggle"} <= names
    assert {
        "ChannelSetting",
        "StatusTimeouts",
        "CaptureRule",
        "StatusCallback",
        "ConversationsV1Bridge",
    } <= names
    assert {"TextSource", "WebSource"} <= names
    assert {
        "IdentifierConfig",
        "TraitDefinition",
        "ValidationRule",
        "MappingFrom",
        "MappingTo",
        "MappingTraitItem",
    } <= names
    assert len(NESTED) == 25


@pytest.mark.parametrize("model", NESTED, ids=[m.__name__ for m in NESTED])
def test_each_nested_model_has_a_typed_dict_with_its_keys_and_required_ness(
    model: type[Wire],
) -> None:
    name = f"{model.__name__}ArgsDict"
    typed_dict = getattr(inputs, name, None)
    assert is_typeddict(typed_dict), f"inputs.{name} is missing"
    assert name in inputs.__all__
    assert getattr(package, name) is typed_dict
    fields = {f.alias or n: f for n, f in model.model_fields.items()}
    assert set(hints(typed_dict)) == set(fields)
    assert typed_dict.__required_keys__ == {k for k, f in fields.items() if f.is_required()}
    for key, field in fields.items():
        annotation = hints(typed_dict)[key]
        assert typed_dict_refs(annotation) == wire_refs(field.annotation), f"{name}.{key}"
        assert literals(annotation) == literals(field.annotation), f"{name}.{key}"


@pytest.mark.parametrize("model", list(RESOURCES), ids=[m.KIND for m in RESOURCES])
def test_each_resource_constructor_has_one_snake_case_argument_per_field(
    model: type[ResourceModel],
) -> None:
    signature = inspect.signature(RESOURCES[model].__init__)
    namespace = {**PULUMI_NAMES, **vars(resources), **vars(knowledge), **vars(memory_resources)}
    annotations = get_type_hints(RESOURCES[model].__init__, namespace)
    arguments = {n for n in signature.parameters if n != "self"} - NOT_FIELDS
    fields = {f.alias or n: f for n, f in model.model_fields.items()}
    assert arguments == {to_snake(key) for key in fields}
    for key, field in fields.items():
        annotation = annotations[to_snake(key)]
        expected = wire_refs(field.annotation)
        expected_literals = literals(field.annotation)
        if (model.__name__, key) in KEYED_MAPS:
            keyed = getattr(inputs, KEYED_MAPS[(model.__name__, key)])
            [key_type, _] = get_args(field.annotation)
            assert set(hints(keyed)) == set(get_args(key_type))
            assert keyed.__required_keys__ == frozenset()
            expected = {keyed.__name__}
            expected_literals -= set(get_args(key_type))  # keys of the TypedDict instead
            nested = {r for h in hints(keyed).values() for r in typed_dict_refs(h)}
            assert nested == wire_refs(field.annotation)
        assert typed_dict_refs(annotation) == expected, f"{model.KIND}.{to_snake(key)}"
        assert literals(annotation) == expected_literals, f"{model.KIND}.{key}"


def test_the_walk_tells_types_apart() -> None:
    """The comparisons above are not vacuous: the walk sees through pulumi.Input, lists, maps,
    Optional and NotRequired, and tells nested objects and Literal values apart."""
    rule = hints(inputs.RuleArgsDict)
    assert typed_dict_refs(rule["triggers"]) == {"TriggerArgsDict"}
    assert typed_dict_refs(rule["actions"]) == {"ActionArgsDict"}
    rule_fields = _models.Rule.model_fields
    assert wire_refs(rule_fields["triggers"].annotation) == {"TriggerArgsDict"}
    assert wire_refs(rule_fields["context"].annotation) == {"RuleContextArgsDict"}
    assert typed_dict_refs(rule["triggers"]) != wire_refs(rule_fields["actions"].annotation)
    assert literals(hints(inputs.TriggerArgsDict)["on"]) == {
        "COMMUNICATION",
        "CONVERSATION_END",
        "CONVERSATION_INACTIVE",
    }
    assert literals(Union[Literal["A"], None]) == {"A"}  # noqa: UP007 - the form pydantic keeps
    assert inputs.TriggerArgsDict.__required_keys__ == {"on"}


# --- mypy ---------------------------------------------------------------------------------------
GOOD = """
    import pulumi
    from pulumi_twilio_intelligence import (
        ConversationConfiguration, IntelligenceConfiguration, MemoryStore, Operator,
        RuleArgsDict, TwilioOperator,
    )

    scorer = Operator(
        "scorer",
        prompt="Rate the churn risk from 0 to {{parameters.scale}}.",
        output_format="JSON",
        output_schema={"type": "object", "properties": {"risk": {"type": "integer"}}},
        training_examples=[{"input": "I am leaving", "output": '{"risk": 9}'}],
        context={"memory": {"enabled": True}},
        parameters={"scale": {"type": "INTEGER", "default": 10}},
    )
    sentiment = TwilioOperator("sentiment", "sentiment")
    rule: RuleArgsDict = {
        "operators": [{"id": scorer.id, "version": 2, "parameters": {"scale": 10}},
                      {"id": sentiment.id}],
        "triggers": [{"on": "COMMUNICATION", "parameters": {"count": 3}}],
        "actions": [{"url": pulumi.Output.from_input("https://hooks.example.com/i")}],
        "context": {"knowledge": {"bases": ["know_knowledgebase_01aaaaaaaaaaaaaaaaaaaaaaaaa"]}},
    }
    analytics = IntelligenceConfiguration("support-analytics", rules=[rule])
    store = MemoryStore("support-memory", description="Customer memory")
    ConversationConfiguration(
        "support",
        memory_store_id=store.id,
        conversation_grouping_type="GROUP_BY_PARTICIPANT_ADDRESSES",
        channel_settings={
            "SMS": {
                "statusTimeouts": {"inactive": 5, "closed": 10},
                "captureRules": [{"from": "*", "to": "+15005550006"}],
            }
        },
        status_callbacks=[{"url": "https://hooks.example.com/status", "method": "GET"}],
        intelligence_configuration_ids=[analytics.id],
    )
"""


@pytest.fixture(scope="module")
def mypy_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache for the module's runs: pulumi's stubs are analysed once, not per case."""
    return tmp_path_factory.mktemp("mypy-cache")


def run_mypy(tmp_path: Path, cache: Path, source: str) -> tuple[str, int]:
    program = tmp_path / "program.py"
    program.write_text(textwrap.dedent(source))
    stdout, stderr, status = mypy_api.run(
        ["--strict", "--config-file", "/dev/null", "--cache-dir", str(cache), str(program)]
    )
    return stdout + stderr, status


def test_mypy_accepts_a_program_that_uses_the_typed_inputs(
    tmp_path: Path, mypy_cache: Path
) -> None:
    output, status = run_mypy(tmp_path, mypy_cache, GOOD)
    assert status == 0, output


@pytest.mark.parametrize(
    ("typo", "fixed", "complaint"),
    [
        ('"triggers": [', '"trigers": [', 'Extra key "trigers" for TypedDict "RuleArgsDict"'),
        (
            '"captureRules"',
            '"capture_rules"',
            'Extra key "capture_rules" for TypedDict "ChannelSettingArgsDict"',
        ),
        (
            '"statusTimeouts": {"inactive": 5,',
            '"statusTimeouts": {"inactiv": 5,',
            'Extra key "inactiv" for TypedDict "StatusTimeoutsArgsDict"',
        ),
        ('"SMS": {', '"SMSS": {', 'Extra key "SMSS" for TypedDict "ChannelSettingsArgsDict"'),
        (
            '"input": "I am leaving"',
            '"inptu": "I am leaving"',
            'Extra key "inptu" for TypedDict "TrainingExampleArgsDict"',
        ),
        (
            '{"memory": {"enabled": True}}',
            '{"memory": {"enable": True}}',
            'Extra key "enable" for TypedDict "ToggleArgsDict"',
        ),
        (
            '{"type": "INTEGER", "default": 10}',
            '{"typ": "INTEGER", "default": 10}',
            'Missing key "type" for TypedDict "OperatorParameterArgsDict"',
        ),
        (
            '"on": "COMMUNICATION"',
            '"on": "COMMUNICATIONS"',
            'Literal[\'COMMUNICATIONS\']", TypedDict item "on"',
        ),
    ],
    ids=[
        "rule",
        "snake-case-key",
        "status-timeouts",
        "channel",
        "training-example",
        "operator-context",
        "operator-parameter",
        "trigger-literal",
    ],
)
def test_mypy_rejects_a_typo_in_a_nested_key(
    tmp_path: Path, mypy_cache: Path, typo: str, fixed: str, complaint: str
) -> None:
    assert GOOD.count(typo) == 1
    output, status = run_mypy(tmp_path, mypy_cache, GOOD.replace(typo, fixed))
    assert status == 1, output
    assert complaint in output, output
    # Each error names the TypedDict and the key, never just "incompatible type".
    errors = [line for line in output.splitlines() if ": error: " in line]
    assert errors, output
    assert all("TypedDict" in line for line in errors), output
