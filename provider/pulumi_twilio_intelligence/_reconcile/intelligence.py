"""Intelligence Configurations: created with their final rules in one POST, never PUT.

A PUT answers 200 and bumps ``version`` but leaves the configuration inactive: its operators
silently stop producing results. So there is no update here. Every change is a replacement, and
a live ``version`` above the one we created means someone else used PUT.
"""

from __future__ import annotations

import contextlib
from collections.abc import Collection
from typing import Any

from .._models import IntelligenceConfigurationModel
from .._spec import ResourceModel
from ..errors import NotFoundError, TwilioIntelligenceError
from .base import Created, Finding, Reconciler

CREATED_VERSION = 1  # a POST creates version 1; anything higher was made by a PUT


class IntelligenceConfigurationReconciler(Reconciler):
    model = IntelligenceConfigurationModel

    def fetch(self, object_id: str) -> dict[str, Any] | None:
        return self._get_or_none(lambda: self.api.get_configuration(object_id))

    def server_fields(self, body: dict[str, Any]) -> dict[str, Any]:
        return {
            "version": body.get("version"),
            "ruleIds": [rule.get("id") for rule in body.get("rules") or []],
            "dateCreated": body.get("dateCreated"),
            "dateUpdated": body.get("dateUpdated"),
        }

    def findings(self, body: dict[str, Any], recorded: dict[str, Any] | None) -> list[Finding]:
        created = (recorded or {}).get("createdVersion") or CREATED_VERSION
        live = body.get("version") or CREATED_VERSION
        if live > created:
            return [
                Finding(
                    "inactive-configuration",
                    f"version is {live} but we created version {created}: it was changed with PUT, "
                    f"which leaves it inactive (its rules produce no results). `pulumi up` after a "
                    f"refresh replaces it.",
                )
            ]
        return []

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
        created.server["createdVersion"] = created.server.get("version") or CREATED_VERSION
        return created

    def update(
        self, object_id: str, desired: ResourceModel, recorded: dict[str, Any]
    ) -> dict[str, Any]:
        raise TwilioIntelligenceError(
            "Intelligence Configurations are never updated in place (a PUT deactivates them); "
            "every change must be planned as a replacement"
        )

    def delete(self, object_id: str, recorded: dict[str, Any]) -> None:
        with contextlib.suppress(NotFoundError):  # already gone: that is what we wanted
            self.api.delete_configuration(object_id)
