"""OperatorResults (Intelligence v3 data plane): read, filter, delete.

The Intelligence runtime (intelligence_runtime.py) creates them; this is the
collection clients read them from.
"""

from __future__ import annotations

from typing import Any

from .collection import Collection
from .errors import ValidationFailed
from .ids import is_ttid
from .pagination import Page

__all__ = ["RESULT_KIND", "OperatorResults"]

RESULT_KIND = "operator_result"
_FILTERS = {
    "conversationId": "conv_conversation",
    "intelligenceConfigurationId": "intelligence_configuration",
    "operatorId": "intelligence_operator",
}


def _matches(filters: dict[str, str], doc: dict[str, Any]) -> bool:
    return bool(
        filters.get("conversationId", doc["conversationId"]) == doc["conversationId"]
        and filters.get("operatorId", doc["operator"]["id"]) == doc["operator"]["id"]
        and filters.get("intelligenceConfigurationId", doc["intelligenceConfiguration"]["id"])
        == doc["intelligenceConfiguration"]["id"]
    )


class OperatorResults(Collection):
    kind = RESULT_KIND
    noun = "OperatorResult"
    list_name = "results:"

    def delete(self, account: str, result_id: str) -> None:
        self.fetch(account, result_id)
        self.rt.store.delete(self.kind, account, result_id)

    def page(
        self, account: str, size: int, token: str | None, filters: dict[str, str] | None = None
    ) -> Page:
        """Filtered by ``conversationId``, ``intelligenceConfigurationId``, ``operatorId``."""
        filters = filters or {}
        for name, value in filters.items():
            if not is_ttid(value, _FILTERS[name]):
                raise ValidationFailed(
                    f'{name}: must match "^{_FILTERS[name]}_[0-7][0-9a-z]{{25}}$"'
                )
        list_name = "results:" + ",".join(f"{k}={v}" for k, v in sorted(filters.items()))
        return self._page(
            account, size, token, list_name=list_name, keep=lambda doc: _matches(filters, doc)
        )
