"""The provider's TwilioApi on the emulator over real HTTP, and readers of what the emulator
recorded: shared by the reconciler tests (Intelligence, Conversations, Memory, Knowledge)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_twilio_intelligence._reconcile.base import Created
from pulumi_twilio_intelligence._twilio.api import PollPolicy, TwilioApi
from pulumi_twilio_intelligence._twilio.http import Credentials, HttpClient, RetryPolicy, base_urls
from twilio_emulator.testing import EmulatorHandle

__all__ = ["created_after_a_lost_answer", "emulated_api", "header", "writes"]


def emulated_api(emulator: EmulatorHandle) -> Iterator[TwilioApi]:
    """For a fixture to ``yield from``: quick retries and polls, so that retrying and polling
    are exercised without slowing the suite; the HTTP client is closed after the test."""
    http = HttpClient(
        Credentials(emulator.account_sid, emulator.auth_token),
        base_urls({}, {"TWILIO_BASE_URL": emulator.url}),
        retry=RetryPolicy(base_delay=0.001, max_delay=0.01),
    )
    yield TwilioApi(http, PollPolicy(timeout=10.0, min_interval=0.01, max_interval=0.05))
    http.close()


def writes(emulator: EmulatorHandle, since: int = 0) -> list[tuple[str, str]]:
    return [
        (r["method"], r["path"])
        for r in emulator.requests(since=since)
        if r["method"] in ("POST", "PUT", "PATCH", "DELETE")
    ]


def header(entry: dict[str, Any], name: str) -> str | None:
    headers = {k.lower(): v for k, v in (entry.get("headers") or {}).items()}
    value = headers.get(name.lower())
    return None if value is None else str(value)


def created_after_a_lost_answer(
    emulator: EmulatorHandle, rec: Any, desired: Any, collection: str
) -> Created:
    """A create whose POST to ``collection`` (a path regex) went through but whose answer was
    lost: the reconciler must find and adopt what it made."""
    emulator.inject_fault("drop_response", method="POST", path=collection, count=1)
    created: Created = rec.create(desired)
    assert created.adopted is True
    return created
