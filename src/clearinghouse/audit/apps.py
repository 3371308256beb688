"""Django app configuration for the audit log."""

from django.apps import AppConfig


class AuditConfig(AppConfig):
    """Registers the audit app."""

    name = "clearinghouse.audit"
    label = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        """Register the deploy checks (the signing key)."""
        from . import checks  # noqa: F401
