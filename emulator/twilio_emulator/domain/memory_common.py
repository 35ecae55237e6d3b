"""What the Memory v1 control-plane services share: ETags, If-Match, operations, names.

Every Memory write is asynchronous (memory-v1 §1.4): validated at once, applied
when its operation completes. The operation's ``related`` carries what the
status body reports on completion: ``resultId`` (``result.id``) and, for writes
that leave a resource behind, ``resultPath`` (``resultUrl``).
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any

from .checks import Checker, join
from .errors import PreconditionFailed
from .operations import Operations
from .operators import if_match_matches
from .settings import Traps

__all__ = [
    "STORES_PATH",
    "STORE_ID",
    "check_if_match",
    "check_patch_fields",
    "check_undeclared_if_match",
    "memory_etag",
    "reject_unknown_fields",
    "start_memory_operation",
]

STORES_PATH = "/v1/ControlPlane/Stores"
STORE_ID = re.compile(r"mem_(store|service)_[0-7][0-9a-z]{25}")


def memory_etag(key: str, version: int) -> str:
    """Opaque to clients; shaped like the spec's example (base64url of {id, v}, §1.5)."""
    raw = json.dumps({"id": key, "v": version}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def check_if_match(header: str | None, current: str) -> None:
    """412/20412 when ``If-Match`` (quoted or bare) names another version."""
    if not if_match_matches(header, current):
        raise PreconditionFailed(f"If-Match {header} does not match the current ETag")


def check_undeclared_if_match(traps: Traps, header: str | None, current: str) -> None:
    """PatchTraitGroup/PatchDataMapping take If-Match but declare no 412 (§1.5, UNCERTAIN):
    the careful reading, 412, unless the ``memory_if_match_412_everywhere`` trap is off."""
    if traps.memory_if_match_412_everywhere:
        check_if_match(header, current)


def check_patch_fields(
    c: Checker, body: dict[str, Any], known: tuple[str, ...], *, fixed: str, why: str
) -> None:
    """A PATCH body: ``fixed``, a field set at creation only, fails with ``why``; any other
    field not in ``known`` is unknown."""
    if fixed in body:
        c.fail(fixed, why)
    reject_unknown_fields(c, {k: v for k, v in body.items() if k != fixed}, known)


def start_memory_operation(
    operations: Operations,
    account: str,
    *,
    op_type: str,
    target: str,
    payload: dict[str, Any],
    result_id: str,
    result_path: str | None,
    fail: bool,
) -> dict[str, Any]:
    """Record a Memory operation whose completed status names ``result_id`` (and links to
    ``result_path`` unless the write removes the resource)."""
    related = {"resultId": result_id}
    if result_path is not None:
        related["resultPath"] = result_path
    return operations.start(
        account,
        api="memory",
        op_type=op_type,
        target=target,
        payload=payload,
        related=related,
        force_failure=fail,
    )


def reject_unknown_fields(
    c: Checker, body: dict[str, Any], known: tuple[str, ...], path: str = ""
) -> None:
    """For the bodies declared with additionalProperties: false (and ours that pretend so)."""
    for key in body:
        if key not in known:
            c.fail(join(path, key), "unknown field")
