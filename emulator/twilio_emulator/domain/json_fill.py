"""Fill a JSON operator's ``outputSchema`` from the conversation.

The schema is the structured-outputs subset Twilio stores (object, array,
string, number, integer, boolean, null, enum, const, anyOf, $defs/$ref). Each
value is read from the conversation, guided by the property's name:

- strings: the sentence that the property's name is about (a ``summary``
  property gets the summary; a ``reason`` or ``explanation`` the sentence that
  weighs most in the verdict);
- numbers and integers: a point between the declared ``minimum`` and
  ``maximum`` (else 0 and the operator's ``scale`` parameter, else 0 to 10),
  high for a happy conversation, or for an unhappy one when the name says risk,
  churn, urgency...; counts of messages are counted;
- enums: a low/medium/high scale follows the same reading, sentiment words the
  conversation's sentiment, anything else the value closest to what was said;
- booleans: true when the conversation talks about the property's subject.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .language import POLAR, Sentence, best_match, content_stems

__all__ = ["Context", "fill"]

_MAX_DEPTH = 24
_NEGATIVE_NAMES = content_stems(
    "risk churn churning cancel cancellation escalation escalate urgency urgent severity "
    "complaint anger angry frustration frustrated problem issue negative negativity effort "
    "priority upset"
)
_POSITIVE_BOOLEANS = content_stems(
    "resolved resolution solved satisfied satisfaction happy success successful positive recommend"
)
_COUNT_NAMES = content_stems("count number total messages turns sentences questions")
_SUMMARY_NAMES = content_stems("summary summarise summarize overview synopsis recap")
_VERDICT_NAMES = content_stems("reason explanation rationale why justification cause evidence")
_ORDINAL = {
    "none": 0,
    "very low": 1,
    "very_low": 1,
    "minimal": 1,
    "low": 2,
    "minor": 2,
    "medium": 3,
    "moderate": 3,
    "normal": 3,
    "high": 4,
    "major": 4,
    "very high": 5,
    "very_high": 5,
    "critical": 6,
    "urgent": 6,
    "severe": 6,
}
_SENTIMENT_ORDER = {"negative": 0, "mixed": 1, "neutral": 2, "positive": 3}


@dataclass
class Context:
    """What the filler reads: the conversation, the run's parameters, its summary."""

    sentences: Sequence[Sentence]
    parameters: dict[str, Any]
    summary: str
    words: frozenset[str] = field(init=False)
    tone: float = field(init=False)  # recency-weighted sentiment in [-1, 1]

    def __post_init__(self) -> None:
        self.words = frozenset().union(*(s.stems for s in self.sentences))
        weighted = [(s.index + 1, s.compound) for s in self.sentences if s.compound]
        total = sum(w for w, _ in weighted)
        self.tone = sum(w * c for w, c in weighted) / total if total else 0.0

    def reading(self, name: str) -> float:
        """Where in [0, 1] a value named ``name`` sits for this conversation."""
        positivity = (self.tone + 1) / 2
        return 1 - positivity if content_stems(name) & _NEGATIVE_NAMES else positivity

    def sentence_for(self, name: str) -> str:
        """The sentence a string property named ``name`` is about."""
        if not self.sentences:
            return self.summary
        stems = content_stems(name)
        if stems & _SUMMARY_NAMES:
            return self.summary
        about = [s for s in self.sentences if s.stems & stems and not stems <= _VERDICT_NAMES]
        if about:
            return max(about, key=lambda s: (len(s.stems & stems), -s.index)).text
        # The sentence that weighs most in the verdict: the most negative one for an
        # unhappy reading, the most positive for a happy one; ties to the earliest.
        sign = -1.0 if self.reading(name) < 0.5 or stems & _NEGATIVE_NAMES else 1.0
        if self.tone == 0.0 and not stems & _NEGATIVE_NAMES:
            sign = 1.0 if any(s.compound > 0 for s in self.sentences) else -1.0
        best = max(self.sentences, key=lambda s: (sign * s.compound, len(s.stems), -s.index))
        return best.text


def fill(schema: Any, context: Context) -> Any:
    """A value valid against ``schema`` (the root of the output schema), read from
    the conversation."""
    root = schema if isinstance(schema, dict) else {}
    return _Filler(root, context).value(root, "", 0)


class _Filler:
    def __init__(self, root: dict[str, Any], context: Context) -> None:
        self.root = root
        self.context = context

    def value(self, schema: Any, name: str, depth: int) -> Any:
        if not isinstance(schema, dict):
            return None
        if "$ref" in schema:
            return self._ref(str(schema["$ref"]), name, depth)
        if "const" in schema:
            return schema["const"]
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            return self._enum(schema["enum"], name)
        for keyword in ("anyOf", "oneOf"):
            branches = schema.get(keyword)
            if isinstance(branches, list) and branches:
                return self.value(self._branch(branches, depth), name, depth + 1)
        return self._typed(schema, name, depth)

    def _ref(self, ref: str, name: str, depth: int) -> Any:
        if depth > _MAX_DEPTH:
            return None
        if ref == "#":
            return self.value(self.root, name, depth + 1)
        defs = self.root.get("$defs") or self.root.get("definitions") or {}
        return self.value(defs.get(ref.rsplit("/", 1)[-1]), name, depth + 1)

    @staticmethod
    def _branch(branches: list[Any], depth: int) -> Any:
        """A branch with content; deep in a recursive schema, the null branch if any."""

        def is_null(branch: Any) -> bool:
            return isinstance(branch, dict) and branch.get("type") == "null"

        if depth > _MAX_DEPTH // 2:
            return next((b for b in branches if is_null(b)), branches[0])
        return next((b for b in branches if not is_null(b)), branches[0])

    def _typed(self, schema: dict[str, Any], name: str, depth: int) -> Any:
        kind = schema.get("type", "object" if "properties" in schema else "string")
        if isinstance(kind, list):
            nullable = "null" in kind
            kind = next((k for k in kind if k != "null"), "null")
            if nullable and depth > _MAX_DEPTH // 2:
                kind = "null"
        if kind == "object":
            return {
                key: self.value(sub, key, depth + 1)
                for key, sub in schema.get("properties", {}).items()
            }
        if kind == "array":
            return self._array(schema, name, depth)
        if kind in ("integer", "number"):
            return self._number(schema, name, integer=kind == "integer")
        if kind == "boolean":
            return self._boolean(name)
        if kind == "null":
            return None
        return self.context.sentence_for(name)

    def _array(self, schema: dict[str, Any], name: str, depth: int) -> list[Any]:
        items = schema.get("items", {})
        low = int(schema.get("minItems", 0) or 0)
        high = schema.get("maxItems")
        string_items = (
            isinstance(items, dict)
            and items.get("type") == "string"
            and not ({"enum", "const", "$ref", "anyOf", "oneOf"} & set(items))
        )
        values: list[Any] = []
        if string_items:
            # The sentences the property is about, in order; at least one.
            stems = content_stems(name)
            values.extend(s.text for s in self.context.sentences if s.stems & stems)
            del values[3:]
            values = values or [self.context.sentence_for(name)]
        elif depth <= _MAX_DEPTH // 2:
            values.append(self.value(items, name, depth + 1))
        if low > 0:
            base = list(values) or [self.value(items, name, depth + 1)]
            while len(values) < low:
                values.append(base[len(values) % len(base)])
        if isinstance(high, int) and not isinstance(high, bool) and high >= 0:
            values = values[:high]
        return values

    def _enum(self, values: list[Any], name: str) -> Any:
        lowered = [str(v).strip().lower() for v in values]
        reading = self.context.reading(name)
        if all(isinstance(v, str) for v in values):
            if set(lowered) <= set(_SENTIMENT_ORDER):
                return _by_reading(values, [_SENTIMENT_ORDER[v] for v in lowered], reading)
            if set(lowered) <= set(_ORDINAL):
                return _by_reading(values, [_ORDINAL[v] for v in lowered], reading)
            label, _ = best_match(self.context.words, [(str(v), []) for v in values])
            return values[[str(v) for v in values].index(label)]
        numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
        if len(numbers) == len(values):
            return _by_reading(values, [float(v) for v in numbers], reading)
        return values[0]

    def _boolean(self, name: str) -> bool:
        stems = content_stems(name)
        if stems & _POSITIVE_BOOLEANS:
            return self.context.tone >= 0.05 and not self._ends_unhappy()
        if stems & _NEGATIVE_NAMES:
            return self.context.tone <= -0.05 or self._ends_unhappy()
        return bool(stems & self.context.words)

    def _ends_unhappy(self) -> bool:
        return bool(self.context.sentences) and self.context.sentences[-1].compound <= -POLAR

    def _number(self, schema: dict[str, Any], name: str, *, integer: bool) -> float | int:
        low, high = _bounds(schema, self.context.parameters, integer=integer)
        if content_stems(name) & _COUNT_NAMES:
            target = float(len({s.turn for s in self.context.sentences}))
        else:
            target = low + self.context.reading(name) * (high - low)
        step = schema.get("multipleOf")
        return _fit(target, low, high, step, integer=integer)


def _bounds(
    schema: dict[str, Any], parameters: dict[str, Any], *, integer: bool
) -> tuple[float, float]:
    """The closed range a value may take: declared bounds, else 0 to ``scale`` (or 10)."""

    def number(key: str) -> float | None:
        value = schema.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        return float(value)

    unit = 1.0 if integer else 0.01
    low, high = number("minimum"), number("maximum")
    exclusive_low, exclusive_high = number("exclusiveMinimum"), number("exclusiveMaximum")
    if exclusive_low is not None and (low is None or exclusive_low >= low):
        low = math.floor(exclusive_low) + 1.0 if integer else exclusive_low + unit
    if exclusive_high is not None and (high is None or exclusive_high <= high):
        high = math.ceil(exclusive_high) - 1.0 if integer else exclusive_high - unit
    scale = parameters.get("scale")
    if high is None:
        start = low if low is not None else 0.0
        if isinstance(scale, int | float) and not isinstance(scale, bool) and scale > start:
            high = float(scale)
        else:
            high = start + 10.0
    if low is None:
        low = min(0.0, high - 10.0)
    if integer:
        low, high = float(math.ceil(low)), float(math.floor(high))
    return low, max(low, high)


def _fit(target: float, low: float, high: float, step: Any, *, integer: bool) -> float | int:
    value = min(high, max(low, target))
    if isinstance(step, int | float) and not isinstance(step, bool) and step > 0:
        first, last = math.ceil(low / step), math.floor(high / step)
        if first <= last:
            multiple = min(last, max(first, round(value / step))) * step
            return int(multiple) if integer else multiple
    if integer:
        return round(value) if low <= round(value) <= high else int(low)
    rounded = round(value, 2)
    return rounded if low <= rounded <= high else value


def _by_reading(values: list[Any], ranks: Sequence[float], reading: float) -> Any:
    """The value whose rank sits where ``reading`` (0 to 1) points on the ranks' scale."""
    order = sorted(range(len(values)), key=lambda i: (ranks[i], i))
    return values[order[min(len(order) - 1, int(reading * len(order)))]]
