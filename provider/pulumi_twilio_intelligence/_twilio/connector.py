"""The one way to reach Twilio: which account (credentials and base URLs, resolved once), and a
client per account that is reused and closed when the process exits.

The provider plugin, the drift command and the export command all connect through here. A
``Target`` is resolved once from stack config (``twilio:*``) or the environment; it names the
account (``Target.account``: stacks with the same one share a live read) and keys the clients by
a digest of the secret, so a rotated token gets a new client and no key holds a token.
"""

from __future__ import annotations

import atexit
import hashlib
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from .api import TwilioApi
from .http import Api, Credentials, HttpClient, base_urls

__all__ = ["CONNECTOR", "Connector", "Target"]

_APIS: tuple[Api, ...] = ("intelligence", "conversations", "memory", "knowledge")


@dataclass(frozen=True)
class Target:
    """One account: its credentials and the base URL of each API."""

    credentials: Credentials
    urls: Mapping[Api, str]

    @classmethod
    def resolve(cls, config: Mapping[str, Any], env: Mapping[str, str]) -> Target:
        """Stack config first, then the environment (raises CredentialsError)."""
        return cls(Credentials.resolve(config, env), base_urls(config, env))

    @property
    def account(self) -> tuple[str, ...]:
        """Which account this is: targets with the same one share one live read."""
        return (self.credentials.username, *(self.urls[a] for a in _APIS))

    @property
    def key(self) -> tuple[str, str, tuple[tuple[str, str], ...]]:
        secret_digest = hashlib.sha256(self.credentials.password.encode()).hexdigest()
        return (self.credentials.username, secret_digest, tuple(sorted(self.urls.items())))


class Connector:
    """Clients by target, pooled connections reused across calls; ``close`` closes them all."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._clients: dict[tuple[str, str, tuple[tuple[str, str], ...]], TwilioApi] = {}

    def api(self, target: Target) -> TwilioApi:
        """The shared client of ``target``."""
        with self._lock:
            client = self._clients.get(target.key)
            if client is None:
                client = TwilioApi(HttpClient(target.credentials, dict(target.urls)))
                self._clients[target.key] = client
            return client

    @staticmethod
    def private(target: Target, transport: httpx.BaseTransport) -> TwilioApi:
        """A client of its own over ``transport`` (the read-only commands'); the caller closes
        it."""
        return TwilioApi(HttpClient(target.credentials, dict(target.urls), transport=transport))

    def close(self) -> None:
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            client.http.close()


CONNECTOR = Connector()
atexit.register(CONNECTOR.close)
