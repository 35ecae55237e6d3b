"""What ``verify`` found, its exit code, and the three ways it is printed (table, markdown, json).

Exit codes (``_core.kinds``): 0 every rule produced results; 2 (``EXIT_NO_RESULTS``) a rule
produced none (or only some of its operators did), or a configuration is inactive or gone; 1 an
error (a stack that could not be read, an execution Twilio refused); 3 (``EXIT_CANNOT_VERIFY``)
nothing failed, but some configuration had no recent conversation to run its rules on. The first
that applies, in that order: a rule known to produce nothing is never hidden behind an error.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .._core.kinds import EXIT_CANNOT_VERIFY, EXIT_ERROR, EXIT_NO_RESULTS, EXIT_OK
from .execute import RuleRun
from .plan import ConfigTarget

__all__ = ["FORMATS", "StackVerification", "VerifyReport", "render"]

FORMATS = ("table", "markdown", "json")
FAILED = ("none", "partial")
HEADERS = ("RULE", "CONFIGURATION", "CONVERSATION", "RESULTS", "NOTE")


@dataclass
class StackVerification:
    name: str
    error: str | None = None
    since: str | None = None  # the look-back period's start (server clock)
    timeout: float = 0.0
    targets: list[ConfigTarget] = field(default_factory=list)
    runs: list[RuleRun] = field(default_factory=list)

    def failed_rules(self) -> list[str]:
        return [f"{r.config.name}/{r.rule.name}" for r in self.runs if r.status in FAILED]

    def flagged(self) -> list[ConfigTarget]:
        return [t for t in self.targets if t.inactive or t.missing]

    def errors(self) -> list[str]:
        found = [self.error] if self.error else []
        return found + [f"{r.config.name}/{r.rule.name}" for r in self.runs if r.status == "error"]

    def unverifiable(self) -> list[str]:
        return list(dict.fromkeys(r.config.name for r in self.runs if r.status == "unverifiable"))

    def rows(self) -> list[tuple[str, str, str, str, str]]:
        rows = [_row(run, self) for run in self.runs]
        rows += [
            ("-", t.name, "-", "MISSING", "deployed, but no longer in the account")
            for t in self.targets
            if t.missing
        ]
        return rows

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "error": self.error,
            "since": self.since,
            "configurations": [
                {"name": t.name, "id": t.id, "inactive": t.inactive, "missing": t.missing}
                for t in self.targets
            ],
            "rules": [
                {
                    "configuration": r.config.name,
                    "rule": r.rule.name,
                    "ruleId": r.rule.id,
                    "conversation": r.conversation.id if r.conversation else None,
                    "status": r.status,
                    "results": len(r.result_ids),
                    "missingOperators": r.missing_operators if r.result_ids else [],
                    "error": r.error,
                }
                for r in self.runs
            ],
        }


def _row(run: RuleRun, stack: StackVerification) -> tuple[str, str, str, str, str]:
    conversation = run.conversation.id if run.conversation else "-"
    status = run.status
    count = str(len(run.result_ids))
    if status == "unverifiable":
        note = f"cannot verify: no conversation processed by it since {stack.since}"
        return (run.rule.name, run.config.name, "-", "-", note)
    if status == "error":
        return (run.rule.name, run.config.name, conversation, "ERROR", run.error or "")
    if status == "none":
        note = run.error or f"no result within {stack.timeout:g}s"
        return (run.rule.name, run.config.name, conversation, "NONE", note)
    note = f"no result from {', '.join(run.missing_operators)}" if status == "partial" else ""
    return (run.rule.name, run.config.name, conversation, count, note)


@dataclass
class VerifyReport:
    stacks: list[StackVerification] = field(default_factory=list)
    error: str | None = None  # a failure outside any one stack
    requests: int = 0

    @property
    def exit_code(self) -> int:
        if any(s.failed_rules() or s.flagged() for s in self.stacks):
            return EXIT_NO_RESULTS
        if self.error or any(s.errors() for s in self.stacks):
            return EXIT_ERROR
        if any(s.unverifiable() for s in self.stacks):
            return EXIT_CANNOT_VERIFY
        return EXIT_OK

    def verdict(self) -> str:
        code = self.exit_code
        if code == EXIT_NO_RESULTS:
            failed = [f"{s.name}: {r}" for s in self.stacks for r in s.failed_rules()]
            flagged = [f"{s.name}: {t.name}" for s in self.stacks for t in s.flagged()]
            parts = [f"rules that produced no results: {', '.join(failed)}"] if failed else []
            parts += [f"configurations inactive or gone: {', '.join(flagged)}"] if flagged else []
            return "FAILED: " + "; ".join(parts)
        if code == EXIT_ERROR:
            errors = [self.error] if self.error else []
            errors += [f"{s.name}: {e}" for s in self.stacks for e in s.errors()]
            return "ERROR: " + "; ".join(errors)
        if code == EXIT_CANNOT_VERIFY:
            names = [f"{s.name}: {n}" for s in self.stacks for n in s.unverifiable()]
            return f"CANNOT VERIFY (no recent conversation): {', '.join(names)}"
        count = sum(len(s.runs) for s in self.stacks)
        return f"OK: every rule produced results ({count} rules)"

    def as_dict(self) -> dict[str, Any]:
        return {
            "exitCode": self.exit_code,
            "verdict": self.verdict(),
            "error": self.error,
            "stacks": [s.as_dict() for s in self.stacks],
            "requests": self.requests,
        }


def _flag_lines(stack: StackVerification) -> list[str]:
    lines = []
    for target in stack.targets:
        if target.inactive:
            lines.append(
                f"{target.name} is INACTIVE ({target.inactive}): its rules "
                f"{target.rule_names or '(none)'} produce no results from conversations. "
                f"`pulumi up` after a refresh replaces it."
            )
    return lines


def _table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def _render_text(report: VerifyReport) -> str:
    out: list[str] = []
    for stack in report.stacks:
        out.append(f"stack {stack.name}")
        if stack.error:
            out.append(f"  error: {stack.error}")
        rows = stack.rows()
        if rows:
            out.append(_table([HEADERS, *rows]))
        elif not stack.error:
            out.append("  no Intelligence Configuration deployed: nothing to verify")
        out += _flag_lines(stack)
        out.append("")
    if report.error:
        out.append(f"error: {report.error}")
    out.append(f"{report.verdict()} (exit {report.exit_code})")
    return "\n".join(out) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _render_markdown(report: VerifyReport) -> str:
    out = ["### Twilio Intelligence verify", ""]
    for stack in report.stacks:
        out.append(f"#### Stack `{stack.name}`")
        out.append("")
        if stack.error:
            out += [f"Error: {_cell(stack.error)}", ""]
        rows = stack.rows()
        if rows:
            out.append("| " + " | ".join(HEADERS).lower() + " |")
            out.append("|" + "---|" * len(HEADERS))
            out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
            out.append("")
        out += [f"- {_cell(line)}" for line in _flag_lines(stack)]
    if report.error:
        out += [f"Error: {_cell(report.error)}", ""]
    out.append(f"**{_cell(report.verdict())}** (exit {report.exit_code})")
    return "\n".join(out) + "\n"


def render(report: VerifyReport, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(report.as_dict(), indent=2) + "\n"
    if fmt == "markdown":
        return _render_markdown(report)
    return _render_text(report)
