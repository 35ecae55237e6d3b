"""Unit and property tests of the provider package (no engine; the emulator only where noted)."""
