"""Typed references: the loader makes them, one resolver serves the program, drift and
validation, and the desired-state cache keeps them typed."""

from __future__ import annotations

import pickle
from pathlib import Path

from pulumi_twilio_intelligence import stackfile
from pulumi_twilio_intelligence._core import kinds
from pulumi_twilio_intelligence._core.refs import Ref, dump, load, refs, resolve

ROOT = Path(__file__).resolve().parents[2]


def test_the_loader_types_every_reference() -> None:
    state = stackfile.load(ROOT / "stacks" / "dev.yaml")
    found = {
        (ref.kind, ref.name)
        for kind_bodies in state.bodies.values()
        for body in kind_bodies.values()
        for ref in refs(body)
    }
    assert {kind for kind, _ in found} == {
        "Operator",
        "MemoryStore",
        "IntelligenceConfiguration",
        "KnowledgeBase",  # a knowledge source's base
    }
    for kind, name in found:
        if kind != "Operator":  # an operator may also be a Twilio-authored one
            assert name in state.of(kinds.by_name(kind))


def test_one_resolver_turns_references_into_what_the_caller_knows() -> None:
    body = {
        "memoryStoreId": Ref("MemoryStore", "mem"),
        "intelligenceConfigurationIds": [Ref("IntelligenceConfiguration", "a")],
        "rules": [{"operators": [{"ref": Ref("Operator", "scorer", bare=True), "version": 2}]}],
    }
    ids = {"mem": "mem_store_1", "a": "ic_1", "scorer": "op_1"}
    resolved = resolve(body, lambda ref: ids[ref.name])
    assert resolved == {
        "memoryStoreId": "mem_store_1",
        "intelligenceConfigurationIds": ["ic_1"],
        "rules": [{"operators": [{"id": "op_1", "version": 2}]}],
    }
    assert [r.kind for r in refs(body)] == ["MemoryStore", "IntelligenceConfiguration", "Operator"]


def test_references_survive_the_cache_and_pickling(tmp_path: Path) -> None:
    ref = Ref("Operator", "scorer", bare=True)
    assert ref == "scorer"
    back = load(dump({"x": [ref]}))["x"][0]
    assert isinstance(back, Ref)
    assert (back.kind, back.name, back.bare) == ("Operator", "scorer", True)
    copied = pickle.loads(pickle.dumps(Ref("MemoryStore", "mem")))  # noqa: S301 - our own bytes
    assert (copied.kind, copied.name, str(copied)) == ("MemoryStore", "mem", "@mem")
    cache = tmp_path / "cache"
    stackfile.load(ROOT / "stacks" / "dev.yaml", cache_dir=cache)
    cached = stackfile.load(ROOT / "stacks" / "dev.yaml", cache_dir=cache)
    assert all(
        isinstance(r, Ref) for b in cached.bodies.values() for x in b.values() for r in refs(x)
    )
    assert any(refs(x) for b in cached.bodies.values() for x in b.values())
