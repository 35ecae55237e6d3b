"""The emulator's own tests (run against in-process servers over real HTTP)."""
