"""A synthetic registered estate for `clearinghouse bench rematch`, and the timed paths.

Components are bulk-loaded (COPY on PostgreSQL) under benchmark operators named
`bench-operator-…`, which `clear_estate` removes again; the advisory store gets the corpus
(tagged `bench rematch`). Two paths are timed for an advisory the store has not seen: the
re-match task's own lookup (`matching.components_for`) followed by the matcher, and the
whole re-match task, rolled back.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import islice

from django.db import connection, transaction

from clearinghouse.accounts.models import Organisation, OrganisationKind
from clearinghouse.advisories.models import Advisory, AffectedPackage
from clearinghouse.advisories.services import batched
from clearinghouse.advisories.severity import severity_of
from clearinghouse.assets import tasks
from clearinghouse.assets.matching import (
    MATCHED_FIELDS,
    component_lookup,
    components_for,
    match_components,
)
from clearinghouse.assets.models import Asset, Component, Finding
from clearinghouse.core.formats.osv import Advisory as OSVAdvisory
from clearinghouse.core.matching import AdvisoryIndex, canonical_ecosystem, normalise_name
from clearinghouse.core.matching import Component as Key
from clearinghouse.core.scanning import build_index
from clearinghouse.core.sectors import Sector

PREFIX = "bench-operator-"
STORE_SOURCE = "bench rematch"
COMPONENTS_PER_ASSET = 500
ASSETS_PER_OPERATOR = 10
COLUMNS = ("asset_id", "name", "version", "purl", "ecosystem", "ecosystem_base", "package")

PackageVersion = tuple[str, str, str]


@dataclass(frozen=True)
class Lookup:
    """One new advisory's listing: candidates under its keys, those affected, seconds taken."""

    advisory_id: str
    candidates: int
    affected: int
    seconds: float


def corpus_versions(advisories: Sequence[OSVAdvisory]) -> dict[tuple[str, str], list[str]]:
    """The versions each package key's advisories name (listed, or range boundaries)."""
    versions: dict[tuple[str, str], list[str]] = {}
    for advisory in advisories:
        for affected in advisory.affected:
            package = affected.package
            if package is None:
                continue
            named = list(affected.versions)
            named += [event.version for r in affected.ranges for event in r.events]
            ecosystem = canonical_ecosystem(package.ecosystem)
            key = (ecosystem, normalise_name(ecosystem, package.name))
            versions.setdefault(key, []).extend(v for v in named if v and v != "0")
    return {key: sorted(set(found)) for key, found in versions.items() if found}


def estate_rows(
    corpus: dict[tuple[str, str], list[str]],
    count: int,
    hot_fraction: float,
    seed: int,
    hot_limit: int | None = None,
) -> Iterator[PackageVersion]:
    """`count` (ecosystem, package, version): `hot_fraction` of them from the corpus.

    A hot component takes a corpus package uniformly and one of its versions; the rest are
    packages no advisory names (as most of a real SBOM is), in the corpus's main ecosystem so
    they share the index prefix with the hot ones. After `hot_limit` hot components, all are
    cold: the estate grows while what an advisory can reach stays the same.
    """
    hot = 0
    rng = random.Random(seed)  # noqa: S311 (reproducible synthetic data)
    keys = sorted(corpus)
    ecosystem = max({e for e, _ in keys}, key=lambda e: sum(1 for k in keys if k[0] == e))
    cold_names = max(50_000, count // 20)
    for _ in range(count):
        if rng.random() < hot_fraction and (hot_limit is None or hot < hot_limit):
            hot += 1
            eco, name = keys[rng.randrange(len(keys))]
            versions = corpus[(eco, name)]
            yield eco, name, versions[rng.randrange(len(versions))]
        else:
            name = f"lib-{rng.randrange(cold_names):06d}"
            yield ecosystem, name, f"{rng.randrange(1, 9)}.{rng.randrange(20)}.{rng.randrange(10)}"


def clear_estate() -> None:
    """Remove every benchmark operator with its assets, components and findings.

    Plain deletes, children first: the benchmark creates nothing else under its operators, and
    the ORM's cascade would visit every app's tables (and load a million components).
    """
    organisations = Organisation._meta.db_table
    assets, components = Asset._meta.db_table, Component._meta.db_table
    owned = f"SELECT id FROM {organisations} WHERE name LIKE %s"  # noqa: S608
    findings = Finding._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {findings} WHERE asset_id IN "  # noqa: S608 (our own table names)
            f"(SELECT id FROM {assets} WHERE organisation_id IN ({owned}))",
            [PREFIX + "%"],
        )
        cursor.execute(
            f"DELETE FROM {components} WHERE asset_id IN "  # noqa: S608 (our own table names)
            f"(SELECT id FROM {assets} WHERE organisation_id IN ({owned}))",
            [PREFIX + "%"],
        )
        cursor.execute(
            f"DELETE FROM {assets} WHERE organisation_id IN ({owned})",  # noqa: S608
            [PREFIX + "%"],
        )
        cursor.execute(f"DELETE FROM {organisations} WHERE name LIKE %s", [PREFIX + "%"])  # noqa: S608


def grow_estate(rows: Iterator[PackageVersion], count: int) -> float:
    """Register `count` more components over new benchmark operators; seconds taken."""
    started = time.perf_counter()
    sectors = list(Sector)
    first = Organisation.objects.filter(name__startswith=PREFIX).count()
    assets_needed = -(-count // COMPONENTS_PER_ASSET)
    operators = Organisation.objects.bulk_create(
        Organisation(
            name=f"{PREFIX}{first + i:05d}",
            kind=OrganisationKind.OPERATOR,
            sector=sectors[(first + i) % len(sectors)].value,
        )
        for i in range(-(-assets_needed // ASSETS_PER_OPERATOR))
    )
    assets = Asset.objects.bulk_create(
        Asset(
            organisation=operators[i // ASSETS_PER_OPERATOR],
            name=f"system {i % ASSETS_PER_OPERATOR}",
            sbom_format="cyclonedx-json",
            component_count=COMPONENTS_PER_ASSET,
        )
        for i in range(assets_needed)
    )
    records = (
        (
            assets[i // COMPONENTS_PER_ASSET].pk,
            name,
            version,
            f"pkg:{ecosystem.lower()}/{name}@{version}",
            ecosystem,
            ecosystem.partition(":")[0],
            name,
        )
        for i, (ecosystem, name, version) in enumerate(islice(rows, count))
    )
    _load(records)
    return time.perf_counter() - started


def _load(records: Iterator[tuple[object, ...]]) -> None:
    table = Component._meta.db_table
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        raw = connection.connection
        columns = ", ".join((*COLUMNS, "problem"))
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for record in records:
                copy.write_row((*record, ""))
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table}")
        return
    while batch := list(islice(records, 5000)):
        Component.objects.bulk_create(
            Component(**dict(zip(COLUMNS, record, strict=True))) for record in batch
        )


def list_affected(advisory: OSVAdvisory, repeats: int = 3) -> Lookup:
    """Time the re-match lookup for an advisory the store has not seen: keys → components.

    The fastest of `repeats` runs, so a busy machine's stalls do not pass for the lookup's cost.
    """
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        keys = AdvisoryIndex.keys_for(advisory)
        candidates = components_for(keys)
        index = build_index([advisory])
        affected = sum(
            1
            for component in candidates
            if index.match(Key(component.ecosystem, component.package, component.version))
        )
        timings.append(time.perf_counter() - started)
    return Lookup(advisory.id, len(candidates), affected, min(timings))


def load_store(advisories: Sequence[OSVAdvisory], leave_out: set[str]) -> int:
    """Put the corpus in the advisory store (as an import would), but for `leave_out`.

    Records already stored stay as they are (one stored by an import, not by the benchmark,
    cannot be timed as new: see `unseen`); returns how many were added. Bulk inserts, so
    no re-match is queued: the estate is matched for the sampled packages by `prematch`.
    """
    # An earlier run may have stored one now to be timed as new: it goes (with its findings).
    Advisory.objects.filter(osv_id__in=leave_out, source=STORE_SOURCE).delete()
    held = set(Advisory.objects.values_list("osv_id", flat=True))
    added = 0
    for batch in batched(
        (a for a in advisories if a.id not in held and a.id not in leave_out), 500
    ):
        with transaction.atomic():
            rows = Advisory.objects.bulk_create(_row(advisory) for advisory in batch)
            AffectedPackage.objects.bulk_create(
                AffectedPackage(advisory_id=row.pk, ecosystem=ecosystem, name=name)
                for row, advisory in zip(rows, batch, strict=True)
                for ecosystem, name in AdvisoryIndex.keys_for(advisory)
            )
        added += len(batch)
    return added


def unseen(advisories: Sequence[OSVAdvisory]) -> list[OSVAdvisory]:
    """Those of `advisories` the store does not hold."""
    held = set(
        Advisory.objects.filter(osv_id__in=[a.id for a in advisories]).values_list(
            "osv_id", flat=True
        )
    )
    return [advisory for advisory in advisories if advisory.id not in held]


def _row(advisory: OSVAdvisory) -> Advisory:
    return Advisory(
        osv_id=advisory.id,
        modified=advisory.modified,
        published=advisory.published,
        withdrawn=advisory.withdrawn,
        aliases=list(advisory.aliases),
        summary=advisory.summary,
        severity=severity_of(advisory.raw),
        document=dict(advisory.raw),
        source=STORE_SOURCE,
    )


def prematch(advisories: Sequence[OSVAdvisory]) -> int:
    """Give the components under these advisories' packages their findings from the store.

    So that timing a re-match later writes only what the new advisory adds, as in service.
    """
    keys = set().union(*(AdvisoryIndex.keys_for(advisory) for advisory in advisories))
    return len(match_components(components_for(keys)).opened)


def time_rematch(advisory: OSVAdvisory) -> float:
    """Seconds the re-match task takes for a new advisory, end to end, then rolled back.

    The advisory is stored as an import would, then the task runs in-process: components
    under its keys, matching against the store, findings written, operators notified, each
    changed asset audited. Nothing of it is kept.
    """
    with transaction.atomic():
        row = _row(advisory)
        row.save()
        keys = sorted(AdvisoryIndex.keys_for(advisory))
        AffectedPackage.objects.bulk_create(
            AffectedPackage(advisory=row, ecosystem=ecosystem, name=name)
            for ecosystem, name in keys
        )
        started = time.perf_counter()
        tasks.rematch.call([list(key) for key in keys], [advisory.id])
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return seconds


def query_plan(advisory: OSVAdvisory) -> str:
    """EXPLAIN ANALYZE of the component lookup for the advisory's first key (PostgreSQL)."""
    ecosystem, name = sorted(AdvisoryIndex.keys_for(advisory))[0]
    query = component_lookup(ecosystem.partition(":")[0], [name]).values_list(*MATCHED_FIELDS)
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN ANALYZE {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())
