"""Insights v3 custom field mappings (insights-v3.md §5), in the shape of twilio 9.13.0.

The SDK is newer than the reference on two points and is followed here:
``entityMetadata`` nests the source, ``{sourceType: INTELLIGENCE_OPERATOR,
intelligenceOperator: {operatorId, operatorName?, field}}`` (the reference has
the three fields flat), and the capacity lives at ``.../CustomFieldMappingsCapacity``
(the web layer also answers the reference's ``.../CustomFieldMappings/Capacity``).

POST is an upsert keyed on (account, category, name): 201 new, 200 updated in
place (same owner = sourceType + operatorId), 409 code 20052 for another owner.
``field`` must resolve in the output schema of the operator's latest ACTIVE
version (dotted path through ``properties``). There is no DELETE. Capacity per
account is ``Settings.insights_custom_measure_capacity`` (0: the feature is off,
the capacity is ``{}`` and creates answer 400).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .checks import Checker, join
from .errors import Conflict, NotFound, ValidationFailed
from .runtime import Runtime

__all__ = ["MAPPING_PREFIX", "CustomFieldMappings"]

MAPPING_PREFIX = "convinsights_mapping"
_KIND = "insights_custom_field_mapping"
_NAME = re.compile(r"[A-Za-z0-9_]+")
_FIELD = re.compile(r"[A-Za-z0-9_.]+")
_SOURCE = "INTELLIGENCE_OPERATOR"

# operator id -> its latest ACTIVE version (None when unknown or none is active).
OperatorResolver = Callable[[str, str], "dict[str, Any] | None"]


class CustomFieldMappings:
    def __init__(self, rt: Runtime, latest_active: OperatorResolver) -> None:
        self.rt = rt
        self.latest_active = latest_active

    def list(self, account: str) -> list[dict[str, Any]]:
        return [doc for _, doc in self.rt.store.rows(_KIND, account)]

    def fetch(self, account: str, mapping_id: str) -> dict[str, Any]:
        found = next((m for m in self.list(account) if m["id"] == mapping_id), None)
        if found is None:
            raise NotFound(f"Custom field mapping {mapping_id} not found")
        return found

    def capacity(self, account: str) -> dict[str, Any]:
        total = self.rt.settings.insights_custom_measure_capacity
        if total <= 0:
            return {}  # custom measures do not apply to the account (§5.3)
        consumed = len(self.list(account))
        return {"measure": {"consumed": consumed, "remaining": max(0, total - consumed)}}

    def upsert(self, account: str, body: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """The stored mapping and whether it is new (201) rather than updated (200)."""
        fields = _check(body)
        source = fields["entityMetadata"]["intelligenceOperator"]
        self._check_field(account, source["operatorId"], source["field"])
        old = self.rt.store.get(_KIND, account, fields["name"])
        now = self.rt.timestamp()
        if old is None:
            if not self.capacity(account).get("measure", {}).get("remaining"):
                raise ValidationFailed("No custom measure capacity left for this account")
            doc = {"id": self.rt.ids.new(MAPPING_PREFIX), **fields}
            doc.update(createdAt=now, updatedAt=None)
        else:
            owner = old["entityMetadata"]["intelligenceOperator"]["operatorId"]
            if owner != source["operatorId"]:
                raise Conflict(
                    f"The name '{fields['name']}' is already registered to a different operator.",
                    code=20052,
                )
            doc = {"id": old["id"], **fields, "createdAt": old["createdAt"], "updatedAt": now}
        self.rt.store.put(_KIND, account, fields["name"], doc)
        return doc, old is None

    def _check_field(self, account: str, operator_id: str, field: str) -> None:
        version = self.latest_active(account, operator_id)
        if version is None:
            raise ValidationFailed(
                f"entityMetadata.intelligenceOperator.operatorId: {operator_id} has no ACTIVE "
                "version"
            )
        schema: Any = version.get("outputSchema") or {}
        for part in field.split("."):
            properties = schema.get("properties") if isinstance(schema, dict) else None
            schema = (properties or {}).get(part)
            if schema is None:
                raise ValidationFailed(
                    f"entityMetadata.intelligenceOperator.field: {field!r} is not in the output "
                    f"schema of {operator_id} version {version.get('version')}"
                )


def _check(body: dict[str, Any]) -> dict[str, Any]:
    c = Checker()
    out: dict[str, Any] = {}
    category = c.get(body, "category", "", required=True)
    if category is not None and c.string(category, "category", enum=("MEASURE",)):
        out["category"] = category
    name = c.get(body, "name", "", required=True)
    if name is not None and c.string(name, "name", pattern=_NAME):
        out["name"] = name
    description = body.get("description")
    if description is not None and c.string(description, "description", max_len=150):
        out["description"] = description
    meta = c.get(body, "entityMetadata", "", required=True)
    if meta is not None and c.object(meta, "entityMetadata") is not None:
        source_type = c.get(meta, "sourceType", "entityMetadata", required=True)
        if source_type is not None:
            c.string(source_type, "entityMetadata.sourceType", enum=(_SOURCE,))
        path = "entityMetadata.intelligenceOperator"
        source = c.get(meta, "intelligenceOperator", "entityMetadata", required=True)
        if source is not None and c.object(source, path) is not None:
            kept: dict[str, str] = {}
            for key, pattern, required in (
                ("operatorId", None, True),
                ("operatorName", None, False),
                ("field", _FIELD, True),
            ):
                value = c.get(source, key, path, required=required)
                if value is not None and c.string(value, join(path, key), pattern=pattern):
                    kept[key] = value
            out["entityMetadata"] = {"sourceType": _SOURCE, "intelligenceOperator": kept}
    c.raise_if_failed()
    return out
