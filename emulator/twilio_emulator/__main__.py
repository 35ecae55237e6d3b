"""``python -m twilio_emulator`` / ``twilio-emulator``: serve all three APIs on one origin."""

from __future__ import annotations

import argparse
import os
import sys

from .defaults import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, ENV_ACCOUNT_SID, ENV_AUTH_TOKEN
from .domain import Emulator
from .server import bind_socket, make_server
from .web import create_app

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="twilio-emulator",
        description="Local emulator of Twilio Intelligence v3 (/v3), Conversations v2 (/v2)"
        " and Memory v1 (/v1) on one origin.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8787, help="port (default 8787; 0 = any free)")
    parser.add_argument(
        "--state-file",
        default=None,
        help="SQLite file that keeps state across restarts (default: in memory)",
    )
    parser.add_argument(
        "--account-sid",
        default=os.environ.get(ENV_ACCOUNT_SID, DEFAULT_ACCOUNT_SID),
        help=f"SID of the default account (env {ENV_ACCOUNT_SID})",
    )
    parser.add_argument(
        "--auth-token",
        default=os.environ.get(ENV_AUTH_TOKEN, DEFAULT_AUTH_TOKEN),
        help=f"auth token of the default account (env {ENV_AUTH_TOKEN})",
    )
    parser.add_argument(
        "--log-level",
        default="warning",
        choices=("critical", "error", "warning", "info", "debug"),
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    emulator = Emulator(args.state_file, account_sid=args.account_sid, auth_token=args.auth_token)
    sock = bind_socket(args.host, args.port)
    host, port = sock.getsockname()[:2]
    shown_host = f"[{host}]" if ":" in host else host
    url = f"http://{shown_host}:{port}"

    def ready() -> None:
        creds = emulator.default_credentials
        print(
            f"Twilio emulator ready at {url}"
            f" (account {creds.account_sid}, auth token {creds.auth_token})",
            flush=True,
        )

    server = make_server(
        create_app(emulator),
        log_level=args.log_level,
        access_log=args.log_level in ("info", "debug"),
        on_ready=ready,
    )
    try:
        server.run(sockets=[sock])
    finally:
        emulator.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
