"""The ``twilio-intelligence`` command: a drift report for pipelines, and export of a live account.

Both are read-only and reuse the reconciling core (``_reconcile``): live objects are listed a whole
collection at a time and handed to each reconciler's ``observe``; nothing here diffs on its own.

* ``.._project`` (shared with the policy command): the Pulumi project, its stacks, their config
  and recorded state (``pulumi``).
* ``state``, ``desired``: what Pulumi recorded; the desired-state file with references resolved.
* ``live``: the account, read with list calls through a transport that only sends GETs.
* ``compare``, ``health``: per-object verdicts; silent Intelligence Configurations.
* ``report``, ``render``, ``mask``: the report, its three formats, secrets masked.
* ``export``: a desired-state file that adopts every object of an account.
"""

from .cli import main

__all__ = ["main"]
