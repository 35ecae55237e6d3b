"""The three Twilio error body shapes, chosen by the API a path belongs to.

- Intelligence v3: ``{code, message, httpStatusCode, userError}``
- Conversations v2: ``{code, message, more_info, status}``
- Memory v1: the same four keys, but the schema forbids any other key and caps
  ``message`` at 1024 characters.
"""

from __future__ import annotations

from typing import Any, Literal

from starlette.responses import JSONResponse

__all__ = [
    "API",
    "MESSAGES",
    "api_for_path",
    "error_body",
    "error_response",
]

API = Literal["intelligence", "conversations", "memory"]

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


def api_for_path(path: str) -> API:
    """Which API's error shape applies; paths outside all three use v3's."""
    if path.startswith("/v2/") or path == "/v2":
        return "conversations"
    if path.startswith("/v1/") or path == "/v1":
        return "memory"
    return "intelligence"


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
    if api == "memory":
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
