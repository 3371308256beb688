"""`clearinghouse bench pages`: the main lists' queries and times as the store grows a hundredfold.

A scratch database is filled with synthetic rows by bulk inserts (COPY on PostgreSQL for
the million components and their findings), first to a baseline (1 % of the target), then to
the target; at each size every list is requested through Django's test client as a signed-in
user, counting its queries and timing it. A list that is paged and counted in the database
answers with the same queries and about the same time at both sizes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import astuple, dataclass
from itertools import islice

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Model
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clearinghouse.accounts.models import Organisation, OrganisationKind, Role, User
from clearinghouse.advisories.models import Advisory, AffectedPackage
from clearinghouse.assets.models import Asset, Component, Finding
from clearinghouse.core.sectors import Sector
from clearinghouse.frontier.models import AIModel
from clearinghouse.intake.models import Report, Submission

#: The target sizes at scale 1 (`--scale` multiplies them).
REPORTS, ASSETS, COMPONENTS, ADVISORIES, MODELS = 100_000, 10_000, 1_000_000, 10_000, 1_000
#: The baseline's share of the target, measured in the same run.
BASELINE = 0.01
#: The fewest rows of a kind in the baseline: more than a page, so both sizes fill one.
BASELINE_FLOOR = 60
ASSETS_PER_OPERATOR = 10
REPORTS_PER_SUBMISSION = 1_000
#: One component in this many has a finding.
FINDING_EVERY = 10
CHUNK = 5_000


@dataclass(frozen=True)
class Sizes:
    """Rows of each kind in the store."""

    reports: int
    assets: int
    components: int
    advisories: int
    models: int

    @classmethod
    def at(cls, scale: float, *, floor: int = 1) -> Sizes:
        """The target sizes times `scale`, at least `floor` of each."""
        targets = (REPORTS, ASSETS, COMPONENTS, ADVISORIES, MODELS)
        return cls(*(max(floor, round(n * scale)) for n in targets))

    def capped(self, limit: Sizes) -> Sizes:
        """No more of any kind than `limit` holds."""
        return Sizes(*(min(a, b) for a, b in zip(astuple(self), astuple(limit), strict=True)))

    def describe(self) -> str:
        """A line naming every size."""
        return (
            f"{self.reports:,} reports, {self.assets:,} assets, {self.components:,} components, "
            f"{self.advisories:,} advisories, {self.models:,} models"
        )


@dataclass(frozen=True)
class Measured:
    """One list at one size: its queries and its median time per request."""

    queries: int
    seconds: float


@dataclass(frozen=True)
class Cast:
    """The signed-in users the lists are read as, and the operator's first asset."""

    admin: User
    operator: User
    asset_id: int


def grow(have: Sizes, want: Sizes) -> None:
    """Add rows until the store holds `want` of each kind (it holds `have`)."""
    lab, _ = Organisation.objects.get_or_create(name="bench-lab", kind=OrganisationKind.LAB)
    developer = User.objects.filter(username="bench-developer").first()
    if developer is None:
        developer = User.objects.create_user(
            "bench-developer", role=Role.DEVELOPER, organisation=lab
        )
    _models(lab, developer, have.models, want.models)
    _reports(lab, developer, have.reports, want.reports)
    _advisories(have.advisories, want.advisories)
    _assets(have.assets, want.assets)
    _components(have, want)


def people() -> Cast:
    """An admin (sees every list) and an operator of the organisation of the first asset."""
    clearinghouse = Organisation.objects.create(
        name="bench-clearinghouse", kind=OrganisationKind.CLEARINGHOUSE
    )
    admin = User.objects.create_user(
        "bench-admin", role=Role.ADMIN, organisation=clearinghouse, is_staff=True
    )
    first = Asset.objects.order_by("pk").first()
    if first is None:
        raise RuntimeError("grow the store before choosing who reads it")
    operator = User.objects.create_user(
        "bench-operator", role=Role.OPERATOR, organisation_id=first.organisation_id
    )
    return Cast(admin=admin, operator=operator, asset_id=first.pk)


def _models(lab: Organisation, developer: User, start: int, stop: int) -> None:
    release = timezone.now().date() + dt.timedelta(days=90)
    for chunk in _chunks(range(start, stop)):
        AIModel.objects.bulk_create(
            AIModel(
                organisation=lab,
                name=f"bench-model-{n:06d}",
                version="1",
                training_compute_flop=1e24 + n,
                planned_release_date=release,
                registered_by=developer,
            )
            for n in chunk
        )


def _reports(lab: Organisation, developer: User, start: int, stop: int) -> None:
    for first in range(start, stop, REPORTS_PER_SUBMISSION):
        count = min(REPORTS_PER_SUBMISSION, stop - first)
        with transaction.atomic():
            submission = Submission.objects.create(
                organisation=lab,
                submitted_by=developer,
                format="native",
                sha256=hashlib.sha256(f"bench {first}".encode()).hexdigest(),
                original="{}",
                reporter_kind="lab",
                status=Submission.Status.COMPLETED,
                total_items=count,
                processed_items=count,
            )
            Report.objects.bulk_create(
                (
                    Report(
                        submission=submission,
                        organisation=lab,
                        index=index,
                        source_format="native",
                        reporter_kind="lab",
                        title=f"bench flaw {first + index}",
                        priority_points=(first + index) % 97,
                    )
                    for index in range(count)
                ),
                batch_size=CHUNK,
            )


def _advisories(start: int, stop: int) -> None:
    modified = timezone.now()
    for chunk in _chunks(range(start, stop)):
        rows = Advisory.objects.bulk_create(
            Advisory(
                osv_id=f"BENCH-{n:07d}",
                modified=modified - dt.timedelta(minutes=n),
                summary=f"bench package {n} is unsafe",
                severity=("critical", "high", "medium", "low")[n % 4],
                document={"id": f"BENCH-{n:07d}"},
                source="bench pages",
            )
            for n in chunk
        )
        AffectedPackage.objects.bulk_create(
            AffectedPackage(advisory=row, ecosystem="PyPI", name=f"bench-{row.osv_id[6:]}")
            for row in rows
        )


def _assets(start: int, stop: int) -> None:
    sectors = list(Sector)
    operators_have = -(-start // ASSETS_PER_OPERATOR)
    operators_want = -(-stop // ASSETS_PER_OPERATOR)
    Organisation.objects.bulk_create(
        Organisation(
            name=f"bench-operator-{n:05d}",
            kind=OrganisationKind.OPERATOR,
            sector=sectors[n % len(sectors)].value,
        )
        for n in range(operators_have, operators_want)
    )
    operators = dict(
        Organisation.objects.filter(name__startswith="bench-operator-").values_list("name", "pk")
    )
    for chunk in _chunks(range(start, stop)):
        Asset.objects.bulk_create(
            Asset(
                organisation_id=operators[f"bench-operator-{n // ASSETS_PER_OPERATOR:05d}"],
                name=f"system {n:06d}",
                sbom_format="cyclonedx-json",
            )
            for n in chunk
        )


def _components(have: Sizes, want: Sizes) -> None:
    """Components spread evenly over the assets; one in ten with a finding of an advisory."""
    assets = list(Asset.objects.order_by("pk").values_list("pk", flat=True))
    Asset.objects.update(component_count=max(1, want.components // len(assets)))
    last = Component.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    rows = (
        (assets[n % len(assets)], f"bench-{n % want.advisories:07d}", f"1.{n}")
        for n in range(have.components, want.components)
    )
    records = (
        (asset, name, version, f"pkg:pypi/{name}@{version}", "PyPI", "PyPI", name, "")
        for asset, name, version in rows
    )
    if connection.vendor == "postgresql":
        _copy(Component, COMPONENT_COLUMNS, records)
    else:
        for chunk in iter(lambda: list(islice(records, CHUNK)), []):
            Component.objects.bulk_create(
                Component(**dict(zip(COMPONENT_COLUMNS, record, strict=True))) for record in chunk
            )
    _findings(after=last)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Component, Finding, Asset, Report, Advisory, AIModel):
                cursor.execute(f"ANALYZE {model._meta.db_table}")


COMPONENT_COLUMNS = (
    "asset_id",
    "name",
    "version",
    "purl",
    "ecosystem",
    "ecosystem_base",
    "package",
    "problem",
)


def _findings(*, after: int) -> None:
    """One open finding for every tenth new component, in one INSERT … SELECT."""
    ids = Advisory.objects.order_by("pk").values_list("pk", flat=True)
    first, count = ids.first(), ids.count()
    if first is None or ids.last() != first + count - 1:
        raise RuntimeError("the benchmark needs a fresh database (advisory ids in one run)")
    now = timezone.now()
    findings, components = Finding._meta.db_table, Component._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {findings} (asset_id, component_id, advisory_id, verdict, reason, "  # noqa: S608 (our own table names)
            "status, risk_reason, created_at, status_changed_at) "
            f"SELECT asset_id, id, %s + (id %% %s), 'affected', 'bench', 'open', '', %s, %s "
            f"FROM {components} WHERE id > %s AND id %% %s = 0",
            [first, count, now, now, after, FINDING_EVERY],
        )


def _copy(model: type[Model], columns: tuple[str, ...], rows: Iterator[tuple[object, ...]]) -> None:
    connection.ensure_connection()
    raw = connection.connection
    names = ", ".join(columns)
    with (
        raw.cursor() as cursor,
        cursor.copy(f"COPY {model._meta.db_table} ({names}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def _chunks(numbers: range) -> Iterator[range]:
    for first in range(numbers.start, numbers.stop, CHUNK):
        yield range(first, min(first + CHUNK, numbers.stop))


def lists(cast: Cast) -> dict[str, tuple[User, str]]:
    """The lists measured: name → (who reads it, URL)."""
    return {
        "triage queue (page)": (cast.admin, "/intake/reports/"),
        "triage queue (API)": (cast.admin, "/api/intake/reports"),
        "submissions (page)": (cast.admin, "/intake/submissions/"),
        "assets (API)": (cast.admin, "/api/assets/"),
        "assets (page)": (cast.admin, "/assets/"),
        "asset page (operator)": (cast.operator, f"/assets/{cast.asset_id}/"),
        "asset components (page)": (cast.operator, f"/assets/{cast.asset_id}/components/"),
        "findings (API)": (cast.operator, f"/api/assets/{cast.asset_id}/findings"),
        "dashboard (operator)": (cast.operator, "/"),
        "dashboard (admin)": (cast.admin, "/"),
        "advisories (API)": (cast.admin, "/api/advisories/"),
        "advisories (page)": (cast.admin, "/advisories/"),
        "models (page)": (cast.admin, "/models/"),
    }


def measure(cast: Cast, repeat: int) -> dict[str, Measured]:
    """Each list: queries of one request and the median time of `repeat` (after one warm-up)."""
    clients: dict[int, Client] = {}
    results = {}
    for name, (user, url) in lists(cast).items():
        client = clients.get(user.pk)
        if client is None:
            # As a browser would reach the instance: an allowed host, over HTTPS.
            client = clients[user.pk] = Client(HTTP_HOST=settings.ALLOWED_HOSTS[0])
            client.force_login(user)
        _get(client, url)
        with CaptureQueriesContext(connection) as captured:
            _get(client, url)
        queries = len(captured)  # now: the next request empties the log
        timings = []
        for _ in range(repeat):
            started = time.perf_counter()
            _get(client, url)
            timings.append(time.perf_counter() - started)
        results[name] = Measured(queries, statistics.median(timings))
    return results


def _get(client: Client, url: str) -> None:
    response = client.get(url, secure=True)
    if response.status_code != 200:
        raise RuntimeError(f"{url}: HTTP {response.status_code}")


def run(scale: float, repeat: int, say: Callable[[str], None]) -> None:
    """Seed to the baseline, measure, grow to the target, measure again, print the table."""
    target = Sizes.at(scale)
    baseline = Sizes.at(scale * BASELINE, floor=BASELINE_FLOOR).capped(target)
    say(f"database: {connection.vendor}; scale {scale:g}")
    say(f"target:   {target.describe()}")
    say(
        f"baseline: {baseline.describe()} "
        f"({BASELINE:.0%} of the target, at least {BASELINE_FLOOR} of each)"
    )
    started = time.perf_counter()
    grow(Sizes(0, 0, 0, 0, 0), baseline)
    cast = people()
    say(f"seeded the baseline in {time.perf_counter() - started:.1f} s")
    small = measure(cast, repeat)
    started = time.perf_counter()
    grow(baseline, target)
    say(f"grew to the target in {time.perf_counter() - started:.1f} s")
    large = measure(cast, repeat)
    say(f"{'list':<26} {'queries':>9} {'baseline ms':>12} {'target ms':>10} {'ratio':>7}")
    for name in lists(cast):
        before, after = small[name], large[name]
        queries = f"{before.queries}" + (
            "" if before.queries == after.queries else f"→{after.queries}"
        )
        say(
            f"{name:<26} {queries:>9} {before.seconds * 1000:>12.1f} "
            f"{after.seconds * 1000:>10.1f} {after.seconds / before.seconds:>6.2f}x"
        )
