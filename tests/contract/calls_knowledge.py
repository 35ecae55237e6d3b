"""The contract's Knowledge v2 calls (knowledge-v2.md): knowledge bases (asynchronous, on the
operations path shared with Conversations v2: routed by the Host knowledge.twilio.com) and
their knowledge sources (synchronous)."""

from __future__ import annotations

from typing import Any

from twilio.rest.knowledge.v2.knowledge import KnowledgeList
from twilio.rest.knowledge.v2.knowledge_basis import KnowledgeBasisList

from .harness import Entry, Run, check_id

__all__ = ["ENTRIES", "make_base"]

V2 = "knowledge.v2."
KB = "know_knowledgebase"
SOURCE = "know_knowledge"


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
    result = done.result
    ident = check_id(result["id"] if isinstance(result, dict) else result.id, KB)

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


def base_create(run: Run) -> None:
    ident = make_base(run)
    assert run.client.knowledge.v2.knowledge_bases(ident).fetch().display_name == run.name("kb")


def base_list(run: Run) -> None:
    ident = make_base(run)
    assert ident in run.listed(run.client.knowledge.v2.knowledge_bases.list(page_size=50))


def base_fetch(run: Run) -> None:
    ident = make_base(run)
    fetched = run.client.knowledge.v2.knowledge_bases(ident).fetch()
    run.answered(200)
    assert (fetched.id, fetched.status) == (ident, "ACTIVE")
    assert fetched.version is not None


def base_update(run: Run) -> None:
    ident = make_base(run)
    context = run.client.knowledge.v2.knowledge_bases(ident)
    request = KnowledgeBasisList.UpdateKnowledgeBaseRequest({"description": "patched"})
    settled(run, context.update(request), "knowledge base update")
    assert context.fetch().description == "patched"


def base_delete(run: Run) -> None:
    ident = make_base(run)
    settled(run, run.client.knowledge.v2.knowledge_bases(ident).delete(), "knowledge base delete")
    run.deleted(ident)


def operation_fetch(run: Run) -> None:
    bases = run.client.knowledge.v2.knowledge_bases
    accepted = bases.create(KnowledgeBasisList.KnowledgeBaseCore({"displayName": run.name("kb")}))
    op_id = accepted.status_url.rsplit("/", 1)[-1]
    done = run.operation_done(run.client.knowledge.v2.operations(op_id).fetch, "create")
    run.answered(200)
    ident = check_id(done.result["id"], KB)
    run.created("knowledge base", ident, bases(ident).delete)
    assert (done.operation_id, done.status) == (op_id, "COMPLETED")


def source_create(run: Run) -> None:
    created = make_source(run, make_base(run))
    assert created.name == run.name("faq")


def source_list(run: Run) -> None:
    kb_id = make_base(run)
    created = make_source(run, kb_id)
    assert created.id in run.listed(run.client.knowledge.v2.knowledge(kb_id).list())


def source_fetch(run: Run) -> None:
    kb_id = make_base(run)
    created = make_source(run, kb_id)
    fetched = run.client.knowledge.v2.knowledge(kb_id, created.id).fetch()
    run.answered(200)
    assert (fetched.id, fetched.name) == (created.id, run.name("faq"))


def source_update(run: Run) -> None:
    kb_id = make_base(run)
    created = make_source(run, kb_id)
    context = run.client.knowledge.v2.knowledge(kb_id, created.id)
    core = KnowledgeList.KnowledgeCore({"name": run.name("faq"), "description": "patched"})
    updated = context.update(knowledge_core=core)
    assert run.status() in (200, 202), run.status()
    assert updated.id in (None, created.id)
    assert context.fetch().description == "patched"


def source_delete(run: Run) -> None:
    kb_id = make_base(run)
    created = make_source(run, kb_id)
    assert run.client.knowledge.v2.knowledge(kb_id, created.id).delete() is True
    run.answered(204)  # knowledge-v2.md: sources are deleted synchronously
    run.deleted(created.id)


KBS = ("knowledge base",)
SOURCES = ("knowledge base", "knowledge source")
ENTRIES = [
    Entry(
        V2 + "KnowledgeBasisList.create",
        "KnowledgeBaseCore{displayName, description}",
        (),
        base_create,
    ),
    Entry(V2 + "KnowledgeBasisList.list", "page_size", KBS, base_list),
    Entry(V2 + "KnowledgeBasisContext.fetch", "kb_id", KBS, base_fetch),
    Entry(
        V2 + "KnowledgeBasisContext.update",
        "kb_id, UpdateKnowledgeBaseRequest{description}",
        KBS,
        base_update,
    ),
    Entry(V2 + "KnowledgeBasisContext.delete", "kb_id", KBS, base_delete),
    Entry(V2 + "OperationContext.fetch", "operation_id", KBS, operation_fetch),
    Entry(
        V2 + "KnowledgeList.create",
        "kb_id, KnowledgeCore{name, description, source: Text}",
        KBS,
        source_create,
    ),
    Entry(V2 + "KnowledgeList.list", "kb_id", SOURCES, source_list),
    Entry(V2 + "KnowledgeContext.fetch", "kb_id, knowledge_id", SOURCES, source_fetch),
    Entry(
        V2 + "KnowledgeContext.update",
        "kb_id, knowledge_id, KnowledgeCore{name, description}",
        SOURCES,
        source_update,
    ),
    Entry(V2 + "KnowledgeContext.delete", "kb_id, knowledge_id", SOURCES, source_delete),
]
