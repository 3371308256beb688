"""Which policies exist (files) and which is active (the newest activation in the database)."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from clearinghouse.core.policy import DEFAULT_POLICY_ID, Policy, load_policies

from .models import PolicyActivation


@cache
def available_policies() -> dict[str, Policy]:
    """All policy files of the configured directory, loaded once per process."""
    return load_policies(settings.CLEARINGHOUSE_POLICY_DIR)


def get_policy(policy_id: str) -> Policy:
    """A policy by id; a KeyError names the ones that exist."""
    policies = available_policies()
    if policy_id not in policies:
        raise KeyError(f"unknown policy {policy_id!r}; available: {', '.join(sorted(policies))}")
    return policies[policy_id]


def active_policy() -> Policy:
    """The policy in force: the newest activation, or the default when none was recorded."""
    activation = PolicyActivation.objects.first()
    policy_id = activation.policy_id if activation else DEFAULT_POLICY_ID
    try:
        return get_policy(policy_id)
    except KeyError as error:
        raise ImproperlyConfigured(f"the active policy file is missing: {error}") from None
