"""Checking the emulator against a real account: each contract call (and each trap check) is
made once on the emulator and once on the account, and a report lists where the two answered
differently -- outcome, status codes, the fields of each answer, what each trap observed.

A run never touches what it did not create (SdkTransport refuses such writes unsent) and
deletes what it created, also when the call under test fails (``record``'s finally)."""

from __future__ import annotations

import importlib.metadata
import json
import re
import traceback
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .harness import Run
from .sdk_http import Exchange
from .sdk_surface import unknown_fields

__all__ = ["Outcome", "Row", "compare", "record", "write_report"]

_ID = re.compile(r"^[a-z]+(?:_[a-z]+)+_[0-7][0-9a-z]{25}$")


@dataclass
class Outcome:
    """What one side (emulator or live) did for one call or trap check."""

    passed: bool
    error: str = ""
    # (method, path template, status, sorted top-level fields of the answer) per exchange
    exchanges: list[tuple[str, str, int, list[str]]] = field(default_factory=list)
    observed: dict[str, Any] = field(default_factory=dict)
    cleanup_failures: list[str] = field(default_factory=list)
    leftovers: list[str] = field(default_factory=list)
    # "<method> <path template>: <field>" for each answer field the SDK does not read
    unread: list[str] = field(default_factory=list)


@dataclass
class Row:
    name: str
    emulator: Outcome
    live: Outcome
    differences: list[str]


def _template(run: Run, exchange: Exchange) -> tuple[str, str, int, list[str]]:
    segments = [
        "{" + ("name" if s in run.owned and not _ID.match(s) else "id") + "}"
        if s in run.owned or _ID.match(s)
        else s
        for s in exchange.path.split("/")
    ]
    fields = sorted(exchange.body) if isinstance(exchange.body, dict) else []
    return exchange.method, "/".join(segments), exchange.status, fields


def record(make_run: Callable[[], Run], action: Callable[[Run], dict[str, Any] | None]) -> Outcome:
    """Run ``action`` (a contract call's driver or a trap check) on a fresh run and clean up
    whatever happens; never raises."""
    run = make_run()
    outcome = Outcome(passed=False)
    try:
        outcome.observed = action(run) or {}
        outcome.passed = True
    except Exception as error:  # every failure is a finding for the report
        last = traceback.extract_tb(error.__traceback__)[-1]
        outcome.error = (
            f"{type(error).__name__}: {error} ({Path(last.filename).name}:{last.lineno})"
        )
    finally:
        outcome.cleanup_failures = run.cleanup()
        outcome.leftovers = list(run.leftovers)
        outcome.exchanges = [_template(run, exchange) for exchange in run.transport.exchanges]
        outcome.unread = sorted(
            {
                f"{e.method} {_template(run, e)[1]}: {name}"
                for e in run.transport.exchanges
                if e.status < 300
                for name in unknown_fields(e.host, e.method, e.path, e.body)
            }
        )
    return outcome


def compare(name: str, emulator: Outcome, live: Outcome) -> Row:
    differences = []
    if emulator.passed != live.passed:
        differences.append(
            f"outcome: emulator {'passed' if emulator.passed else 'failed'}, "
            f"live {'passed' if live.passed else 'failed: ' + live.error}"
        )
    by_request: dict[tuple[str, str], tuple[int, list[str]]] = {}
    for method, path, status, fields in emulator.exchanges:
        by_request.setdefault((method, path), (status, fields))
    for method, path, status, fields in live.exchanges:
        if (method, path) not in by_request:
            continue
        emulated_status, emulated_fields = by_request.pop((method, path))
        if emulated_status != status:
            differences.append(f"{method} {path}: status emulator {emulated_status}, live {status}")
        if set(emulated_fields) != set(fields):
            only_live = sorted(set(fields) - set(emulated_fields))
            only_emulator = sorted(set(emulated_fields) - set(fields))
            differences.append(
                f"{method} {path}: fields only live {only_live}, only emulator {only_emulator}"
            )
    for key in sorted(set(emulator.observed) | set(live.observed)):
        if emulator.observed.get(key) != live.observed.get(key):
            differences.append(
                f"observed {key}: emulator {emulator.observed.get(key)!r}, "
                f"live {live.observed.get(key)!r}"
            )
    if set(live.unread) - set(emulator.unread):
        differences.append(
            f"live fields the SDK does not read: {sorted(set(live.unread) - set(emulator.unread))}"
        )
    if live.cleanup_failures or live.leftovers:
        differences.append(f"live cleanup: {live.cleanup_failures + live.leftovers}")
    return Row(name, emulator, live, differences)


def write_report(path: Path, rows: Iterable[Row], skipped: dict[str, str]) -> None:
    """``path`` (markdown) and ``path`` with the suffix .json: every row, differences first."""
    rows = sorted(rows, key=lambda row: (not row.differences, row.name))
    about = {
        "sdk": f"twilio {importlib.metadata.version('twilio')}",
        "written": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    body = {"about": about, "rows": [asdict(row) for row in rows], "notRunLive": skipped}
    path.with_suffix(".json").write_text(json.dumps(body, indent=2, default=str))
    lines = [
        "# The emulator against a live Twilio account",
        "",
        f"{sum(bool(r.differences) for r in rows)} of {len(rows)} checks differ.",
        "",
        "| check | emulator | live | differences |",
        "|---|---|---|---|",
    ]
    for row in rows:
        cells = [
            row.name,
            "passed" if row.emulator.passed else "failed",
            "passed" if row.live.passed else "failed",
            "<br>".join(d.replace("|", "\\|") for d in row.differences) or "none",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    if skipped:
        lines += ["", "## Not run live", ""] + [f"- {name}: {why}" for name, why in skipped.items()]
    path.write_text("\n".join(lines) + "\n")
