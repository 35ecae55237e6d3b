"""A deterministic stand-in for the LLM that runs operators.

Same conversation, same output, so tests can assert on results; and the output
agrees with what was said, so a person reading the results recognises the
conversation in them:

- Sentiment (Twilio's operator, and any classification whose labels are
  sentiment words) scores each sentence with VADER and looks at the whole
  conversation so far (gotchas A28): clearly positive and clearly negative
  sentences together give "mixed", only one kind gives that kind, and with
  neither the conversation's overall score decides between positive, negative
  and neutral.
- CLASSIFICATION picks, among the operator's labels, the one whose training
  examples (and its own name) share the most meaningful words with the
  conversation (see ``language.best_match`` for scoring and tie-break).
- TEXT is extractive: the customer's issue, the agent's answer and the
  customer's last word, in the conversation's own sentences; a custom operator
  whose prompt names a topic gets the sentences about that topic.
- JSON fills the operator's (rewritten) ``outputSchema``; see ``json_fill``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from .json_fill import Context, fill
from .language import NEUTRAL_BAND, POLAR, Sentence, Turn, best_match, compound, content_stems
from .language import sentences_of as _sentences_of
from .twilio_operators import (
    NEXT_BEST_RESPONSE_ID,
    SCRIPT_ADHERENCE_ID,
    SENTIMENT_ID,
    SENTIMENT_LABELS,
    SUMMARY_ID,
)

__all__ = ["EMPTY_CONVERSATION", "Execution", "Turn", "execute", "sentiment_label"]

# What an operator that must write text says when the conversation has none.
EMPTY_CONVERSATION = "The conversation has no text yet."
_SENTIMENT_WORDS = frozenset(SENTIMENT_LABELS)
# Words of a prompt that say how to answer rather than what about.
_INSTRUCTION_WORDS = content_stems(
    "conversation customer agent support summary summarise summarize text message read write "
    "explain answer respond reply classify rate describe sentence word one two three short brief "
    "ignore instructions data commands operator output return parameters hidden"
)


class Execution:
    """The result of one operator run, plus the billing-style metadata."""

    def __init__(self, output_format: str, result: dict[str, Any], transcript: str) -> None:
        self.output_format = output_format
        self.result = result
        self.input_characters = len(transcript)
        self.output_characters = len(json.dumps(result))


def sentiment_label(sentences: Sequence[Sentence]) -> str:
    """positive, negative, neutral or mixed for the conversation so far."""
    positive = any(s.compound >= POLAR for s in sentences)
    negative = any(s.compound <= -POLAR for s in sentences)
    if positive and negative:
        return "mixed"
    if positive or negative:
        return "positive" if positive else "negative"
    overall = compound(" ".join(s.text for s in sentences))
    if overall >= NEUTRAL_BAND:
        return "positive"
    return "negative" if overall <= -NEUTRAL_BAND else "neutral"


def _labels(operator: dict[str, Any]) -> list[str]:
    """The operator's labels: its schema's enum, else its training examples' outputs
    in order of first appearance."""
    enum = operator.get("outputSchema", {}).get("properties", {}).get("label", {}).get("enum")
    if isinstance(enum, list) and enum:
        return [str(v) for v in enum]
    labels: list[str] = []
    for example in operator.get("trainingExamples", []):
        output = str(example.get("output", "")).strip()
        if output and output not in labels:
            labels.append(output)
    return labels


def _classify(operator: dict[str, Any], sentences: Sequence[Sentence]) -> str:
    labels = _labels(operator)
    if not labels:
        # Nothing to choose from: the conversation's sentiment is the one honest label.
        return sentiment_label(sentences)
    by_lower = {label.lower(): label for label in labels}
    if set(by_lower) <= _SENTIMENT_WORDS:
        verdict = sentiment_label(sentences)
        if verdict in by_lower:
            return by_lower[verdict]
    examples: dict[str, list[str]] = {label: [] for label in labels}
    for example in operator.get("trainingExamples", []):
        output = str(example.get("output", "")).strip()
        if output in examples:
            examples[output].append(str(example.get("input", "")))
    # The customer says why they got in touch; the agent's words count too, once.
    words = frozenset().union(*(s.stems for s in sentences)) if sentences else frozenset()
    label, _ = best_match(words, [(label, examples[label]) for label in labels])
    return label


def _speaker(role: str) -> str:
    if role == "CUSTOMER":
        return "Customer"
    if role in ("HUMAN_AGENT", "AI_AGENT", "AGENT"):
        return "Agent"
    return ""


def render(sentences: Sequence[Sentence]) -> str:
    """Sentences in conversation order, each run of one speaker introduced by its role."""
    parts: list[str] = []
    previous: str | None = None
    for sentence in sorted(sentences, key=lambda s: s.index):
        speaker = _speaker(sentence.role)
        text = sentence.text if sentence.text[-1] in ".!?" else sentence.text + "."
        parts.append(f"{speaker}: {text}" if speaker and speaker != previous else text)
        previous = speaker
    return " ".join(parts)


def _weight(sentence: Sentence) -> float:
    """How much a sentence says: its meaningful words, plus its emotional weight."""
    return len(sentence.stems) + 2 * abs(sentence.compound)


def summary(sentences: Sequence[Sentence]) -> str:
    """An extractive summary: the customer's issue, the agent's answer, the outcome."""
    if not sentences:
        return EMPTY_CONVERSATION
    customer = [s for s in sentences if s.from_customer]
    agent = [s for s in sentences if s.from_agent]
    if not customer and not agent:
        count = 1 if len(sentences) <= 2 else 2 if len(sentences) <= 6 else 3
        ranked = sorted(sentences, key=lambda s: (-_weight(s), s.index))
        return render(ranked[:count])
    chosen: list[Sentence] = []
    if customer:
        first_turn = customer[0].turn
        chosen.append(
            max((s for s in customer if s.turn == first_turn), key=lambda s: (_weight(s), -s.index))
        )
    after = [s for s in agent if not chosen or s.index > chosen[0].index] or agent
    if after:
        chosen.append(max(after, key=lambda s: (_weight(s), -s.index)))
    last = customer[-1] if customer else None
    if last is not None and last not in chosen and last.index > max(s.index for s in chosen):
        chosen.append(last)
    return render(chosen)


def _relevant_text(operator: dict[str, Any], sentences: Sequence[Sentence]) -> str:
    """A custom TEXT operator: the sentences about what its prompt asks, else a summary."""
    query = (
        content_stems(
            " ".join(
                [
                    str(operator.get("displayName", "")),
                    str(operator.get("description") or ""),
                    str(operator.get("prompt") or ""),
                    *(str(e.get("input", "")) for e in operator.get("trainingExamples", [])),
                ]
            )
        )
        - _INSTRUCTION_WORDS
    )
    scored = [(len(s.stems & query), s) for s in sentences]
    relevant = [s for score, s in sorted(scored, key=lambda p: (-p[0], p[1].index)) if score]
    return render(relevant[:3]) if relevant else summary(sentences)


def next_best_response(sentences: Sequence[Sentence]) -> str:
    """What the agent could say next, given the customer's last message."""
    customer = [s for s in sentences if s.from_customer] or [
        s for s in sentences if not s.from_agent
    ]
    if not customer:
        return "Hello! How can I help you today?"
    last_turn = [s for s in customer if s.turn == customer[-1].turn]
    tone = sentiment_label(last_turn)
    if tone in ("negative", "mixed"):
        return (
            "I am sorry about this, and I understand your frustration. "
            "Let me put it right for you straight away."
        )
    if any(s.text.endswith("?") for s in last_turn):
        return "Good question. Let me check that for you right now."
    if tone == "positive":
        return "You're welcome! Is there anything else I can help you with today?"
    return "Thank you for the details. Let me look into this for you."


def _scale(parameters: dict[str, Any], default: int) -> int:
    value = parameters.get("scale", default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 1:
        return default
    return int(value)


def script_adherence(sentences: Sequence[Sentence], parameters: dict[str, Any]) -> dict[str, Any]:
    """Score the agent: did they answer each customer message, kindly, and did it end well."""
    scale = _scale(parameters, 5)
    agent_turns = sorted({s.turn for s in sentences if s.from_agent})
    if not agent_turns:
        return {"score": 0, "explanation": "The agent did not reply in this conversation."}
    # Customer messages the agent had the chance to answer: all but a closing one.
    last_turn = max(s.turn for s in sentences)
    customer_turns = sorted({s.turn for s in sentences if s.from_customer and s.turn < last_turn})
    answered = sum(1 for t in customer_turns if any(a > t for a in agent_turns))
    answer_rate = answered / len(customer_turns) if customer_turns else 1.0
    agent = [s for s in sentences if s.from_agent]
    courtesy = (sum(max(0.0, s.compound) for s in agent) / len(agent) + 1) / 2
    customer = [s for s in sentences if s.from_customer]
    outcome = (customer[-1].compound + 1) / 2 if customer else 0.5
    score = min(scale, max(0, round(scale * (answer_rate + courtesy + outcome) / 3)))
    best = max(agent, key=lambda s: (_weight(s), -s.index))
    explanation = (
        f"The agent replied to {answered} of {len(customer_turns)} customer messages, "
        f'for example: "{best.text}"'
    )
    if customer:
        explanation += f' The customer ended with: "{customer[-1].text}"'
    return {"score": score, "explanation": explanation}


def execute(
    operator: dict[str, Any],
    conversation: Sequence[Turn],
    parameters: dict[str, Any],
    *,
    lowercase_sentiment: bool,
) -> Execution:
    """Run ``operator`` on the conversation so far (its communications, in order)."""
    transcript = "\n".join(turn.text for turn in conversation)
    sentences = _sentences_of(conversation)
    fmt = operator["outputFormat"]
    result: dict[str, Any]
    if operator["id"] == SENTIMENT_ID:
        label = sentiment_label(sentences)
        result = {"label": label if lowercase_sentiment else label.upper()}
    elif operator["id"] == SUMMARY_ID:
        result = {"text": summary(sentences)}
    elif operator["id"] == NEXT_BEST_RESPONSE_ID:
        result = {"text": next_best_response(sentences)}
    elif operator["id"] == SCRIPT_ADHERENCE_ID:
        result = script_adherence(sentences, parameters)
    elif fmt == "TEXT":
        result = {"text": _relevant_text(operator, sentences)}
    elif fmt == "CLASSIFICATION":
        result = {"label": _classify(operator, sentences)}
    else:
        schema = operator.get("outputSchema", {})
        context = Context(sentences=sentences, parameters=parameters, summary=summary(sentences))
        filled = fill(schema, context)
        result = filled if isinstance(filled, dict) else {}
    return Execution(fmt, result, transcript)
