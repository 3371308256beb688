"""The scanning workflow: upload an SBOM as an asset, change a finding's status, see impact.

Each command is one `audited()` unit of work; a finding's status changes are also written to
its own table (`FindingStatusChange`), which the trend and the timeline read.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from clearinghouse.accounts.models import User
from clearinghouse.accounts.permissions import require, visible
from clearinghouse.advisories.models import Advisory, Severity
from clearinghouse.advisories.services import batched
from clearinghouse.audit.permissions import actor_shown
from clearinghouse.audit.services import Entry, audited, record, record_many
from clearinghouse.core.formats.sbom import SbomError, read_sbom
from clearinghouse.core.scanning import FINDING_LIFECYCLE, FindingStatus, matchable
from clearinghouse.errors import Conflict, InvalidInput
from clearinghouse.notifications.models import Delivery, WebhookEndpoint
from clearinghouse.notifications.services import notify
from clearinghouse.workflow import advance, locked

from .inputs import (
    ChangeFindingStatus,
    FindingFilter,
    OperatorStatus,
    RegisterAsset,
    ReplaceSbom,
)
from .matching import BATCH_SIZE, MatchOutcome, close_findings, match_components
from .models import Asset, AssetRevision, Component, Finding, FindingStatusChange
from .permissions import operators_of

#: Largest SBOM accepted (override with the CLEARINGHOUSE_MAX_SBOM_BYTES setting).
DEFAULT_MAX_SBOM_BYTES = 100 * 1024 * 1024
#: Findings listed in one notice (the rest are counted, and on the operator's dashboard).
NOTIFIED_FINDINGS = 500


def max_sbom_bytes() -> int:
    """The upload limit in force."""
    return int(getattr(settings, "CLEARINGHOUSE_MAX_SBOM_BYTES", DEFAULT_MAX_SBOM_BYTES))


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


def _read(data: bytes, filename: str) -> Any:
    if len(data) > max_sbom_bytes():
        raise InvalidInput.single("sbom", f"larger than the {max_sbom_bytes():,}-byte limit")
    try:
        return read_sbom(data, filename or None, max_bytes=max_sbom_bytes())
    except SbomError as error:
        raise InvalidInput.single("sbom", str(error)) from None


def _identity(component: Component) -> tuple[str, str, str]:
    return (component.name, component.version, component.purl)


#: Why a removed component's findings are closed.
REMOVED = "the component is no longer in the asset's SBOM"


def replace_sbom(user: User, asset: Asset, command: ReplaceSbom, data: bytes) -> AssetRevision:
    """The operator uploads a new version of an asset's SBOM; components are diffed.

    Components in both versions (same name, version and purl) keep their findings and the
    operator's statuses; new ones are matched; removed ones are kept, marked removed, and
    their findings closed as "no longer applies" in bulk (one status change row and one
    audit event each, appended to the chain once with the replacement), so history stays.
    """
    require(user, "assets.manage", asset)
    sbom = _read(data, command.filename)
    now = timezone.now()
    with audited():
        asset = locked(asset)
        require(user, "assets.manage", asset)
        pool: dict[tuple[str, str, str], list[int]] = defaultdict(list)
        current = asset.components.filter(removed_at__isnull=True)
        for pk, *identity in current.values_list("pk", "name", "version", "purl"):
            pool[(identity[0], identity[1], identity[2])].append(pk)
        added, kept = [], 0
        for component in _components(asset, sbom.components):
            if pool.get(_identity(component)):
                pool[_identity(component)].pop()
                kept += 1
            else:
                added.append(component)
        removed = [pk for left in pool.values() for pk in left]
        for chunk in batched(removed, BATCH_SIZE):
            Component.objects.filter(pk__in=chunk).update(removed_at=now)
        closed = close_findings(
            asset.findings.filter(component__removed_at__isnull=False), REMOVED, actor=user
        )
        Component.objects.bulk_create(added, batch_size=5000)
        outcome = match_components(added)
        before = {
            "revision": asset.revision,
            "filename": asset.filename,
            "components": asset.component_count,
        }
        asset.revision += 1
        asset.filename, asset.sbom_format = command.filename, sbom.format.value
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


def upload_asset(user: User, command: RegisterAsset, data: bytes) -> Asset:
    """An operator registers an SBOM as a named asset; every component is matched at once."""
    require(user, "assets.upload")
    organisation = user.organisation
    assert organisation is not None  # the rule asks for an operator organisation
    sbom = _read(data, command.filename)
    with audited():
        try:
            with transaction.atomic():
                asset = Asset.objects.create(
                    organisation=organisation,
                    name=command.name,
                    filename=command.filename,
                    sbom_format=sbom.format.value,
                    spec_version=sbom.spec_version[:20],
                    size_bytes=len(data),
                    component_count=len(sbom.components),
                    uploaded_by=user,
                )
        except IntegrityError:
            raise Conflict(
                f"{organisation.name} already has an asset named {command.name!r}"
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
                "name": command.name,
                "format": sbom.format.value,
                "components": len(sbom.components),
                "not_evaluable": asset.components.exclude(problem="").count(),
                "findings": len(outcome.opened),
            },
        )
    return asset


def change_finding_status(user: User, finding: Finding, command: ChangeFindingStatus) -> Finding:
    """The operator records what it did: accepted the risk (reason, expiry), remediated, open.

    The finding is re-read under a lock: a caller whose copy is stale (`seen` differs, or
    the move is no longer allowed from the status the finding is really in) gets a 409
    naming that status. The change is written to the finding's status changes (the trend's
    and the timeline's data) and audited, in one transaction.
    """
    with audited():
        finding = locked(finding, Finding.objects.select_related("asset", "advisory"))
        require(user, "assets.manage", finding.asset)
        if command.seen is not None and finding.status != command.seen:
            raise Conflict(
                f"the finding is now {finding.get_status_display().lower()} "
                f"({finding.status}): it changed after you loaded it"
            )
        before = _status_state(finding)
        previous = advance(finding, FINDING_LIFECYCLE, FindingStatus(command.status))
        accepted = command.status == OperatorStatus.ACCEPTED_RISK
        change = FindingStatusChange(
            finding=finding,
            from_status=previous.value,
            from_risk_expires=finding.risk_expires,
            status=finding.status,
            risk_expires=command.expires if accepted else None,
            at=timezone.now(),
            actor=user,
            why=command.reason if accepted else "",
        )
        finding.status_changed_at = change.at
        finding.risk_reason = change.why
        finding.risk_expires = change.risk_expires
        finding.save(update_fields=["status", "status_changed_at", "risk_reason", "risk_expires"])
        change.save()
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


def status_changes(user: User, finding: Finding) -> QuerySet[FindingStatusChange]:
    """A finding's timeline: its status changes the user may see, oldest first."""
    changes = visible(FindingStatusChange, user).filter(finding=finding)
    return changes.select_related("actor").order_by("at", "pk")


def changed_by(viewer: User, change: FindingStatusChange) -> str:
    """Who made a change, as `viewer` may know it (the audit history's redaction rule)."""
    if change.actor is None:
        return "matching"
    if actor_shown(viewer, change.actor.organisation_id):
        return change.actor.get_username()
    return "the clearinghouse"


def assets_for(user: User) -> QuerySet[Asset]:
    """The assets `user` may see, each with its open findings counted (`open_count`).

    The count is a correlated subquery, computed only for the rows a page or answer holds.
    """
    today = timezone.now().date()
    counted = (
        Finding.objects.filter(asset=OuterRef("pk"))
        .filter(_open_condition(today))
        .order_by()
        .values("asset")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return (
        visible(Asset, user)
        .select_related("organisation")
        .annotate(open_count=Coalesce(Subquery(counted), 0))
    )


def findings_of(asset: Asset, filters: FindingFilter) -> QuerySet[Finding]:
    """An asset's findings as its lists show them, optionally of one status."""
    findings = asset.findings.select_related("advisory", "component")
    if filters.status is not None:
        findings = findings.filter(status=filters.status)
    return findings


def open_findings(findings: QuerySet[Finding]) -> QuerySet[Finding]:
    """Findings still needing attention: open, or accepted risks whose acceptance expired."""
    return findings.filter(_open_condition(timezone.now().date()))


def _open_condition(today: dt.date) -> Q:
    return Q(status=Finding.Status.OPEN) | Q(
        status=Finding.Status.ACCEPTED_RISK, risk_expires__lt=today
    )


def open_by_severity(user: User) -> dict[str, int]:
    """Counts of the user's visible open findings per advisory severity (dashboard)."""
    rows = (
        open_findings(visible(Finding, user))
        .order_by()  # the model's ordering would join components and assets for nothing
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

    Rebuilt from each finding's creation and its status changes in the window (the
    `FindingStatusChange` rows: the first one's `from_status` is what held before it), so it
    shows what was true then, as `open_by_severity` counts it now (an expired accepted risk
    is open). Findings open throughout are counted by the database; only those that changed
    in the window, and accepted risks, are replayed one by one.
    """
    now = now or timezone.now()
    day_list = [now.date() - dt.timedelta(days=offset) for offset in range(days - 1, -1, -1)]
    # The moment each day is counted at: its last instant, or now for today.
    end_of = dt.timedelta(days=1) - dt.timedelta(microseconds=1)
    snapshots = [
        min(now, dt.datetime.combine(d, dt.time(), tzinfo=dt.UTC) + end_of) for d in day_list
    ]
    findings = visible(Finding, user)
    rows = (
        FindingStatusChange.objects.filter(
            finding__in=findings, at__gt=snapshots[0] - dt.timedelta(days=1)
        )
        .order_by("finding_id", "at", "pk")
        .values_list(
            "finding_id", "at", "from_status", "from_risk_expires", "status", "risk_expires"
        )
    )
    # Per finding: what held before its first change in the window, then each change's state.
    changes: dict[int, list[_State]] = {}
    for finding_id, at, from_status, from_expires, status, expires in rows.iterator(5000):
        if finding_id not in changes:
            changes[finding_id] = [(at, from_status, from_expires)]
        changes[finding_id].append((at, status, expires))
    series = {severity: [0] * days for severity in Severity.values}
    steady = (
        findings.filter(status=Finding.Status.OPEN, created_at__lte=now)
        .order_by()
        .values_list("advisory__severity", TruncDate("created_at"))
        .annotate(count=Count("pk"))
    )
    for severity, created, count in steady:
        _add(series[severity], bisect.bisect_left(day_list, created), len(day_list), count)
    replayed = findings.filter(Q(pk__in=list(changes)) | Q(status=Finding.Status.ACCEPTED_RISK))
    current = replayed.values_list(
        "pk", "status", "risk_expires", "created_at", "advisory__severity"
    )
    for pk, status, expires, created_at, severity in current.iterator(chunk_size=5000):
        counts = series[severity]
        if status == Finding.Status.OPEN:  # counted as steady above: replace by its history
            _add(counts, bisect.bisect_left(day_list, created_at.date()), len(day_list), -1)
        states: list[_State] = [(created_at, status, expires)]
        if pk in changes:
            _, first, first_expiry = changes[pk][0]
            states = [(created_at, first, first_expiry), *changes[pk][1:]]
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


def impact(user: User, advisory: Advisory) -> list[dict[str, Any]]:
    """Per sector: how many operators, assets and components an advisory affects (coordinators).

    Findings that no longer apply or were remediated are not counted; unknown verdicts are.
    """
    require(user, "assets.see_impact")
    findings = (
        visible(Finding, user)
        .filter(advisory=advisory)
        .exclude(status__in=[Finding.Status.RESOLVED, Finding.Status.REMEDIATED])
    )
    rows = (
        findings.order_by()
        .values("asset__organisation__sector")
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
    for user in operators_of(by_organisation).select_related("organisation"):
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
