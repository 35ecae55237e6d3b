"""Insights v3 custom field mappings (insights-v3.md §5), in the shape of twilio 9.13.0.

The SDK is newer than the reference on two points and is followed here:
``entityMetadata`` nests the source, ``{sourceType: INTELLIGENCE_OPERATOR,
intelligenceOperator: {operatorId, operatorName?, field}}`` (the reference has
the three fields flat), and the capacity lives at ``.../CustomFieldMappingsCapacity``
(the web layer also answers the reference's ``.../CustomFieldMappings/Capacity``).

POST is an upsert keyed on (account, category, name) (reference §5.2): 201 new,
200 updated in place (same owner = sourceType + operatorId), 409 code 20052 for
another owner. The SDK's docs instead say an existing name is always a 409 and
updates go through ``PATCH .../{id}`` (``If-Match`` on the ``ETag``, else 412):
PATCH and ETag are served, and the trap ``insights_mapping_post_upserts`` off
gives the SDK's 409. Following the SDK's docs, ``operatorId`` must be an
operator TTID and ``field`` one or two ``.``-separated segments resolving, in the
output schema of the operator's latest ACTIVE version, to a number or integer.
There is no DELETE. Capacity per account is
``Settings.insights_custom_measure_capacity`` (0: the feature is off, the
capacity is ``{}`` and creates answer 400).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .checks import Checker, join
from .errors import Conflict, NotFound, PreconditionFailed, ValidationFailed
from .operators import if_match_matches
from .runtime import Runtime

__all__ = ["MAPPING_PREFIX", "CustomFieldMappings", "etag", "render_mapping"]

MAPPING_PREFIX = "convinsights_mapping"
_KIND = "insights_custom_field_mapping"
_NAME = re.compile(r"[A-Za-z0-9_]+")
_FIELD = re.compile(r"[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)?")
_OPERATOR_ID = re.compile(r"intelligence_operator_[0-7][0-9a-z]{25}")
_SOURCE = "INTELLIGENCE_OPERATOR"

# operator id -> its latest ACTIVE version (None when unknown or none is active).
OperatorResolver = Callable[[str, str], "dict[str, Any] | None"]


class CustomFieldMappings:
    def __init__(self, rt: Runtime, latest_active: OperatorResolver) -> None:
        self.rt = rt
        self.latest_active = latest_active

    def list(self, account: str) -> list[dict[str, Any]]:
        return [render_mapping(doc) for _, doc in self.rt.store.rows(_KIND, account)]

    def fetch(self, account: str, mapping_id: str) -> dict[str, Any]:
        """The stored mapping (``render_mapping`` renders it; ``etag`` its ETag)."""
        rows = self.rt.store.rows(_KIND, account)
        found = next((doc for _, doc in rows if doc["id"] == mapping_id), None)
        if found is None:
            raise NotFound(f"Custom field mapping {mapping_id} not found")
        return found

    def patch(
        self, account: str, mapping_id: str, body: dict[str, Any], if_match: str | None
    ) -> dict[str, Any]:
        """The SDK's update: only ``entityMetadata.intelligenceOperator.field`` changes."""
        old = self.fetch(account, mapping_id)
        if not if_match_matches(if_match, str(old["version"])):
            raise PreconditionFailed(f"If-Match does not match the ETag {etag(old)}")
        c = Checker()
        path = "entityMetadata.intelligenceOperator"
        meta = c.get(body, "entityMetadata", "", required=True)
        source = None if meta is None else c.object(meta, "entityMetadata")
        operator = (
            None
            if source is None
            else c.get(source, "intelligenceOperator", "entityMetadata", required=True)
        )
        if operator is not None and c.object(operator, path) is not None:
            field = c.get(operator, "field", path, required=True)
            if field is not None:
                c.string(field, join(path, "field"), pattern=_FIELD)
        c.raise_if_failed()
        field = body["entityMetadata"]["intelligenceOperator"]["field"]
        owner = old["entityMetadata"]["intelligenceOperator"]
        self._check_field(account, owner["operatorId"], field)
        doc = {**old, "version": int(old["version"]) + 1, "updatedAt": self.rt.timestamp()}
        doc["entityMetadata"] = {
            "sourceType": _SOURCE,
            "intelligenceOperator": {**owner, "field": field},
        }
        self.rt.store.put(_KIND, account, doc["name"], doc)
        return doc

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
            doc.update(createdAt=now, updatedAt=None, version=1)
        else:
            owner = old["entityMetadata"]["intelligenceOperator"]["operatorId"]
            if owner != source["operatorId"]:
                raise Conflict(
                    f"The name '{fields['name']}' is already registered to a different operator.",
                    code=20052,
                )
            if not self.rt.traps.insights_mapping_post_upserts:
                raise Conflict(f"The name '{fields['name']}' is already registered.", code=20052)
            doc = {"id": old["id"], **fields, "createdAt": old["createdAt"], "updatedAt": now}
            doc["version"] = int(old["version"]) + 1
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
        kind = schema.get("type") if isinstance(schema, dict) else None
        if kind not in ("number", "integer"):
            raise ValidationFailed(
                f"entityMetadata.intelligenceOperator.field: {field!r} is not a number or "
                f"integer property in the output schema of {operator_id} version "
                f"{version.get('version')}"
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
                ("operatorId", _OPERATOR_ID, True),
                ("operatorName", None, False),
                ("field", _FIELD, True),
            ):
                value = c.get(source, key, path, required=required)
                if value is not None and c.string(value, join(path, key), pattern=pattern):
                    kept[key] = value
            out["entityMetadata"] = {"sourceType": _SOURCE, "intelligenceOperator": kept}
    c.raise_if_failed()
    return out


def render_mapping(doc: dict[str, Any]) -> dict[str, Any]:
    """The mapping as the API shows it (the version behind the ETag is not a field)."""
    return {key: value for key, value in doc.items() if key != "version"}


def etag(doc: dict[str, Any]) -> str:
    return f'"{doc["version"]}"'
