"""E-mail and signed webhooks for workflow events; delivery never blocks the workflow."""
