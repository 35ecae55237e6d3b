"""A new kind is one registry entry (plus its model): a fake kind, registered here, flows through
the stack-file loader (sections, field rules, account limits, the cache), normalisation and diffs,
the drift command's recorded and desired state, and the policy command's subjects."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, ClassVar

import pytest
from pulumi_twilio_intelligence import stackfile
from pulumi_twilio_intelligence._core import kinds
from pulumi_twilio_intelligence._core.refs import Ref
from pulumi_twilio_intelligence._core.spec import REPLACE, ResourceModel
from pulumi_twilio_intelligence.drift.desired import resolve
from pulumi_twilio_intelligence.drift.state import RecordedState
from pulumi_twilio_intelligence.errors import ValidationError
from pulumi_twilio_intelligence.policy.cli import subjects_from_state
from pydantic import Field, StringConstraints

WIDGET_ID = "widget_01aaaaaaaaaaaaaaaaaaaaaaaa"


class WidgetModel(ResourceModel):
    KIND: ClassVar[str] = "Widget"

    display_name: Annotated[str, StringConstraints(min_length=1, max_length=16)]
    size: Annotated[int, REPLACE, Field(ge=1, le=10)] = 1
    tags: list[str] = Field(default_factory=list)


WIDGET = kinds.Kind(
    name="Widget",
    section="widgets",
    file_order=99,
    attribute="widgets",
    model=f"{__name__}:WidgetModel",
    reconciler="unused:Reconciler",
    provider="unused:Provider",
    resource="unused:Resource",
    collection="/v1/Widgets",
    delete="DELETE /v1/Widgets/{id}",
    export_name="widget",
    account_limit=2,
)


@pytest.fixture(autouse=True)
def widget_kind() -> Iterator[kinds.Kind]:
    kinds.register(WIDGET)
    yield WIDGET
    kinds.unregister("Widget")


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "stack.yaml"
    path.write_text(text)
    return path


def test_a_registered_kind_is_a_section_of_the_file(tmp_path: Path) -> None:
    path = _file(tmp_path, "widgets:\n  big:\n    displayName: Big one\n    size: 3\n")
    state = stackfile.load(path)
    assert state.widgets == {"big": {"displayName": "Big one", "size": 3}}
    assert "widgets" in stackfile.sections()
    cached = stackfile.load(path, cache_dir=tmp_path / "cache")
    assert stackfile.load(path, cache_dir=tmp_path / "cache").widgets == cached.widgets


def test_its_field_rules_and_account_limit_are_checked_with_locations(tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        "widgets:\n"
        "  a: {displayName: a, size: 11}\n"
        "  b: {displayName: b}\n"
        "  c: {displayName: c, colour: red}\n",
    )
    with pytest.raises(ValidationError) as caught:
        stackfile.load(path)
    found = {(v.resource, v.field, v.location) for v in caught.value.violations}
    assert ("Widget a", "size", f"{path}:2") in found
    assert any(v.resource == "Widget c" and "colour" in v.rule for v in caught.value.violations)
    assert any("at most 2 widgets per account" in v.rule for v in caught.value.violations)


def test_an_unknown_section_lists_the_registered_kinds(tmp_path: Path) -> None:
    with pytest.raises(
        ValidationError, match=r"expected one of .*conversationConfigurations, .*widgets"
    ):
        stackfile.load(_file(tmp_path, "gadgets: {}\n"))


def test_normalisation_and_diff_come_from_its_model() -> None:
    model = WIDGET.load("model")
    assert model.normalise({"displayName": "w", "size": 2, "tags": []}) == {
        "displayName": "w",
        "size": 2,
    }
    plan = model.plan(model.diff({"displayName": "w", "size": 2}, {"displayName": "w", "size": 3}))
    assert list(plan.replace_fields) == ["size"]


def test_drift_reads_it_from_the_recorded_and_desired_state(tmp_path: Path) -> None:
    exported = {
        "deployment": {
            "resources": [
                {
                    "type": f"{kinds.TYPE_PREFIX}Widget",
                    "urn": "urn:pulumi:dev::p::x::big",
                    "id": WIDGET_ID,
                    "inputs": {"displayName": "Big one"},
                    "outputs": {"displayName": "Big one"},
                }
            ]
        }
    }
    recorded = RecordedState.from_export(exported)
    assert recorded.get("Widget", "big") is not None
    state = stackfile.load(_file(tmp_path, "widgets:\n  big: {size: 3}\n"))
    desired = resolve(state, recorded)
    assert desired[("Widget", "big")].body == {"size": 3, "displayName": "Big one"}
    assert [s.kind for s in subjects_from_state(state)] == ["Widget"]


def test_references_are_typed_and_still_read_as_names(tmp_path: Path) -> None:
    ref = Ref("Widget", "big")
    assert ref == "@big"
    assert (ref.kind, ref.name) == ("Widget", "big")


@pytest.mark.parametrize(
    ("name", "singular", "plural"),
    [
        ("MemoryStore", "memory store", "memory stores"),
        ("KnowledgeSource", "knowledge source", "knowledge sources"),
        (
            "IdentityResolutionSettings",
            "identity resolution settings",
            "identity resolution settings",
        ),
    ],
)
def test_messages_name_kinds_in_english(name: str, singular: str, plural: str) -> None:
    kind = kinds.by_name(name)
    assert (kind.singular, kind.label) == (singular, plural)
