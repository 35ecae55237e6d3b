"""Reading request bodies defensively: JSON only, size-capped, strictly parsed.

Anything a client can send must end in a 4xx, never a 500: oversized bodies
(413), non-JSON content types (415/20422, as the seed guide reports), malformed
or hostile JSON (400): NaN/Infinity, absurd nesting, lone surrogates that could
not be stored or returned as UTF-8, numbers Python refuses to parse.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from ..domain import DomainError, ValidationFailed

__all__ = ["MAX_JSON_DEPTH", "read_json_object"]

MAX_JSON_DEPTH = 64


class _TooLarge(DomainError, status=413, code=20413): ...


class _UnsupportedMediaType(DomainError, status=415, code=20422): ...


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _check_tree(value: Any) -> None:
    """Iterative walk: depth limit and UTF-8-encodable strings."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, str):
            node.encode("utf-8")
        elif isinstance(node, (dict, list)):
            if depth > MAX_JSON_DEPTH:
                raise ValueError(f"nesting deeper than {MAX_JSON_DEPTH} levels")
            if isinstance(node, dict):
                for key, item in node.items():
                    key.encode("utf-8")
                    stack.append((item, depth + 1))
            else:
                stack.extend((item, depth + 1) for item in node)


def parse_json(raw: bytes) -> Any:
    try:
        text = raw.decode("utf-8")
        value = json.loads(text, parse_constant=_reject_constant)
        _check_tree(value)
    except (ValueError, RecursionError, UnicodeError) as exc:
        reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise ValidationFailed(f"Malformed JSON request body: {reason}") from None
    return value


def is_json_media_type(content_type: str | None) -> bool:
    if not content_type:
        return False
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


async def read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _TooLarge(f"Request body exceeds {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _TooLarge(f"Request body exceeds {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def read_json_object(
    request: Request, limit: int, *, optional: bool = False
) -> dict[str, Any]:
    """The body as a JSON object; ``optional`` allows an empty body (``{}``)."""
    raw = await read_body(request, limit)
    if optional and not raw.strip():
        return {}
    if not is_json_media_type(request.headers.get("content-type")):
        raise _UnsupportedMediaType(
            f"{request.method} {request.url.path} does not support this payload format;"
            " send Content-Type: application/json"
        )
    value = parse_json(raw)
    if not isinstance(value, dict):
        raise ValidationFailed("Request body must be a JSON object")
    return value
