"""``twilio-intelligence verify``: run each deployed rule on demand and check that it produces
results (``command`` does the work, ``cli`` is its command line, ``report`` prints it)."""

from .command import VerifyOptions, run_verify
from .execute import Wait
from .report import VerifyReport, render

__all__ = ["VerifyOptions", "VerifyReport", "Wait", "render", "run_verify"]
