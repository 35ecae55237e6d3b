"""Running the rules (``POST /v3/RuleExecutions``) and waiting for their OperatorResults.

A rule execution answers 202 with no body; its results appear later in ``/v3/OperatorResults``
(intelligence-v3 §3.18). That list filters by conversation and configuration, not by rule, so
each round reads one listing per conversation still waited on (pages of 1000; narrowed to the
configuration when only one is waited on there) and attributes each new result to its rule by
``intelligenceConfiguration.ruleId``. A result is new when the conversation did not list it and
it is not older than the listing (the server's clock).

A rule is done once each of its operators has produced a result. The wait ends then, or after
``timeout`` seconds, on the server's clock (its ``Date`` header, which the emulator's controllable
clock drives) or on this machine's, whichever passes first. Polls start ``first_interval``
apart and back off to ``max_interval``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .._twilio.api import OPERATOR_RESULTS_V3, TwilioApi
from .._twilio.http import AmbiguousWrite
from ..drift.health import parse_time
from ..errors import TwilioIntelligenceError
from .conversations import Conversation
from .pages import pages
from .plan import ConfigTarget, RuleTarget

__all__ = ["RuleRun", "Wait", "run_rules"]


@dataclass(frozen=True)
class Wait:
    timeout: float = 300.0  # seconds
    first_interval: float = 1.0
    max_interval: float = 15.0
    sleep: Callable[[float], None] = time.sleep
    monotonic: Callable[[], float] = time.monotonic


@dataclass
class RuleRun:
    """One rule run on one conversation, and what came of it."""

    config: ConfigTarget
    rule: RuleTarget
    conversation: Conversation | None
    queued: bool = False
    error: str | None = None
    result_ids: set[str] = field(default_factory=set)
    operators_seen: set[str] = field(default_factory=set)

    @property
    def missing_operators(self) -> list[str]:
        return [op for op in self.rule.operator_ids if op not in self.operators_seen]

    @property
    def done(self) -> bool:
        return self.queued and not self.missing_operators

    @property
    def status(self) -> str:
        """unverifiable (no conversation), error (not queued), none, partial or ok."""
        if self.conversation is None:
            return "unverifiable"
        if not self.result_ids:
            return "error" if self.error and not self.queued else "none"
        return "partial" if self.missing_operators else "ok"


def _queue(api: TwilioApi, run: RuleRun) -> datetime | None:
    """POST the execution; the server's clock when it accepted it."""
    assert run.conversation is not None  # noqa: S101 - only runs with a conversation are queued
    try:
        accepted = api.execute_rule(run.config.id, run.rule.id, run.conversation.id)
    except AmbiguousWrite as exc:  # it may have been queued: wait for results all the same
        run.queued, run.error = True, f"no answer to the execution request ({exc})"
        return None
    except TwilioIntelligenceError as exc:
        run.error = f"the execution was refused: {exc}"
        return None
    run.queued = True
    return accepted


def _is_new(result: dict[str, Any], conversation: Conversation) -> bool:
    if str(result.get("id")) in conversation.known_result_ids:
        return False
    created = parse_time(result.get("dateCreated"))
    listed = conversation.listed_at
    # The Date header has whole seconds: a result of the same second is not called old.
    return created is None or listed is None or created >= listed.replace(microsecond=0)


def _read(api: TwilioApi, conversation: Conversation, runs: list[RuleRun]) -> datetime | None:
    """One listing of a conversation's results, attributed to ``runs``; the server's clock."""
    by_rule = {(r.config.id, r.rule.id): r for r in runs}
    configs = {r.config.id for r in runs}
    query = {"conversationId": conversation.id}
    if len(configs) == 1:
        query["intelligenceConfigurationId"] = next(iter(configs))
    server_now = None
    for page in pages(api, OPERATOR_RESULTS_V3, query):
        server_now = page.server_now or server_now
        for result in page.items:
            source = result.get("intelligenceConfiguration") or {}
            run = by_rule.get((str(source.get("id")), str(source.get("ruleId"))))
            if run is None or not _is_new(result, conversation):
                continue
            run.result_ids.add(str(result.get("id")))
            run.operators_seen.add(str((result.get("operator") or {}).get("id")))
    return server_now


def _poll(api: TwilioApi, pending: Iterable[RuleRun]) -> datetime | None:
    by_conversation: dict[str, list[RuleRun]] = {}
    for run in pending:
        if run.conversation is not None:
            by_conversation.setdefault(run.conversation.id, []).append(run)
    latest = None
    for runs in by_conversation.values():
        conversation = runs[0].conversation
        assert conversation is not None  # noqa: S101 - grouped by it above
        latest = _read(api, conversation, runs) or latest
    return latest


def _passed(now: datetime | None, deadline: datetime | None) -> bool:
    return now is not None and deadline is not None and now >= deadline


def _wait(api: TwilioApi, runs: list[RuleRun], started: datetime | None, wait: Wait) -> None:
    local_deadline = wait.monotonic() + wait.timeout
    server_deadline = started + timedelta(seconds=wait.timeout) if started else None
    interval = wait.first_interval
    pending = [r for r in runs if r.queued and not r.done]
    failure: str | None = None
    while pending:
        wait.sleep(interval)
        try:
            server_now = _poll(api, pending)
            failure = None
        except TwilioIntelligenceError as exc:  # try again next round; said if it persists
            server_now, failure = None, f"reading the results failed: {exc}"
        pending = [r for r in pending if not r.done]
        if _passed(server_now, server_deadline) or wait.monotonic() >= local_deadline:
            break
        interval = min(interval * 2, wait.max_interval)
    for run in pending:
        if failure and not run.result_ids:
            run.error = run.error or failure


def run_rules(
    api: TwilioApi,
    targets: list[ConfigTarget],
    conversations: dict[str, Conversation],
    wait: Wait,
) -> list[RuleRun]:
    """Queue every rule of every live configuration on its conversation, then wait."""
    runs = [
        RuleRun(target, rule, conversations.get(target.id))
        for target in targets
        if not target.missing
        for rule in target.rules
    ]
    started: datetime | None = None
    for run in runs:
        if run.conversation is not None:
            accepted = _queue(api, run)
            started = started or accepted
    _wait(api, runs, started, wait)
    return runs
