"""Fixed, documented credentials of the account that always exists.

They are deliberately boring and public: the emulator is a local test double,
and tests on every machine must be able to hard-code them.
"""

from __future__ import annotations

__all__ = [
    "DEFAULT_ACCOUNT_SID",
    "DEFAULT_API_KEY_SECRET",
    "DEFAULT_API_KEY_SID",
    "DEFAULT_AUTH_TOKEN",
    "ENV_ACCOUNT_SID",
    "ENV_AUTH_TOKEN",
    "VERSION",
]

VERSION = "0.1.0"

# "AC" + 32 hex digits: valid for every account-SID pattern in the three specs.
DEFAULT_ACCOUNT_SID = "AC00000000000000000000000000000001"
DEFAULT_AUTH_TOKEN = "0123456789abcdef0123456789abcdef"  # noqa: S105 - public test credential
# API key of the default account: "SK" + 32 hex digits, like Twilio's.
DEFAULT_API_KEY_SID = "SK00000000000000000000000000000001"
DEFAULT_API_KEY_SECRET = "emulator-default-api-key-secret"  # noqa: S105 - public test credential

ENV_ACCOUNT_SID = "TWILIO_EMULATOR_ACCOUNT_SID"
ENV_AUTH_TOKEN = "TWILIO_EMULATOR_AUTH_TOKEN"  # noqa: S105 - a variable name, not a secret
