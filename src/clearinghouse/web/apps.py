"""Django app configuration for shared pages."""

from django.apps import AppConfig


class WebConfig(AppConfig):
    """Registers templates and static files shared by every app's pages."""

    name = "clearinghouse.web"
    label = "web"
    verbose_name = "Web pages"
