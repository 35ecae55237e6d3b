"""ASGI middleware in front of the three emulated APIs.

Per request, in order: authenticate (Basic, account SID + token or API key +
secret), apply injected faults, answer 401 if unauthenticated, bring the clock's
pending work up to date, run the route, and append to the request log. Every answer's
``Date`` header is the emulator clock's time (uvicorn's own is switched off). Written
as plain ASGI rather than Starlette's BaseHTTPMiddleware, which is several times
slower. The control API under ``/__emulator__`` bypasses all of it but the Date.
"""

from __future__ import annotations

import base64
import binascii
import email.utils
import json
import logging
import time
from typing import Any
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..domain import Emulator
from .errors import API, api_for_path, error_response
from .faults import Fault, FaultRegistry, abort_connection, hold
from .request_log import RequestLog

__all__ = ["ACCOUNT_SCOPE_KEY", "CONTROL_PREFIX", "FAIL_OPERATION_SCOPE_KEY", "EmulatorMiddleware"]

CONTROL_PREFIX = "/__emulator__"
ACCOUNT_SCOPE_KEY = "twilio_emulator.account"
FAIL_OPERATION_SCOPE_KEY = "twilio_emulator.fail_operation"
_LOGGED_BODY_BYTES = 64 * 1024
_LOGGED_HEADERS = ("content-type", "if-match", "idempotency-key")
_log = logging.getLogger("twilio_emulator")


def _credentials(scope: Scope) -> tuple[str, str] | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, encoded = value.decode("latin-1").partition(" ")
            if scheme.lower() != "basic":
                return None
            try:
                decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                return None
            user, sep, password = decoded.partition(":")
            return (user, password) if sep else None
    return None


def _host(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"host":
            return str(value.decode("latin-1"))
    return None


def _api(scope: Scope) -> API:
    """The API answering this request (errors.api_for_path: path, Host, operation id)."""
    return api_for_path(scope["path"], _host(scope))


def _logged_body(raw: bytes) -> Any:
    if not raw:
        return None
    clipped = raw[:_LOGGED_BODY_BYTES]
    try:
        return json.loads(clipped)
    except (ValueError, RecursionError):
        return clipped.decode("utf-8", "replace")


# Insights v3 paths (insights-v3 §0).
INSIGHTS_PREFIXES = ("/v3/InsightsDomains/", "/v3/ControlPlane/ConversationInsights/")


class EmulatorMiddleware:
    def __init__(
        self, app: ASGIApp, emulator: Emulator, faults: FaultRegistry, log: RequestLog
    ) -> None:
        self.app = app
        self.emulator = emulator
        self.faults = faults
        self.log = log

    def _dated(self, message: Message) -> Message:
        """Every answer carries the emulator's time as its Date (RFC 9110), so a client that
        measures periods against the server's clock follows advance_clock as the data does."""
        if message["type"] != "http.response.start":
            return message
        date = email.utils.formatdate(self.emulator.clock.now(), usegmt=True)
        headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"date"]
        return {**message, "headers": [*headers, (b"date", date.encode("latin-1"))]}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"].startswith(CONTROL_PREFIX):
            await self._control(scope, receive, send)
            return
        started = time.perf_counter()
        method: str = scope["method"]
        path: str = scope["path"]
        api = _api(scope)
        creds = _credentials(scope)
        account = None if creds is None else self.emulator.authenticate(*creds)
        body = bytearray()
        status: list[int | None] = [None]

        async def logging_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request" and len(body) < _LOGGED_BODY_BYTES:
                body.extend(message.get("body", b"")[: _LOGGED_BODY_BYTES - len(body)])
            return message

        async def status_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(self._dated(message))

        delays, fault = self.faults.select(method, path, account)
        try:
            if delays:
                await hold(delays)
            if fault is not None and fault.kind in ("error", "rate_limit", "reset"):
                await self._terminal_fault(fault, scope, receive, status_send, raw_send=send)
            elif account is None:
                response = error_response(
                    api, 401, headers={"WWW-Authenticate": 'Basic realm="Twilio API"'}
                )
                await response(scope, receive, status_send)
            else:
                scope[ACCOUNT_SCOPE_KEY] = account
                scope[FAIL_OPERATION_SCOPE_KEY] = (
                    fault is not None and fault.kind == "fail_operation"
                )
                self.emulator.tick()
                if fault is not None and fault.kind == "drop_response":
                    await self._run_and_drop(scope, logging_receive, send)
                else:
                    await self._run(scope, logging_receive, status_send)
        finally:
            self._record(
                scope,
                account=account,
                status=status[0],
                fault=fault,
                body=bytes(body),
                started=started,
            )

    async def _control(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The control API: no auth, no faults, not logged; dated like the rest."""

        async def dated_send(message: Message) -> None:
            await send(self._dated(message))

        await self.app(scope, receive, dated_send)

    async def _run(self, scope: Scope, receive: Receive, send: Send) -> None:
        sent = False

        async def tracking_send(message: Message) -> None:
            nonlocal sent
            sent = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            # Starlette has already answered with the API-shaped 500 when it can.
            _log.exception("unhandled error in %s %s", scope["method"], scope["path"])
            if not sent:
                await error_response(_api(scope), 500)(scope, receive, send)

    async def _run_and_drop(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def swallow(message: Message) -> None:
            return None

        try:
            await self.app(scope, receive, swallow)
        except Exception:
            _log.exception("unhandled error in %s %s", scope["method"], scope["path"])
        abort_connection(send)

    async def _terminal_fault(
        self, fault: Fault, scope: Scope, receive: Receive, send: Send, *, raw_send: Send
    ) -> None:
        api = _api(scope)
        if fault.kind == "reset":
            abort_connection(raw_send)
            return
        if fault.kind == "rate_limit":
            headers = {
                "Retry-After": str(fault.retry_after),
                "X-RateLimit-Limit": "100",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": str(fault.retry_after),
            }
            if scope["path"].startswith(INSIGHTS_PREFIXES):
                # insights-v3 §1.2 declares a second family beside X-RateLimit-*.
                headers.update({"X-Rate-Limit-Limit": "100", "X-Rate-Limit-Remaining": "0"})
                headers["X-Rate-Limit-Config"] = f"100;w={fault.retry_after}"
            await error_response(api, 429, headers=headers)(scope, receive, send)
            return
        await error_response(api, fault.status, message="Injected fault (emulator)")(
            scope, receive, send
        )

    def _record(
        self,
        scope: Scope,
        *,
        account: str | None,
        status: int | None,
        fault: Fault | None,
        body: bytes,
        started: float,
    ) -> None:
        method: str = scope["method"]
        path: str = scope["path"]
        query_string = scope.get("query_string", b"").decode("latin-1")
        headers = {
            name.decode("latin-1"): value.decode("latin-1")
            for name, value in scope["headers"]
            if name.decode("latin-1") in _LOGGED_HEADERS
        }
        now = self.emulator.clock.now()
        self.log.append(
            {
                "time": self.emulator.rt.timestamp(now),
                "epoch": now,
                "method": method,
                "path": path,
                "query": dict(parse_qs(query_string)),
                "api": _api(scope),
                "account": account,
                "status": status,
                "fault": None if fault is None else fault.kind,
                "durationMs": round((time.perf_counter() - started) * 1000, 3),
                "headers": headers,
                "body": _logged_body(body),
            }
        )
