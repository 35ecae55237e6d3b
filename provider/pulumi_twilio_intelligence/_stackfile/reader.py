"""Reading one desired-state file: YAML 1.2 (core schema), with the line of every value.

PyYAML implements YAML 1.1, whose implicit types surprise people: ``on``/``yes``/``no`` are
booleans there, ``012`` is octal, ``1:20`` is 80 and ``2024-01-01`` a date. The stack-file format
is YAML 1.2, so this loader resolves plain scalars by the 1.2 core schema only: ``true``/``false``
are the booleans, ``null``/``~``/empty the null, decimal, ``0o`` and ``0x`` integers, and floats;
everything else is a string. ``<<`` is an ordinary key (merge keys are YAML 1.1 only).

It also refuses what YAML parsers usually let through silently: a key given twice in one mapping
(the later one would win), a key that is a list or mapping, an alias that contains itself, and
aliases that expand a small file into an enormous one. Each refusal names the file and line.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..errors import ValidationError, Violation

__all__ = ["MAX_DEPTH", "MAX_VALUES", "read"]

# A stack file of a large account has a few thousand values; aliases beyond this are an attack
# or a mistake, and walking them would take minutes.
MAX_VALUES = 200_000
# Output schemas nest at most 10 objects; nothing in the format needs more than this.
MAX_DEPTH = 64

# libyaml's parser when the wheel has it (several times faster than the pure-Python one); the
# resolver and constructor below are Python either way.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_INT = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
_DIGITS = list("-+0123456789")


class _Loader(_SafeLoader):  # type: ignore[valid-type,misc] # a class chosen at import time
    """YAML 1.2 core schema; mapping keys are kept as written (strings)."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[str, Any]:
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise ConstructorError(
                    None, None, "a key must be a name, not a list or mapping", key_node.start_mark
                )
            # Keys are names in this format: `5:` or `true:` name "5" and "true".
            mapping[key_node.value] = self.construct_object(value_node, deep=deep)
        return mapping

    def construct_yaml_int(self, node: ScalarNode) -> int:
        text = str(self.construct_scalar(node))
        if text.startswith("0o"):
            return int(text[2:], 8)
        if text.startswith("0x"):
            return int(text[2:], 16)
        return int(text, 10)  # "012" is twelve in YAML 1.2, not octal

    def construct_yaml_float(self, node: ScalarNode) -> float:
        text = str(self.construct_scalar(node)).lower()
        if text.endswith(".inf"):
            return -math.inf if text.startswith("-") else math.inf
        if text == ".nan":
            return math.nan
        return float(text)


_Loader.yaml_implicit_resolvers = {}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)
_Loader.add_implicit_resolver("tag:yaml.org,2002:int", _INT, _DIGITS)
_Loader.add_implicit_resolver("tag:yaml.org,2002:float", _FLOAT, [*_DIGITS, "."])
_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)
_Loader.add_constructor("tag:yaml.org,2002:float", _Loader.construct_yaml_float)
_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_yaml_map)


def read(path: Path, locations: dict[str, str]) -> dict[str, Any]:
    """Parse one file: its data, and the line of every value (into ``locations``, keyed by the
    value's path such as ``operators.churn.parameters.scale``)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        reason = f"cannot read: {exc.strerror or exc}"
        raise ValidationError([Violation("stack file", "", reason, str(path))]) from None
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        reason = f"not valid YAML: not UTF-8 text (byte {exc.start})"
        raise ValidationError([Violation("stack file", "", reason, f"{path}:{line}")]) from None
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            _Positions(path, locations).walk(node)  # refuses before constructing anything
        data = loader.construct_document(node) if node is not None else {}
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc).split("\n", 1)[0]
        where = f"{path}:{_error_line(exc, text)}"
        raise ValidationError(
            [Violation("stack file", "", f"not valid YAML: {problem}", where)]
        ) from None
    finally:
        loader.dispose()
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ValidationError(
            [Violation("stack file", "", "must be a mapping of sections", f"{path}:1")]
        )
    return data


def _error_line(exc: yaml.YAMLError, text: str) -> int:
    """The line of a YAML error, within the file: a parser error at the end of the input is
    reported on the line after the last, and a reader error (a control character) carries a
    character position instead of a line."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        line = int(mark.line) + 1
    elif isinstance(getattr(exc, "position", None), int):
        line = text.count("\n", 0, exc.position) + 1  # type: ignore[attr-defined]
    else:
        line = 1
    return max(1, min(line, len(text.splitlines()) or 1))


class _Positions:
    """Walks the node tree once: records lines, and refuses duplicate keys, self-containing
    aliases and alias bombs, all before the tree is turned into Python values."""

    def __init__(self, file: Path, locations: dict[str, str]) -> None:
        self.file = file
        self.locations = locations
        self.values = 0
        self.open: set[int] = set()  # nodes on the current path (a cycle returns to one)
        self.violations: list[Violation] = []

    def walk(self, node: Node) -> None:
        self._walk(node, "", None, 0)
        if self.violations:
            raise ValidationError(self.violations)

    def _at(self, line: int) -> str:
        return f"{self.file}:{line + 1}"

    def _walk(self, node: Node, path: str, line: int | None, depth: int) -> None:
        # A value under a key is at the key's line: a block value starts on the line after its
        # key, and "rules: must be a mapping" belongs on the `rules:` line.
        self.locations.setdefault(path, self._at(node.start_mark.line if line is None else line))
        self.values += 1
        if self.values > MAX_VALUES:
            raise ValidationError(
                [
                    Violation(
                        "stack file",
                        path,
                        f"more than {MAX_VALUES} values once aliases are expanded",
                        self._at(node.start_mark.line),
                    )
                ]
            )
        if depth > MAX_DEPTH:
            raise ValidationError(
                [
                    Violation(
                        "stack file",
                        path,
                        f"nested more than {MAX_DEPTH} levels deep",
                        self._at(node.start_mark.line),
                    )
                ]
            )
        if id(node) in self.open:
            self.violations.append(
                Violation(
                    "stack file",
                    path,
                    "an alias refers to itself (it contains itself)",
                    self._at(node.start_mark.line),
                )
            )
            return
        self.open.add(id(node))
        try:
            if isinstance(node, MappingNode):
                self._mapping(node, path, depth)
            elif isinstance(node, SequenceNode):
                for index, item in enumerate(node.value):
                    self._walk(item, f"{path}[{index}]", None, depth + 1)
        finally:
            self.open.discard(id(node))

    def _mapping(self, node: MappingNode, path: str, depth: int) -> None:
        first: dict[str, int] = {}
        for key, value in node.value:
            if not isinstance(key, ScalarNode):
                continue  # refused by the constructor, with its line
            name = str(key.value)
            child = f"{path}.{name}" if path else name
            if name in first:
                self.violations.append(
                    Violation(
                        "stack file",
                        child,
                        f"duplicate key {name!r} (first at line {first[name] + 1}); "
                        "a mapping names each key once",
                        self._at(key.start_mark.line),
                    )
                )
                continue
            first[name] = key.start_mark.line
            self._walk(value, child, key.start_mark.line, depth + 1)
