"""``twilio-intelligence``: the project's command line (drift report, export of a live account,
verification that deployed rules produce results).

Exit codes of ``drift``: 0 in sync, 2 drift, 1 error (``--strict``: warnings are drift too).
Neither drift nor export ever writes to Twilio. ``verify`` (``verify/cli.py``) writes rule
executions only; its exit codes: 0 every rule produced results, 2 a rule produced none or a
configuration is inactive, 1 error, 3 no recent conversation to verify with.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .._project import ENGINE_VAR, Project, find_project
from ..errors import DriftError, TwilioIntelligenceError
from .command import run_drift
from .render import FORMATS, render
from .report import EXIT_ERROR, Report

__all__ = ["main"]

DEFAULT_SILENCE_HOURS = 24.0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="twilio-intelligence",
        description="Drift report, export and rule verification for Twilio Conversation "
        "Intelligence stacks. drift and export are read-only; verify writes rule executions only.",
    )
    parser.add_argument(
        "--project-dir",
        type=Path,
        default=None,
        help="the Pulumi project (default: the directory with Pulumi.yaml at or above the cwd)",
    )
    parser.add_argument(
        "--engine",
        type=Path,
        default=None,
        metavar="DIR",
        help=f"the directory of the pulumi binary to run (default: ${ENGINE_VAR}, else PATH)",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for name, (summary, description, add_arguments) in _SUBCOMMANDS.items():
        add_arguments(commands.add_parser(name, help=summary, description=description))
    _verify_cli().add_parser(commands)
    return parser


def _verify_cli() -> Any:
    """``verify``'s command line (imported late: verify imports this package's modules)."""
    from ..verify import cli  # noqa: PLC0415

    return cli


def _drift_arguments(drift: argparse.ArgumentParser) -> None:
    which = drift.add_mutually_exclusive_group()
    which.add_argument("--stack", action="append", help="a stack (repeatable; default: all)")
    which.add_argument("--all", action="store_true", help="every stack in the project (default)")
    drift.add_argument("--format", choices=sorted(FORMATS), default="table")
    drift.add_argument(
        "--silence-hours",
        type=float,
        default=DEFAULT_SILENCE_HOURS,
        metavar="N",
        help="flag an Intelligence Configuration that produced no result for N hours while "
        f"its conversations were processed (default {DEFAULT_SILENCE_HOURS:g}; 0 disables)",
    )
    drift.add_argument(
        "--strict",
        action="store_true",
        help="warnings (deprecated pins, unmanaged objects) count as drift (exit 2)",
    )
    drift.add_argument("--output", type=Path, help="also write the report to this file")


def _export_arguments(export: argparse.ArgumentParser) -> None:
    export.add_argument(
        "--stack",
        help="take credentials and base URL from this stack's config "
        "(default: the environment, TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN ...)",
    )
    export.add_argument("--output", type=Path, help="the file to write (default: stdout)")
    export.add_argument(
        "--import-file",
        type=Path,
        help="also write Pulumi's import file for --stack here, and leave adoptId out: "
        "`pulumi import --file` then takes every object over",
    )


# name: (one-line help, description, what adds its arguments)
_SUBCOMMANDS: dict[str, tuple[str, str, Callable[[argparse.ArgumentParser], None]]] = {
    "drift": (
        "compare desired state, Pulumi state and the live account",
        "Compare each stack's desired-state file, its Pulumi state and the live Twilio account. "
        "Exit 0 in sync, 2 drift, 1 error.",
        _drift_arguments,
    ),
    "export": (
        "write a desired-state file that adopts every object of a live account",
        "Read the live account and write a desired-state file in which every object carries "
        "adoptId: deployed, it adopts everything and the next preview is empty.",
        _export_arguments,
    ),
}


def _env(args: argparse.Namespace) -> dict[str, str]:
    """The caller's environment, with ``--engine`` passed on as the engine's directory."""
    env = dict(os.environ)
    if args.engine is not None:
        env[ENGINE_VAR] = str(args.engine)
    return env


def _project(args: argparse.Namespace) -> Project:
    return find_project(args.project_dir or Path.cwd())


def _drift(args: argparse.Namespace) -> int:
    try:
        project = _project(args)
        report = run_drift(
            project,
            None if args.all else args.stack,
            silence_hours=args.silence_hours,
            strict=args.strict,
            env=_env(args),
        )
    except TwilioIntelligenceError as exc:
        report = Report(strict=args.strict, error=str(exc))
    except Exception as exc:  # a bug of ours: still a report in the asked format, no traceback
        report = Report(strict=args.strict, error=f"unexpected {type(exc).__name__}: {exc}")
    text = render(report, args.format)
    sys.stdout.write(text)
    if args.output:
        args.output.write_text(text)
    return report.exit_code


def _export(args: argparse.Namespace) -> int:
    from .export import run_export  # noqa: PLC0415 - only this subcommand needs it

    try:
        text = run_export(
            args.project_dir, args.stack, env=_env(args), import_file_path=args.import_file
        )
    except TwilioIntelligenceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    if args.output:
        args.output.write_text(text)
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = _parser().parse_args(argv)
    try:
        if args.command == "drift":
            return _drift(args)
        if args.command == "verify":
            return int(_verify_cli().run(args, _project(args), _env(args)))
        return _export(args)
    except DriftError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:  # never a traceback (writing --output can fail, say)
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
