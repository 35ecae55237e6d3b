"""Intelligence Configurations: created with their final rules in one POST, never PUT.

A PUT answers 200 and bumps ``version`` but leaves the configuration inactive: its operators
silently stop producing results. So there is no update here. Every change is a replacement, and
a live ``version`` above the one we created means someone else used PUT.

A rule that pins an operator version is checked against that version's lifecycle: DEPRECATED is a
warning, RETIRED an error (a retired version no longer runs). Only pinned operators' versions are
read, once per operator per reconciler.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Collection, Mapping
from typing import Any

from .._core.bodies import IntelligenceConfigurationServer, ServerFields
from .._core.models import IntelligenceConfigurationModel
from .._core.spec import ResourceModel
from .._twilio.api import TwilioApi
from ..errors import NotFoundError, TwilioIntelligenceError
from .base import Created, Finding, Reconciler, Updated

CREATED_VERSION = 1  # a POST creates version 1; anything higher was made by a PUT


def changed_with_put(body: Mapping[str, Any], recorded: ServerFields | None) -> str | None:
    """How a live configuration shows that someone used PUT on it since we created it (so it is
    inactive), or None: its ``version`` is above the one our POST made (``createdVersion``)."""
    created = (recorded or {}).get("createdVersion") or CREATED_VERSION
    live = body.get("version") or CREATED_VERSION
    if live > created:
        return f"version is {live} but we created version {created}: it was changed with PUT"
    return None


class IntelligenceConfigurationReconciler(Reconciler):
    model = IntelligenceConfigurationModel

    def __init__(self, api: TwilioApi) -> None:
        super().__init__(api)
        self._versions: dict[str, dict[int, dict[str, Any]]] = {}  # by operator id

    def fetch(self, object_id: str) -> dict[str, Any] | None:
        return self._get_or_none(lambda: self.api.get_configuration(object_id))

    def server_fields(self, body: dict[str, Any]) -> IntelligenceConfigurationServer:
        return {
            "version": body.get("version"),
            "ruleIds": [rule.get("id") for rule in body.get("rules") or []],
            "dateCreated": body.get("dateCreated"),
            "dateUpdated": body.get("dateUpdated"),
        }

    def findings(self, body: dict[str, Any], recorded: ServerFields | None) -> list[Finding]:
        found: list[Finding] = []
        inactive = changed_with_put(body, recorded)
        if inactive is not None:
            found.append(
                Finding(
                    "inactive-configuration",
                    f"{inactive}, which leaves it inactive (its rules produce no results). "
                    f"`pulumi up` after a refresh replaces it.",
                )
            )
        return found + self.pin_findings(body)

    def pin_findings(self, body: dict[str, Any]) -> list[Finding]:
        """DEPRECATED (warning) and RETIRED (error) operator versions pinned by the live rules."""
        found: list[Finding] = []
        for r, rule in enumerate(body.get("rules") or []):
            for op in rule.get("operators") or []:
                version = op.get("version")
                if version is None:
                    continue
                summary = self.operator_versions(str(op.get("id"))).get(int(version)) or {}
                status = summary.get("status")
                where = f"rules[{r}] pins operator {op.get('id')} at version {version}"
                if status == "RETIRED":
                    found.append(
                        Finding(
                            "pin-retired",
                            f"{where}, which is RETIRED (since {summary.get('dateRetired')}): it "
                            f"no longer runs. Pin an ACTIVE version in the stack file, then "
                            f"`pulumi up`.",
                        )
                    )
                elif status == "DEPRECATED":
                    found.append(
                        Finding(
                            "pin-deprecated",
                            f"{where}, which is DEPRECATED (retires "
                            f"{summary.get('retirementDate') or 'at a date not given'}). Pin an "
                            f"ACTIVE version in the stack file before then.",
                            severity="warning",
                        )
                    )
        return found

    def operator_versions(self, operator_id: str) -> dict[int, dict[str, Any]]:
        """Version summaries of one operator by number, read once per reconciler (one list)."""
        cache = self._versions
        if operator_id not in cache:
            try:
                listed = self.api.list_operator_versions(operator_id)
            except NotFoundError:
                listed = []  # the operator is gone: the configuration's own check reports that
            cache[operator_id] = {int(v["version"]): v for v in listed if "version" in v}
        return cache[operator_id]

    def adoptable(self, body: dict[str, Any]) -> bool:
        return (body.get("version") or CREATED_VERSION) == CREATED_VERSION

    def create(self, desired: ResourceModel, *, replacing: Collection[str] = ()) -> Created:
        created = self._create_by_name(
            desired,
            replacing=replacing,
            post=self.api.create_configuration,
            find=lambda name: [
                c for c in self.api.list_configurations() if c.get("displayName") == name
            ],
        )
        # Recorded: a live version above the one we created means someone used PUT (findings).
        version = created.server.get("version") or CREATED_VERSION
        return dataclasses.replace(created, server={**created.server, "createdVersion": version})

    def update(self, object_id: str, desired: ResourceModel, recorded: ServerFields) -> Updated:
        raise TwilioIntelligenceError(
            "Intelligence Configurations are never updated in place (a PUT deactivates them); "
            "every change must be planned as a replacement"
        )

    def delete(self, object_id: str, recorded: ServerFields) -> None:
        with contextlib.suppress(NotFoundError):  # already gone: that is what we wanted
            self.api.delete_configuration(object_id)
