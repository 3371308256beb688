"""Django app configuration for background work (worker heartbeats and the sweep)."""

from django.apps import AppConfig


class BackgroundConfig(AppConfig):
    """Registers the background app (its one table: worker heartbeats)."""

    name = "clearinghouse.background"
    label = "background"
    verbose_name = "Background work"
