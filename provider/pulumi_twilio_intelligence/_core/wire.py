"""Values of the engine's wire protocol that several layers need, in a module that imports nothing
(the Pulumi program must stay light: see _pulumi.providers)."""

# The engine's marker for a value not known yet during preview (pulumi.runtime.rpc.UNKNOWN).
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
