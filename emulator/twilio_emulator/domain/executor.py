"""A deterministic stand-in for the LLM that runs operators.

Same input, same output, so tests can assert on results. TEXT gives
``{"text": ...}``, CLASSIFICATION a ``{"label": ...}`` and JSON an object that
validates against the operator's (rewritten) ``outputSchema``. Sentiment looks
at the whole conversation so far (gotchas A28): only positive words gives
"positive", only negative "negative", both "mixed", neither "neutral".
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from .twilio_operators import SENTIMENT_ID, SENTIMENT_LABELS

__all__ = ["Execution", "execute"]

_POSITIVE = {
    "great",
    "thanks",
    "thank",
    "good",
    "happy",
    "love",
    "excellent",
    "perfect",
    "awesome",
    "resolved",
}
_NEGATIVE = {
    "bad",
    "angry",
    "terrible",
    "awful",
    "hate",
    "broken",
    "problem",
    "refund",
    "worst",
    "frustrated",
}
_WORD = re.compile(r"[a-z']+")


class Execution:
    """The result of one operator run, plus the billing-style metadata."""

    def __init__(self, output_format: str, result: dict[str, Any], transcript: str) -> None:
        self.output_format = output_format
        self.result = result
        self.input_characters = len(transcript)
        self.output_characters = len(json.dumps(result))


def _digest(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode("utf-8", "replace")).digest()[:4], "big")


def _sentiment(transcript: str) -> str:
    words = set(_WORD.findall(transcript.lower()))
    positive, negative = bool(words & _POSITIVE), bool(words & _NEGATIVE)
    if positive and negative:
        return SENTIMENT_LABELS[3]
    if positive:
        return SENTIMENT_LABELS[0]
    return SENTIMENT_LABELS[1] if negative else SENTIMENT_LABELS[2]


def _labels(operator: dict[str, Any]) -> list[str]:
    enum = operator.get("outputSchema", {}).get("properties", {}).get("label", {}).get("enum")
    if isinstance(enum, list) and enum:
        return [str(v) for v in enum]
    examples = [str(e.get("output", "")) for e in operator.get("trainingExamples", [])]
    return sorted({e for e in examples if e}) or ["UNCLASSIFIED"]


_NO_VALUE = object()


def _value(schema: Any, root: dict[str, Any], seed: int, depth: int = 0) -> Any:
    """A value valid against a (structured-outputs subset) JSON Schema node."""
    if not isinstance(schema, dict) or depth > 20:
        return None
    special = _special(schema, root, seed, depth)
    return _typed(schema, root, seed, depth) if special is _NO_VALUE else special


def _special(schema: dict[str, Any], root: dict[str, Any], seed: int, depth: int) -> Any:
    """References, enums, constants and unions; ``_NO_VALUE`` when none applies."""
    if "$ref" in schema:
        ref = str(schema["$ref"])
        if ref == "#":
            return _value(root, root, seed, depth + 1) if depth < 3 else None
        defs = root.get("$defs") or root.get("definitions") or {}
        return _value(defs.get(ref.rsplit("/", 1)[-1]), root, seed, depth + 1)
    if schema.get("enum"):
        return schema["enum"][seed % len(schema["enum"])]
    if "const" in schema:
        return schema["const"]
    for keyword in ("anyOf", "oneOf"):
        if schema.get(keyword):
            return _value(schema[keyword][0], root, seed, depth + 1)
    return _NO_VALUE


def _typed(schema: dict[str, Any], root: dict[str, Any], seed: int, depth: int) -> Any:
    kind = schema.get("type", "object" if "properties" in schema else "string")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        return {
            name: _value(sub, root, seed + index, depth + 1)
            for index, (name, sub) in enumerate(schema.get("properties", {}).items())
        }
    if kind == "array":
        return [_value(schema.get("items", {}), root, seed, depth + 1)]
    simple: dict[str, Any] = {
        "integer": seed % 6,
        "number": (seed % 100) / 10,
        "boolean": seed % 2 == 0,
        "null": None,
    }
    return simple.get(str(kind), f"emulated-{seed % 10000}")


def execute(
    operator: dict[str, Any],
    transcript: str,
    parameters: dict[str, Any],
    *,
    lowercase_sentiment: bool,
) -> Execution:
    seed = _digest(transcript + json.dumps(parameters, sort_keys=True, default=str))
    fmt = operator["outputFormat"]
    if operator["id"] == SENTIMENT_ID:
        label = _sentiment(transcript)
        return Execution(
            fmt, {"label": label if lowercase_sentiment else label.upper()}, transcript
        )
    if fmt == "TEXT":
        words = transcript.split()
        summary = " ".join(words[:12]) + (" ..." if len(words) > 12 else "")
        text = (
            f"[{operator['displayName']}] {summary}" if summary else f"[{operator['displayName']}]"
        )
        return Execution(fmt, {"text": text}, transcript)
    if fmt == "CLASSIFICATION":
        labels = _labels(operator)
        return Execution(fmt, {"label": labels[seed % len(labels)]}, transcript)
    schema = operator.get("outputSchema", {})
    result = _value(schema, schema, seed)
    return Execution(fmt, result if isinstance(result, dict) else {}, transcript)
