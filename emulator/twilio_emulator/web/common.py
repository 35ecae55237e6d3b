"""Helpers shared by the per-API route modules."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..domain import Emulator, Page
from .middleware import ACCOUNT_SCOPE_KEY, FAIL_OPERATION_SCOPE_KEY

__all__ = [
    "account_of",
    "base_url",
    "emulator_of",
    "fail_requested",
    "json_response",
    "no_content",
    "page_body",
]


def emulator_of(request: Request) -> Emulator:
    emulator: Emulator = request.app.state.emulator
    return emulator


def account_of(request: Request) -> str:
    return str(request.scope[ACCOUNT_SCOPE_KEY])


def fail_requested(request: Request) -> bool:
    """True when a ``fail_operation`` fault picked this write."""
    return bool(request.scope.get(FAIL_OPERATION_SCOPE_KEY, False))


def base_url(request: Request) -> str:
    """Scheme and host the client used, so status URLs point back at us."""
    return str(request.base_url).rstrip("/")


def json_response(
    body: Any, status: int = 200, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=headers)


def no_content() -> Response:
    return Response(status_code=204)


def page_body(key: str, items: list[Any], page: Page) -> dict[str, Any]:
    """``{<key>: [...], meta: {key, pageSize, nextToken?}}``; no token on the last page."""
    meta: dict[str, Any] = {"key": key, "pageSize": len(items)}
    if page.next_token is not None:
        meta["nextToken"] = page.next_token
    return {key: items, "meta": meta}
