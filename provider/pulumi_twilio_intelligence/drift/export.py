"""Export a live account as a desired-state file in which every object is adopted.

How an existing Twilio user starts with the project: ``twilio-intelligence export > stack.yaml``,
point a stack at the file, ``pulumi up`` (adopts everything, creates nothing), and from then on
the file is the source of truth.

Each object keeps its exact ``displayName`` and carries ``adoptId``. Fields are the reconcilers'
normal form of the live object (server fields and defaults dropped), so the adopted state equals
the live one and the next preview is empty. References become names: a rule's operators (ours by
their logical name, Twilio-authored ones as ``sentiment``, ``summary``, ...), a Conversation
configuration's Memory Store and Intelligence Configurations.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from .._core import kinds as _kinds
from .._core.kinds import TWILIO_OPERATOR_NAMES
from .._core.models import (
    ConversationConfigurationModel,
    IntelligenceConfigurationModel,
    KnowledgeBaseModel,
    KnowledgeSourceModel,
    MemoryStoreModel,
    OperatorModel,
)
from .._project import PulumiCli, engine_env, find_project, stack_credentials_config
from .._twilio.connector import Target
from ..errors import ExportError
from .export_memory import export_store_contents
from .live import LiveAccount, RequestStats, connect

__all__ = ["ExportError", "export_account", "run_export"]

log = logging.getLogger("pulumi_twilio_intelligence.export")

_TRIGGER_NAMES = {
    "COMMUNICATION": "realtime",
    "CONVERSATION_END": "wrap-up",
    "CONVERSATION_INACTIVE": "inactive",
}


class _Names:
    """Logical names, unique per section, from display names."""

    def __init__(self, fallback: str) -> None:
        self.fallback = fallback
        self.taken: set[str] = set()

    def __call__(self, display_name: Any) -> str:
        base = re.sub(r"[^A-Za-z0-9]+", "-", str(display_name or "")).strip("-")
        if not base or not base[0].isalpha():
            base = f"{self.fallback}-{base}" if base else self.fallback
        name, n = base, 2
        while name.lower() in self.taken:
            name, n = f"{base}-{n}", n + 1
        self.taken.add(name.lower())
        return name


def _unrewrite(schema: Any) -> Any:
    """Drop what Twilio's output-schema rewrite adds (closed objects, every property required),
    where it is exactly that: the provider adds it back before comparing."""
    if isinstance(schema, list):
        return [_unrewrite(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    node = {k: _unrewrite(v) for k, v in schema.items()}
    properties = node.get("properties")
    expected = sorted(properties) if isinstance(properties, dict) else []
    if node.get("additionalProperties") is False and sorted(node.get("required", [])) == expected:
        node.pop("additionalProperties")
        node.pop("required", None)
    return node


def _operator(body: dict[str, Any]) -> dict[str, Any]:
    fields = OperatorModel.normalise(body)
    if "outputSchema" in fields:
        fields["outputSchema"] = _unrewrite(fields["outputSchema"])
    return fields


def _rules(config: dict[str, Any], operator_names: Mapping[str, str], where: str) -> dict[str, Any]:
    rules: dict[str, Any] = {}
    taken = _Names("rule")
    for index, rule in enumerate(config.get("rules") or []):
        trigger = (rule.get("triggers") or [{}])[0]
        name = taken(_TRIGGER_NAMES.get(str(trigger.get("on")), f"rule-{index + 1}"))
        operators: dict[str, Any] = {}
        for op in rule.get("operators") or []:
            op_id = str(op.get("id"))
            ref = operator_names.get(op_id) or TWILIO_OPERATOR_NAMES.get(op_id) or op_id
            if ref in operators:
                raise ExportError(
                    f"{where}: rule {index + 1} runs operator {op_id} twice; a desired-state "
                    f"file names each operator of a rule once"
                )
            operators[ref] = {k: v for k, v in op.items() if k != "id"}
        out: dict[str, Any] = {"operators": operators}
        if trigger.get("on"):
            out["trigger"] = {"on": trigger["on"], **(trigger.get("parameters") or {})}
        for key in ("actions", "context"):
            if rule.get(key):
                out[key] = rule[key]
        rules[name] = out
    return rules


def export_account(live: LiveAccount) -> tuple[dict[str, Any], list[str]]:
    """The desired state (file-shaped) that adopts every object; and warnings to show."""
    export = _Export(live)
    export.stores()
    export.knowledge()
    export.operators()
    export.configurations()
    export.conversations()
    export_store_contents(export, _Names)  # Memory Store contents (export_memory)
    return export.doc, export.warnings


class _Export:
    """One export: each kind in dependency order, so that names of what an object refers to are
    known when it is written."""

    def __init__(self, live: LiveAccount) -> None:
        self.live = live
        self.doc: dict[str, Any] = {}
        self.warnings: list[str] = []
        self.names: dict[str, dict[str, str]] = {}  # kind -> id -> logical name

    def _entries(self, kind: str) -> Iterable[tuple[str, str, dict[str, Any]]]:
        """(id, logical name, live body) of one kind's objects, named as they come."""
        spec = _kinds.by_name(kind)
        taken = _Names(spec.export_name)
        names = self.names.setdefault(kind, {})
        for object_id, body in sorted(self.live.by_kind(kind).items()):
            if body.get("author") == "TWILIO":
                continue  # Twilio-authored: referenced by name where used, never managed
            names[object_id] = name = taken(body.get(spec.load("model").NAME_FIELD))
            yield object_id, name, body

    def _put(self, kind: str, name: str, entry: dict[str, Any]) -> None:
        self.doc.setdefault(_kinds.by_name(kind).section, {})[name] = entry

    def stores(self) -> None:
        for store_id, name, body in self._entries("MemoryStore"):
            self._put(
                "MemoryStore",
                name,
                {
                    "adoptId": store_id,
                    "deletionPolicy": "retain",
                    **MemoryStoreModel.normalise(body),
                },
            )

    def knowledge(self) -> None:
        """Bases (kept on removal: ``deletionPolicy: retain``), then their sources by base name."""
        for base_id, name, body in self._entries("KnowledgeBase"):
            fields = KnowledgeBaseModel.normalise(body)
            self._put(
                "KnowledgeBase", name, {"adoptId": base_id, "deletionPolicy": "retain", **fields}
            )
        base_names = self.names.get("KnowledgeBase", {})
        section = _kinds.by_name("KnowledgeSource").section
        for source_id, name, body in self._entries("KnowledgeSource"):
            kind = (body.get("source") or {}).get("type")
            if kind not in ("Text", "Web"):
                self.warnings.append(
                    f"{section}.{name} ({source_id}) is a {kind} source, which a desired-state "
                    f"file cannot describe yet: it is left out (and stays as it is)"
                )
                continue
            fields = KnowledgeSourceModel.normalise(body)
            base = base_names[str(fields.pop("knowledgeBaseId"))]
            self._put(
                "KnowledgeSource", name, {"adoptId": source_id, "knowledgeBase": base, **fields}
            )

    def operators(self) -> None:
        for operator_id, name, body in self._entries("Operator"):
            self._put("Operator", name, {"adoptId": operator_id, **_operator(body)})

    def configurations(self) -> None:
        section = _kinds.by_name("IntelligenceConfiguration").section
        for config_id, name, body in self._entries("IntelligenceConfiguration"):
            fields = IntelligenceConfigurationModel.normalise(body)
            if (body.get("version") or 1) > 1:
                self.warnings.append(
                    f"{section}.{name} ({config_id}) is at version "
                    f"{body['version']}: it was changed with PUT and is probably inactive; after "
                    f"adoption, `twilio-intelligence drift` reports it and `pulumi up --refresh` "
                    f"replaces it"
                )
            operator_names = self.names.get("Operator", {})
            rules = _rules(fields, operator_names, f"{section}.{name}")
            self._put(
                "IntelligenceConfiguration",
                name,
                {
                    "adoptId": config_id,
                    **{k: v for k, v in fields.items() if k != "rules"},
                    "rules": {k: self._knowledge_names(rule) for k, rule in rules.items()},
                },
            )

    def _knowledge_names(self, rule: dict[str, Any]) -> dict[str, Any]:
        """A rule with the knowledge bases and sources it names (ids) by their logical names."""
        known = {**self.names.get("KnowledgeBase", {}), **self.names.get("KnowledgeSource", {})}
        for options in rule["operators"].values():
            params = options.get("parameters")
            if isinstance(params, dict):
                options["parameters"] = {
                    k: known.get(v, v) if isinstance(v, str) else v for k, v in params.items()
                }
        bases = ((rule.get("context") or {}).get("knowledge") or {}).get("bases")
        if isinstance(bases, list):
            knowledge = {**rule["context"]["knowledge"], "bases": [known.get(b, b) for b in bases]}
            rule["context"] = {**rule["context"], "knowledge": knowledge}
        return rule

    def conversations(self) -> None:
        section = _kinds.by_name("ConversationConfiguration").section
        store_names = self.names.get("MemoryStore", {})
        config_names = self.names.get("IntelligenceConfiguration", {})
        for conv_id, name, body in self._entries("ConversationConfiguration"):
            fields = ConversationConfigurationModel.normalise(body)
            entry: dict[str, Any] = {"adoptId": conv_id}
            for key, value in fields.items():
                if key == "memoryStoreId" and value in store_names:
                    entry["memoryStore"] = store_names[value]
                elif key == "intelligenceConfigurationIds":
                    entry["intelligenceConfigurations"] = [
                        config_names[i] for i in value if i in config_names
                    ]
                    for missing in (i for i in value if i not in config_names):
                        self.warnings.append(
                            f"{section}.{name} ({conv_id}) links {missing}, which "
                            f"does not exist; the link is left out, so adoption updates it"
                        )
                else:
                    entry[key] = value
            self._put("ConversationConfiguration", name, entry)


class _Dumper(yaml.SafeDumper):
    """Block style; multi-line strings (prompts) as literal blocks."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def to_yaml(doc: dict[str, Any], header: Iterable[str] = ()) -> str:
    body = yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    lines = [f"# {line}" if line else "#" for line in header]
    return "\n".join(lines) + ("\n\n" if lines else "") + body


def run_export(
    project_dir: Path | None,
    stack: str | None,
    *,
    env: Mapping[str, str],
    import_file_path: Path | None = None,
) -> str:
    """The desired-state file of the live account. With ``import_file_path`` (which needs
    ``stack``), its objects carry no adoptId: Pulumi's import file written there takes them over
    (``pulumi import --file``)."""
    config: dict[str, Any] = {}
    project = None
    if stack:
        project = find_project(project_dir or Path.cwd())
        cli = PulumiCli(project, engine_env(env))
        config = stack_credentials_config(project, cli, stack)
    if import_file_path is not None and (project is None or stack is None):
        raise ExportError("--import-file needs --stack: the import is made for one stack")
    api = connect(Target.resolve(config, env), RequestStats())
    try:
        live = LiveAccount.read(api)
        doc, warnings = export_account(live)
        if import_file_path is not None and project is not None and stack is not None:
            ids = {
                (section, name): str(entry.pop("adoptId"))
                for section, entries in doc.items()
                for name, entry in entries.items()
            }
            from .importfile import import_file  # noqa: PLC0415 - needs the Pulumi SDK

            spec = import_file(doc, ids=ids, live=live, api=api, project=project.name, stack=stack)
            import_file_path.write_text(json.dumps(spec, indent=2) + "\n")
    finally:
        api.http.close()
    for warning in warnings:
        log.warning("%s", warning)
    account = api.http.url("intelligence", "").rstrip("/")
    how = (
        [
            f"Take the objects over with `pulumi import --file {import_file_path} "
            f"--protect=false --generate-code=false --stack {stack}`; the next preview is empty."
        ]
        if import_file_path is not None
        else ["Every object carries adoptId: `pulumi up` takes them over and creates nothing."]
    )
    header = [
        f"Exported from {account} by `twilio-intelligence export` on "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC.",
        *how,
        "Reference: README.md, 'Drift detection and export'.",
    ]
    return to_yaml(doc, header)
