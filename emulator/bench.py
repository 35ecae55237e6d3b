"""Loopback benchmark of the emulator (not a test).

Starts ``python -m twilio_emulator`` in a separate process, then drives it with
concurrent asyncio httpx clients, one GET route and one POST route, and prints
requests/s with p50/p99 latency for each.

    .venv/bin/python emulator/bench.py [--seconds 5] [--concurrency 16] [--processes 1]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from twilio_emulator import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN

AUTH = (DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN)
SENTIMENT = "intelligence_operator_01kcrvw16kfa88qvgrfmr7y151"
CONFIG_BODY = {
    "displayName": "bench",
    "rules": [
        {
            "operators": [{"id": SENTIMENT}],
            "triggers": [{"on": "COMMUNICATION"}],
            "actions": [{"type": "WEBHOOK", "method": "POST", "url": "https://example.com/hook"}],
        }
    ],
}


async def _worker(
    client: httpx.AsyncClient, method: str, path: str, deadline: float, latencies: list[float]
) -> int:
    errors = 0
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        if method == "GET":
            response = await client.get(path)
        else:
            response = await client.post(path, json=CONFIG_BODY)
        latencies.append(time.perf_counter() - started)
        errors += response.status_code >= 400
    return errors


async def _drive(
    url: str, method: str, path: str, seconds: float, concurrency: int
) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, auth=AUTH, limits=limits) as client:
        await client.get(path if method == "GET" else "/v3/ControlPlane/Operators")  # warm up
        latencies: list[float] = []
        deadline = time.perf_counter() + seconds
        errors = await asyncio.gather(
            *(_worker(client, method, path, deadline, latencies) for _ in range(concurrency))
        )
    return {"latencies": latencies, "errors": sum(errors)}


def _process(args: tuple[str, str, str, float, int]) -> dict[str, Any]:
    return asyncio.run(_drive(*args))


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process (Linux), to report server cost per request."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(
    url: str,
    method: str,
    path: str,
    *,
    seconds: float,
    concurrency: float,
    processes: int,
    server_pid: int,
) -> None:
    cpu_before = _cpu_seconds(server_pid)
    started = time.perf_counter()
    jobs = [(url, method, path, seconds, int(concurrency))] * processes
    if processes == 1:
        results = [_process(jobs[0])]
    else:
        with multiprocessing.Pool(processes) as pool:
            results = pool.map(_process, jobs)
    elapsed = time.perf_counter() - started
    latencies = sorted(lat for result in results for lat in result["latencies"])
    errors = sum(result["errors"] for result in results)
    count = len(latencies)
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[min(count - 1, int(count * 0.99))] * 1000
    cpu_after = _cpu_seconds(server_pid)
    cost = ""
    if cpu_before is not None and cpu_after is not None and count:
        per_request = (cpu_after - cpu_before) / count * 1000
        cost = (
            f"; server CPU {per_request:.2f} ms/request (~{1000 / per_request:.0f} req/s per core)"
        )
    print(
        f"{method:4} {path[:45]:45} {count / seconds:7.0f} req/s  p50 {p50:6.2f} ms"
        f"  p99 {p99:6.2f} ms  ({count} requests, {errors} errors, {elapsed:.1f}s{cost})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--processes", type=int, default=1, help="client processes")
    args = parser.parse_args()
    server = subprocess.Popen(
        [sys.executable, "-m", "twilio_emulator", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        if server.stdout is None:
            raise RuntimeError("no stdout from the server process")
        line = server.stdout.readline()
        url = line.split(" at ", 1)[1].split(" ", 1)[0]
        created = httpx.post(url + "/v3/ControlPlane/Configurations", json=CONFIG_BODY, auth=AUTH)
        config_path = f"/v3/ControlPlane/Configurations/{created.json()['id']}"
        print(f"server {url}; {args.concurrency} concurrent clients x {args.processes} process(es)")
        load: dict[str, Any] = {
            "seconds": args.seconds,
            "concurrency": args.concurrency,
            "processes": args.processes,
            "server_pid": server.pid,
        }
        run(url, "GET", config_path, **load)
        run(url, "POST", "/v3/ControlPlane/Configurations", **load)
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
