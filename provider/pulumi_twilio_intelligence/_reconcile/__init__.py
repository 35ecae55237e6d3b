"""The reconciling core: observe / create / update / delete per resource, independent of Pulumi."""

from ..errors import OperatorVersionNotActiveError
from .base import Created, DataHoldingReconciler, Finding, Observation, Reconciler, Updated
from .conversations import ConversationConfigurationReconciler, idempotency_key
from .intelligence import IntelligenceConfigurationReconciler
from .knowledge import KnowledgeBaseReconciler, KnowledgeSourceReconciler
from .memory import MemoryStoreReconciler
from .operators import OperatorReconciler

__all__ = [
    "ConversationConfigurationReconciler",
    "Created",
    "DataHoldingReconciler",
    "Finding",
    "IntelligenceConfigurationReconciler",
    "KnowledgeBaseReconciler",
    "KnowledgeSourceReconciler",
    "MemoryStoreReconciler",
    "Observation",
    "OperatorReconciler",
    "OperatorVersionNotActiveError",
    "Reconciler",
    "Updated",
    "idempotency_key",
]
