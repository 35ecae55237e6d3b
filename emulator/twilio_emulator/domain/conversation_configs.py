"""Conversation Orchestrator (Conversations v2) ControlPlane Configurations.

Writes are asynchronous (see operations.py). PUT is a full replacement:
optional fields left out are reset to their defaults, not kept. The one
exception is ``displayName``: optional on update but required in the resource,
so an update without it keeps the stored name. PATCH merges (field rules in
conversation_config_fields.py). Checked at once, before the 202: the body,
the account's configuration limit, a change of ``conversationGroupingType``
(Settings.grouping_type_change) and a V1 bridge service already used by
another configuration (409 with ``X-Conflicting-Resource-Id``).
"""

from __future__ import annotations

import re
from typing import Any

from .collection import Collection
from .conversation_config_fields import check_full, check_patch, merge_patch
from .errors import Conflict, NotFound, ValidationFailed
from .operations import Operations
from .pagination import Page
from .runtime import Runtime

__all__ = ["CONVERSATION_CONFIGURATION_PREFIX", "ConversationConfigService", "pinned_view"]

CONVERSATION_CONFIGURATION_PREFIX = "conv_configuration"
_STORE_FILTER = re.compile(r"mem_(store|service)_[0-7][0-9a-z]{25}")
_KIND = "conversation_configuration"
_FIELD_ORDER = (
    "id",
    "displayName",
    "description",
    "conversationGroupingType",
    "memoryStoreId",
    "channelSettings",
    "statusCallbacks",
    "intelligenceConfigurationIds",
    "memoryExtractionEnabled",
    "conversationsV1Bridge",
    "createdAt",
    "updatedAt",
    "version",
)


class ConversationConfigService(Collection):
    kind = _KIND
    noun = "Configuration"
    list_name = "configurations:"

    def __init__(self, rt: Runtime, operations: Operations) -> None:
        super().__init__(rt)
        self.operations = operations
        operations.register("config-create", self._apply_create)
        operations.register("config-update", self._apply_update)
        operations.register("config-patch", self._apply_patch)
        operations.register("config-delete", self._apply_delete)

    # -- reads -------------------------------------------------------------------

    def page(
        self, account: str, size: int, token: str | None, memory_store_id: str | None = None
    ) -> Page:
        if memory_store_id is not None and _STORE_FILTER.fullmatch(memory_store_id) is None:
            raise ValidationFailed(f'memoryStoreId: must match "^{_STORE_FILTER.pattern}$"')
        keep = None
        if memory_store_id is not None:
            keep = lambda doc: doc.get("memoryStoreId") == memory_store_id  # noqa: E731 - a one-line filter reads best inline
        return self._page(
            account, size, token, list_name=f"configurations:{memory_store_id or ''}", keep=keep
        )

    def for_conversation(self, account: str, conversation: dict[str, Any]) -> dict[str, Any]:
        """The configuration a conversation runs under: the one pinned when it began
        (gotchas E5, trap conversation_pins_configuration), else the live one ({} once
        deleted)."""
        pinned = conversation.get("internal", {}).get("configuration")
        if pinned is not None and self.rt.traps.conversation_pins_configuration:
            return dict(pinned)
        return self.get(account, conversation["configurationId"]) or {}

    # -- writes (each returns the started operation) --------------------------------

    def create(self, account: str, body: dict[str, Any], *, fail: bool = False) -> dict[str, Any]:
        fields = check_full(body, update=False, max_rules=self._max_rules)
        self._check_limit(account)
        self._check_bridge(account, None, fields)
        config_id = self.rt.ids.new(CONVERSATION_CONFIGURATION_PREFIX)
        return self._start(account, "config-create", config_id, fields, fail)

    def update(
        self, account: str, config_id: str, body: dict[str, Any], *, fail: bool = False
    ) -> dict[str, Any]:
        self.operations.ensure_unlocked(account, config_id)
        old = self.fetch(account, config_id)
        fields = check_full(body, update=True, max_rules=self._max_rules)
        self._check_grouping(old, fields)
        self._check_bridge(account, config_id, fields)
        return self._start(account, "config-update", config_id, fields, fail)

    def patch(
        self, account: str, config_id: str, body: dict[str, Any], *, fail: bool = False
    ) -> dict[str, Any]:
        self.operations.ensure_unlocked(account, config_id)
        old = self.fetch(account, config_id)
        changes = check_patch(body, max_rules=self._max_rules)
        self._check_grouping(old, changes)
        self._check_bridge(account, config_id, merge_patch(old, changes))
        return self._start(account, "config-patch", config_id, changes, fail)

    def delete(self, account: str, config_id: str, *, fail: bool = False) -> dict[str, Any]:
        self.operations.ensure_unlocked(account, config_id)
        self.fetch(account, config_id)
        return self._start(account, "config-delete", config_id, {}, fail)

    def _start(
        self, account: str, op_type: str, config_id: str, payload: dict[str, Any], fail: bool
    ) -> dict[str, Any]:
        return self.operations.start(
            account,
            api="conversations",
            op_type=op_type,
            target=config_id,
            payload=payload,
            related={"configurationId": config_id},
            force_failure=fail,
        )

    # -- appliers (run when the operation completes) ----------------------------------

    def _apply_create(self, account: str, op: dict[str, Any]) -> None:
        # Creates pending together may pass these checks at the write: FAILED here.
        self._check_limit(account)
        self._check_bridge(account, op["target"], op["payload"])
        now = self.rt.timestamp()
        doc = dict(op["payload"], id=op["target"], createdAt=now, updatedAt=now, version=1)
        self.rt.store.put(_KIND, account, op["target"], _ordered(doc))

    def _apply_update(self, account: str, op: dict[str, Any]) -> None:
        old = self.fetch(account, op["target"])
        fields = dict(op["payload"])
        fields.setdefault("displayName", old["displayName"])
        self._replace(account, old, fields)

    def _apply_patch(self, account: str, op: dict[str, Any]) -> None:
        old = self.fetch(account, op["target"])
        self._replace(account, old, merge_patch(old, op["payload"]))

    def _replace(self, account: str, old: dict[str, Any], fields: dict[str, Any]) -> None:
        grouping = fields.get("conversationGroupingType", old["conversationGroupingType"])
        if grouping != old["conversationGroupingType"]:
            if self.rt.settings.grouping_type_change != "ignore":
                raise ValidationFailed(_GROUPING_IMMUTABLE)
            fields["conversationGroupingType"] = old["conversationGroupingType"]
        self._check_bridge(account, old["id"], fields)
        doc = dict(
            fields,
            id=old["id"],
            createdAt=old["createdAt"],
            updatedAt=self.rt.timestamp(),
            version=int(old["version"]) + 1,
        )
        self.rt.store.put(_KIND, account, old["id"], _ordered(doc))

    def _apply_delete(self, account: str, op: dict[str, Any]) -> None:
        if not self.rt.store.delete(_KIND, account, op["target"]):
            raise NotFound(f"Configuration {op['target']} not found")

    # -- synchronous checks ---------------------------------------------------------

    @property
    def _max_rules(self) -> int:
        return self.rt.settings.max_capture_rules_per_channel

    def _check_limit(self, account: str) -> None:
        limit = self.rt.settings.max_conversation_configurations
        if self.rt.store.count(_KIND, account) >= limit:
            raise ValidationFailed(f"An account can have at most {limit} configurations")

    def _check_grouping(self, old: dict[str, Any], fields: dict[str, Any]) -> None:
        """gotchas E3: the grouping type is immutable; how a change is refused is a Setting."""
        grouping = fields.get("conversationGroupingType", old["conversationGroupingType"])
        if (
            grouping != old["conversationGroupingType"]
            and self.rt.settings.grouping_type_change == "reject"
        ):
            raise ValidationFailed(_GROUPING_IMMUTABLE)

    def _check_bridge(self, account: str, config_id: str | None, fields: dict[str, Any]) -> None:
        """One configuration per Conversations V1 service (conversations-v2 §5.5): 409."""
        service = (fields.get("conversationsV1Bridge") or {}).get("serviceId")
        if service is None:
            return
        for _, doc in self.rt.store.rows(_KIND, account):
            bridge = doc.get("conversationsV1Bridge") or {}
            if doc["id"] != config_id and bridge.get("serviceId") == service:
                raise Conflict(
                    f"conversationsV1Bridge.serviceId: {service} is already bridged by "
                    f"configuration {doc['id']}",
                    headers={"X-Conflicting-Resource-Id": doc["id"]},
                )


_GROUPING_IMMUTABLE = "conversationGroupingType: cannot be changed"


def _ordered(doc: dict[str, Any]) -> dict[str, Any]:
    return {key: doc[key] for key in _FIELD_ORDER if key in doc}


def pinned_view(config: dict[str, Any]) -> dict[str, Any]:
    """What a conversation keeps of its configuration at creation (gotchas E5)."""
    keys = ("version", "memoryStoreId", "channelSettings", "intelligenceConfigurationIds")
    return {key: config[key] for key in keys if key in config}
