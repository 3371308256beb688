"""Django app configuration for operator scanning."""

from django.apps import AppConfig


class AssetsConfig(AppConfig):
    """Registers the assets app, its visibility rules, and re-matching on advisory changes."""

    name = "clearinghouse.assets"
    label = "assets"
    verbose_name = "Operator scanning"

    def ready(self) -> None:
        from clearinghouse.advisories.signals import advisories_changed

        from . import permissions  # noqa: F401  (registers visibility rules)
        from .tasks import enqueue_rematch

        advisories_changed.connect(enqueue_rematch, dispatch_uid="assets.rematch")
