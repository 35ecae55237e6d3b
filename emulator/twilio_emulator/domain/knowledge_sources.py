"""Knowledge sources (Knowledge v2, knowledge-v2.md §3).

Writes are synchronous (201/200/202/204); processing then runs on the emulator
clock: ``QUEUED`` for the first half of ``knowledge_processing_seconds``,
``PROCESSING`` for the second, then ``COMPLETED``. A File source stays ``SCHEDULED``
until its bytes are PUT to its ``importUrl`` (an unauthenticated emulator URL,
:meth:`KnowledgeSourceService.upload`). Status is derived from the clock, so
nothing needs waking up.
"""

from __future__ import annotations

import secrets
from typing import Any

from .checks import Checker, join
from .clock import stage
from .collection import ChildCollection
from .errors import Forbidden, ValidationFailed
from .ids import ttid_pattern
from .knowledge_bases import KnowledgeBaseService
from .pagination import Page, paginate
from .runtime import Runtime

__all__ = [
    "KNOWLEDGE_SOURCE_ID",
    "MAX_FILE_BYTES",
    "UPLOAD_PREFIX",
    "KnowledgeSourceService",
]

KNOWLEDGE_SOURCE_ID = ttid_pattern("know_knowledge")
MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_TEXT_CHARS = 185000  # K1 (the newer skill's 1,048,576 is UNCERTAIN, E12)
# Where importUrls point: under the control prefix, which Twilio auth does not guard.
UPLOAD_PREFIX = "/__emulator__/uploads/knowledge"
MIME_TYPES = (
    "text/csv",
    "text/markdown",
    "application/pdf",
    "text/tab-separated-values",
    "text/plain",
)
CRAWL_PERIODS = ("WEEKLY", "BIWEEKLY", "MONTHLY", "NEVER")
_KIND = "knowledge_source"
_SOURCE_KEYS = {
    "Text": ("type", "content"),
    "Web": ("type", "url", "crawlDepth", "crawlPeriod", "errors"),
    "File": ("type", "fileName", "fileSize", "mimeType", "importUrl", "uploadExpiration"),
}


class KnowledgeSourceService(ChildCollection):
    kind = _KIND
    noun = "Knowledge"

    def __init__(self, rt: Runtime, bases: KnowledgeBaseService) -> None:
        super().__init__(rt)
        self.bases = bases
        bases.on_delete.append(self._delete_all)

    # -- reads -----------------------------------------------------------------------

    def fetch_source(self, account: str, kb_id: str, source_id: str) -> dict[str, Any]:
        self.bases.fetch(account, kb_id)
        if KNOWLEDGE_SOURCE_ID.fullmatch(source_id) is None:
            raise ValidationFailed(f'knowledgeId: must match "^{KNOWLEDGE_SOURCE_ID.pattern}$"')
        return self.fetch(account, kb_id, source_id)

    def page(self, account: str, kb_id: str, size: int, token: str | None) -> Page:
        self.bases.fetch(account, kb_id)
        return paginate(
            self.rt.store,
            _KIND,
            account,
            list_name=f"knowledge:{kb_id}",
            size=size,
            token=token,
            prefix=f"{kb_id}/",
        )

    def status(self, doc: dict[str, Any]) -> str:
        if doc.get("failed"):
            return "FAILED"
        if doc["queuedAt"] is None:
            return "SCHEDULED"
        elapsed = self.rt.now() - float(doc["queuedAt"])
        span = self.rt.settings.knowledge_processing_seconds
        return stage(elapsed, span, ("QUEUED", "PROCESSING", "COMPLETED"))

    def completed_at(self, doc: dict[str, Any]) -> float:
        return float(doc["queuedAt"]) + self.rt.settings.knowledge_processing_seconds

    def render(self, doc: dict[str, Any], base_url: str) -> dict[str, Any]:
        out: dict[str, Any] = {"id": doc["id"], "name": doc["name"]}
        if "description" in doc:
            out["description"] = doc["description"]
        source = dict(doc["source"])
        if source["type"] == "File":
            source["importUrl"] = base_url + self.upload_path(doc)
            source["uploadExpiration"] = self.rt.timestamp(doc["uploadExpiresAt"])
        out["source"] = source
        out["status"] = self.status(doc)
        out["createdAt"] = self.rt.timestamp(doc["createdAt"])
        out["updatedAt"] = self.rt.timestamp(doc["updatedAt"])
        return out

    def upload_path(self, doc: dict[str, Any]) -> str:
        return (
            f"{UPLOAD_PREFIX}/{doc['accountId']}/{doc['kbId']}/{doc['id']}"
            f"?signature={doc['uploadToken']}"
        )

    def completed_text_sources(self, account: str, kb_id: str) -> list[dict[str, Any]]:
        """A base's COMPLETED Text sources (what Intelligence operators can use, §3.4)."""
        return [
            doc
            for doc in self.list(account, kb_id)
            if doc["source"]["type"] == "Text" and self.status(doc) == "COMPLETED"
        ]

    # -- writes ----------------------------------------------------------------------

    def create(self, account: str, kb_id: str, body: dict[str, Any]) -> dict[str, Any]:
        base = self.bases.fetch(account, kb_id)
        status = self.bases.status(account, base)
        if status != "ACTIVE":
            raise ValidationFailed(f"Knowledge Base {kb_id} is {status}; sources need it ACTIVE")
        c = Checker()
        fields = _core_fields(c, body, create=True)
        source = _source(c, body.get("source"), "source", partial=False)
        c.raise_if_failed()
        limit = self.rt.settings.knowledge_sources_per_base
        if len(self.list(account, kb_id)) >= limit:
            raise ValidationFailed(f"A Knowledge Base can have at most {limit} sources")
        now = self.rt.now()
        doc: dict[str, Any] = {
            "id": self.rt.ids.new("know_knowledge"),
            "accountId": account,
            "kbId": kb_id,
            **fields,
            "source": source,
            "createdAt": now,
            "updatedAt": now,
            "queuedAt": None if source["type"] == "File" else now,
        }
        if source["type"] == "File":
            doc["uploadToken"] = secrets.token_urlsafe(24)
            doc["uploadExpiresAt"] = now + self.rt.settings.knowledge_upload_expiry_seconds
        self._put(account, kb_id, doc)
        return doc

    def update(
        self, account: str, kb_id: str, source_id: str, body: dict[str, Any], *, refresh: bool
    ) -> tuple[dict[str, Any], bool]:
        """Apply a PATCH; returns the source and whether processing was re-queued (202)."""
        doc = self.fetch_source(account, kb_id, source_id)
        c = Checker()
        fields = _core_fields(c, body, create=False)
        changed_source: dict[str, Any] = {}
        if body.get("source") is not None:
            changed_source = _source(c, body["source"], "source", partial=True)
            if changed_source:
                changed_source = _merge_source(c, doc["source"], changed_source)
        c.raise_if_failed()
        requeue = refresh or bool(changed_source and changed_source != doc["source"])
        doc.update(fields)
        if changed_source:
            doc["source"] = changed_source
        status = self.status(doc)
        if requeue and status not in ("QUEUED", "PROCESSING", "SCHEDULED"):
            doc["queuedAt"] = self.rt.now()
            doc["failed"] = False
        doc["updatedAt"] = self.rt.now()
        self._put(account, kb_id, doc)
        return doc, requeue

    def delete(self, account: str, kb_id: str, source_id: str) -> None:
        self.fetch_source(account, kb_id, source_id)
        self.rt.store.delete(_KIND, account, f"{kb_id}/{source_id}")

    def upload(
        self, account: str, kb_id: str, source_id: str, signature: str | None, data: bytes
    ) -> None:
        """The PUT to a File source's importUrl (a presigned URL: no Twilio auth)."""
        doc = self.rt.store.get(_KIND, account, f"{kb_id}/{source_id}")
        if doc is None or doc["source"]["type"] != "File":
            raise Forbidden("No upload is expected at this URL")
        if not signature or not secrets.compare_digest(signature, doc["uploadToken"]):
            raise Forbidden("The request signature does not match")
        if self.rt.now() > float(doc["uploadExpiresAt"]):
            raise Forbidden("The upload URL has expired")
        if len(data) > MAX_FILE_BYTES:
            raise ValidationFailed(f"Files may be at most {MAX_FILE_BYTES} bytes")
        doc["fileText"] = data.decode("utf-8", "replace")
        # A file that is not what was announced fails processing, as a corrupt upload would.
        doc["failed"] = len(data) != doc["source"]["fileSize"]
        doc["queuedAt"] = self.rt.now()
        doc["updatedAt"] = self.rt.now()
        self._put(account, kb_id, doc)

    def _delete_all(self, account: str, kb_id: str) -> None:
        for doc in self.list(account, kb_id):
            self.rt.store.delete(_KIND, account, f"{kb_id}/{doc['id']}")


def _core_fields(c: Checker, body: dict[str, Any], *, create: bool) -> dict[str, Any]:
    """``name`` (required on create; E13: a PATCH may omit it) and ``description``."""
    out: dict[str, Any] = {}
    name = c.get(body, "name", "", required=create)
    if name is None and not create and "name" in body:
        c.fail("name", "must not be null")
    if name is not None and c.string(name, "name", max_len=30) is not None:
        out["name"] = name
    description = body.get("description")
    if description is not None and c.string(description, "description", max_len=1024):
        out["description"] = description
    return out


def _source(c: Checker, value: Any, path: str, *, partial: bool) -> dict[str, Any]:
    """One KnowledgeSourceTypes variant, normalised (server keys dropped). On create
    (``partial`` False) the variant's required keys must be there and defaults are filled;
    a PATCH may send only the keys it changes (besides ``type``). Empty when it failed."""
    if value is None:
        c.fail(path, "must not be null")
        return {}
    obj = c.object(value, path)
    if obj is None:
        return {}
    kind = c.get(obj, "type", path, required=True)
    if kind is None or c.string(kind, join(path, "type"), enum=tuple(_SOURCE_KEYS)) is None:
        return {}
    for key in obj:
        if key not in _SOURCE_KEYS[kind]:
            c.fail(join(path, key), f"unknown field for a {kind} source")
    out: dict[str, Any] = {"type": kind}
    need = not partial
    if kind == "Text":
        content = c.get(obj, "content", path, required=need)
        if content is not None and c.string(content, join(path, "content"), max_len=MAX_TEXT_CHARS):
            out["content"] = content
    elif kind == "Web":
        url = c.get(obj, "url", path, required=need)
        if url is not None and c.uri(url, join(path, "url")) is not None:
            out["url"] = url
        depth = obj.get("crawlDepth", None if partial else 2)
        if depth is not None and c.integer(depth, join(path, "crawlDepth"), minimum=1, maximum=10):
            out["crawlDepth"] = depth
        period = obj.get("crawlPeriod", None if partial else "NEVER")
        if period is not None and c.string(period, join(path, "crawlPeriod"), enum=CRAWL_PERIODS):
            out["crawlPeriod"] = period
    else:
        _file_fields(c, obj, path, out, need)
    return out


def _file_fields(
    c: Checker, obj: dict[str, Any], path: str, out: dict[str, Any], need: bool
) -> None:
    name = c.get(obj, "fileName", path, required=need)
    if name is not None and c.string(name, join(path, "fileName"), min_len=1, max_len=256):
        out["fileName"] = name
    size = c.get(obj, "fileSize", path, required=need)
    if size is not None and c.integer(
        size, join(path, "fileSize"), minimum=1, maximum=MAX_FILE_BYTES
    ):
        out["fileSize"] = size
    mime = c.get(obj, "mimeType", path, required=need)
    if mime is not None and c.string(mime, join(path, "mimeType"), enum=MIME_TYPES):
        out["mimeType"] = mime


def _merge_source(c: Checker, current: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """A PATCHed source: the type and a Web url are immutable (§3.2), and so is a File (a
    new file means a new source); crawl settings and Text content may change."""
    if new["type"] != current["type"]:
        c.fail("source.type", "cannot be changed (create a new source instead)")
        return current
    if new["type"] == "Web" and new.get("url", current["url"]) != current["url"]:
        c.fail("source.url", "cannot be changed (create a new source instead)")
        return current
    merged = {**current, **new}
    if new["type"] == "File" and merged != current:
        c.fail("source", "a File source cannot be changed (upload a new source instead)")
        return current
    return merged
