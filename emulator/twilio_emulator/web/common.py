"""Plumbing shared by the per-API route modules.

Each route is one small function per action (as moto's ``responses.py``): what
every handler needs arrives as a FastAPI dependency, declared by type:

- ``Backend``: the :class:`Emulator` behind the app (the one way routes reach it);
- ``Account``: the account the middleware authenticated;
- ``JsonBody`` / ``OptionalJsonBody``: the request body as a JSON object, read
  with the size cap and strict parsing of bodies.py;
- ``Paging``: ``pageSize`` (1..1000, default 50) and ``pageToken``;
- ``FailRequested``: a ``fail_operation`` fault picked this write.

FastAPI resolves dependencies in the order the parameters are declared, so a
route that must answer 404 before complaining about the body declares its
"exists" dependency before ``JsonBody``.

Writes are decorated with :func:`write_action`: the action is a plain function
run inside one store transaction. Being synchronous it cannot await, so no
other request runs while it holds the store (anything async, such as reading
the body, happens in the dependencies first).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, ParamSpec

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..domain import Emulator, NotFound, Page
from ..domain.pagination import page_size
from .bodies import read_json_object
from .errors import MESSAGES, api_for_path
from .middleware import ACCOUNT_SCOPE_KEY, FAIL_OPERATION_SCOPE_KEY

__all__ = [
    "Account",
    "Backend",
    "FailRequested",
    "JsonBody",
    "OperationShape",
    "OptionalJsonBody",
    "PageArgs",
    "Paging",
    "add_operation_route",
    "base_url",
    "emulator_of",
    "json_body",
    "json_response",
    "no_content",
    "page_body",
    "write_action",
]

P = ParamSpec("P")


def emulator_of(request: Request) -> Emulator:
    emulator: Emulator = request.app.state.emulator
    return emulator


async def _backend(request: Request) -> Emulator:
    return emulator_of(request)


async def _account(request: Request) -> str:
    return str(request.scope[ACCOUNT_SCOPE_KEY])


async def _fail_requested(request: Request) -> bool:
    """True when a ``fail_operation`` fault picked this write."""
    return bool(request.scope.get(FAIL_OPERATION_SCOPE_KEY, False))


async def json_body(request: Request) -> dict[str, Any]:
    """The body as a JSON object (400/413/415 otherwise)."""
    return await read_json_object(request, emulator_of(request).settings.max_body_bytes)


async def _optional_json_body(request: Request) -> dict[str, Any]:
    """As :func:`json_body`, but an empty body is ``{}``."""
    max_bytes = emulator_of(request).settings.max_body_bytes
    return await read_json_object(request, max_bytes, optional=True)


@dataclass(frozen=True)
class PageArgs:
    size: int
    token: str | None


async def _paging(request: Request) -> PageArgs:
    q = request.query_params
    return PageArgs(page_size(q.get("pageSize")), q.get("pageToken"))


Backend = Annotated[Emulator, Depends(_backend)]
Account = Annotated[str, Depends(_account)]
FailRequested = Annotated[bool, Depends(_fail_requested)]
JsonBody = Annotated[dict[str, Any], Depends(json_body)]
OptionalJsonBody = Annotated[dict[str, Any], Depends(_optional_json_body)]
Paging = Annotated[PageArgs, Depends(_paging)]


def write_action(action: Callable[P, Response]) -> Callable[P, Awaitable[Response]]:
    """Run a synchronous write action in one transaction of its ``em: Backend``."""

    @functools.wraps(action)
    async def endpoint(*args: P.args, **kwargs: P.kwargs) -> Response:
        em = kwargs.get("em")
        if not isinstance(em, Emulator):
            raise TypeError(f"{action.__name__} must take em: Backend")
        with em.transaction():
            return action(*args, **kwargs)

    return endpoint


def base_url(request: Request) -> str:
    """Scheme and host the client used, so status URLs point back at us."""
    return str(request.base_url).rstrip("/")


def json_response(
    body: Any, status: int = 200, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=headers)


def no_content() -> Response:
    return Response(status_code=204)


OperationShape = Callable[
    [Request, Emulator, dict[str, Any], str, dict[str, str]],
    tuple[dict[str, Any], dict[str, str] | None],
]


# Shapes per operations path and API: Conversations and Knowledge share a path.
_OPERATION_SHAPES: dict[str, dict[str, OperationShape]] = {}


def add_operation_route(
    router: APIRouter, operations: str, api: str, shape: OperationShape
) -> None:
    """The operation-status route of one API, ``GET <operations>/{operation_id}``: fetch the
    operation of ``api`` and answer with the body and headers ``shape`` makes of the request,
    the emulator, the operation, its status and (empty when it has no error) its error's
    ``type`` and ``title``: the Twilio docs URL of its code and the text of its HTTP status.

    Several APIs may register one path; the route is added once, and each request goes to
    the API :func:`errors.api_for_path` picks (Host header, else the id), as errors do.
    """
    shapes = _OPERATION_SHAPES.setdefault(operations, {})
    first = not shapes
    shapes[api] = shape
    if not first:
        return

    async def fetch_operation(
        request: Request, em: Backend, account: Account, operation_id: str
    ) -> Response:
        owner = api_for_path(request.url.path, request.headers.get("host"))
        owner_shape = shapes.get(owner)
        if owner_shape is None:
            raise NotFound(f"Operation {operation_id} not found")
        op = em.operations.fetch(account, owner, operation_id)
        problem: dict[str, str] = {}
        if op["error"] is not None:
            code, http_status = op["error"]["code"], op["error"]["status"]
            problem = {
                "type": f"https://www.twilio.com/docs/errors/{code}",
                "title": MESSAGES.get(http_status, (0, "Error"))[1],
            }
        body, headers = owner_shape(request, em, op, em.operations.status(op), problem)
        return json_response(body, headers=headers)

    router.add_api_route(operations + "/{operation_id}", fetch_operation, methods=["GET"])


def page_body(key: str, items: list[Any], page: Page | None = None) -> dict[str, Any]:
    """``{<key>: [...], meta: {key, pageSize, nextToken?}}``; no token on the last page
    (nor for the lists that are never paged, ``page`` None)."""
    meta: dict[str, Any] = {"key": key, "pageSize": len(items)}
    if page is not None and page.next_token is not None:
        meta["nextToken"] = page.next_token
    return {key: items, "meta": meta}
