"""What one run of the contract's calls needs: the SDK client on a recording transport, a
unique name prefix, a ledger of what the run created (the transport refuses writes to
anything else) and how to let an asynchronous operation progress: the emulator's clock, or
real time against a live account."""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from .sdk_http import SdkTransport, sdk_client
from .sdk_surface import static_segments

__all__ = [
    "Cleanup",
    "Entries",
    "Entry",
    "Run",
    "check_id",
    "ident_of",
    "new_prefix",
    "sleep_seconds",
]

T = TypeVar("T")
# The reference's id pattern: <prefix>_ then a lowercase ULID (first character 0-7).
_TTID = "{}_[0-7][0-9a-z]{{25}}"
_TERMINAL = frozenset({"COMPLETED", "FAILED", "CANCELED", "CANCELLED"})


def new_prefix() -> str:
    """A run prefix: letters only, so it fits every name pattern of the five APIs."""
    return "ct" + "".join(secrets.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(6))


def check_id(value: object, prefix: str) -> str:
    assert isinstance(value, str), f"expected a {prefix} id, got {value!r}"
    assert re.fullmatch(_TTID.format(prefix), value), f"{value!r} is not a {prefix} id"
    return value


def ident_of(item: Any) -> Any:
    """The id of a nested object (a rule, an operation's result): the SDK leaves it a dict
    or parses it into an instance."""
    return item["id"] if isinstance(item, dict) else item.id


@dataclass
class Cleanup:
    kind: str
    ident: str
    delete: Callable[[], object]
    # Data-plane objects the run needed (a conversation): a failure to delete one is kept in
    # Run.leftovers for the report rather than failing the control-plane call under test.
    best_effort: bool = False


@dataclass
class Run:
    """``advance(seconds)`` lets time pass: the emulator's clock, or a sleep when live."""

    account_sid: str
    auth_token: str = field(repr=False)  # never in a repr, a log or the report
    origin: str | None
    advance: Callable[[float], object]
    prefix: str = field(default_factory=new_prefix)
    owned: set[str] = field(default_factory=set)
    cleanups: list[Cleanup] = field(default_factory=list)
    leftovers: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)  # of what was created, in order
    transport: SdkTransport = field(init=False)
    client: Client = field(init=False)

    def __post_init__(self) -> None:
        self.transport = SdkTransport(self.origin, self.owned, static_segments())
        self.client = sdk_client(self.account_sid, self.auth_token, self.transport)

    @property
    def live(self) -> bool:
        return self.origin is None

    def name(self, what: str) -> str:
        """A unique name for an object of this run (letters only)."""
        return f"{self.prefix}{what}"

    def created(
        self,
        kind: str,
        ident: str,
        delete: Callable[[], object] | None,
        best_effort: bool = False,
    ) -> str:
        """Record an object this run made: writes to it are allowed from now on, and
        ``delete`` (None: the SDK offers no delete) runs at cleanup."""
        self.owned.add(ident)
        self.kinds.append(kind)
        if delete is not None:
            self.cleanups.append(Cleanup(kind, ident, delete, best_effort))
        return ident

    def deleted(self, ident: str) -> None:
        """The call under test deleted ``ident`` itself: nothing left to clean up."""
        self.cleanups = [c for c in self.cleanups if c.ident != ident]

    def status(self) -> int:
        return self.transport.last.status

    def answered(self, *statuses: int) -> Any:
        """The last answer's decoded body, after checking its status."""
        last = self.transport.last
        assert last.status in statuses, f"{last.method} {last.path}: {last.status} {last.body}"
        return last.body

    def got(self, value: T) -> T:
        """``value``, what the SDK parsed from the call just made, after checking that call
        answered 200."""
        self.answered(200)
        return value

    def until(self, fetch: Callable[[], T], done: Callable[[T], bool], what: str) -> T:
        """Fetch until ``done``, letting time pass between fetches (at most ~10 minutes)."""
        for step in (1, 1, 2, 2, 5, 5, 10, 15, 30, 30, 60, 60, 120, 120, 180):
            value = fetch()
            if done(value):
                return value
            self.advance(step)
        raise AssertionError(f"{what}: not done after the wait")

    def operation_done(self, fetch: Callable[[], Any], what: str) -> Any:
        """An operation fetched through the SDK until its status is terminal."""
        return self.until(fetch, lambda op: op.status in _TERMINAL, what)

    def settled(
        self,
        accepted: Any,
        operations: Callable[[str], Any],
        what: str,
        op_prefix: str = "proc_job",
        gone_is_done: bool = False,
    ) -> Any:
        """The operation of a 202 (its id ends the statusUrl) fetched through the SDK's
        ``operations(id).fetch`` until terminal; returns it COMPLETED (or, with
        ``gone_is_done``, FAILED with 20404: a cleanup finding its object gone)."""
        self.answered(202)
        # Creates and updates parse into an instance; the SDK's delete returns the 202's body.
        status_url = (
            accepted.get("statusUrl") if isinstance(accepted, dict) else accepted.status_url
        )
        assert status_url, f"{what}: the 202 names no statusUrl"
        op_id = check_id(status_url.rsplit("/", 1)[-1], op_prefix)
        done = self.operation_done(operations(op_id).fetch, what)
        if gone_is_done and done.status == "FAILED" and (done.error or {}).get("code") == 20404:
            return done
        assert done.status == "COMPLETED", (what, done.status, done.error)
        return done

    def listed(self, items: Any, attr: str = "id") -> set[Any]:
        """The ``attr`` of each listed instance, after checking the list answered 200."""
        self.answered(200)
        return {getattr(item, attr) for item in items}

    def cleanup(self) -> list[str]:
        """Delete what the run created, newest first; returns what could not be deleted
        (a 404 counts as deleted)."""
        failures: list[str] = []
        for item in reversed(self.cleanups):
            try:
                item.delete()
            except TwilioRestException as error:
                if error.status != 404:
                    message = f"{item.kind} {item.ident}: {error.status} {error.msg}"
                    (self.leftovers if item.best_effort else failures).append(message)
        self.cleanups.clear()
        return failures


def sleep_seconds(seconds: float) -> None:
    """Live runs only: real time passes for a real account's operations."""
    time.sleep(seconds)


@dataclass(frozen=True)
class Entry:
    """One row of the contract: the SDK call, what it is given, what must exist first, and
    the function that drives it (None: a data-plane call not driven, ``why`` says why)."""

    call: str
    args: str
    needs: tuple[str, ...]
    drive: Callable[[Run], None] | None
    why: str = ""
    # Why a live run must not make this call (it would leave something it cannot delete).
    not_live: str = ""


Driver = Callable[[Run], None]


class Entries(list[Entry]):
    """A module's rows of the contract, each declared by ``@ENTRIES.driver(...)`` on the
    function that drives its call, so that a row and its driver stand together."""

    def driver(
        self, call: str, args: str, needs: tuple[str, ...] = (), not_live: str = ""
    ) -> Callable[[Driver], Driver]:
        def declare(drive: Driver) -> Driver:
            self.append(Entry(call, args, needs, drive, not_live=not_live))
            return drive

        return declare
