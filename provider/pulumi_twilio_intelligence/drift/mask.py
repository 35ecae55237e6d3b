"""Mask secrets in values a report prints: reports end up in CI logs and pull-request comments.

Masked: the password of a URL (``https://user:***@host``), every query-string value of a URL
(webhook URLs often carry a token there), values under keys that name a secret, and values
Pulumi recorded as secret.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .state import SECRET

__all__ = ["MASK", "mask"]

MASK = "***"
_SECRET_KEY = re.compile(
    r"(secret|token|password|passwd|^auth$|authorization|api[_-]?key|signature)", re.I
)
_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")


def mask(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: mask(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [mask(v, key) for v in value]
    if isinstance(value, str):
        if value == SECRET:
            return value
        if key and _SECRET_KEY.search(key):
            return MASK
        if _URL.match(value):
            return _mask_url(value)
    return value


def _mask_url(url: str) -> str:
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        if parts.password is not None:
            host = netloc.rsplit("@", 1)[1]
            netloc = f"{parts.username or ''}:{MASK}@{host}"
        query = parts.query
        if query:
            pairs = parse_qsl(query, keep_blank_values=True)
            query = urlencode([(k, MASK) for k, _ in pairs], safe="*")
        return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
    except ValueError:
        return MASK
