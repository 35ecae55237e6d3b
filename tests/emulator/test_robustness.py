"""Hostile and malformed input never yields a 500 or takes the server down."""

from __future__ import annotations

import copy
import json
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from twilio_emulator.testing import EmulatorHandle

from tests.emulator.emulator_helpers import (
    SENTIMENT,
    assert_valid,
    config_body,
    conv_config_body,
    create_config,
    create_operator,
    operator_body,
    rule,
    wait_operation,
)

JSON = {"Content-Type": "application/json"}
SHAPES = {"/v3": "intelligenceV3Error", "/v2": "conversationsV2Error", "/v1": "memoryV1Error"}
WRITE_ROUTES = [
    ("POST", "/v3/ControlPlane/Configurations"),
    ("POST", "/v3/ControlPlane/Operators"),
    ("POST", "/v2/ControlPlane/Configurations"),
    ("POST", "/v1/ControlPlane/Stores"),
]


def assert_error(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    path = response.request.url.path
    shape = SHAPES.get(path[:3], "intelligenceV3Error")
    if path.startswith(("/v2/ControlPlane/KnowledgeBases", "/v2/KnowledgeBases")):
        shape = "knowledgeV2Error"
    assert_valid(body, "error.json", shape)
    return body


@pytest.mark.parametrize(("method", "path"), WRITE_ROUTES)
@pytest.mark.parametrize(
    "raw",
    [
        b"{",
        b"",
        b"[1, 2]",
        b'"text"',
        b"null",
        b'{"a": NaN}',
        b'{"a": Infinity}',
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a": ' * 70 + b"1" + b"}" * 70,
        b'{"displayName": "\\ud800"}',
        b"\xff\xfe\x00",
        b'{"n": ' + b"9" * 5000 + b"}",
    ],
)
def test_malformed_json_is_400(api: httpx.Client, method: str, path: str, raw: bytes) -> None:
    body = assert_error(api.request(method, path, content=raw, headers=JSON), 400)
    assert body["code"] == 20001


@pytest.mark.parametrize(("method", "path"), WRITE_ROUTES)
@pytest.mark.parametrize(
    "content_type", [None, "application/x-www-form-urlencoded", "text/plain", "multipart/form-data"]
)
def test_non_json_bodies_are_415(
    api: httpx.Client, method: str, path: str, content_type: str | None
) -> None:
    headers = {} if content_type is None else {"Content-Type": content_type}
    response = api.request(method, path, content=b"displayName=x&rules=", headers=headers)
    body = assert_error(response, 415)
    assert body["code"] == 20422
    assert "does not support this payload format" in body["message"]


def test_json_with_charset_is_accepted(api: httpx.Client) -> None:
    raw = json.dumps(config_body()).encode()
    response = api.post(
        "/v3/ControlPlane/Configurations",
        content=raw,
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert response.status_code == 201


@pytest.mark.parametrize(("method", "path"), WRITE_ROUTES)
def test_oversized_bodies_are_413(api: httpx.Client, method: str, path: str) -> None:
    raw = b'{"displayName": "' + b"x" * (1024 * 1024) + b'"}'
    assert_error(api.request(method, path, content=raw, headers=JSON), 413)


def test_hostile_strings_round_trip(api: httpx.Client) -> None:
    hostile = [
        "nul\x00byte",
        "'; DROP TABLE documents; --",
        '" OR 1=1 --',
        "\U0001f600" * 20_000,
        "\u202e\u200b\ufeff",
        "<script>alert(1)</script>",
        "%s%n%x",
    ]
    for text in hostile:
        created = create_config(api, description=text)
        fetched = api.get(f"/v3/ControlPlane/Configurations/{created['id']}").json()
        assert fetched["description"] == text
    operator = create_operator(api, prompt="\x00" + "é" * 1000, displayName="'; --")
    assert api.get(f"/v3/ControlPlane/Operators/{operator['id']}").json()["displayName"] == "'; --"


@pytest.mark.parametrize(
    "path",
    [
        "/v3/ControlPlane/Configurations/%00",
        "/v3/ControlPlane/Configurations/'%20OR%201=1%20--",
        "/v3/ControlPlane/Operators/" + "a" * 5000,
        "/v3/ControlPlane/Operators/%F0%9F%98%80/Versions/1",
        "/v3/ControlPlane/Operators/x/Versions/99999999999999999999",
        "/v2/ControlPlane/Configurations/%ED%A0%80",
        "/v2/ControlPlane/Operations/..%2F..%2Fetc%2Fpasswd",
        "/v1/ControlPlane/Stores/%00",
    ],
)
def test_hostile_ids_in_paths(api: httpx.Client, path: str) -> None:
    response = api.get(path)
    assert response.status_code in (400, 404)
    assert_error(response, response.status_code)


@pytest.mark.parametrize(
    "params",
    [
        {"pageSize": "9" * 400},
        {"pageSize": "1.5"},
        {"pageSize": "\x00"},
        {"pageToken": "\U0001f600" * 100},
        {"pageToken": "eyJsIjoib3RoZXIiLCJhIjoieCJ9"},
        {"pageToken": "e30"},
    ],
)
def test_hostile_query_parameters(api: httpx.Client, params: dict[str, str]) -> None:
    for path in (
        "/v3/ControlPlane/Configurations",
        "/v2/ControlPlane/Configurations",
        "/v1/ControlPlane/Stores",
    ):
        assert_error(api.get(path, params=params), 400)


def test_huge_numbers_and_wrong_types(api: httpx.Client) -> None:
    trigger = {"on": "COMMUNICATION", "parameters": {"count": 10**300}}
    body = assert_error(
        api.post(
            "/v3/ControlPlane/Configurations", json=config_body(rules=[rule(triggers=[trigger])])
        ),
        400,
    )
    assert body["message"].endswith("must be less than or equal to 20")
    weird: list[Any] = [None, True, 1.5, "s", [], {}, [[[]]], -(10**30)]
    for value in weird:
        for key in ("displayName", "rules", "description"):
            response = api.post("/v3/ControlPlane/Configurations", json=config_body(**{key: value}))
            assert response.status_code in (201, 400)


def test_server_survives_everything(emulator: EmulatorHandle, api: httpx.Client) -> None:
    test_hostile_strings_round_trip(api)
    assert httpx.get(emulator.url + "/__emulator__/health").json()["status"] == "ok"


# -- property-based fuzzing ----------------------------------------------------------

_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
    | st.sampled_from(
        [
            "",
            "POST",
            "WEBHOOK",
            "COMMUNICATION",
            "JSON",
            "TEXT",
            "object",
            SENTIMENT,
            "*",
            "GROUP_BY_PROFILE",
        ]
    )
)
JSON_VALUES = st.recursive(
    _LEAVES,
    lambda children: (
        st.lists(children, max_size=6) | st.dictionaries(st.text(max_size=12), children, max_size=6)
    ),
    max_leaves=25,
)


def _mutations(valid: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Valid bodies with fields replaced, dropped or added: reaches deep validation."""

    @st.composite
    def mutate(draw: st.DrawFn) -> dict[str, Any]:
        body: dict[str, Any] = copy.deepcopy(valid)
        for _ in range(draw(st.integers(min_value=1, max_value=3))):
            target: dict[str, Any] | list[Any] = body
            path = draw(st.lists(st.integers(min_value=0, max_value=5), max_size=4))
            for step in path:
                children = (
                    list(target.items()) if isinstance(target, dict) else list(enumerate(target))
                )
                nested = [(k, v) for k, v in children if isinstance(v, (dict, list)) and v]
                if not nested:
                    break
                target = nested[step % len(nested)][1]
            if isinstance(target, dict):
                key = draw(st.sampled_from([*target.keys(), "extra"]))
                if draw(st.booleans()):
                    target[key] = draw(JSON_VALUES)
                else:
                    target.pop(key, None)
            elif isinstance(target, list) and target:
                target[draw(st.integers(0, len(target) - 1))] = draw(JSON_VALUES)
        return body

    return mutate()


FUZZ_CASES = {"count": 0}


def _check(response: httpx.Response) -> None:
    FUZZ_CASES["count"] += 1
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert_error(response, response.status_code)


KNOWLEDGE_SOURCE = {
    "name": "faq",
    "description": "d",
    "source": {
        "type": "Web",
        "url": "https://example.com",
        "crawlDepth": 2,
        "crawlPeriod": "NEVER",
    },
}

FUZZ_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def fuzz_targets(emulator: EmulatorHandle, api: httpx.Client) -> dict[str, str]:
    emulator.set_settings(operation_delay_seconds=0)
    config = create_config(api)
    operator = create_operator(api)
    conv = api.post("/v2/ControlPlane/Configurations", json=conv_config_body())
    store = api.post("/v1/ControlPlane/Stores", json={"displayName": "fuzz"})
    store_id = wait_operation(api, store.json()["statusUrl"])["result"]["id"]
    conv_id = conv.json()["related"]["configurationId"]
    conversation = api.post("/v2/Conversations", json={"configurationId": conv_id})
    emulator.set_settings(knowledge_base_provisioning_seconds=0)
    kb = api.post("/v2/ControlPlane/KnowledgeBases", json={"displayName": "fuzz"})
    kb_id = wait_operation(api, kb.json()["statusUrl"])["result"]["id"]
    source = api.post(f"/v2/KnowledgeBases/{kb_id}/Knowledge", json=KNOWLEDGE_SOURCE)
    return {
        "kb": kb_id,
        "source": source.json()["id"],
        "config": config["id"],
        "operator": operator["id"],
        "conv": conv_id,
        "store": store_id,
        "conversation": conversation.json()["id"],
    }


@pytest.mark.parametrize(
    ("method", "path", "valid"),
    [
        ("POST", "/v3/ControlPlane/Configurations", config_body()),
        ("PUT", "/v3/ControlPlane/Configurations/{config}", config_body()),
        ("POST", "/v3/ControlPlane/Operators", operator_body()),
        ("PUT", "/v3/ControlPlane/Operators/{operator}", operator_body()),
        ("POST", "/v2/ControlPlane/Configurations", conv_config_body()),
        ("PUT", "/v2/ControlPlane/Configurations/{conv}", conv_config_body()),
        ("POST", "/v1/ControlPlane/Stores", {"displayName": "s", "description": "d"}),
        ("PATCH", "/v1/ControlPlane/Stores/{store}", {"displayName": "s", "description": "d"}),
        ("POST", "/v2/Conversations", {"configurationId": "conv_configuration_x", "name": "n"}),
        (
            "POST",
            "/v2/Conversations/{conversation}/Communications",
            {
                "author": {"address": "+15551234567", "channel": "SMS"},
                "content": {"type": "TEXT", "text": "hello"},
                "recipients": [{"address": "+18005550100", "channel": "SMS"}],
            },
        ),
        (
            "POST",
            "/v2/Conversations/{conversation}/Participants",
            {"addresses": [{"channel": "SMS", "address": "+1555"}], "type": "CUSTOMER"},
        ),
        ("PATCH", "/v2/Conversations/{conversation}", {"status": "ACTIVE", "name": "n"}),
        ("POST", "/v2/ControlPlane/KnowledgeBases", {"displayName": "k", "description": "d"}),
        ("PATCH", "/v2/ControlPlane/KnowledgeBases/{kb}", {"displayName": "k", "description": "d"}),
        ("POST", "/v2/KnowledgeBases/{kb}/Knowledge", KNOWLEDGE_SOURCE),
        ("PATCH", "/v2/KnowledgeBases/{kb}/Knowledge/{source}", KNOWLEDGE_SOURCE),
        ("POST", "/v2/KnowledgeBases/{kb}/Search", {"query": "q", "top": 3, "knowledgeIds": []}),
    ],
)
def test_fuzz_write_routes(
    api: httpx.Client,
    fuzz_targets: dict[str, str],
    record_property: Any,
    *,
    method: str,
    path: str,
    valid: dict[str, Any],
) -> None:
    url = path.format(**fuzz_targets)
    before = FUZZ_CASES["count"]

    @FUZZ_SETTINGS
    @given(body=st.one_of(JSON_VALUES, _mutations(valid), _mutations(valid)))
    def run(body: Any) -> None:
        _check(api.request(method, url, json=body))

    @FUZZ_SETTINGS
    @given(raw=st.binary(max_size=200))
    def run_bytes(raw: bytes) -> None:
        _check(api.request(method, url, content=raw, headers=JSON))

    run()
    run_bytes()
    record_property("fuzz_cases", FUZZ_CASES["count"] - before)


def test_fuzz_query_parameters(api: httpx.Client, record_property: Any) -> None:
    before = FUZZ_CASES["count"]

    @FUZZ_SETTINGS
    @given(
        path=st.sampled_from(
            [
                "/v3/ControlPlane/Configurations",
                "/v3/ControlPlane/Operators",
                f"/v3/ControlPlane/Operators/{SENTIMENT}/Versions",
                "/v2/ControlPlane/Configurations",
                "/v1/ControlPlane/Stores",
                "/v2/ControlPlane/KnowledgeBases",
            ]
        ),
        params=st.dictionaries(
            st.sampled_from(["pageSize", "pageToken", "orderBy", "memoryStoreId", "other"]),
            st.text(max_size=30),
            max_size=4,
        ),
    )
    def run(path: str, params: dict[str, str]) -> None:
        _check(api.get(path, params=params))

    run()
    record_property("fuzz_cases", FUZZ_CASES["count"] - before)


def test_zz_report_fuzz_cases(capsys: pytest.CaptureFixture[str], record_property: Any) -> None:
    """Runs last in this module (name order) and prints the number of fuzz cases."""
    record_property("fuzz_cases_total", FUZZ_CASES["count"])
    with capsys.disabled():
        print(f"\n[emulator fuzz] {FUZZ_CASES['count']} hypothesis cases sent, none gave a 5xx")
