"""``python -m pulumi_twilio_intelligence.policy``: the policy pack's checks without the engine.

Reads each stack's desired-state file (default: every stack of the project), or the resources of
``pulumi preview --json`` (``--preview-json FILE``, ``-`` for stdin), and runs the same checks
as the CrossGuard pack in ``policy/``. Needs no credentials and no engine.

Exit codes: 0 no mandatory finding, 2 a mandatory finding (``--strict``: any finding), 1 error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .._core.kinds import EXIT_ERROR, EXIT_OK, EXIT_VIOLATION, KINDS
from .._project import find_project
from ..errors import TwilioIntelligenceError
from ..stackfile import DesiredState, load
from .base import (
    DEFAULT_DEV_STACKS,
    DEFAULT_PRODUCTION_STACKS,
    Finding,
    Settings,
    Subject,
    kind_of,
    known,
    stack_of,
)
from .checks import POLICIES, evaluate

__all__ = ["EXIT_ERROR", "EXIT_OK", "EXIT_VIOLATION", "main", "subjects_from_preview"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pulumi_twilio_intelligence.policy",
        description="Run the policy pack's checks on desired-state files or on the resources of "
        "`pulumi preview --json`. Exit 0 no mandatory finding, 2 violations, 1 error.",
    )
    parser.add_argument("--project-dir", type=Path, default=None, help="the Pulumi project")
    parser.add_argument(
        "--stack", action="append", help="a stack (repeatable; default: every stack)"
    )
    parser.add_argument(
        "--preview-json",
        metavar="FILE",
        help="check the resources in this `pulumi preview --json` output ('-': stdin) instead",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument(
        "--dev-stack",
        action="append",
        help=f"a stack that may use http://localhost webhooks (default: {DEFAULT_DEV_STACKS})",
    )
    parser.add_argument(
        "--production-stack",
        action="append",
        help=f"a stack that must pin operator versions (default: {DEFAULT_PRODUCTION_STACKS})",
    )
    parser.add_argument(
        "--accept-phrase",
        action="append",
        help="prompt wording accepted as an instruction to ignore embedded instructions",
    )
    parser.add_argument("--strict", action="store_true", help="advisory findings fail too")
    parser.add_argument("--list", action="store_true", help="list the policies and exit")
    return parser


def subjects_from_state(state: DesiredState) -> list[Subject]:
    """The resources a desired-state file declares, in the shape the checks read."""
    return [
        Subject(kind.name, name, body)
        for kind in KINDS
        for name, body in state.of(kind).items()
        if "existingId" not in body  # a reference to an object the stack does not manage
    ]


def subjects_from_preview(data: dict[str, Any]) -> dict[str, list[Subject]]:
    """The project's resources a preview would register, by stack."""
    found: dict[str, list[Subject]] = {}
    for step in data.get("steps") or []:
        new = step.get("newState") if isinstance(step, dict) else None
        if not isinstance(new, dict):
            continue  # a delete: nothing to check
        kind = kind_of(str(new.get("type", "")))
        urn = str(new.get("urn") or step.get("urn") or "")
        if kind is None or not urn:
            continue
        inputs = {k: v for k, v in (new.get("inputs") or {}).items() if k != "__provider"}
        found.setdefault(stack_of(urn), []).append(
            Subject(kind, urn.rsplit("::", 1)[-1], known(inputs))
        )
    return found


def _read_preview(source: str) -> dict[str, Any]:
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text()
    except OSError as exc:
        raise TwilioIntelligenceError(f"cannot read {source}: {exc.strerror}") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise TwilioIntelligenceError(
            f"{source}: not the JSON of `pulumi preview --json`: {exc}"
        ) from None
    if not isinstance(data, dict):
        raise TwilioIntelligenceError(f"{source}: not the JSON of `pulumi preview --json`")
    return data


def _subjects(args: argparse.Namespace) -> dict[str, list[Subject]]:
    if args.preview_json:
        by_stack = subjects_from_preview(_read_preview(args.preview_json))
        if args.stack:
            by_stack = {s: by_stack.get(s, []) for s in args.stack}
        return by_stack
    project = find_project(args.project_dir or Path.cwd())
    stacks = args.stack or project.stacks()
    if not stacks:
        raise TwilioIntelligenceError(f"no Pulumi.<stack>.yaml in {project.stack_config_dir}")
    return {stack: subjects_from_state(load(project.desired_state_path(stack))) for stack in stacks}


def _text(results: dict[str, list[Finding]]) -> str:
    lines: list[str] = []
    for stack, findings in results.items():
        mandatory = sum(f.level == "mandatory" for f in findings)
        lines.append(
            f"stack {stack}: {mandatory} mandatory, {len(findings) - mandatory} advisory"
            if findings
            else f"stack {stack}: every policy passed"
        )
        for f in findings:
            lines.append(f"  [{f.level}] {f.policy}  {f.kind} {f.name}: {f.message}")
    return "\n".join(lines)


def _json(results: dict[str, list[Finding]]) -> str:
    everything = [f for findings in results.values() for f in findings]
    return json.dumps(
        {
            "stacks": [
                {"stack": stack, "findings": [f.as_dict() for f in findings]}
                for stack, findings in results.items()
            ],
            "summary": {
                "mandatory": sum(f.level == "mandatory" for f in everything),
                "advisory": sum(f.level == "advisory" for f in everything),
            },
        },
        indent=2,
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.list:
        for policy in POLICIES:
            print(f"{policy.name} ({policy.level}): {policy.description}")
        return EXIT_OK
    try:
        subjects = _subjects(args)
    except TwilioIntelligenceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    results = {
        stack: evaluate(
            items,
            Settings(
                stack=stack,
                dev_stacks=tuple(args.dev_stack or DEFAULT_DEV_STACKS),
                production_stacks=tuple(args.production_stack or DEFAULT_PRODUCTION_STACKS),
                accepted_phrases=tuple(args.accept_phrase or ()),
            ),
        )
        for stack, items in subjects.items()
    }
    print(_json(results) if args.format == "json" else _text(results))
    failing = [
        f
        for findings in results.values()
        for f in findings
        if f.level == "mandatory" or args.strict
    ]
    return EXIT_VIOLATION if failing else EXIT_OK
