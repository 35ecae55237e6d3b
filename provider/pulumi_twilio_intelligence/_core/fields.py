"""Field types several resource models share."""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import urlparse

from pydantic import Field, StringConstraints

NonEmpty = Annotated[str, StringConstraints(min_length=1)]


# RFC 3986: what a URI may hold as it is; anything else (a space, braces, quotes) must be
# percent-encoded. Twilio validates `format: uri` and refuses the rest at create, which would
# leave a stack half-applied: refuse it at preview instead.
_URI_CHARS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*")
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def _http_url(value: str) -> str:
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ValueError("must be an absolute http(s) URL")
    bad = next((c for c in value if not _URI_CHARS.fullmatch(c)), None)
    if bad is not None:
        raise ValueError(
            f"must be an absolute http(s) URL: {bad!r} is not allowed in a URL (percent-encode it)"
        )
    if _BAD_PERCENT.search(value):
        raise ValueError(
            "must be an absolute http(s) URL: '%' must start a percent-encoded byte such as %20"
        )
    try:
        port = parsed.port
    except ValueError:
        port = -1
    if not parsed.hostname or (port is not None and not 0 < port < 65536):
        raise ValueError("must be an absolute http(s) URL with a host (and a port 1-65535)")
    return value


HttpUrl = Annotated[str, Field(min_length=1)]
