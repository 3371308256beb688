"""Django app configuration for vulnerability intake."""

from django.apps import AppConfig


class IntakeConfig(AppConfig):
    """Registers the intake app and its visibility rules."""

    name = "clearinghouse.intake"
    label = "intake"
    verbose_name = "Vulnerability intake"

    def ready(self) -> None:
        from . import permissions  # noqa: F401  (registers visibility rules)
