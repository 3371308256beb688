"""Django app configuration for the advisory store."""

from django.apps import AppConfig


class AdvisoriesConfig(AppConfig):
    """Registers the advisories app and its visibility rules."""

    name = "clearinghouse.advisories"
    label = "advisories"
    verbose_name = "Advisories"

    def ready(self) -> None:
        from . import permissions  # noqa: F401  (registers visibility rules)
