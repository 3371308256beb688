"""A store of many reports written straight to the tables (not through intake), for scale tests.

Intake scores and de-duplicates every report, which is far too slow to fill a store of 10^5
in a test; the queue's paging, sorting, filters and bulk actions only read the stored
columns, so these rows carry a realistic mix of them, chosen by the report's number so that
a test can count what each filter must match.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from clearinghouse.accounts.models import Organisation
from clearinghouse.core.sectors import Sector
from clearinghouse.core.triage import ReportStatus
from clearinghouse.intake.models import SSVC_DECISIONS, Report, ReporterKind, Submission

#: Sectors in the order the rows cycle through them (number n names SECTORS[n % 17], or none).
SECTORS = [*(sector.value for sector in Sector), ""]
#: Decisions in the order the rows cycle through them (number n: DECISIONS[n % 5]).
DECISIONS = [*SSVC_DECISIONS, ""]
#: Source formats in the order the rows cycle through them (n % 4).
FORMATS = ["csaf", "osv", "cve5", "native"]
#: Every row's statuses: one in STATUS_EVERY is accepted, the rest received.
STATUS_EVERY = 10


def sector_of(n: int) -> str:
    """The sector report number `n` names ("" for none)."""
    return SECTORS[n % len(SECTORS)]


def decision_of(n: int) -> str:
    """The SSVC decision of report number `n` ("" for none)."""
    return DECISIONS[n % len(DECISIONS)]


def format_of(n: int) -> str:
    """The source format of report number `n`."""
    return FORMATS[n % len(FORMATS)]


def status_of(n: int) -> ReportStatus:
    """The triage status of report number `n`."""
    return ReportStatus.ACCEPTED if n % STATUS_EVERY == 0 else ReportStatus.RECEIVED


def points_of(n: int) -> int:
    """The priority points of report number `n` (0 to 99, spread over the numbers)."""
    return (n * 7919) % 100


def _title(n: int) -> str:
    return f"Report {n}: buffer overflow in Gridware RTU-{n % 97} parser"


def _in_kev(n: int) -> bool:
    return n % 50 == 0


def store_many(organisation: Organisation, count: int, *, start: int = 0) -> Submission:
    """One completed submission of `organisation` holding reports numbered start..start+count-1.

    Report n was received n minutes ago; its other columns follow the `*_of(n)` functions.
    The rows go in by COPY on PostgreSQL and one prepared INSERT run for each row on SQLite:
    `bulk_create` takes half a minute for 10^5 reports, most of it compiling each row's SQL.
    """
    now = timezone.now()
    submission = Submission.objects.create(
        organisation=organisation,
        format="native",
        sha256=hashlib.sha256(f"{organisation.pk}:{start}:{count}".encode()).hexdigest(),
        original="{}",
        reporter_kind=ReporterKind.RESEARCHER,
        status=Submission.Status.COMPLETED,
        total_items=count,
        processed_items=count,
    )
    shape = Report(
        submission=submission,
        organisation_id=organisation.pk,
        reporter_kind=ReporterKind.RESEARCHER,
        has_cve=True,
        title=_title(start),
    )
    db = connections[DEFAULT_DB_ALIAS]
    meta = Report._meta
    fields: list[Any] = [f for f in meta.concrete_fields if not f.primary_key and not f.generated]
    same = [f.get_db_prep_save(f.pre_save(shape, True), db) for f in fields]
    # The JSON lists are written as json.dumps writes them (both databases take the text);
    # dates go through the field, which stores them as the ORM does.
    at = {f.name: i for i, f in enumerate(fields)}
    created: Any = meta.get_field("created_at")
    sectors = {code: json.dumps([code] if code else []) for code in SECTORS}
    rows = []
    for n in range(start, start + count):
        row = list(same)
        cve = f'["CVE-2026-{10000 + n}"]'
        row[at["index"]] = n
        row[at["source_format"]] = format_of(n)
        row[at["title"]] = _title(n)
        row[at["aliases"]] = row[at["cve_ids"]] = cve
        row[at["sectors"]] = sectors[sector_of(n)]
        row[at["ssvc_decision"]] = decision_of(n)
        row[at["in_kev"]] = _in_kev(n)
        row[at["priority_points"]] = points_of(n)
        row[at["status"]] = status_of(n).value
        row[at["created_at"]] = created.get_db_prep_save(now - dt.timedelta(minutes=n), db)
        rows.append(row)
    table = db.ops.quote_name(meta.db_table)
    names = ", ".join(db.ops.quote_name(f.column) for f in fields)
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            # COPY: PostgreSQL's own bulk load, a second for 10^5 rows.
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608
    return submission
