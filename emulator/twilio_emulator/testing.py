"""Run the emulator inside a test process, and drive it through its control API.

``EmulatorServer`` starts uvicorn on a background thread on a free loopback
port; ``EmulatorHandle`` wraps the control API with typed helpers. Both are
what :mod:`twilio_emulator.pytest_plugin` hands to tests, and both are stable
API for the provider's end-to-end tests. :func:`simulate_sms_conversation` and
:func:`operator_results` drive its data plane, as the tests, benchmarks and demo do.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import httpx

from .defaults import DEFAULT_API_KEY_SECRET, DEFAULT_API_KEY_SID
from .domain import Emulator
from .server import ReadyServer, bind_socket, make_server
from .web import EmulatorApp, create_app

__all__ = [
    "AccountHandle",
    "EmulatorHandle",
    "EmulatorServer",
    "operator_results",
    "simulate_sms_conversation",
]

_START_TIMEOUT_SECONDS = 15


def simulate_sms_conversation(
    client: httpx.Client,
    configuration_id: str,
    messages: Iterable[tuple[str, str, str]],
    **fields: Any,
) -> str:
    """Through the data plane: create a Conversation on ``configuration_id`` (with ``fields``,
    e.g. ``name``) and post each ``(author, recipient, text)`` of ``messages`` to it as an SMS
    Communication, in order; returns the conversation id."""
    created = client.post("/v2/Conversations", json={"configurationId": configuration_id, **fields})
    created.raise_for_status()
    conversation_id: str = created.json()["id"]
    for author, recipient, text in messages:
        client.post(
            f"/v2/Conversations/{conversation_id}/Communications",
            json={
                "author": {"channel": "SMS", "address": author},
                "content": {"type": "TEXT", "text": text},
                "recipients": [{"channel": "SMS", "address": recipient}],
            },
        ).raise_for_status()
    return conversation_id


def operator_results(client: httpx.Client, conversation_id: str) -> list[dict[str, Any]]:
    """The OperatorResults of one conversation (up to 1,000)."""
    response = client.get(
        "/v3/OperatorResults", params={"conversationId": conversation_id, "pageSize": 1000}
    )
    response.raise_for_status()
    items: list[dict[str, Any]] = response.json()["items"]
    return items


@dataclass
class AccountHandle:
    """Credentials of one emulated account."""

    account_sid: str
    auth_token: str
    api_key_sid: str
    api_key_secret: str


@dataclass
class EmulatorHandle:
    """What a test needs: where the emulator is, how to log in, how to steer it.

    ``admin`` is an ``httpx.Client`` on the control API (base URL
    ``<url>/__emulator__``). The helpers below are thin wrappers over it and
    raise ``httpx.HTTPStatusError`` when the control API refuses a request.
    """

    url: str
    account_sid: str
    auth_token: str
    admin: httpx.Client
    api_key_sid: str = DEFAULT_API_KEY_SID
    api_key_secret: str = DEFAULT_API_KEY_SECRET
    _clients: list[httpx.Client] = field(default_factory=list, repr=False)

    # -- clients -------------------------------------------------------------------

    def client(self, *, api_key: bool = False, **kwargs: Any) -> httpx.Client:
        """An ``httpx.Client`` on the emulator, authenticated as the default account
        (with its API key when ``api_key``); closed when the fixture ends."""
        auth = (
            (self.api_key_sid, self.api_key_secret)
            if api_key
            else (self.account_sid, self.auth_token)
        )
        kwargs.setdefault("auth", auth)
        kwargs.setdefault("timeout", 10.0)
        client = httpx.Client(base_url=self.url, **kwargs)
        self._clients.append(client)
        return client

    def close_clients(self) -> None:
        for client in self._clients:
            client.close()
        self._clients.clear()

    # -- state -------------------------------------------------------------------------

    def reset(self, account_sid: str | None = None) -> None:
        """Reset everything (data, accounts, clock, traps, settings, faults, log),
        or with ``account_sid`` only that account's resources."""
        body = {} if account_sid is None else {"accountSid": account_sid}
        self.admin.post("/reset", json=body).raise_for_status()

    def create_account(self, **credentials: str) -> AccountHandle:
        """A new account (optionally with chosen ``accountSid``/``authToken``/...)."""
        response = self.admin.post("/accounts", json=credentials)
        response.raise_for_status()
        data = response.json()
        return AccountHandle(
            data["accountSid"], data["authToken"], data["apiKeySid"], data["apiKeySecret"]
        )

    # -- request log ------------------------------------------------------------------

    def requests(
        self,
        *,
        method: str | None = None,
        path_prefix: str | None = None,
        path_regex: str | None = None,
        account: str | None = None,
        status: int | None = None,
        since: int | None = None,
        api: str | None = None,
    ) -> list[dict[str, Any]]:
        """Logged requests (oldest first) matching every given filter.

        Each entry: ``seq, time, epoch, method, path, query, api, account,
        status (None if the connection was reset), fault, durationMs, headers,
        body``. ``since`` is a ``seq`` (see :meth:`mark`)."""
        params = {
            key: value
            for key, value in {
                "method": method,
                "path_prefix": path_prefix,
                "path_regex": path_regex,
                "account": account,
                "status": status,
                "since": since,
                "api": api,
            }.items()
            if value is not None
        }
        response = self.admin.get("/requests", params=params)
        response.raise_for_status()
        entries: list[dict[str, Any]] = response.json()["requests"]
        return entries

    def mark(self) -> int:
        """The current log position, for ``requests(since=...)``."""
        response = self.admin.get("/requests", params={"since": 2**62})
        response.raise_for_status()
        return int(response.json()["lastSeq"])

    def clear_requests(self) -> None:
        self.admin.delete("/requests").raise_for_status()

    # -- faults ---------------------------------------------------------------------

    def inject_fault(
        self,
        kind: str = "error",
        *,
        method: str = "*",
        path: str = ".*",
        status: int = 500,
        rate: float = 1.0,
        count: int | None = None,
        latency_ms: int = 0,
        retry_after: int = 1,
        account: str | None = None,
        seed: int | None = None,
        skip: int = 0,
    ) -> str:
        """Add a fault; returns its id. Kinds: error, rate_limit, latency, reset,
        drop_response, fail_operation (see README). ``skip``: matching requests let through
        first. Removing a latency fault releases the requests it holds."""
        body: dict[str, Any] = {
            "kind": kind,
            "method": method,
            "path": path,
            "status": status,
            "rate": rate,
            "latencyMs": latency_ms,
            "retryAfter": retry_after,
            "skip": skip,
        }
        for key, value in (("count", count), ("account", account), ("seed", seed)):
            if value is not None:
                body[key] = value
        response = self.admin.post("/faults", json=body)
        response.raise_for_status()
        return str(response.json()["id"])

    def faults(self) -> list[dict[str, Any]]:
        response = self.admin.get("/faults")
        response.raise_for_status()
        faults: list[dict[str, Any]] = response.json()["faults"]
        return faults

    def clear_faults(self) -> None:
        self.admin.delete("/faults").raise_for_status()

    # -- clock, traps, settings -----------------------------------------------------

    def advance_clock(self, seconds: float) -> dict[str, Any]:
        """Move emulator time forward; due operations complete at once."""
        response = self.admin.post("/clock/advance", json={"seconds": seconds})
        response.raise_for_status()
        clock: dict[str, Any] = response.json()
        return clock

    def set_traps(self, **traps: bool) -> dict[str, Any]:
        """e.g. ``set_traps(put_deactivates_configuration=False)``; returns all traps."""
        response = self.admin.patch("/traps", json=traps)
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def set_settings(self, **settings: Any) -> dict[str, Any]:
        """e.g. ``set_settings(operation_delay_seconds=0)``; returns all settings."""
        response = self.admin.patch("/settings", json=settings)
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def set_operator_version_status(
        self,
        operator_id: str,
        version: int,
        status: str,
        *,
        account_sid: str | None = None,
        **dates: str,
    ) -> dict[str, Any]:
        """Simulate Twilio moving an operator version to PREVIEW/ACTIVE/DEPRECATED/
        RETIRED (dates: ``dateDeprecated``, ``retirementDate``, ``dateRetired``)."""
        account = account_sid or self.account_sid
        response = self.admin.patch(
            f"/accounts/{account}/operators/{operator_id}/versions/{version}",
            json={"status": status, **dates},
        )
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result


class EmulatorServer:
    """Context manager running the emulator on ``127.0.0.1:<free port>`` in a thread.

    >>> with EmulatorServer() as server:
    ...     handle = server.handle()
    ...     client = handle.client()
    """

    def __init__(
        self,
        state_file: str | None = None,
        *,
        host: str = "127.0.0.1",
        account_sid: str | None = None,
        auth_token: str | None = None,
    ) -> None:
        kwargs: dict[str, str] = {}
        if account_sid is not None:
            kwargs["account_sid"] = account_sid
        if auth_token is not None:
            kwargs["auth_token"] = auth_token
        self.emulator = Emulator(state_file, **kwargs)  # type: ignore[arg-type]  # kwargs holds only str-typed keyword arguments
        self.app: EmulatorApp = create_app(self.emulator)
        self._host = host
        self._server: ReadyServer | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    def start(self) -> EmulatorServer:
        sock = bind_socket(self._host, 0)
        port = sock.getsockname()[1]
        self.url = f"http://{self._host}:{port}"
        self._server = make_server(self.app)
        server = self._server
        self._thread = threading.Thread(
            target=lambda: server.run(sockets=[sock]), name="twilio-emulator", daemon=True
        )
        self._thread.start()
        if not server.ready.wait(_START_TIMEOUT_SECONDS):
            raise RuntimeError("the emulator did not start in time")
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
        self._server = None
        self._thread = None
        self.emulator.close()

    def handle(self) -> EmulatorHandle:
        """A handle on the default account; the caller closes ``admin``."""
        creds = self.emulator.default_credentials
        return EmulatorHandle(
            url=self.url,
            account_sid=creds.account_sid,
            auth_token=creds.auth_token,
            api_key_sid=creds.api_key_sid,
            api_key_secret=creds.api_key_secret,
            admin=httpx.Client(base_url=self.url + "/__emulator__", timeout=10.0),
        )

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
