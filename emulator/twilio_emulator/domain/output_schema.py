"""Validation and Twilio's rewrite of an operator's ``outputSchema``.

Twilio follows OpenAI structured outputs: it forces ``additionalProperties:
false`` and ``required`` = every property key on each object, overwriting what
the client sent (gotchas A12), and refuses keywords that mode cannot honour
(A13). The rewrite is applied at every level: nested objects, array items,
``anyOf`` branches and ``$defs``, because structured outputs demand it there
too. A client that diffs what it sent against what it reads back must expect
exactly this rewrite.

Deliberately independent: the provider has its own copy of these rules
(``provider/pulumi_twilio_intelligence/_core/outputschema.py``), and the two must
NOT be merged or made to import each other. This one is written from Twilio's
reference docs (shared/reference) and the provider's from its own reading; the
two meet only on the wire, so the tests that run the provider against the
emulator catch a mistake in either. A shared module would make both wrong
together, and those tests would pass anyway.
"""

from __future__ import annotations

import copy
from typing import Any

from .checks import Checker, join, join_index

__all__ = [
    "MAX_ENUM_VALUES",
    "MAX_NESTING",
    "MAX_PROPERTIES",
    "UNSUPPORTED_KEYWORDS",
    "generated_schema",
    "rewrite_output_schema",
]

UNSUPPORTED_KEYWORDS = (
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
)
MAX_PROPERTIES = 100
MAX_NESTING = 10
MAX_ENUM_VALUES = 1000
_TYPES = ("string", "number", "boolean", "integer", "object", "array", "null")
_BRANCH_KEYWORDS = ("anyOf", "allOf", "oneOf", "prefixItems")


def generated_schema(field: str, enum: list[str] | None = None) -> dict[str, Any]:
    """The fixed schema Twilio reports for TEXT (``text``) and CLASSIFICATION (``label``)."""
    prop: dict[str, Any] = {"type": "string"}
    if enum is not None:
        prop["enum"] = list(enum)
    return {
        "type": "object",
        "properties": {field: prop},
        "required": [field],
        "additionalProperties": False,
    }


class _Walk:
    def __init__(self, checker: Checker, root: dict[str, Any]) -> None:
        self.checker = checker
        self.root = root
        self.properties = 0
        self.enum_values = 0

    def node(self, node: Any, path: str, depth: int) -> None:
        """Check one schema node and rewrite it in place."""
        if not isinstance(node, dict):
            self.checker.fail(path, "must be a JSON Schema object")
            return
        for keyword in UNSUPPORTED_KEYWORDS:
            if keyword in node:
                self.checker.fail(join(path, keyword), "keyword is not supported")
        kinds = self._types(node.get("type"), join(path, "type"))
        if "enum" in node:
            self.enum_values += len(self.checker.array(node["enum"], join(path, "enum")) or [])
        if "$ref" in node:
            self._ref(node["$ref"], join(path, "$ref"))
        if "object" in kinds or "properties" in node:
            depth += 1
            if depth > MAX_NESTING:
                self.checker.fail(path, f"nesting depth must not exceed {MAX_NESTING} levels")
                return
            self._object(node, path, depth)
        if "items" in node:
            self.node(node["items"], join(path, "items"), depth)
        self._branches(node, path, depth)
        self._definitions(node, path)

    def _object(self, node: dict[str, Any], path: str, depth: int) -> None:
        props = self.checker.object(node.get("properties", {}), join(path, "properties"))
        if props is None:
            return
        self.properties += len(props)
        for name, sub in props.items():
            self.node(sub, join(join(path, "properties"), name), depth)
        node["properties"] = props
        node["required"] = list(props)
        node["additionalProperties"] = False

    def _branches(self, node: dict[str, Any], path: str, depth: int) -> None:
        for keyword in (k for k in _BRANCH_KEYWORDS if k in node):
            branches = self.checker.array(node[keyword], join(path, keyword))
            for index, branch in enumerate(branches or []):
                self.node(branch, join_index(join(path, keyword), index), depth)

    def _definitions(self, node: dict[str, Any], path: str) -> None:
        for keyword in (k for k in ("$defs", "definitions") if k in node):
            definitions = self.checker.object(node[keyword], join(path, keyword))
            for name, sub in (definitions or {}).items():
                # Definitions are used wherever they are referenced, so their
                # own nesting counts from the top.
                self.node(sub, join(join(path, keyword), name), 0)

    def _types(self, value: Any, path: str) -> list[str]:
        if value is None:
            return []
        names = value if isinstance(value, list) else [value]
        good: list[str] = []
        for name in names:
            if not isinstance(name, str) or name not in _TYPES:
                self.checker.fail(path, f"must be one of [{', '.join(_TYPES)}]")
                return []
            good.append(name)
        return good

    def _ref(self, ref: Any, path: str) -> None:
        if not isinstance(ref, str):
            self.checker.fail(path, "must be a string")
            return
        if ref == "#":
            return
        for keyword in ("$defs", "definitions"):
            marker = f"#/{keyword}/"
            if ref.startswith(marker):
                defs = self.root.get(keyword)
                if isinstance(defs, dict) and ref[len(marker) :] in defs:
                    return
        self.checker.fail(path, "must reference a definition in this schema's $defs")


def rewrite_output_schema(schema: Any, checker: Checker, path: str = "outputSchema") -> Any:
    """The schema as Twilio stores it, or None after recording violations."""
    if not isinstance(schema, dict):
        checker.fail(path, "must be an object")
        return None
    if schema.get("type") != "object" or not isinstance(schema.get("properties"), dict):
        checker.fail(path, 'root must be {"type": "object", "properties": {...}}')
        return None
    before = len(checker.violations)
    rewritten = copy.deepcopy(schema)
    walk = _Walk(checker, rewritten)
    walk.node(rewritten, path, 0)
    if walk.properties > MAX_PROPERTIES:
        checker.fail(path, f"at most {MAX_PROPERTIES} object properties are supported")
    if walk.enum_values > MAX_ENUM_VALUES:
        checker.fail(path, f"at most {MAX_ENUM_VALUES} enum values are supported")
    return rewritten if len(checker.violations) == before else None
