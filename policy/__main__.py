"""The policy pack's entry point: the engine runs this directory (see PulumiPolicy.yaml)."""

from pulumi_twilio_intelligence.policy.crossguard import serve

serve()
