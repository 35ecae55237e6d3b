"""The emulator's operator executor: deterministic, and its results agree with the conversation.

Example-based tests pin what a person would expect (an angry delivery complaint is negative and
about delivery); property-based tests check that every result validates against the operator's
output schema (as Twilio stores it) and that every free string comes from the conversation.
"""

from __future__ import annotations

import copy
import string
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator  # type: ignore[import-untyped,unused-ignore]
from twilio_emulator.domain.checks import Checker
from twilio_emulator.domain.executor import EMPTY_CONVERSATION, Turn, execute, summary
from twilio_emulator.domain.language import sentences_of
from twilio_emulator.domain.output_schema import rewrite_output_schema
from twilio_emulator.domain.twilio_operators import (
    NEXT_BEST_RESPONSE_ID,
    SCRIPT_ADHERENCE_ID,
    SENTIMENT_ID,
    SENTIMENT_LABELS,
    SUMMARY_ID,
    TWILIO_OPERATORS,
)

from tests.unit.strategies import draw_root_object

TWILIO = {operator["id"]: operator for operator in TWILIO_OPERATORS}
CONTACT_REASON: dict[str, Any] = {
    "id": "intelligence_operator_01aaaaaaaaaaaaaaaaaaaaaaaa",
    "displayName": "contact-reason",
    "prompt": "Classify why the customer contacted support.",
    "outputFormat": "CLASSIFICATION",
    "outputSchema": {
        "type": "object",
        "properties": {"label": {"type": "string"}},
        "required": ["label"],
        "additionalProperties": False,
    },
    "trainingExamples": [
        {"input": "Why was I charged twice?", "output": "billing"},
        {"input": "My parcel never arrived.", "output": "delivery"},
        {"input": "The app crashes when I log in.", "output": "technical"},
        {"input": "Do you have a store in Lyon?", "output": "other"},
    ],
}


def classifier(examples: dict[str, str]) -> dict[str, Any]:
    """CONTACT_REASON trained on ``{input: output}`` instead of its own examples."""
    return dict(
        CONTACT_REASON,
        trainingExamples=[{"input": text, "output": label} for text, label in examples.items()],
    )


def customer(text: str) -> Turn:
    return Turn(text=text, role="CUSTOMER")


def agent(text: str) -> Turn:
    return Turn(text=text, role="HUMAN_AGENT")


def run(operator: dict[str, Any], *turns: Turn, **parameters: Any) -> dict[str, Any]:
    return execute(operator, list(turns), parameters, lowercase_sentiment=True).result


def stored(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema as Twilio stores it (and the emulator runs it)."""
    checker = Checker()
    rewritten = rewrite_output_schema(copy.deepcopy(schema), checker)
    assert rewritten is not None, checker.violations
    result: dict[str, Any] = rewritten
    return result


def json_operator(schema: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "id": "intelligence_operator_01bbbbbbbbbbbbbbbbbbbbbbbb",
        "displayName": "custom",
        "prompt": "Read the conversation.",
        "outputFormat": "JSON",
        "outputSchema": stored(schema),
        "trainingExamples": [],
        **extra,
    }


# --- sentiment ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("My delivery is three weeks late and I am furious.", "negative"),
        ("This is the worst service, I hate it.", "negative"),
        ("Thanks, that is great, I appreciate it.", "positive"),
        ("I love this, you were very helpful!", "positive"),
        ("My order number is 12345.", "neutral"),
        ("The parcel is at the depot.", "neutral"),
    ],
)
def test_sentiment_of_clear_texts(text: str, label: str) -> None:
    assert run(TWILIO[SENTIMENT_ID], customer(text)) == {"label": label}


def test_sentiment_is_mixed_when_both_are_said_and_follows_the_case_trap() -> None:
    turns = [customer("I am furious, this is terrible."), customer("Thanks, you are great.")]
    assert run(TWILIO[SENTIMENT_ID], *turns) == {"label": "mixed"}
    upper = execute(TWILIO[SENTIMENT_ID], turns, {}, lowercase_sentiment=False).result
    assert upper == {"label": "MIXED"}


def test_custom_classification_with_sentiment_labels_uses_sentiment() -> None:
    operator = classifier({"great": "Positive", "awful": "Negative"})
    assert run(operator, customer("I am really angry about the broken screen.")) == {
        "label": "Negative"
    }


# --- classification -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("My delivery is three weeks late and I am furious.", "delivery"),
        ("The package has not arrived yet, where is it?", "delivery"),
        ("Why was I charged twice this month?", "billing"),
        ("There is a charge on my bill I do not recognise.", "billing"),
        ("The app crashes every time I open it.", "technical"),
        ("I cannot log in to the app.", "technical"),
        ("What are your opening hours on Sunday?", "other"),
    ],
)
def test_contact_reason_follows_the_training_examples(text: str, label: str) -> None:
    assert run(CONTACT_REASON, customer(text)) == {"label": label}


def test_classification_ties_break_on_label_order() -> None:
    operator = classifier({"alpha": "first", "beta": "second"})
    # Nothing matches and there is no catch-all label: the first label, every time.
    assert run(operator, customer("Completely unrelated words here.")) == {"label": "first"}
    assert run(operator, customer("alpha beta")) == {"label": "first"}
    assert run(operator, customer("beta")) == {"label": "second"}


# --- text ---------------------------------------------------------------------------------------
def test_summary_is_the_issue_the_answer_and_the_outcome() -> None:
    turns = [
        customer("Why was I charged twice this month?"),
        agent("You were not: the second line is a refund. It shows tomorrow."),
        customer("Great, thank you."),
    ]
    assert run(TWILIO[SUMMARY_ID], *turns) == {
        "text": "Customer: Why was I charged twice this month? "
        "Agent: You were not: the second line is a refund. Customer: Great, thank you."
    }
    assert run(TWILIO[SUMMARY_ID]) == {"text": EMPTY_CONVERSATION}


def test_custom_text_operator_quotes_what_its_prompt_asks_about() -> None:
    operator = {
        "id": "intelligence_operator_01cccccccccccccccccccccccc",
        "displayName": "Refund mentions",
        "prompt": "Quote what was said about refunds.",
        "outputFormat": "TEXT",
        "trainingExamples": [],
    }
    turns = [
        customer("Hello there. I want my money back."),
        agent("Your refund was issued yesterday."),
    ]
    assert run(operator, *turns) == {"text": "Agent: Your refund was issued yesterday."}


def test_next_best_response_answers_the_customers_last_message() -> None:
    operator = TWILIO[NEXT_BEST_RESPONSE_ID]
    angry = run(operator, customer("This is terrible, I am furious."))["text"]
    assert angry.startswith("I am sorry")
    question = run(operator, customer("Can I change my delivery address?"))["text"]
    assert "check" in question
    thanks = run(operator, customer("Thanks, that is great."))["text"]
    assert thanks.startswith("You're welcome")
    assert run(operator)["text"].startswith("Hello")


def test_script_adherence_scores_within_the_scale_and_quotes_the_agent() -> None:
    operator = TWILIO[SCRIPT_ADHERENCE_ID]
    good = run(
        operator,
        customer("My parcel is late."),
        agent("I am sorry, I have sent a new one today. Thank you for your patience!"),
        customer("Thanks, that is great."),
        scale=5,
    )
    bad = run(operator, customer("My parcel is late."), customer("Hello? This is awful."))
    assert 4 <= good["score"] <= 5
    assert good["explanation"] == (
        'The agent replied to 1 of 1 customer messages, for example: "I am sorry, I have sent a '
        'new one today." The customer ended with: "Thanks, that is great."'
    )
    assert bad == {"score": 0, "explanation": "The agent did not reply in this conversation."}


# --- JSON ---------------------------------------------------------------------------------------
CHURN = {
    "type": "object",
    "properties": {"risk": {"type": "integer"}, "reason": {"type": "string"}},
}


def test_churn_risk_follows_the_customer_and_quotes_the_reason() -> None:
    operator = json_operator(CHURN)
    furious = customer("My delivery is three weeks late and I am furious.")
    assert run(operator, furious, scale=10) == {
        "risk": 8,
        "reason": "My delivery is three weeks late and I am furious.",
    }
    happy = run(operator, furious, agent("It arrives tomorrow."), customer("Great, thanks!"))
    assert happy["risk"] <= 3
    assert happy["reason"] == "Great, thanks!"


def test_json_fields_read_bounds_enums_and_booleans_from_the_conversation() -> None:
    schema = {
        "type": "object",
        "properties": {
            "satisfaction": {"type": "number", "minimum": 1, "maximum": 5},
            "urgency": {"type": "string", "enum": ["low", "medium", "high"]},
            "sentiment": {"type": "string", "enum": ["positive", "negative", "neutral"]},
            "topic": {"type": "string", "enum": ["billing", "delivery", "technical"]},
            "refund_requested": {"type": "boolean"},
            "escalated": {"type": "boolean"},
            "message_count": {"type": "integer", "minimum": 0},
            "summary": {"type": "string"},
        },
    }
    turns = [
        customer("My delivery is late again and I am furious."),
        customer("I want a refund now, this is unacceptable."),
    ]
    result = run(json_operator(schema), *turns)
    assert 1 <= result["satisfaction"] < 2.5  # the lower half of 1..5
    assert result["urgency"] == "high"
    assert result["sentiment"] == "negative"
    assert result["topic"] == "delivery"
    assert result["refund_requested"] is True
    assert result["escalated"] is True
    assert result["message_count"] == 2
    assert result["summary"] == summary(sentences_of(turns))


# --- properties ---------------------------------------------------------------------------------
WORDS = [
    "great",
    "thanks",
    "terrible",
    "furious",
    "refund",
    "charged",
    "twice",
    "parcel",
    "delivery",
    "late",
    "app",
    "crashes",
    "store",
    "happy",
    "sorry",
    "awful",
    "login",
    "bill",
    "address",
    "tomorrow",
    "order",
    "please",
    "help",
    "why",
    "the",
    "my",
    "is",
]
SENTENCES = st.lists(st.sampled_from(WORDS), min_size=1, max_size=8).map(
    lambda words: " ".join(words).capitalize()
) | st.text(string.ascii_letters + string.digits + " .,!?'\n-", max_size=60)
TURNS = st.lists(
    st.builds(
        lambda texts, punctuation, role: Turn(text=punctuation.join(texts), role=role),
        st.lists(SENTENCES, min_size=1, max_size=3),
        st.sampled_from([". ", "! ", "? ", "\n", " "]),
        st.sampled_from(["CUSTOMER", "HUMAN_AGENT", "AI_AGENT", "UNKNOWN"]),
    ),
    max_size=6,
)
NAMES = st.sampled_from(
    ["risk", "reason", "score", "explanation", "summary", "resolved", "topic", "refund", "notes"]
) | st.text(string.ascii_letters + "_", min_size=1, max_size=10)
NUMBER = st.integers(-50, 50)


@st.composite
def leaves(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["string", "number", "integer", "boolean", "null"]))
    node: dict[str, Any] = {"type": kind}
    if kind == "string" and draw(st.booleans()):
        node["enum"] = draw(
            st.lists(
                st.sampled_from(["low", "medium", "high", "positive", "negative", "neutral"])
                | st.sampled_from(WORDS),
                min_size=1,
                max_size=4,
                unique=True,
            )
        )
    if kind in ("number", "integer"):
        low, high = sorted(draw(st.lists(NUMBER, min_size=2, max_size=2)))
        for keyword, value in (("minimum", low), ("maximum", high)):
            if draw(st.booleans()):
                node[keyword] = value
        if kind == "number" and draw(st.booleans()) and low < high:
            node.pop("minimum", None)
            node["exclusiveMinimum"] = low
        if kind == "integer" and draw(st.booleans()) and "minimum" not in node:
            node["multipleOf"] = draw(st.integers(1, 5))
    if kind != "null" and draw(st.booleans()):
        node["type"] = [kind, "null"]
    return node


def extend(children: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    return (
        st.dictionaries(NAMES, children, max_size=4).map(
            lambda props: {"type": "object", "properties": props}
        )
        | st.builds(
            lambda items, low: {"type": "array", "items": items, "minItems": low},
            children,
            st.integers(0, 3),
        )
        | st.lists(children, min_size=1, max_size=3).map(lambda branches: {"anyOf": branches})
    )


@st.composite
def json_schemas(draw: st.DrawFn) -> dict[str, Any]:
    return draw_root_object(draw, NAMES, st.recursive(leaves(), extend, max_leaves=10))


def strings_in(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


def chosen_values(schema: Any) -> set[str]:
    """Strings a schema offers to choose from (enum and const values)."""
    found: set[str] = set()
    if isinstance(schema, dict):
        found.update(str(v) for v in schema.get("enum", []) if isinstance(v, str))
        if isinstance(schema.get("const"), str):
            found.add(schema["const"])
        for item in schema.values():
            found |= chosen_values(item)
    elif isinstance(schema, list):
        for item in schema:
            found |= chosen_values(item)
    return found


def from_the_conversation(turns: list[Turn]) -> set[str]:
    """The conversation's sentences (each checked to be in its message), and its summary."""
    sentences = sentences_of(turns)
    for sentence in sentences:
        assert sentence.text in " ".join(turns[sentence.turn].text.split())
    return {s.text for s in sentences} | {summary(sentences)}


@settings(max_examples=150, deadline=None, derandomize=True)
@given(schema=json_schemas(), turns=TURNS, scale=st.integers(1, 20))
def test_json_results_validate_and_say_only_what_was_said(
    schema: dict[str, Any], turns: list[Turn], scale: int
) -> None:
    operator = json_operator(schema)
    result = run(operator, *turns, scale=scale)
    errors = list(Draft202012Validator(operator["outputSchema"]).iter_errors(result))
    assert not errors, [e.message for e in errors]
    allowed = from_the_conversation(turns) | chosen_values(schema)
    for text in strings_in(result):
        assert text in allowed
    assert run(operator, *turns, scale=scale) == result  # deterministic


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    turns=TURNS,
    labels=st.lists(st.sampled_from(WORDS) | st.sampled_from(SENTIMENT_LABELS), max_size=4),
)
def test_every_operator_result_fits_its_schema(turns: list[Turn], labels: list[str]) -> None:
    conversation_words = {
        word.strip(".,!?'-").lower() for turn in turns for word in turn.text.split()
    }
    custom = classifier({f"{label} example": label for label in labels})
    for operator in [*TWILIO_OPERATORS, custom]:
        result = run(operator, *turns)
        errors = list(Draft202012Validator(operator["outputSchema"]).iter_errors(result))
        assert not errors, [e.message for e in errors]
        if operator["id"] == SENTIMENT_ID:
            assert result["label"] in SENTIMENT_LABELS
        if operator is custom:
            assert result["label"] in (labels or SENTIMENT_LABELS)
        if operator["id"] == SUMMARY_ID and result["text"] != EMPTY_CONVERSATION:
            said = {
                word.strip(".,!?'-").lower()
                for word in result["text"].replace("Customer:", "").replace("Agent:", "").split()
            }
            assert said <= conversation_words | {""}
        assert "emulated" not in str(result)
