"""The asynchronous writes of Memory v1 and Knowledge v2, registered from one table row per
resource: create (POST on the collection), update (PATCH on the item) and delete (DELETE on
the item) each answer 202 with an operation (operation_shapes.accepted).

Create and update take a :class:`~..domain.writes.Write`, then the path's ids in path order
(a store child's store id, then its own key); delete takes the account, the ids and ``fail``.

Annotations here are evaluated when the routes are built (no ``from __future__ import
annotations``): the body readers differ per resource, so they are closed over.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.params import Depends as DependsParam
from starlette.requests import Request
from starlette.responses import Response

from ..domain import Emulator
from ..domain.writes import Write
from .common import Account, Backend, FailRequested, json_body, write_action
from .operation_shapes import accepted

__all__ = ["AsyncWrites", "add_async_writes"]

BodyReader = Callable[[Request], Awaitable[dict[str, Any]]]
Guard = Callable[..., Awaitable[Any]]


@dataclass(frozen=True)
class AsyncWrites:
    """One resource's asynchronous writes.

    ``messages`` are the 202 texts of create, update and delete. A guard runs before the
    body is read, so that an unknown parent (or item) answers 400/404 before body errors:
    ``create_guard`` on create, ``update_guard`` on update; delete checks in its service.
    """

    collection: str
    item: str
    service: Callable[[Emulator], Any]
    operations: str
    messages: tuple[str, str, str]
    update_guard: Guard
    create_guard: Guard | None = None
    create_body: BodyReader = json_body
    update_body: BodyReader = json_body


def _ids(request: Request) -> list[str]:
    return [str(value) for value in request.path_params.values()]


def add_async_writes(router: APIRouter, spec: AsyncWrites) -> None:
    """Add the create, update and delete routes of ``spec`` to ``router``."""
    created, updated, deleted = spec.messages
    CreateBody = Annotated[dict[str, Any], Depends(spec.create_body)]
    UpdateBody = Annotated[dict[str, Any], Depends(spec.update_body)]

    @write_action
    def create(
        request: Request, em: Backend, account: Account, fail: FailRequested, body: CreateBody
    ) -> Response:
        write = Write(account, body, fail=fail)
        op = spec.service(em).create(write, *_ids(request))
        return accepted(request, em, op, created, spec.operations)

    @write_action
    def update(
        request: Request, em: Backend, account: Account, fail: FailRequested, body: UpdateBody
    ) -> Response:
        write = Write(account, body, request.headers.get("if-match"), fail)
        op = spec.service(em).update(write, *_ids(request))
        return accepted(request, em, op, updated, spec.operations)

    @write_action
    def delete(request: Request, em: Backend, account: Account, fail: FailRequested) -> Response:
        op = spec.service(em).delete(account, *_ids(request), fail=fail)
        return accepted(request, em, op, deleted, spec.operations)

    def guarded(guard: Guard | None) -> list[DependsParam]:
        return [] if guard is None else [Depends(guard)]

    router.add_api_route(
        spec.collection, create, methods=["POST"], dependencies=guarded(spec.create_guard)
    )
    router.add_api_route(
        spec.item, update, methods=["PATCH"], dependencies=guarded(spec.update_guard)
    )
    router.add_api_route(spec.item, delete, methods=["DELETE"])
