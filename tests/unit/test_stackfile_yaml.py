"""The stack-file format is YAML 1.2: its scalars, and what the loader refuses with a line."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from pulumi_twilio_intelligence import stackfile
from pulumi_twilio_intelligence._stackfile.checks import Checker
from pulumi_twilio_intelligence._stackfile.reader import MAX_VALUES, read
from pulumi_twilio_intelligence.errors import ValidationError

BASE = (Path(__file__).parent / "bad_inputs" / "_base.yaml").resolve()

# (plain scalar, its YAML 1.2 core-schema value): from the YAML 1.2.2 spec, section 10.3.2.
CORE_SCHEMA: list[tuple[str, Any]] = [
    ("true", True),
    ("False", False),
    ("yes", "yes"),
    ("no", "no"),
    ("on", "on"),
    ("off", "off"),
    ("y", "y"),
    ("null", None),
    ("~", None),
    ("", None),
    ("0", 0),
    ("-19", -19),
    ("012", 12),
    ("0o14", 12),
    ("0x1F", 31),
    ("1_000", "1_000"),
    ("1:20", "1:20"),
    ("0b101", "0b101"),
    ("1.5", 1.5),
    ("-.5e3", -500.0),
    (".inf", math.inf),
    ("-.Inf", -math.inf),
    ("2026-01-01", "2026-01-01"),
    ("<<", "<<"),
]


@pytest.mark.parametrize(("text", "value"), CORE_SCHEMA, ids=[t or "empty" for t, _ in CORE_SCHEMA])
def test_plain_scalars_resolve_by_the_yaml_1_2_core_schema(
    tmp_path: Path, text: str, value: Any
) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(f"key: {text}\n")
    data = read(path, {})
    assert data["key"] == value
    assert type(data["key"]) is type(value)


def test_nan_is_a_float(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("key: .nan\n")
    assert math.isnan(read(path, {})["key"])


def test_a_duplicate_key_is_refused_naming_both_lines(tmp_path: Path) -> None:
    path = tmp_path / "dup.yaml"
    path.write_text(
        f"extends: {BASE}\noperators:\n  scorer:\n    prompt: one\n    description: d\n"
        "    prompt: two\n"
    )
    with pytest.raises(ValidationError) as caught:
        stackfile.load(path)
    [violation] = caught.value.violations
    assert violation.location == f"{path}:6"
    assert violation.field == "operators.scorer.prompt"
    assert "duplicate key 'prompt' (first at line 4)" in violation.rule


def test_a_merge_key_is_an_ordinary_key_in_yaml_1_2(tmp_path: Path) -> None:
    path = tmp_path / "merge.yaml"
    path.write_text(f"extends: {BASE}\noperators:\n  scorer:\n    <<: {{prompt: x}}\n")
    with pytest.raises(ValidationError) as caught:
        stackfile.load(path)
    assert any("'<<'" in v.rule for v in caught.value.violations), caught.value


def test_a_key_that_is_a_mapping_is_refused_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "key.yaml"
    path.write_text("operators:\n  {a: 1}: {}\n")
    with pytest.raises(ValidationError) as caught:
        stackfile.load(path)
    [violation] = caught.value.violations
    assert violation.location == f"{path}:2"
    assert "a key must be a name" in violation.rule


def test_an_alias_that_contains_itself_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "loop.yaml"
    path.write_text("operators: &loop\n  a: *loop\n")
    with pytest.raises(ValidationError) as caught:
        stackfile.load(path)
    assert any("contains itself" in v.rule for v in caught.value.violations)


def test_an_alias_bomb_is_refused_without_expanding_it(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ValidationError) as caught:
        stackfile.load(path)
    [violation] = caught.value.violations
    assert f"more than {MAX_VALUES} values" in violation.rule
    assert violation.location is not None
    assert violation.location.startswith(f"{path}:")


def test_deep_nesting_is_refused_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("operators: " + "[" * 2000 + "]" * 2000 + "\n")
    with pytest.raises(ValidationError) as caught:
        stackfile.load(path)
    [violation] = caught.value.violations
    assert "levels deep" in violation.rule
    assert violation.location == f"{path}:1"


def test_an_overlay_replacing_a_list_is_located_in_the_overlay(tmp_path: Path) -> None:
    """The base's lines for the items of a list the overlay replaced no longer apply: an item
    missing a field is reported at the overlay's item, not at the base's item of that index."""
    base = tmp_path / "base.yaml"
    base.write_text(
        BASE.read_text().replace(
            "    outputFormat: JSON\n",
            "    outputFormat: JSON\n"
            "    trainingExamples:\n"
            "      - input: a\n"
            "        output: '{\"score\": 1}'\n",
        )
    )
    stackfile.load(base)  # valid
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text(
        "extends: base.yaml\noperators:\n  scorer:\n    trainingExamples:\n      - input: b\n"
    )
    with pytest.raises(ValidationError) as caught:
        stackfile.load(overlay)
    [violation] = caught.value.violations
    assert violation.field == "trainingExamples[0].output"
    assert violation.location == f"{overlay}:5"


def test_an_output_schema_may_recurse_to_its_root(tmp_path: Path) -> None:
    path = tmp_path / "tree.yaml"
    path.write_text(
        BASE.read_text().replace(
            "        score: {type: integer}\n",
            "        score: {type: integer}\n        children: {type: array, items: {$ref: '#'}}\n",
        )
    )
    state = stackfile.load(path)
    schema = state.operators["scorer"]["outputSchema"]
    assert schema["properties"]["children"]["items"] == {"$ref": "#"}


def test_a_checker_bug_still_reads_as_a_located_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last resort: were a check to crash, the user gets the file and a bug to report."""

    def broken(*_: object) -> None:
        raise KeyError("boom")

    monkeypatch.setattr(Checker, "build", broken)
    path = tmp_path / "s.yaml"
    path.write_text(BASE.read_text())
    with pytest.raises(ValidationError) as caught:
        stackfile.load(path)
    [violation] = caught.value.violations
    assert "could not be checked (KeyError: 'boom')" in violation.rule
    assert violation.location == f"{path}:2"  # the document's first line (line 1 is a comment)
