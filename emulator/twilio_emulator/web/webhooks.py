"""Delivers WEBHOOK actions: POSTs each OperatorResult to the rule's URL.

Runs as a background task of the server, over real HTTP. A delivery that fails
(connection error or a non-2xx answer) is retried with exponential backoff on
the emulator clock (1, 2, 4, 8 s), five attempts in all. The payload is the
OperatorResult JSON, an assumption: no source documents it.
"""

from __future__ import annotations

import asyncio
import logging

import httpx

from ..domain import Emulator
from ..domain.intelligence_runtime import WEBHOOK_KIND

__all__ = ["MAX_ATTEMPTS", "deliver_due_webhooks", "webhook_worker"]

MAX_ATTEMPTS = 5
_log = logging.getLogger("twilio_emulator")


async def deliver_due_webhooks(emulator: Emulator, client: httpx.AsyncClient) -> int:
    """Attempt every delivery whose time has come; returns how many succeeded."""
    sent = 0
    now = emulator.clock.now()
    if emulator.store.nothing_due(WEBHOOK_KIND, now):
        return 0
    for account, hook_id, hook in emulator.store.due(WEBHOOK_KIND, now):
        result = emulator.operator_results.get(account, hook["resultId"])
        hook["attempts"] += 1
        due_at: float | None = None
        if result is None:
            hook.update(state="FAILED", lastError="the result was deleted before delivery")
        else:
            try:
                response = await client.post(
                    hook["url"], json=result, headers={"User-Agent": "twilio-emulator"}
                )
                response.raise_for_status()
            except httpx.HTTPError as exc:
                retry = hook["attempts"] < MAX_ATTEMPTS
                hook.update(state="RETRYING" if retry else "FAILED", lastError=str(exc)[:500])
                if retry:
                    due_at = emulator.clock.now() + 2 ** (hook["attempts"] - 1)
            else:
                hook.update(state="DELIVERED", status=response.status_code)
                sent += 1
        with emulator.transaction():
            emulator.store.put(WEBHOOK_KIND, account, hook_id, hook, due=due_at)
    return sent


async def webhook_worker(emulator: Emulator, period: float = 0.05) -> None:
    async with httpx.AsyncClient(timeout=5.0) as client:
        while True:
            await asyncio.sleep(period)
            try:
                await deliver_due_webhooks(emulator, client)
            except Exception:
                _log.exception("webhook delivery failed")
