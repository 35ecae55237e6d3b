"""The fields of an Orchestrator (Conversations v2) configuration, checked once.

conversations-v2.md §2.2 (create), §2.4 (PUT, full replacement) and §2.5
(PATCH, merge). Each field is described by one ``_FieldRule``: how to check a
value, and what a PATCH ``null`` means for it (refused, cleared, or reset to
the default). Create and PUT read every field; PATCH reads only the keys sent.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .checks import Checker, join, join_index

__all__ = [
    "CHANNEL_REMOVED",
    "CLEARED",
    "GROUPING_TYPES",
    "check_full",
    "check_patch",
    "merge_patch",
]

GROUPING_TYPES = (
    "GROUP_BY_PROFILE",
    "GROUP_BY_PARTICIPANT_ADDRESSES",
    "GROUP_BY_PARTICIPANT_ADDRESSES_AND_CHANNEL_TYPE",
)
CALLBACK_METHODS = ("POST", "GET")
# conversations-v2 §5.3 and gotchas E16: the docs' three values, plus the
# skill's and the spec description's ``SIP`` (stored as sent).
VOICE_CALL_TYPES = ("PSTN", "CLIENT", "PUBLIC_SIP", "SIP")
_DISPLAY_NAME = re.compile(r"[a-zA-Z0-9-_ ]+")
_V1_SERVICE = re.compile(r"IS[0-9a-f]{32}")
# PATCH markers: a field set to None by the client, and a channel removed.
CLEARED = "__cleared__"
CHANNEL_REMOVED = "__removed__"

_Check = Callable[[Checker, Any, str, int], Any]


@dataclass(frozen=True)
class _FieldRule:
    check: _Check
    # What a PATCH null does: "refuse" (400), "clear" (drop it) or a default value.
    on_null: Any = "refuse"


def _display_name(c: Checker, value: Any, path: str, _: int) -> Any:
    return c.string(value, path, max_len=32, pattern=_DISPLAY_NAME)


def _description(c: Checker, value: Any, path: str, _: int) -> Any:
    return c.string(value, path, max_len=512)


def _grouping(c: Checker, value: Any, path: str, _: int) -> Any:
    return c.string(value, path, enum=GROUPING_TYPES)


def _string(c: Checker, value: Any, path: str, _: int) -> Any:
    return c.string(value, path)


def _boolean(c: Checker, value: Any, path: str, _: int) -> Any:
    return c.boolean(value, path)


def _config_ids(c: Checker, value: Any, path: str, _: int) -> Any:
    items = c.array(value, path, max_items=5)
    if items is None:
        return None
    ok = all(c.string(item, join_index(path, i)) is not None for i, item in enumerate(items))
    return list(items) if ok else None


def _callbacks(c: Checker, value: Any, path: str, _: int) -> Any:
    callbacks: list[dict[str, str]] = []
    for obj, item_path in c.objects(value, path, max_items=2):
        callback: dict[str, str] = {}
        url = c.get(obj, "url", item_path, required=True)
        if url is not None and c.uri(url, join(item_path, "url")) is not None:
            callback["url"] = url
        method = obj.get("method")
        if method is None or c.string(method, join(item_path, "method"), enum=CALLBACK_METHODS):
            callback["method"] = method or "POST"
        callbacks.append(callback)
    return callbacks


def _bridge(c: Checker, value: Any, path: str, _: int) -> Any:
    obj = c.object(value, path)
    if obj is None:
        return None
    service = c.get(obj, "serviceId", path, required=True)
    if service is None or c.string(service, join(path, "serviceId"), pattern=_V1_SERVICE) is None:
        return None
    return {"serviceId": service}


def _channel_settings(c: Checker, value: Any, path: str, max_rules: int) -> Any:
    out: dict[str, Any] = {}
    for channel, setting in (c.object(value, path) or {}).items():
        parsed = channel_setting(c, channel, setting, join(path, channel), max_rules)
        if parsed is not None:
            out[channel] = parsed
    return out


def channel_setting(
    c: Checker, channel: str, value: Any, path: str, max_rules: int
) -> dict[str, Any] | None:
    obj = c.object(value, path)
    if obj is None:
        return None
    kept: dict[str, Any] = {}
    # gotchas E19: the skill sends "statusTimeouts": null (VOICE); it means "no timeouts".
    if obj.get("statusTimeouts") is not None:
        kept["statusTimeouts"] = _timeouts(c, obj["statusTimeouts"], join(path, "statusTimeouts"))
    if obj.get("captureRules") is not None:
        kept["captureRules"] = _capture_rules(
            c, channel, obj["captureRules"], join(path, "captureRules"), max_rules
        )
    return kept


def _timeouts(c: Checker, value: Any, path: str) -> dict[str, int]:
    kept: dict[str, int] = {}
    obj = c.object(value, path) or {}
    for key in ("inactive", "closed"):
        minutes = obj.get(key)
        if minutes is not None and c.integer(minutes, join(path, key), minimum=1) is not None:
            kept[key] = minutes
    return kept


def _capture_rules(
    c: Checker, channel: str, value: Any, path: str, max_rules: int
) -> list[dict[str, Any]]:
    kept_rules = []
    # conversations-v2 §2.7 / gotchas E2: 100 rules per channel reported (a Setting).
    for rule_obj, item_path in c.objects(value, path, max_items=max_rules):
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
                call_type = mapping.get("callType")
                if channel == "VOICE" and call_type is not None:
                    c.string(call_type, join(item_path, "metadata.callType"), enum=VOICE_CALL_TYPES)
        kept_rules.append(kept_rule)
    return kept_rules


# Field -> rule, in the resource's order. Required-ness differs per method (below).
_FIELDS: dict[str, _FieldRule] = {
    "displayName": _FieldRule(_display_name),
    "description": _FieldRule(_description),
    "conversationGroupingType": _FieldRule(_grouping),
    "memoryStoreId": _FieldRule(_string),
    "channelSettings": _FieldRule(_channel_settings),
    "statusCallbacks": _FieldRule(_callbacks, on_null=[]),
    "intelligenceConfigurationIds": _FieldRule(_config_ids, on_null=[]),
    "memoryExtractionEnabled": _FieldRule(_boolean, on_null=False),
    "conversationsV1Bridge": _FieldRule(_bridge, on_null="clear"),
}
_REQUIRED = {
    "create": ("displayName", "description", "conversationGroupingType", "memoryStoreId"),
    "update": ("description", "conversationGroupingType", "memoryStoreId", "channelSettings"),
}
# Defaults of the optional fields a create or a PUT leaves out (PUT replaces all).
_DEFAULTS: dict[str, Any] = {
    "channelSettings": {},
    "statusCallbacks": [],
    "intelligenceConfigurationIds": [],
    "memoryExtractionEnabled": False,
}


def check_full(body: dict[str, Any], *, update: bool, max_rules: int) -> dict[str, Any]:
    """A create (``update`` False) or PUT body: every field, defaults for the missing ones."""
    c = Checker()
    required = _REQUIRED["update" if update else "create"]
    out: dict[str, Any] = {}
    for name, rule in _FIELDS.items():
        value = c.get(body, name, "", required=name in required)
        if value is None:
            if name in _DEFAULTS:
                out[name] = _copy(_DEFAULTS[name])
            continue
        parsed = rule.check(c, value, name, max_rules)
        if parsed is not None:
            out[name] = parsed
    c.raise_if_failed()
    return out


def check_patch(body: dict[str, Any], *, max_rules: int) -> dict[str, Any]:
    """A PATCH body: only the keys sent; a null becomes CLEARED (or a refusal), a channel
    mapped to null becomes CHANNEL_REMOVED."""
    c = Checker()
    out: dict[str, Any] = {}
    for name, rule in _FIELDS.items():
        if name not in body:
            continue
        value = body[name]
        if value is None:
            if name == "channelSettings" or rule.on_null == "refuse":
                c.fail(name, "must not be null")
            else:
                out[name] = CLEARED
        elif name == "channelSettings":
            out[name] = _patch_channels(c, value, max_rules)
        else:
            parsed = rule.check(c, value, name, max_rules)
            if parsed is not None:
                out[name] = parsed
    c.raise_if_failed()
    return out


def _patch_channels(c: Checker, value: Any, max_rules: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for channel, setting in (c.object(value, "channelSettings") or {}).items():
        if setting is None:
            out[channel] = CHANNEL_REMOVED
            continue
        path = join("channelSettings", channel)
        parsed = channel_setting(c, channel, setting, path, max_rules)
        if parsed is not None:
            out[channel] = parsed
    return out


def merge_patch(current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """The configuration fields after applying a checked PATCH (conversations-v2 §2.5)."""
    merged = {name: _copy(current[name]) for name in _FIELDS if name in current}
    for name, value in changes.items():
        if name == "channelSettings":
            channels = dict(merged.get("channelSettings", {}))
            for channel, setting in value.items():
                if setting == CHANNEL_REMOVED:
                    channels.pop(channel, None)
                else:
                    channels[channel] = setting  # replaces that channel wholesale
            merged["channelSettings"] = channels
        elif value == CLEARED:
            on_null = _FIELDS[name].on_null
            if on_null == "clear":
                merged.pop(name, None)
            else:
                merged[name] = _copy(on_null)
        else:
            merged[name] = value
    return merged


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value
