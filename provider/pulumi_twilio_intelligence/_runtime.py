"""Process-wide state of the provider plugin: the stack config and one shared API client.

The engine pickles the provider object into the state file, so nothing secret or stateful may
live on it. ``configure()`` hands the stack config to this module instead, and credentials are
read from it (or from the environment) each time a client is needed.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._api import TwilioApi

_lock = threading.Lock()
_stack_config: dict[str, Any] = {}
_clients: dict[tuple[str, str, tuple[tuple[str, str], ...]], TwilioApi] = {}


def set_stack_config(config: Mapping[str, Any]) -> None:
    with _lock:
        _stack_config.clear()
        _stack_config.update(config)


def api() -> TwilioApi:
    """The client for the current credentials; connections are pooled and reused across calls."""
    # Imported on first use: a no-change preview configures the provider but sends no request.
    from ._api import TwilioApi  # noqa: PLC0415
    from ._http import Credentials, HttpClient, base_urls  # noqa: PLC0415

    with _lock:
        config = dict(_stack_config)
    credentials = Credentials.resolve(config, os.environ)
    urls = base_urls(config, os.environ)
    # Key on a digest of the secret, so a rotated token gets a new client and the cache never
    # holds the token in a readable key.
    secret_digest = hashlib.sha256(credentials.password.encode()).hexdigest()
    key = (credentials.username, secret_digest, tuple(sorted(urls.items())))
    with _lock:
        client = _clients.get(key)
        if client is None:
            client = TwilioApi(HttpClient(credentials, urls))
            _clients[key] = client
        return client
