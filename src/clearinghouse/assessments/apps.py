"""Django app configuration for security assessments."""

from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    """Registers the assessments app, its visibility rules and its Inspect progress hook."""

    name = "clearinghouse.assessments"
    label = "assessments"
    verbose_name = "Security assessments"

    def ready(self) -> None:
        from . import permissions  # noqa: F401  (registers visibility rules)
