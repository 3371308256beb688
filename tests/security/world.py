"""A seeded world for the authorization matrix: one object of each kind for each tenant.

Every party that can own something owns one of each thing it can own: two labs (a covered
model, a notice under review, its tracks, an access grant, a released finding, a reviewer's
note, a platform run and a self-reported run, a model-found candidate), reporters on both
sides (reports from two labs, two vendors, two operators), two operators' assets with a
finding each, a webhook and an API token per party. The cast reviewer works on lab one's
notice only, so for review material "own" is the notice on whose track a reviewer works.

The cells of the matrix ask for `own(kind, role)` (the object of the role's own tenant, or
None where the role owns none) and `other(kind, role)` (the counterpart tenant's object).
Actions that happened here are done by the services, as a user would; only assessment runs
and their candidates are written as rows (a real run needs a model endpoint and minutes).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.test import Client

from clearinghouse.accounts.models import Organisation, Role, User
from clearinghouse.accounts.services import create_user, issue_token
from clearinghouse.advisories.models import Advisory
from clearinghouse.advisories.services import import_osv
from clearinghouse.assessments.models import AssessmentRun, CandidateReport
from clearinghouse.assessments.runner import assessments_dir
from clearinghouse.assets.inputs import RegisterAsset
from clearinghouse.assets.services import upload_asset
from clearinghouse.core.review import AccessKind
from clearinghouse.frontier.inputs import Designate, RegisterModel
from clearinghouse.frontier.services import designate, register_model
from clearinghouse.intake import services as intake
from clearinghouse.intake.inputs import Triage, TriageAction
from clearinghouse.intake.models import Report
from clearinghouse.notifications.inputs import RegisterWebhook
from clearinghouse.notifications.services import register_webhook
from clearinghouse.reviews import services as reviews
from clearinghouse.reviews.inputs import (
    AddNote,
    AssignReviewer,
    FileNotice,
    GrantAccess,
    RecordFinding,
)
from clearinghouse.reviews.models import Finding as ReviewFinding
from tests.conftest import PASSWORD
from tests.shared_data import shared_data

#: The roles of the matrix: anonymous and every user of the `cast` fixture.
ROLES = ("anonymous", "lab1", "lab2", "reviewer", "coordinator", "vendor", "operator", "admin")

#: Whose object is "other" for each role: the same kind of tenant on the other side, or lab
#: two's (the object none of the government roles works on) for roles without a counterpart.
COUNTERPART = {
    "lab1": "lab2",
    "lab2": "lab1",
    "vendor": "vendor2",
    "operator": "operator2",
    "reviewer": "lab2",
    "coordinator": "lab2",
    "admin": "lab2",
    "anonymous": "lab2",
}

#: A CycloneDX SBOM with a component the imported pip advisories affect (PYSEC-2023-228).
SBOM = json.dumps(
    {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "components": [
            {"type": "library", "name": "pip", "version": "22.1.2", "purl": "pkg:pypi/pip@22.1.2"}
        ],
    }
).encode()


@dataclass
class World:
    """The seeded objects by kind and owning party, the users and one client per role."""

    users: dict[str, User]
    objects: dict[str, dict[str, int | str]] = field(default_factory=dict)
    api: dict[str, Client] = field(default_factory=dict)
    pages: dict[str, Client] = field(default_factory=dict)

    def add(self, kind: str, party: str, key: int | str) -> None:
        self.objects.setdefault(kind, {})[party] = key

    def own(self, kind: str, role: str) -> int | str | None:
        """The object of `kind` that `role`'s own tenant holds, if it holds one."""
        return self.objects[kind].get(role)

    def other(self, kind: str, role: str) -> int | str:
        """The counterpart tenant's object of `kind` (the last seeded where there is none)."""
        owned = self.objects[kind]
        return owned.get(COUNTERPART[role]) or list(owned.values())[-1]


def _people() -> dict[str, User]:
    def organisation(name: str, kind: str, **extra: str) -> Organisation:
        return Organisation.objects.create(name=name, kind=kind, **extra)

    clearinghouse = organisation("World Clearinghouse", "clearinghouse")
    orgs = {
        "lab1": ("developer", organisation("World Lab One", "lab")),
        "lab2": ("developer", organisation("World Lab Two", "lab")),
        "reviewer": ("reviewer", organisation("World Agency", "agency", track="national_security")),
        "coordinator": ("coordinator", clearinghouse),
        "vendor": ("vendor", organisation("World Vendor", "vendor")),
        "vendor2": ("vendor", organisation("World Vendor Two", "vendor")),
        "operator": ("operator", organisation("World Utility", "operator", sector="energy")),
        "operator2": ("operator", organisation("World Utility Two", "operator", sector="energy")),
        "admin": ("admin", clearinghouse),
    }
    return {
        name: create_user(
            username=f"{name}-user", password=PASSWORD, role=Role(role), organisation=org
        )
        for name, (role, org) in orgs.items()
    }


def _clients(world: World) -> None:
    world.api["anonymous"] = Client()
    world.pages["anonymous"] = Client()
    for role in ROLES[1:]:
        user = world.users[role]
        token, secret = issue_token(user, "matrix")
        world.add("token", role, token.pk)
        world.api[role] = Client(headers={"Authorization": f"Bearer {secret}"})
        world.pages[role] = Client()
        world.pages[role].force_login(user)


def _reviews(world: World, lab: str) -> None:
    """Lab `lab`'s covered model with a notice under review, its material and its runs."""
    users = world.users
    declaration = RegisterModel(
        name=f"Model {lab}",
        version="1",
        training_compute_flop=2e26,
        modalities=["text"],  # type: ignore[list-item]  # pydantic coerces
        capabilities=[],
        tools=[],
        planned_release_date=dt.date.today() + dt.timedelta(days=60),
        deployment_channels=["api"],  # type: ignore[list-item]
    )
    model = register_model(users[lab], declaration)
    designate(
        users["reviewer"],
        model,
        Designate(
            authority="Office of Review", reference=f"R-{lab}", designated_on=dt.date.today()
        ),
    )
    world.add("model", lab, model.pk)
    release = dt.date.today() + dt.timedelta(days=45)
    notice = reviews.file_notice(
        users[lab], FileNotice(ai_model_id=model.pk, planned_release_date=release)
    )
    reviews.grant_access(
        users[lab], notice, GrantAccess(kind=AccessKind.INSPECT_PROVIDER, model="hf/org/model")
    )
    notice = reviews.submit_notice(users[lab], notice)
    track = notice.tracks.get(track="national_security")
    if lab == "lab1":  # the cast reviewer works on lab one's notice only
        reviews.assign_reviewer(
            users["admin"], track, AssignReviewer(reviewer=users["reviewer"].username)
        )
    finding = reviews.record_finding(
        users["admin"],
        track,
        RecordFinding(
            category=ReviewFinding.Category.OTHER,
            severity=ReviewFinding.Severity.LOW,
            title=f"Finding on {lab}",
            description="d",
        ),
    )
    reviews.release_finding(users["admin"], finding)
    reviews.add_note(users["admin"], track, AddNote(body=f"note on {lab}"))
    party = "reviewer" if lab == "lab1" else lab
    for kind, key in (
        ("notice", notice.pk),
        ("track", track.pk),
        ("grant", notice.access_grants.get().pk),
        ("review_finding", finding.pk),
    ):
        world.add(kind, lab, key)
        if party != lab:
            world.add(kind, party, key)
    _runs(world, lab, notice, model)


def _runs(world: World, lab: str, notice: Any, model: Any) -> None:
    """A platform run (reviewers') with a candidate, and a lab's self-reported run; each a log."""
    users = world.users
    directory = assessments_dir() / f"matrix-{lab}"
    directory.mkdir(parents=True, exist_ok=True)
    log = directory / "log.json"
    _write_empty_log(log)
    relative = str(log.relative_to(assessments_dir()))
    base = {
        "notice": notice,
        "suite": "cyber",
        "target": "hf/org/model",
        "status": AssessmentRun.Status.FAILED,
        "failure_reason": "seeded",
        "log_paths": [relative],
    }
    platform = AssessmentRun.objects.create(**base, started_by=users["admin"])
    uploaded = AssessmentRun.objects.create(
        **base,
        origin=AssessmentRun.Origin.SELF_REPORTED,
        self_reported=True,
        organisation=notice.organisation,
        started_by=users[lab],
    )
    candidate = CandidateReport.objects.create(
        run=platform, ai_model=model, sample_id=f"s-{lab}", cwe="CWE-89", summary="SQL injection"
    )
    world.add("run", lab, uploaded.pk)
    for party in dict.fromkeys((lab, "reviewer" if lab == "lab1" else lab)):
        world.add("platform_run", party, platform.pk)
        world.add("candidate", party, candidate.pk)


def _write_empty_log(path: Path) -> None:
    from inspect_ai.log import EvalConfig, EvalDataset, EvalLog, EvalSpec, write_eval_log

    spec = EvalSpec(
        task="cyber",
        dataset=EvalDataset(),
        model="mockllm/model",
        config=EvalConfig(),
        created="2026-01-01T00:00:00+00:00",
    )
    write_eval_log(EvalLog(eval=spec), str(path))


def _intake(world: World) -> None:
    """A report from each reporting party; lab two's is declined and vendor two's merged."""
    users = world.users
    for party in ("lab1", "lab2", "vendor", "vendor2", "operator", "operator2"):
        document = json.dumps({"reports": [{"title": f"Overflow reported by {party}"}]}).encode()
        outcome = intake.submit(users[party], document, background=False)
        world.add("submission", party, outcome.submission.pk)
        world.add("report", party, outcome.submission.reports.get().pk)
    decline = Triage(action=TriageAction.DECLINE, reason="not a vulnerability")
    for party in ("lab1", "vendor", "operator"):
        report = Report.objects.get(pk=world.objects["report"][party])
        intake.triage(users["coordinator"], report, decline)


def _assets(world: World) -> None:
    for party in ("operator", "operator2"):
        asset = upload_asset(
            world.users[party],
            RegisterAsset(name=f"Plant {party}", filename="plant.cdx.json"),
            SBOM,
        )
        world.add("asset", party, asset.pk)
        world.add("asset_finding", party, asset.findings.get().pk)


def _webhooks(world: World) -> None:
    for party in (
        "lab1",
        "lab2",
        "vendor",
        "vendor2",
        "operator",
        "operator2",
        "reviewer",
        "admin",
    ):
        endpoint, _ = register_webhook(
            world.users[party], RegisterWebhook(url=f"https://hooks.example.org/{party}")
        )
        world.add("endpoint", party, endpoint.pk)
    world.add("endpoint", "coordinator", world.objects["endpoint"]["admin"])


def build() -> World:
    """Seed the world (inside the caller's transaction) and sign every role's clients in."""
    world = World(users=_people())
    import_osv(shared_data("osv/pypi/pip"))
    advisory = Advisory.objects.get(osv_id="PYSEC-2023-228")
    world.add("advisory", "B", advisory.osv_id)
    for lab in ("lab1", "lab2"):
        _reviews(world, lab)
    _intake(world)
    _assets(world)
    _webhooks(world)
    _clients(world)
    return world
