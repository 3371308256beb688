"""Migration assets/0004 copies the status changes audited before it into their own table.

Run on both databases: migrate back to 0003, write findings and audit events as the code of
then did, migrate forward, and read the rows the trend and the timelines now use.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps.registry import Apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("assets", "0003_sbom_revisions")]
AFTER = [("assets", "0004_finding_status_changes")]
AT = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC)


def _migrate(targets: list[tuple[str, str]]) -> Apps:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    # every other app as it is now, assets as of the target
    others = [node for node in executor.loader.graph.leaf_nodes() if node[0] != "assets"]
    return executor.loader.project_state([*others, *targets]).apps


@pytest.fixture
def at_0003(transactional_db: None) -> Iterator[Apps]:
    """The schema as of assets/0003; put back to the newest migrations afterwards."""
    yield _migrate(BEFORE)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def _event(apps: Apps, sequence: int, object_id: str, before: Any, after: Any, actor: Any) -> None:
    apps.get_model("audit", "AuditEvent").objects.create(
        sequence=1000 + sequence,  # after the events the fixtures appended
        occurred_at=AT + dt.timedelta(minutes=sequence),
        actor_id=actor.pk if actor else None,
        actor_label=actor.username if actor else "matching",
        action="finding.status_changed",
        object_type="assets.finding",
        object_id=object_id,
        before=json.dumps(before) if before is not None else "",
        after=json.dumps(after),
        previous_hash=f"{sequence - 1:064x}",
        hash=f"{sequence:064x}",
    )


def test_0004_copies_each_audited_status_change_of_a_finding_that_still_exists(
    at_0003, org, user_in
):
    operator = user_in("operator", org("Utility", "operator", sector="energy"))
    apps = at_0003
    advisory = apps.get_model("advisories", "Advisory").objects.create(
        osv_id="PYSEC-OLD", modified=AT, document={}
    )
    asset = apps.get_model("assets", "Asset").objects.create(
        organisation_id=operator.organisation_id, name="Grid", sbom_format="CycloneDX"
    )
    component = apps.get_model("assets", "Component").objects.create(
        asset=asset, name="alpha", version="1.5"
    )
    finding = apps.get_model("assets", "Finding").objects.create(
        asset=asset, component=component, advisory=advisory, verdict="affected", status="resolved"
    )
    pk = str(finding.pk)
    # The operator's command of then: before/after are the finding's status fields.
    accepted = {"status": "accepted_risk", "risk_reason": "isolated", "risk_expires": "2027-01-31"}
    _event(
        apps, 1, pk, {"status": "open", "risk_reason": "", "risk_expires": None}, accepted, operator
    )
    # Matching's bulk close: the status before, the status after and why.
    _event(apps, 2, pk, {"status": "accepted_risk"}, {"status": "resolved", "why": "gone"}, None)
    _event(apps, 3, str(finding.pk + 1000), {"status": "open"}, {"status": "resolved"}, None)
    _event(apps, 4, "not-a-number", {"status": "open"}, {"status": "resolved"}, None)
    _event(apps, 5, pk, None, "not an object", None)  # unreadable state: read as open

    apps = _migrate(AFTER)
    changes = apps.get_model("assets", "FindingStatusChange").objects.order_by("at", "pk")
    rows = [
        (
            c.finding_id,
            c.from_status,
            c.from_risk_expires,
            c.status,
            c.risk_expires,
            c.at,
            c.actor_id,
            c.why,
        )
        for c in changes
    ]
    assert rows == [
        (
            finding.pk,
            "open",
            None,
            "accepted_risk",
            dt.date(2027, 1, 31),
            AT + dt.timedelta(minutes=1),
            operator.pk,
            "isolated",
        ),
        (
            finding.pk,
            "accepted_risk",
            None,
            "resolved",
            None,
            AT + dt.timedelta(minutes=2),
            None,
            "gone",
        ),
        (finding.pk, "open", None, "open", None, AT + dt.timedelta(minutes=5), None, ""),
    ]
