"""Processes the tests start, read from /proc (Linux): whole trees killed, leftovers found.

The engine starts its plugins (language host, program, dynamic provider) in process groups of
their own, so killing `pulumi`'s group leaves them running. ``kill_tree`` stops every process of
the tree first (a stopped process cannot fork, nor exit and have its children re-parented while
the tree is walked), then kills them all.

The test process makes itself a child subreaper: an orphan among its descendants is re-parented
to it rather than to init, so it stays a descendant that ``descendants`` finds and that can be
reaped once it has exited.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

PR_SET_CHILD_SUBREAPER = 36  # linux/prctl.h
EXIT_POLL_SECONDS = 0.05


@dataclass(frozen=True)
class Process:
    pid: int
    ppid: int
    state: str  # R, S, D, T, Z, ... (proc(5))
    command: str

    def __str__(self) -> str:
        return f"{self.pid} ({self.state}) {self.command}"


def become_subreaper() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"prctl(PR_SET_CHILD_SUBREAPER): {os.strerror(errno)}")


def _read(pid: int) -> Process | None:
    base = Path("/proc") / str(pid)
    try:
        stat = (base / "stat").read_text()
        raw = (base / "cmdline").read_bytes()
    except (FileNotFoundError, ProcessLookupError):
        return None  # gone meanwhile
    # pid (comm) state ppid ...: comm may hold spaces and parentheses, so split at the last ')'.
    comm_start, comm_end = stat.index("("), stat.rindex(")")
    state, ppid = stat[comm_end + 2 :].split()[:2]
    command = raw.replace(b"\0", b" ").decode(errors="replace").strip()
    return Process(pid, int(ppid), state, command or f"[{stat[comm_start + 1 : comm_end]}]")


def processes() -> dict[int, Process]:
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            process = _read(int(entry.name))
            if process is not None:
                found[process.pid] = process
    return found


def descendants(root: int, table: dict[int, Process] | None = None) -> dict[int, Process]:
    """Every process below ``root`` (not ``root`` itself)."""
    table = processes() if table is None else table
    children: dict[int, list[int]] = {}
    for process in table.values():
        children.setdefault(process.ppid, []).append(process.pid)
    found: dict[int, Process] = {}
    pending = list(children.get(root, []))
    while pending:
        pid = pending.pop()
        if pid not in found:
            found[pid] = table[pid]
            pending += children.get(pid, [])
    return found


def _signal(pid: int, signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)


def kill_tree(root: int) -> list[Process]:
    """SIGKILL ``root`` and every process below it, as a dying machine would; returns them."""
    stopped: dict[int, Process] = {}
    while True:
        tree = descendants(root)
        root_process = _read(root)
        if root_process is not None:
            tree[root] = root_process
        new = {pid: p for pid, p in tree.items() if pid not in stopped and p.state != "Z"}
        if not new:
            break
        for pid in new:
            _signal(pid, signal.SIGSTOP)
        stopped.update(new)
    for pid in stopped:
        _signal(pid, signal.SIGKILL)
    return list(stopped.values())


def wait_gone(pids: set[int], timeout: float) -> dict[int, Process]:
    """Poll until none of ``pids`` is running (gone, or exited and not reaped yet); returns those
    still running at the deadline. Our own exited children are reaped."""
    deadline = time.monotonic() + timeout
    while True:
        running = {}
        for pid in pids:
            process = _read(pid)
            if process is None:
                continue
            if process.state == "Z":
                reap(process)
            else:
                running[pid] = process
        if not running or time.monotonic() > deadline:
            return running
        time.sleep(EXIT_POLL_SECONDS)


def reap(process: Process) -> None:
    """Collect an exited child of ours (an orphan re-parented to this subreaper)."""
    if process.ppid == os.getpid():
        with contextlib.suppress(ChildProcessError):
            os.waitpid(process.pid, os.WNOHANG)
