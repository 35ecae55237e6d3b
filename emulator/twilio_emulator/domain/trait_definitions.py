"""Trait definitions of a trait group (memory-v1 §4.1): names, data types, rules.

Validation of the ``traits`` map shared by CreateTraitGroup and PatchTraitGroup.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .checks import Checker, join
from .memory_common import reject_unknown_fields

__all__ = ["MAX_TRAITS", "TraitMapChecker", "camel_case"]

MAX_TRAITS = 95
DATA_TYPES = ("STRING", "NUMBER", "BOOLEAN", "ARRAY")
DELETE_MARKER = ""
_TRAIT_NAME = re.compile(r"[a-zA-Z][a-zA-Z0-9_\-\.]*")
_DEFINITION_FIELDS = ("dataType", "description", "validationRule", "idTypePromotion")
_SNAKE = re.compile(r"_+([a-zA-Z0-9])")

# ValidationRule variants (oneOf by ruleType, each additionalProperties false):
# field -> checker of its value.
_NON_NEGATIVE = "non-negative integer"
_RULE_FIELDS: dict[str, dict[str, str]] = {
    "STRING": {"pattern": "pattern", "minLength": _NON_NEGATIVE, "maxLength": "positive integer"},
    "NUMBER": {"min": "number", "max": "number"},
    "BOOLEAN": {},
    "ARRAY": {"minItems": _NON_NEGATIVE, "maxItems": _NON_NEGATIVE},
}


def camel_case(name: str) -> str:
    """``preferred_channel`` -> ``preferredChannel`` (§4.5: names are lowerCamelCase)."""
    joined = _SNAKE.sub(lambda m: m.group(1).upper(), name)
    return joined[:1].lower() + joined[1:]


class TraitMapChecker:
    """Checks a ``traits`` map into ``{normalised name: definition}``.

    ``allow_delete``: a PATCH, where ``dataType: ""`` marks a trait for deletion (the
    definition is then ``None``). ``id_types``: the store's identifier types, which an
    ``idTypePromotion`` must name.
    """

    def __init__(
        self,
        c: Checker,
        *,
        allow_delete: bool,
        id_types: set[str],
        normalise: bool,
    ) -> None:
        self.c = c
        self.allow_delete = allow_delete
        self.id_types = id_types
        self.rename: Callable[[str], str] = camel_case if normalise else (lambda name: name)

    def check(self, raw: Any, path: str = "traits") -> dict[str, dict[str, Any] | None]:
        c = self.c
        mapping = c.object(raw, path)
        if mapping is None:
            return {}
        if len(mapping) > MAX_TRAITS:
            c.fail(path, f"size must be between 0 and {MAX_TRAITS}")
        out: dict[str, dict[str, Any] | None] = {}
        for sent_name, definition in mapping.items():
            item_path = join(path, sent_name)
            if c.string(sent_name, item_path, max_len=64, pattern=_TRAIT_NAME) is None:
                continue
            name = self.rename(sent_name)
            if name in out:
                c.fail(item_path, f"names the same trait as another key ({name!r})")
                continue
            out[name] = self._definition(definition, item_path)
        return out

    def _definition(self, raw: Any, path: str) -> dict[str, Any] | None:
        c = self.c
        definition = c.object(raw, path)
        if definition is None:
            return None
        reject_unknown_fields(c, definition, _DEFINITION_FIELDS, path)
        allowed = (*DATA_TYPES, DELETE_MARKER) if self.allow_delete else DATA_TYPES
        data_type = c.get(definition, "dataType", path, required=True)
        if data_type is None or c.string(data_type, join(path, "dataType"), enum=allowed) is None:
            return None
        if data_type == DELETE_MARKER:
            return None
        out: dict[str, Any] = {"dataType": data_type}
        description = definition.get("description")
        text = (
            None
            if description is None
            else c.string(description, join(path, "description"), max_len=1024)
        )
        if text is not None:
            out["description"] = description
        rule = c.member_object(definition, "validationRule", path)
        if rule is not None and self._rule(rule, data_type, join(path, "validationRule")):
            out["validationRule"] = dict(rule)
        promotion = definition.get("idTypePromotion")
        if promotion is not None and self._promotion(promotion, join(path, "idTypePromotion")):
            out["idTypePromotion"] = promotion
        return out

    def _rule(self, rule: dict[str, Any], data_type: str, path: str) -> bool:
        c = self.c
        before = len(c.violations)
        rule_type = c.get(rule, "ruleType", path, required=True)
        if (
            rule_type is None
            or c.string(rule_type, join(path, "ruleType"), enum=DATA_TYPES) is None
        ):
            return False
        if rule_type != data_type:
            # The spec does not say; memory-v1 §4.1 asks the emulator to reject a mismatch.
            c.fail(join(path, "ruleType"), f"must equal the trait's dataType ({data_type})")
        fields = _RULE_FIELDS[rule_type]
        for key, value in rule.items():
            if key == "ruleType":
                continue
            if key not in fields:
                c.fail(join(path, key), f"unknown field for a {rule_type} rule")
            elif value is None:
                c.fail(join(path, key), "must not be null")
            elif fields[key] == "pattern":
                c.string(value, join(path, key), max_len=1000)
            elif fields[key] == "number":
                c.number(value, join(path, key))
            else:
                low = 1 if fields[key] == "positive integer" else 0
                c.integer(value, join(path, key), minimum=low)
        return len(c.violations) == before

    def _promotion(self, value: Any, path: str) -> bool:
        if self.c.string(value, path, max_len=30) is None:
            return False
        # Inferred rule (§3.4, §4.1): the promoted-to identifier type must already be
        # configured in the store's Identity Resolution Settings.
        if value not in self.id_types:
            self.c.fail(path, f"{value!r} is not an idType of the store's identity resolution")
            return False
        return True
