"""The auth token never shows: not in state, verbose logs, drift reports, exports or errors.

Each test gives the token one way (a secret in stack config, or the environment), then deploys,
changes and reads the dev stack with the engine at ``-v=9`` and the drift command in every
format, provokes errors (a failed create, a wrong token: 401), and searches everything the run
left behind for the token and for the HTTP Basic credentials that carry it.

Pulumi itself, not this provider, handles a secret in stack config in two ways worth knowing
(README, "Credentials"): the engine passes the whole stack config to a dynamic provider and keeps
it, encrypted, as that provider's inputs in state, so ``pulumi stack export --show-secrets``
prints it there; and at ``-v=9`` it prints the plaintext of secret provider config when it
marshals the plugin's ``Configure`` request. Those occurrences are counted apart and reported;
everything else must be zero. With credentials from the environment, everything is zero.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Deployment
from tests.e2e.drift_cli import FORMATS, twilio_intelligence
from tools.pulumi_project import PulumiProject

pytestmark = pytest.mark.e2e

# The engine's v=9 line for the plaintext of a secret provider-config value.
ENGINE_CONFIGURE_LINE = re.compile(
    r"Marshaling property for RPC\[Provider\[[^\]]*\]\.Configure\(\)\.inputs\]: value="
)
ENGINE_PROVIDER_TYPE = "pulumi:providers:pulumi-python"


@dataclass
class Search:
    """Where the token (or its Basic-auth encoding) was found, by source."""

    needles: tuple[str, ...]
    found: dict[str, int] = field(default_factory=dict)
    engine: dict[str, int] = field(default_factory=dict)  # Pulumi's own, explained above

    def count(self, where: str, text: str) -> None:
        ours = engine = 0
        for line in text.splitlines():
            hits = sum(line.count(needle) for needle in self.needles)
            if hits and ENGINE_CONFIGURE_LINE.search(line):
                engine += hits
            else:
                ours += hits
        self.found[where] = self.found.get(where, 0) + ours
        if engine:
            self.engine[where] = self.engine.get(where, 0) + engine

    def state(self, where: str, exported: dict[str, Any]) -> None:
        """Count in a state export, the engine's record of the plugin's config apart."""
        deployment = exported.get("deployment") or {}
        for resource in deployment.get("resources") or []:
            text = json.dumps(resource)
            if resource["type"] == ENGINE_PROVIDER_TYPE:
                hits = sum(text.count(needle) for needle in self.needles)
                if hits:
                    self.engine[where] = self.engine.get(where, 0) + hits
            else:
                self.count(where, text)
        rest = {k: v for k, v in deployment.items() if k != "resources"}
        self.count(where, json.dumps(rest))


def _files(root: Path) -> Iterator[Path]:
    return (path for path in sorted(root.rglob("*")) if path.is_file())


def _automatic_logs(project: PulumiProject) -> Iterator[tuple[str, str]]:
    """The engine's automatic logs in PULUMI_HOME/logs, decrypted (they are stored encrypted
    with the stack's secrets provider, or gzipped)."""
    for path in _files(Path(project.env["PULUMI_HOME"]) / "logs"):
        proc = subprocess.run(
            ["pulumi", "logs", "decrypt", str(path)],
            cwd=project.project_dir,
            env=project.env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert proc.returncode == 0, f"pulumi logs decrypt {path.name}: {proc.stderr}"
        yield path.name, proc.stdout


def _use_token(d: Deployment, source: str, account_sid: str, token: str) -> None:
    if source == "environment":
        d.pulumi.env.update(TWILIO_ACCOUNT_SID=account_sid, TWILIO_AUTH_TOKEN=token)
    else:
        d.pulumi.run("config", "set", "--secret", "twilio:authToken", token)
        assert token not in d.stack_file("Pulumi.dev").read_text(), "stored encrypted"


def _output(result: subprocess.CompletedProcess[str]) -> str:
    return result.stdout + result.stderr


@pytest.mark.parametrize("source", ["secret stack config", "environment"])
def test_the_auth_token_appears_nowhere(
    deployment: Deployment, tmp_path: Path, source: str
) -> None:
    d = deployment
    token = secrets.token_hex(16)
    account = d.emulator.create_account(authToken=token)
    wrong = secrets.token_hex(16)  # a wrong token is a credential too

    def basic(password: str) -> str:
        return base64.b64encode(f"{account.account_sid}:{password}".encode()).decode()

    search = Search((token, basic(token), wrong, basic(wrong)))

    glog_dir = tmp_path / "glog"  # where -v=9 without --logtostderr writes (TMPDIR)
    glog_dir.mkdir()
    env = d.pulumi.env
    for key in ("TWILIO_AUTH_TOKEN", "TWILIO_ACCOUNT_SID", "TWILIO_API_KEY", "TWILIO_API_SECRET"):
        env.pop(key, None)
    env["TMPDIR"] = str(glog_dir)
    if source != "environment":
        env.pop("TWILIO_BASE_URL")
        d.pulumi.run("config", "set", "twilio:accountSid", account.account_sid)
        d.pulumi.run("config", "set", "twilio:baseUrl", d.emulator.url)
    _use_token(d, source, account.account_sid, token)

    verbose = ("-v=9", "--logtostderr", "--logflow")
    search.count("up -v=9 --logtostderr --logflow", _output(d.pulumi.up(*verbose)))

    # A failed create: the error names the request and Twilio's message, never the credentials.
    d.edit("explain why in one sentence.", "explain why in at most ten words.")
    d.emulator.inject_fault(
        "error", method="POST", path="^/v3/ControlPlane/Operators$", status=400, count=1
    )
    failed = d.pulumi.up(*verbose, check=False)
    assert failed.returncode != 0
    assert "POST /v3/ControlPlane/Operators -> HTTP 400" in failed.stdout
    search.count("error: failed create", _output(failed))
    search.count("up -v=9 (logs to files)", _output(d.pulumi.up("-v=9")))
    search.count(
        "preview --refresh -v=9 --logtostderr --logflow",
        _output(d.pulumi.preview("--refresh", "--expect-no-changes", *verbose)),
    )

    for fmt in FORMATS:
        run = twilio_intelligence(d, "drift", "--stack", "dev", "--format", fmt)
        assert run.code == 0, run.stdout + run.stderr
        search.count(f"drift --format {fmt}", run.stdout + run.stderr)
    exported = twilio_intelligence(d, "export", "--stack", "dev")
    assert exported.code == 0, exported.stderr
    search.count("twilio-intelligence export", exported.stdout + exported.stderr)

    search.state("pulumi stack export", d.pulumi.export())
    search.state(
        "pulumi stack export --show-secrets",
        json.loads(d.pulumi.run("stack", "export", "--show-secrets").stdout),
    )
    backend = list(_files(d.pulumi.workdir / "backend"))
    for path in backend:  # state, its history and backups
        search.count(f"backend files ({len(backend)})", path.read_text(errors="replace"))
    logs = list(_automatic_logs(d.pulumi))
    for _, text in logs:
        search.count(f"PULUMI_HOME/logs, decrypted ({len(logs)} files)", text)
    glogs = list(_files(glog_dir))
    assert glogs, "-v=9 wrote no log file"
    for path in glogs:
        search.count("-v=9 log files", path.read_text(errors="replace"))

    # A wrong token: 401 from the engine run and from the drift command, naming neither token.
    # (A refresh would still succeed with a token from stack config: the engine refreshes with
    # the provider config recorded in state. A change uses the new config.)
    _use_token(d, source, account.account_sid, wrong)
    d.edit("explain why in at most ten words.", "explain why in one sentence.")
    denied = d.pulumi.up(*verbose, check=False)
    assert denied.returncode != 0
    assert "HTTP 401" in denied.stdout
    search.count("error: 401 (up)", _output(denied))
    for fmt in FORMATS:
        run = twilio_intelligence(d, "drift", "--stack", "dev", "--format", fmt)
        assert run.code == 1
        assert "401" in run.stdout
        search.count(f"error: 401 (drift --format {fmt})", run.stdout + run.stderr)

    print(f"\nauth token from {source}: occurrences by place (all must be 0):")
    for where, count in search.found.items():
        print(f"  {count}  {where}")
    print(f"  Pulumi's own handling of secret provider config: {search.engine or 'none'}")
    assert sum(search.found.values()) == 0, {k: v for k, v in search.found.items() if v}
    if source == "environment":
        assert search.engine == {}
    else:
        # Only the engine's own records of the provider config, as documented in the README.
        assert set(search.engine) <= {
            "pulumi stack export --show-secrets",
            "up -v=9 --logtostderr --logflow",
            "error: failed create",
            "preview --refresh -v=9 --logtostderr --logflow",
            "error: 401 (up)",
            "-v=9 log files",
        }, search.engine
