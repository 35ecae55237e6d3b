"""`stackfile.load` is total: whatever a desired-state file holds, it returns a state or raises
``ValidationError``, never anything else, and every violation points at a line of a file of the
chain, names a resource and states a rule.

Two sources of input:

(a) random YAML trees (nested mappings, lists and scalars of every kind, with keys drawn from the
    vocabulary of stack files and the reference's schemas, and random keys) placed under each
    section, resource and field of a valid file, or added next to them; written either as a whole
    file or as an overlay that extends the valid file;
(b) valid files (stacks/base.yaml, stacks/dev.yaml over base.yaml, bad_inputs/_base.yaml) mutated
    as text: a value replaced by one of another type, a line deleted, duplicated or indented
    differently, junk inserted, an integer turned into a boolean, a key renamed, the text cut.

Each property runs a few hundred examples and prints how many it ran (``pytest -s`` shows it).
"""

from __future__ import annotations

import re
import string
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pulumi_twilio_intelligence import stackfile
from pulumi_twilio_intelligence.errors import ValidationError

UNIT = Path(__file__).parent.resolve()
STACKS = UNIT.parents[1] / "stacks"
BASE = UNIT / "bad_inputs" / "_base.yaml"
EXAMPLES = 300
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Keys of stack files and of the API bodies (the reference's schemas), plus names of the base files.
VOCABULARY = [
    # sections and bookkeeping
    "extends", "operators", "intelligenceConfigurations", "memoryStores",
    "conversationConfigurations", "existingId", "adoptId", "updateStrategy",
    # operators
    "displayName", "description", "prompt", "outputFormat", "outputSchema", "trainingExamples",
    "input", "output", "context", "memory", "knowledge", "enabled", "parameters", "type",
    "default", "required", "version", "author", "id",
    # output schemas
    "properties", "items", "anyOf", "$ref", "$defs", "enum", "additionalProperties", "const",
    "prefixItems", "minLength", "allOf", "oneOf",
    # intelligence configurations
    "rules", "trigger", "triggers", "on", "count", "actions", "url", "method", "bases",
    # conversation configurations
    "conversationGroupingType", "memoryStore", "memoryStoreId", "intelligenceConfigurationIds",
    "channelSettings", "SMS", "VOICE", "WHATSAPP", "RCS", "CHAT", "statusTimeouts", "inactive",
    "closed", "captureRules", "from", "to", "metadata", "callType", "statusCallbacks",
    "memoryExtractionEnabled", "conversationsV1Bridge", "serviceId",
    # names used in the valid files
    "mem", "scorer", "scale", "score", "analytics", "live", "sentiment", "summary", "support",
    "support-memory", "churn-risk", "contact-reason", "support-analytics", "realtime", "wrap-up",
]  # fmt: skip
STRINGS = [
    "COMMUNICATION", "CONVERSATION_END", "CONVERSATION_INACTIVE", "JSON", "TEXT",
    "CLASSIFICATION", "EXTRACTION", "STRING", "INTEGER", "NUMBER", "BOOLEAN",
    "KNOWLEDGE_BASE_AND_SOURCE_IDS", "WEBHOOK", "POST", "GET", "GROUP_BY_PROFILE", "object",
    "string", "integer", "array", "null", "#", "#/$defs/x", "#/properties/score", "mem",
    "analytics", "scorer", "sentiment", "https://hooks.example.com/x", "http://a b/{c}",
    "{{parameters.scale}}", "{{parameters.nope}}", "mem_store_01aaaaaaaaaaaaaaaaaaaaaaaaa",
    "intelligence_operator_01kcrvw16kfa88qvgrfmr7y151", "yes", "on", "", " ", "*", "in-place",
    "base.yaml", "_base.yaml",
]  # fmt: skip

KEYS = st.one_of(
    st.sampled_from(VOCABULARY),
    st.text(string.ascii_letters + string.digits + "-_.$ ", min_size=1, max_size=10),
    st.integers(-3, 30),
    st.booleans(),
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(STRINGS),
    st.text(max_size=20),
    st.dates(),
)
TREES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(KEYS, children, max_size=5),
    ),
    max_leaves=15,
)


# --- the property ---------------------------------------------------------------------------
def check_total(entry: Path, files: list[Path]) -> None:
    """Load ``entry``; only ValidationError may escape, and each violation must be well placed."""
    refused: ValidationError | None = None
    try:
        stackfile.load(entry)
    except ValidationError as error:
        refused = error
    if refused is None:
        return
    assert refused.violations, "a ValidationError without violations"
    lengths = {str(f): max(1, len(f.read_text().splitlines())) for f in files if f.is_file()}
    for violation in refused.violations:
        assert violation.resource, f"no resource: {violation}"
        assert violation.rule, f"no rule: {violation}"
        # The loader's last resort (a checker bug turned into an error) must never be the answer.
        assert "could not be checked" not in violation.rule, f"a checker crash: {violation}"
        file, _, line = (violation.location or "").rpartition(":")
        assert file in lengths, f"not at a file of the chain {sorted(lengths)}: {violation}"
        assert line.isdigit(), f"no line: {violation}"
        assert 1 <= int(line) <= lengths[file], f"line outside {file}: {violation}"


class Runs:
    """Counts the examples a property ran, so that the count can be printed and checked."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, name: str, run: Callable[[], None]) -> None:
        run()
        print(f"{name}: {self.count} examples")
        assert self.count >= EXAMPLES // 2, f"{name} ran only {self.count} examples"


def dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000)


def paths_of(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a YAML tree: mapping keys and list items, the root's sections included."""
    found = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            found += paths_of(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += paths_of(value, (*prefix, index))
    return found


def put(data: Any, path: tuple[Any, ...], value: Any, *, beside: bool) -> Any:
    """A copy of ``data`` with ``value`` at ``path`` (or under a new random key beside it)."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(data, dict):
        copy = dict(data)
        if beside and not rest:
            copy[f"junk{len(copy)}"] = value
        else:
            copy[head] = put(data[head], rest, value, beside=beside)
        return copy
    copy_list = list(data)
    copy_list[head] = put(data[head], rest, value, beside=beside)
    return copy_list


def nested(path: tuple[Any, ...], value: Any) -> Any:
    """The overlay that sets ``path`` to ``value`` (a list on the path is replaced whole)."""
    for step in reversed(path):
        value = [value] if isinstance(step, int) else {step: value}
    return value


VALID = yaml.safe_load(BASE.read_text())
PLACES = paths_of(VALID)


# --- (a) random trees in a valid file ---------------------------------------------------------
def test_random_trees_in_a_valid_file_are_refused_or_accepted_never_crash() -> None:
    runs = Runs()

    @SETTINGS
    @given(
        place=st.sampled_from(PLACES),
        tree=TREES,
        beside=st.booleans(),
        as_overlay=st.booleans(),
    )
    def prop(place: tuple[Any, ...], tree: Any, beside: bool, as_overlay: bool) -> None:
        runs.count += 1
        with tempfile.TemporaryDirectory() as tmp:
            case = Path(tmp) / "case.yaml"
            if as_overlay:
                overlay = nested((*place[:-1], f"junk-{place[-1]}") if beside else place, tree)
                text = f"extends: {BASE}\n" + dump(overlay if isinstance(overlay, dict) else {})
                files = [case, BASE]
            else:
                text = dump(put(VALID, place, tree, beside=beside))
                files = [case]
            case.write_text(text)
            check_total(case, files)

    runs("random trees", prop)


def test_random_trees_as_a_whole_file_never_crash() -> None:
    runs = Runs()

    @SETTINGS
    @given(tree=TREES)
    def prop(tree: Any) -> None:
        runs.count += 1
        with tempfile.TemporaryDirectory() as tmp:
            case = Path(tmp) / "case.yaml"
            case.write_text(dump(tree))
            check_total(case, [case])

    runs("random whole files", prop)


# --- (b) mutated valid files ------------------------------------------------------------------
# YAML scalars, flow collections, tags, anchors and stray indicators a hand edit may leave behind.
LITERALS = [
    "true", "false", "yes", "no", "on", "null", "~", "[]", "{}", "[1, 2]", "{a: b}", "- x",
    "3.5", "-1", "0", "21", "1_0", "0o17", "0x10", ".nan", "2026-01-12", '""', "'{a'",
    "[{on: COMMUNICATION}]", "{$ref: 1}", "{type: [{}]}", "&a x", "*a", "!!binary x",
    "!!python/name:os.system", "|", ">", "'", '"', "{", "[", ":", "- - -", "? x",
]  # fmt: skip
TOKENS = st.one_of(st.sampled_from(LITERALS), st.sampled_from(STRINGS), st.text(max_size=12))
JUNK = st.one_of(
    TOKENS,
    st.builds(lambda k, v: f"{k}: {v}", st.sampled_from(VOCABULARY), TOKENS),
    st.text(string.printable, max_size=30),
)


@st.composite
def mutated(draw: st.DrawFn, text: str) -> str:
    lines = text.splitlines()
    for _ in range(draw(st.integers(1, 3))):
        if not lines:
            lines = [""]
        n = draw(st.integers(0, len(lines) - 1))
        kind = draw(
            st.sampled_from(
                ["value", "delete", "duplicate", "junk", "bool", "key", "indent", "truncate"]
            )
        )
        line = lines[n]
        if kind == "value":
            head, colon, _ = line.partition(": ")
            lines[n] = f"{head}: {draw(TOKENS)}" if colon else f"{line} {draw(TOKENS)}"
        elif kind == "delete":
            del lines[n]
        elif kind == "duplicate":
            lines.insert(n + draw(st.integers(0, 3)), line)
        elif kind == "junk":
            indent = " " * draw(st.sampled_from([0, 2, 4, 6, 8, 1, 3]))
            lines.insert(n, indent + draw(JUNK))
        elif kind == "bool":
            lines[n] = re.sub(r"\b\d+\b", draw(st.sampled_from(["true", "false"])), line, count=1)
        elif kind == "key":
            lines[n] = re.sub(r"^(\s*-?\s*)[\w$-]+:", rf"\g<1>{draw(KEYS)}:", line, count=1)
        elif kind == "indent":
            lines[n] = " " * draw(st.integers(0, 5)) + line
        else:
            joined = "\n".join(lines)
            cut = draw(st.integers(0, len(joined)))
            lines = joined[:cut].splitlines()
    return "\n".join(lines) + "\n"


SOURCES = {
    "stacks/base.yaml": (STACKS / "base.yaml").read_text(),
    "stacks/dev.yaml": (STACKS / "dev.yaml").read_text(),
    "bad_inputs/_base.yaml": BASE.read_text(),
}


def test_mutated_valid_files_are_refused_or_accepted_never_crash() -> None:
    runs = Runs()

    @SETTINGS
    @given(
        source=st.sampled_from(sorted(SOURCES)),
        data=st.data(),
    )
    def prop(source: str, data: st.DataObject) -> None:
        runs.count += 1
        with tempfile.TemporaryDirectory() as tmp:
            base = Path(tmp) / "base.yaml"
            case = Path(tmp) / "case.yaml"
            text = data.draw(mutated(SOURCES[source]), label="mutated")
            if source == "stacks/dev.yaml":
                # dev.yaml extends base.yaml: mutate the overlay, and sometimes its base too.
                base_text = SOURCES["stacks/base.yaml"]
                if data.draw(st.booleans(), label="mutate base"):
                    base_text = data.draw(mutated(base_text), label="mutated base")
                base.write_text(base_text)
            case.write_text(text)
            check_total(case, [case, base])

    runs("mutated files", prop)


def test_the_valid_sources_are_valid() -> None:
    """The properties start from valid files (else every mutation would only add to errors)."""
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "base.yaml").write_text(SOURCES["stacks/base.yaml"])
        for text in SOURCES.values():
            case = Path(tmp) / "case.yaml"
            case.write_text(text)
            stackfile.load(case)
