"""The verify command's work, from stack names to a VerifyReport (printing is ``render``'s job).

Stacks are found, and their credentials resolved, exactly as ``drift`` does (``_project``,
``Target.resolve``); what a stack deployed comes from its Pulumi state. Per stack the requests are:
one listing of the account's Intelligence Configurations, one of the conversations they processed
(pages of 1000), one ``POST /v3/RuleExecutions`` per rule, then one listing of results per
conversation and poll. The client may send GETs and that POST, nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from .. import stackfile
from .._project import Project, PulumiCli, engine_env, stack_credentials_config
from .._twilio.api import CONFIGURATIONS_V3, RULE_EXECUTIONS_V3, TwilioApi
from .._twilio.connector import Target
from ..drift.live import RequestStats, connect
from ..drift.state import RecordedState
from ..errors import TwilioIntelligenceError, VerifyError
from .conversations import find_conversations, iso
from .execute import Wait, run_rules
from .pages import pages
from .plan import KIND, plan_targets
from .report import StackVerification, VerifyReport

__all__ = ["DEFAULT_LOOKBACK_HOURS", "DEFAULT_TIMEOUT", "VerifyOptions", "run_verify"]

DEFAULT_TIMEOUT = 300.0  # seconds to wait for a rule's results
DEFAULT_LOOKBACK_HOURS = 168.0  # how recent a conversation must be (a week)
ALLOWED_WRITES = frozenset({("POST", RULE_EXECUTIONS_V3)})


@dataclass(frozen=True)
class VerifyOptions:
    lookback_hours: float = DEFAULT_LOOKBACK_HOURS
    wait: Wait = field(default_factory=Wait)
    transport: httpx.BaseTransport | None = None  # tests: a fake Twilio


def _reason(exc: Exception) -> str:
    if isinstance(exc, TwilioIntelligenceError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def _live_configurations(api: TwilioApi) -> tuple[dict[str, dict[str, Any]], datetime | None]:
    """The account's Intelligence Configurations by id, and the server's clock."""
    found: dict[str, dict[str, Any]] = {}
    server_now = None
    for page in pages(api, CONFIGURATIONS_V3, {}, max_pages=100):  # beyond any account
        server_now = server_now or page.server_now
        found.update({str(c["id"]): c for c in page.items if c.get("id")})
    return found, server_now


def _check(
    api: TwilioApi,
    result: StackVerification,
    recorded: RecordedState,
    project: Project,
    options: VerifyOptions,
) -> None:
    if not any(recorded.of_kind(KIND)):
        return  # nothing deployed to verify, and no request needed to say so
    live, server_now = _live_configurations(api)
    try:
        names = stackfile.rule_names(project.desired_state_path(result.name))
    except TwilioIntelligenceError:  # no desired-state file configured: rules go by position
        names = {}
    result.targets = plan_targets(recorded, live, names)
    since = (server_now or datetime.now(UTC)) - timedelta(hours=options.lookback_hours)
    result.since = iso(since)
    conversations = find_conversations(api, result.targets, since)
    result.runs = run_rules(api, result.targets, conversations, options.wait)


def _deployed(cli: PulumiCli, name: str) -> RecordedState:
    exported = cli.export(name)
    if exported is None:
        raise VerifyError(f"stack {name!r} has never been deployed: `pulumi up` it first")
    return RecordedState.from_export(exported)


def _verify_stack(
    project: Project,
    cli: PulumiCli,
    name: str,
    *,
    options: VerifyOptions,
    env: Mapping[str, str],
    stats: RequestStats,
) -> StackVerification:
    """One stack's verification; whatever goes wrong is that stack's error."""
    result = StackVerification(name, timeout=options.wait.timeout)
    try:
        target = Target.resolve(stack_credentials_config(project, cli, name), env)
        recorded = _deployed(cli, name)
    except Exception as exc:  # that stack's error: the others are still verified
        result.error = _reason(exc)
        return result
    api = connect(target, stats, options.transport, allow=ALLOWED_WRITES)
    try:
        _check(api, result, recorded, project, options)
    except Exception as exc:  # see above; a bug of ours too is reported, not a traceback
        result.error = _reason(exc)
    finally:
        api.http.close()
    return result


def run_verify(
    project: Project, stacks: list[str], options: VerifyOptions, env: Mapping[str, str]
) -> VerifyReport:
    problem = project.unknown_stacks(stacks)
    if problem:
        raise VerifyError(problem)
    cli = PulumiCli(project, engine_env(env))
    stats = RequestStats()
    report = VerifyReport()
    for name in dict.fromkeys(stacks):
        report.stacks.append(
            _verify_stack(project, cli, name, options=options, env=env, stats=stats)
        )
    report.requests = stats.total
    return report
