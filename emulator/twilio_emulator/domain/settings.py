"""Trap switches and tunable settings.

Traps are the behaviours of the live service that the seed guide reports and
the OpenAPI specs do not show (gotchas.md). Each is on by default, because the
point of the emulator is to make clients meet them before production does,
and each can be switched off to test the "spec-only" behaviour.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any

__all__ = ["Settings", "Traps"]


@dataclass
class Traps:
    # gotchas A1: a PUT answers 200 and bumps `version`, but the configuration
    # silently stops producing results.
    put_deactivates_configuration: bool = True
    # gotchas A9/B1: Twilio-authored operators return `"prompt": null`; when off
    # the key is omitted, as the spec says.
    twilio_prompt_null: bool = True
    # gotchas B13: the spec's own example sends `"type": "integer"`; accept it
    # and normalise to upper case. When off, lowercase types get a 400.
    lowercase_parameter_type_accepted: bool = True
    # gotchas A25: v3 Conversations report `"conversationConfigurationId": "unused"`.
    conversation_configuration_id_unused: bool = True
    # gotchas B8: the Sentiment operator labels in lower case (positive, ...).
    sentiment_labels_lowercase: bool = True
    # Memory v1 (memory-v1.md). The UNCERTAIN readings a careful client must survive are on
    # by default; the two marked "off by default" model the spec's more lenient reading.
    # §2.3: duplicate store displayName 409/20409 and a 16th store 400, synchronously;
    # off: the create answers 202 and its operation ends FAILED.
    memory_store_sync_name_checks: bool = True
    # §1.5: a stale If-Match on PatchTraitGroup/PatchDataMapping (no 412 declared) is 412;
    # off: If-Match is ignored there.
    memory_if_match_412_everywhere: bool = True
    # §3.3 / E7, off by default: 400 for matchingAlgo != exact or enforceUnique false.
    memory_identity_settings_strict: bool = False
    # §4.5 / E8: trait names sent in snake_case read back in lowerCamelCase.
    memory_trait_names_camel_case: bool = True
    # §4.4: deleting the built-in Contact trait group is 409; off: it can be deleted.
    memory_builtin_group_protected: bool = True
    # §5.3 / E9, off by default: data-mapping displayName may use the docs' wider form
    # (underscore allowed, up to 128 characters).
    memory_data_mapping_wide_names: bool = False

    def update(self, values: dict[str, Any]) -> None:
        for name, value in _checked(self, values).items():
            setattr(self, name, value)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Settings:
    # Emulator seconds from an async write (Conversations v2, Memory v1) to its
    # completion; the operation is PENDING for the first half, then RUNNING.
    # 0 completes the operation before the 202 is even sent.
    operation_delay_seconds: float = 0.2
    # Emulator seconds a new Memory Store spends QUEUED then PROVISIONING
    # (half each) before it becomes ACTIVE.
    store_provisioning_seconds: float = 0.2
    # Value of the Retry-After header on 202 responses and operation polls.
    retry_after_seconds: int = 1
    # Status of the operator version created by each operator PUT.
    new_operator_version_status: str = "ACTIVE"
    # Idempotency keys of Conversations v2 writes live this long (spec: 24 h).
    idempotency_ttl_seconds: float = 24 * 3600
    # Bodies larger than this get a 413.
    max_body_bytes: int = 1024 * 1024
    # Entries kept in the request log (oldest dropped first).
    request_log_limit: int = 10000

    def update(self, values: dict[str, Any]) -> None:
        candidate = replace(self, **_checked(self, values))
        candidate.validate()
        for name in values:
            setattr(self, name, getattr(candidate, name))

    def validate(self) -> None:
        if self.new_operator_version_status not in ("PREVIEW", "ACTIVE", "DEPRECATED", "RETIRED"):
            raise ValueError(
                "new_operator_version_status: must be PREVIEW, ACTIVE, DEPRECATED or RETIRED"
            )
        for name in ("operation_delay_seconds", "store_provisioning_seconds"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name}: must be >= 0")
        if self.idempotency_ttl_seconds < 0 or self.retry_after_seconds < 0:
            raise ValueError("idempotency_ttl_seconds and retry_after_seconds: must be >= 0")
        if self.max_body_bytes < 1 or self.request_log_limit < 1:
            raise ValueError("max_body_bytes and request_log_limit: must be >= 1")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _checked(target: Traps | Settings, values: dict[str, Any]) -> dict[str, Any]:
    """Type-check a partial update before anything is applied."""
    known = {f.name for f in fields(target)}
    staged: dict[str, Any] = {}
    for name, value in values.items():
        if name not in known:
            raise ValueError(f"{name}: unknown (known: {', '.join(sorted(known))})")
        current = getattr(target, name)
        if isinstance(current, bool):
            ok = isinstance(value, bool)
        elif isinstance(current, (int, float)):
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
            ok = ok and (isinstance(current, float) or isinstance(value, int))
        else:
            ok = isinstance(value, type(current))
        if not ok:
            raise ValueError(f"{name}: must be of type {type(current).__name__}")
        staged[name] = float(value) if isinstance(current, float) else value
    return staged
