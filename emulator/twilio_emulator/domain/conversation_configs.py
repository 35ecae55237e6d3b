"""Conversation Orchestrator (Conversations v2) ControlPlane Configurations.

Writes are asynchronous (see operations.py). PUT is a full replacement:
optional fields left out are reset to their defaults, not kept. The one
exception is ``displayName``: optional on update but required in the resource,
so an update without it keeps the stored name.
"""

from __future__ import annotations

import re
from typing import Any

from .checks import Checker, join, join_index
from .collection import Collection
from .errors import NotFound, ValidationFailed
from .operations import Operations
from .pagination import Page
from .runtime import Runtime

__all__ = [
    "CONVERSATION_CONFIGURATION_PREFIX",
    "MAX_CONFIGURATIONS",
    "ConversationConfigService",
]

CONVERSATION_CONFIGURATION_PREFIX = "conv_configuration"
MAX_CONFIGURATIONS = 10
GROUPING_TYPES = (
    "GROUP_BY_PROFILE",
    "GROUP_BY_PARTICIPANT_ADDRESSES",
    "GROUP_BY_PARTICIPANT_ADDRESSES_AND_CHANNEL_TYPE",
)
# The request schema allows five methods but the resource schema only two; the
# emulator refuses the three it could not return (see README).
CALLBACK_METHODS = ("POST", "GET")
_REQUEST_ONLY_METHODS = ("PUT", "DELETE", "PATCH")
_DISPLAY_NAME = re.compile(r"[a-zA-Z0-9-_ ]+")
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

    # -- writes (each returns the started operation) --------------------------------

    def create(self, account: str, body: dict[str, Any], *, fail: bool = False) -> dict[str, Any]:
        fields = self._validate(body, update=False)
        config_id = self.rt.ids.new(CONVERSATION_CONFIGURATION_PREFIX)
        return self._start(account, "config-create", config_id, fields, fail)

    def update(
        self, account: str, config_id: str, body: dict[str, Any], *, fail: bool = False
    ) -> dict[str, Any]:
        self.operations.ensure_unlocked(account, config_id)
        self.fetch(account, config_id)
        fields = self._validate(body, update=True)
        return self._start(account, "config-update", config_id, fields, fail)

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
        if self.rt.store.count(_KIND, account) >= MAX_CONFIGURATIONS:
            raise ValidationFailed(
                f"An account can have at most {MAX_CONFIGURATIONS} configurations"
            )
        now = self.rt.timestamp()
        doc = dict(op["payload"], id=op["target"], createdAt=now, updatedAt=now, version=1)
        self.rt.store.put(_KIND, account, op["target"], _ordered(doc))

    def _apply_update(self, account: str, op: dict[str, Any]) -> None:
        old = self.fetch(account, op["target"])
        fields = dict(op["payload"])
        fields.setdefault("displayName", old["displayName"])
        doc = dict(
            fields,
            id=old["id"],
            createdAt=old["createdAt"],
            updatedAt=self.rt.timestamp(),
            version=int(old["version"]) + 1,
        )
        self.rt.store.put(_KIND, account, op["target"], _ordered(doc))

    def _apply_delete(self, account: str, op: dict[str, Any]) -> None:
        if not self.rt.store.delete(_KIND, account, op["target"]):
            raise NotFound(f"Configuration {op['target']} not found")

    # -- validation ------------------------------------------------------------------

    def _validate(self, body: dict[str, Any], *, update: bool) -> dict[str, Any]:
        c = Checker()
        out: dict[str, Any] = {}
        name = c.get(body, "displayName", "", required=not update)
        if name is not None and c.string(name, "displayName", max_len=32, pattern=_DISPLAY_NAME):
            out["displayName"] = name
        description = c.get(body, "description", "", required=True)
        if description is not None and c.string(description, "description") is not None:
            out["description"] = description
        grouping = c.get(body, "conversationGroupingType", "", required=True)
        if grouping is not None and c.string(
            grouping, "conversationGroupingType", enum=GROUPING_TYPES
        ):
            out["conversationGroupingType"] = grouping
        store_id = c.get(body, "memoryStoreId", "", required=True)
        if store_id is not None and c.string(store_id, "memoryStoreId") is not None:
            out["memoryStoreId"] = store_id
        settings = c.get(body, "channelSettings", "", required=update)
        out["channelSettings"] = (
            {} if settings is None else self._channel_settings(c, settings, "channelSettings")
        )
        out["statusCallbacks"] = self._callbacks(c, body.get("statusCallbacks"))
        ids = body.get("intelligenceConfigurationIds")
        out["intelligenceConfigurationIds"] = []
        if ids is not None:
            items = c.array(ids, "intelligenceConfigurationIds", max_items=5)
            if items is not None and all(
                c.string(item, join_index("intelligenceConfigurationIds", i)) is not None
                for i, item in enumerate(items)
            ):
                out["intelligenceConfigurationIds"] = list(items)
        extraction = body.get("memoryExtractionEnabled")
        out["memoryExtractionEnabled"] = False
        if extraction is not None and c.boolean(extraction, "memoryExtractionEnabled") is not None:
            out["memoryExtractionEnabled"] = extraction
        c.raise_if_failed()
        return out

    @classmethod
    def _channel_settings(cls, c: Checker, value: Any, path: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for channel, setting in (c.object(value, path) or {}).items():
            channel_path = join(path, channel)
            obj = c.object(setting, channel_path)
            if obj is None:
                continue
            kept: dict[str, Any] = {}
            if obj.get("statusTimeouts") is not None:
                kept["statusTimeouts"] = cls._timeouts(
                    c, obj["statusTimeouts"], join(channel_path, "statusTimeouts")
                )
            if obj.get("captureRules") is not None:
                kept["captureRules"] = cls._capture_rules(
                    c, obj["captureRules"], join(channel_path, "captureRules")
                )
            out[channel] = kept
        return out

    @staticmethod
    def _timeouts(c: Checker, value: Any, path: str) -> dict[str, int]:
        kept: dict[str, int] = {}
        obj = c.object(value, path) or {}
        for key in ("inactive", "closed"):
            minutes = obj.get(key)
            if minutes is not None and c.integer(minutes, join(path, key), minimum=1) is not None:
                kept[key] = minutes
        return kept

    @staticmethod
    def _capture_rules(c: Checker, value: Any, path: str) -> list[dict[str, Any]]:
        kept_rules = []
        for rule_obj, item_path in c.objects(value, path):
            kept_rule: dict[str, Any] = {}
            for key in ("from", "to"):
                address = c.get(rule_obj, key, item_path, required=True)
                if address is not None and c.string(address, join(item_path, key)):
                    kept_rule[key] = address
            # The spec's examples always show metadata, {} when empty.
            kept_rule["metadata"] = {}
            metadata = rule_obj.get("metadata")
            if metadata is not None:
                mapping = c.string_map(metadata, join(item_path, "metadata"))
                if mapping is not None:
                    kept_rule["metadata"] = mapping
            kept_rules.append(kept_rule)
        return kept_rules

    @staticmethod
    def _callbacks(c: Checker, value: Any) -> list[dict[str, str]]:
        callbacks: list[dict[str, str]] = []
        if value is None:
            return callbacks
        for obj, path in c.objects(value, "statusCallbacks", max_items=2):
            callback: dict[str, str] = {}
            url = c.get(obj, "url", path, required=True)
            if url is not None and c.uri(url, join(path, "url")) is not None:
                callback["url"] = url
            method = obj.get("method")
            if method in _REQUEST_ONLY_METHODS:
                c.fail(
                    join(path, "method"),
                    "must be one of [POST, GET] (the emulator stores only methods it can return)",
                )
            elif method is None or c.string(method, join(path, "method"), enum=CALLBACK_METHODS):
                callback["method"] = method or "POST"
            callbacks.append(callback)
        return callbacks


def _ordered(doc: dict[str, Any]) -> dict[str, Any]:
    return {key: doc[key] for key in _FIELD_ORDER if key in doc}
