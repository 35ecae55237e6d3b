"""``twilio-intelligence verify`` without the engine: against a fake Intelligence v3 written from
the reference (intelligence-v3.md §3.13, §3.16, §3.18, §4.11, §4.13), on a fake clock that its
``Date`` header reports and that the command's sleeps advance."""

from __future__ import annotations

import email.utils
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from pulumi_twilio_intelligence._core.kinds import (
    EXIT_CANNOT_VERIFY,
    EXIT_ERROR,
    EXIT_NO_RESULTS,
    EXIT_OK,
)
from pulumi_twilio_intelligence._project import Project, PulumiCli
from pulumi_twilio_intelligence.drift.live import WriteRefusedError
from pulumi_twilio_intelligence.drift.state import RecordedState
from pulumi_twilio_intelligence.verify import VerifyOptions, Wait, render, run_verify
from pulumi_twilio_intelligence.verify.plan import plan_targets

SENTIMENT = "intelligence_operator_01kcrvw16kfa88qvgrfmr7y151"
SCORER = "intelligence_operator_01aaaaaaaaaaaaaaaaaaaaaaaa"
CONFIG = "intelligence_configuration_01cccccccccccccccccccccccc"
OLD_CONFIG = "intelligence_configuration_01bbbbbbbbbbbbbbbbbbbbbbbb"
RULE_A = "intelligence_configurationrule_01aaaaaaaaaaaaaaaaaaaaaaaa"
RULE_B = "intelligence_configurationrule_01bbbbbbbbbbbbbbbbbbbbbbbb"
CONV_NEW = "conv_conversation_01nnnnnnnnnnnnnnnnnnnnnnnn"
CONV_OLD = "conv_conversation_01oooooooooooooooooooooooo"
START = datetime(2026, 12, 7, 4, 0, tzinfo=UTC)
TYPE = "pulumi-python:dynamic/twilio-intelligence:IntelligenceConfiguration"


def _iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class FakeTwilio:
    """The reads verify makes and RuleExecutions. ``delay`` is how many seconds after the POST
    an execution's results appear; ``silent`` configurations produce none (the PUT trap)."""

    configurations: dict[str, dict[str, Any]]
    conversations: list[dict[str, Any]]
    results: list[dict[str, Any]] = field(default_factory=list)
    delay: float = 3.0
    silent: set[str] = field(default_factory=set)
    skip_operators: set[str] = field(default_factory=set)
    refuse: dict[str, int] = field(default_factory=dict)  # rule id -> status
    now: datetime = START
    send_date: bool = True
    queued: list[tuple[datetime, dict[str, Any]]] = field(default_factory=list)
    log: list[tuple[str, str, dict[str, list[str]]]] = field(default_factory=list)

    def sleep(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)

    def _answer(self, status: int, body: Any = None) -> httpx.Response:
        headers = {"Date": email.utils.format_datetime(self.now, usegmt=True)}
        if body is None:
            return httpx.Response(status, headers=headers if self.send_date else {})
        return httpx.Response(status, json=body, headers=headers if self.send_date else {})

    def _page(self, items: list[dict[str, Any]]) -> httpx.Response:
        return self._answer(200, {"items": items, "meta": {"key": "items", "pageSize": len(items)}})

    def handle(self, request: httpx.Request) -> httpx.Response:
        query = {k: request.url.params.get_list(k) for k in request.url.params}
        self.log.append((request.method, request.url.path, query))
        path = request.url.path
        if path == "/v3/ControlPlane/Configurations":
            return self._page(list(self.configurations.values()))
        if path == "/v3/Conversations":
            return self._page(self._conversations(query))
        if path == "/v3/RuleExecutions" and request.method == "POST":
            return self._execute(json.loads(request.content))
        if path == "/v3/OperatorResults":
            return self._page(self._results(query))
        return self._answer(404, {"code": 20404, "message": "not found"})

    def _conversations(self, query: dict[str, list[str]]) -> list[dict[str, Any]]:
        wanted = set(query.get("intelligenceConfigurationIds", []))
        after = datetime.fromisoformat(query["createdAtAfter"][0].replace("Z", "+00:00"))
        return [
            c
            for c in self.conversations
            if wanted & set(c["intelligenceConfigurationIds"])
            and datetime.fromisoformat(c["createdAt"].replace("Z", "+00:00")) > after
        ]

    def _execute(self, body: dict[str, Any]) -> httpx.Response:
        config = self.configurations.get(body["intelligenceConfigurationId"])
        rules = {r["id"]: r for r in (config or {}).get("rules", [])}
        if body["ruleId"] in self.refuse:
            return self._answer(self.refuse[body["ruleId"]], {"code": 20001, "message": "no"})
        if config is None or body["ruleId"] not in rules:
            return self._answer(404, {"code": 20404, "message": "not found"})
        self.queued.append((self.now, body))
        return self._answer(202)

    def _results(self, query: dict[str, list[str]]) -> list[dict[str, Any]]:
        for at, body in list(self.queued):
            if self.now >= at + timedelta(seconds=self.delay):
                self.queued.remove((at, body))
                self._produce(body)
        found = [r for r in self.results if r["conversationId"] == query["conversationId"][0]]
        if "intelligenceConfigurationId" in query:
            wanted = query["intelligenceConfigurationId"][0]
            found = [r for r in found if r["intelligenceConfiguration"]["id"] == wanted]
        return found

    def _produce(self, body: dict[str, Any]) -> None:
        config_id = body["intelligenceConfigurationId"]
        if config_id in self.silent:
            return
        (rule,) = [r for r in self.configurations[config_id]["rules"] if r["id"] == body["ruleId"]]
        for op in rule["operators"]:
            if op["id"] not in self.skip_operators:
                self.results.append(
                    result(config_id, rule["id"], op["id"], body["conversationId"], self.now)
                )

    def requests(self, method: str | None = None, path: str | None = None) -> int:
        return sum(1 for m, p, _ in self.log if (method in (None, m)) and (path in (None, p)))


def result(
    config: str, rule: str, operator: str, conversation: str, at: datetime
) -> dict[str, Any]:
    return {
        "id": f"intelligence_operatorresult_{at.timestamp():.0f}{operator[-4:]}{rule[-2:]}",
        "intelligenceConfiguration": {"id": config, "ruleId": rule, "version": 1},
        "conversationId": conversation,
        "operator": {"id": operator, "version": 1, "parameters": {}},
        "dateCreated": _iso(at),
        "outputFormat": "TEXT",
        "result": {"text": "x"},
    }


def configuration(config_id: str = CONFIG, version: int = 1) -> dict[str, Any]:
    return {
        "id": config_id,
        "displayName": "analytics",
        "version": version,
        "rules": [
            {
                "id": RULE_A,
                "operators": [{"id": SENTIMENT}, {"id": SCORER}],
                "triggers": [],
                "actions": [],
            },
            {"id": RULE_B, "operators": [{"id": SCORER}], "triggers": [], "actions": []},
        ],
    }


def conversation(
    conv_id: str, configs: list[str], age_hours: float, results: Sequence[str] = ()
) -> dict[str, Any]:
    return {
        "id": conv_id,
        "status": "CLOSED",
        "createdAt": _iso(START - timedelta(hours=age_hours)),
        "updatedAt": _iso(START - timedelta(hours=age_hours)),
        "intelligenceConfigurationIds": configs,
        "operatorResultIds": list(results),
    }


def exported(*resources: dict[str, Any]) -> dict[str, Any]:
    return {"deployment": {"resources": list(resources)}}


def config_resource(
    name: str = "analytics",
    config_id: str = CONFIG,
    predecessors: Sequence[str] = (),
    created: int = 1,
) -> dict[str, Any]:
    return {
        "type": TYPE,
        "urn": f"urn:pulumi:dev::p::{TYPE}::{name}",
        "id": config_id,
        "inputs": {},
        "outputs": {"predecessorIds": list(predecessors), "createdVersion": created},
    }


@pytest.fixture
def project(tmp_path: Path) -> Project:
    (tmp_path / "Pulumi.yaml").write_text("name: twilio-intelligence\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text(
        "config:\n  twilio-intelligence:desiredState: dev.yaml\n"
        "  twilio:accountSid: AC00000000000000000000000000000001\n"
        "  twilio:authToken: 0123456789abcdef0123456789abcdef\n"
        "  twilio:baseUrl: https://twilio.test\n"
    )
    (tmp_path / "dev.yaml").write_text(
        "intelligenceConfigurations:\n  analytics:\n    rules:\n"
        "      realtime: {operators: {sentiment: {}}}\n"
        "      wrap-up: {operators: {sentiment: {}}}\n"
    )
    return Project(tmp_path, "twilio-intelligence", tmp_path)


def verify(
    project: Project,
    monkeypatch: pytest.MonkeyPatch,
    fake: FakeTwilio,
    state: dict[str, Any] | None,
    *,
    timeout: float = 60.0,
    frozen_local_clock: bool = True,
) -> Any:
    monkeypatch.setattr(PulumiCli, "export", lambda self, stack: state)
    local = [0.0]

    def sleep(seconds: float) -> None:
        fake.sleep(seconds)
        if not frozen_local_clock:
            local[0] += seconds

    wait = Wait(timeout=timeout, sleep=sleep, monotonic=lambda: local[0])
    options = VerifyOptions(wait=wait, transport=httpx.MockTransport(fake.handle))
    return run_verify(project, ["dev"], options, env={})


def base_fake(**kwargs: Any) -> FakeTwilio:
    return FakeTwilio(
        {CONFIG: configuration()},
        [conversation(CONV_NEW, [CONFIG], age_hours=1)],
        **kwargs,
    )


# --- the whole command --------------------------------------------------------------------------
def test_every_rule_producing_results_passes_with_few_requests(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = base_fake()
    report = verify(project, monkeypatch, fake, exported(config_resource()))
    assert report.exit_code == EXIT_OK, render(report, "table")
    (stack,) = report.stacks
    assert [(r.rule.name, r.status, len(r.result_ids)) for r in stack.runs] == [
        ("realtime", "ok", 2),
        ("wrap-up", "ok", 1),
    ]
    # One listing of configurations, one of conversations (every configuration at once, the
    # look-back period on the server's clock), a POST per rule, then one results listing per
    # poll; the wait ends as soon as every operator of every rule has a result.
    assert fake.requests("GET", "/v3/ControlPlane/Configurations") == 1
    conversations = [q for m, p, q in fake.log if p == "/v3/Conversations"]
    assert conversations == [
        {
            "intelligenceConfigurationIds": [CONFIG],
            "createdAtAfter": [_iso(START - timedelta(hours=168))],
            "pageSize": ["1000"],
        }
    ]
    posts = [q for m, p, q in fake.log if m == "POST"]
    assert len(posts) == 2
    polls = [q for m, p, q in fake.log if p == "/v3/OperatorResults"]
    assert polls[0] == {
        "conversationId": [CONV_NEW],
        "intelligenceConfigurationId": [CONFIG],
        "pageSize": ["1000"],
    }
    assert len(polls) == 2  # polls 1 s then 2 s after the POSTs: results appear after 3 s
    assert report.requests == len(fake.log)
    table = render(report, "table")
    assert "realtime  analytics      " + CONV_NEW in table
    assert "OK: every rule produced results (2 rules) (exit 0)" in table


def test_a_silent_configuration_fails_naming_its_rules_after_the_timeout(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = base_fake(silent={CONFIG})
    fake.configurations[CONFIG]["version"] = 2  # changed with PUT: inactive
    report = verify(project, monkeypatch, fake, exported(config_resource()), timeout=60)
    assert report.exit_code == EXIT_NO_RESULTS
    assert [r.status for r in report.stacks[0].runs] == ["none", "none"]
    # The wait was bounded by the server's clock (this machine's was frozen), polling politely.
    assert fake.now - START >= timedelta(seconds=60)
    assert fake.now - START < timedelta(seconds=60 + 16)
    assert fake.requests("GET", "/v3/OperatorResults") <= 8
    table = render(report, "table")
    assert "NONE" in table
    assert "analytics is INACTIVE (version is 2 but we created version 1" in table
    assert "its rules realtime, wrap-up produce no results" in table
    assert (
        "rules that produced no results: dev: analytics/realtime, dev: analytics/wrap-up" in table
    )
    for fmt in ("markdown", "json"):
        assert "analytics/wrap-up" in render(report, fmt)
    data = json.loads(render(report, "json"))
    assert data["exitCode"] == EXIT_NO_RESULTS
    assert data["stacks"][0]["configurations"][0]["inactive"].startswith("version is 2")


def test_without_a_date_header_the_local_clock_bounds_the_wait(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = base_fake(silent={CONFIG}, send_date=False)
    report = verify(
        project, monkeypatch, fake, exported(config_resource()), frozen_local_clock=False
    )
    assert report.exit_code == EXIT_NO_RESULTS
    assert fake.requests("GET", "/v3/OperatorResults") <= 8


def test_an_active_configuration_changed_with_put_is_flagged_even_if_on_demand_runs_work(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = base_fake()
    fake.configurations[CONFIG]["version"] = 3
    report = verify(project, monkeypatch, fake, exported(config_resource()))
    assert [r.status for r in report.stacks[0].runs] == ["ok", "ok"]
    assert report.exit_code == EXIT_NO_RESULTS
    assert "configurations inactive or gone: dev: analytics" in report.verdict()


def test_an_operator_without_results_makes_its_rule_partial(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = base_fake(skip_operators={SENTIMENT})
    report = verify(project, monkeypatch, fake, exported(config_resource()))
    realtime, wrap_up = report.stacks[0].runs
    assert (realtime.status, realtime.missing_operators) == ("partial", [SENTIMENT])
    assert wrap_up.status == "ok"
    assert report.exit_code == EXIT_NO_RESULTS
    assert f"no result from {SENTIMENT}" in render(report, "table")


def test_results_the_conversation_already_had_do_not_count(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = result(CONFIG, RULE_B, SCORER, CONV_NEW, START)  # the second it was listed
    older = result(CONFIG, RULE_A, SENTIMENT, CONV_NEW, START - timedelta(minutes=55))
    fake = base_fake(silent={CONFIG})
    fake.results = [old, older]
    fake.conversations = [conversation(CONV_NEW, [CONFIG], age_hours=1, results=[old["id"]])]
    report = verify(project, monkeypatch, fake, exported(config_resource()), timeout=20)
    # `old` is listed on the conversation; `older` predates the listing: neither is the run's.
    assert [r.status for r in report.stacks[0].runs] == ["none", "none"]


def test_the_conversation_is_one_it_processed_itself_with_results_and_recent(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = base_fake()
    fake.conversations = [
        conversation(CONV_OLD, [OLD_CONFIG], age_hours=0.5, results=["r1"]),
        conversation(CONV_NEW, [CONFIG], age_hours=2),
        conversation("conv_conversation_01zzzzzzzzzzzzzzzzzzzzzzzz", [CONFIG], age_hours=3),
    ]
    state = exported(config_resource(predecessors=[OLD_CONFIG]))
    report = verify(project, monkeypatch, fake, state)
    assert {r.conversation.id for r in report.stacks[0].runs} == {CONV_NEW}
    (query,) = [q for m, p, q in fake.log if p == "/v3/Conversations"]
    assert query["intelligenceConfigurationIds"] == [CONFIG, OLD_CONFIG]


def test_a_replacement_borrows_a_conversation_of_the_configuration_it_replaced(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = base_fake()
    fake.conversations = [conversation(CONV_OLD, [OLD_CONFIG], age_hours=5)]
    report = verify(
        project, monkeypatch, fake, exported(config_resource(predecessors=[OLD_CONFIG]))
    )
    assert report.exit_code == EXIT_OK
    assert {r.conversation.id for r in report.stacks[0].runs} == {CONV_OLD}


def test_no_recent_conversation_cannot_verify_and_runs_nothing(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = base_fake()
    fake.conversations = [conversation(CONV_NEW, [CONFIG], age_hours=200)]  # before the period
    report = verify(project, monkeypatch, fake, exported(config_resource()))
    assert report.exit_code == EXIT_CANNOT_VERIFY
    assert fake.requests("POST") == 0
    assert fake.requests("GET", "/v3/OperatorResults") == 0
    table = render(report, "table")
    assert "cannot verify: no conversation processed by it since 2026-11-30T04:00:00Z" in table
    assert "CANNOT VERIFY (no recent conversation): dev: analytics (exit 3)" in table


@pytest.mark.parametrize("status", [400, 404, 422])
def test_a_refused_execution_is_an_error_but_a_silent_rule_wins(
    project: Project, monkeypatch: pytest.MonkeyPatch, status: int
) -> None:
    fake = base_fake(refuse={RULE_A: status})
    report = verify(project, monkeypatch, fake, exported(config_resource()))
    realtime, wrap_up = report.stacks[0].runs
    assert (realtime.status, wrap_up.status) == ("error", "ok")
    assert f"HTTP {status}" in (realtime.error or "")
    assert report.exit_code == EXIT_ERROR
    fake = base_fake(refuse={RULE_A: status}, skip_operators={SCORER})
    report = verify(project, monkeypatch, fake, exported(config_resource()), timeout=10)
    assert report.exit_code == EXIT_NO_RESULTS  # wrap-up produced nothing


def test_a_deployed_configuration_gone_from_the_account_fails(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = base_fake()
    fake.configurations = {}
    report = verify(project, monkeypatch, fake, exported(config_resource()))
    assert report.exit_code == EXIT_NO_RESULTS
    assert "MISSING" in render(report, "table")
    assert fake.requests("POST") == 0


def test_a_stack_never_deployed_is_an_error_and_sends_nothing(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = base_fake()
    report = verify(project, monkeypatch, fake, None)
    assert report.exit_code == EXIT_ERROR
    assert "never been deployed" in render(report, "table")
    assert fake.log == []
    report = verify(project, monkeypatch, fake, exported())
    assert report.exit_code == EXIT_OK
    assert "nothing to verify" in render(report, "table")
    assert fake.log == []


def test_the_client_may_post_rule_executions_and_nothing_else(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pulumi_twilio_intelligence._twilio.connector import Target  # noqa: PLC0415
    from pulumi_twilio_intelligence.drift.live import RequestStats, connect  # noqa: PLC0415
    from pulumi_twilio_intelligence.verify.command import ALLOWED_WRITES  # noqa: PLC0415

    target = Target.resolve(
        {"twilio:accountSid": "AC1", "twilio:authToken": "t", "twilio:baseUrl": "https://x"}, {}
    )
    fake = base_fake()
    api = connect(target, RequestStats(), httpx.MockTransport(fake.handle), allow=ALLOWED_WRITES)
    with pytest.raises(WriteRefusedError):
        api.http.request(
            "intelligence", "PUT", f"/v3/ControlPlane/Configurations/{CONFIG}", json={}
        )
    api.execute_rule(CONFIG, RULE_A, CONV_NEW)
    assert fake.requests("POST", "/v3/RuleExecutions") == 1


# --- the plan -----------------------------------------------------------------------------------
def test_rules_are_named_from_the_file_only_when_it_still_matches_the_account() -> None:
    state = RecordedState.from_export(
        exported(
            config_resource(),
            {**config_resource("gone", OLD_CONFIG), "delete": True},  # pending deletion
        )
    )
    live = {CONFIG: configuration()}
    (target,) = plan_targets(state, live, {"analytics": ["realtime", "wrap-up"]})
    assert [r.name for r in target.rules] == ["realtime", "wrap-up"]
    assert [r.operator_ids for r in target.rules] == [(SENTIMENT, SCORER), (SCORER,)]
    (target,) = plan_targets(state, live, {"analytics": ["realtime"]})
    assert [r.name for r in target.rules] == ["rules[0]", "rules[1]"]
    assert target.inactive is None
    (target,) = plan_targets(state, {CONFIG: configuration(version=2)}, {})
    assert target.inactive is not None
    assert "version is 2 but we created version 1" in target.inactive


# --- the command line ---------------------------------------------------------------------------
def test_the_command_line_names_an_unknown_stack_and_refuses_a_zero_timeout(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    from pulumi_twilio_intelligence.drift import cli  # noqa: PLC0415

    code = cli.main(["--project-dir", str(project.root), "verify", "--stack", "prod"])
    assert code == EXIT_ERROR
    assert "ERROR: no stack prod in . (stacks: dev) (exit 1)" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        cli.main(["--project-dir", str(project.root), "verify", "--stack", "dev", "--timeout", "0"])
    assert "must be a positive number" in capsys.readouterr().err
