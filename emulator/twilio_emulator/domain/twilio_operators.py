"""The four Twilio-authored operators pre-seeded in every account.

Ids are the ones the seed guide lists (gotchas A11). The guide gives only the
Sentiment labels; the other formats are a judgement from the guide's use-case
table: Summary and Next Best Response produce text, Script Adherence a score
with an explanation (the spec's own JSON example is a script-adherence
operator). Prompts are placeholders: the API never shows them.
"""

from __future__ import annotations

from typing import Any

from .output_schema import generated_schema

__all__ = [
    "NEXT_BEST_RESPONSE_ID",
    "SCRIPT_ADHERENCE_ID",
    "SENTIMENT_ID",
    "SENTIMENT_LABELS",
    "SUMMARY_ID",
    "TWILIO_OPERATORS",
]

SENTIMENT_ID = "intelligence_operator_01kcrvw16kfa88qvgrfmr7y151"
SUMMARY_ID = "intelligence_operator_01kcv35pnkeysaf6z6cqtbpegn"
NEXT_BEST_RESPONSE_ID = "intelligence_operator_01kea27sy7ffsafmtsfp17nzx4"
SCRIPT_ADHERENCE_ID = "intelligence_operator_01kf34tcyefpyb1t4m0nbd8rxg"

SENTIMENT_LABELS = ["positive", "negative", "neutral", "mixed"]


def _context(memory: bool, knowledge: bool) -> dict[str, Any]:
    return {"memory": {"enabled": memory}, "knowledge": {"enabled": knowledge}}


TWILIO_OPERATORS: list[dict[str, Any]] = [
    {
        "id": SENTIMENT_ID,
        "displayName": "Sentiment",
        "description": "Classifies the sentiment of the whole conversation so far.",
        "prompt": "(hidden)",
        "outputFormat": "CLASSIFICATION",
        "outputSchema": generated_schema("label", SENTIMENT_LABELS),
        "trainingExamples": [],
        "context": _context(False, False),
        "parameters": {},
    },
    {
        "id": SUMMARY_ID,
        "displayName": "Summary",
        "description": "Summarises the conversation.",
        "prompt": "(hidden)",
        "outputFormat": "TEXT",
        "outputSchema": generated_schema("text"),
        "trainingExamples": [],
        "context": _context(False, False),
        "parameters": {},
    },
    {
        "id": NEXT_BEST_RESPONSE_ID,
        "displayName": "Next Best Response",
        "description": "Suggests the agent's next response.",
        "prompt": "(hidden)",
        "outputFormat": "TEXT",
        "outputSchema": generated_schema("text"),
        "trainingExamples": [],
        "context": _context(True, True),
        "parameters": {},
    },
    {
        "id": SCRIPT_ADHERENCE_ID,
        "displayName": "Script Adherence",
        "description": "Scores how closely the agent followed the script.",
        "prompt": "(hidden)",
        "outputFormat": "JSON",
        "outputSchema": {
            "type": "object",
            "properties": {"score": {"type": "integer"}, "explanation": {"type": "string"}},
            "required": ["score", "explanation"],
            "additionalProperties": False,
        },
        "trainingExamples": [],
        "context": _context(False, True),
        "parameters": {
            "scale": {
                "type": "INTEGER",
                "default": 5,
                "required": False,
                "description": "Maximum score.",
            }
        },
    },
]
