"""The desired state of Knowledge v2 bases and sources (knowledge-v2.md), described once."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, StringConstraints, field_validator

from .enums import CrawlPeriod
from .fields import HttpUrl, NonEmpty, _http_url
from .spec import REPLACE, ResourceModel, Wire

__all__ = ["FILE_SOURCES_REFUSED", "KnowledgeBaseModel", "KnowledgeSourceModel"]


class KnowledgeBaseModel(ResourceModel):
    """Created asynchronously (202, operation, then ACTIVE); renamed in place (PATCH)."""

    KIND: ClassVar[str] = "KnowledgeBase"

    display_name: Annotated[
        str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-zA-Z0-9-]+$")
    ]
    description: Annotated[str, StringConstraints(min_length=1, max_length=128)] | None = None


class TextSource(Wire):
    type: Literal["Text"]
    content: Annotated[str, StringConstraints(min_length=1, max_length=185_000)]


class WebSource(Wire):
    """Twilio adds ``errors`` (crawl errors): not a field, so never a diff."""

    type: Literal["Web"]
    url: HttpUrl
    crawl_depth: Annotated[int, Field(ge=1, le=10)] = 2
    crawl_period: CrawlPeriod = "NEVER"

    @field_validator("url")
    @classmethod
    def _absolute(cls, value: str) -> str:
        return _http_url(value)


FILE_SOURCES_REFUSED = (
    "File sources are not supported: they need an upload to the importUrl Twilio answers with; "
    "use a Text source (content) or a Web source (url)"
)


class KnowledgeSourceModel(ResourceModel):
    """Created synchronously (201) then processed to COMPLETED. The source's type and a Web
    url are immutable, and the base is part of its address: changing one replaces it."""

    KIND: ClassVar[str] = "KnowledgeSource"
    NAME_FIELD: ClassVar[str] = "name"
    REPLACE_PATHS: ClassVar[tuple[str, ...]] = ("source.type", "source.url")

    knowledge_base_id: Annotated[NonEmpty, REPLACE]  # the path, not the body
    name: Annotated[str, StringConstraints(min_length=1, max_length=30)]
    description: Annotated[str, StringConstraints(max_length=1024)] | None = None
    source: Annotated[TextSource | WebSource, Field(discriminator="type")]

    @field_validator("source", mode="before")
    @classmethod
    def _no_file(cls, value: Any) -> Any:
        if isinstance(value, dict) and value.get("type") == "File":
            raise ValueError(FILE_SOURCES_REFUSED)
        return value

    def api_body(self) -> dict[str, Any]:
        """The POST / PATCH body: the base is in the path."""
        return {k: v for k, v in self.wire().items() if k != "knowledgeBaseId"}
