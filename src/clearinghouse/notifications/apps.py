"""Django app configuration for notifications."""

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Registers the notifications app and its visibility rules."""

    name = "clearinghouse.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from . import permissions  # noqa: F401  (registers visibility rules)
