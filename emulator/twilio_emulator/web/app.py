"""Assembles the ASGI application: routes, error rendering, middleware, ticker."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp

from ..domain import DomainError, Emulator
from . import control, conversations, dataplane, intelligence, memory, memory_children
from .errors import api_for_path, error_response
from .faults import FaultRegistry
from .middleware import EmulatorMiddleware
from .request_log import RequestLog
from .webhooks import webhook_worker

__all__ = ["EmulatorApp", "create_app"]

_TICK_SECONDS = 0.05
_log = logging.getLogger("twilio_emulator")


class EmulatorApp:
    """The ASGI callable, with handles on the parts tests and the CLI need."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.faults = FaultRegistry()
        self.request_log = RequestLog(emulator.settings.request_log_limit)
        self.fastapi = _build_fastapi(self)
        self.asgi: ASGIApp = EmulatorMiddleware(
            self.fastapi, emulator, self.faults, self.request_log
        )

    async def __call__(self, scope, receive, send):  # type: ignore[no-untyped-def]  # ASGI signature, typed by starlette.types at the call sites
        await self.asgi(scope, receive, send)


def create_app(emulator: Emulator | None = None) -> EmulatorApp:
    return EmulatorApp(emulator or Emulator())


def _build_fastapi(owner: EmulatorApp) -> FastAPI:
    app = FastAPI(
        title="Twilio emulator",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=_lifespan(owner.emulator),
    )
    app.router.redirect_slashes = False
    app.state.emulator = owner.emulator
    app.state.faults = owner.faults
    app.state.request_log = owner.request_log
    for module in (intelligence, conversations, memory, memory_children, dataplane, control):
        app.include_router(module.router)
    app.add_exception_handler(DomainError, _domain_error)  # type: ignore[arg-type]  # starlette types handlers as taking Exception
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected)
    return app


def _lifespan(emulator: Emulator) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Time-driven changes (operations completing) also happen while no
        # request arrives, e.g. for webhooks; requests tick on their own too.
        tasks = [
            asyncio.create_task(_ticker(emulator)),
            asyncio.create_task(webhook_worker(emulator)),
        ]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    return lifespan


# -- errors, each in the error shape of the API the path belongs to -------------------


async def _domain_error(request: Request, exc: DomainError) -> Response:
    return error_response(
        api_for_path(request.url.path), exc.status, exc.code, exc.message, exc.headers
    )


async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
    api = api_for_path(request.url.path)
    headers = dict(exc.headers or {})
    if exc.status_code == 404:
        return error_response(
            api, 404, message=f"The requested resource {request.url.path} was not found"
        )
    if exc.status_code == 405:
        return error_response(
            api,
            405,
            message=f"Method {request.method} not allowed on {request.url.path}",
            headers=headers,
        )
    return error_response(api, exc.status_code, message=str(exc.detail), headers=headers)


async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
    return error_response(api_for_path(request.url.path), 400, message=str(exc)[:500])


async def _unexpected(request: Request, exc: Exception) -> Response:
    return error_response(api_for_path(request.url.path), 500)


async def _ticker(emulator: Emulator) -> None:
    while True:
        await asyncio.sleep(_TICK_SECONDS)
        try:
            emulator.tick()
        except Exception:
            _log.exception("background tick failed")
