"""Operator ``outputSchema``: Twilio's rewrite and the JSON-Schema subset it accepts.

The rewrite must match what Twilio stores (the emulator models it and serves as the oracle), or
``pulumi preview`` after ``pulumi up`` shows a diff that never goes away. The subset rules come
from intelligence-v3.md §4.10 and gotchas.md A12/A13.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from pulumi_twilio_intelligence._core import outputschema as _outputschema
from pulumi_twilio_intelligence._core.outputschema import (
    MAX_DEPTH,
    MAX_ENUM_VALUES,
    MAX_PROPERTIES,
    UNSUPPORTED_KEYWORDS,
    rewrite,
    violations,
)
from twilio_emulator.domain.checks import Checker
from twilio_emulator.domain.output_schema import rewrite_output_schema

from tests.reference_data import UNSUPPORTED_OUTPUT_SCHEMA_KEYWORDS
from tests.unit.strategies import VALID_OUTPUT_SCHEMAS

# The tests' own copy of the reference list (not the provider's nor the emulator's), on purpose.
DOCUMENTED_UNSUPPORTED = UNSUPPORTED_OUTPUT_SCHEMA_KEYWORDS


def nested(levels: int) -> dict[str, Any]:
    """``levels`` objects, each the only property of the one above."""
    node: dict[str, Any] = {"type": "string"}
    for _ in range(levels):
        node = {"type": "object", "properties": {"x": node}}
    return node


def rules_of(found: list[tuple[str, str]]) -> str:
    return "\n".join(f"{path}: {rule}" for path, rule in found)


# --- the rewrite --------------------------------------------------------------------------------
def test_documented_limits_are_the_constants() -> None:
    assert (MAX_PROPERTIES, MAX_DEPTH, MAX_ENUM_VALUES) == (100, 10, 1000)
    assert set(UNSUPPORTED_KEYWORDS) == DOCUMENTED_UNSUPPORTED


def test_rewrite_closes_the_root_and_requires_every_key_overwriting_the_user() -> None:
    schema = {
        "type": "object",
        "properties": {"b": {"type": "string"}, "a": {"type": "integer"}},
        "required": ["b"],
        "additionalProperties": True,
    }
    assert rewrite(schema) == {
        "type": "object",
        "properties": {"b": {"type": "string"}, "a": {"type": "integer"}},
        "required": ["a", "b"],
        "additionalProperties": False,
    }


def test_rewrite_does_not_touch_its_argument() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "object", "properties": {}}}}
    before = copy.deepcopy(schema)
    rewrite(schema)
    assert schema == before


def test_rewrite_recurses_through_properties_items_anyof_and_defs() -> None:
    inner = {"type": "object", "properties": {"v": {"type": "string"}}}
    closed = {**inner, "required": ["v"], "additionalProperties": False}
    schema = {
        "type": "object",
        "properties": {
            "nested": copy.deepcopy(inner),
            "list": {"type": "array", "items": copy.deepcopy(inner)},
            "either": {"anyOf": [copy.deepcopy(inner), {"type": "null"}]},
            "ref": {"$ref": "#/$defs/thing"},
        },
        "$defs": {"thing": copy.deepcopy(inner)},
        "definitions": {"old": copy.deepcopy(inner)},
    }
    out = rewrite(schema)
    assert out["required"] == ["either", "list", "nested", "ref"]
    assert out["properties"]["nested"] == closed
    assert out["properties"]["list"]["items"] == closed
    assert out["properties"]["either"]["anyOf"] == [closed, {"type": "null"}]
    assert out["properties"]["ref"] == {"$ref": "#/$defs/thing"}
    assert out["$defs"]["thing"] == closed
    assert out["definitions"]["old"] == closed


def test_rewrite_closes_nullable_objects_and_objects_without_properties() -> None:
    schema = {
        "type": "object",
        "properties": {
            "maybe": {"type": ["object", "null"], "properties": {"a": {"type": "string"}}},
            "free": {"type": "object"},
        },
    }
    out = rewrite(schema)
    assert out["properties"]["maybe"]["required"] == ["a"]
    assert out["properties"]["maybe"]["additionalProperties"] is False
    assert out["properties"]["free"]["additionalProperties"] is False


def test_rewrite_leaves_scalars_alone() -> None:
    leaf = {"type": ["string", "null"], "enum": ["a", "b", None], "description": "d"}
    out = rewrite({"type": "object", "properties": {"x": dict(leaf)}})
    assert out["properties"]["x"] == leaf


@pytest.mark.parametrize("value", [None, "text", 3, ["a"]])
def test_rewrite_of_a_non_schema_is_the_value(value: Any) -> None:
    assert rewrite(value) == value


@settings(max_examples=300)
@given(VALID_OUTPUT_SCHEMAS)
def test_rewrite_is_idempotent(schema: dict[str, Any]) -> None:
    once = rewrite(schema)
    assert rewrite(once) == once


@settings(max_examples=300)
@given(VALID_OUTPUT_SCHEMAS)
def test_rewrite_matches_twilios_up_to_required_order(schema: dict[str, Any]) -> None:
    """Twilio (the emulator) keeps `required` in key order; we sort it (a set in meaning)."""
    checker = Checker()
    stored = rewrite_output_schema(schema, checker)
    assert checker.ok, checker.violations
    assert _sorted_required(_drop_empty(rewrite(schema))) == _sorted_required(_drop_empty(stored))


def _sorted_required(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: sorted(v) if k == "required" else _sorted_required(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_sorted_required(v) for v in node]
    return node


def _drop_empty(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _drop_empty(v) for k, v in node.items() if v not in ({}, [])}
    if isinstance(node, list):
        return [_drop_empty(v) for v in node]
    return node


# --- the subset: accepted schemas ---------------------------------------------------------------
@settings(max_examples=300)
@given(VALID_OUTPUT_SCHEMAS)
def test_valid_schemas_have_no_violations_and_twilio_agrees(schema: dict[str, Any]) -> None:
    assert violations(schema) == []
    checker = Checker()
    rewrite_output_schema(schema, checker)
    assert checker.ok, checker.violations


def test_every_allowed_type_and_type_unions_are_accepted() -> None:
    props: dict[str, dict[str, Any]] = {t: {"type": t} for t in sorted(_outputschema.ALLOWED_TYPES)}
    props["union"] = {"type": ["string", "null"]}
    props["enum_only"] = {"enum": ["a", "b"]}
    props["const_only"] = {"const": "x"}
    props["ref"] = {"$ref": "#/$defs/d"}
    props["either"] = {"anyOf": [{"type": "string"}, {"type": "integer"}]}
    schema = {"type": "object", "properties": props, "$defs": {"d": {"type": "string"}}}
    assert violations(schema) == []


def test_exact_limits_are_accepted() -> None:
    hundred = {"type": "object", "properties": {f"p{i}": {"type": "string"} for i in range(100)}}
    assert violations(hundred) == []
    assert violations(nested(MAX_DEPTH)) == []
    enums = {
        "type": "object",
        "properties": {
            "a": {"type": "string", "enum": [f"v{i}" for i in range(600)]},
            "b": {"type": "string", "enum": [f"w{i}" for i in range(400)]},
        },
    }
    assert violations(enums) == []


# --- the subset: refused schemas ----------------------------------------------------------------
KEYWORD_VALUES: dict[str, Any] = {
    "minLength": 1,
    "maxLength": 5,
    "patternProperties": {"^x": {"type": "string"}},
    "unevaluatedProperties": False,
    "propertyNames": {"pattern": "^[a-z]+$"},
    "minProperties": 1,
    "maxProperties": 3,
    "unevaluatedItems": False,
    "contains": {"type": "string"},
    "minContains": 1,
    "maxContains": 2,
    "uniqueItems": True,
}


@pytest.mark.parametrize("keyword", sorted(DOCUMENTED_UNSUPPORTED))
def test_unsupported_keyword_at_the_root_is_named(keyword: str) -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string"}}}
    schema[keyword] = KEYWORD_VALUES[keyword]
    assert (keyword, f"keyword {keyword!r} is not supported by Twilio") in violations(schema)


@pytest.mark.parametrize("keyword", sorted(DOCUMENTED_UNSUPPORTED))
def test_unsupported_keyword_deep_inside_is_named_with_its_path(keyword: str) -> None:
    leaf = {"type": "array", "items": {"type": "string"}, keyword: KEYWORD_VALUES[keyword]}
    schema = {
        "type": "object",
        "properties": {
            "outer": {
                "type": "object",
                "properties": {"either": {"anyOf": [{"type": "null"}, leaf]}},
            }
        },
    }
    path = f"properties.outer.properties.either.anyOf[1].{keyword}"
    assert violations(schema) == [(path, f"keyword {keyword!r} is not supported by Twilio")]


def test_unsupported_keyword_in_items_and_defs_is_found() -> None:
    schema = {
        "type": "object",
        "properties": {"list": {"type": "array", "items": {"type": "string", "maxLength": 3}}},
        "$defs": {"d": {"type": "string", "minLength": 1}},
    }
    paths = [path for path, _ in violations(schema)]
    assert paths == ["properties.list.items.maxLength", "$defs.d.minLength"]


def test_more_than_100_properties_in_total_is_refused() -> None:
    schema = {
        "type": "object",
        "properties": {
            f"o{i}": {
                "type": "object",
                "properties": {f"p{j}": {"type": "string"} for j in range(20)},
            }
            for i in range(5)
        },
    }
    assert violations(schema) == [("", "at most 100 object properties in total (has 105)")]


def test_101_properties_at_the_root_is_refused() -> None:
    schema = {"type": "object", "properties": {f"p{i}": {"type": "string"} for i in range(101)}}
    assert violations(schema) == [("", "at most 100 object properties in total (has 101)")]


def test_more_than_10_levels_is_refused_at_the_eleventh() -> None:
    found = violations(nested(MAX_DEPTH + 1))
    assert found == [(".".join(["properties.x"] * MAX_DEPTH), "nesting deeper than 10 levels")]


def test_levels_count_through_items_and_anyof() -> None:
    node: dict[str, Any] = {"type": "string"}
    for level in range(MAX_DEPTH + 1):
        obj = {"type": "object", "properties": {"x": node}}
        node = {"type": "array", "items": obj} if level % 2 else {"anyOf": [obj, {"type": "null"}]}
    schema = {"type": "object", "properties": {"root": node}}
    assert any("nesting deeper than 10 levels" in rule for _, rule in violations(schema))


def test_a_definition_counts_its_levels_from_the_top() -> None:
    schema = {
        "type": "object",
        "properties": {"r": {"$ref": "#/$defs/deep"}},
        "$defs": {"deep": nested(MAX_DEPTH)},
    }
    assert violations(schema) == []
    schema["$defs"] = {"deep": nested(MAX_DEPTH + 1)}
    assert [rule for _, rule in violations(schema)] == ["nesting deeper than 10 levels"]


def test_more_than_1000_enum_values_in_total_is_refused() -> None:
    schema = {
        "type": "object",
        "properties": {
            "a": {"type": "string", "enum": [f"v{i}" for i in range(600)]},
            "b": {
                "type": "array",
                "items": {"type": "string", "enum": [f"w{i}" for i in range(401)]},
            },
        },
    }
    assert violations(schema) == [("", "at most 1000 enum values in total (has 1001)")]


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "array", "items": {"type": "string"}},
        {"type": "string"},
        {"type": "object"},
        {"properties": {"a": {"type": "string"}}},
        {"type": "object", "properties": ["a"]},
        {"type": ["object", "null"], "properties": {"a": {"type": "string"}}},
    ],
    ids=["array", "string", "no-properties", "no-type", "properties-list", "nullable-root"],
)
def test_the_root_must_be_an_object_with_properties(schema: dict[str, Any]) -> None:
    assert ("", 'the root must be {"type": "object", "properties": {...}}') in violations(schema)


@pytest.mark.parametrize("schema", [None, "object", ["type"], 3])
def test_a_schema_must_be_a_mapping(schema: Any) -> None:
    assert violations(schema) == [("", "must be a JSON object (a JSON Schema)")]


@pytest.mark.parametrize("bad", ["date", "float", "dict", "str"])
def test_unknown_types_are_named(bad: str) -> None:
    schema = {"type": "object", "properties": {"a": {"type": bad}, "b": {"type": [bad, "null"]}}}
    found = violations(schema)
    assert [p for p, _ in found] == ["properties.a.type", "properties.b.type"]
    assert all(f"type {bad!r} is not one of" in rule for _, rule in found)


def test_a_subschema_needs_a_type() -> None:
    schema = {"type": "object", "properties": {"a": {"description": "no type"}}}
    assert violations(schema) == [
        ("properties.a", "every subschema needs a type (or anyOf / $ref / enum)")
    ]


@pytest.mark.parametrize("enum", [[], "a,b", {"a": 1}])
def test_an_enum_must_be_a_non_empty_list(enum: Any) -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string", "enum": enum}}}
    assert violations(schema) == [("properties.a.enum", "enum must be a non-empty list")]


def test_a_subschema_must_be_a_mapping() -> None:
    schema = {"type": "object", "properties": {"a": "string", "b": {"type": "array", "items": 3}}}
    assert violations(schema) == [
        ("properties.a", "each subschema must be a JSON object"),
        ("properties.b.items", "each subschema must be a JSON object"),
    ]


def test_nested_properties_must_be_a_mapping() -> None:
    schema = {"type": "object", "properties": {"o": {"type": "object", "properties": ["x"]}}}
    assert violations(schema) == [("properties.o.properties", "must be an object")]


def test_every_problem_is_reported_at_once() -> None:
    schema = {
        "type": "object",
        "properties": {
            "a": {"type": "string", "minLength": 1},
            "b": {"type": "date"},
            "c": {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
        },
        "maxProperties": 3,
    }
    assert sorted(p for p, _ in violations(schema)) == [
        "maxProperties",
        "properties.a.minLength",
        "properties.b.type",
        "properties.c.uniqueItems",
    ]


def test_rewrite_closes_objects_in_all_of_one_of_and_prefix_items_like_twilio() -> None:
    branch = {"type": "object", "properties": {"b": {"type": "string"}}}
    schema = {
        "type": "object",
        "properties": {
            "all": {"type": "object", "properties": {}, "allOf": [copy.deepcopy(branch)]},
            "one": {"type": "object", "properties": {}, "oneOf": [copy.deepcopy(branch)]},
            "tuple": {"type": "array", "prefixItems": [copy.deepcopy(branch)]},
        },
    }
    out = rewrite(schema)
    closed = {**branch, "required": ["b"], "additionalProperties": False}
    assert out["properties"]["all"]["allOf"] == [closed]
    assert out["properties"]["one"]["oneOf"] == [closed]
    assert out["properties"]["tuple"]["prefixItems"] == [closed]
    checker = Checker()
    stored = rewrite_output_schema(schema, checker)
    assert checker.ok, checker.violations
    assert _drop_empty(out) == _drop_empty(stored)


def test_unsupported_keywords_inside_all_of_and_one_of_are_found() -> None:
    schema = {
        "type": "object",
        "properties": {
            "x": {
                "type": "object",
                "properties": {},
                "allOf": [{"type": "string", "maxLength": 3}],
                "oneOf": [{"type": "array", "items": {"type": "string"}, "uniqueItems": True}],
            }
        },
    }
    assert [p for p, _ in violations(schema)] == [
        "properties.x.allOf[0].maxLength",
        "properties.x.oneOf[0].uniqueItems",
    ]


def test_a_ref_must_name_a_definition_of_the_schema() -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"$ref": "#/$defs/missing"}, "b": {"$ref": "#/$defs/item"}},
        "$defs": {"item": {"type": "string"}},
    }
    assert _outputschema.violations(schema) == [
        ("properties.a.$ref", "'#/$defs/missing' names no definition under $defs")
    ]
