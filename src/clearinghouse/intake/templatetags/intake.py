"""`{% triage_summary user %}`, the dashboard's triage section, and the queue's compact cells."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone

from clearinghouse.accounts.models import User
from clearinghouse.accounts.permissions import can
from clearinghouse.core.sectors import Sector
from clearinghouse.core.triage import ReportStatus

from .. import services

register = template.Library()


@register.inclusion_tag("intake/_dashboard.html")
def triage_summary(user: User) -> dict[str, Any]:
    """Triage counts for the desk (every report) and for a reporter (its organisation's)."""
    desk = can(user, "intake.triage")
    if not (desk or can(user, "intake.submit")):
        return {"shown": False}
    counts = services.triage_counts(user)
    statuses = list(ReportStatus)
    return {
        "shown": True,
        "desk": desk,
        "counts": counts,
        "statuses": [(status.value, status.label) for status in statuses],
        "by_status": [(s.value, s.label, counts.by_status[s]) for s in statuses],
        "by_ssvc": [
            (decision, [(s.value, row[s]) for s in statuses], sum(row.values()))
            for decision, row in counts.by_ssvc.items()
        ],
        "by_sector": [
            (sector.value, sector.label, [(s.value, row[s]) for s in statuses])
            for sector, row in counts.by_sector.items()
            if sum(row.values())
        ],
        "oldest": counts.oldest_untriaged,
        "untriaged": services.UNTRIAGED.value,
    }


@register.filter
def age(when: dt.datetime | None) -> str:
    """How long ago, in one short unit (45m, 7h, 12d): the queue's age column."""
    if when is None:
        return ""
    return short_duration(timezone.now() - when)


@register.filter
def short_duration(span: dt.timedelta) -> str:
    """A duration in its largest whole unit: minutes, hours, then days."""
    minutes = max(0, int(span.total_seconds() // 60))
    if minutes < 60:
        return f"{minutes}m"
    if minutes < 24 * 60:
        return f"{minutes // 60}h"
    return f"{minutes // (24 * 60)}d"


@register.filter
def sector_labels(codes: list[str]) -> str:
    """A report's sectors by CISA's names, comma-separated (unknown codes as stored)."""
    known = {sector.value: sector.label for sector in Sector}
    return ", ".join(known.get(code, code) for code in codes)
