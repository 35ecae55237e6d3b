"""The cache of checked desired states: keyed by the content of every file of a chain and by the
source of the checks themselves (``CHECK_SOURCES``, paths relative to the package)."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from .._core import kinds as _kinds
from .._core import refs as _refs
from .state import DesiredState

CHECK_SOURCES = (
    "stackfile.py",
    "_stackfile/__init__.py",
    "_stackfile/cache.py",
    "_stackfile/checker.py",
    "_stackfile/checks.py",
    "_stackfile/knowledge.py",
    "_stackfile/layers.py",
    "_stackfile/state.py",
    "_stackfile/reader.py",
    "_core/models.py",
    "_core/fields.py",
    "_core/knowledge_models.py",
    "_core/spec.py",
    "_core/outputschema.py",
    "_core/__init__.py",
    "_core/kinds.py",  # the sections, limits and id patterns
    "_core/refs.py",
    "_core/enums.py",  # the enumerations the models check against
    "errors.py",  # the wording of the unknown-field rule
    "_core/wire.py",
    "_stackfile/memory_checks.py",  # the contents of Memory Stores
    "_core/memory_models.py",
)


def cache_path(cache_dir: Path, files: list[Path]) -> Path:
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parents[1]  # the package
    for name in CHECK_SOURCES:  # a new version of the checks invalidates every entry
        digest.update((here / name).read_bytes())
    for file in files:
        digest.update(str(file).encode() + b"\0" + file.read_bytes() + b"\0")
    return cache_dir / f"{digest.hexdigest()}.json"


def to_json(state: DesiredState) -> str:
    return json.dumps(_refs.dump({kind.section: state.of(kind) for kind in _kinds.KINDS}))


def from_json(text: str, files: list[Path]) -> DesiredState:
    data = _refs.load(json.loads(text))
    return DesiredState(files=files, bodies={k.section: data[k.section] for k in _kinds.KINDS})


def write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_text(text)
    temporary.replace(path)  # readers see the whole entry or none
