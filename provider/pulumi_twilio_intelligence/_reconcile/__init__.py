"""The reconciling core: observe / create / update / delete per resource, independent of Pulumi."""

from ..errors import OperatorVersionNotActiveError
from .base import Created, DataHoldingReconciler, Finding, Observation, Reconciler, Updated
from .conversations import ConversationConfigurationReconciler, idempotency_key
from .data_mappings import DataMappingReconciler
from .intelligence import IntelligenceConfigurationReconciler
from .knowledge import KnowledgeBaseReconciler, KnowledgeSourceReconciler
from .memory import MemoryStoreReconciler
from .memory_objects import IdentityResolutionSettingsReconciler, TraitGroupReconciler
from .operators import OperatorReconciler

__all__ = [
    "ConversationConfigurationReconciler",
    "Created",
    "DataHoldingReconciler",
    "DataMappingReconciler",
    "Finding",
    "IdentityResolutionSettingsReconciler",
    "IntelligenceConfigurationReconciler",
    "KnowledgeBaseReconciler",
    "KnowledgeSourceReconciler",
    "MemoryStoreReconciler",
    "Observation",
    "OperatorReconciler",
    "OperatorVersionNotActiveError",
    "Reconciler",
    "TraitGroupReconciler",
    "Updated",
    "idempotency_key",
]
