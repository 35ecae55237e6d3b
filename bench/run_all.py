"""`make bench`: every benchmark in one run; prints a table and writes docs/benchmarks.md.

1. No-change ``pulumi preview`` of our stack against the same number of no-op dynamic resources,
   at 60 and 300 resources, previewed alternately (ABAB...) so that machine noise hits both alike
   (stacks and preview from ``bench/preview_bench.py``). During the ``pulumi up`` that deploys each
   stack, the provider plugin processes (``python -u -m pulumi.dynamic``) are sampled through
   /proc for their peak resident memory (VmHWM), ours and the no-op provider's.
2. The writes and requests of each lifecycle step of the dev stack (up from empty, rule change,
   operator change, no-change up, destroy), from the emulator's request log.
3. The drift command at 1,000 objects (``bench/drift_bench.py``, its own process).
4. The emulator's requests/s and latency (``emulator/bench.py``, its own process).

Timings depend on the machine; the ratios and counts are what to compare.

    .venv/bin/python bench/run_all.py [--sizes 60 300] [--rounds 5] [--quick]
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from twilio_emulator.testing import EmulatorHandle, EmulatorServer  # noqa: E402

from tools import engine  # noqa: E402
from tools.pulumi_project import (  # noqa: E402
    PROMPT_EDIT,
    RULE_EDIT,
    PulumiProject,
    initialised_copy,
    run_captured,
    twilio_env,
)


def _sibling(name: str) -> ModuleType:
    """A script beside this one (``bench`` is no package: ``import bench`` finds the emulator's)."""
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{name}.py"))
    if spec is None or spec.loader is None:
        raise ImportError(name)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


preview_bench = _sibling("preview_bench")
DOC = ROOT / "docs" / "benchmarks.md"
PLUGIN_MARKER = "pulumi.dynamic"  # the dynamic-provider plugin: python -u -m pulumi.dynamic
WRITES = ("POST", "PUT", "PATCH", "DELETE")
MIB = 1024 * 1024


# --- peak memory of the provider plugin ------------------------------------------------------
def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(parent, []).append(int(entry.name))
    return tree


def _descendants(pid: int) -> Iterator[int]:
    tree = _children()
    stack = list(tree.get(pid, []))
    while stack:
        child = stack.pop()
        yield child
        stack.extend(tree.get(child, []))


def _peak_rss(pid: int) -> int | None:
    """VmHWM (the process's own peak resident set) in bytes, if it is a provider plugin."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        if PLUGIN_MARKER not in cmdline:
            return None
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        return None
    return None


@dataclass
class PluginMemory:
    """Peak RSS per plugin process seen under one pulumi command."""

    peaks: dict[int, int] = field(default_factory=dict)

    @property
    def peak(self) -> int:
        return max(self.peaks.values(), default=0)


def up_sampling_plugins(project: PulumiProject, *args: str) -> tuple[float, PluginMemory]:
    """``pulumi up`` while sampling its provider plugins' peak RSS every 20 ms."""
    memory = PluginMemory()
    started = time.perf_counter()
    with tempfile.TemporaryFile() as output:
        command = ["pulumi", "up", "--yes", "--skip-preview", *args, "--non-interactive"]
        process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            [*command, "--stack", project.stack],
            cwd=project.project_dir,
            env=project.env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        while process.poll() is None:
            for pid in _descendants(process.pid):
                rss = _peak_rss(pid)
                if rss is not None:
                    memory.peaks[pid] = max(rss, memory.peaks.get(pid, 0))
            time.sleep(0.02)
        elapsed = time.perf_counter() - started
        if process.returncode != 0:
            output.seek(0)
            raise RuntimeError(f"pulumi up failed:\n{output.read().decode(errors='replace')}")
    if not memory.peaks:
        raise RuntimeError("no provider plugin process was seen during pulumi up")
    return elapsed, memory


# --- 1. preview ratio and plugin memory ------------------------------------------------------
@dataclass
class PreviewRow:
    count: int
    in_state: int
    ours: list[float]
    noop: list[float]
    requests: int
    up_ours: float
    up_noop: float
    rss_ours: PluginMemory
    rss_noop: PluginMemory

    @property
    def ratio(self) -> float:
        return statistics.median(self.ours) / statistics.median(self.noop)


def preview_and_memory(
    handle: EmulatorHandle, workdir: Path, count: int, rounds: int
) -> PreviewRow:
    ours, noop = preview_bench.make_projects(
        workdir, count, handle.url, handle.account_sid, handle.auth_token
    )
    ours.init()
    noop.init()
    up_ours, rss_ours = up_sampling_plugins(ours, "--parallel", "8")
    up_noop, rss_noop = up_sampling_plugins(noop, "--parallel", "8")
    in_state = len([r for r in ours.resources() if r["type"].startswith("pulumi-python:")])
    mark = handle.mark()
    ours_times: list[float] = []
    noop_times: list[float] = []
    for _ in range(rounds):
        ours_times.append(preview_bench.timed_preview(ours))
        noop_times.append(preview_bench.timed_preview(noop))
    requests = len(handle.requests(since=mark))
    return PreviewRow(
        count, in_state, ours_times, noop_times, requests, up_ours, up_noop, rss_ours, rss_noop
    )


# --- 2. lifecycle writes -----------------------------------------------------------------------
@dataclass
class Step:
    name: str
    writes: list[tuple[str, str]]
    requests: int
    seconds: float


def _shape(path: str) -> str:
    """A path with its ids replaced by ``{id}``, so that steps read alike."""
    return re.sub(r"/[a-z_]+_[0-9a-z]{26}", "/{id}", path)


def lifecycle(handle: EmulatorHandle, workdir: Path) -> list[Step]:
    env = twilio_env(handle.url, handle.account_sid, handle.auth_token)
    project = initialised_copy(workdir / "project", workdir / "state", env)
    base = project.project_dir / "stacks" / "base.yaml"

    def edit(old: str, new: str) -> None:
        text = base.read_text()
        if old not in text:
            raise RuntimeError(f"{old!r} not in {base}")
        base.write_text(text.replace(old, new, 1))

    steps: list[Step] = []

    def measure(name: str, *args: str) -> None:
        mark = handle.mark()
        started = time.perf_counter()
        project.run(*args)
        seconds = time.perf_counter() - started
        log = handle.requests(since=mark)
        writes = [(r["method"], _shape(r["path"])) for r in log if r["method"] in WRITES]
        steps.append(Step(name, writes, len(log), seconds))

    measure("up from empty", "up", "--yes", "--skip-preview")
    measure("no-change up", "up", "--yes", "--skip-preview")
    edit(*RULE_EDIT)
    measure("rule change", "up", "--yes", "--skip-preview")
    edit(*PROMPT_EDIT)
    measure("operator prompt change", "up", "--yes", "--skip-preview")
    measure("preview --refresh (no change)", "preview", "--refresh", "--expect-no-changes")
    measure("destroy", "destroy", "--yes")
    return steps


# --- 3 and 4: the other scripts, in their own processes ---------------------------------------
def run_script(*args: str, timeout: float) -> str:
    proc = run_captured([sys.executable, *args], cwd=ROOT, timeout=timeout)
    if proc.returncode != 0:
        return f"(failed, exit {proc.returncode})\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


# --- report --------------------------------------------------------------------------------------
def _mib(value: int) -> str:
    return f"{value / MIB:.0f} MiB"


def _writes(step: Step) -> str:
    counts: dict[tuple[str, str], int] = {}
    for write in step.writes:
        counts[write] = counts.get(write, 0) + 1
    return ", ".join(
        f"{method} {path}" + (f" x{n}" if n > 1 else "") for (method, path), n in counts.items()
    )


def heading(lines: list[str], title: str) -> None:
    lines += ["", f"## {title}", ""]


def main() -> int:  # noqa: PLR0915 - one linear report
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[60, 300])
    parser.add_argument("--rounds", type=int, default=5, help="previews per stack and size")
    parser.add_argument(
        "--quick", action="store_true", help="fewer rounds, shorter emulator run, drift at 200"
    )
    parser.add_argument(
        "--drift-workdir",
        type=Path,
        default=ROOT / ".pulumi" / "bench" / "drift",
        help="where the drift benchmark keeps its 1,000 adopted objects between runs",
    )
    parser.add_argument("--output", type=Path, default=DOC)
    args = parser.parse_args()
    rounds = 2 if args.quick else args.rounds
    drift_objects = 200 if args.quick else 1000
    engine.ensure()

    started = time.perf_counter()
    print("[bench] preview ratio and plugin memory ...", flush=True)
    with EmulatorServer() as server, tempfile.TemporaryDirectory() as tmp:
        handle = server.handle()
        handle.set_settings(operation_delay_seconds=0, store_provisioning_seconds=0)
        rows = [preview_and_memory(handle, Path(tmp), n, rounds) for n in args.sizes]
        print("[bench] lifecycle writes ...", flush=True)
        handle.reset()
        steps = lifecycle(handle, Path(tmp) / "lifecycle")
    print(f"[bench] drift at {drift_objects} objects ...", flush=True)
    drift_workdir = (
        args.drift_workdir if not args.quick else args.drift_workdir.with_name("drift-quick")
    )
    drift = run_script(
        "bench/drift_bench.py",
        "--objects",
        str(drift_objects),
        "--rounds",
        "3",
        "--workdir",
        str(drift_workdir),
        timeout=3600,
    )
    print("[bench] emulator throughput ...", flush=True)
    seconds = "2" if args.quick else "5"
    # Two client processes: one Python client process saturates before the server does.
    emulator = run_script(
        "emulator/bench.py",
        "--seconds",
        seconds,
        "--concurrency",
        "16",
        "--processes",
        "2",
        timeout=600,
    )

    drift_medians = re.findall(
        r"drift, ([^:]+): (\d+) managed objects, exit \d+; .*?median ([\d.]+)s", drift
    )
    drift_totals = re.findall(r"\| \*\*total\*\* \| \| \| (\d+) \|", drift)
    emulator_rows = re.findall(
        r"^(GET|POST)\s+\S+\s+(\d+) req/s\s+p50\s+([\d.]+) ms\s+p99\s+([\d.]+) ms",
        emulator,
        flags=re.MULTILINE,
    )

    table = ["| Benchmark | Result |", "|---|---|"]
    for row in rows:
        table.append(
            f"| No-change preview, {row.count} resources ({row.in_state} in state) | "
            f"**{row.ratio:.2f}x** the no-op stack (median {statistics.median(row.ours):.2f}s "
            f"vs {statistics.median(row.noop):.2f}s, {len(row.ours)} rounds each, "
            f"{row.requests} API requests) |"
        )
    for row in rows:
        table.append(
            f"| Provider plugin peak RSS, `pulumi up` of {row.count} resources | "
            f"**{_mib(row.rss_ours.peak)}** (the no-op dynamic provider: "
            f"{_mib(row.rss_noop.peak)}; up {row.up_ours:.1f}s vs {row.up_noop:.1f}s) |"
        )
    for step in steps:
        table.append(
            f"| Dev stack, {step.name} | **{len(step.writes)} writes**, {step.requests} requests "
            f"({step.seconds:.1f}s) |"
        )
    for (label, objects, median), total in zip(drift_medians, drift_totals, strict=False):
        table.append(
            f"| Drift command, {objects} objects, {label} | **{float(median):.2f}s** median "
            f"(whole command, fresh process), {total} requests |"
        )
    if not drift_medians:
        table.append("| Drift command | see the drift section (no summary line found) |")
    for method, rate, p50, p99 in emulator_rows:
        table.append(
            f"| Emulator, {method} (2 client processes x 16 clients) | **{rate} req/s**, "
            f"p50 {p50} ms, p99 {p99} ms |"
        )

    machine = (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, Pulumi engine {engine.VERSION}"
    )
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Benchmarks",
        "",
        f"Generated by `make bench` (`bench/run_all.py`) on {now}; {machine}; "
        f"{time.perf_counter() - started:.0f}s in all. Timings depend on the machine and its "
        "load; ratios (measured side by side, alternately, in the same run) and counts are "
        "what to compare.",
        "",
        *table,
    ]
    heading(lines, "No-change preview against no-op dynamic resources")
    lines.append(
        "Our stack (the provider, the desired-state file, its validation) against a program "
        "of the same number of dynamic resources whose provider does nothing, both deployed "
        "once, then previewed alternately. A no-change preview sends no API request."
    )
    lines += ["", "| resources | ours: previews (s) | no-op: previews (s) | ratio |"]
    lines.append("|---:|---|---|---:|")
    for row in rows:
        ours = ", ".join(f"{t:.2f}" for t in row.ours)
        noop = ", ".join(f"{t:.2f}" for t in row.noop)
        lines.append(f"| {row.count} | {ours} | {noop} | {row.ratio:.2f} |")
    heading(lines, "Peak memory of the provider plugin")
    lines.append(
        "VmHWM of every `python -u -m pulumi.dynamic` process under `pulumi up --parallel 8` "
        "(sampled every 20 ms through /proc)."
    )
    lines += ["", "| resources | ours (per process) | no-op provider (per process) |"]
    lines.append("|---:|---|---|")
    for row in rows:
        ours = ", ".join(_mib(v) for v in row.rss_ours.peaks.values())
        noop = ", ".join(_mib(v) for v in row.rss_noop.peaks.values())
        lines.append(f"| {row.count} | {ours} | {noop} |")
    heading(lines, "Writes of each lifecycle step (dev stack)")
    lines += ["| step | writes | requests | what was written |", "|---|---:|---:|---|"]
    for step in steps:
        lines.append(
            f"| {step.name} | {len(step.writes)} | {step.requests} | {_writes(step) or '-'} |"
        )
    heading(lines, f"Drift at {drift_objects} objects (bench/drift_bench.py)")
    lines += ["```", drift.strip(), "```"]
    heading(lines, "Emulator throughput (emulator/bench.py)")
    lines += ["```", emulator.strip(), "```"]
    text = "\n".join(lines) + "\n"
    args.output.write_text(text)
    print()
    print("\n".join(table))
    print(f"\nwritten to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
