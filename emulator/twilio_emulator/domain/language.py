"""Plain-text analysis behind the deterministic operator executor.

Sentences, word stems and sentiment. Sentiment comes from VADER (the
``vaderSentiment`` package, which ships its lexicon inside the package, so it
works offline); everything else is a small, deterministic rule set. Same text
in, same answer out.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

__all__ = [
    "POLAR",
    "Sentence",
    "Turn",
    "best_match",
    "compound",
    "content_stems",
    "sentences_of",
    "stem",
]

# Below this, a conversation with no clearly toned sentence is neutral. VADER suggests 0.05,
# but then one mildly toned word ("order" scores 0.08) tips a plain statement over.
NEUTRAL_BAND = 0.15
# A sentence at least this far from zero is clearly positive or negative.
POLAR = 0.25

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
# Function words that say nothing about what a text is about.
_STOPWORD_TEXT = """
    a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further
    had has have having he her here hers herself him himself his how i if in into is it its itself
    just me more most my myself no nor not now of off on once only or other our ours ourselves out
    over own same she should so some such than that the their theirs them themselves then there
    these they this those through to too under until up very was we were what when where which
    while who whom why will with would you your yours yourself yourselves i'm i've i'd i'll it's
    you're you've don't didn't doesn't isn't wasn't can't won't that's there's let's hi hello ok
    okay yes please also still get got
"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())


@dataclass(frozen=True)
class Turn:
    """One communication: its text and the author's participant type (CUSTOMER, ...)."""

    text: str
    role: str = "UNKNOWN"


@dataclass(frozen=True)
class Sentence:
    """One sentence of the conversation, where it came from and what it says."""

    text: str
    role: str
    index: int  # position in the conversation, from 0
    turn: int  # index of the communication it belongs to
    stems: frozenset[str] = field(default_factory=frozenset)
    compound: float = 0.0  # VADER's normalised score in [-1, 1]

    @property
    def from_customer(self) -> bool:
        return self.role == "CUSTOMER"

    @property
    def from_agent(self) -> bool:
        return self.role in ("HUMAN_AGENT", "AI_AGENT", "AGENT")


@cache
def _analyzer() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()


@cache
def compound(text: str) -> float:
    """VADER's compound score of ``text``, in [-1, 1] (0 for no sentiment)."""
    return float(_analyzer().polarity_scores(text)["compound"])


def stem(word: str) -> str:
    """A light suffix-stripping stem, so that "arrived" and "arrives" meet."""
    word = word.lower().removesuffix("'s")
    for suffix, replacement in (
        ("ies", "y"),
        ("ied", "y"),
        ("ing", ""),
        ("ed", ""),
        ("es", ""),
        ("ly", ""),
        ("s", ""),
    ):
        if suffix == "s" and word.endswith("ss"):
            break
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + replacement
            break
    if len(word) > 4 and word[-1] in "ey":
        word = word[:-1]
    return word


def content_stems(text: str) -> frozenset[str]:
    """Stems of the words that carry meaning (no function words); camelCase and
    snake_case names are split into their words."""
    spaced = _CAMEL.sub(" ", text).replace("_", " ").replace("-", " ").lower()
    return frozenset(stem(w) for w in _WORD.findall(spaced) if w not in _STOPWORDS)


def sentences_of(turns: Sequence[Turn]) -> list[Sentence]:
    """The conversation's sentences, in order, each with its author's role."""
    out: list[Sentence] = []
    for number, turn in enumerate(turns):
        for piece in _SENTENCE_END.split(turn.text):
            text = " ".join(piece.split())
            if text and any(ch.isalnum() for ch in text):
                out.append(
                    Sentence(
                        text=text,
                        role=turn.role,
                        index=len(out),
                        turn=number,
                        stems=content_stems(text),
                        compound=compound(text),
                    )
                )
    return out


def best_match(
    text_stems: Iterable[str], candidates: Sequence[tuple[str, Sequence[str]]]
) -> tuple[str, float]:
    """The candidate whose documents are most like the text, and its score.

    Each candidate is ``(label, documents)``; the label's own words count as one
    more document. Scoring is the cosine of idf-weighted sets of stems, so words
    that every label shares weigh nothing. Ties go to the earlier candidate;
    when nothing matches at all, a catch-all label (``other``, ``unknown`` ...)
    wins if there is one, else the first candidate.
    """
    words = frozenset(text_stems)
    bags = [
        content_stems(label).union(*(content_stems(doc) for doc in docs))
        for label, docs in candidates
    ]
    frequency: dict[str, int] = {}
    for bag in bags:
        for word in bag:
            frequency[word] = frequency.get(word, 0) + 1
    total = len(candidates)
    best, best_score = 0, 0.0
    for index, bag in enumerate(bags):
        weights = {w: math.log(1 + total / frequency[w]) for w in bag}
        norm = math.sqrt(sum(v * v for v in weights.values())) or 1.0
        score = sum(weights[w] ** 2 for w in bag & words) / norm
        if score > best_score + 1e-12:
            best, best_score = index, score
    if best_score == 0.0:
        best = next(
            (i for i, (label, _) in enumerate(candidates) if _is_catch_all(label)),
            0,
        )
    return candidates[best][0], best_score


def _is_catch_all(label: str) -> bool:
    return label.strip().lower() in {
        "other",
        "others",
        "unknown",
        "none",
        "general",
        "misc",
        "miscellaneous",
        "unclassified",
        "n/a",
    }
