"""Data-plane calls driven where cheap: Conversations v2 conversations, participants and
communications, and Knowledge v2 search and chunks. The rest of the data plane is listed in
the table with the reason it is not driven."""

from __future__ import annotations

from typing import Any

from twilio.rest.conversations.v2.conversation import ConversationList
from twilio.rest.conversations.v2.participant import ParticipantList
from twilio.rest.knowledge.v2.search import SearchList

from .calls_conversations import make_conversation, make_orchestrator
from .calls_knowledge import base_with_source
from .calls_memory import make_store
from .harness import Entries, Entry, Run, check_id
from .sdk_surface import sdk_calls

__all__ = ["ENTRIES"]

C2 = "conversations.v2."
K2 = "knowledge.v2."
CONVERSATION = ("memory store", "orchestrator configuration", "conversation")
PARTICIPANT = (*CONVERSATION, "participant")
SOURCE = ("knowledge base", "knowledge source (processed)")
ENTRIES = Entries()


def conversation(run: Run, *texts: str) -> str:
    return make_conversation(run, make_orchestrator(run, make_store(run)), *texts)


@ENTRIES.driver(
    C2 + "ConversationList.create",
    "CreateConversationWithConfigRequest{configurationId}",
    CONVERSATION[:2],
)
def conversation_create(run: Run) -> None:
    ident = conversation(run)
    fetched = run.client.conversations.v2.conversations(ident).fetch()
    assert fetched.status == "ACTIVE", fetched.status


@ENTRIES.driver(C2 + "ConversationList.list", "page_size", CONVERSATION)
def conversation_list(run: Run) -> None:
    ident = conversation(run)
    assert ident in run.listed(run.client.conversations.v2.conversations.list(page_size=50))


@ENTRIES.driver(C2 + "ConversationContext.fetch", "id", CONVERSATION)
def conversation_fetch(run: Run) -> None:
    ident = conversation(run)
    fetched = run.got(run.client.conversations.v2.conversations(ident).fetch())
    assert fetched.id == ident
    check_id(fetched.configuration_id, "(?:conv|cfg)_configuration")


@ENTRIES.driver(
    C2 + "ConversationContext.update", "id, UpdateConversationByIdRequest{name}", CONVERSATION
)
def conversation_update(run: Run) -> None:
    ident = conversation(run)
    body = {"name": run.name("talk"), "status": "ACTIVE"}  # PUT: status is required
    request = ConversationList.UpdateConversationByIdRequest(body)
    updated = run.got(run.client.conversations.v2.conversations(ident).update(request))
    assert (updated.id, updated.name) == (ident, run.name("talk"))


@ENTRIES.driver(
    C2 + "ConversationContext.patch", "id, PatchConversationByIdRequest{name}", CONVERSATION
)
def conversation_patch(run: Run) -> None:
    ident = conversation(run)
    request = ConversationList.PatchConversationByIdRequest({"name": run.name("patched")})
    patched = run.got(run.client.conversations.v2.conversations(ident).patch(request))
    assert (patched.id, patched.name) == (ident, run.name("patched"))


def make_participant(run: Run, ident: str) -> Any:
    body = {
        "name": run.name("customer"),
        "type": "CUSTOMER",
        "addresses": [{"channel": "SMS", "address": "+15555550123"}],
    }
    participants = run.client.conversations.v2.participants(ident)
    created = participants.create(ParticipantList.CreateParticipantInConversationRequest(body))
    run.answered(201)
    check_id(created.id, "conv_participant")
    return created


def conversation_with_participant(run: Run) -> tuple[str, Any]:
    """A conversation and a participant in it: (conversation id, the created participant)."""
    ident = conversation(run)
    return ident, make_participant(run, ident)


@ENTRIES.driver(
    C2 + "ParticipantList.create",
    "conversation_id, CreateParticipantInConversationRequest{name, type, addresses}",
    CONVERSATION,
)
def participant_create(run: Run) -> None:
    created = make_participant(run, conversation(run))
    assert (created.name, created.type) == (run.name("customer"), "CUSTOMER")


@ENTRIES.driver(C2 + "ParticipantList.list", "conversation_id", PARTICIPANT)
def participant_list(run: Run) -> None:
    ident, created = conversation_with_participant(run)
    assert created.id in run.listed(run.client.conversations.v2.participants(ident).list())


@ENTRIES.driver(C2 + "ParticipantContext.fetch", "conversation_id, id", PARTICIPANT)
def participant_fetch(run: Run) -> None:
    ident, created = conversation_with_participant(run)
    fetched = run.got(run.client.conversations.v2.participants(ident, created.id).fetch())
    assert (fetched.id, fetched.conversation_id) == (created.id, ident)


@ENTRIES.driver(
    C2 + "CommunicationList.create",
    "conversation_id, CreateCommunicationInConversationRequest{author, content, recipients}",
    CONVERSATION,
)
def communication_create(run: Run) -> None:
    ident = conversation(run, "Hello there")
    listed = run.client.conversations.v2.communications(ident).list()
    assert [c.content["text"] for c in listed] == ["Hello there"]


@ENTRIES.driver(C2 + "CommunicationList.list", "conversation_id", CONVERSATION)
def communication_list(run: Run) -> None:
    ident = conversation(run, "one", "two")
    listed = run.got(run.client.conversations.v2.communications(ident).list())
    assert len(listed) == 2
    for item in listed:
        check_id(item.id, "conv_communication")


@ENTRIES.driver(C2 + "CommunicationContext.fetch", "conversation_id, id", CONVERSATION)
def communication_fetch(run: Run) -> None:
    ident = conversation(run, "Hello there")
    first = run.client.conversations.v2.communications(ident).list()[0]
    fetched = run.got(run.client.conversations.v2.communications(ident, first.id).fetch())
    assert (fetched.id, fetched.conversation_id) == (first.id, ident)


def processed_source(run: Run) -> tuple[str, str]:
    kb_id, created = base_with_source(run)
    source = run.client.knowledge.v2.knowledge(kb_id, created.id)
    run.until(source.fetch, lambda s: s.status == "COMPLETED", "knowledge processing")
    return kb_id, created.id


@ENTRIES.driver(K2 + "SearchList.create", "kb_id, KnowledgeSearch{query, top}", SOURCE)
def search(run: Run) -> None:
    kb_id, source_id = processed_source(run)
    request = SearchList.KnowledgeSearch({"query": "opening hours", "top": 3})
    found = run.got(run.client.knowledge.v2.search(kb_id).create(request))
    assert found.chunks, vars(found)
    assert found.chunks[0]["knowledgeId"] == source_id


@ENTRIES.driver(K2 + "ChunkList.list", "kb_id, knowledge_id", SOURCE)
def chunks(run: Run) -> None:
    kb_id, source_id = processed_source(run)
    listed = run.got(run.client.knowledge.v2.chunks(kb_id, source_id).list())
    assert listed, "no chunks"
    assert "Opening hours" in listed[0].content


_WHY = {
    C2 + "ConversationContext.delete": "the emulator answers 405 (reference: 202 and an operation)",
    C2 + "ParticipantContext.update": "the emulator has no PUT on a participant yet",
    C2 + "ActionList.create": "the emulator does not serve Actions yet (reference: 202 Action)",
    C2 + "ActionContext.fetch": "the emulator does not serve Actions yet",
}
_MEMORY = "Memory profiles and their data are not emulated"
_DRIVEN = {entry.call for entry in ENTRIES}
ENTRIES.extend(
    Entry(call.name, "", (), None, _WHY.get(call.name, _MEMORY))
    for call in sdk_calls()
    if not call.control_plane and call.name not in _DRIVEN
)
