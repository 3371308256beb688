"""The scanning workflow: upload an SBOM as an asset, change a finding's status, see impact.

Each state change is audited; findings' own creation is summarised per matching run.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from clearinghouse.accounts.models import OrganisationKind, Role, User
from clearinghouse.accounts.permissions import visible
from clearinghouse.advisories.models import Advisory, Severity
from clearinghouse.audit.services import record
from clearinghouse.core.formats.sbom import SbomError, read_sbom
from clearinghouse.core.scanning import matchable
from clearinghouse.errors import Conflict, FieldError, InvalidInput

from .matching import MatchOutcome, match_components
from .models import Asset, Component, Finding, Notification

#: Largest SBOM accepted (override with the CLEARINGHOUSE_MAX_SBOM_BYTES setting).
DEFAULT_MAX_SBOM_BYTES = 100 * 1024 * 1024
OPERATOR_STATUSES = (
    Finding.Status.OPEN,
    Finding.Status.ACCEPTED_RISK,
    Finding.Status.REMEDIATED,
)


def max_sbom_bytes() -> int:
    """The upload limit in force."""
    return int(getattr(settings, "CLEARINGHOUSE_MAX_SBOM_BYTES", DEFAULT_MAX_SBOM_BYTES))


def _require_operator(user: User) -> None:
    if not (
        user.role == Role.OPERATOR
        and user.organisation is not None
        and user.organisation.kind == OrganisationKind.OPERATOR
    ):
        raise PermissionDenied("only operators of critical infrastructure register assets")


def _components(asset: Asset, sbom_components: Iterable[Any]) -> Iterable[Component]:
    for item in sbom_components:
        key, problem = matchable(item)
        yield Component(
            asset=asset,
            name=item.name[:500],
            version=(item.version or "")[:200],
            purl=item.purl or "",
            ecosystem=key.ecosystem if key else "",
            ecosystem_base=key.ecosystem.partition(":")[0] if key else "",
            package=key.name[:500] if key else "",
            problem=problem or "",
        )


def upload_asset(user: User, *, name: str, data: bytes, filename: str = "") -> Asset:
    """An operator registers an SBOM as a named asset; every component is matched at once."""
    _require_operator(user)
    assert user.organisation is not None
    name = name.strip()
    problems = []
    if not name or len(name) > 200:
        problems.append(FieldError(("name",), "give the asset a name of 1 to 200 characters"))
    if len(data) > max_sbom_bytes():
        problems.append(FieldError(("sbom",), f"larger than the {max_sbom_bytes():,}-byte limit"))
    if problems:
        raise InvalidInput(problems)
    try:
        sbom = read_sbom(data, filename or None, max_bytes=max_sbom_bytes())
    except SbomError as error:
        raise InvalidInput.single("sbom", str(error)) from None
    with transaction.atomic():
        try:
            with transaction.atomic():
                asset = Asset.objects.create(
                    organisation=user.organisation,
                    name=name,
                    filename=filename[:255],
                    sbom_format=sbom.format.value,
                    spec_version=sbom.spec_version[:20],
                    size_bytes=len(data),
                    component_count=len(sbom.components),
                    uploaded_by=user,
                )
        except IntegrityError:
            raise Conflict(
                f"{user.organisation.name} already has an asset named {name!r}"
            ) from None
        Component.objects.bulk_create(_components(asset, sbom.components), batch_size=5000)
        outcome = match_components(list(asset.components.all()))
        record(
            actor=user,
            action="asset.uploaded",
            subject=asset,
            after={
                "name": name,
                "format": sbom.format.value,
                "components": len(sbom.components),
                "not_evaluable": asset.components.exclude(problem="").count(),
                "findings": len(outcome.opened),
            },
        )
    return asset


def change_finding_status(
    user: User,
    finding: Finding,
    *,
    status: str,
    reason: str = "",
    expires: dt.date | None = None,
) -> Finding:
    """The operator records what it did: accepted the risk (reason, expiry), remediated, open."""
    if not (
        user.is_program_admin
        or (user.role == Role.OPERATOR and finding.asset.organisation_id == user.organisation_id)
    ):
        raise PermissionDenied("only the operator that owns the asset changes its findings")
    if status not in OPERATOR_STATUSES:
        allowed = ", ".join(OPERATOR_STATUSES)
        raise InvalidInput.single("status", f"must be one of {allowed}")
    if finding.status == Finding.Status.RESOLVED:
        raise Conflict("the finding no longer applies (its advisory no longer matches)")
    if finding.status == status:
        raise Conflict(f"the finding is already {status}")
    if status == Finding.Status.ACCEPTED_RISK:
        problems = []
        if not reason.strip():
            problems.append(FieldError(("reason",), "say why the risk is accepted"))
        if expires is None or expires <= timezone.now().date():
            problems.append(FieldError(("expires",), "an accepted risk needs a future expiry"))
        if problems:
            raise InvalidInput(problems)
    before = _status_state(finding)
    finding.status = status
    finding.status_changed_at = timezone.now()
    accepted = status == Finding.Status.ACCEPTED_RISK
    finding.risk_reason = reason.strip() if accepted else ""
    finding.risk_expires = expires if accepted else None
    with transaction.atomic():
        finding.save(update_fields=["status", "status_changed_at", "risk_reason", "risk_expires"])
        record(
            actor=user,
            action="finding.status_changed",
            subject=finding,
            before=before,
            after=_status_state(finding),
        )
    return finding


def _status_state(finding: Finding) -> dict[str, Any]:
    return {
        "status": finding.status,
        "risk_reason": finding.risk_reason,
        "risk_expires": finding.risk_expires.isoformat() if finding.risk_expires else None,
    }


def open_findings(findings: QuerySet[Finding]) -> QuerySet[Finding]:
    """Findings still needing attention: open, or accepted risks whose acceptance expired."""
    today = timezone.now().date()
    return findings.filter(
        Q(status=Finding.Status.OPEN)
        | Q(status=Finding.Status.ACCEPTED_RISK, risk_expires__lt=today)
    )


def open_by_severity(user: User) -> dict[str, int]:
    """Counts of the user's visible open findings per advisory severity (dashboard)."""
    rows = (
        open_findings(visible(Finding, user))
        .values("advisory__severity")
        .annotate(count=Count("pk"))
    )
    counts = dict.fromkeys(Severity.values, 0)
    for row in rows:
        counts[row["advisory__severity"]] = row["count"]
    return counts


def impact(user: User, advisory: Advisory) -> list[dict[str, Any]]:
    """Per sector: how many operators, assets and components an advisory affects (coordinators).

    Findings that no longer apply or were remediated are not counted; unknown verdicts are.
    """
    if not (user.is_program_admin or user.role == Role.COORDINATOR):
        raise PermissionDenied("the impact view is for coordinators")
    findings = (
        visible(Finding, user)
        .filter(advisory=advisory)
        .exclude(status__in=[Finding.Status.RESOLVED, Finding.Status.REMEDIATED])
    )
    rows = (
        findings.values("asset__organisation__sector")
        .annotate(
            operators=Count("asset__organisation", distinct=True),
            assets=Count("asset", distinct=True),
            components=Count("component", distinct=True),
            unknown=Count("pk", filter=Q(verdict=Finding.Verdict.UNKNOWN)),
        )
        .order_by("-operators", "asset__organisation__sector")
    )
    return [
        {
            "sector": row["asset__organisation__sector"],
            "operators": row["operators"],
            "assets": row["assets"],
            "components": row["components"],
            "unknown": row["unknown"],
        }
        for row in rows
    ]


def notify_operators(opened: list[Finding]) -> list[Notification]:
    """Tell each operator about its new findings: a stored notice, and e-mail to its users."""
    by_organisation: dict[int, list[Finding]] = defaultdict(list)
    related = Finding.objects.filter(pk__in=[f.pk for f in opened]).select_related(
        "asset", "advisory", "component"
    )
    for finding in related.order_by("asset__name", "component__name", "advisory__osv_id"):
        by_organisation[finding.asset.organisation_id].append(finding)
    notices = []
    for organisation_id, findings in by_organisation.items():
        advisory_ids = sorted({f.advisory.osv_id for f in findings})
        subject = f"{len(findings)} new findings: {', '.join(advisory_ids[:5])}" + (
            " …" if len(advisory_ids) > 5 else ""
        )
        body = "\n".join(
            f"{f.asset.name}: {f.component} — {f.advisory.osv_id} ({f.verdict})" for f in findings
        )
        recipients = sorted(
            User.objects.filter(organisation_id=organisation_id, role=Role.OPERATOR, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
        notices.append(
            Notification.objects.create(
                organisation_id=organisation_id,
                subject=subject[:300],
                body=body,
                recipients=recipients,
                advisory_ids=advisory_ids,
            )
        )
        if recipients:
            send_mail(f"[Clearinghouse] {subject}", body, None, recipients)
    return notices


def record_rematch(outcome: MatchOutcome, advisory_ids: list[str]) -> None:
    """Audit a background re-match once per asset it changed."""
    opened: dict[int, int] = defaultdict(int)
    for finding in outcome.opened:
        opened[finding.asset_id] += 1
    for asset in Asset.objects.filter(pk__in=outcome.assets):
        record(
            actor=None,
            action="asset.rematched",
            subject=asset,
            after={"opened": opened[asset.pk], "advisories": advisory_ids[:100]},
        )
