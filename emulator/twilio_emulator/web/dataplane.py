"""Data-plane routes: Conversations v2 conversations, participants and
communications; Intelligence v3 OperatorResults and Conversations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from ..domain import Emulator, ValidationFailed, parse_timestamp
from .common import (
    Account,
    Backend,
    JsonBody,
    Paging,
    json_response,
    no_content,
    page_body,
    write_action,
)

__all__ = ["router"]

router = APIRouter()
_CONV = "/v2/Conversations"


# Declared before the body, so that an unknown conversation answers 404 first.
async def _conversation(em: Backend, account: Account, cid: str) -> dict[str, Any]:
    return em.conversations.fetch(account, cid)


ExistingConversation = Annotated[dict[str, Any], Depends(_conversation)]


def _add_fetch_child_route(
    collection: str,
    name: str,
    fetch: Callable[[Emulator], Callable[[str, str, str], dict[str, Any]]],
) -> None:
    """``GET /v2/Conversations/{cid}/<collection>/{child_id}``: one item of an existing
    conversation, as ``fetch(em)(account, cid, child_id)`` finds it."""

    async def fetch_child(
        em: Backend, account: Account, cid: str, _: ExistingConversation, child_id: str
    ) -> Response:
        return json_response(fetch(em)(account, cid, child_id))

    path = f"{_CONV}/{{cid}}/{collection}/{{child_id}}"
    router.add_api_route(path, fetch_child, methods=["GET"], name=name)


# -- Conversations v2 --------------------------------------------------------------


@router.post(_CONV)
@write_action
def create_conversation(em: Backend, account: Account, body: JsonBody) -> Response:
    return json_response(em.conversations.render(em.conversations.create(account, body)), 201)


@router.get(_CONV)
async def list_conversations(
    request: Request, em: Backend, account: Account, paging: Paging
) -> Response:
    q = request.query_params
    page = em.conversations.page(
        account, paging.size, paging.token, q.getlist("status"), q.get("channelId")
    )
    items = [em.conversations.render(doc) for doc in page.items]
    return json_response(page_body("conversations", items, page))


@router.get(_CONV + "/{cid}")
async def fetch_conversation(em: Backend, doc: ExistingConversation) -> Response:
    return json_response(em.conversations.render(doc))


@router.put(_CONV + "/{cid}")
@router.patch(_CONV + "/{cid}")
@write_action
def update_conversation(
    request: Request,
    em: Backend,
    account: Account,
    cid: str,
    _: ExistingConversation,
    body: JsonBody,
) -> Response:
    partial = request.method == "PATCH"
    return json_response(
        em.conversations.render(em.conversations.set_status(account, cid, body, partial=partial))
    )


@router.get(_CONV + "/{cid}/Participants")
async def list_participants(
    em: Backend, account: Account, cid: str, _: ExistingConversation
) -> Response:
    return json_response(page_body("participants", em.participants.list(account, cid)))


@router.post(_CONV + "/{cid}/Participants")
@write_action
def create_participant(
    em: Backend, account: Account, conversation: ExistingConversation, body: JsonBody
) -> Response:
    return json_response(em.participants.add(account, conversation, body), 201)


_add_fetch_child_route("Participants", "fetch_participant", lambda em: em.participants.fetch)


@router.get(_CONV + "/{cid}/Communications")
async def list_communications(
    request: Request, em: Backend, account: Account, cid: str, _: ExistingConversation
) -> Response:
    items = em.communications.list(account, cid)
    channel_id = request.query_params.get("channelId")
    if channel_id is not None:
        items = [item for item in items if item.get("channelId") == channel_id]
    return json_response(page_body("communications", items))


@router.post(_CONV + "/{cid}/Communications")
@write_action
def create_communication(
    em: Backend, account: Account, cid: str, _: ExistingConversation, body: JsonBody
) -> Response:
    return json_response(em.conversations.add_communication(account, cid, body), 201)


_add_fetch_child_route("Communications", "fetch_communication", lambda em: em.communications.fetch)


# -- Intelligence v3 results and conversations ----------------------------------------


@router.get("/v3/OperatorResults")
async def list_results(request: Request, em: Backend, account: Account, paging: Paging) -> Response:
    q = request.query_params
    filters = {
        k: q[k] for k in ("conversationId", "intelligenceConfigurationId", "operatorId") if k in q
    }
    page = em.operator_results.page(account, paging.size, paging.token, filters)
    return json_response(page_body("items", page.items, page))


@router.get("/v3/OperatorResults/{rid}")
async def fetch_result(em: Backend, account: Account, rid: str) -> Response:
    return json_response(em.operator_results.fetch(account, rid))


@router.delete("/v3/OperatorResults/{rid}")
@write_action
def delete_result(em: Backend, account: Account, rid: str) -> Response:
    em.operator_results.delete(account, rid)
    return no_content()


def _v3_conversation(
    em: Emulator, account: str, doc: dict[str, Any], *, full: bool
) -> dict[str, Any]:
    participants = em.participants.list(account, doc["id"])
    out: dict[str, Any] = {
        "id": doc["id"],
        "accountId": account,
        "name": doc["name"],
        "status": doc["status"],
        "createdAt": doc["createdAt"],
        "updatedAt": doc["updatedAt"],
        "intelligenceConfigurationIds": em.conversations.linked_configurations(account, doc),
        "conversationConfigurationId": "unused"
        if em.traps.conversation_configuration_id_unused
        else doc["configurationId"],
        "channels": doc["internal"]["channels"],
        "channelIds": doc["internal"]["channelIds"],
        "participants": [
            {
                "id": p["id"],
                "name": p["name"],
                "type": p["type"],
                "addressValues": [a["address"] for a in p["addresses"]],
            }
            for p in participants
        ],
        "operatorResultIds": doc["internal"]["operatorResultIds"],
    }
    if full:
        out["communications"] = [
            {
                "id": c["id"],
                "participantId": c["author"]["participantId"],
                "content": {"text": c["content"]["text"]},
                "createdAt": c["createdAt"],
            }
            for c in em.communications.list(account, doc["id"])
        ]
    return out


@router.get("/v3/Conversations")
async def list_v3_conversations(
    request: Request, em: Backend, account: Account, paging: Paging
) -> Response:
    q = request.query_params
    status = q.get("status")
    channels, configs, operators = (
        q.getlist("channels"),
        q.getlist("intelligenceConfigurationIds"),
        q.getlist("operatorIds"),
    )
    after, before = q.get("createdAtAfter"), q.get("createdAtBefore")

    def matches(doc: dict[str, Any]) -> bool:
        # Filters run before paging: a filtered page is full and its token goes on from it.
        item = _v3_conversation(em, account, doc, full=False)
        if not item["intelligenceConfigurationIds"]:
            return False  # only conversations an Intelligence Configuration processes
        if channels and not set(channels) & set(item["channels"]):
            return False
        if configs and not set(configs) & set(item["intelligenceConfigurationIds"]):
            return False
        if operators and not set(operators) & _operators_run(em, account, item):
            return False
        return _in_window(doc, after, before)

    key = "|".join(
        [",".join(channels), ",".join(configs), ",".join(operators), after or "", before or ""]
    )
    page = em.conversations.page(
        account,
        paging.size,
        paging.token,
        [] if status is None else [status],
        q.get("channelId"),
        also=matches,
        also_key=key,
    )
    items = [_v3_conversation(em, account, doc, full=False) for doc in page.items]
    return json_response(page_body("items", items, page))


def _operators_run(em: Emulator, account: str, item: dict[str, Any]) -> set[str]:
    """Ids of the operators behind a conversation's (still existing) results."""
    return {
        result["operator"]["id"]
        for result in (em.operator_results.get(account, r) for r in item["operatorResultIds"])
        if result is not None
    }


def _in_window(doc: dict[str, Any], after: str | None, before: str | None) -> bool:
    created = parse_timestamp(doc["createdAt"])
    try:
        if after is not None and created <= parse_timestamp(after):
            return False
        if before is not None and created >= parse_timestamp(before):
            return False
    except ValueError:
        raise ValidationFailed(
            "createdAtAfter/createdAtBefore: must be RFC 3339 date-times"
        ) from None
    return True


@router.get("/v3/Conversations/{cid}")
async def fetch_v3_conversation(
    em: Backend, account: Account, doc: ExistingConversation
) -> Response:
    return json_response(_v3_conversation(em, account, doc, full=True))
