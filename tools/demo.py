"""`make demo`: deploy the dev stack to the embedded emulator and watch results flow.

1. Start the emulator with a state file (.pulumi/emulator.db; it survives restarts, and the
   Pulumi state in .pulumi/backend refers to its objects) and a small webhook receiver.
2. `pulumi up` the dev stack (with --refresh, so a deleted emulator state is simply recreated).
3. Simulate a support conversation over SMS through the emulator's data plane and print the
   OperatorResults that the deployed rules produced.
4. Apply a rule change (stacks/demo/rule-change.yaml adds Twilio's Summary operator to the
   wrap-up rule) and show the writes it made: the new Intelligence Configuration, the relink,
   the deletion of the old one. Never a PUT on the configuration.
5. Simulate a second conversation: results still flow, now with the new rule's Summary.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from twilio_emulator import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN  # noqa: E402
from twilio_emulator.testing import operator_results, simulate_sms_conversation  # noqa: E402

from tools import engine  # noqa: E402 - needs ROOT on sys.path first
from tools.pulumi_project import run_captured  # noqa: E402

STATE_DIR = ROOT / ".pulumi"
STACK = "dev"
WEBHOOK_PORT = 8788  # the dev stack's webhook URLs point here
CUSTOMER = "+15551230000"
SUPPORT_LINE = "+15005550006"  # the dev stack's SMS capture rule
V3 = "/v3/ControlPlane/Configurations"

# The two support conversations the demo simulates: (name, [(sender, text), ...]).
# tests/emulator/test_demo_conversations.py checks the results they get.
LATE_DELIVERY: tuple[str, list[tuple[str, str]]] = (
    "Late delivery",
    [
        ("customer", "My delivery is three weeks late and I am furious."),
        ("agent", "I am sorry about that. I have expedited it; it arrives tomorrow."),
        ("customer", "Thanks, that is great, I appreciate it."),
    ],
)
BILLING_QUESTION: tuple[str, list[tuple[str, str]]] = (
    "Billing question",
    [
        ("customer", "Why was I charged twice this month?"),
        ("agent", "You were not: the second line is a refund. It shows tomorrow."),
        ("customer", "Great, thank you."),
    ],
)


def say(text: str) -> None:
    print(f"\n=== {text}", flush=True)


class Webhooks:
    """Receives the WEBHOOK actions of the dev stack's rules (http://127.0.0.1:8788/hooks/...)."""

    def __init__(self) -> None:
        self.received: Counter[str] = Counter()
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                received[self.path] += 1
                self.send_response(204)
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                pass

        try:
            self.server: HTTPServer | None = HTTPServer(("127.0.0.1", WEBHOOK_PORT), Handler)
        except OSError:
            self.server = None  # port taken: deliveries are retried by the emulator, no harm
            return
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        if self.server:
            self.server.shutdown()


def free_port(preferred: int) -> int:
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", preferred)) != 0:
            return preferred
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_emulator(port: int) -> subprocess.Popen[str]:
    STATE_DIR.mkdir(exist_ok=True)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "twilio_emulator",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--state-file",
            str(STATE_DIR / "emulator.db"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/__emulator__/health", timeout=1).is_success:
                return process
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the emulator did not start within 30 s")


def pulumi(env: dict[str, str], *args: str) -> str:
    result = run_captured(
        ["pulumi", *args, "--stack", STACK, "--non-interactive"], cwd=ROOT, env=env
    )
    if result.returncode != 0:
        print(result.stdout, result.stderr, sep="\n")
        raise SystemExit(f"pulumi {' '.join(args)} failed")
    return result.stdout


def show_resources(output: str) -> None:
    for line in output.splitlines():
        if (
            "twilio-intelligence:" in line
            and ("created" in line or "replaced" in line or "updated" in line or "deleted" in line)
        ) or (line.strip().startswith(("+ ", "~ ", "+-", "- ")) and line.strip()[2:3].isdigit()):
            print("   ", line.strip())


def converse(api: httpx.Client, config_id: str, name: str, messages: list[tuple[str, str]]) -> str:
    def sms() -> Iterator[tuple[str, str, str]]:
        for sender, text in messages:
            author, recipient = (
                (CUSTOMER, SUPPORT_LINE) if sender == "customer" else (SUPPORT_LINE, CUSTOMER)
            )
            print(f"    {sender:>8}: {text}")
            yield author, recipient, text

    conversation_id = simulate_sms_conversation(api, config_id, sms(), name=name)
    api.put(f"/v2/Conversations/{conversation_id}", json={"status": "CLOSED"}).raise_for_status()
    return conversation_id


def show_results(api: httpx.Client, conversation_id: str) -> list[dict[str, Any]]:
    results = operator_results(api, conversation_id)
    names = {
        o["id"]: o["displayName"]
        for o in api.get("/v3/ControlPlane/Operators", params={"pageSize": 1000}).json()["items"]
    }
    for result in sorted(results, key=lambda r: r["dateCreated"]):
        operator = names.get(result["operator"]["id"], result["operator"]["id"])
        trigger = result["executionDetails"]["trigger"]["on"]
        print(f"    {operator:<24} {trigger:<14} {json.dumps(result['result'])[:70]}")
        context = result["executionDetails"].get("resolvedContext") or {}
        for source in (context.get("knowledge") or {}).get("sources", []):
            print(f"    {'':<24} knowledge read: {source['baseId']} / {source['sourceId']}")
    return results


def change_rule(env: dict[str, str], admin: httpx.Client, first_config: str) -> None:
    """Deploy the rule change and print the writes it made, in order."""
    say("Rule change: the wrap-up rule also runs Twilio's Summary operator")
    mark = admin.get("/requests", params={"since": 2**62}).json()["lastSeq"]
    show_resources(
        pulumi(
            env,
            "up",
            "--yes",
            "--skip-preview",
            "--config-file",
            "stacks/demo/Pulumi.dev-rule-change.yaml",
        )
    )
    writes = [
        r
        for r in admin.get("/requests", params={"since": mark}).json()["requests"]
        if r["method"] in ("POST", "PUT", "PATCH", "DELETE")
    ]
    print("    writes, in order:")
    for request in writes:
        print(f"      {request['method']:<6} {request['path']}  -> {request['status']}")
    if any(r["method"] == "PUT" and r["path"].startswith(V3) for r in writes):
        raise SystemExit("an Intelligence Configuration was PUT: that deactivates it")
    outputs = json.loads(pulumi(env, "stack", "output", "--json"))
    second_config = outputs["intelligenceConfigurations"]["support-analytics"]
    print(f"    {first_config} replaced by {second_config}; never PUT")


def main() -> int:
    bin_dir = engine.ensure()
    port = free_port(8787)
    say(f"Starting the Twilio emulator on http://127.0.0.1:{port} (state: .pulumi/emulator.db)")
    emulator = start_emulator(port)
    webhooks = Webhooks()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        **engine.offline_env(bin_dir),
        "TWILIO_BASE_URL": base,
        "TWILIO_ACCOUNT_SID": DEFAULT_ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": DEFAULT_AUTH_TOKEN,
    }
    api = httpx.Client(base_url=base, auth=(DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN), timeout=30)
    admin = httpx.Client(base_url=f"{base}/__emulator__", timeout=30)
    try:
        subprocess.run(
            ["pulumi", "stack", "select", "--create", STACK, "--non-interactive"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            check=True,
        )
        say("pulumi up --stack dev  (stacks/dev.yaml, which extends stacks/base.yaml)")
        show_resources(pulumi(env, "up", "--yes", "--skip-preview", "--refresh"))
        outputs = json.loads(pulumi(env, "stack", "output", "--json"))
        conversation_config = outputs["conversationConfigurations"]["support"]
        first_config = outputs["intelligenceConfigurations"]["support-analytics"]
        print(f"    Conversation Orchestrator configuration {conversation_config}")
        print(f"    linked to Intelligence Configuration   {first_config}")

        say("A customer texts the support line; the agent answers; the conversation ends")
        first = converse(api, conversation_config, *LATE_DELIVERY)
        say("OperatorResults produced by the deployed rules")
        show_results(api, first)

        change_rule(env, admin, first_config)

        say("A second conversation: results still flow, now with the Summary")
        second = converse(api, conversation_config, *BILLING_QUESTION)
        say("OperatorResults of the second conversation")
        results = show_results(api, second)
        if webhooks.server:
            time.sleep(0.5)
            print(f"\n    webhook deliveries received: {dict(webhooks.received)}")
        say("Done")
        print(f"    {len(results)} results from the replaced configuration. Try next:")
        print("      make emulator                     # keep the emulator running on :8787")
        print("      python tools/engine.py env --repo # the engine, this project's backend")
        print("      pulumi preview --stack dev        # (with that environment and TWILIO_*)")
        print("    Running `make demo` again returns the dev stack to stacks/dev.yaml first.")
        return 0 if results else 1
    finally:
        api.close()
        admin.close()
        webhooks.close()
        emulator.terminate()
        emulator.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
