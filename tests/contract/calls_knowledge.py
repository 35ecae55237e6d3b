"""The contract's Knowledge v2 calls (knowledge-v2.md): knowledge bases (asynchronous, on the
operations path shared with Conversations v2: routed by the Host knowledge.twilio.com) and
their knowledge sources (synchronous)."""

from __future__ import annotations

from typing import Any

from twilio.rest.knowledge.v2.knowledge import KnowledgeList
from twilio.rest.knowledge.v2.knowledge_basis import KnowledgeBasisList

from .harness import Entries, Run, check_id, ident_of

__all__ = ["ENTRIES", "base_with_source", "make_base"]

V2 = "knowledge.v2."
KB = "know_knowledgebase"
SOURCE = "know_knowledge"
KBS = ("knowledge base",)
SOURCES = ("knowledge base", "knowledge source")
ENTRIES = Entries()


def settled(run: Run, accepted: Any, what: str, gone_is_done: bool = False) -> Any:
    # knowledge-v2.md §4 gives no prefix for operation ids: any TTID.
    operations = run.client.knowledge.v2.operations
    return run.settled(accepted, operations, what, "[a-z]+_[a-z]+", gone_is_done)


def make_base(run: Run) -> str:
    bases = run.client.knowledge.v2.knowledge_bases
    core = KnowledgeBasisList.KnowledgeBaseCore(
        {"displayName": run.name("kb"), "description": "contract"}
    )
    done = settled(run, bases.create(core), "knowledge base create")
    ident = check_id(ident_of(done.result), KB)

    def delete() -> None:
        settled(run, bases(ident).delete(), "knowledge base delete", gone_is_done=True)

    run.created("knowledge base", ident, delete)
    run.until(bases(ident).fetch, lambda kb: kb.status == "ACTIVE", "knowledge base provisioning")
    return ident


def make_source(run: Run, kb_id: str) -> Any:
    sources = run.client.knowledge.v2.knowledge(kb_id)
    core = KnowledgeList.KnowledgeCore(
        {
            "name": run.name("faq"),
            "description": "contract",
            "source": {"type": "Text", "content": "Opening hours: 9 to 5."},
        }
    )
    created = sources.create(core)
    run.answered(201)
    check_id(created.id, SOURCE)
    run.created(
        "knowledge source", created.id, run.client.knowledge.v2.knowledge(kb_id, created.id).delete
    )
    return created


def base_with_source(run: Run) -> tuple[str, Any]:
    """A knowledge base and a knowledge source in it: (base id, the created source)."""
    kb_id = make_base(run)
    return kb_id, make_source(run, kb_id)


@ENTRIES.driver(V2 + "KnowledgeBasisList.create", "KnowledgeBaseCore{displayName, description}")
def base_create(run: Run) -> None:
    ident = make_base(run)
    assert run.client.knowledge.v2.knowledge_bases(ident).fetch().display_name == run.name("kb")


@ENTRIES.driver(V2 + "KnowledgeBasisList.list", "page_size", KBS)
def base_list(run: Run) -> None:
    ident = make_base(run)
    assert ident in run.listed(run.client.knowledge.v2.knowledge_bases.list(page_size=50))


@ENTRIES.driver(V2 + "KnowledgeBasisContext.fetch", "kb_id", KBS)
def base_fetch(run: Run) -> None:
    ident = make_base(run)
    fetched = run.got(run.client.knowledge.v2.knowledge_bases(ident).fetch())
    assert (fetched.id, fetched.status) == (ident, "ACTIVE")
    assert fetched.version is not None


@ENTRIES.driver(
    V2 + "KnowledgeBasisContext.update", "kb_id, UpdateKnowledgeBaseRequest{description}", KBS
)
def base_update(run: Run) -> None:
    ident = make_base(run)
    context = run.client.knowledge.v2.knowledge_bases(ident)
    request = KnowledgeBasisList.UpdateKnowledgeBaseRequest({"description": "patched"})
    settled(run, context.update(request), "knowledge base update")
    assert context.fetch().description == "patched"


@ENTRIES.driver(V2 + "KnowledgeBasisContext.delete", "kb_id", KBS)
def base_delete(run: Run) -> None:
    ident = make_base(run)
    settled(run, run.client.knowledge.v2.knowledge_bases(ident).delete(), "knowledge base delete")
    run.deleted(ident)


@ENTRIES.driver(V2 + "OperationContext.fetch", "operation_id", KBS)
def operation_fetch(run: Run) -> None:
    bases = run.client.knowledge.v2.knowledge_bases
    accepted = bases.create(KnowledgeBasisList.KnowledgeBaseCore({"displayName": run.name("kb")}))
    op_id = accepted.status_url.rsplit("/", 1)[-1]
    done = run.got(run.operation_done(run.client.knowledge.v2.operations(op_id).fetch, "create"))
    ident = check_id(done.result["id"], KB)
    run.created("knowledge base", ident, bases(ident).delete)
    assert (done.operation_id, done.status) == (op_id, "COMPLETED")


@ENTRIES.driver(
    V2 + "KnowledgeList.create", "kb_id, KnowledgeCore{name, description, source: Text}", KBS
)
def source_create(run: Run) -> None:
    _, created = base_with_source(run)
    assert created.name == run.name("faq")


@ENTRIES.driver(V2 + "KnowledgeList.list", "kb_id", SOURCES)
def source_list(run: Run) -> None:
    kb_id, created = base_with_source(run)
    assert created.id in run.listed(run.client.knowledge.v2.knowledge(kb_id).list())


@ENTRIES.driver(V2 + "KnowledgeContext.fetch", "kb_id, knowledge_id", SOURCES)
def source_fetch(run: Run) -> None:
    kb_id, created = base_with_source(run)
    fetched = run.got(run.client.knowledge.v2.knowledge(kb_id, created.id).fetch())
    assert (fetched.id, fetched.name) == (created.id, run.name("faq"))


@ENTRIES.driver(
    V2 + "KnowledgeContext.update", "kb_id, knowledge_id, KnowledgeCore{name, description}", SOURCES
)
def source_update(run: Run) -> None:
    kb_id, created = base_with_source(run)
    context = run.client.knowledge.v2.knowledge(kb_id, created.id)
    core = KnowledgeList.KnowledgeCore({"name": run.name("faq"), "description": "patched"})
    updated = context.update(knowledge_core=core)
    assert run.status() in (200, 202), run.status()
    assert updated.id in (None, created.id)
    assert context.fetch().description == "patched"


@ENTRIES.driver(V2 + "KnowledgeContext.delete", "kb_id, knowledge_id", SOURCES)
def source_delete(run: Run) -> None:
    kb_id, created = base_with_source(run)
    assert run.client.knowledge.v2.knowledge(kb_id, created.id).delete() is True
    run.answered(204)  # knowledge-v2.md: sources are deleted synchronously
    run.deleted(created.id)
