"""The Twilio client: the HTTP transport (``http``: retries that never duplicate a write), one
method per operation (``api``), and the connector that resolves an account once and reuses its
client (``connector``). Knows nothing of Pulumi."""
