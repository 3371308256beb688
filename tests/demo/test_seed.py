"""The demo seeds what a newcomer needs to try every role, and seeding twice changes nothing."""

from __future__ import annotations

import pytest

from clearinghouse.accounts.models import Organisation, Role, User
from clearinghouse.audit.services import first_broken_link
from clearinghouse.demo.seed import seed
from clearinghouse.frontier.models import AIModel

# transaction=True: the demo assessment run commits its progress from Inspect's threads
pytestmark = pytest.mark.django_db(transaction=True)


def test_demo_has_every_role_and_both_kinds_of_model_per_lab(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    users = seed()
    roles = {user.role for user in users}
    assert roles == {role.value for role in Role}
    labs = Organisation.objects.filter(kind="lab")
    assert labs.count() == 2
    for lab in labs:
        assert {m.covered for m in AIModel.objects.filter(organisation=lab)} == {True, False}
    tracks = set(Organisation.objects.filter(kind="agency").values_list("track", flat=True))
    assert tracks == {"national_security", "civilian"}
    sectors = set(Organisation.objects.filter(kind="operator").values_list("sector", flat=True))
    assert sectors == {"energy", "financial_services"}
    counts = (User.objects.count(), AIModel.objects.count())
    seed()
    assert (User.objects.count(), AIModel.objects.count()) == counts
    assert first_broken_link() is None
