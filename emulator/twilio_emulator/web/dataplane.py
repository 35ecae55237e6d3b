"""Data-plane routes: Conversations v2 conversations, participants and
communications; Intelligence v3 OperatorResults and Conversations."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ..domain import ValidationFailed
from ..domain.pagination import page_size
from .bodies import read_json_object
from .common import account_of, emulator_of, json_response, no_content, page_body

__all__ = ["router"]

router = APIRouter()
_CONV = "/v2/Conversations"


def _simple_page(key: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    return {key: items, "meta": {"key": key, "pageSize": len(items)}}


# -- Conversations v2 --------------------------------------------------------------


@router.post(_CONV)
async def create_conversation(request: Request) -> Response:
    em = emulator_of(request)
    body = await read_json_object(request, em.settings.max_body_bytes)
    with em.transaction():
        doc = em.conversations.create(account_of(request), body)
    return json_response(em.conversations.render(doc), 201)


@router.get(_CONV)
async def list_conversations(request: Request) -> Response:
    em = emulator_of(request)
    q = request.query_params
    page = em.conversations.page(
        account_of(request),
        page_size(q.get("pageSize")),
        q.get("pageToken"),
        q.getlist("status"),
        q.get("channelId"),
    )
    items = [em.conversations.render(doc) for doc in page.items]
    return json_response(page_body("conversations", items, page))


@router.get(_CONV + "/{cid}")
async def fetch_conversation(request: Request) -> Response:
    em = emulator_of(request)
    return json_response(
        em.conversations.render(
            em.conversations.fetch(account_of(request), request.path_params["cid"])
        )
    )


@router.put(_CONV + "/{cid}")
@router.patch(_CONV + "/{cid}")
async def update_conversation(request: Request) -> Response:
    em = emulator_of(request)
    account, cid = account_of(request), request.path_params["cid"]
    em.conversations.fetch(account, cid)
    body = await read_json_object(request, em.settings.max_body_bytes)
    with em.transaction():
        doc = em.conversations.set_status(account, cid, body, partial=request.method == "PATCH")
    return json_response(em.conversations.render(doc))


@router.get(_CONV + "/{cid}/Participants")
async def list_participants(request: Request) -> Response:
    em = emulator_of(request)
    account, cid = account_of(request), request.path_params["cid"]
    em.conversations.fetch(account, cid)
    return json_response(_simple_page("participants", em.conversations.participants(account, cid)))


@router.post(_CONV + "/{cid}/Participants")
async def create_participant(request: Request) -> Response:
    em = emulator_of(request)
    account, cid = account_of(request), request.path_params["cid"]
    em.conversations.fetch(account, cid)
    body = await read_json_object(request, em.settings.max_body_bytes)
    with em.transaction():
        doc = em.conversations.add_participant(account, cid, body)
    return json_response(doc, 201)


@router.get(_CONV + "/{cid}/Participants/{pid}")
async def fetch_participant(request: Request) -> Response:
    em = emulator_of(request)
    p = request.path_params
    return json_response(
        em.conversations.fetch_participant(account_of(request), p["cid"], p["pid"])
    )


@router.get(_CONV + "/{cid}/Communications")
async def list_communications(request: Request) -> Response:
    em = emulator_of(request)
    account, cid = account_of(request), request.path_params["cid"]
    em.conversations.fetch(account, cid)
    items = em.conversations.communications(account, cid)
    channel_id = request.query_params.get("channelId")
    if channel_id is not None:
        items = [item for item in items if item.get("channelId") == channel_id]
    return json_response(_simple_page("communications", items))


@router.post(_CONV + "/{cid}/Communications")
async def create_communication(request: Request) -> Response:
    em = emulator_of(request)
    account, cid = account_of(request), request.path_params["cid"]
    em.conversations.fetch(account, cid)
    body = await read_json_object(request, em.settings.max_body_bytes)
    with em.transaction():
        doc = em.conversations.add_communication(account, cid, body)
    return json_response(doc, 201)


@router.get(_CONV + "/{cid}/Communications/{mid}")
async def fetch_communication(request: Request) -> Response:
    em = emulator_of(request)
    p = request.path_params
    return json_response(
        em.conversations.fetch_communication(account_of(request), p["cid"], p["mid"])
    )


# -- Intelligence v3 results and conversations ----------------------------------------


@router.get("/v3/OperatorResults")
async def list_results(request: Request) -> Response:
    em = emulator_of(request)
    q = request.query_params
    filters = {
        k: q[k] for k in ("conversationId", "intelligenceConfigurationId", "operatorId") if k in q
    }
    page = em.intelligence.results(
        account_of(request), page_size(q.get("pageSize")), q.get("pageToken"), filters
    )
    return json_response(page_body("items", page.items, page))


@router.get("/v3/OperatorResults/{rid}")
async def fetch_result(request: Request) -> Response:
    em = emulator_of(request)
    return json_response(
        em.intelligence.fetch_result(account_of(request), request.path_params["rid"])
    )


@router.delete("/v3/OperatorResults/{rid}")
async def delete_result(request: Request) -> Response:
    em = emulator_of(request)
    with em.transaction():
        em.intelligence.delete_result(account_of(request), request.path_params["rid"])
    return no_content()


def _v3_conversation(request: Request, doc: dict[str, Any], *, full: bool) -> dict[str, Any]:
    em = emulator_of(request)
    account = account_of(request)
    participants = em.conversations.participants(account, doc["id"])
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
            for c in em.conversations.communications(account, doc["id"])
        ]
    return out


@router.get("/v3/Conversations")
async def list_v3_conversations(request: Request) -> Response:
    em = emulator_of(request)
    q = request.query_params
    account = account_of(request)
    status = q.get("status")
    statuses = [] if status is None else [status]
    channels, configs, operators = (
        q.getlist("channels"),
        q.getlist("intelligenceConfigurationIds"),
        q.getlist("operatorIds"),
    )
    after, before = q.get("createdAtAfter"), q.get("createdAtBefore")

    def matches(doc: dict[str, Any]) -> bool:
        # Filters run before paging: a filtered page is full and its token goes on from it.
        item = _v3_conversation(request, doc, full=False)
        if not item["intelligenceConfigurationIds"]:
            return False  # only conversations an Intelligence Configuration processes
        if channels and not set(channels) & set(item["channels"]):
            return False
        if configs and not set(configs) & set(item["intelligenceConfigurationIds"]):
            return False
        if operators:
            ran = {
                em.intelligence.fetch_result(account, r)["operator"]["id"]
                for r in item["operatorResultIds"]
                if _exists(request, r)
            }
            if not set(operators) & ran:
                return False
        return _in_window(em, doc, after, before)

    key = "|".join(
        [",".join(channels), ",".join(configs), ",".join(operators), after or "", before or ""]
    )
    page = em.conversations.page(
        account,
        page_size(q.get("pageSize")),
        q.get("pageToken"),
        statuses,
        q.get("channelId"),
        also=matches,
        also_key=key,
    )
    items = [_v3_conversation(request, doc, full=False) for doc in page.items]
    return json_response(page_body("items", items, page))


def _exists(request: Request, result_id: str) -> bool:
    em = emulator_of(request)
    return em.store.get("operator_result", account_of(request), result_id) is not None


def _in_window(em: Any, doc: dict[str, Any], after: str | None, before: str | None) -> bool:
    from ..domain import parse_timestamp  # noqa: PLC0415 - local to this rarely used filter

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
async def fetch_v3_conversation(request: Request) -> Response:
    em = emulator_of(request)
    doc = em.conversations.fetch(account_of(request), request.path_params["cid"])
    return json_response(_v3_conversation(request, doc, full=True))
