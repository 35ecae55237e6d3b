"""The drift command's work, from stack names to a Report (printing is ``render``'s job).

Every stack in the project is read (state, account) even when one is asked for: an object is
unmanaged only if no stack on the same account manages it. Each account is read once, with list
calls, however many stacks target it.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from .. import stackfile
from .._project import Project, PulumiCli, engine_env, stack_credentials_config
from .._twilio.connector import Target
from ..errors import DriftError, TwilioIntelligenceError
from .compare import (
    StackInput,
    compare_stack,
    find_unmanaged,
    managed_ids,
    prefetch_pins,
    reconcilers,
)
from .desired import resolve
from .health import check_silence
from .live import WORKERS, LiveAccount, RequestStats, connect
from .report import Report, StackReport
from .state import RecordedState

__all__ = ["run_drift"]


@dataclass
class _Loaded:
    name: str
    account: tuple[str, ...] | None = None
    target: Target | None = None  # credentials and URLs, resolved once
    input: StackInput | None = None
    error: str | None = None
    deployed: bool = False


def _reason(exc: Exception) -> str:
    """An error as one stack's finding: our own errors say what is wrong; anything else (a
    file that is not UTF-8, say) is named by its type, never shown as a traceback."""
    if isinstance(exc, TwilioIntelligenceError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def _load(project: Project, cli: PulumiCli, name: str, env: Mapping[str, str]) -> _Loaded:
    """One stack's config, recorded state and desired state. Whatever goes wrong is this stack's
    error: the other stacks are still checked."""
    loaded = _Loaded(name)
    try:
        loaded.target = Target.resolve(stack_credentials_config(project, cli, name), env)
        loaded.account = loaded.target.account
        exported = cli.export(name)
        recorded = RecordedState.from_export(exported) if exported is not None else None
        loaded.deployed = recorded is not None
        path = project.desired_state_path(name)
        shown = project.relative(path)
    except Exception as exc:  # one stack's failure is reported as that stack's
        loaded.error = _reason(exc)
        return loaded
    # Whatever happens to the desired state, what the stack manages still counts, so that its
    # objects are not called unmanaged.
    loaded.input = StackInput(name, shown, {}, recorded)
    try:
        desired = resolve(stackfile.load(path), recorded or RecordedState())
    except Exception as exc:  # see above
        loaded.error = f"invalid desired state {shown}:\n{_reason(exc)}"
        return loaded
    loaded.input = StackInput(name, shown, desired, recorded)
    return loaded


def _check_account(  # noqa: PLR0917 - one account's share of run_drift's state
    report: Report,
    on_account: list[_Loaded],
    selected: list[str],
    loaded: Mapping[str, _Loaded],
    stats: RequestStats,
    silence_hours: float,
) -> None:
    """Read one account once and compare every selected stack that targets it; find the objects
    no stack on it manages. A failure is the error of each of its stacks not compared yet."""
    mine = [s for s in on_account if s.name in selected]
    target = mine[0].target
    if target is None:  # every stack of an account has one (the account is its key)
        return
    api = connect(target, stats)
    try:
        live = LiveAccount.read(api)
        by_kind = reconcilers(api)
        ours = [s.input for s in mine if s.input is not None and s.error is None]
        config_ids = [
            r.id
            for s in ours
            if s.recorded is not None
            for r in s.recorded.of_kind("IntelligenceConfiguration")
            if r.id in live.intelligence_configurations
        ]
        prefetch_pins(by_kind, live, config_ids)
        health = check_silence(api, config_ids, silence_hours) if silence_hours > 0 else None
        for stack in ours:
            try:
                report.stacks.append(compare_stack(stack, live, by_kind, health))
            except Exception as exc:  # that stack's error, not the run's
                loaded[stack.name].error = f"comparing failed: {_reason(exc)}"
        report.unmanaged += find_unmanaged(
            live, managed_ids(s.input for s in on_account if s.input is not None)
        )
    except Exception as exc:  # the error of every stack on this account not yet compared
        compared = {s.name for s in report.stacks}
        for stack_loaded in mine:
            if stack_loaded.name not in compared:
                stack_loaded.error = (
                    stack_loaded.error or f"reading the account failed: {_reason(exc)}"
                )
    finally:
        api.http.close()


def run_drift(
    project: Project,
    stacks: list[str] | None,
    *,
    silence_hours: float,
    strict: bool,
    env: Mapping[str, str],
) -> Report:
    report = Report(strict=strict)
    every = project.stacks()
    selected = stacks or every
    problem = project.unknown_stacks(selected)
    if problem:
        raise DriftError(problem)
    cli = PulumiCli(project, engine_env(env))
    with ThreadPoolExecutor(WORKERS) as pool:
        loaded = {s.name: s for s in pool.map(lambda n: _load(project, cli, n, env), every)}

    stats = RequestStats()
    for account in dict.fromkeys(loaded[n].account for n in selected if loaded[n].account):
        on_account = [s for s in loaded.values() if s.account == account]
        _check_account(report, on_account, selected, loaded, stats, silence_hours)
    for name in selected:
        failed = loaded[name]
        if failed.error:
            shown = failed.input.desired_state if failed.input else None
            report.stacks.append(
                StackReport(name, shown, deployed=failed.deployed, error=failed.error)
            )
    order = {name: i for i, name in enumerate(selected)}
    report.stacks.sort(key=lambda s: order[s.name])
    report.requests = stats.as_dict()
    return report
