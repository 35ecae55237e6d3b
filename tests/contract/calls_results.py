"""The contract's Intelligence v3 runtime calls: conversations processed by an intelligence
configuration, their operator results, and on-demand rule executions. They need a world:
a memory store, an Orchestrator configuration naming the intelligence configuration, and a
conversation whose messages trigger its rule (Twilio's Sentiment on each communication)."""

from __future__ import annotations

from typing import Any

from twilio.rest.intelligence.v3.rule_execution import RuleExecutionList

from .calls_conversations import make_conversation, make_orchestrator
from .calls_intelligence import SENTIMENT, make_configuration
from .calls_memory import make_store
from .harness import Entries, Run, check_id, ident_of

__all__ = ["ENTRIES", "WORLD", "make_world"]

V3 = "intelligence.v3."
WORLD = ("memory store", "intelligence configuration", "orchestrator configuration", "conversation")

ENTRIES = Entries()


def make_world(run: Run, on: str = "COMMUNICATION") -> dict[str, Any]:
    config = make_configuration(run, SENTIMENT, on)
    orchestrator = make_orchestrator(run, make_store(run), [config.id])
    conversation = make_conversation(run, orchestrator, "Thanks, this is great, I love it")
    return {"config": config, "orchestrator": orchestrator, "conversation": conversation}


def results(run: Run, conversation: str) -> list[Any]:
    listing = run.client.intelligence.v3.operator_results
    found: list[Any] = run.until(
        lambda: listing.list(conversation_id=conversation), bool, "operator results"
    )
    run.answered(200)
    return found


@ENTRIES.driver(V3 + "ConversationList.list", "intelligence_configuration_ids", WORLD)
def conversation_list(run: Run) -> None:
    world = make_world(run)
    results(run, world["conversation"])
    listed = run.client.intelligence.v3.conversations.list(
        intelligence_configuration_ids=[world["config"].id]
    )
    run.answered(200)
    assert world["conversation"] in {c.id for c in listed}


@ENTRIES.driver(V3 + "ConversationContext.fetch", "id", WORLD)
def conversation_fetch(run: Run) -> None:
    world = make_world(run)
    results(run, world["conversation"])
    fetched = run.got(run.client.intelligence.v3.conversations(world["conversation"]).fetch())
    assert fetched.id == world["conversation"]
    assert world["config"].id in (fetched.intelligence_configuration_ids or []), vars(fetched)


@ENTRIES.driver(V3 + "OperatorResultList.list", "conversation_id", WORLD)
def result_list(run: Run) -> None:
    world = make_world(run)
    found = results(run, world["conversation"])
    for item in found:
        check_id(item.id, "intelligence_operatorresult")
        assert item.conversation_id == world["conversation"]
        assert item.operator is not None
        assert item.result is not None


@ENTRIES.driver(V3 + "OperatorResultContext.fetch", "operator_result_id", WORLD)
def result_fetch(run: Run) -> None:
    world = make_world(run)
    first = results(run, world["conversation"])[0]
    fetched = run.got(run.client.intelligence.v3.operator_results(first.id).fetch())
    assert (fetched.id, fetched.conversation_id) == (first.id, world["conversation"])


@ENTRIES.driver(V3 + "OperatorResultContext.delete", "operator_result_id", WORLD)
def result_delete(run: Run) -> None:
    world = make_world(run)
    first = results(run, world["conversation"])[0]
    run.owned.add(first.id)  # made by the run's own conversation
    assert run.client.intelligence.v3.operator_results(first.id).delete() is True
    run.answered(204)


@ENTRIES.driver(
    V3 + "RuleExecutionList.create",
    "CreateRuleExecutionRequest{intelligenceConfigurationId, ruleId, conversationId}",
    WORLD,
)
def rule_execution(run: Run) -> None:
    world = make_world(run, on="CONVERSATION_END")
    body = {
        "intelligenceConfigurationId": world["config"].id,
        "ruleId": ident_of(world["config"].rules[0]),
        "conversationId": world["conversation"],
    }
    execution = run.client.intelligence.v3.rule_executions.create(
        RuleExecutionList.CreateRuleExecutionRequest(body)
    )
    run.answered(202)
    assert execution.code is None  # an accepted execution carries no error
    assert results(run, world["conversation"])
