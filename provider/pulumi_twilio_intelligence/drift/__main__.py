"""``python -m pulumi_twilio_intelligence.drift``: the ``twilio-intelligence`` script."""

import sys

from .cli import main

sys.exit(main())
