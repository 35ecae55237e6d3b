"""Physical names: the logical name plus a short suffix, unless the user sets displayName.

The suffix is derived, never random, so that a run which crashed after a create finds the object
again under the same name. It hashes the project, stack and logical name, and for resources that
are replaced on change (operators, intelligence configurations) also their content: a replacement
gets a new name, which lets the new object exist beside the old one (create before delete).
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

SUFFIX_LENGTH = 6


def suffix(*parts: Any) -> str:
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()
    return digest[:SUFFIX_LENGTH]


def physical_name(
    logical: str,
    scope: tuple[str, str],
    *,
    content: Any = None,
    max_length: int = 128,
    allowed: str = r"[^a-zA-Z0-9-]",
) -> str:
    """``<logical>-<suffix>``, with characters outside ``allowed`` replaced and the logical part
    shortened so the whole fits ``max_length``."""
    tail = suffix(scope, logical, content)
    base = re.sub(allowed, "-", logical).strip("-") or "resource"
    base = base[: max_length - SUFFIX_LENGTH - 1]
    return f"{base}-{tail}"
