"""Normal forms, diffs and plans: the properties that keep `pulumi preview` quiet after `up`, and
make real changes show up with the right path and the right kind of replacement.

Strategies (tests/unit/strategies.py) generate valid desired bodies; the emulator's domain layer
(tests/unit/twilio_oracle.py) answers "what does Twilio store for this body?".
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pulumi_twilio_intelligence._core.models import (
    ConversationConfigurationModel,
    IntelligenceConfigurationModel,
    MemoryStoreModel,
    OperatorModel,
)
from pulumi_twilio_intelligence._core.spec import FieldChange, ResourceModel

from tests.unit.strategies import (
    CONFIGURATION_BODIES,
    CONVERSATION_BODIES,
    STORE_BODIES,
    TEXT,
    operator_bodies,
)
from tests.unit.twilio_oracle import TwilioOracle

MODELS: list[tuple[type[ResourceModel], st.SearchStrategy[dict[str, Any]]]] = [
    (OperatorModel, operator_bodies()),
    (IntelligenceConfigurationModel, CONFIGURATION_BODIES),
    (ConversationConfigurationModel, CONVERSATION_BODIES),
    (MemoryStoreModel, STORE_BODIES),
]
IDS = [model.KIND for model, _ in MODELS]
ModelAndBody = tuple[type[ResourceModel], dict[str, Any]]  # a kind's model and a body of it
# No deadline: a test must not depend on the speed of a machine shared with other runs.
MANY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def twilio() -> Iterator[TwilioOracle]:
    oracle = TwilioOracle()
    yield oracle
    oracle.close()


def model_and_body() -> st.SearchStrategy[ModelAndBody]:
    return st.one_of(*(st.tuples(st.just(model), body) for model, body in MODELS))


# --- the strategies produce valid input ---------------------------------------------------------
@MANY
@given(model_and_body())
def test_generated_bodies_are_valid(pair: ModelAndBody) -> None:
    model, body = pair
    model.validate_desired(body, model.KIND)


# --- normal forms ---------------------------------------------------------------------------------
@MANY
@given(model_and_body())
def test_normalising_twice_changes_nothing(pair: ModelAndBody) -> None:
    model, body = pair
    once = model.normalise(body)
    assert model.normalise(once) == once


@MANY
@given(model_and_body())
def test_the_wire_body_normalises_like_the_desired_body(pair: ModelAndBody) -> None:
    model, body = pair
    wire = model.validate_desired(body, model.KIND).wire()
    assert model.normalise(wire) == model.normalise(body)
    assert model.diff(body, wire) == []


@MANY
@given(model_and_body())
def test_a_body_diffed_with_itself_is_empty(pair: ModelAndBody) -> None:
    model, body = pair
    assert model.diff(body, copy.deepcopy(body)) == []
    assert model.plan([]).needs_replace is False


@MANY
@given(model_and_body())
def test_normalise_does_not_mutate_its_argument(pair: ModelAndBody) -> None:
    model, body = pair
    before = copy.deepcopy(body)
    model.normalise(body)
    model.diff(body, body)
    assert body == before


# --- what Twilio stores never diffs ---------------------------------------------------------------
# What a GET returns once Twilio has created a wire body (each call starts from a fresh account).
STORED: dict[str, Callable[[TwilioOracle, dict[str, Any]], dict[str, Any]]] = {
    "Operator": TwilioOracle.operator,
    "IntelligenceConfiguration": TwilioOracle.configuration,
    "ConversationConfiguration": TwilioOracle.conversation_configuration,
    "MemoryStore": TwilioOracle.memory_store,
}


@pytest.mark.parametrize(("model", "bodies"), MODELS, ids=IDS)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_what_twilio_stores_has_no_diff(
    twilio: TwilioOracle,
    model: type[ResourceModel],
    bodies: st.SearchStrategy[dict[str, Any]],
    data: st.DataObject,
) -> None:
    body = data.draw(bodies)
    if model is IntelligenceConfigurationModel:
        body = twilio.operators_for(body)  # its rules must name operators that exist
    live = STORED[model.KIND](twilio, model.validate_desired(body, model.KIND).wire())
    assert model.diff(body, live) == []


# --- server-assigned fields and unordered lists ---------------------------------------------------
SERVER_VALUES = st.one_of(st.integers(1, 99), TEXT, st.none(), st.booleans())


@MANY
@given(
    model_and_body(),
    st.dictionaries(
        st.sampled_from(
            [
                "id",
                "accountId",
                "version",
                "author",
                "dateCreated",
                "dateUpdated",
                "createdAt",
                "updatedAt",
                "status",
                "intelligenceServiceId",
                "etag",
                "ruleIds",
                "predecessorIds",
            ]
        ),
        SERVER_VALUES,
    ),
)
def test_server_assigned_fields_never_diff(pair: ModelAndBody, server: dict[str, Any]) -> None:
    model, body = pair
    assert model.diff(body, {**body, **server}) == []
    assert model.diff({**body, **server}, body) == []


@MANY
@given(CONFIGURATION_BODIES, st.data())
def test_rule_ids_and_server_defaults_never_diff(body: dict[str, Any], data: st.DataObject) -> None:
    live = copy.deepcopy(body)
    for rule in live["rules"]:
        rule["id"] = "intelligence_configurationrule_" + data.draw(TEXT)
        for trigger in rule.get("triggers", []):
            trigger.setdefault("parameters", {}).setdefault("count", 1)
        for action in rule["actions"]:
            action.update(type="WEBHOOK", method="POST")
        rule.setdefault("triggers", [])
    assert IntelligenceConfigurationModel.diff(body, live) == []


@MANY
@given(CONVERSATION_BODIES, st.randoms(use_true_random=False))
def test_linked_configurations_in_any_order_never_diff(
    body: dict[str, Any], rnd: random.Random
) -> None:
    ids = list(body.get("intelligenceConfigurationIds", []))
    rnd.shuffle(ids)
    assert (
        ConversationConfigurationModel.diff(body, {**body, "intelligenceConfigurationIds": ids})
        == []
    )


@MANY
@given(operator_bodies(), st.randoms(use_true_random=False))
def test_mapping_key_order_never_diffs(body: dict[str, Any], rnd: random.Random) -> None:
    def shuffled(value: Any) -> Any:
        if isinstance(value, dict):
            keys = list(value)
            rnd.shuffle(keys)
            return {k: shuffled(value[k]) for k in keys}
        if isinstance(value, list):
            return [shuffled(v) for v in value]
        return value

    assert OperatorModel.diff(body, shuffled(body)) == []


def test_twilio_defaults_and_empties_never_diff() -> None:
    op: dict[str, Any] = {"displayName": "o", "prompt": "p", "outputFormat": "TEXT"}
    live_op: dict[str, Any] = {
        **op,
        "description": None,
        "trainingExamples": [],
        "parameters": {},
        "context": {"memory": {"enabled": False}, "knowledge": {"enabled": False}},
        "outputSchema": {"type": "object", "properties": {"text": {"type": "string"}}},
    }
    assert OperatorModel.diff(op, live_op) == []
    cc = {
        "displayName": "c",
        "description": "d",
        "conversationGroupingType": "GROUP_BY_PROFILE",
        "memoryStoreId": "mem_store_x",
    }
    live_cc = {
        **cc,
        "channelSettings": {},
        "statusCallbacks": [],
        "intelligenceConfigurationIds": [],
        "memoryExtractionEnabled": False,
    }
    assert ConversationConfigurationModel.diff(cc, live_cc) == []
    callbacks = {**cc, "statusCallbacks": [{"url": "https://a.example.com/s"}]}
    live_callbacks = {
        **cc,
        "statusCallbacks": [{"url": "https://a.example.com/s", "method": "POST"}],
    }
    assert ConversationConfigurationModel.diff(callbacks, live_callbacks) == []


def test_parameter_type_case_never_diffs() -> None:
    body = {
        "displayName": "o",
        "prompt": "p {{parameters.n}}",
        "outputFormat": "TEXT",
        "parameters": {"n": {"type": "integer", "default": 3}},
    }
    live = {**body, "parameters": {"n": {"type": "INTEGER", "default": 3, "required": False}}}
    assert OperatorModel.diff(body, live) == []


def test_an_output_schema_on_a_text_operator_is_twilios_and_never_diffs() -> None:
    body = {"displayName": "o", "prompt": "p", "outputFormat": "CLASSIFICATION"}
    live = {
        **body,
        "outputSchema": {
            "type": "object",
            "properties": {"label": {"type": "string"}},
            "required": ["label"],
            "additionalProperties": False,
        },
    }
    assert OperatorModel.diff(body, live) == []


# --- real changes ---------------------------------------------------------------------------------
OPERATOR: dict[str, Any] = {
    "displayName": "churn",
    "prompt": "Rate 0..{{parameters.scale}}",
    "outputFormat": "JSON",
    "outputSchema": {"type": "object", "properties": {"risk": {"type": "integer"}}},
    "parameters": {"scale": {"type": "INTEGER", "default": 10}},
}
CONFIGURATION: dict[str, Any] = {
    "displayName": "support",
    "rules": [
        {
            "operators": [{"id": "intelligence_operator_01kcrvw16kfa88qvgrfmr7y151"}],
            "triggers": [{"on": "COMMUNICATION", "parameters": {"count": 2}}],
            "actions": [{"url": "https://hooks.example.com/a"}],
        },
        {
            "operators": [{"id": "intelligence_operator_01kcv35pnkeysaf6z6cqtbpegn", "version": 1}],
            "triggers": [{"on": "CONVERSATION_END"}],
            "actions": [],
        },
    ],
}
CONVERSATION: dict[str, Any] = {
    "displayName": "support",
    "description": "Support line",
    "conversationGroupingType": "GROUP_BY_PARTICIPANT_ADDRESSES",
    "memoryStoreId": "mem_store_01aaaaaaaaaaaaaaaaaaaaaaaaa",
    "channelSettings": {"SMS": {"statusTimeouts": {"inactive": 5, "closed": 10}}},
    "intelligenceConfigurationIds": ["intelligence_configuration_a"],
}
STORE: dict[str, Any] = {"displayName": "support-memory", "description": "Customer memory"}


def changed(body: dict[str, Any], path: list[Any], value: Any) -> dict[str, Any]:
    new = copy.deepcopy(body)
    target: Any = new
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return new


@pytest.mark.parametrize(
    ("model", "old", "path", "value", "expected_path", "replace", "delete_first"),
    [
        (OperatorModel, OPERATOR, ["prompt"], "Rate it", "prompt", ("prompt",), False),
        (OperatorModel, OPERATOR, ["description"], "new", "description", ("description",), False),
        (
            OperatorModel,
            OPERATOR,
            ["outputSchema", "properties", "risk", "type"],
            "number",
            "outputSchema.properties.risk.type",
            ("outputSchema",),
            False,
        ),
        (
            OperatorModel,
            OPERATOR,
            ["parameters", "scale", "default"],
            5,
            "parameters.scale.default",
            ("parameters",),
            False,
        ),
        (
            IntelligenceConfigurationModel,
            CONFIGURATION,
            ["rules", 0, "triggers", 0, "parameters", "count"],
            3,
            "rules[0].triggers[0].parameters.count",
            ("rules",),
            False,
        ),
        (
            IntelligenceConfigurationModel,
            CONFIGURATION,
            ["rules", 1, "operators", 0, "version"],
            2,
            "rules[1].operators[0].version",
            ("rules",),
            False,
        ),
        (
            IntelligenceConfigurationModel,
            CONFIGURATION,
            ["rules", 0, "actions", 0, "url"],
            "https://hooks.example.com/b",
            "rules[0].actions[0].url",
            ("rules",),
            False,
        ),
        (
            IntelligenceConfigurationModel,
            CONFIGURATION,
            ["displayName"],
            "support-2",
            "displayName",
            ("displayName",),
            False,
        ),
        (
            ConversationConfigurationModel,
            CONVERSATION,
            ["channelSettings", "SMS", "statusTimeouts", "inactive"],
            7,
            "channelSettings.SMS.statusTimeouts.inactive",
            (),
            False,
        ),
        (
            ConversationConfigurationModel,
            CONVERSATION,
            ["intelligenceConfigurationIds", 0],
            "intelligence_configuration_b",
            "intelligenceConfigurationIds[0]",
            (),
            False,
        ),
        (
            ConversationConfigurationModel,
            CONVERSATION,
            ["conversationGroupingType"],
            "GROUP_BY_PROFILE",
            "conversationGroupingType",
            ("conversationGroupingType",),
            True,
        ),
        (MemoryStoreModel, STORE, ["description"], "Other", "description", (), False),
        (MemoryStoreModel, STORE, ["displayName"], "renamed", "displayName", (), False),
    ],
)
def test_a_real_change_has_its_path_and_plan(  # noqa: PLR0917 - one parametrize row per case
    model: type[ResourceModel],
    old: dict[str, Any],
    path: list[Any],
    value: Any,
    expected_path: str,
    replace: tuple[str, ...],
    delete_first: bool,
) -> None:
    new = changed(old, path, value)
    model.validate_desired(new, "new")
    changes = model.diff(old, new)
    assert [c.path for c in changes] == [expected_path]
    assert changes[0].new == value
    plan = model.plan(changes)
    assert (plan.replace_fields, plan.delete_before_replace) == (replace, delete_first)


def test_added_and_removed_values_report_none_on_the_missing_side() -> None:
    new = {**STORE}
    del new["description"]
    assert MemoryStoreModel.diff(STORE, new) == [
        FieldChange("description", "Customer memory", None)
    ]
    assert MemoryStoreModel.diff(new, STORE) == [
        FieldChange("description", None, "Customer memory")
    ]


def test_a_new_rule_is_a_change_of_rules_and_replaces() -> None:
    new = copy.deepcopy(CONFIGURATION)
    new["rules"].append(copy.deepcopy(new["rules"][0]))
    changes = IntelligenceConfigurationModel.diff(CONFIGURATION, new)
    assert [c.path for c in changes] == ["rules[2]"]
    assert IntelligenceConfigurationModel.plan(changes).replace_fields == ("rules",)


def test_grouping_and_other_changes_together_delete_first_and_replace_only_grouping() -> None:
    new = {**CONVERSATION, "conversationGroupingType": "GROUP_BY_PROFILE", "description": "x"}
    plan = ConversationConfigurationModel.plan(
        ConversationConfigurationModel.diff(CONVERSATION, new)
    )
    assert plan.replace_fields == ("conversationGroupingType",)
    assert plan.delete_before_replace is True
    assert {c.field for c in plan.changes} == {"conversationGroupingType", "description"}


def test_field_change_names_its_top_level_field() -> None:
    assert FieldChange("rules[0].triggers[0].parameters.count", 1, 3).field == "rules"
    assert FieldChange("outputSchema.properties.a", None, {}).field == "outputSchema"
    assert FieldChange("displayName", "a", "b").field == "displayName"


# --- plans of arbitrary pairs ---------------------------------------------------------------------
def _paths(changes: list[FieldChange]) -> list[str]:
    return [c.path for c in changes]


@MANY
@given(model_and_body(), st.data())
def test_diff_is_empty_exactly_when_normal_forms_agree_and_is_symmetric(
    pair: ModelAndBody, data: st.DataObject
) -> None:
    model, a = pair
    strategy = dict(MODELS)[model]
    b = data.draw(strategy)
    forward, backward = model.diff(a, b), model.diff(b, a)
    assert (forward == []) == (model.normalise(a) == model.normalise(b))
    assert _paths(forward) == _paths(backward)
    assert [(c.old, c.new) for c in forward] == [(c.new, c.old) for c in backward]


@pytest.mark.parametrize(
    ("model", "bodies"),
    [(OperatorModel, operator_bodies()), (IntelligenceConfigurationModel, CONFIGURATION_BODIES)],
    ids=["Operator", "IntelligenceConfiguration"],
)
@MANY
@given(data=st.data())
def test_every_operator_or_configuration_change_replaces_create_first(
    model: type[ResourceModel], bodies: st.SearchStrategy[dict[str, Any]], data: st.DataObject
) -> None:
    a, b = data.draw(bodies), data.draw(bodies)
    plan = model.plan(model.diff(a, b))
    assert plan.needs_replace == bool(plan.changes)
    assert set(plan.replace_fields) == {c.field for c in plan.changes}
    assert plan.delete_before_replace is False


@MANY
@given(CONVERSATION_BODIES, CONVERSATION_BODIES)
def test_only_the_grouping_type_replaces_a_conversation_configuration_delete_first(
    a: dict[str, Any], b: dict[str, Any]
) -> None:
    plan = ConversationConfigurationModel.plan(ConversationConfigurationModel.diff(a, b))
    grouping_changed = a["conversationGroupingType"] != b["conversationGroupingType"]
    assert plan.replace_fields == (("conversationGroupingType",) if grouping_changed else ())
    assert plan.delete_before_replace is grouping_changed


@MANY
@given(STORE_BODIES, STORE_BODIES)
def test_memory_stores_are_never_replaced(a: dict[str, Any], b: dict[str, Any]) -> None:
    plan = MemoryStoreModel.plan(MemoryStoreModel.diff(a, b))
    assert (plan.needs_replace, plan.delete_before_replace) == (False, False)
