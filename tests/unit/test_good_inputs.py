"""Valid desired state is accepted: tests/unit/good_inputs/ holds files at the edge of what the
reference allows (limits reached but not passed, YAML 1.2 scalars, recursive output schemas).
Each file says in its comments which passage of the reference makes it valid. The valid helper
bases of the bad-input corpus (tests/unit/bad_inputs/_*.yaml) load as well."""

from __future__ import annotations

from pathlib import Path

import pytest
from pulumi_twilio_intelligence import stackfile

GOOD = (Path(__file__).parent / "good_inputs").resolve()
CASES = sorted(GOOD.glob("*.yaml"))
HELPERS = sorted(
    p
    for p in (Path(__file__).parent / "bad_inputs").resolve().glob("_*.yaml")
    if not p.name.startswith("_broken-")  # a base that is wrong on purpose, for one case
)


def test_there_are_good_inputs() -> None:
    names = {p.stem for p in CASES}
    assert {"five-linked-intelligence-configurations", "output-schema-recursive-root"} <= names


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_a_valid_file_loads(path: Path) -> None:
    stackfile.load(path)


@pytest.mark.parametrize("path", HELPERS, ids=[p.stem for p in HELPERS])
def test_a_helper_base_of_the_corpus_is_valid(path: Path) -> None:
    stackfile.load(path)


def test_five_linked_configurations_are_all_kept() -> None:
    state = stackfile.load(GOOD / "five-linked-intelligence-configurations.yaml")
    links = state.conversation_configurations["support"]["intelligenceConfigurationIds"]
    assert len(links) == 5


def test_a_schema_recursing_to_its_root_is_kept_as_written() -> None:
    state = stackfile.load(GOOD / "output-schema-recursive-root.yaml")
    schema = state.operators["scorer"]["outputSchema"]
    assert schema["properties"]["reasons"]["items"] == {"$ref": "#"}


def test_yaml_1_2_strings_stay_strings() -> None:
    state = stackfile.load(GOOD / "yaml12-yes-no-on-off-are-strings.yaml")
    assert state.memory_stores["mem"]["displayName"] == "on"
    assert state.memory_stores["mem"]["description"] == "yes"
    assert state.operators["scorer"]["description"] == "no"
    assert state.conversation_configurations["support"]["description"] == "n"


def test_yaml_1_2_integers() -> None:
    state = stackfile.load(GOOD / "yaml12-numbers.yaml")
    counts = [
        rule["triggers"][0]["parameters"]["count"]
        for rule in state.intelligence_configurations["analytics"]["rules"]
    ]
    assert counts == [15, 16, 10]
