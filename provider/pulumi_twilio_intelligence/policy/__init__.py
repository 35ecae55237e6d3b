"""Policies a Twilio Conversation Intelligence team enforces before deploying.

The checks live in :mod:`.checks`, written once. They run as a Pulumi CrossGuard policy pack
(``pulumi preview --policy-pack policy``, see ``policy/`` and :mod:`.crossguard`) and as a
command that needs no engine (``python -m pulumi_twilio_intelligence.policy``, :mod:`.cli`).
"""

from .base import Finding, Policy, Settings, Subject
from .checks import POLICIES, evaluate, has_injection_guard

__all__ = [
    "POLICIES",
    "Finding",
    "Policy",
    "Settings",
    "Subject",
    "evaluate",
    "has_injection_guard",
]
