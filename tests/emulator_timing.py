"""How long the emulator's asynchronous work takes, set the same way by the tests that drive
the provider against it (unit reconcilers, e2e fault cycles)."""

from __future__ import annotations

from twilio_emulator.testing import EmulatorHandle

__all__ = ["ASYNC_STEPS", "every_async_step_takes"]

# Every wait the emulator models: operations, provisioning of stores and knowledge bases, and
# the processing of knowledge sources.
ASYNC_STEPS = (
    "operation_delay_seconds",
    "store_provisioning_seconds",
    "knowledge_base_provisioning_seconds",
    "knowledge_processing_seconds",
)


def every_async_step_takes(emulator: EmulatorHandle, seconds: float) -> None:
    """Each asynchronous step takes ``seconds`` of emulator time and a 202 asks for no wait
    (Retry-After 0), so a test's requests do not depend on how fast the machine is."""
    emulator.set_settings(**dict.fromkeys(ASYNC_STEPS, seconds), retry_after_seconds=0)
