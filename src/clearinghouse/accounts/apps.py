"""Django app configuration for accounts."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Registers the accounts app."""

    name = "clearinghouse.accounts"
    label = "accounts"
    verbose_name = "Accounts and organisations"
