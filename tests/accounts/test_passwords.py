"""Passwords are stored with Argon2, and users are created only in organisations of their kind."""

from __future__ import annotations

import pytest

from clearinghouse.accounts.models import Organisation, Role
from clearinghouse.accounts.services import create_user

pytestmark = pytest.mark.django_db


def test_passwords_are_hashed_with_argon2():
    lab = Organisation.objects.create(name="Lab", kind="lab")
    user = create_user(
        username="dev", password="long-password-1", role=Role.DEVELOPER, organisation=lab
    )
    assert user.password.startswith("argon2$")
    assert user.check_password("long-password-1")


def test_a_role_must_match_its_organisation_kind():
    bank = Organisation.objects.create(name="Bank", kind="operator", sector="financial_services")
    with pytest.raises(ValueError, match="AI lab"):
        create_user(
            username="x", password="long-password-1", role=Role.DEVELOPER, organisation=bank
        )
    with pytest.raises(ValueError, match="must belong"):
        create_user(username="y", password="long-password-1", role=Role.OPERATOR, organisation=None)
