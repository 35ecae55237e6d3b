"""The HTTP layer against httpx.MockTransport: which failures are retried and how, how error
bodies of the three APIs map to exceptions, pagination, and that secrets never leak.

The retry rule under test: repeat a request only where repeating cannot create a second object.
"""

from __future__ import annotations

import base64
import email.utils
import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from pulumi_twilio_intelligence._twilio.api import TwilioApi
from pulumi_twilio_intelligence._twilio.http import (
    TWILIO_HOSTS,
    USER_AGENT,
    AmbiguousWrite,
    Api,
    Credentials,
    HttpClient,
    RetryPolicy,
    base_urls,
)
from pulumi_twilio_intelligence.errors import (
    ApiError,
    ConflictError,
    CredentialsError,
    NotFoundError,
    PreconditionFailedError,
    TransportError,
    TwilioIntelligenceError,
)

SID = "AC00000000000000000000000000000001"
TOKEN = "s3cr3t-auth-token-value-0123456789"  # noqa: S105 - a fake token, the thing that must not leak
URLS: dict[Api, str] = {
    "intelligence": "https://intelligence.test",
    "conversations": "https://conversations.test",
    "memory": "https://memory.test",
}
FAST = RetryPolicy(base_delay=0.001, max_delay=0.01)
Reply = httpx.Response | Exception


@dataclass
class Script:
    """A MockTransport handler that plays scripted replies in order (the last one repeats)."""

    replies: Sequence[Reply]
    seen: list[httpx.Request] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        reply = self.replies[min(len(self.seen), len(self.replies)) - 1]
        if isinstance(reply, Exception):
            raise reply
        return reply

    @property
    def count(self) -> int:
        return len(self.seen)


def client(
    script: Callable[[httpx.Request], httpx.Response], retry: RetryPolicy = FAST
) -> HttpClient:
    return HttpClient(
        Credentials(SID, TOKEN), URLS, transport=httpx.MockTransport(script), retry=retry
    )


def _headers(headers: dict[str, str]) -> dict[str, str]:
    return {name.replace("_", "-"): value for name, value in headers.items()}


def ok(body: Any = None, status: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(status, json=body if body is not None else {}, headers=_headers(headers))


def status(code: int, body: Any = None, **headers: str) -> httpx.Response:
    if body is None:
        return httpx.Response(code, headers=_headers(headers))
    return httpx.Response(code, json=body, headers=_headers(headers))


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record tenacity's waits instead of sleeping."""
    recorded: list[float] = []
    monkeypatch.setattr(time, "sleep", recorded.append)  # what tenacity.nap.sleep calls
    return recorded


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """A fake clock for the retry loop: time.time and time.monotonic read it, and time.sleep
    (tenacity's wait) moves it instead of waiting. Returns the sleeps."""
    now = [1_800_000_000.0]  # whole seconds: an HTTP date says exactly this
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    monkeypatch.setattr(time, "time", lambda: now[0])
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    monkeypatch.setattr(time, "sleep", sleep)
    return slept


def read_error() -> httpx.ReadError:
    return httpx.ReadError("connection reset by peer")


def connect_error() -> httpx.ConnectError:
    return httpx.ConnectError("connection refused")


# --- reads and idempotent writes ------------------------------------------------------------------
def test_get_is_retried_on_429_honouring_retry_after_seconds(sleeps: list[float]) -> None:
    script = Script([status(429, Retry_After="3"), ok({"id": "x"})])
    http = client(script, RetryPolicy(base_delay=0.001, max_delay=10.0))
    assert http.get_json("intelligence", "/v3/ControlPlane/Operators/x") == {"id": "x"}
    assert script.count == 2
    assert sleeps == [3.0]


def test_retry_after_is_capped_by_the_policy(sleeps: list[float]) -> None:
    script = Script([status(429, Retry_After="120"), ok()])
    client(script, FAST).get_json("intelligence", "/x")
    assert sleeps == [FAST.max_delay]


def test_retry_after_as_an_http_date_is_honoured(clock: list[float]) -> None:
    when = email.utils.formatdate(time.time() + 5, usegmt=True)
    script = Script([status(429, Retry_After=when), ok()])
    client(script, RetryPolicy(max_delay=10.0)).get_json("intelligence", "/x")
    assert clock == [5.0]


def test_retry_after_in_the_past_means_no_wait(clock: list[float]) -> None:
    when = email.utils.formatdate(time.time() - 60, usegmt=True)
    script = Script([status(503, Retry_After=when), ok()])
    client(script, RetryPolicy(max_delay=10.0)).get_json("intelligence", "/x")
    assert clock == [0.0]


@pytest.mark.parametrize("code", [500, 502, 503, 504])
def test_get_is_retried_on_5xx_with_exponential_backoff(code: int, sleeps: list[float]) -> None:
    policy = RetryPolicy(attempts=5, base_delay=0.001, max_delay=0.004)
    script = Script([status(code)] * 4 + [ok({"done": True})])
    assert client(script, policy).get_json("conversations", "/v2/x") == {"done": True}
    assert script.count == 5
    ceilings = [min(policy.max_delay, policy.base_delay * 2 ** (n - 1)) for n in range(1, 5)]
    assert len(sleeps) == 4
    assert all(0 <= s <= c for s, c in zip(sleeps, ceilings, strict=True))


def test_backoff_is_full_jitter_under_an_exponential_ceiling() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=4.0)
    for attempt, ceiling in [(1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (5, 4.0), (9, 4.0)]:
        samples = [policy.backoff(attempt) for _ in range(200)]
        assert all(0 <= s <= ceiling for s in samples)
        assert max(samples) > ceiling / 2  # jitter spreads over the whole range


def test_gives_up_after_the_attempts_with_a_transport_error(sleeps: list[float]) -> None:
    script = Script([status(503)])
    with pytest.raises(TransportError, match=r"GET /v3/x: gave up after retries: HTTP 503"):
        client(script, RetryPolicy(attempts=3, base_delay=0.001, max_delay=0.01)).get_json(
            "intelligence", "/v3/x"
        )
    assert script.count == 3
    assert len(sleeps) == 2


def test_gives_up_when_the_time_budget_is_spent(clock: list[float]) -> None:
    policy = RetryPolicy(attempts=100, max_elapsed=5.0, base_delay=1.0, max_delay=1.0)
    script = Script([status(500)])
    with pytest.raises(TransportError):
        client(script, policy).get_json("intelligence", "/x")
    assert script.count < 100
    assert script.count == len(clock) + 1, "a wait between attempts, none after the last"
    # The last attempt ended once the budget was spent, and not a whole wait later.
    assert policy.max_elapsed <= sum(clock) < policy.max_elapsed + policy.max_delay


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
@pytest.mark.parametrize(
    "failure",
    [read_error(), httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("eof"), status(500)],
    ids=["read-error", "read-timeout", "protocol", "500"],
)
def test_idempotent_methods_are_retried_after_any_failure(
    method: str, failure: Reply, sleeps: list[float]
) -> None:
    script = Script([failure, ok({"ok": 1})])
    response = client(script).request("intelligence", method, "/v3/ControlPlane/Operators/x")
    assert response.json() == {"ok": 1}
    assert script.count == 2


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize(
    "failure",
    [connect_error(), httpx.ConnectTimeout("syn timeout"), httpx.PoolTimeout("pool")],
    ids=["connect-error", "connect-timeout", "pool-timeout"],
)
def test_failures_to_connect_are_retried_for_every_method(
    method: str, failure: Exception, sleeps: list[float]
) -> None:
    script = Script([failure, failure, ok({"id": "created"}, 201)])
    response = client(script).request("memory", method, "/v1/ControlPlane/Stores", json={"a": 1})
    assert response.status_code == 201
    assert script.count == 3


def test_connect_failures_that_never_end_become_a_transport_error(sleeps: list[float]) -> None:
    script = Script([connect_error()])
    with pytest.raises(TransportError, match="connect failed: ConnectError"):
        client(script, RetryPolicy(attempts=2)).request("intelligence", "POST", "/v3/x", json={})
    assert script.count == 2


# --- non-idempotent writes ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "failure",
    [read_error(), httpx.ReadTimeout("slow"), httpx.WriteTimeout("slow"), status(500), status(503)],
    ids=["read-error", "read-timeout", "write-timeout", "500", "503"],
)
@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_a_write_is_not_repeated_after_an_ambiguous_failure(
    method: str, failure: Reply, sleeps: list[float]
) -> None:
    script = Script([failure, ok({"id": "second"}, 201)])
    with pytest.raises(AmbiguousWrite, match=rf"{method} /v3/ControlPlane/Operators"):
        client(script).request(
            "intelligence", method, "/v3/ControlPlane/Operators", json={"displayName": "x"}
        )
    assert script.count == 1
    assert sleeps == []


def test_a_post_is_repeated_after_429(sleeps: list[float]) -> None:
    script = Script([status(429, Retry_After="0"), status(429), ok({"id": "one"}, 201)])
    response = client(script).request("intelligence", "POST", "/v3/ControlPlane/Operators", json={})
    assert response.json() == {"id": "one"}
    assert script.count == 3


@pytest.mark.parametrize("failure", [read_error(), status(500)], ids=["read-error", "500"])
def test_a_replay_safe_post_is_repeated_with_the_same_idempotency_key(
    failure: Reply, sleeps: list[float]
) -> None:
    script = Script([failure, failure, ok({"operationId": "op"}, 202)])
    response = client(script).request(
        "conversations",
        "POST",
        "/v2/ControlPlane/Configurations",
        json={"displayName": "x"},
        headers={"Idempotency-Key": "3f0e6f4a-1111-4222-8333-944455556666"},
        replay_safe=True,
    )
    assert response.status_code == 202
    assert script.count == 3
    keys = {r.headers["Idempotency-Key"] for r in script.seen}
    assert keys == {"3f0e6f4a-1111-4222-8333-944455556666"}
    assert [json.loads(r.content) for r in script.seen] == [{"displayName": "x"}] * 3


@pytest.mark.parametrize("code", [400, 401, 403, 404, 409, 412, 415])
def test_client_errors_are_never_retried(code: int, sleeps: list[float]) -> None:
    script = Script([status(code, {"code": 20001, "message": "no"}), ok()])
    with pytest.raises(ApiError) as caught:
        client(script).request("intelligence", "GET", "/v3/x")
    assert caught.value.status == code
    assert script.count == 1


# --- error bodies ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("api", "code", "body", "kind", "twilio_code", "message"),
    [
        (
            "intelligence",
            404,
            {
                "code": 20404,
                "message": "Operator x not found",
                "httpStatusCode": 404,
                "userError": True,
            },
            NotFoundError,
            20404,
            "Operator x not found",
        ),
        (
            "intelligence",
            400,
            {
                "code": 70001,
                "message": "rules[0].operators[0].id: operator y does not exist",
                "httpStatusCode": 400,
                "userError": True,
            },
            ApiError,
            70001,
            "rules[0].operators[0].id: operator y does not exist",
        ),
        (
            "intelligence",
            412,
            {"code": 20412, "message": "ETag mismatch", "httpStatusCode": 412},
            PreconditionFailedError,
            20412,
            "ETag mismatch",
        ),
        (
            "conversations",
            409,
            {
                "code": 20409,
                "message": "Conflict",
                "more_info": "https://www.twilio.com/docs/errors/20409",
                "status": 409,
            },
            ConflictError,
            20409,
            "Conflict",
        ),
        (
            "conversations",
            400,
            {
                "code": 20001,
                "message": "memoryStoreId: must not be null",
                "more_info": "x",
                "status": 400,
            },
            ApiError,
            20001,
            "memoryStoreId: must not be null",
        ),
        (
            "memory",
            404,
            {
                "code": 20404,
                "message": "Not Found",
                "more_info": "https://www.twilio.com/docs/errors/20404",
                "status": 404,
            },
            NotFoundError,
            20404,
            "Not Found",
        ),
        (
            "memory",
            412,
            {"code": 20412, "message": "Precondition Failed", "status": 412},
            PreconditionFailedError,
            20412,
            "Precondition Failed",
        ),
        (
            "memory",
            400,
            {"title": "Bad", "detail": "displayName: must match", "status": 400},
            ApiError,
            None,
            "displayName: must match",
        ),
    ],
)
def test_error_bodies_of_the_three_apis_map_to_exceptions(  # noqa: PLR0917 - one parametrize row per case
    api: Api,
    code: int,
    body: dict[str, Any],
    kind: type[ApiError],
    twilio_code: int | None,
    message: str,
) -> None:
    script = Script([status(code, body)])
    with pytest.raises(ApiError) as caught:
        client(script).request(api, "DELETE", "/v1/things/t1")
    error = caught.value
    assert type(error) is kind
    assert isinstance(error, TwilioIntelligenceError)
    assert (error.status, error.code, error.message) == (code, twilio_code, message)
    assert (error.method, error.path) == ("DELETE", "/v1/things/t1")
    code_part = f" (code {twilio_code})" if twilio_code is not None else ""
    assert str(error) == f"DELETE /v1/things/t1 -> HTTP {code}{code_part}: {message}"


def test_an_error_without_a_json_body_uses_the_reason_phrase() -> None:
    script = Script([httpx.Response(404, text="<html>nope</html>")])
    with pytest.raises(NotFoundError) as caught:
        client(script).get_json("intelligence", "/v3/x")
    assert (caught.value.code, caught.value.message) == (None, "Not Found")


def test_a_non_integer_code_is_dropped() -> None:
    script = Script([status(400, {"code": "20001", "message": "bad"})])
    with pytest.raises(ApiError) as caught:
        client(script).get_json("intelligence", "/v3/x")
    assert (caught.value.code, caught.value.message) == (None, "bad")


# --- pagination -----------------------------------------------------------------------------------
ABSENT = object()


def pages_of(key: str, pages: list[tuple[list[Any], Any]]) -> Script:
    """Pages of a list, each with its nextToken (the sentinel ABSENT leaves the key out)."""
    replies: list[Reply] = []
    for items, next_token in pages:
        meta: dict[str, Any] = {"key": key, "pageSize": len(items)}
        if next_token is not ABSENT:
            meta["nextToken"] = next_token
        replies.append(ok({key: items, "meta": meta}))
    return Script(replies)


@pytest.mark.parametrize("last", [ABSENT, None, ""], ids=["absent", "null", "empty"])
def test_pagination_follows_next_token_and_stops_at_the_end(last: Any) -> None:
    script = pages_of("items", [([1, 2], "t1"), ([3], "t2"), ([4], last), ([99], "never")])
    items = client(script).list_all("intelligence", "/v3/ControlPlane/Operators", "items")
    assert items == [1, 2, 3, 4]
    assert script.count == 3
    queries = [dict(r.url.params) for r in script.seen]
    assert queries == [
        {"pageSize": "1000"},
        {"pageSize": "1000", "pageToken": "t1"},
        {"pageSize": "1000", "pageToken": "t2"},
    ]


def test_pagination_keeps_the_callers_filters() -> None:
    script = pages_of("items", [([1], "t"), ([2], ABSENT)])
    items = client(script).list_all(
        "intelligence", "/v3/OperatorResults", "items", params={"intelligenceConfigurationId": "c"}
    )
    assert items == [1, 2]
    assert all(r.url.params["intelligenceConfigurationId"] == "c" for r in script.seen)


def test_a_missing_list_key_is_an_empty_page() -> None:
    script = Script([ok({"meta": {}})])
    assert client(script).list_all("intelligence", "/v3/x", "items") == []


@pytest.mark.parametrize(
    ("call", "api", "path", "key", "page_size"),
    [
        (TwilioApi.list_operators, "intelligence", "/v3/ControlPlane/Operators", "items", "1000"),
        (
            TwilioApi.list_configurations,
            "intelligence",
            "/v3/ControlPlane/Configurations",
            "items",
            "1000",
        ),
        (
            TwilioApi.list_conversation_configurations,
            "conversations",
            "/v2/ControlPlane/Configurations",
            "configurations",
            "1000",
        ),
        (TwilioApi.list_store_ids, "memory", "/v1/ControlPlane/Stores", "stores", "100"),
    ],
)
def test_each_list_uses_its_api_key_and_the_largest_page_size(
    call: Callable[[TwilioApi], list[Any]], api: Api, path: str, key: str, page_size: str
) -> None:
    script = pages_of(key, [(["a"], "next"), (["b"], None)])
    assert call(TwilioApi(client(script))) == ["a", "b"]
    assert [r.url.host for r in script.seen] == [httpx.URL(URLS[api]).host] * 2
    assert [r.url.path for r in script.seen] == [path, path]
    assert [r.url.params["pageSize"] for r in script.seen] == [page_size, page_size]


def test_operator_versions_are_listed_in_full_pages() -> None:
    script = pages_of("items", [([{"version": 1}], ABSENT)])
    TwilioApi(client(script)).list_operator_versions("intelligence_operator_x")
    assert script.seen[0].url.path == "/v3/ControlPlane/Operators/intelligence_operator_x/Versions"
    assert script.seen[0].url.params["pageSize"] == "1000"


# --- requests as sent -----------------------------------------------------------------------------
def test_requests_carry_basic_auth_json_and_the_user_agent() -> None:
    script = Script([ok({"id": "x"}, 201)])
    client(script).request("intelligence", "POST", "/v3/ControlPlane/Operators", json={"a": 1})
    sent = script.seen[0]
    assert str(sent.url) == "https://intelligence.test/v3/ControlPlane/Operators"
    expected = base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
    assert sent.headers["Authorization"] == f"Basic {expected}"
    assert sent.headers["User-Agent"] == USER_AGENT
    assert sent.headers["Accept"] == "application/json"
    assert sent.headers["Content-Type"] == "application/json"  # the v3 API is JSON-only
    assert json.loads(sent.content) == {"a": 1}


def test_request_count_counts_every_attempt(sleeps: list[float]) -> None:
    http = client(Script([status(503), status(503), ok()]))
    http.get_json("intelligence", "/x")
    assert http.request_count == 3


# --- secrets --------------------------------------------------------------------------------------
def test_credentials_repr_hides_the_secret() -> None:
    creds = Credentials(SID, TOKEN)
    assert TOKEN not in repr(creds)
    assert TOKEN not in str(creds)
    assert SID in repr(creds)
    assert "redacted" in repr(creds)


FAILURES: list[tuple[str, Reply, bool]] = [
    ("404", status(404, {"code": 20404, "message": "nope"}), False),
    ("500", status(500, {"message": "boom"}), False),
    ("500-post", status(500), True),
    ("read-error-post", read_error(), True),
    ("connect", connect_error(), False),
    ("429", status(429), False),
]


@pytest.mark.parametrize(("name", "failure", "post"), FAILURES, ids=[f[0] for f in FAILURES])
def test_the_token_never_appears_in_errors_or_logs(
    name: str, failure: Reply, post: bool, caplog: pytest.LogCaptureFixture, sleeps: list[float]
) -> None:
    caplog.set_level(logging.DEBUG)
    script = Script([failure])
    encoded = base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
    with pytest.raises(Exception) as caught:  # noqa: PT011 - each case raises its own kind; the test is about the text
        client(script, RetryPolicy(attempts=2, base_delay=0.001, max_delay=0.01)).request(
            "intelligence", "POST" if post else "GET", "/v3/ControlPlane/Operators"
        )
    texts = [str(caught.value), repr(caught.value), *(r.getMessage() for r in caplog.records)]
    texts += [str(a) for r in caplog.records for a in (r.args or ())]
    for text in texts:
        assert TOKEN not in text
        assert encoded not in text


def test_a_credentials_error_names_the_settings_not_values() -> None:
    with pytest.raises(CredentialsError) as caught:
        Credentials.resolve({"twilio:accountSid": SID}, {"TWILIO_API_KEY": "SK1"})
    message = str(caught.value)
    assert "twilio:authToken" in message
    assert "TWILIO_AUTH_TOKEN" in message
    assert SID not in message


# --- credentials and base URLs --------------------------------------------------------------------
def test_stack_config_wins_over_the_environment() -> None:
    creds = Credentials.resolve(
        {"twilio:accountSid": "ACconfig", "twilio:authToken": "config-token"},
        {"TWILIO_ACCOUNT_SID": "ACenv", "TWILIO_AUTH_TOKEN": "env-token"},
    )
    assert (creds.username, creds.password) == ("ACconfig", "config-token")


def test_api_keys_win_over_auth_tokens() -> None:
    creds = Credentials.resolve(
        {"twilio:accountSid": "AC1", "twilio:authToken": "tok"},
        {"TWILIO_API_KEY": "SK1", "TWILIO_API_SECRET": "sec"},
    )
    assert (creds.username, creds.password) == ("SK1", "sec")


def test_the_environment_is_used_when_config_is_empty() -> None:
    creds = Credentials.resolve({}, {"TWILIO_ACCOUNT_SID": "AC2", "TWILIO_AUTH_TOKEN": "t2"})
    assert (creds.username, creds.password) == ("AC2", "t2")


def test_half_an_api_key_falls_back_to_the_auth_token() -> None:
    creds = Credentials.resolve(
        {"twilio:apiKey": "SK1"}, {"TWILIO_ACCOUNT_SID": "AC3", "TWILIO_AUTH_TOKEN": "t3"}
    )
    assert creds.username == "AC3"


def test_one_base_url_points_all_three_apis_at_one_origin() -> None:
    assert base_urls({}, {}) == TWILIO_HOSTS
    urls = base_urls({}, {"TWILIO_BASE_URL": "http://127.0.0.1:8787/"})
    assert set(urls.values()) == {"http://127.0.0.1:8787"}
    urls = base_urls({"twilio:baseUrl": "http://config"}, {"TWILIO_BASE_URL": "http://env"})
    assert set(urls.values()) == {"http://config"}


@pytest.mark.parametrize("value", ["soon", "Tue, 99 Foo 2026", "-"])
def test_a_malformed_retry_after_falls_back_to_backoff(value: str, sleeps: list[float]) -> None:
    script = Script([status(429, Retry_After=value), status(503, Retry_After=value), ok({"a": 1})])
    assert client(script).get_json("intelligence", "/x") == {"a": 1}
    assert len(sleeps) == 2
    assert all(0 <= s <= FAST.max_delay for s in sleeps)
