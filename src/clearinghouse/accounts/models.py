"""Who is who: organisations of the program's kinds, their users' roles, and hashed API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models

from clearinghouse.core.sectors import Sector


class OrganisationKind(models.TextChoices):
    """The kinds of organisation that take part in the program (DESIGN.md §1)."""

    LAB = "lab", "AI lab"
    AGENCY = "agency", "Government agency"
    VENDOR = "vendor", "Software vendor"
    OPERATOR = "operator", "Critical-infrastructure operator"
    CLEARINGHOUSE = "clearinghouse", "Clearinghouse"


class ReviewTrack(models.TextChoices):
    """The two review tracks of the pre-deployment review."""

    NATIONAL_SECURITY = "national_security", "National security"
    CIVILIAN = "civilian", "Civilian"


#: CISA's sectors as model choices, from the one list in the core.
SECTOR_CHOICES = [(sector.value, sector.label) for sector in Sector]


class Organisation(models.Model):
    """A tenant: everything it submits is visible to it and to the roles the workflow names."""

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=OrganisationKind.choices)
    sector = models.CharField(
        max_length=40, choices=SECTOR_CHOICES, blank=True, help_text="Operators only."
    )
    track = models.CharField(
        max_length=20, choices=ReviewTrack.choices, blank=True, help_text="Agencies only."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="operator") | models.Q(sector=""),
                name="organisation_sector_only_for_operators",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="operator") | ~models.Q(sector=""),
                name="organisation_operator_has_sector",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="agency") | models.Q(track=""),
                name="organisation_track_only_for_agencies",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="agency") | ~models.Q(track=""),
                name="organisation_agency_has_track",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    """What a user does in the program (DESIGN.md §1); `public` is the anonymous visitor."""

    DEVELOPER = "developer", "Developer (AI lab)"
    REVIEWER = "reviewer", "Reviewer (agency)"
    COORDINATOR = "coordinator", "Coordinator (clearinghouse)"
    VENDOR = "vendor", "Vendor"
    OPERATOR = "operator", "Operator"
    ADMIN = "admin", "Administrator"


#: The organisation kind each role belongs to; admins belong to the clearinghouse.
ROLE_ORGANISATION_KIND = {
    Role.DEVELOPER: OrganisationKind.LAB,
    Role.REVIEWER: OrganisationKind.AGENCY,
    Role.COORDINATOR: OrganisationKind.CLEARINGHOUSE,
    Role.VENDOR: OrganisationKind.VENDOR,
    Role.OPERATOR: OrganisationKind.OPERATOR,
    Role.ADMIN: OrganisationKind.CLEARINGHOUSE,
}


class User(AbstractUser):
    """A person with one role in one organisation."""

    role = models.CharField(max_length=20, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="members"
    )
    is_agency_lead = models.BooleanField(
        default=False, help_text="Agency reviewers only: assigns reviewers of the agency's track."
    )

    @property
    def is_program_admin(self) -> bool:
        """Whether the user administers the platform; the rule is `permissions.is_program_admin`."""
        from .permissions import is_program_admin

        return is_program_admin(self)


class ApiToken(models.Model):
    """A bearer token for the API and CLI; only its SHA-256 is stored, the token is shown once.

    Tokens are 256-bit random strings, so a fast hash is safe here (no dictionary to guess from).
    """

    PREFIX = "chk_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12, help_text="First characters, to recognise a token.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @staticmethod
    def digest_of(token: str) -> str:
        """The stored form of a token."""
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def new_secret(cls) -> str:
        """A fresh token string, recognisable by its prefix in logs and secret scanners."""
        return cls.PREFIX + secrets.token_urlsafe(32)


class ProviderIdentity(models.Model):
    """A person at a single sign-on provider (issuer, subject) and the user they sign in as.

    The pair is the provider's stable name for the person (OpenID Connect Core §5.7); an
    e-mail address can change hands, so a user is never found by e-mail.
    """

    issuer = models.CharField(max_length=500)
    subject = models.CharField(max_length=255)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="provider_identities")
    created_at = models.DateTimeField(auto_now_add=True)
    last_signed_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="provider_identity_unique")
        ]

    def __str__(self) -> str:
        return f"{self.subject} at {self.issuer}"
