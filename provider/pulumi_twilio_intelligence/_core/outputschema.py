"""Operator ``outputSchema``: the JSON-Schema subset Twilio accepts, and the rewrite it applies.

Twilio sets ``additionalProperties: false`` and marks every property ``required`` on every object,
overwriting what was sent (OpenAI structured-outputs style). Applying the same rewrite to the
desired schema before diffing is what keeps ``pulumi preview`` quiet after ``pulumi up``.

The emulator has its own copy of these rules (``twilio_emulator/domain/output_schema.py``), on
purpose: each is written from its own reading of Twilio's docs and they meet only on the wire, so
a test of the one against the other catches a mistake in either. Do not merge them.
"""

from __future__ import annotations

import copy
from typing import Any

MAX_PROPERTIES = 100
MAX_DEPTH = 10
MAX_ENUM_VALUES = 1000

ALLOWED_TYPES = frozenset({"string", "number", "boolean", "integer", "object", "array", "null"})
UNSUPPORTED_KEYWORDS = frozenset(
    {
        "minLength",
        "maxLength",
        "patternProperties",
        "unevaluatedProperties",
        "propertyNames",
        "minProperties",
        "maxProperties",
        "unevaluatedItems",
        "contains",
        "minContains",
        "maxContains",
        "uniqueItems",
    }
)
# Keys whose values are maps of name -> subschema, and keys holding one or many subschemas.
_SCHEMA_MAPS = ("properties", "$defs", "definitions")
_SCHEMA_LISTS = ("anyOf", "allOf", "oneOf", "prefixItems")  # Twilio closes objects in each


def rewrite(schema: Any) -> Any:
    """Return the schema as Twilio stores it: every object closed, every property required."""
    result = copy.deepcopy(schema)
    _rewrite_in_place(result)
    return result


def _rewrite_in_place(node: Any) -> None:
    if not isinstance(node, dict):
        return
    properties = node.get("properties")
    if _is_object(node):
        # Every object, also one without properties (Twilio closes it all the same).
        node["additionalProperties"] = False
        # A set in meaning; sorted, because key order does not survive the engine's state.
        node["required"] = sorted(properties) if isinstance(properties, dict) else []
    for key in _SCHEMA_MAPS:
        children = node.get(key)
        if isinstance(children, dict):
            for child in children.values():
                _rewrite_in_place(child)
    for key in _SCHEMA_LISTS:
        children = node.get(key)
        if isinstance(children, list):
            for child in children:
                _rewrite_in_place(child)
    _rewrite_in_place(node.get("items"))


def _is_object(node: dict[str, Any]) -> bool:
    kind = node.get("type")
    return kind == "object" or (isinstance(kind, list) and "object" in kind)


def violations(schema: Any) -> list[tuple[str, str]]:
    """Every way ``schema`` breaks Twilio's subset, as (field path, rule) pairs; [] when valid."""
    found: list[tuple[str, str]] = []
    if not isinstance(schema, dict):
        return [("", "must be a JSON object (a JSON Schema)")]
    if schema.get("type") != "object" or not isinstance(schema.get("properties"), dict):
        found.append(("", 'the root must be {"type": "object", "properties": {...}}'))
    counts = {"properties": 0, "enum": 0}
    _walk(schema, "", 0, counts, found)
    found += _dangling_refs(schema)
    if counts["properties"] > MAX_PROPERTIES:
        found.append(
            (
                "",
                f"at most {MAX_PROPERTIES} object properties in total (has {counts['properties']})",
            )
        )
    if counts["enum"] > MAX_ENUM_VALUES:
        found.append(("", f"at most {MAX_ENUM_VALUES} enum values in total (has {counts['enum']})"))
    return found


def _dangling_refs(schema: dict[str, Any]) -> list[tuple[str, str]]:
    """Each ``$ref`` must name a definition of this schema (Twilio refuses the rest at create)."""
    # "#" is the root itself: a schema may recurse to it (OpenAI-style structured outputs,
    # which Twilio's subset follows, allow it; so does the emulator's copy of the rules).
    defined = {"#"} | {
        f"#/{key}/{name}"
        for key in ("$defs", "definitions")
        if isinstance(schema.get(key), dict)
        for name in schema[key]
    }
    found: list[tuple[str, str]] = []

    def visit(node: Any, path: str) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if ref is not None and not isinstance(ref, str):
                found.append((_join(path, "$ref"), "$ref must be a string such as '#/$defs/name'"))
            elif ref is not None and ref not in defined:
                found.append((_join(path, "$ref"), f"{ref!r} names no definition under $defs"))
            for key, child in node.items():
                visit(child, _join(path, str(key)))
        elif isinstance(node, list):
            for index, child in enumerate(node):
                visit(child, f"{path}[{index}]")

    visit(schema, "")
    return found


def _walk(
    node: Any, path: str, depth: int, counts: dict[str, int], found: list[tuple[str, str]]
) -> None:
    """Check ``node`` and every subschema below it; ``depth`` counts the object levels above it
    (as Twilio counts nesting: objects inside objects; a ``$defs`` entry counts from the top)."""
    if not isinstance(node, dict):
        found.append((path, "each subschema must be a JSON object"))
        return
    if _is_object(node) or "properties" in node:
        depth += 1
        if depth > MAX_DEPTH:
            found.append((path, f"nesting deeper than {MAX_DEPTH} levels"))
            return
    for keyword in sorted(UNSUPPORTED_KEYWORDS & node.keys()):
        found.append((_join(path, keyword), f"keyword {keyword!r} is not supported by Twilio"))
    _check_types(node, path, found)
    enum = node.get("enum")
    if enum is not None:
        if not isinstance(enum, list) or not enum:
            found.append((_join(path, "enum"), "enum must be a non-empty list"))
        else:
            counts["enum"] += len(enum)
    properties = node.get("properties")
    if properties is not None and not isinstance(properties, dict):
        found.append((_join(path, "properties"), "must be an object"))
    elif properties is not None:
        counts["properties"] += len(properties)
    _check_containers(node, path, found)
    for child_path, child, from_top in _children(node, path):
        _walk(child, child_path, 0 if from_top else depth, counts, found)


def _check_containers(node: dict[str, Any], path: str, found: list[tuple[str, str]]) -> None:
    """Keywords that hold subschemas must hold them in the right shape (else they are skipped
    by the walk, and an `anyOf: {...}` would pass here and fail at Twilio)."""
    for key in _SCHEMA_MAPS[1:]:  # `properties` has its own message
        if key in node and not isinstance(node[key], dict):
            found.append((_join(path, key), "must be an object of name -> subschema"))
    for key in _SCHEMA_LISTS:
        if key in node and not (isinstance(node[key], list) and node[key]):
            found.append((_join(path, key), "must be a list of subschemas (at least one)"))


def _check_types(node: dict[str, Any], path: str, found: list[tuple[str, str]]) -> None:
    kind = node.get("type")
    kinds = kind if isinstance(kind, list) else [kind] if kind is not None else []
    if not all(isinstance(item, str) for item in kinds):
        found.append((_join(path, "type"), "type must be a type name or a list of type names"))
        return
    for item in kinds:
        if item not in ALLOWED_TYPES:
            found.append(
                (_join(path, "type"), f"type {item!r} is not one of {sorted(ALLOWED_TYPES)}")
            )
    if kind is None and not ({"anyOf", "$ref", "enum", "const"} & node.keys()):
        found.append((path or "", "every subschema needs a type (or anyOf / $ref / enum)"))


def _children(node: dict[str, Any], path: str) -> list[tuple[str, Any, bool]]:
    """(path, subschema, whether its nesting counts from the top: true for definitions)."""
    children: list[tuple[str, Any, bool]] = []
    for key in _SCHEMA_MAPS:
        mapping = node.get(key)
        if isinstance(mapping, dict):
            children += [
                (_join(path, f"{key}.{name}"), child, key != "properties")
                for name, child in mapping.items()
            ]
    for key in _SCHEMA_LISTS:
        branches = node.get(key)
        if isinstance(branches, list):
            children += [
                (_join(path, f"{key}[{i}]"), child, False) for i, child in enumerate(branches)
            ]
    if node.get("items") is not None:
        children.append((_join(path, "items"), node["items"], False))
    return children


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
