"""Custom Language Operators: replaced on change by default; optionally PUT in place.

In place means PUT with If-Match on the version we last saw, then a check that the version the PUT
made is ACTIVE: a PREVIEW version would run for nobody, and a silent success would hide that.
"""

from __future__ import annotations

import contextlib
from collections.abc import Collection
from typing import Any

from .._core.bodies import OperatorServer, ServerFields
from .._core.models import OperatorModel
from .._core.spec import ResourceModel
from ..errors import NotFoundError, OperatorVersionNotActiveError, PreconditionFailedError
from .base import Created, Reconciler, Updated, log


class OperatorReconciler(Reconciler):
    model = OperatorModel

    def fetch(self, object_id: str) -> dict[str, Any] | None:
        return self._get_or_none(lambda: self.api.get_operator(object_id).body)

    def server_fields(self, body: dict[str, Any]) -> OperatorServer:
        return {"version": body.get("version"), "author": body.get("author")}

    def adoptable(self, body: dict[str, Any]) -> bool:
        return body.get("author") == "SELF"

    def create(self, desired: ResourceModel, *, replacing: Collection[str] = ()) -> Created:
        return self._create_by_name(
            desired,
            replacing=replacing,
            post=lambda body: self.api.create_operator(body).body,
            find=lambda name: [
                o
                for o in self.api.list_operators()
                if o.get("displayName") == name and o.get("author") == "SELF"
            ],
        )

    def update(self, object_id: str, desired: ResourceModel, recorded: ServerFields) -> Updated:
        version = recorded.get("version")
        try:
            tagged = self.api.update_operator(
                object_id, desired.wire(), if_match=str(version) if version else None
            )
        except PreconditionFailedError:
            # Either someone else changed it, or our own PUT landed and its answer was lost and
            # the retry then failed If-Match. Only the second is success.
            live = self.api.get_operator(object_id).body
            if self.model.diff(desired.wire(), live):
                raise
            log.info("operator %s already matches after a lost response", object_id)
            tagged_body = live
        else:
            tagged_body = tagged.body
        new_version = tagged_body.get("version")
        if new_version is not None:
            status = self.api.get_operator_version(object_id, int(new_version)).get("status")
            if status != "ACTIVE":
                raise OperatorVersionNotActiveError(
                    f"operator {object_id}: the in-place update made version {new_version} "
                    f"with status {status}, not ACTIVE; rules that do not pin a version keep "
                    f"running the previous ACTIVE version. Use updateStrategy 'replace' or "
                    f"activate it in Twilio."
                )
        return Updated(self.server_fields(tagged_body))

    def delete(self, object_id: str, recorded: ServerFields) -> None:
        with contextlib.suppress(NotFoundError):  # already gone: that is what we wanted
            self.api.delete_operator(object_id)
