"""The whole emulated world: accounts, resources, clock and switches.

This facade wires the domain services together and owns what spans them:
resetting, ticking the clock (which completes due operations), and keeping
traps, settings and the clock offset in the store so they survive a restart.
It knows nothing about HTTP.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

from ..defaults import (
    DEFAULT_ACCOUNT_SID,
    DEFAULT_API_KEY_SECRET,
    DEFAULT_API_KEY_SID,
    DEFAULT_AUTH_TOKEN,
)
from ..store import DocumentStore
from .accounts import AccountCredentials, Accounts
from .clock import Clock
from .communications import CommunicationService
from .conversation_configs import ConversationConfigService
from .conversations import ConversationService
from .data_mappings import DataMappingService
from .errors import NotFound
from .idempotency import IdempotencyStore
from .identity_resolution import IdentityResolutionService
from .ids import IdGenerator
from .insights import InsightsQueries
from .insights_jobs import QueryJobs
from .insights_mappings import CustomFieldMappings
from .intelligence_configs import ConfigurationService
from .intelligence_runtime import IntelligenceRuntime
from .knowledge_bases import KnowledgeBaseService
from .knowledge_search import KnowledgeSearch
from .knowledge_sources import KnowledgeSourceService
from .memory_stores import MemoryStoreService
from .operations import Operations
from .operator_results import OperatorResults
from .operators import OperatorService
from .participants import ParticipantService
from .rule_executions import RuleExecutions
from .runtime import Runtime
from .settings import Settings, Traps
from .trait_groups import TraitGroupService

__all__ = ["Emulator"]

PartT = TypeVar("PartT")


class _RuntimePart(Generic[PartT]):
    """Read-only access to the runtime part of the same name: ``em.store`` is
    ``em.rt.store``, so callers need not know the runtime exists."""

    def __set_name__(self, owner: type[Emulator], name: str) -> None:
        self.name = name

    def __get__(self, em: Emulator, owner: type[Emulator] | None = None) -> PartT:
        part: PartT = getattr(em.rt, self.name)
        return part


class Emulator:
    def __init__(
        self,
        state_file: str | None = None,
        *,
        account_sid: str = DEFAULT_ACCOUNT_SID,
        auth_token: str = DEFAULT_AUTH_TOKEN,
        time_source: Callable[[], float] = time.time,
    ) -> None:
        self.default_credentials = AccountCredentials(
            account_sid, auth_token, DEFAULT_API_KEY_SID, DEFAULT_API_KEY_SECRET
        )
        self.rt = _runtime(DocumentStore(state_file), time_source)
        self.accounts = Accounts(self.rt)
        self.operators = OperatorService(self.rt)
        self.operations = Operations(self.rt)
        self.idempotency = IdempotencyStore(self.rt)
        self._wire_knowledge_and_intelligence()
        self._wire_memory()
        self._wire_conversations()
        self._wire_insights()
        # What the clock wakes up, by document kind (see DocumentStore.due).
        self._due_handlers: dict[str, Callable[[str, dict[str, Any]], None]] = {
            "operation": self.operations.on_due,
            "conversation": self.conversations.on_due,
        }
        with self.transaction():
            self._ensure_default_account()

    # -- wiring: each service after the ones it is given ---------------------------------

    def _wire_knowledge_and_intelligence(self) -> None:
        self.knowledge_bases = KnowledgeBaseService(self.rt, self.operations)
        self.knowledge_sources = KnowledgeSourceService(self.rt, self.knowledge_bases)
        self.knowledge_search = KnowledgeSearch(self.knowledge_sources)
        self.configurations = ConfigurationService(
            self.rt, self.operators, knowledge=self.knowledge_sources
        )
        self.intelligence = IntelligenceRuntime(
            self.rt, self.configurations, self.operators, knowledge=self.knowledge_sources
        )
        self.operator_results = OperatorResults(self.rt)

    def _wire_memory(self) -> None:
        self.memory_stores = MemoryStoreService(self.rt, self.operations)
        self.identity_resolution = IdentityResolutionService(
            self.rt, self.operations, self.memory_stores
        )
        self.trait_groups = TraitGroupService(
            self.rt, self.operations, self.memory_stores, self.identity_resolution
        )
        self.data_mappings = DataMappingService(
            self.rt, self.operations, self.memory_stores, self.trait_groups
        )

    def _wire_conversations(self) -> None:
        """Needs the intelligence runtime (conversations run their configurations' rules)."""
        self.conversation_configs = ConversationConfigService(self.rt, self.operations)
        self.participants = ParticipantService(self.rt, self.conversation_configs)
        self.communications = CommunicationService(self.rt, self.participants)
        self.conversations = ConversationService(
            self.rt,
            self.conversation_configs,
            self.intelligence,
            self.participants,
            self.communications,
        )
        self.rule_executions = RuleExecutions(
            self.configurations, self.intelligence, self.conversations, self.conversation_configs
        )

    def _wire_insights(self) -> None:
        self.insights_mappings = CustomFieldMappings(
            self.rt, lambda account, op_id: self.intelligence.resolve(account, {"id": op_id})
        )
        self.insights = InsightsQueries(self.rt, self.insights_mappings)
        self.insights_jobs = QueryJobs(self.rt, self.insights)

    # -- plumbing --------------------------------------------------------------------

    store = _RuntimePart[DocumentStore]()
    clock = _RuntimePart[Clock]()
    traps = _RuntimePart[Traps]()
    settings = _RuntimePart[Settings]()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self.rt.store.transaction():
            yield

    def close(self) -> None:
        self.rt.store.close()

    def tick(self) -> int:
        """Bring time-driven state up to the clock's now, oldest deadline first."""
        now = self.rt.now()
        handled = 0
        for kind, handler in self._due_handlers.items():
            if self.rt.store.nothing_due(kind, now):
                continue
            with self.transaction():
                for account, _, doc in self.rt.store.due(kind, now):
                    handler(account, doc)
                    handled += 1
        return handled

    def advance_clock(self, seconds: float) -> float:
        now = self.rt.clock.advance(seconds)
        self.rt.store.set_meta("clock_offset", self.rt.clock.offset)
        self.tick()
        return now

    # -- accounts ---------------------------------------------------------------------

    def create_account(self, **credentials: str | None) -> AccountCredentials:
        with self.transaction():
            created = self.accounts.create(**credentials)
            self.operators.seed_twilio_operators(created.account_sid)
        return created

    def authenticate(self, username: str, password: str) -> str | None:
        return self.accounts.authenticate(username, password)

    def _ensure_default_account(self) -> None:
        creds = self.default_credentials
        if not self.accounts.exists(creds.account_sid):
            self.accounts.create(
                creds.account_sid, creds.auth_token, creds.api_key_sid, creds.api_key_secret
            )
            self.operators.seed_twilio_operators(creds.account_sid)

    # -- reset and switches ------------------------------------------------------------

    def reset(self, account: str | None = None) -> None:
        """Everything back to a fresh start, or one account's resources only."""
        with self.transaction():
            if account is None:
                self.rt.store.clear()
                self.rt.clock.reset()
                self.rt.traps = Traps()
                self.rt.settings = Settings()
                self._ensure_default_account()
                return
            if not self.accounts.exists(account):
                raise NotFound(f"Account {account} not found")
            self.rt.store.clear(account)
            self.operators.seed_twilio_operators(account)

    def set_traps(self, values: dict[str, Any]) -> dict[str, Any]:
        self.rt.traps.update(values)
        self.rt.store.set_meta("traps", self.rt.traps.as_dict())
        return self.rt.traps.as_dict()

    def set_settings(self, values: dict[str, Any]) -> dict[str, Any]:
        self.rt.settings.update(values)
        self.rt.store.set_meta("settings", self.rt.settings.as_dict())
        return self.rt.settings.as_dict()


def _runtime(store: DocumentStore, time_source: Callable[[], float]) -> Runtime:
    """The runtime over ``store``, with the clock offset, traps and settings it kept."""
    clock = Clock(float(store.get_meta("clock_offset") or 0.0), time_source)
    traps, settings = Traps(), Settings()
    _restore(traps, store.get_meta("traps"))
    _restore(settings, store.get_meta("settings"))
    return Runtime(store, clock, IdGenerator(clock.now), traps, settings)


def _restore(target: Traps | Settings, saved: Any) -> None:
    """Re-apply persisted switches, skipping any this version no longer knows."""
    if isinstance(saved, dict):
        for name, value in saved.items():
            try:
                target.update({name: value})
            except ValueError:
                continue
