"""Django app configuration for pre-deployment review."""

from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    """Registers the reviews app and its visibility rules."""

    name = "clearinghouse.reviews"
    label = "reviews"
    verbose_name = "Pre-deployment review"

    def ready(self) -> None:
        from . import permissions  # noqa: F401  (registers visibility rules)
