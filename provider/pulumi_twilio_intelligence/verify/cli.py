"""``twilio-intelligence verify``: its arguments and how its report reaches the terminal.

The parser is added to the one command line (``drift/cli.py``), which also supplies the project
and the environment (``--project-dir``, ``--engine``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .._core.kinds import EXIT_CANNOT_VERIFY, EXIT_ERROR, EXIT_NO_RESULTS
from .._project import Project
from ..errors import TwilioIntelligenceError
from .command import DEFAULT_LOOKBACK_HOURS, DEFAULT_TIMEOUT, VerifyOptions, run_verify
from .execute import Wait
from .report import FORMATS, VerifyReport, render

__all__ = ["add_parser", "run"]


def _positive(value: str) -> float:
    number = float(value)
    if not number > 0:
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds or hours: {value}")
    return number


def add_parser(commands: Any) -> None:
    verify = commands.add_parser(
        "verify",
        help="run each deployed rule on a recent conversation and check it produces results",
        description="Run each rule of each Intelligence Configuration the stack deployed on "
        "demand (POST /v3/RuleExecutions) against a recent conversation that configuration "
        "processed, wait for its OperatorResults, and name every rule that produced none. "
        "Writes nothing but those executions (their results reach the rules' webhooks like any "
        f"other). Exit 0 every rule produced results, {EXIT_NO_RESULTS} a rule produced none or "
        f"a configuration is inactive, {EXIT_ERROR} error, {EXIT_CANNOT_VERIFY} no recent "
        "conversation to verify with.",
    )
    verify.add_argument(
        "--stack", action="append", required=True, help="the stack to verify (repeatable)"
    )
    verify.add_argument("--format", choices=FORMATS, default="table")
    verify.add_argument(
        "--timeout",
        type=_positive,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"how long to wait for each rule's results (default {DEFAULT_TIMEOUT:g}; measured "
        "on the server's clock, or this machine's if that passes first)",
    )
    verify.add_argument(
        "--lookback-hours",
        type=_positive,
        default=DEFAULT_LOOKBACK_HOURS,
        metavar="N",
        help="run the rules on a conversation created in the last N hours "
        f"(default {DEFAULT_LOOKBACK_HOURS:g})",
    )
    verify.add_argument("--output", type=Path, help="also write the report to this file")


def run(args: argparse.Namespace, project: Project, env: Mapping[str, str]) -> int:
    options = VerifyOptions(lookback_hours=args.lookback_hours, wait=Wait(timeout=args.timeout))
    try:
        report = run_verify(project, args.stack, options, env)
    except TwilioIntelligenceError as exc:
        report = VerifyReport(error=str(exc))
    text = render(report, args.format)
    sys.stdout.write(text)
    if args.output:
        args.output.write_text(text)
    return report.exit_code
