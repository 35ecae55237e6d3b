"""Conversation Insights (Insights v3) queries over the emulated data (insights-v3.md §2, §3).

The cube is built from what the emulator holds: one fact per OperatorResult,
joined with its conversation, plus one fact per conversation that has no result
yet (so ``Conversation.Count`` counts every conversation). A query picks
measures and dimensions from the catalogue (``GET .../Metadata``), keeps the
facts its filters accept, groups them by the dimension values (one row per
distinct combination), aggregates the measures per group, orders and pages.

Custom measures come from the custom field mappings (insights_mappings.py): the
value of the mapped field in the output of the mapped operator's results,
averaged per group. ``properties.timezone`` (docs only, gotchas E20) sets the
zone ``DateCreated`` is cut in (default UTC).

Page tokens carry the query (the GET takes only the token, §2.2): base64 JSON of
the body, the page size and the offset. Each page re-runs the query.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .checks import Checker, join, join_index
from .errors import ValidationFailed
from .insights_mappings import CustomFieldMappings
from .operator_results import RESULT_KIND
from .runtime import Runtime

__all__ = ["DIMENSIONS", "MEASURES", "InsightsQueries"]

_CONVERSATION_KIND = "conversation"
_OPS = ("AND", "OR", "EQ", "NE", "GT", "LT", "IN")
# name -> (type, description): the built-in catalogue (§3).
DIMENSIONS: dict[str, tuple[str, str]] = {
    "Id": ("string", "Conversation id"),
    "DateCreated": ("date", "Day the conversation was created, in properties.timezone"),
    "Channels": ("string", "Channels of the conversation's communications"),
    "Conversation.Status": ("string", "ACTIVE, INACTIVE or CLOSED"),
    "Conversation.ConfigurationId": ("string", "Orchestrator configuration id"),
    "OperatorResults": ("string", "Id of the operator that produced the result"),
    "OperatorResult.Id": ("string", "OperatorResult id"),
    "OperatorResult.Value": ("string", "Label (CLASSIFICATION) or text of the result"),
    "OperatorResult.IntelligenceConfigurationId": ("string", "Configuration of the rule"),
    "OperatorResults.CreatedDate": ("date", "Day the result was created"),
}
MEASURES: dict[str, tuple[str, str, str]] = {
    "Conversation.Count": ("number", "count", "Distinct conversations"),
    "OperatorResult.Count": ("number", "count", "OperatorResults"),
}
_DEFAULT_PAGE_SIZE, _MAX_PAGE_SIZE = 50, 1000

Fact = dict[str, Any]


class InsightsQueries:
    def __init__(self, rt: Runtime, mappings: CustomFieldMappings) -> None:
        self.rt = rt
        self.mappings = mappings

    # -- catalogue ----------------------------------------------------------------------

    def metadata(self, account: str) -> dict[str, Any]:
        measures = [
            {"name": name, "type": kind, "description": text, "aggregation": aggregation}
            for name, (kind, aggregation, text) in MEASURES.items()
        ]
        for mapping in self.mappings.list(account):
            measures.append(
                {
                    "name": mapping["name"],
                    "type": "number",
                    "description": mapping.get("description", "Custom field mapping"),
                    "aggregation": "average",
                }
            )
        dimensions = [
            {"name": name, "type": kind, "description": text}
            for name, (kind, text) in DIMENSIONS.items()
        ]
        cube = {
            "name": "Conversations",
            "description": "Conversations and their OperatorResults",
            "measures": measures,
            "dimensions": dimensions,
        }
        return {"domain": "Conversations", "cubes": [cube]}

    # -- queries --------------------------------------------------------------------------

    def first_page(self, account: str, body: dict[str, Any], page_size: str | None) -> Any:
        size = _page_size(page_size)
        self.check(account, body)
        return self._page(account, body, size, 0)

    def next_page(self, account: str, token: str | None) -> dict[str, Any]:
        if not token:
            raise ValidationFailed("pageToken: must not be null")
        try:
            state = json.loads(base64.urlsafe_b64decode(token.encode()))
            body, size, offset = state["q"], int(state["s"]), int(state["o"])
        except (ValueError, KeyError, TypeError, binascii.Error) as exc:
            raise ValidationFailed("pageToken: not a token this API issued") from exc
        self.check(account, body)
        return self._page(account, body, size, offset)

    def _page(self, account: str, body: dict[str, Any], size: int, offset: int) -> dict[str, Any]:
        rows = self.run(account, body)
        items = rows[offset : offset + size]
        meta: dict[str, Any] = {"key": "items", "pageSize": len(items)}
        if offset + size < len(rows):
            meta["nextToken"] = _token(body, size, offset + size)
        if offset > 0:
            meta["previousToken"] = _token(body, size, max(0, offset - size))
        return {"domain": "Conversations", "items": items, "meta": meta}

    def run(self, account: str, body: dict[str, Any]) -> list[dict[str, Any]]:
        """All result rows of a checked query body."""
        query = body["query"]
        zone = _zone(body)
        custom = {m["name"]: m for m in self.mappings.list(account)}
        facts = [f for f in self._facts(account, zone) if _accepts(query.get("filters"), f)]
        dimensions: list[str] = query.get("dimensions") or []
        measures: list[str] = query.get("measures") or []
        groups: dict[str, list[Fact]] = {}
        for fact in facts:
            key = json.dumps([fact.get(d) for d in dimensions])
            groups.setdefault(key, []).append(fact)
        rows = []
        for members in groups.values():
            row = {d: members[0].get(d) for d in dimensions}
            for name in measures:
                row[name] = _aggregate(name, members, custom.get(name))
            rows.append(row)
        for order in reversed(query.get("orderBy") or []):
            field = order.get("field")
            if field in dimensions or field in measures:
                rows.sort(key=_sort_key(field), reverse=order.get("direction") == "DESC")
        return rows

    def _facts(self, account: str, zone: ZoneInfo) -> list[Fact]:
        results: dict[str, list[dict[str, Any]]] = {}
        for _, doc in self.rt.store.rows(RESULT_KIND, account):
            results.setdefault(doc["conversationId"], []).append(doc)
        facts: list[Fact] = []
        for conversation_id, conversation in self.rt.store.rows(_CONVERSATION_KIND, account):
            base: Fact = {
                "Id": conversation_id,
                "DateCreated": _day(conversation["createdAt"], zone),
                "Channels": sorted(conversation["internal"].get("channels", [])),
                "Conversation.Status": conversation["status"],
                "Conversation.ConfigurationId": conversation["configurationId"],
            }
            docs = results.get(conversation_id, [])
            facts.extend(dict(base, **_result_fields(doc, zone)) for doc in docs)
            if not docs:
                facts.append(base)
        return facts

    # -- validation -------------------------------------------------------------------------

    def check(self, account: str, body: Any) -> None:
        """400 unless ``body`` is a query this catalogue can answer."""
        c = Checker()
        if not isinstance(body, dict):
            raise ValidationFailed("body: must be an object")
        query = c.get(body, "query", "", required=True)
        known = set(DIMENSIONS) | set(MEASURES) | {m["name"] for m in self.mappings.list(account)}
        if query is not None and c.object(query, "query") is not None:
            _names(c, query.get("measures"), "query.measures", known - set(DIMENSIONS))
            _names(c, query.get("dimensions"), "query.dimensions", set(DIMENSIONS))
            if not query.get("measures") and not query.get("dimensions"):
                c.fail("query", "at least one measure or dimension is required")
            _check_filters(c, query.get("filters"), known)
            for obj, path in c.objects(query.get("orderBy") or [], "query.orderBy"):
                if obj.get("direction") is not None:
                    c.string(obj["direction"], join(path, "direction"), enum=("ASC", "DESC"))
        properties = body.get("properties")
        if properties is not None and c.object(properties, "properties") is not None:
            timezone = properties.get("timezone")
            if timezone is not None and c.string(timezone, "properties.timezone") is not None:
                try:
                    ZoneInfo(timezone)
                except (ZoneInfoNotFoundError, ValueError):
                    c.fail("properties.timezone", f"unknown IANA time zone {timezone!r}")
        c.raise_if_failed()


def _names(c: Checker, value: Any, path: str, allowed: set[str]) -> None:
    names = c.array(value, path) if value is not None else []
    for index, name in enumerate(names or []):
        if c.string(name, join_index(path, index)) is not None and name not in allowed:
            c.fail(join_index(path, index), f"unknown name {name!r} (see the Metadata endpoint)")


def _check_filters(c: Checker, value: Any, known: set[str]) -> None:
    if value is None:
        return
    for obj, path in c.objects(value, "query.filters"):
        if obj.get("op") is not None:
            c.string(obj["op"], join(path, "op"), enum=_OPS)
        expressions = c.get(obj, "expressions", path, required=True)
        if expressions is None:
            continue
        for expression, item_path in c.objects(expressions, join(path, "expressions")):
            op = c.get(expression, "op", item_path, required=True)
            if op is not None:
                c.string(op, join(item_path, "op"), enum=_OPS[2:])
            field = c.get(expression, "field", item_path, required=True)
            good = field is not None and c.string(field, join(item_path, "field")) is not None
            if good and field not in known:
                c.fail(join(item_path, "field"), f"unknown field {field!r}")
            values = expression.get("values")
            if values is not None:
                for index, item in enumerate(c.array(values, join(item_path, "values")) or []):
                    c.string(item, join_index(join(item_path, "values"), index))


# -- evaluation ---------------------------------------------------------------------------


def _accepts(filters: list[dict[str, Any]] | None, fact: Fact) -> bool:
    """Filters combine with AND; each joins its expressions with its own op (default AND)."""
    for flt in filters or []:
        outcomes = [_holds(e, fact) for e in flt["expressions"]]
        ok = any(outcomes) if flt.get("op") == "OR" else all(outcomes)
        if not ok:
            return False
    return True


def _holds(expression: dict[str, Any], fact: Fact) -> bool:
    op, values = expression["op"], [str(v) for v in expression.get("values") or []]
    actual = fact.get(expression["field"])
    candidates = actual if isinstance(actual, list) else [actual]
    present = [str(v) for v in candidates if v is not None]
    tests: dict[str, Callable[[str], bool]] = {
        "EQ": lambda v: bool(values) and v == values[0],
        "IN": lambda v: v in values,
        "GT": lambda v: bool(values) and _compare(v, values[0]) > 0,
        "LT": lambda v: bool(values) and _compare(v, values[0]) < 0,
    }
    if op == "NE":
        return not any(v == values[0] for v in present) if values else True
    return any(tests[op](v) for v in present)


def _compare(left: str, right: str) -> int:
    try:
        a, b = float(left), float(right)
    except ValueError:
        return (left > right) - (left < right)
    return (a > b) - (a < b)


def _aggregate(name: str, members: list[Fact], mapping: dict[str, Any] | None) -> Any:
    if name == "Conversation.Count":
        return len({m["Id"] for m in members})
    if name == "OperatorResult.Count":
        return sum(1 for m in members if m.get("OperatorResult.Id"))
    if mapping is None:  # cannot happen: every other measure checked is a custom one
        return None
    source = mapping["entityMetadata"]["intelligenceOperator"]
    numbers = [
        value
        for m in members
        if m.get("OperatorResults") == source["operatorId"]
        for value in [_field(m.get("_result"), source["field"])]
        if isinstance(value, (int, float)) and not isinstance(value, bool)
    ]
    return sum(numbers) / len(numbers) if numbers else None


def _field(result: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(result, dict):
            return None
        result = result.get(part)
    return result


def _result_fields(doc: dict[str, Any], zone: ZoneInfo) -> Fact:
    result = doc.get("result") or {}
    value = result.get("label", result.get("text")) if isinstance(result, dict) else result
    return {
        "OperatorResults": doc["operator"]["id"],
        "OperatorResult.Id": doc["id"],
        "OperatorResult.Value": value if isinstance(value, str) else json.dumps(result),
        "OperatorResult.IntelligenceConfigurationId": doc["intelligenceConfiguration"]["id"],
        "OperatorResults.CreatedDate": _day(doc["dateCreated"], zone),
        "_result": result,
    }


def _sort_key(field: str) -> Callable[[dict[str, Any]], Any]:
    def key(row: dict[str, Any]) -> Any:
        value = row.get(field)
        return (value is None, json.dumps(value) if not isinstance(value, (int, float)) else value)

    return key


def _day(timestamp: str, zone: ZoneInfo) -> str:
    moment = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    return moment.astimezone(zone).date().isoformat()


def _zone(body: dict[str, Any]) -> ZoneInfo:
    return ZoneInfo((body.get("properties") or {}).get("timezone") or "UTC")


def _page_size(raw: str | None) -> int:
    if raw is None:
        return _DEFAULT_PAGE_SIZE
    try:
        size = int(raw)
    except ValueError:
        size = 0
    if not 1 <= size <= _MAX_PAGE_SIZE:
        raise ValidationFailed(f"pageSize: must be between 1 and {_MAX_PAGE_SIZE}")
    return size


def _token(body: dict[str, Any], size: int, offset: int) -> str:
    raw = json.dumps({"q": body, "s": size, "o": offset}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode()
