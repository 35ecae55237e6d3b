"""Pulumi's import file for an exported account, so that ``pulumi import --file`` takes over every
object of the desired-state file ``export`` wrote.

``pulumi import TYPE NAME ID`` (and the ``import`` resource option) cannot work for a dynamic
resource (pulumi#16175): the engine asks the provider to read an object it holds no state for, and
the dynamic provider finds no serialized provider (``__provider``) to dispatch to. An import file
whose entries carry the resource's ``inputs`` and ``outputs`` is recorded as they are, with no read
(Pulumi 3.2xx), and then checked by the provider. This module computes that state as the provider
records it: each live object observed by its reconciler and shaped by the adapter's
``read_result``, with the serialized provider the program records (as a secret, like the program).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pulumi.dynamic.dynamic import serialize_provider

from .._core import kinds as _kinds
from .._core.kinds import twilio_operator_id
from .._pulumi.providers import PROVIDER_KEY
from .._twilio.api import TwilioApi
from ..resources import TwilioOperator, _TwilioOperatorProvider
from .live import LiveAccount

__all__ = ["import_file"]

# The engine's signature of a secret value in a serialized property map.
_SECRET = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}


def _type(resource_class: Any) -> str:
    return f"pulumi-python:{resource_class._resource_type_name}"  # the SDK's type token


def _secret(value: Any) -> dict[str, Any]:
    return {**_SECRET, "plaintext": json.dumps(value)}


def _entry(
    resource_class: Any,
    *,
    name: str,
    object_id: str,
    inputs: Mapping[str, Any],
    outputs: Mapping[str, Any],
    provider: Any,
) -> dict[str, Any]:
    serialized = _secret(serialize_provider(provider))
    return {
        "type": _type(resource_class),
        "name": name,
        "id": object_id,
        "inputs": {**inputs, PROVIDER_KEY: serialized},
        "outputs": {**outputs, PROVIDER_KEY: serialized},
    }


def import_file(
    doc: Mapping[str, Any],
    *,
    ids: Mapping[tuple[str, str], str],
    live: LiveAccount,
    api: TwilioApi,
    project: str,
    stack: str,
) -> dict[str, Any]:
    """The import file for ``doc`` (a desired-state file ``export`` wrote) deployed as ``stack``
    of ``project``; ``ids`` holds each entry's object id by (section, name)."""
    resources: list[dict[str, Any]] = []
    for kind in _kinds.KINDS:  # dependency order
        section, resource_class, provider_class = (
            kind.section,
            kind.load("resource"),
            kind.load("provider"),
        )
        for name in doc.get(section) or {}:
            object_id = ids[(section, name)]
            provider = provider_class()
            book: dict[str, Any] = {
                "resourceName": name,
                "scope": [project, stack],
                "generation": 0,
            }
            if kind.name == "Operator":
                book["updateStrategy"] = "replace"  # the default of Operator and of the file
            if kind.holds_data:  # export writes retain (a source follows its base's)
                book["deletionPolicy"] = doc[section][name].get("deletionPolicy", _kinds.RETAIN)
            observation = provider.reconciler(api).observe(
                object_id, body=live.by_kind(provider.model.KIND)[object_id]
            )
            read = provider.read_result(object_id, book, observation, recorded=False)
            resources.append(
                _entry(
                    resource_class,
                    name=name,
                    object_id=object_id,
                    inputs=read.inputs or {},
                    outputs=read.outs,
                    provider=provider,
                )
            )
    for ref in _twilio_refs(doc):
        key = ref.lower()
        object_id = twilio_operator_id(ref) or ref
        outputs = _TwilioOperatorProvider.outputs(object_id, ref, live.operators[object_id])
        resources.append(
            _entry(
                TwilioOperator,
                name=f"twilio-{key}",
                object_id=object_id,
                inputs={"ref": ref},
                outputs=outputs,
                provider=_TwilioOperatorProvider(),
            )
        )
    return {"resources": resources}


def _twilio_refs(doc: Mapping[str, Any]) -> list[str]:
    """The Twilio-authored operators the file's rules name (the program makes a TwilioOperator
    reference for each)."""
    ours = set(doc.get(_kinds.by_name("Operator").section) or {})
    refs: list[str] = []
    for config in (doc.get(_kinds.by_name("IntelligenceConfiguration").section) or {}).values():
        for rule in (config.get("rules") or {}).values():
            for ref in rule.get("operators") or {}:
                if ref not in ours and ref not in refs:
                    refs.append(ref)
    return refs
