"""A faithful local emulator of Twilio Intelligence v3, Conversations v2 and Memory v1.

Start it with ``python -m twilio_emulator`` or, inside tests, with
:class:`twilio_emulator.testing.EmulatorServer` or the fixtures of
:mod:`twilio_emulator.pytest_plugin`. See emulator/README.md.
"""

from .defaults import (
    DEFAULT_ACCOUNT_SID,
    DEFAULT_API_KEY_SECRET,
    DEFAULT_API_KEY_SID,
    DEFAULT_AUTH_TOKEN,
    VERSION,
)
from .domain import Emulator
from .web import EmulatorApp, create_app

__version__ = VERSION

__all__ = [
    "DEFAULT_ACCOUNT_SID",
    "DEFAULT_API_KEY_SECRET",
    "DEFAULT_API_KEY_SID",
    "DEFAULT_AUTH_TOKEN",
    "Emulator",
    "EmulatorApp",
    "__version__",
    "create_app",
]
