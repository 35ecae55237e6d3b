"""The desired-state loader's private package; ``stackfile`` is its public face."""
