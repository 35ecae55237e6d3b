"""Bad desired state is refused before any request, and every message names the file (and line),
the resource, the field and the rule.

The corpus is tests/unit/bad_inputs/: one small file per case, most extending ``_base.yaml`` (a
minimal valid state). Each file declares what it expects in its first lines::

    # resource: IntelligenceConfiguration analytics
    # field: rules.live.trigger.count
    # rule: Input should be less than or equal to 20

and marks the line the error must point at with ``# <-``. A ``# location:`` header replaces the
mark where an error has no line of its own: ``file`` (the case file itself), ``file:1``, or a path
relative to the corpus.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pulumi.dynamic import ResourceProvider
from pulumi_twilio_intelligence import stackfile
from pulumi_twilio_intelligence._core.models import ConversationConfigurationModel, MemoryStoreModel
from pulumi_twilio_intelligence._core.spec import UNKNOWN
from pulumi_twilio_intelligence._pulumi.providers import (
    ConversationConfigurationProvider,
    IntelligenceConfigurationProvider,
    MemoryStoreProvider,
    OperatorProvider,
)
from pulumi_twilio_intelligence.errors import ValidationError, Violation
from twilio_emulator.testing import EmulatorHandle

CORPUS = (Path(__file__).parent / "bad_inputs").resolve()
BASE = CORPUS / "_base.yaml"
CASES = sorted(p for p in CORPUS.glob("*.yaml") if not p.name.startswith("_"))
STACKS = (Path(__file__).parents[2] / "stacks").resolve()


@dataclass(frozen=True)
class Expected:
    resource: str
    field: str
    rule: str
    location: str


def expected(path: Path) -> Expected:
    lines = path.read_text().splitlines()
    header: dict[str, str] = {}
    for line in lines:
        found = re.fullmatch(r"# (resource|field|rule|location): ?(.*)", line)
        if found:
            header[found[1]] = found[2].strip()
    marked = [n for n, line in enumerate(lines, start=1) if line.rstrip().endswith("# <-")]
    where = header.get("location")
    if where and where.split(":")[0] == "file":
        location = str(path) + where[len("file") :]
    elif where:
        location = str((CORPUS / where).resolve())
    else:
        assert len(marked) == 1, f"{path.name}: mark exactly one line with '# <-'"
        location = f"{path}:{marked[0]}"
    return Expected(header["resource"], header["field"], header["rule"], location)


def refusal(path: Path) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        stackfile.load(path)
    return caught.value


# --- the corpus -----------------------------------------------------------------------------------
# Every class of bad input the corpus covers, with how many cases each must have at least.
CLASSES = {
    "file-": 10,  # the file itself: YAML, extends, sections, names
    "op-": 30,  # operators and their output schemas
    "cfg-": 30,  # intelligence configurations
    "conv-": 15,  # conversation configurations
    "store-": 5,  # memory stores
    "shape-": 30,  # a mapping, list or string where another shape belongs (once tracebacks)
    "yaml12-": 10,  # YAML 1.2 scalars: only true/false are booleans, no 1_000 or 1:00 integers
    "dup-": 8,  # a key repeated in one mapping
    "url-": 10,  # URLs Twilio refuses (RFC 3986 `format: uri`)
    "limit-": 15,  # lengths, patterns, enums and counts of the reference
    "account-": 10,  # limits of an account: store and configuration counts, unique names, ids
    "overlay-": 8,  # an overlay replaces a list and breaks an item: reported at the overlay's line
    "know-": 25,  # knowledge bases and sources, references to them, deletion policies, options
    "mem-": 50,  # Memory Store contents: settings, trait groups, data mappings (limits, references)
}


def test_the_corpus_is_large_and_its_base_is_valid() -> None:
    assert len(CASES) >= 250
    for prefix, least in CLASSES.items():
        count = sum(p.name.startswith(prefix) for p in CASES)
        assert count >= least, f"{prefix}*: {count} cases, expected at least {least}"
    unclassified = [p.name for p in CASES if not p.name.startswith(tuple(CLASSES))]
    assert not unclassified, f"name each case by its class: {unclassified}"
    state = stackfile.load(BASE)
    assert list(state.operators) == ["scorer"]
    assert state.intelligence_configurations["analytics"]["rules"][0]["triggers"] == [
        {"on": "COMMUNICATION", "parameters": {"count": 1}}
    ]


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_a_bad_input_is_refused_naming_file_line_resource_field_and_rule(path: Path) -> None:
    want = expected(path)
    error = refusal(path)
    found = [
        v
        for v in error.violations
        if (v.resource, v.field) == (want.resource, want.field) and want.rule in v.rule
    ]
    assert found, f"{path.name}: expected {want}, got:\n{error}"
    violation = found[0]
    assert violation.location == want.location, f"{path.name}:\n{error}"
    # The message a user reads carries all four.
    field = f".{want.field}" if want.field else ""
    assert f"{want.location}: {want.resource}{field}: " in str(error)
    assert want.rule in str(error)
    # Each case is about one thing: nothing else in the file (or the base) is wrong.
    assert {v.resource for v in error.violations} == {want.resource}, str(error)


DUPLICATES = [p for p in CASES if p.name.startswith("dup-")]


@pytest.mark.parametrize("path", DUPLICATES, ids=[p.stem for p in DUPLICATES])
def test_a_repeated_key_names_the_key_and_both_lines(path: Path) -> None:
    """The error points at the second occurrence (the `# <-` mark, checked by the corpus test) and
    its rule names the key and the line of the first one (the line marked `# first`, in the file
    the error points at)."""
    want = expected(path)
    where = Path(want.location.rpartition(":")[0])
    lines = where.read_text().splitlines()
    [first] = [n for n, line in enumerate(lines, start=1) if line.rstrip().endswith("# first")]
    key = want.field.rpartition(".")[2]
    error = refusal(path)
    found = [v for v in error.violations if want.rule in v.rule and v.field == want.field]
    assert found, str(error)
    assert repr(key) in found[0].rule or f"'{key}'" in found[0].rule, found[0].rule
    assert f"line {first}" in found[0].rule, found[0].rule


def overlay_file(path: Path, body: str) -> Path:
    """Write an overlay of BASE at `path`: line 1 is `extends: BASE`, `body` starts on line 2."""
    path.write_text(f"extends: {BASE}\n" + body)
    return path


def test_every_problem_of_a_file_is_reported_at_once(tmp_path: Path) -> None:
    case = overlay_file(
        tmp_path / "many.yaml",
        "operators:\n"
        "  scorer: {outputFormat: EXTRACTION}\n"
        "intelligenceConfigurations:\n"
        "  analytics:\n"
        "    rules:\n"
        "      live: {trigger: {on: COMMUNICATION, count: 99}}\n"
        "memoryStores:\n"
        "  mem: {displayName: 'a b'}\n",
    )
    error = refusal(case)
    assert {(v.resource, v.field) for v in error.violations} >= {
        ("Operator scorer", "outputFormat"),
        ("IntelligenceConfiguration analytics", "rules.live.trigger.count"),
        ("MemoryStore mem", "displayName"),
    }
    assert all(v.location and v.location.startswith(str(case)) for v in error.violations)


def test_an_overlay_points_at_its_own_line_and_the_base_at_its_own(tmp_path: Path) -> None:
    overlay = overlay_file(
        tmp_path / "overlay.yaml",
        "intelligenceConfigurations:\n"
        "  analytics:\n"
        "    rules:\n"
        "      live:\n"
        "        trigger: {count: 30}\n",
    )
    [violation] = refusal(overlay).violations
    assert violation.location == f"{overlay}:6"
    # The base's lines are reported where the base set the value.
    base_lines = BASE.read_text().splitlines()
    assert base_lines[23].strip().startswith("trigger:")


def test_the_yaml_1_1_on_trap_is_handled(tmp_path: Path) -> None:
    """`on` stays the key "on" (YAML 1.1 would make it True), and only true/false are booleans."""
    case = overlay_file(
        tmp_path / "on.yaml",
        "intelligenceConfigurations:\n"
        "  analytics:\n"
        "    rules:\n"
        "      live: {trigger: {on: CONVERSATION_END}}\n",
    )
    state = stackfile.load(case)
    [trigger] = state.intelligence_configurations["analytics"]["rules"][0]["triggers"]
    assert trigger["on"] == "CONVERSATION_END"
    assert True not in trigger


def test_the_project_stacks_load() -> None:
    for name in ("dev", "staging", "prod"):
        stackfile.load(STACKS / f"{name}.yaml")


def test_loading_makes_no_request(
    emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Were the loader to call Twilio, it would reach the emulator: it never does."""
    monkeypatch.setenv("TWILIO_BASE_URL", emulator.url)
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", emulator.account_sid)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", emulator.auth_token)
    mark = emulator.mark()
    accepted: list[str] = []
    crashed: list[str] = []
    for path in [*CASES, BASE, *(STACKS / f"{n}.yaml" for n in ("dev", "staging", "prod"))]:
        try:
            stackfile.load(path)
        except ValidationError:
            continue
        except Exception as exc:  # a crash is a finding: reported with the rest
            crashed.append(f"{path.name}: {type(exc).__name__}: {exc}")
        else:
            accepted.append(path.name)
    assert emulator.requests(since=mark) == []
    assert not crashed, "\n".join(crashed)
    assert accepted == [BASE.name, "dev.yaml", "staging.yaml", "prod.yaml"], (
        f"accepted bad files: {accepted[:-4]}"
    )
    assert emulator.requests() == []


# --- the provider's check() adapter ---------------------------------------------------------------
def book(name: str = "thing") -> dict[str, Any]:
    return {"resourceName": name, "scope": ["project", "dev"]}


OPERATOR = {"prompt": "Score it.", "outputFormat": "TEXT"}
CONFIG_RULE: dict[str, Any] = {
    "operators": [{"id": "intelligence_operator_01kcrvw16kfa88qvgrfmr7y151"}],
    "triggers": [{"on": "COMMUNICATION", "parameters": {"count": 1}}],
    "actions": [{"url": "https://hooks.example.com/a"}],
}
CONVERSATION = {
    "description": "Support",
    "conversationGroupingType": "GROUP_BY_PROFILE",
    "memoryStoreId": "mem_store_01aaaaaaaaaaaaaaaaaaaaaaaaa",
}
KB = "know_knowledgebase_01aaaaaaaaaaaaaaaaaaaaaaaaa"
JSON_SCHEMA = {"type": "object", "properties": {"a": {"type": "string", "minLength": 2}}}

CHECKS: list[tuple[str, ResourceProvider, dict[str, Any], str, str]] = [
    (
        "op-undeclared",
        OperatorProvider(),
        {**OPERATOR, "prompt": "{{parameters.x}}"},
        "prompt",
        "references {{parameters.x}}",
    ),
    (
        "op-extraction",
        OperatorProvider(),
        {**OPERATOR, "outputFormat": "EXTRACTION"},
        "outputFormat",
        "EXTRACTION",
    ),
    (
        "op-json-no-schema",
        OperatorProvider(),
        {**OPERATOR, "outputFormat": "JSON"},
        "outputSchema",
        "required when outputFormat is JSON",
    ),
    (
        "op-keyword",
        OperatorProvider(),
        {**OPERATOR, "outputFormat": "JSON", "outputSchema": JSON_SCHEMA},
        "outputSchema.properties.a.minLength",
        "not supported",
    ),
    (
        "op-kb-default",
        OperatorProvider(),
        {
            **OPERATOR,
            "parameters": {"kb": {"type": "KNOWLEDGE_BASE_AND_SOURCE_IDS", "default": "x"}},
        },
        "parameters.kb.default",
        "cannot have a default",
    ),
    (
        "cfg-six-rules",
        IntelligenceConfigurationProvider(),
        {"rules": [CONFIG_RULE] * 6},
        "rules",
        "at most 5 items",
    ),
    (
        "cfg-count-21",
        IntelligenceConfigurationProvider(),
        {
            "rules": [
                {**CONFIG_RULE, "triggers": [{"on": "COMMUNICATION", "parameters": {"count": 21}}]}
            ]
        },
        "rules[0].triggers[0].parameters.count",
        "less than or equal to 20",
    ),
    (
        "cfg-two-triggers",
        IntelligenceConfigurationProvider(),
        {
            "rules": [
                {**CONFIG_RULE, "triggers": [{"on": "COMMUNICATION"}, {"on": "CONVERSATION_END"}]}
            ]
        },
        "rules[0].triggers",
        "at most 1 item",
    ),
    (
        "cfg-no-operators",
        IntelligenceConfigurationProvider(),
        {"rules": [{**CONFIG_RULE, "operators": []}]},
        "rules[0].operators",
        "at least 1 item",
    ),
    (
        "cfg-three-actions",
        IntelligenceConfigurationProvider(),
        {"rules": [{**CONFIG_RULE, "actions": CONFIG_RULE["actions"] * 3}]},
        "rules[0].actions",
        "at most 2 items",
    ),
    (
        "cfg-webhook",
        IntelligenceConfigurationProvider(),
        {"rules": [{**CONFIG_RULE, "actions": [{"url": "example.com"}]}]},
        "rules[0].actions[0].url",
        "absolute http(s) URL",
    ),
    (
        "cfg-kb-value",
        IntelligenceConfigurationProvider(),
        {
            "rules": [
                {
                    **CONFIG_RULE,
                    "operators": [
                        {
                            "id": "intelligence_operator_01kcrvw16kfa88qvgrfmr7y151",
                            "parameters": {"kb": f"{KB}:know_x"},
                        }
                    ],
                }
            ]
        },
        "rules[0].operators[0].parameters.kb",
        "knowledge values",
    ),
    (
        "cfg-bases-empty",
        IntelligenceConfigurationProvider(),
        {"rules": [{**CONFIG_RULE, "context": {"knowledge": {"bases": []}}}]},
        "rules[0].context.knowledge.bases",
        "at least 1 item",
    ),
    (
        "cfg-name-129",
        IntelligenceConfigurationProvider(),
        {"displayName": "x" * 129, "rules": []},
        "displayName",
        "at most 128 characters",
    ),
    (
        "conv-name-33",
        ConversationConfigurationProvider(),
        {**CONVERSATION, "displayName": "x" * 33},
        "displayName",
        "at most 32 characters",
    ),
    (
        "conv-name-chars",
        ConversationConfigurationProvider(),
        {**CONVERSATION, "displayName": "a/b"},
        "displayName",
        "should match pattern",
    ),
    (
        "conv-no-grouping",
        ConversationConfigurationProvider(),
        {k: v for k, v in CONVERSATION.items() if k != "conversationGroupingType"},
        "conversationGroupingType",
        "Field required",
    ),
    (
        "conv-six-links",
        ConversationConfigurationProvider(),
        {**CONVERSATION, "intelligenceConfigurationIds": [f"c{i}" for i in range(6)]},
        "intelligenceConfigurationIds",
        "at most 5 items",
    ),
    (
        "conv-linked-twice-among-unknowns",
        ConversationConfigurationProvider(),
        {**CONVERSATION, "intelligenceConfigurationIds": [UNKNOWN, "c1", UNKNOWN, "c1"]},
        "intelligenceConfigurationIds",
        "lists the same configuration twice",
    ),
    (
        "conv-callbacks",
        ConversationConfigurationProvider(),
        {**CONVERSATION, "statusCallbacks": [{"url": "https://a.example.com"}] * 3},
        "statusCallbacks",
        "at most 2 items",
    ),
    (
        "conv-callback-method",
        ConversationConfigurationProvider(),
        {**CONVERSATION, "statusCallbacks": [{"url": "https://a.example.com", "method": "PUT"}]},
        "statusCallbacks[0].method",
        "'POST' or 'GET'",
    ),
    (
        "conv-timeout-0",
        ConversationConfigurationProvider(),
        {**CONVERSATION, "channelSettings": {"SMS": {"statusTimeouts": {"inactive": 0}}}},
        "channelSettings.SMS.statusTimeouts.inactive",
        "greater than or equal to 1",
    ),
    (
        "conv-call-type-sip",
        ConversationConfigurationProvider(),
        {
            **CONVERSATION,
            "channelSettings": {
                "VOICE": {
                    "captureRules": [{"from": "*", "to": "+1", "metadata": {"callType": "SIP"}}]
                }
            },
        },
        "channelSettings.VOICE.captureRules[0].metadata.callType",
        "(write PUBLIC_SIP for SIP calls)",
    ),
    (
        "conv-description-513",
        ConversationConfigurationProvider(),
        {**CONVERSATION, "description": "d" * 513},
        "description",
        "at most 512 characters",
    ),
    (
        "conv-bridge-pattern",
        ConversationConfigurationProvider(),
        {**CONVERSATION, "conversationsV1Bridge": {"serviceId": "IS123"}},
        "conversationsV1Bridge.serviceId",
        "should match pattern",
    ),
    (
        "store-name",
        MemoryStoreProvider(),
        {"displayName": "a b"},
        "displayName",
        "should match pattern",
    ),
    (
        "store-description",
        MemoryStoreProvider(),
        {"description": "d" * 129},
        "description",
        "at most 128 characters",
    ),
]


@pytest.mark.parametrize(
    ("provider", "props", "field", "rule"),
    [c[1:] for c in CHECKS],
    ids=[c[0] for c in CHECKS],
)
def test_check_failures_name_the_field(
    provider: ResourceProvider, props: dict[str, Any], field: str, rule: str
) -> None:
    result = provider.check({}, {**book("thing"), **props})
    failures = [(f.property, f.reason) for f in result.failures or []]
    # The reason reads "<Kind> thing.<field path>: <rule>". The property stays empty: the engine
    # prints the value it finds under a property name, and finds none under a nested path
    # ("property rules[0] value {<nil>} has a problem").
    assert any(f"thing.{field}: " in reason and rule in reason for _, reason in failures), failures
    assert all(prop == "" for prop, _ in failures), failures
    assert not any("Traceback" in reason for _, reason in failures)


UNKNOWN_KEYS: list[tuple[str, ResourceProvider, dict[str, Any], str]] = [
    (
        "rule-typo",
        IntelligenceConfigurationProvider(),
        {"rules": [{**CONFIG_RULE, "trigers": CONFIG_RULE["triggers"]}]},
        "IntelligenceConfiguration thing.rules[0]: unknown field 'trigers' "
        "(did you mean 'triggers'?)",
    ),
    (
        "trigger-parameters-typo",
        IntelligenceConfigurationProvider(),
        {"rules": [{**CONFIG_RULE, "triggers": [{"on": "COMMUNICATION", "paramters": {}}]}]},
        "IntelligenceConfiguration thing.rules[0].triggers[0]: unknown field 'paramters' "
        "(did you mean 'parameters'?)",
    ),
    (
        "operator-context",
        OperatorProvider(),
        {**OPERATOR, "context": {"memroy": {"enabled": True}}},
        "Operator thing.context: unknown field 'memroy' (did you mean 'memory'?)",
    ),
    (
        "training-example",
        OperatorProvider(),
        {**OPERATOR, "trainingExamples": [{"input": "a", "ouput": "b"}]},
        "Operator thing.trainingExamples[0]: unknown field 'ouput' (did you mean 'output'?)",
    ),
    (
        "capture-rule",
        ConversationConfigurationProvider(),
        {**CONVERSATION, "channelSettings": {"SMS": {"captureRules": [{"form": "*", "to": "+1"}]}}},
        "ConversationConfiguration thing.channelSettings.SMS.captureRules[0]: unknown field "
        "'form' (did you mean 'from'?)",
    ),
    (
        "several-no-match",
        ConversationConfigurationProvider(),
        {**CONVERSATION, "statusCallbacks": [{"url": "https://a.example.com", "x": 1, "y": 2}]},
        "ConversationConfiguration thing.statusCallbacks[0]: unknown fields 'x', 'y'; "
        "known: method, url",
    ),
    (
        # Top-level keys are camelCase only: a YAML `display_name` used to pass and be ignored.
        "top-level-snake-case",
        MemoryStoreProvider(),
        {"display_name": "mem"},
        "MemoryStore thing: unknown field 'display_name' (did you mean 'displayName'?)",
    ),
]


@pytest.mark.parametrize(
    ("provider", "props", "message"),
    [c[1:] for c in UNKNOWN_KEYS],
    ids=[c[0] for c in UNKNOWN_KEYS],
)
def test_an_unknown_key_is_named_with_its_path_and_the_key_it_likely_means(
    provider: ResourceProvider, props: dict[str, Any], message: str
) -> None:
    result = provider.check({}, {**book("thing"), **props})
    assert [(f.property, f.reason) for f in result.failures or []] == [("", message)]


def test_deprecated_nested_spellings_pass_check_and_come_back_documented() -> None:
    """status_timeouts, capture_rules and from_ were accepted before the camelCase convention was
    written down: stacks that use them keep working, and check() hands the engine the API's keys
    (so state, policies and drift only see those, and switching spelling changes nothing)."""
    old_style = {
        **CONVERSATION,
        "channelSettings": {
            "SMS": {
                "status_timeouts": {"inactive": 5},
                "capture_rules": [{"from_": "*", "to": "+15005550006"}],
            }
        },
    }
    result = ConversationConfigurationProvider().check({}, {**book("support"), **old_style})
    assert not result.failures, result.failures
    assert result.inputs is not None
    assert result.inputs["channelSettings"] == {
        "SMS": {
            "statusTimeouts": {"inactive": 5},
            "captureRules": [{"from": "*", "to": "+15005550006"}],
        }
    }
    recorded = {**result.inputs, "channelSettings": old_style["channelSettings"]}
    assert ConversationConfigurationModel.diff(recorded, result.inputs) == []


@pytest.mark.parametrize(
    ("provider", "props"),
    [
        (OperatorProvider(), OPERATOR),
        (IntelligenceConfigurationProvider(), {"rules": [CONFIG_RULE]}),
        (ConversationConfigurationProvider(), CONVERSATION),
        (MemoryStoreProvider(), {}),
        # Preview: values only known after earlier creates are not judged.
        (ConversationConfigurationProvider(), {**CONVERSATION, "memoryStoreId": UNKNOWN}),
        (
            IntelligenceConfigurationProvider(),
            {"rules": [{**CONFIG_RULE, "operators": [{"id": UNKNOWN}]}]},
        ),
        # Two configurations created in the same run: their ids are both unknown, not equal.
        (
            ConversationConfigurationProvider(),
            {**CONVERSATION, "intelligenceConfigurationIds": [UNKNOWN, UNKNOWN, "c1"]},
        ),
    ],
    ids=[
        "operator",
        "configuration",
        "conversation",
        "store",
        "unknown-store",
        "unknown-op",
        "unknown-links",
    ],
)
def test_valid_inputs_pass_check_and_get_a_derived_name(
    provider: ResourceProvider, props: dict[str, Any]
) -> None:
    result = provider.check({}, {**book("support"), **props})
    assert not result.failures
    assert result.inputs is not None
    assert result.inputs["autoName"] is True
    name = str(result.inputs["displayName"])
    assert name == UNKNOWN or name.startswith("support-")


RESOURCE_NAMES = st.text(string.printable, min_size=1, max_size=80)


@settings(max_examples=200)
@given(RESOURCE_NAMES)
def test_derived_conversation_names_always_fit_twilios_rules(name: str) -> None:
    result = ConversationConfigurationProvider().check({}, {**book(name), **CONVERSATION})
    assert not result.failures, result.failures
    assert result.inputs is not None
    derived = str(result.inputs["displayName"])
    ConversationConfigurationModel.validate_desired({**CONVERSATION, "displayName": derived}, name)
    assert len(derived) <= 32


@settings(max_examples=200)
@given(RESOURCE_NAMES)
def test_derived_memory_store_names_always_fit_twilios_rules(name: str) -> None:
    result = MemoryStoreProvider().check({}, book(name))
    assert not result.failures, result.failures
    assert result.inputs is not None
    MemoryStoreModel.validate_desired({"displayName": result.inputs["displayName"]}, name)


def test_violation_text_has_location_resource_field_and_rule() -> None:
    violation = Violation("Operator x", "prompt", "Field required", "stacks/dev.yaml:7")
    assert str(violation) == "stacks/dev.yaml:7: Operator x.prompt: Field required"
    assert str(Violation("stack file", "", "not valid YAML", "f.yaml")) == (
        "f.yaml: stack file: not valid YAML"
    )


def test_a_stack_file_with_deprecated_spellings_loads_with_the_documented_keys(
    tmp_path: Path,
) -> None:
    case = tmp_path / "old-style.yaml"
    case.write_text(
        f"extends: {BASE}\n"
        "conversationConfigurations:\n"
        "  support:\n"
        "    conversationGroupingType: GROUP_BY_PROFILE\n"
        "    memoryStore: mem\n"
        "    channelSettings:\n"
        "      SMS: {status_timeouts: {closed: 10}, capture_rules: [{from: '*', to: '+1555'}]}\n"
    )
    body = stackfile.load(case).conversation_configurations["support"]
    assert body["channelSettings"] == {
        "SMS": {"statusTimeouts": {"closed": 10}, "captureRules": [{"from": "*", "to": "+1555"}]}
    }
