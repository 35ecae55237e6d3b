"""What ``verify`` runs: each rule of each Intelligence Configuration a stack deployed, as the live
account holds it now.

The deployed configurations come from the stack's Pulumi state (as ``drift`` reads it); their
rules, rule ids and operators from the live account, so that a rule changed or added by a PUT
outside Pulumi is run too. A configuration whose live ``version`` is above the one our POST
created was changed with PUT, which leaves it inactive (gotchas A1): it is flagged by name. Rules
are named as in the desired-state file when the file still declares as many rules as the live
configuration holds; otherwise by position (``rules[1]``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .._reconcile.intelligence import changed_with_put
from ..drift.state import RecordedState

__all__ = ["ConfigTarget", "RuleTarget", "plan_targets"]

KIND = "IntelligenceConfiguration"


@dataclass(frozen=True)
class RuleTarget:
    name: str  # as in the desired-state file, else "rules[i]"
    id: str
    operator_ids: tuple[str, ...]


@dataclass(frozen=True)
class ConfigTarget:
    name: str  # the logical name (the desired-state file's key)
    id: str
    lineage: tuple[str, ...]  # its id, then the ids of the configurations it replaced
    rules: tuple[RuleTarget, ...] = ()
    inactive: str | None = None  # why it is inactive (changed with PUT), else None
    missing: bool = False  # deployed, and no longer in the live account

    @property
    def rule_names(self) -> str:
        return ", ".join(rule.name for rule in self.rules)


def _rules(live: Mapping[str, Any], names: list[str] | None) -> tuple[RuleTarget, ...]:
    rules = [r for r in live.get("rules") or [] if isinstance(r, dict) and r.get("id")]
    named = names if names is not None and len(names) == len(rules) else None
    return tuple(
        RuleTarget(
            named[i] if named else f"rules[{i}]",
            str(rule["id"]),
            tuple(
                str(op["id"])
                for op in rule.get("operators") or []
                if isinstance(op, dict) and op.get("id")
            ),
        )
        for i, rule in enumerate(rules)
    )


def plan_targets(
    recorded: RecordedState,
    live_configurations: Mapping[str, Mapping[str, Any]],
    rule_names: Mapping[str, list[str]],
) -> list[ConfigTarget]:
    """Every configuration the stack deployed (not those a replacement left pending deletion:
    nothing links them any more), in the state's order."""
    targets: list[ConfigTarget] = []
    for resource in recorded.of_kind(KIND):
        lineage = (
            resource.id,
            *(str(i) for i in resource.outputs.get("predecessorIds") or [] if i),
        )
        live = live_configurations.get(resource.id)
        if live is None:
            targets.append(ConfigTarget(resource.name, resource.id, lineage, missing=True))
            continue
        targets.append(
            ConfigTarget(
                resource.name,
                resource.id,
                lineage,
                _rules(live, rule_names.get(resource.name)),
                inactive=changed_with_put(live, resource.outputs),
            )
        )
    return targets
