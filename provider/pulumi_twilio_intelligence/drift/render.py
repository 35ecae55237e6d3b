"""Print a report: a table for people, JSON for machines, Markdown for a pull-request comment.

Values in a report are already masked (``mask``); these functions only lay them out.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from .report import ObjectReport, Report, StackReport

__all__ = ["FORMATS", "render"]

VALUE_WIDTH = 60
_ICONS = {"in-sync": "✅", "drift": "❌", "error": "💥", "warning": "⚠️"}


def _value(value: Any, width: int = VALUE_WIDTH) -> str:
    text = "absent" if value is None else json.dumps(value, separators=(",", ":"), default=str)
    return text if len(text) <= width else text[: width - 1] + "…"


def _details(obj: ObjectReport) -> list[str]:
    lines = [i.message for i in obj.issues if i.kind != "modified"]
    lines += [f"{c.path}: desired {_value(c.desired)}, live {_value(c.live)}" for c in obj.changes]
    if obj.origin:
        lines.append(f"origin: {obj.origin}")
    if obj.health and (obj.health.last_result_at or obj.health.error):
        last = obj.health.last_result_at or "none"
        lines.append(
            f"last result: {last}" + (f" ({obj.health.error})" if obj.health.error else "")
        )
    return lines


def _summary(report: Report) -> str:
    c = report.counts()
    return (
        f"{c['objects']} objects in {c['stacks']} stacks: {c['inSync']} in sync, "
        f"{c['drifted']} drifted, {c['warnings']} with warnings; {c['unmanaged']} unmanaged; "
        f"{report.requests.get('total', 0)} API requests"
    )


def _undeployed(stack: StackReport) -> str:
    """One line for a stack never deployed, instead of one row per object."""
    if stack.deployed or stack.error or any(o.status != "not-deployed" for o in stack.objects):
        return ""
    return (
        f"not deployed: {len(stack.objects)} objects declared; fix: pulumi up --stack {stack.name}"
    )


# --- table ---------------------------------------------------------------------------------
def _table(rows: Sequence[Sequence[str]], indent: str = "  ") -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    out = []
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        out.append((indent + "  ".join([*cells, row[-1]])).rstrip())
    return out


def _object_rows(obj: ObjectReport) -> list[list[str]]:
    details = _details(obj)
    if obj.remediation:
        details.append(f"fix: {obj.remediation}")
    first = details[0] if details else ""
    rows = [[obj.status, obj.kind, obj.name, first]]
    rows += [["", "", "", line] for line in details[1:]]
    return rows


def render_table(report: Report) -> str:
    out = [f"Drift: {report.status.upper()} (exit {report.exit_code})"]
    if report.error:
        out.append(f"error: {report.error}")
    for stack in report.stacks:
        out += ["", f"Stack {stack.name} ({stack.desired_state or '?'}): {stack.status}"]
        if stack.error:
            out += [f"  error: {line}" for line in stack.error.splitlines()]
        if _undeployed(stack):
            out.append(f"  {_undeployed(stack)}")
            continue
        rows = [["STATUS", "KIND", "NAME", "DETAIL"]]
        for obj in stack.objects:
            rows += _object_rows(obj)
        if len(rows) > 1:
            out += _table(rows)
    if report.unmanaged:
        out += ["", "Unmanaged objects (no stack manages them):"]
        rows = [["KIND", "ID", "DISPLAY NAME", "FIX"]]
        rows += [[u.kind, u.id, u.display_name or "", u.remediation] for u in report.unmanaged]
        out += _table(rows)
    out += ["", _summary(report)]
    return "\n".join(out) + "\n"


# --- markdown ------------------------------------------------------------------------------
def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")


def _code(text: str) -> str:
    return f"`{text}`" if text else ""


def _stack_section(stack: StackReport) -> list[str]:
    out = ["", f"#### `{stack.name}`: {_ICONS.get(stack.status, '')} {stack.status}"]
    if stack.desired_state:
        out.append(f"Desired state: `{stack.desired_state}`")
    if stack.error:
        out += ["", "```", stack.error, "```"]
        return out
    if _undeployed(stack):
        return [*out, "", _cell(_undeployed(stack))]
    shown = [o for o in stack.objects if o.severity != "ok"]
    in_sync = len(stack.objects) - len(shown)
    if shown:
        out += ["", "| Kind | Name | Status | Details | Remediation |", "|---|---|---|---|---|"]
        for obj in shown:
            icon = _ICONS["drift"] if obj.severity == "error" else _ICONS["warning"]
            details = "<br>".join(_cell(line) for line in _details(obj))
            fix = _cell(_code(obj.remediation or ""))
            out.append(f"| {obj.kind} | `{obj.name}` | {icon} {obj.status} | {details} | {fix} |")
    out += ["", f"{in_sync} of {len(stack.objects)} objects in sync."]
    return out


def render_markdown(report: Report) -> str:
    icon = _ICONS.get(report.status, "")
    out = [f"### Twilio Intelligence drift: {icon} {report.status} (exit {report.exit_code})"]
    if report.error:
        out += ["", f"Error: {_cell(report.error)}"]
    if report.stacks:
        out += [
            "",
            "| Stack | Status | Objects | In sync | Drifted | Warnings |",
            "|---|---|---:|---:|---:|---:|",
        ]
        for s in report.stacks:
            counts = [len(s.objects)] + [
                sum(o.severity == sev for o in s.objects) for sev in ("ok", "error", "warning")
            ]
            cells = " | ".join(str(c) for c in counts)
            out.append(f"| `{s.name}` | {_ICONS.get(s.status, '')} {s.status} | {cells} |")
    for stack in report.stacks:
        out += _stack_section(stack)
    if report.unmanaged:
        out += [
            "",
            "#### Unmanaged objects",
            "",
            "| Kind | Id | Display name | Remediation |",
            "|---|---|---|---|",
        ]
        out += [
            f"| {u.kind} | `{u.id}` | {_cell(u.display_name or '')} | {_cell(u.remediation)} |"
            for u in report.unmanaged
        ]
    out += ["", f"<sub>{_summary(report)}</sub>"]
    return "\n".join(out) + "\n"


def render_json(report: Report) -> str:
    return json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n"


FORMATS: dict[str, Callable[[Report], str]] = {
    "table": render_table,
    "json": render_json,
    "markdown": render_markdown,
}


def render(report: Report, fmt: str) -> str:
    return FORMATS[fmt](report)
