"""Facts copied from the reference documentation, for the tests to check the code against.

Each value here is written from the reference itself, NOT imported from (or copied out of) the
emulator or the provider. The emulator (``twilio_emulator.domain.output_schema``) and the provider
(``pulumi_twilio_intelligence._outputschema``) each keep their own copy ON PURPOSE, also written
from the reference, so that a mistake in one is caught by the others: do not make the product
code import these, nor these import the product code. The tests share this one copy.
"""

from __future__ import annotations

# intelligence-v3.md §4.10 "Not supported" (and gotchas.md A12): the output-schema keywords
# Twilio rejects, one line per type as the reference lists them.
_FOR_STRINGS = "minLength maxLength"
_FOR_OBJECTS = "patternProperties unevaluatedProperties propertyNames minProperties maxProperties"
_FOR_ARRAYS = "unevaluatedItems contains minContains maxContains uniqueItems"
UNSUPPORTED_OUTPUT_SCHEMA_KEYWORDS = frozenset(
    " ".join((_FOR_STRINGS, _FOR_OBJECTS, _FOR_ARRAYS)).split()
)
