"""The three Twilio error body shapes, chosen by the API a path belongs to.

- Intelligence v3: ``{code, message, httpStatusCode, userError}``
- Conversations v2: ``{code, message, more_info, status}``
- Memory v1 and Knowledge v2: the same four keys, but the schema forbids any other
  key and caps ``message`` at 1024 characters.

One origin serves every API (README "One origin, many hosts"): a path names its API,
except ``/v2/ControlPlane/Operations/{id}``, which Conversations and Knowledge share.
There the Host header's first label decides when it names an API (as
``knowledge.twilio.com`` does), else the operation id's prefix; an id of neither
API belongs to Conversations, the path's historical owner.
"""

from __future__ import annotations

from typing import Any, Literal, cast, get_args

from starlette.responses import JSONResponse

__all__ = [
    "API",
    "MESSAGES",
    "api_for_path",
    "api_of_host",
    "error_body",
    "error_response",
    "operation_api",
]

API = Literal["intelligence", "conversations", "memory", "knowledge"]

# Knowledge operation ids start with this (domain/knowledge_bases.py); others are Conversations'.
_KNOWLEDGE_OPERATION = "know_operation_"
_SHARED_OPERATIONS = "/v2/ControlPlane/Operations"
_KNOWLEDGE_PATHS = ("/v2/ControlPlane/KnowledgeBases", "/v2/KnowledgeBases")

# Default messages per HTTP status, with the Twilio codes the seed guide and
# the Memory spec's examples use.
MESSAGES: dict[int, tuple[int, str]] = {
    400: (20001, "Bad request"),
    401: (20003, "Authentication Error - No credentials provided or credentials are invalid"),
    403: (20403, "Permission to access resource denied"),
    404: (20404, "The requested resource was not found"),
    405: (20004, "Method not allowed"),
    409: (20409, "Conflict"),
    412: (20412, "Precondition failed"),
    413: (20413, "Request entity too large"),
    415: (20422, "does not support this payload format"),
    429: (20429, "Too many requests. Please retry according to the Retry-After response header."),
    500: (20500, "Internal Server Error"),
    503: (20503, "Service Unavailable"),
}


def api_of_host(host: str | None) -> API | None:
    """The API a Host header names by its first label (``knowledge.twilio.com``), if any."""
    if not host:
        return None
    label = host.split(":", 1)[0].split(".", 1)[0].lower()
    return cast(API, label) if label in get_args(API) else None


def operation_api(operation_id: str) -> API:
    """Which API issued an operation id under the shared operations path."""
    return "knowledge" if operation_id.startswith(_KNOWLEDGE_OPERATION) else "conversations"


def _path_apis(path: str) -> tuple[API, ...]:
    """The APIs that serve ``path``; paths outside all of them use v3's error shape."""
    if path == _SHARED_OPERATIONS or path.startswith(_SHARED_OPERATIONS + "/"):
        return ("conversations", "knowledge")
    if any(path == p or path.startswith(p + "/") for p in _KNOWLEDGE_PATHS):
        return ("knowledge",)
    if path.startswith("/v2/") or path == "/v2":
        return ("conversations",)
    if path.startswith("/v1/") or path == "/v1":
        return ("memory",)
    return ("intelligence",)


def api_for_path(path: str, host: str | None = None) -> API:
    """Which API answers a request (and so its error shape): the one the Host names when it
    serves the path, else the path's own; on the shared operations path, the id's."""
    owners = _path_apis(path)
    named = api_of_host(host)
    if named is not None and named in owners:
        return named
    if len(owners) > 1:
        return operation_api(path.rsplit("/", 1)[-1])
    return owners[0]


def error_body(
    api: API, status: int, code: int | None = None, message: str | None = None
) -> dict[str, Any]:
    fallback_code, fallback_message = MESSAGES.get(
        status, (20500 if status >= 500 else 20001, "Error")
    )
    code = fallback_code if code is None else code
    message = fallback_message if message is None else message
    if api == "intelligence":
        return {
            "code": code,
            "message": message,
            "httpStatusCode": status,
            "userError": status < 500,
        }
    more_info = f"https://www.twilio.com/docs/errors/{code}"
    if api in ("memory", "knowledge"):
        message = message[:1024]
        more_info = f"https://www.twilio.com/docs/api/errors/{code}"  # memory-v1 §1.2
    return {"code": code, "message": message, "more_info": more_info, "status": status}


def error_response(
    api: API,
    status: int,
    code: int | None = None,
    message: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse(error_body(api, status, code, message), status_code=status, headers=headers)
