"""``python -m pulumi_twilio_intelligence.policy``: the policy checks without the engine."""

import sys

from .cli import main

sys.exit(main())
