"""Language Operators (Intelligence v3): custom and Twilio-authored, with versions.

Storage: one ``operator`` document per operator holding its latest definition,
plus one ``operator_version`` document per version (key ``<id>/<version>``,
zero-padded so the primary key sorts numerically).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .checks import Checker, join
from .collection import Collection
from .errors import Forbidden, NotFound, PreconditionFailed, ValidationFailed
from .ids import is_ttid
from .output_schema import generated_schema, rewrite_output_schema
from .pagination import Page, paginate
from .settings import Traps
from .twilio_operators import TWILIO_OPERATORS

__all__ = [
    "OPERATOR_PREFIX",
    "PARAMETER_TYPES",
    "VERSION_STATUSES",
    "OperatorService",
    "check_parameter_value",
    "if_match_matches",
    "render_operator",
    "render_version",
    "version_summary",
]

OPERATOR_PREFIX = "intelligence_operator"
OUTPUT_FORMATS = ("TEXT", "JSON", "CLASSIFICATION")
PARAMETER_TYPES = ("STRING", "INTEGER", "NUMBER", "BOOLEAN", "KNOWLEDGE_BASE_AND_SOURCE_IDS")
VERSION_STATUSES = ("PREVIEW", "ACTIVE", "DEPRECATED", "RETIRED")
_KIND = "operator"
_VERSION_KIND = "operator_version"
# Fields of an operator definition, in the order the spec lists them.
_DEFINITION_FIELDS = (
    "displayName",
    "description",
    "prompt",
    "outputFormat",
    "outputSchema",
    "trainingExamples",
    "context",
    "parameters",
)
_RETIREMENT_NOTICE_SECONDS = 90 * 24 * 3600


def _version_key(operator_id: str, version: int) -> str:
    return f"{operator_id}/{version:010d}"


def if_match_matches(header: str | None, current: str) -> bool:
    """RFC 9110 If-Match against one strong tag; tolerant of quotes and W/."""
    if header is None:
        return True
    for candidate in header.split(","):
        tag = candidate.strip()
        if tag == "*":
            return True
        if tag.startswith("W/"):
            tag = tag[2:]
        if tag.startswith('"') and tag.endswith('"') and len(tag) >= 2:
            tag = tag[1:-1]
        if tag == current:
            return True
    return False


# The response puts id first and version and author after the description.
_RESPONSE_ORDER = ("id", *_DEFINITION_FIELDS[:2], "version", "author", *_DEFINITION_FIELDS[2:])


def render_operator(doc: dict[str, Any], traps: Traps) -> dict[str, Any]:
    """The public LanguageOperator; Twilio-authored ones hide prompt and examples."""
    out = {key: doc[key] for key in _RESPONSE_ORDER if key in doc}
    if doc.get("author") == "TWILIO":
        out.pop("trainingExamples", None)
        if traps.twilio_prompt_null:
            out["prompt"] = None
        else:
            out.pop("prompt", None)
    return out


def render_version(doc: dict[str, Any], traps: Traps) -> dict[str, Any]:
    out = render_operator(doc, traps)
    out.update(status=doc["status"], dateCreated=doc["dateCreated"])
    return out


def version_summary(doc: dict[str, Any]) -> dict[str, Any]:
    keys = ("version", "status", "dateCreated", "dateDeprecated", "retirementDate", "dateRetired")
    return {key: doc[key] for key in keys if key in doc}


class OperatorService(Collection):
    kind = _KIND
    noun = "Operator"
    list_name = "operators"

    # -- seeding ----------------------------------------------------------------

    def seed_twilio_operators(self, account: str) -> None:
        created = self.rt.timestamp()
        for definition in TWILIO_OPERATORS:
            doc = dict(definition)
            doc.update(author="TWILIO", version=1)
            self.rt.store.put(_KIND, account, str(doc["id"]), doc)
            self._put_version(account, doc, 1, "ACTIVE", created)

    # -- reads --------------------------------------------------------------------

    def get_version(self, account: str, operator_id: str, version: int) -> dict[str, Any] | None:
        return self.rt.store.get(_VERSION_KIND, account, _version_key(operator_id, version))

    def fetch_version(self, account: str, operator_id: str, version: int) -> dict[str, Any]:
        self.fetch(account, operator_id)
        doc = self.get_version(account, operator_id, version)
        if doc is None:
            raise NotFound(f"Version {version} of operator {operator_id} not found")
        return doc

    def list_versions(self, account: str, operator_id: str, size: int, token: str | None) -> Page:
        self.fetch(account, operator_id)
        return paginate(
            self.rt.store,
            _VERSION_KIND,
            account,
            list_name=f"versions:{operator_id}",
            size=size,
            token=token,
            descending=True,
            prefix=f"{operator_id}/",
        )

    # -- writes ---------------------------------------------------------------------

    def create(self, account: str, body: dict[str, Any]) -> dict[str, Any]:
        definition = self._validate(body)
        operator_id = self.rt.ids.new(OPERATOR_PREFIX)
        doc: dict[str, Any] = {"id": operator_id, "author": "SELF", "version": 1}
        doc.update(definition)
        self.rt.store.put(_KIND, account, operator_id, doc)
        self._put_version(account, doc, 1, "ACTIVE", self.rt.timestamp())
        return doc

    def update(
        self, account: str, operator_id: str, body: dict[str, Any], if_match: str | None
    ) -> dict[str, Any]:
        doc = self.fetch(account, operator_id)
        if doc["author"] == "TWILIO":
            raise Forbidden(f"Operator {operator_id} is authored by Twilio and cannot be updated")
        if not if_match_matches(if_match, str(doc["version"])):
            raise PreconditionFailed(
                f"If-Match {if_match} does not match the current ETag {doc['version']}"
            )
        definition = self._validate(body)
        version = int(doc["version"]) + 1
        new: dict[str, Any] = {"id": operator_id, "author": "SELF", "version": version}
        new.update(definition)
        self.rt.store.put(_KIND, account, operator_id, new)
        self._put_version(
            account, new, version, self.rt.settings.new_operator_version_status, self.rt.timestamp()
        )
        return new

    def delete(self, account: str, operator_id: str) -> None:
        doc = self.fetch(account, operator_id)
        if doc["author"] == "TWILIO":
            raise Forbidden(f"Operator {operator_id} is authored by Twilio and cannot be deleted")
        for key, _ in self.rt.store.rows(_VERSION_KIND, account, prefix=f"{operator_id}/"):
            self.rt.store.delete(_VERSION_KIND, account, key)
        self.rt.store.delete(_KIND, account, operator_id)

    def set_version_status(
        self,
        account: str,
        operator_id: str,
        version: int,
        status: str,
        dates: dict[str, str | None],
    ) -> dict[str, Any]:
        """Control API: simulate Twilio deprecating or retiring a version."""
        if status not in VERSION_STATUSES:
            raise ValidationFailed(f"status: must be one of [{', '.join(VERSION_STATUSES)}]")
        doc = self.fetch_version(account, operator_id, version)
        now = self.rt.now()
        for key in ("dateDeprecated", "retirementDate", "dateRetired"):
            doc.pop(key, None)
        if status in ("DEPRECATED", "RETIRED"):
            doc["dateDeprecated"] = dates.get("dateDeprecated") or self.rt.timestamp(now)
        if status == "DEPRECATED":
            doc["retirementDate"] = dates.get("retirementDate") or self.rt.timestamp(
                now + _RETIREMENT_NOTICE_SECONDS
            )
        if status == "RETIRED":
            doc["dateRetired"] = dates.get("dateRetired") or self.rt.timestamp(now)
        doc["status"] = status
        self.rt.store.put(_VERSION_KIND, account, _version_key(operator_id, version), doc)
        return doc

    # -- internals --------------------------------------------------------------

    def _put_version(
        self, account: str, doc: dict[str, Any], version: int, status: str, created: str
    ) -> None:
        snapshot = {key: doc[key] for key in ("id", "author", *_DEFINITION_FIELDS) if key in doc}
        snapshot.update(version=version, status=status, dateCreated=created)
        self.rt.store.put(_VERSION_KIND, account, _version_key(doc["id"], version), snapshot)

    def _validate(self, body: dict[str, Any]) -> dict[str, Any]:
        """A definition as stored; raises ValidationFailed with every violation."""
        c = Checker()
        out: dict[str, Any] = {}
        name = c.get(body, "displayName", "", required=True)
        if name is not None and c.string(name, "displayName") is not None:
            out["displayName"] = name
        description = c.get(body, "description", "", required=False)
        if description is not None and c.string(description, "description") is not None:
            out["description"] = description
        prompt = c.get(body, "prompt", "", required=True)
        if prompt is not None and c.string(prompt, "prompt") is not None:
            out["prompt"] = prompt
        fmt = c.get(body, "outputFormat", "", required=True)
        if fmt == "EXTRACTION":
            c.fail("outputFormat", "EXTRACTION is not supported for custom operators")
        elif fmt is not None and c.string(fmt, "outputFormat", enum=OUTPUT_FORMATS) is not None:
            out["outputFormat"] = fmt
        schema = c.get(body, "outputSchema", "", required=False)
        if fmt == "JSON":
            if schema is None:
                c.fail("outputSchema", "must not be null when outputFormat is JSON")
            else:
                rewritten = rewrite_output_schema(schema, c)
                if rewritten is not None:
                    out["outputSchema"] = rewritten
        elif fmt == "TEXT":
            # gotchas A14: not customisable; whatever was sent is replaced.
            out["outputSchema"] = generated_schema("text")
        elif fmt == "CLASSIFICATION":
            out["outputSchema"] = generated_schema("label")
        out["trainingExamples"] = self._training_examples(c, body.get("trainingExamples"))
        out["context"] = self._context(c, body.get("context"))
        out["parameters"] = self._parameters(c, body.get("parameters"))
        c.raise_if_failed()
        return {key: out[key] for key in _DEFINITION_FIELDS if key in out}

    @staticmethod
    def _training_examples(c: Checker, value: Any) -> list[dict[str, str]]:
        examples: list[dict[str, str]] = []
        if value is None:
            return examples
        for example, path in c.objects(value, "trainingExamples"):
            pair: dict[str, str] = {}
            for key in ("input", "output"):
                text = c.get(example, key, path, required=True)
                if text is not None and c.string(text, join(path, key)) is not None:
                    pair[key] = text
            examples.append(pair)
        return examples

    @staticmethod
    def _context(c: Checker, value: Any) -> dict[str, Any]:
        context: dict[str, Any] = {"memory": {"enabled": False}, "knowledge": {"enabled": False}}
        if value is None:
            return context
        obj = c.object(value, "context")
        for key in ("memory", "knowledge"):
            part = None if obj is None else obj.get(key)
            if part is None:
                continue
            path = join("context", key)
            part_obj = c.object(part, path)
            if part_obj is None:
                continue
            enabled = part_obj.get("enabled")
            if enabled is not None and c.boolean(enabled, join(path, "enabled")) is not None:
                context[key]["enabled"] = enabled
        return context

    def _parameters(self, c: Checker, value: Any) -> dict[str, Any]:
        params: dict[str, Any] = {}
        if value is None:
            return params
        obj = c.object(value, "parameters")
        for name, spec in (obj or {}).items():
            path = join("parameters", name)
            spec_obj = c.object(spec, path)
            if spec_obj is None:
                continue
            param: dict[str, Any] = {}
            kind = c.get(spec_obj, "type", path, required=True)
            if (
                isinstance(kind, str)
                and self.rt.traps.lowercase_parameter_type_accepted
                and kind.upper() in PARAMETER_TYPES
            ):
                kind = kind.upper()
            if kind is not None and c.string(kind, join(path, "type"), enum=PARAMETER_TYPES):
                param["type"] = kind
            if "default" in spec_obj and spec_obj["default"] is not None:
                default = spec_obj["default"]
                if kind == "KNOWLEDGE_BASE_AND_SOURCE_IDS":
                    c.fail(
                        join(path, "default"),
                        "is not supported for KNOWLEDGE_BASE_AND_SOURCE_IDS parameters",
                    )
                elif isinstance(kind, str) and check_parameter_value(
                    c, kind, default, join(path, "default")
                ):
                    param["default"] = default
            required = spec_obj.get("required")
            if required is not None and c.boolean(required, join(path, "required")) is not None:
                param["required"] = required
            text = spec_obj.get("description")
            if text is not None and c.string(text, join(path, "description")) is not None:
                param["description"] = text
            params[name] = param
        return params


_KB_PAIR = re.compile(r"([^:]*):([^:]*)")


def _check_kb_pair(c: Checker, value: Any, path: str) -> bool:
    """gotchas A16: exactly ``know_knowledgebase_…:know_knowledge_…``."""
    match = _KB_PAIR.fullmatch(value) if isinstance(value, str) else None
    if (
        match is None
        or not is_ttid(match.group(1), "know_knowledgebase")
        or not is_ttid(match.group(2), "know_knowledge")
    ):
        c.fail(path, 'must be formatted as "<knowledge_base_id>:<knowledge_source_id>"')
        return False
    return True


_VALUE_CHECKS: dict[str, Callable[[Checker, Any, str], object]] = {
    "STRING": Checker.string,
    "INTEGER": Checker.integer,
    "NUMBER": Checker.number,
    "BOOLEAN": Checker.boolean,
}


def check_parameter_value(c: Checker, kind: str, value: Any, path: str) -> bool:
    """Does a parameter value (a default or a rule's value) fit the declared type?"""
    if kind == "KNOWLEDGE_BASE_AND_SOURCE_IDS":
        return _check_kb_pair(c, value, path)
    check = _VALUE_CHECKS.get(kind)
    return check is not None and check(c, value, path) is not None
