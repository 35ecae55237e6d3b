"""Values of the engine's wire protocol that several layers need, in a module that imports nothing
(the Pulumi program must stay light: see _pulumi.providers)."""

from typing import Any

# The engine's marker for a value not known yet during preview (pulumi.runtime.rpc.UNKNOWN).
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def integral(value: Any, unknown: type | None = None) -> Any:
    """``value`` with whole floats as ints, through dicts and lists: the engine carries every
    number as a double, and the API (and a JSON reader) sees ``2`` where the engine has ``2.0``.
    Instances of ``unknown`` (the SDK's placeholder for a value not known during preview) become
    the UNKNOWN marker, which validation and naming know to skip."""
    if unknown is not None and isinstance(value, unknown):
        return UNKNOWN
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: integral(v, unknown) for k, v in value.items()}
    if isinstance(value, list):
        return [integral(v, unknown) for v in value]
    return value
