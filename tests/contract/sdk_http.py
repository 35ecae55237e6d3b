"""The SDK's transport for these tests: it records every exchange, refuses writes to objects
the run did not create, and (against the emulator) sends each request to the emulator's
origin while keeping the SDK's real host -- ``memory.twilio.com`` -- in the Host header, which
is how the emulator tells Conversations' operations from Knowledge's."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

__all__ = ["Exchange", "RefusedWrite", "SdkTransport", "sdk_client"]

_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_VERSION = re.compile(r"v\d+")


class RefusedWrite(AssertionError):
    """A write aimed at an object this run did not create (never sent)."""


@dataclass
class Exchange:
    method: str
    host: str
    path: str
    status: int
    body: Any  # the decoded JSON answer, the text when it is not JSON, None when empty


class SdkTransport(TwilioHttpClient):  # type: ignore[misc]  # the SDK is untyped
    """``origin`` (``http://127.0.0.1:port``) replaces the SDK's scheme and host on the wire;
    None sends requests where the SDK means them to go (a live account). A write's path may
    hold only ``static`` words (those of the SDK's path templates: "ControlPlane", "Stores")
    and ids or names in ``owned``, which this run created; anything else is refused unsent
    (a built-in trait group "Contact", say, is not a word of any template)."""

    def __init__(self, origin: str | None, owned: set[str], static: frozenset[str]) -> None:
        super().__init__(timeout=30)
        self.origin = origin
        self.owned = owned
        self.static = static
        self.exchanges: list[Exchange] = []

    def request(  # noqa: PLR0917 - the SDK's HttpClient.request signature
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        parts = urlsplit(url)
        if method.upper() in _WRITES:
            self._check_owned(method, parts.path)
        headers = dict(headers or {})
        if self.origin is not None:
            origin = urlsplit(self.origin)
            headers["Host"] = parts.netloc
            url = urlunsplit((origin.scheme, origin.netloc, parts.path, parts.query, ""))
        response = super().request(
            method, url, params, data, headers, auth, timeout, allow_redirects
        )
        self.exchanges.append(
            Exchange(
                method.upper(),
                parts.netloc,
                parts.path,
                response.status_code,
                _decoded(response.text),
            )
        )
        return response

    def _check_owned(self, method: str, path: str) -> None:
        for segment in path.strip("/").split("/"):
            if segment in self.static or _VERSION.fullmatch(segment) or segment in self.owned:
                continue
            raise RefusedWrite(f"{method} {path}: {segment!r} was not created by this run")

    @property
    def last(self) -> Exchange:
        return self.exchanges[-1]


def _decoded(text: str) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def sdk_client(account_sid: str, auth_token: str, transport: SdkTransport) -> Client:
    return Client(account_sid, auth_token, http_client=transport)
