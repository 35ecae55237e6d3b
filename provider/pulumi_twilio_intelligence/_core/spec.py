"""Describe resource fields once; derive validation, normalisation, diff and replacement from it.

A resource is a pydantic model whose fields carry markers in ``Annotated[...]``:

* ``REPLACE``: a change creates a new object (create before delete).
* ``REPLACE_DELETE_FIRST``: a change deletes the old object before creating the new one.
* ``UNORDERED``: list order carries no meaning, so it never causes a diff.
* ``Rewrite(fn)``: Twilio stores this field differently from what was sent; ``fn`` maps a sent
  value to the stored one, so desired and live compare equal.

Server-assigned fields (ids, versions, dates, authors, rule ids) are simply not model fields: they
are dropped by normalisation and can never cause a diff.
"""

from __future__ import annotations

import json
import types
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Annotated, Any, ClassVar, Self, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, ValidationInfo, model_validator
from pydantic import ValidationError as PydanticValidationError
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from ..errors import ValidationError, Violation, unknown_fields
from .wire import UNKNOWN, integral

__all__ = [
    "REPLACE",
    "REPLACE_DELETE_FIRST",
    "UNKNOWN",
    "UNORDERED",
    "FieldChange",
    "Plan",
    "ResourceModel",
    "Rewrite",
    "Wire",
]


class ChangeKind(Enum):
    REPLACE = "replace"
    REPLACE_DELETE_FIRST = "replace-delete-first"


REPLACE = ChangeKind.REPLACE
REPLACE_DELETE_FIRST = ChangeKind.REPLACE_DELETE_FIRST


class _Unordered:
    def __repr__(self) -> str:
        return "UNORDERED"


UNORDERED = _Unordered()


@dataclass(frozen=True)
class Rewrite:
    """Map a sent value to what Twilio stores. Receives the value and the whole normalised body."""

    fn: Callable[[Any, dict[str, Any]], Any]


class Wire(BaseModel):
    """Base of every nested API object: camelCase on the wire, unknown keys refused from users.

    Users write the API's camelCase keys (``inputs.py`` types them). Nested objects also accept,
    as deprecated spellings, the Python names of their camelCase fields (``status_timeouts``,
    ``capture_rules``, ``from_``: ``deprecated_spellings()``), which earlier versions accepted
    without saying so; ``canonical()`` rewrites them. Top-level resource fields accept camelCase
    only (the resource classes map their snake_case arguments themselves)."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="ignore", frozen=True
    )

    @model_validator(mode="before")
    @classmethod
    def _refuse_unknown_keys(cls, data: Any, info: ValidationInfo) -> Any:
        # Live objects carry server fields (ids, dates); only desired state must be exact.
        if isinstance(data, dict) and info.context and info.context.get("strict"):
            keys = cls.input_keys()
            accepted = keys | set(cls.deprecated_spellings())
            unknown = [str(k) for k in data if k not in accepted]
            if unknown:
                raise PydanticCustomError(
                    "unknown_field", "{message}", {"message": unknown_fields(unknown, keys)}
                )
        return data

    @classmethod
    def input_keys(cls) -> set[str]:
        """The documented keys: the API's (camelCase) names."""
        return {f.alias or name for name, f in cls.model_fields.items()}

    @classmethod
    def deprecated_spellings(cls) -> dict[str, str]:
        """Deprecated spelling -> documented key (nested objects only; see the class doc)."""
        if issubclass(cls, ResourceModel):
            return {}
        return {
            name: alias
            for name, f in cls.model_fields.items()
            if (alias := f.alias) is not None and alias != name
        }

    @classmethod
    def canonical(cls, data: Any) -> Any:
        """``data`` with every deprecated spelling, at any depth, rewritten to its documented key
        (a documented key given as well wins). Values are left as they are; unknown keys too."""
        if not isinstance(data, dict):
            return data
        spellings = cls.deprecated_spellings()
        by_key = {f.alias or name: f for name, f in cls.model_fields.items()}
        out: dict[str, Any] = {}
        for key, value in data.items():
            documented = spellings.get(str(key), str(key))
            if documented != key and documented in data:
                continue
            field = by_key.get(documented)
            out[documented] = _canonical_value(field.annotation, value) if field else value
        return out


@dataclass(frozen=True)
class FieldChange:
    """One difference between two normalised bodies."""

    path: str  # dotted/indexed path, e.g. "rules[0].triggers[0].parameters.count"
    old: Any
    new: Any

    @property
    def field(self) -> str:
        """The top-level field the change is in."""
        return self.path.split(".", 1)[0].split("[", 1)[0]


@dataclass(frozen=True)
class Plan:
    """What a set of changes requires."""

    changes: tuple[FieldChange, ...]
    replace_fields: tuple[str, ...]
    delete_before_replace: bool

    @property
    def needs_replace(self) -> bool:
        return bool(self.replace_fields)


class ResourceModel(Wire):
    """A managed resource's desired state. Subclasses set KIND and may add ``extra_violations``."""

    KIND: ClassVar[str]
    # The field that names an object, unique within its collection: found by it after a lost
    # create, derived from the logical name when the file leaves it out.
    NAME_FIELD: ClassVar[str] = "displayName"
    # Paths inside a field whose change replaces the object although the field as a whole
    # updates in place (a knowledge source's "source.type"): the field then replaces.
    REPLACE_PATHS: ClassVar[tuple[str, ...]] = ()

    # --- validation ----------------------------------------------------------------------
    @classmethod
    def validate_desired(cls, props: dict[str, Any], resource: str) -> Self:
        """Validate user input strictly; raise ValidationError naming every broken rule.

        ``props`` holds the model's fields only: callers strip their own bookkeeping keys first,
        so any other key is a typo worth reporting.

        Types are strict: a boolean is not an integer (``count: true``) and ``"yes"`` is not a
        boolean. Whole floats count as integers, because Pulumi carries every number as a
        float (``2`` arrives as ``2.0``)."""
        body = integral(dict(props))
        unknown_paths = list(_unknown_paths(body))
        try:
            model = cls.model_validate(body, strict=True, context={"strict": True})
        except PydanticValidationError as exc:
            violations = [
                Violation(resource, _loc_path(_untagged(err["loc"], body)), err["msg"])
                for err in exc.errors()
                if not _under_unknown(_loc_path(_untagged(err["loc"], body)), unknown_paths)
            ]
            if violations:
                raise ValidationError(violations) from None
            return cls.model_construct(**body)
        extra = [
            Violation(resource, path, rule)
            for path, rule in model.extra_violations()
            if not _under_unknown(path, unknown_paths)
        ]
        if extra:
            raise ValidationError(extra)
        return model

    def extra_violations(self) -> list[tuple[str, str]]:
        """Rules that span fields (override in subclasses); (field path, rule) pairs."""
        return []

    # --- description-derived views -------------------------------------------------------
    @classmethod
    def _markers(cls) -> dict[str, list[Any]]:
        return {f.alias or name: list(f.metadata) for name, f in cls.model_fields.items()}

    @classmethod
    def normalise(cls, data: dict[str, Any]) -> dict[str, Any]:
        """Canonical form of a desired or live body: input fields only, Twilio's rewrites applied,
        unordered lists sorted; values equal to their default, nulls and empty containers dropped
        (Twilio answers ``parameters: {}`` or ``enabled: false`` where nothing was sent).
        Normalising twice is a no-op."""
        body = {k: v for k, v in data.items() if k in cls.input_keys()}
        if any(True for _ in _unknown_paths(body)):
            return dict(_drop_none(body))  # preview with unknowns: compare as given
        try:
            dumped = cls.model_validate(body).model_dump(
                by_alias=True, exclude_none=True, exclude_defaults=True, mode="json"
            )
        except PydanticValidationError:
            dumped = dict(_drop_empty(body))  # live data outside our rules: compare it raw
        markers = cls._markers()
        for key, field_markers in markers.items():
            for marker in field_markers:
                if isinstance(marker, Rewrite) and key in dumped:
                    dumped[key] = marker.fn(dumped[key], dumped)
        for key, field_markers in markers.items():
            if any(m is UNORDERED for m in field_markers) and isinstance(dumped.get(key), list):
                dumped[key] = sorted(dumped[key], key=_canonical)
        return dict(_drop_empty(dumped))

    @classmethod
    def diff(cls, old: dict[str, Any], new: dict[str, Any]) -> list[FieldChange]:
        """Field-level differences between two bodies, after normalising both."""
        a, b = cls.normalise(old), cls.normalise(new)
        if a == b:
            return []
        # Imported here: deepdiff costs ~0.1 s to import, and a no-change preview never needs it.
        from deepdiff import DeepDiff  # noqa: PLC0415

        delta = DeepDiff(a, b, verbose_level=2, view="tree")
        changes = [
            FieldChange(
                _deepdiff_path(level.path(output_format="list")),
                _absent(level.t1),
                _absent(level.t2),
            )
            for report in delta.values()
            for level in report
        ]
        return sorted(changes, key=lambda c: c.path)

    @classmethod
    def plan(cls, changes: Iterable[FieldChange]) -> Plan:
        changes = tuple(changes)
        markers = cls._markers()
        replace: list[str] = []
        delete_first = False
        for change in changes:
            field_markers = markers.get(change.field, [])
            if REPLACE_DELETE_FIRST in field_markers:
                delete_first = True
            replaces = REPLACE in field_markers or REPLACE_DELETE_FIRST in field_markers
            replaces = replaces or any(
                change.path == p or change.path.startswith((p + ".", p + "["))
                for p in cls.REPLACE_PATHS
            )
            if replaces and change.field not in replace:
                replace.append(change.field)
        return Plan(changes, tuple(replace), delete_first)

    def wire(self) -> dict[str, Any]:
        """The API body for this desired state."""
        return dict(_drop_none(self.model_dump(by_alias=True, exclude_none=True, mode="json")))


def _canonical_value(annotation: Any, value: Any) -> Any:
    """Descend into ``value`` along its field's type, canonicalising every nested object."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _canonical_value(get_args(annotation)[0], value)
    if origin in (Union, types.UnionType):
        for arg in get_args(annotation):
            value = _canonical_value(arg, value)
        return value
    if isinstance(annotation, type) and issubclass(annotation, Wire):
        return annotation.canonical(value)
    if origin is list and isinstance(value, list):
        [item] = get_args(annotation)
        return [_canonical_value(item, v) for v in value]
    if origin is dict and isinstance(value, dict):
        _, item = get_args(annotation)
        return {k: _canonical_value(item, v) for k, v in value.items()}
    return value


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


def _drop_empty(value: Any) -> Any:
    if isinstance(value, dict):
        cleaned = {k: _drop_empty(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if v is not None and v not in ({}, [])}
    if isinstance(value, list):
        return [_drop_empty(v) for v in value]
    return value


def _absent(value: Any) -> Any:
    # deepdiff marks a missing side with a NotPresent object; None reads better in reports.
    return None if type(value).__name__ == "NotPresent" else value


def _deepdiff_path(parts: list[Any]) -> str:
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def _untagged(loc: tuple[int | str, ...], body: Any) -> tuple[int | str, ...]:
    """``loc`` without the tags pydantic inserts for a discriminated union (``source.Text.content``
    is ``source.content`` in the input): a part that is not a key of the input there, but the
    value of its ``type``."""
    kept: list[int | str] = []
    value = body
    for part in loc:
        if isinstance(value, dict) and part not in value and value.get("type") == part:
            continue
        kept.append(part)
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value):
            value = value[part]
        else:
            value = None
    return tuple(kept)


def _loc_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        if part == "[key]":  # pydantic's marker for a bad mapping key: the key is the field
            continue
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def _unknown_paths(value: Any, path: str = "") -> Iterable[str]:
    if isinstance(value, str) and value == UNKNOWN:
        yield path
    elif isinstance(value, dict):
        for key, child in value.items():
            yield from _unknown_paths(child, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _unknown_paths(child, f"{path}[{index}]")


def _under_unknown(path: str, unknown_paths: list[str]) -> bool:
    return any(path == u or path.startswith((u + ".", u + "[")) for u in unknown_paths)
