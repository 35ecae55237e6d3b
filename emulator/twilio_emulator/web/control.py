"""The control API under ``/__emulator__``: no auth, never logged.

Tests use it to reset state, create accounts, read the request log, inject
faults, move the clock and flip trap switches. Every endpoint is documented in
emulator/README.md.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Awaitable, Callable
from typing import Any, Literal, TypeVar

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..defaults import VERSION
from ..domain import DomainError, Emulator
from ..domain.operators import version_summary
from .bodies import parse_json, read_body
from .common import emulator_of
from .faults import Fault, FaultRegistry
from .request_log import LogFilter, RequestLog

__all__ = ["router"]

router = APIRouter(prefix="/__emulator__")


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class ResetBody(_Body):
    account_sid: str | None = Field(None, alias="accountSid")


class AccountBody(_Body):
    account_sid: str | None = Field(None, alias="accountSid")
    auth_token: str | None = Field(None, alias="authToken", min_length=1)
    api_key_sid: str | None = Field(None, alias="apiKeySid")
    api_key_secret: str | None = Field(None, alias="apiKeySecret", min_length=1)


class KeyBody(_Body):
    api_key_sid: str | None = Field(None, alias="apiKeySid")
    api_key_secret: str | None = Field(None, alias="apiKeySecret", min_length=1)


class FaultBody(_Body):
    kind: Literal["error", "rate_limit", "latency", "reset", "drop_response", "fail_operation"]
    method: str = "*"
    path: str = ".*"
    account: str | None = None
    rate: float = Field(1.0, ge=0.0, le=1.0)
    count: int | None = Field(None, ge=1)
    status: int = Field(500, ge=400, le=599)
    latency_ms: int = Field(0, alias="latencyMs", ge=0, le=600_000)
    retry_after: int = Field(1, alias="retryAfter", ge=0)
    seed: int | None = None
    skip: int = Field(0, ge=0)


class AdvanceBody(_Body):
    seconds: float = Field(ge=0)


class VersionStatusBody(_Body):
    status: Literal["PREVIEW", "ACTIVE", "DEPRECATED", "RETIRED"]
    date_deprecated: str | None = Field(None, alias="dateDeprecated")
    retirement_date: str | None = Field(None, alias="retirementDate")
    date_retired: str | None = Field(None, alias="dateRetired")


ModelT = TypeVar("ModelT", bound=_Body)


class _BadControlRequest(Exception):
    pass


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"status": status, "message": message}, status_code=status)


async def _parse(request: Request, model: type[ModelT]) -> ModelT:
    raw = await read_body(request, 1024 * 1024)
    data = parse_json(raw) if raw.strip() else {}
    try:
        return model.model_validate(data)
    except PydanticValidationError as exc:
        details = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'body'}: {err['msg']}"
            for err in exc.errors()
        )
        raise _BadControlRequest(details) from None


def _faults(request: Request) -> FaultRegistry:
    registry: FaultRegistry = request.app.state.faults
    return registry


def _log(request: Request) -> RequestLog:
    log: RequestLog = request.app.state.request_log
    return log


def _clock(em: Emulator) -> dict[str, Any]:
    now = em.clock.now()
    return {"now": em.rt.timestamp(now), "epoch": now, "offsetSeconds": em.clock.offset}


_Handler = Callable[[Request], Awaitable[Response]]
_BodyHandler = Callable[[Request, Emulator, ModelT], Awaitable[Response]]


def _guarded(handler: _Handler) -> _Handler:
    """Bad control requests answer ``{status, message}``, not a Twilio error shape."""

    @functools.wraps(handler)
    async def endpoint(request: Request) -> Response:
        try:
            return await handler(request)
        except _BadControlRequest as exc:
            return _error(400, str(exc))
        except DomainError as exc:
            return _error(exc.status, exc.message)
        except ValueError as exc:
            return _error(400, str(exc))

    return endpoint


def _body_route(
    method: str, path: str, model: type[ModelT]
) -> Callable[[_BodyHandler[ModelT]], _BodyHandler[ModelT]]:
    """``method path`` with a ``model`` body: the handler gets the request, the emulator and
    the parsed body, and its bad requests answer as :func:`_guarded` says."""

    def register(handler: _BodyHandler[ModelT]) -> _BodyHandler[ModelT]:
        async def endpoint(request: Request) -> Response:
            body = await _parse(request, model)
            return await handler(request, emulator_of(request), body)

        guarded = _guarded(endpoint)
        router.add_api_route(path, guarded, methods=[method], name=handler.__name__)
        return handler

    return register


async def _json_object(request: Request) -> dict[str, Any]:
    """A free-form JSON object body (switches), ``{}`` when empty."""
    raw = await read_body(request, 64 * 1024)
    data = parse_json(raw) if raw.strip() else {}
    if not isinstance(data, dict):
        raise _BadControlRequest("body must be a JSON object")
    return data


def _reading(path: str, name: str, read: Callable[[Request], Any]) -> None:
    """``GET path``: answers what ``read`` returns for the request, as JSON."""

    async def endpoint(request: Request) -> Response:
        return JSONResponse(read(request))

    router.add_api_route(path, endpoint, methods=["GET"], name=name)


def _clearing(path: str, name: str, clear: Callable[[Request], None]) -> None:
    """``DELETE path``: ``clear`` for the request, then 204."""

    async def endpoint(request: Request) -> Response:
        clear(request)
        return Response(status_code=204)

    router.add_api_route(path, endpoint, methods=["DELETE"], name=name)


@router.get("/health")
async def health(request: Request) -> Response:
    em = emulator_of(request)
    return JSONResponse(
        {
            "status": "ok",
            "version": VERSION,
            "defaultAccountSid": em.default_credentials.account_sid,
            "stateFile": em.store.path,
        }
    )


@_body_route("POST", "/reset", ResetBody)
async def reset(request: Request, em: Emulator, body: ResetBody) -> Response:
    em.reset(body.account_sid)
    if body.account_sid is None:
        _faults(request).clear()
        _log(request).clear()
        _log(request).resize(em.settings.request_log_limit)
    return Response(status_code=204)


@router.get("/accounts")
async def list_accounts(request: Request) -> Response:
    em = emulator_of(request)
    accounts = [
        {"accountSid": a["sid"], "dateCreated": a["dateCreated"]} for a in em.accounts.all()
    ]
    return JSONResponse({"accounts": accounts})


@_body_route("POST", "/accounts", AccountBody)
async def create_account(request: Request, em: Emulator, body: AccountBody) -> Response:
    creds = em.create_account(
        sid=body.account_sid,
        auth_token=body.auth_token,
        api_key_sid=body.api_key_sid,
        api_key_secret=body.api_key_secret,
    )
    return JSONResponse(creds.as_dict(), status_code=201)


@_body_route("POST", "/accounts/{account_sid}/keys", KeyBody)
async def create_key(request: Request, em: Emulator, body: KeyBody) -> Response:
    account = request.path_params["account_sid"]
    if not em.accounts.exists(account):
        return _error(404, f"Account {account} not found")
    with em.transaction():
        sid, secret = em.accounts.add_key(account, body.api_key_sid, body.api_key_secret)
    return JSONResponse({"apiKeySid": sid, "apiKeySecret": secret}, status_code=201)


@_body_route(
    "PATCH", "/accounts/{account_sid}/operators/{operator_id}/versions/{version}", VersionStatusBody
)
async def set_operator_version_status(
    request: Request, em: Emulator, body: VersionStatusBody
) -> Response:
    raw = request.path_params["version"]
    if not re.fullmatch(r"[0-9]{1,9}", raw):
        return _error(400, "version: must be an integer")
    with em.transaction():
        doc = em.operators.set_version_status(
            request.path_params["account_sid"],
            request.path_params["operator_id"],
            int(raw),
            body.status,
            {
                "dateDeprecated": body.date_deprecated,
                "retirementDate": body.retirement_date,
                "dateRetired": body.date_retired,
            },
        )
    return JSONResponse(version_summary(doc))


@router.get("/webhooks")
async def list_webhooks(request: Request) -> Response:
    """Deliveries of WEBHOOK actions: url, resultId, attempts, state, lastError."""
    em = emulator_of(request)
    deliveries = [
        dict(doc, account=account["sid"])
        for account in em.accounts.all()
        for _, doc in em.store.rows("webhook", account["sid"])
    ]
    return JSONResponse({"webhooks": deliveries})


@router.get("/requests")
@_guarded
async def list_requests(request: Request) -> Response:
    q = request.query_params
    status = q.get("status")
    since = q.get("since")
    try:
        flt = LogFilter(
            method=q.get("method"),
            path_prefix=q.get("path_prefix"),
            path_regex=q.get("path_regex"),
            account=q.get("account"),
            status=None if status is None else int(status),
            since=None if since is None else int(since),
            api=q.get("api"),
        )
    except re.error as exc:
        return _error(400, f"path_regex: {exc}")
    log = _log(request)
    return JSONResponse({"requests": log.query(flt), "lastSeq": log.last_seq})


_clearing("/requests", "clear_requests", lambda request: _log(request).clear())
_reading(
    "/faults",
    "list_faults",
    lambda request: {"faults": [f.as_dict() for f in _faults(request).all()]},
)


@_body_route("POST", "/faults", FaultBody)
async def add_fault(request: Request, em: Emulator, body: FaultBody) -> Response:
    status = body.status
    if body.kind == "rate_limit":
        status = 429
    try:
        fault = Fault(
            kind=body.kind,
            method=body.method.upper(),
            path=body.path,
            account=body.account,
            rate=body.rate,
            count=body.count,
            status=status,
            latency_ms=body.latency_ms,
            retry_after=body.retry_after,
            seed=body.seed,
            skip=body.skip,
        )
    except re.error as exc:
        return _error(400, f"path: {exc}")
    _faults(request).add(fault)
    return JSONResponse(fault.as_dict(), status_code=201)


_clearing("/faults", "clear_faults", lambda request: _faults(request).clear())


@router.delete("/faults/{fault_id}")
async def remove_fault(request: Request) -> Response:
    if not _faults(request).remove(request.path_params["fault_id"]):
        return _error(404, "no such fault")
    return Response(status_code=204)


_reading("/clock", "get_clock", lambda request: _clock(emulator_of(request)))


@_body_route("POST", "/clock/advance", AdvanceBody)
async def advance_clock(request: Request, em: Emulator, body: AdvanceBody) -> Response:
    em.advance_clock(body.seconds)
    return JSONResponse(_clock(em))


_reading("/traps", "get_traps", lambda request: emulator_of(request).traps.as_dict())


@router.patch("/traps")
@_guarded
async def set_traps(request: Request) -> Response:
    return JSONResponse(emulator_of(request).set_traps(await _json_object(request)))


_reading("/settings", "get_settings", lambda request: emulator_of(request).settings.as_dict())


@router.patch("/settings")
@_guarded
async def set_settings(request: Request) -> Response:
    em = emulator_of(request)
    result = em.set_settings(await _json_object(request))
    _log(request).resize(em.settings.request_log_limit)
    return JSONResponse(result)
