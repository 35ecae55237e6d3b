"""The 202 answer and the operation-status body shared by Memory v1 and Knowledge v2
(``OperationStatus``, async-operation.json ``memoryV1OperationStatus``; Knowledge's is the
same shape)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..domain import Emulator
from .common import OperationShape, base_url, json_response

__all__ = ["accepted", "twilio_operation_shape"]


def accepted(
    request: Request, em: Emulator, op: dict[str, Any], message: str, operations: str
) -> Response:
    """The 202 of an async write: ``{message, statusUrl}`` and the operation headers."""
    url = f"{base_url(request)}{operations}/{op['id']}"
    headers = {
        "Operation-Id": op["id"],
        "Location": url,
        "Retry-After": str(em.settings.retry_after_seconds),
    }
    return json_response({"message": message, "statusUrl": url}, 202, headers)


def twilio_operation_shape(operations: str, resources: str) -> OperationShape:
    """The shape of an API whose operations live under ``operations`` and whose result ids
    are resources under ``resources`` (for ``resultUrl``)."""

    def shape(
        request: Request, em: Emulator, op: dict[str, Any], status: str, problem: dict[str, str]
    ) -> tuple[dict[str, Any], dict[str, str] | None]:
        url = f"{base_url(request)}{operations}/{op['id']}"
        body: dict[str, Any] = {
            "operationId": op["id"],
            "status": status,
            "createdAt": em.rt.timestamp(op["createdAt"]),
            "statusUrl": url,
        }
        if status in ("COMPLETED", "FAILED"):
            body["completedAt"] = em.rt.timestamp(op["completedAt"])
        if status == "COMPLETED":
            body["result"] = {"type": "RESOURCE_ID", "id": op["target"]}
            if not op["type"].endswith("-delete"):  # a deleted resource has no URL left
                body["resultUrl"] = f"{base_url(request)}{resources}/{op['target']}"
        if status == "FAILED":
            body["error"] = {
                "type": problem["type"],
                "title": problem["title"][:128],
                "code": op["error"]["code"],
                "detail": str(op["error"]["detail"])[:1024],
            }
        headers = {"Operation-Id": op["id"], "Retry-After": str(em.settings.retry_after_seconds)}
        return body, headers

    return shape
