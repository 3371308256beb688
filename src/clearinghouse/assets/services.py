"""The scanning workflow: upload an SBOM as an asset, change a finding's status, see impact.

Each state change is audited; findings' own creation is summarised per matching run.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import CharField, Count, Q, QuerySet
from django.db.models.functions import Cast, TruncDate
from django.utils import timezone

from clearinghouse.accounts.models import OrganisationKind, Role, User
from clearinghouse.accounts.permissions import visible
from clearinghouse.advisories.models import Advisory, Severity
from clearinghouse.audit.models import AuditEvent
from clearinghouse.audit.services import Entry, record, record_many
from clearinghouse.core.formats.sbom import SbomError, read_sbom
from clearinghouse.core.scanning import matchable
from clearinghouse.errors import Conflict, FieldError, InvalidInput
from clearinghouse.notifications.models import Delivery, WebhookEndpoint
from clearinghouse.notifications.services import notify

from .matching import MatchOutcome, close_findings, match_components
from .models import Asset, AssetRevision, Component, Finding

#: Largest SBOM accepted (override with the CLEARINGHOUSE_MAX_SBOM_BYTES setting).
DEFAULT_MAX_SBOM_BYTES = 100 * 1024 * 1024
#: Findings listed in one notice (the rest are counted, and on the operator's dashboard).
NOTIFIED_FINDINGS = 500
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


def _read(data: bytes, filename: str, problems: list[FieldError] | None = None) -> Any:
    problems = problems or []
    if len(data) > max_sbom_bytes():
        problems.append(FieldError(("sbom",), f"larger than the {max_sbom_bytes():,}-byte limit"))
    if problems:
        raise InvalidInput(problems)
    try:
        return read_sbom(data, filename or None, max_bytes=max_sbom_bytes())
    except SbomError as error:
        raise InvalidInput.single("sbom", str(error)) from None


def _identity(component: Component) -> tuple[str, str, str]:
    return (component.name, component.version, component.purl)


def replace_sbom(user: User, asset: Asset, *, data: bytes, filename: str = "") -> AssetRevision:
    """The operator uploads a new version of an asset's SBOM; components are diffed.

    Components in both versions (same name, version and purl) keep their findings and the
    operator's statuses; new ones are matched; removed ones are kept, marked removed, and
    their findings closed as "no longer applies" (each change audited), so history stays.
    """
    if not (user.role == Role.OPERATOR and asset.organisation_id == user.organisation_id):
        raise PermissionDenied("only the operator that owns the asset replaces its SBOM")
    sbom = _read(data, filename)
    now = timezone.now()
    with transaction.atomic():
        asset = Asset.objects.select_for_update().get(pk=asset.pk)
        pool: dict[tuple[str, str, str], list[Component]] = defaultdict(list)
        for component in asset.components.filter(removed_at__isnull=True):
            pool[_identity(component)].append(component)
        added, kept = [], 0
        for component in _components(asset, sbom.components):
            if pool.get(_identity(component)):
                pool[_identity(component)].pop()
                kept += 1
            else:
                added.append(component)
        removed = [component for left in pool.values() for component in left]
        Component.objects.filter(pk__in=[c.pk for c in removed]).update(removed_at=now)
        closed = close_findings(
            Finding.objects.filter(component__in=[c.pk for c in removed]),
            "the component is no longer in the asset's SBOM",
        )
        Component.objects.bulk_create(added, batch_size=5000)
        outcome = match_components(added)
        before = {
            "revision": asset.revision,
            "filename": asset.filename,
            "components": asset.component_count,
        }
        asset.revision += 1
        asset.filename, asset.sbom_format = filename[:255], sbom.format.value
        asset.spec_version, asset.size_bytes = sbom.spec_version[:20], len(data)
        asset.component_count, asset.uploaded_by, asset.uploaded_at = (
            len(sbom.components),
            user,
            now,
        )
        asset.save()
        revision = AssetRevision.objects.create(
            asset=asset,
            number=asset.revision,
            filename=asset.filename,
            sbom_format=asset.sbom_format,
            spec_version=asset.spec_version,
            size_bytes=len(data),
            component_count=len(sbom.components),
            added=len(added),
            removed=len(removed),
            kept=kept,
            uploaded_by=user,
        )
        record(
            actor=user,
            action="asset.sbom_replaced",
            subject=asset,
            before=before,
            after={
                "revision": asset.revision,
                "filename": asset.filename,
                "components": asset.component_count,
                "added": len(added),
                "removed": len(removed),
                "kept": kept,
                "findings_opened": len(outcome.opened),
                "findings_closed": closed,
            },
        )
    return revision


def upload_asset(user: User, *, name: str, data: bytes, filename: str = "") -> Asset:
    """An operator registers an SBOM as a named asset; every component is matched at once."""
    _require_operator(user)
    assert user.organisation is not None
    name = name.strip()
    problems = []
    if not name or len(name) > 200:
        problems.append(FieldError(("name",), "give the asset a name of 1 to 200 characters"))
    sbom = _read(data, filename, problems)
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
        AssetRevision.objects.create(
            asset=asset,
            number=1,
            filename=asset.filename,
            sbom_format=asset.sbom_format,
            spec_version=asset.spec_version,
            size_bytes=len(data),
            component_count=len(sbom.components),
            added=len(sbom.components),
            uploaded_by=user,
        )
        outcome = match_components(list(asset.components.all()))
        asset.refresh_from_db(fields=["matched_at"])  # set in bulk by the matcher
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


@dataclass(frozen=True)
class Trend:
    """Open findings per severity at the end of each day (the last day: now)."""

    days: list[dt.date]
    series: dict[str, list[int]]


#: Each finding's status as it was: (since, status, accepted-risk expiry).
_State = tuple[dt.datetime, str, dt.date | None]


def _was_open(status: str, expires: dt.date | None, day: dt.date) -> bool:
    return status == Finding.Status.OPEN or (
        status == Finding.Status.ACCEPTED_RISK and expires is not None and expires < day
    )


def open_trend(user: User, *, days: int = 30, now: dt.datetime | None = None) -> Trend:
    """How many of the user's visible findings were open, per severity, on each of `days` days.

    Rebuilt from each finding's creation and its audited status changes in the window
    (walking back from the current status through each change's `before`), so it shows what
    was true then, as `open_by_severity` counts it now (an expired accepted risk is open).
    Findings open throughout are counted by the database; only those that changed in the
    window, and accepted risks, are replayed one by one.
    """
    now = now or timezone.now()
    day_list = [now.date() - dt.timedelta(days=offset) for offset in range(days - 1, -1, -1)]
    # The moment each day is counted at: its last instant, or now for today.
    end_of = dt.timedelta(days=1) - dt.timedelta(microseconds=1)
    snapshots = [
        min(now, dt.datetime.combine(d, dt.time(), tzinfo=dt.UTC) + end_of) for d in day_list
    ]
    findings = visible(Finding, user)
    events = AuditEvent.objects.filter(
        action="finding.status_changed",
        object_type=Finding._meta.label_lower,
        occurred_at__gt=snapshots[0] - dt.timedelta(days=1),
        object_id__in=findings.annotate(key=Cast("pk", CharField())).values("key"),
    ).values_list("object_id", "occurred_at", "before", "after")
    changes: dict[int, list[tuple[dt.datetime, dict[str, Any], dict[str, Any]]]] = defaultdict(list)
    for object_id, occurred_at, before, after in events.order_by("sequence"):
        changes[int(object_id)].append((occurred_at, _state_of(before), _state_of(after)))
    series = {severity: [0] * days for severity in Severity.values}
    steady = (
        findings.filter(status=Finding.Status.OPEN, created_at__lte=now)
        .values_list("advisory__severity", TruncDate("created_at"))
        .annotate(count=Count("pk"))
    )
    for severity, created, count in steady:
        _add(series[severity], bisect.bisect_left(day_list, created), len(day_list), count)
    replayed = findings.filter(Q(pk__in=list(changes)) | Q(status=Finding.Status.ACCEPTED_RISK))
    rows = replayed.values_list("pk", "status", "risk_expires", "created_at", "advisory__severity")
    for pk, status, expires, created_at, severity in rows.iterator(chunk_size=5000):
        counts = series[severity]
        if status == Finding.Status.OPEN:  # counted as steady above: replace by its history
            _add(counts, bisect.bisect_left(day_list, created_at.date()), len(day_list), -1)
        history = changes.get(pk, [])
        states: list[_State] = [(created_at, status, expires)]
        if history:
            first = history[0][1]
            states = [(created_at, first.get("status", status), _expiry(first))]
            states += [
                (at, state.get("status", status), _expiry(state)) for at, _, state in history[:-1]
            ]
            states.append((history[-1][0], status, expires))
        ends: list[dt.datetime | None] = [at for at, _, _ in states[1:]]
        for (since, state, expiry), until in zip(states, [*ends, None], strict=True):
            first_day = bisect.bisect_left(snapshots, since)
            last_day = len(snapshots) if until is None else bisect.bisect_left(snapshots, until)
            for index in range(first_day, last_day):
                if _was_open(state, expiry, day_list[index]):
                    counts[index] += 1
    return Trend(day_list, series)


def _add(counts: list[int], start: int, stop: int, amount: int) -> None:
    for index in range(start, stop):
        counts[index] += amount


def _state_of(text: str) -> dict[str, Any]:
    state = json.loads(text) if text else {}
    return state if isinstance(state, dict) else {}


def _expiry(state: dict[str, Any]) -> dt.date | None:
    value = state.get("risk_expires")
    return dt.date.fromisoformat(value) if isinstance(value, str) else None


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


def notify_operators(opened: list[Finding]) -> list[Delivery]:
    """Tell each operator about its new findings, through the notifications app.

    One `advisory.matched` notice per organisation: e-mail to its active operators and a
    signed call to each of its webhooks that subscribes, sent by the worker with retries.
    """
    by_organisation: dict[int, list[Finding]] = defaultdict(list)
    related = Finding.objects.filter(pk__in=[f.pk for f in opened]).select_related(
        "asset__organisation", "advisory", "component"
    )
    for finding in related.order_by("asset__name", "component__name", "advisory__osv_id"):
        by_organisation[finding.asset.organisation_id].append(finding)
    # Two queries for every organisation at once: a re-match can reach thousands of them.
    users: dict[int | None, list[User]] = defaultdict(list)
    for user in User.objects.filter(
        organisation_id__in=by_organisation, role=Role.OPERATOR, is_active=True
    ).select_related("organisation"):
        users[user.organisation_id].append(user)
    hooked = set(
        WebhookEndpoint.objects.filter(
            organisation_id__in=by_organisation, active=True
        ).values_list("organisation_id", flat=True)
    )
    deliveries: list[Delivery] = []
    for organisation_id, findings in by_organisation.items():
        organisation = findings[0].asset.organisation
        advisory_ids = sorted({f.advisory.osv_id for f in findings})
        subject = f"{len(findings)} new findings: {', '.join(advisory_ids[:5])}" + (
            " …" if len(advisory_ids) > 5 else ""
        )
        shown = findings[:NOTIFIED_FINDINGS]
        payload = {
            "organisation": organisation.name,
            "advisories": advisory_ids,
            "count": len(findings),
            "summary": "\n".join(
                f"{f.asset.name}: {f.component} — {f.advisory.osv_id} ({f.verdict})" for f in shown
            ),
            "findings": [
                {
                    "id": f.pk,
                    "asset": f.asset.name,
                    "asset_id": f.asset_id,
                    "component": f.component.name,
                    "version": f.component.version,
                    "purl": f.component.purl,
                    "advisory": f.advisory.osv_id,
                    "severity": f.advisory.severity,
                    "verdict": f.verdict,
                }
                for f in shown
            ],
            "truncated": len(findings) > len(shown),
        }
        deliveries += notify(
            "advisory.matched",
            subject=subject[:200],
            payload=payload,
            users=users.get(organisation_id, []),
            organisations=[organisation] if organisation_id in hooked else [],
        )
    return deliveries


def record_rematch(outcome: MatchOutcome, advisory_ids: list[str]) -> None:
    """Audit a background re-match once per asset it changed."""
    opened: dict[int, int] = defaultdict(int)
    for finding in outcome.opened:
        opened[finding.asset_id] += 1
    record_many(
        [
            Entry(
                actor=None,
                action="asset.rematched",
                subject=asset,
                after={"opened": opened[asset.pk], "advisories": advisory_ids[:100]},
            )
            for asset in Asset.objects.filter(pk__in=outcome.assets).order_by("pk")
        ]
    )
