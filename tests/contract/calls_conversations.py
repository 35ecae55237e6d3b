"""The contract's Conversations v2 calls (conversations-v2.md): Orchestrator configurations
(asynchronous: 202 with ``related.configurationId``, then an operation) and the shared
operations path, which only the Host header (conversations.twilio.com) tells from Knowledge's."""

from __future__ import annotations

from typing import Any

from twilio.rest.conversations.v2.communication import CommunicationList
from twilio.rest.conversations.v2.configuration import ConfigurationList
from twilio.rest.conversations.v2.conversation import ConversationList

from .calls_memory import make_store
from .harness import Entries, Run, check_id

__all__ = ["ENTRIES", "make_conversation", "make_orchestrator"]

V2 = "conversations.v2."
CONFIG = "(?:conv|cfg)_configuration"  # conversations-v2.md: both prefixes appear
ORCH = ("memory store", "orchestrator configuration")
ENTRIES = Entries()


def config_body(run: Run, store_id: str, intelligence_ids: list[str]) -> dict[str, Any]:
    return {
        "displayName": run.name("orch"),
        "description": "contract",
        "conversationGroupingType": "GROUP_BY_PARTICIPANT_ADDRESSES",
        "memoryStoreId": store_id,
        "channelSettings": {
            "SMS": {
                "statusTimeouts": {"inactive": 5, "closed": 10},
                "captureRules": [{"from": "*", "to": "+18005550100", "metadata": {}}],
            }
        },
        "intelligenceConfigurationIds": intelligence_ids,
    }


def settled(run: Run, accepted: Any, what: str) -> Any:
    return run.settled(accepted, run.client.conversations.v2.operations, what)


def make_orchestrator(run: Run, store_id: str, intelligence_ids: list[str] | None = None) -> str:
    configurations = run.client.conversations.v2.configurations
    body = config_body(run, store_id, intelligence_ids or [])
    accepted = configurations.create(
        create_configuration_request=ConfigurationList.CreateConfigurationRequest(body)
    )
    ident = check_id((accepted.related or {}).get("configurationId"), CONFIG)
    done = settled(run, accepted, "orchestrator configuration create")
    assert done.related == {"configurationId": ident}, done.related

    def delete() -> None:
        settled(run, configurations(ident).delete(), "orchestrator configuration delete")

    return run.created("orchestrator configuration", ident, delete)


def make_conversation(run: Run, orchestrator_id: str, *texts: str) -> str:
    """Data plane, as the world Intelligence's results need: a conversation and SMS."""
    conversations = run.client.conversations.v2.conversations
    created = conversations.create(
        ConversationList.CreateConversationWithConfigRequest(
            {"configurationId": orchestrator_id, "name": run.name("talk")}
        )
    )
    ident = check_id(created.id, "conv_conversation")
    assert created.name == run.name("talk"), created.name
    run.created("conversation", ident, conversations(ident).delete, best_effort=True)
    for text in texts:
        body = {
            "author": {"channel": "SMS", "address": "+15555550100"},
            "content": {"type": "TEXT", "text": text},
            "recipients": [{"channel": "SMS", "address": "+18005550100"}],
        }
        run.client.conversations.v2.communications(ident).create(
            CommunicationList.CreateCommunicationInConversationRequest(body)
        )
        run.answered(201)
    return ident


@ENTRIES.driver(
    V2 + "ConfigurationList.create",
    "CreateConfigurationRequest{displayName, description, conversationGroupingType,"
    " memoryStoreId, channelSettings}",
    ("memory store",),
)
def config_create(run: Run) -> None:
    ident = make_orchestrator(run, make_store(run))
    assert run.client.conversations.v2.configurations(ident).fetch().display_name == run.name(
        "orch"
    )


@ENTRIES.driver(V2 + "ConfigurationList.list", "page_size", ORCH)
def config_list(run: Run) -> None:
    ident = make_orchestrator(run, make_store(run))
    assert ident in run.listed(run.client.conversations.v2.configurations.list(page_size=50))


@ENTRIES.driver(V2 + "ConfigurationContext.fetch", "id", ORCH)
def config_fetch(run: Run) -> None:
    store_id = make_store(run)
    ident = make_orchestrator(run, store_id)
    fetched = run.got(run.client.conversations.v2.configurations(ident).fetch())
    assert (fetched.id, fetched.memory_store_id) == (ident, store_id)
    assert fetched.conversation_grouping_type == "GROUP_BY_PARTICIPANT_ADDRESSES"


@ENTRIES.driver(
    V2 + "ConfigurationContext.update", "id, UpdateConfigurationRequest (whole body)", ORCH
)
def config_update(run: Run) -> None:
    store_id = make_store(run)
    ident = make_orchestrator(run, store_id)
    body = {**config_body(run, store_id, []), "description": "replaced"}
    context = run.client.conversations.v2.configurations(ident)
    settled(
        run,
        context.update(
            update_configuration_request=ConfigurationList.UpdateConfigurationRequest(body)
        ),
        "PUT",
    )
    assert context.fetch().description == "replaced"


@ENTRIES.driver(
    V2 + "ConfigurationContext.patch", "id, PatchConfigurationRequest{description}", ORCH
)
def config_patch(run: Run) -> None:
    ident = make_orchestrator(run, make_store(run))
    context = run.client.conversations.v2.configurations(ident)
    patch = ConfigurationList.PatchConfigurationRequest({"description": "patched"})
    settled(run, context.patch(patch_configuration_request=patch), "PATCH")
    fetched = context.fetch()
    assert (fetched.description, fetched.display_name) == ("patched", run.name("orch"))


@ENTRIES.driver(V2 + "ConfigurationContext.delete", "id", ORCH)
def config_delete(run: Run) -> None:
    ident = make_orchestrator(run, make_store(run))
    settled(run, run.client.conversations.v2.configurations(ident).delete(), "DELETE")
    run.deleted(ident)


@ENTRIES.driver(V2 + "OperationContext.fetch", "id", ORCH)
def operation_fetch(run: Run) -> None:
    configurations = run.client.conversations.v2.configurations
    body = config_body(run, make_store(run), [])
    accepted = configurations.create(
        create_configuration_request=ConfigurationList.CreateConfigurationRequest(body)
    )
    ident = accepted.related["configurationId"]
    run.created("orchestrator configuration", ident, configurations(ident).delete)
    op_id = accepted.status_url.rsplit("/", 1)[-1]
    first = run.got(run.client.conversations.v2.operations(op_id).fetch())
    # conversations-v2.md §3 and the SDK: PENDING, COMPLETED, FAILED (no RUNNING).
    assert first.status in ("PENDING", "COMPLETED"), first.status
    done = run.operation_done(run.client.conversations.v2.operations(op_id).fetch, "create")
    assert (done.operation_id, done.status) == (op_id, "COMPLETED")
    assert done.related == {"configurationId": ident}
    assert done.completed_at is not None
