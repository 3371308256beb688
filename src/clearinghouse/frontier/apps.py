"""Django app configuration for the frontier model registry."""

from django.apps import AppConfig


class FrontierConfig(AppConfig):
    """Registers the frontier app and its visibility rules."""

    name = "clearinghouse.frontier"
    label = "frontier"
    verbose_name = "Frontier model registry"

    def ready(self) -> None:
        from . import permissions  # noqa: F401  (registers visibility rules)
