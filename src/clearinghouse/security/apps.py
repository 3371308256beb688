"""Django app configuration for the production defences."""

from django.apps import AppConfig


class SecurityConfig(AppConfig):
    """Registers the deploy checks (`clearinghouse check --deploy`) and the lockout page."""

    name = "clearinghouse.security"
    label = "security"
    verbose_name = "Security"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the checks)
