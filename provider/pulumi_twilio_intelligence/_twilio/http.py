"""HTTP to the four Twilio APIs: credentials, base URLs, retries, pagination and error mapping.

Retries follow one rule: a request is repeated only when repeating it cannot create a second
object. Reads, PUTs and DELETEs are repeated on 429, 5xx and network failures. A POST is repeated
only on 429 and on failures to connect (the request never left), or when it carries an
Idempotency-Key; any other failure of a POST raises ``AmbiguousWrite`` so the caller can look the
object up instead of posting it twice.
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    stop_after_delay,
)

from ..errors import (
    ApiError,
    ConflictError,
    CredentialsError,
    NotFoundError,
    PreconditionFailedError,
    TransportError,
)

log = logging.getLogger("pulumi_twilio_intelligence.http")

Api = Literal["intelligence", "conversations", "memory", "knowledge"]

TWILIO_HOSTS: dict[Api, str] = {
    "intelligence": "https://intelligence.twilio.com",
    "conversations": "https://conversations.twilio.com",
    "memory": "https://memory.twilio.com",
    "knowledge": "https://knowledge.twilio.com",
}
USER_AGENT = "pulumi-twilio-intelligence/0.1"


@dataclass(frozen=True)
class Credentials:
    """HTTP Basic credentials: account SID + auth token, or API key SID + secret."""

    username: str
    password: str = field(repr=False)  # never printed, never logged

    def __repr__(self) -> str:
        return f"Credentials(username={self.username!r}, password=<redacted>)"

    @classmethod
    def resolve(cls, config: Mapping[str, Any], env: Mapping[str, str]) -> Credentials:
        """Stack config (``twilio:*``) first, then the environment; API keys before auth tokens."""

        def pick(config_key: str, env_key: str) -> str | None:
            value = config.get(f"twilio:{config_key}") or env.get(env_key)
            return str(value) if value else None

        api_key, api_secret = (
            pick("apiKey", "TWILIO_API_KEY"),
            pick("apiSecret", "TWILIO_API_SECRET"),
        )
        if api_key and api_secret:
            return cls(api_key, api_secret)
        sid, token = (
            pick("accountSid", "TWILIO_ACCOUNT_SID"),
            pick("authToken", "TWILIO_AUTH_TOKEN"),
        )
        if sid and token:
            return cls(sid, token)
        raise CredentialsError(
            "no Twilio credentials: set stack config twilio:accountSid and the secret "
            "twilio:authToken (`pulumi config set --secret twilio:authToken ...`), or the "
            "environment variables TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN "
            "(or TWILIO_API_KEY and TWILIO_API_SECRET)"
        )


def base_urls(config: Mapping[str, Any], env: Mapping[str, str]) -> dict[Api, str]:
    """Each API's origin: its own setting (``twilio:knowledgeBaseUrl`` or
    TWILIO_KNOWLEDGE_BASE_URL, and so on per API: regional or proxy hosts), else the one setting
    for all (``twilio:baseUrl`` or TWILIO_BASE_URL: an emulator), else Twilio's host."""
    shared = config.get("twilio:baseUrl") or env.get("TWILIO_BASE_URL")
    urls: dict[Api, str] = {}
    for api, host in TWILIO_HOSTS.items():
        own = config.get(f"twilio:{api}BaseUrl") or env.get(f"TWILIO_{api.upper()}_BASE_URL")
        urls[api] = str(own or shared or host).rstrip("/")
    return urls


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 6
    max_elapsed: float = 120.0  # seconds across all attempts of one request
    base_delay: float = 0.2
    max_delay: float = 10.0

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with full jitter (AWS architecture blog's recommendation)."""
        ceiling: float = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return random.uniform(0, ceiling)  # noqa: S311 - jitter, not cryptography


class _Retryable(Exception):
    """Internal: this attempt failed in a way that is safe to repeat."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class AmbiguousWrite(Exception):
    """Internal: a non-idempotent write was sent and no trustworthy answer came back."""


@dataclass
class Tagged:
    """A body with its ETag header (operators and memory stores use optimistic concurrency)."""

    body: dict[str, Any]
    etag: str | None

    @classmethod
    def of(cls, response: httpx.Response) -> Tagged:
        """An answer's JSON body and its ETag header."""
        return cls(response.json(), response.headers.get("ETag"))


@dataclass
class Page:
    items: list[dict[str, Any]]
    next_token: str | None


class HttpClient:
    """One connection pool for all four APIs; safe to share between threads."""

    def __init__(
        self,
        credentials: Credentials,
        urls: Mapping[Api, str],
        *,
        transport: httpx.BaseTransport | None = None,
        retry: RetryPolicy | None = None,
        timeout: float = 30.0,
    ) -> None:
        self._urls = dict(urls)
        self._retry = retry or RetryPolicy()
        self.request_count = 0  # every HTTP attempt, for benchmarks and tests
        self._http = httpx.Client(
            auth=httpx.BasicAuth(credentials.username, credentials.password),
            transport=transport,
            timeout=httpx.Timeout(timeout, connect=10.0),
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            limits=httpx.Limits(max_connections=16, max_keepalive_connections=8),
        )

    def close(self) -> None:
        self._http.close()

    def url(self, api: Api, path: str) -> str:
        return self._urls[api] + path

    def request(
        self,
        api: Api,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        replay_safe: bool = False,
    ) -> httpx.Response:
        """Send one logical request, repeating attempts only where that cannot duplicate a write.

        ``replay_safe`` marks a POST that carries an Idempotency-Key. Raises ApiError subclasses
        for error answers, TransportError when no answer came, AmbiguousWrite for a lost POST.
        """
        idempotent = method in ("GET", "HEAD", "PUT", "DELETE") or replay_safe
        policy = self._retry

        def wait(state: RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            if isinstance(exc, _Retryable) and exc.retry_after is not None:
                return min(exc.retry_after, policy.max_delay)
            return policy.backoff(state.attempt_number)

        retrying = Retrying(
            retry=retry_if_exception_type(_Retryable),
            stop=stop_after_attempt(policy.attempts) | stop_after_delay(policy.max_elapsed),
            wait=wait,
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    return self._attempt(
                        api,
                        method,
                        path,
                        json=json,
                        params=params,
                        headers=headers,
                        idempotent=idempotent,
                    )
        except _Retryable as exc:
            raise TransportError(f"{method} {path}: gave up after retries: {exc}") from None
        raise AssertionError("unreachable: tenacity either returns or raises")  # pragma: no cover

    def _attempt(
        self,
        api: Api,
        method: str,
        path: str,
        *,
        json: Any,
        params: Mapping[str, Any] | None,
        headers: Mapping[str, str] | None,
        idempotent: bool,
    ) -> httpx.Response:
        self.request_count += 1
        try:
            response = self._http.request(
                method, self.url(api, path), json=json, params=params, headers=headers
            )
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            # Nothing reached the server: repeating is safe for every method.
            raise _Retryable(f"connect failed: {type(exc).__name__}") from None
        except httpx.TransportError as exc:
            if idempotent:
                raise _Retryable(f"no response: {type(exc).__name__}") from None
            raise AmbiguousWrite(f"{method} {path}: no response ({type(exc).__name__})") from None
        log.debug("%s %s -> %s", method, path, response.status_code)
        if response.status_code == 429:
            raise _Retryable("429 rate limited", _retry_after(response))
        if response.status_code >= 500:
            if idempotent:
                raise _Retryable(f"HTTP {response.status_code}", _retry_after(response))
            raise AmbiguousWrite(f"{method} {path}: HTTP {response.status_code}")
        if response.status_code >= 400:
            raise _api_error(method, path, response)
        return response

    def get_json(
        self, api: Api, path: str, params: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """The body of a GET: every resource and page of these APIs is a JSON object."""
        body: dict[str, Any] = self.request(api, "GET", path, params=params).json()
        return body

    def pages(
        self,
        api: Api,
        path: str,
        key: str,
        *,
        page_size: int,
        params: Mapping[str, Any] | None = None,
    ) -> Iterator[Page]:
        """Follow ``meta.nextToken``; absent, null and "" all mean the last page."""
        query: dict[str, Any] = {**(params or {}), "pageSize": page_size}
        while True:
            body = self.get_json(api, path, query)
            token = (body.get("meta") or {}).get("nextToken") or None
            yield Page(list(body.get(key) or []), token)
            if not token:
                return
            query["pageToken"] = token

    def list_all(
        self,
        api: Api,
        path: str,
        key: str,
        *,
        page_size: int = 1000,
        params: Mapping[str, Any] | None = None,
    ) -> list[Any]:
        items: list[Any] = []
        for page in self.pages(api, path, key, page_size=page_size, params=params):
            items.extend(page.items)
        return items


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None  # neither seconds nor an HTTP date (a proxy's, say): back off as usual
    return max(0.0, parsed.timestamp() - time.time())


def _api_error(method: str, path: str, response: httpx.Response) -> ApiError:
    code: int | None = None
    message = response.reason_phrase or "error"
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        raw_code = body.get("code")
        code = raw_code if isinstance(raw_code, int) else None
        message = str(body.get("message") or body.get("detail") or message)
    kind: type[ApiError] = {
        404: NotFoundError,
        409: ConflictError,
        412: PreconditionFailedError,
    }.get(response.status_code, ApiError)
    return kind(method, path, response.status_code, code, message)
