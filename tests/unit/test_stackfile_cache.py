"""The cache of checked desired states: keyed by content, never hiding a bad file."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest
from pulumi_twilio_intelligence import stackfile
from pulumi_twilio_intelligence.errors import ValidationError
from pulumi_twilio_intelligence.stackfile import load

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def stacks(tmp_path: Path) -> Path:
    copy = tmp_path / "stacks"
    shutil.copytree(ROOT / "stacks", copy)
    return copy


def test_an_unchanged_chain_is_read_back(stacks: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = load(stacks / "dev.yaml", cache_dir=cache)
    assert len(list(cache.iterdir())) == 1
    again = load(stacks / "dev.yaml", cache_dir=cache)
    assert again == first
    assert len(list(cache.iterdir())) == 1


def test_an_edit_anywhere_in_the_chain_is_checked_again(stacks: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    load(stacks / "dev.yaml", cache_dir=cache)
    base = stacks / "base.yaml"
    base.write_text(base.read_text().replace("count: 1}", "count: 50}"))
    with pytest.raises(ValidationError, match=r"base\.yaml:\d+: .*trigger\.count"):
        load(stacks / "dev.yaml", cache_dir=cache)
    assert len(list(cache.iterdir())) == 1, "a refused state is never cached"


def test_a_value_json_cannot_hold_is_checked_but_not_cached(stacks: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    base = stacks / "base.yaml"
    # Parameters of a Twilio-authored operator are not declared here, so any value passes; an
    # explicit !!binary tag makes bytes, which JSON cannot hold.
    base.write_text(
        base.read_text().replace("sentiment: {}", "sentiment: {parameters: {since: !!binary aGk=}}")
    )
    state = load(stacks / "dev.yaml", cache_dir=cache)
    rule = state.intelligence_configurations["support-analytics"]["rules"][0]
    assert rule["operators"][0]["parameters"]["since"] == b"hi"
    assert not cache.exists() or list(cache.iterdir()) == []


def test_a_date_is_a_string_in_yaml_1_2(stacks: Path, tmp_path: Path) -> None:
    base = stacks / "base.yaml"
    base.write_text(
        base.read_text().replace("sentiment: {}", "sentiment: {parameters: {since: 2026-01-01}}")
    )
    state = load(stacks / "dev.yaml", cache_dir=tmp_path / "cache")
    rule = state.intelligence_configurations["support-analytics"]["rules"][0]
    assert rule["operators"][0]["parameters"]["since"] == "2026-01-01"


def test_the_key_covers_every_module_the_checks_are_made_of() -> None:
    """A cached state is only as fresh as the checks that passed it: every module of the package
    that the checking modules import (the models' enumerations live in _core/enums.py) is in the
    key. Paths are relative to the package; relative imports are followed into subpackages."""
    package = ROOT / "provider" / "pulumi_twilio_intelligence"
    todo, seen = ["stackfile.py"], set()
    while todo:
        name = todo.pop()
        seen.add(name)
        if name == "resources.py":  # never imported by the checks (Pulumi resources)
            continue
        here = (package / name).parent
        for node in ast.walk(ast.parse((package / name).read_text())):
            if isinstance(node, ast.ImportFrom) and node.level >= 1:
                base = here
                for _ in range(node.level - 1):
                    base = base.parent
                stem = node.module.replace(".", "/") if node.module else ""
                candidates = [f"{stem}/{a.name}" if stem else a.name for a in node.names]
                if stem:
                    candidates.append(stem)
                for candidate in candidates:
                    for path in (base / f"{candidate}.py", base / candidate / "__init__.py"):
                        module = path.relative_to(package).as_posix() if path.is_file() else None
                        if module and module not in seen and module not in todo:
                            todo.append(module)
    assert seen <= set(stackfile._CHECK_SOURCES)
    assert {"_core/enums.py", "_core/models.py", "_core/spec.py", "errors.py"} <= seen
