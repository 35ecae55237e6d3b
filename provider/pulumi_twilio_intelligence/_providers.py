"""Where the dynamic providers lived: kept because stacks' state records each resource's provider
by its class path (``pulumi.dynamic`` pickles ``__provider`` with dill, which stores an importable
class by reference: ``pulumi_twilio_intelligence._providers.OperatorProvider``). Existing stacks
load their providers through this module; new state records ``_pulumi.providers``."""

from ._pulumi.providers import (
    BOOKKEEPING,
    OUTPUT_ONLY,
    PROVIDER_KEY,
    ConversationConfigurationProvider,
    IntelligenceConfigurationProvider,
    MemoryStoreProvider,
    OperatorProvider,
)

__all__ = [
    "BOOKKEEPING",
    "OUTPUT_ONLY",
    "PROVIDER_KEY",
    "ConversationConfigurationProvider",
    "IntelligenceConfigurationProvider",
    "MemoryStoreProvider",
    "OperatorProvider",
]
