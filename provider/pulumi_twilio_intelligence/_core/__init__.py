"""The core: what describes the resources, independent of Twilio's transport and of Pulumi
(field enumerations, the kind registry, typed references)."""
