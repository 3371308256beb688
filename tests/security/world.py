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

The government staff (`STAFF`) have names found nowhere else; `with_history` extends the
world for the history sweep (tests/security/test_history_sweep.py) with a second reviewer
and coordinator and staff acting on every subject that has a history.
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
from clearinghouse.assets.inputs import (
    ChangeFindingStatus,
    OperatorStatus,
    RegisterAsset,
    ReplaceSbom,
)
from clearinghouse.assets.models import Asset
from clearinghouse.assets.models import Finding as AssetFinding
from clearinghouse.assets.services import change_finding_status, replace_sbom, upload_asset
from clearinghouse.core.review import AccessKind, Decision
from clearinghouse.frontier.inputs import ActivatePolicy, Designate, RegisterModel
from clearinghouse.frontier.services import activate_policy, designate, register_model
from clearinghouse.intake import services as intake
from clearinghouse.intake.inputs import BulkTriage, Triage, TriageAction
from clearinghouse.intake.models import Report
from clearinghouse.notifications.inputs import RegisterWebhook
from clearinghouse.notifications.models import WebhookEndpoint
from clearinghouse.notifications.services import deactivate_webhook, register_webhook
from clearinghouse.paging import PER_PAGE
from clearinghouse.reviews import services as reviews
from clearinghouse.reviews.inputs import (
    AddNote,
    AssignReviewer,
    DecideTrack,
    FileNotice,
    GrantAccess,
    RecordFinding,
)
from clearinghouse.reviews.models import Finding as ReviewFinding
from clearinghouse.reviews.models import TrackReview
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


@dataclass(frozen=True)
class Person:
    """A government staff member with a name findable as a plain substring of any answer."""

    username: str
    first_name: str
    last_name: str
    email: str

    @property
    def identity(self) -> tuple[str, ...]:
        """Every string that would name this person: a leak is any of them in an answer."""
        full = f"{self.first_name} {self.last_name}"
        return (self.username, self.first_name, self.last_name, full, self.email)

    def create(self, role: Role, organisation: Organisation | None) -> User:
        user = create_user(
            username=self.username,
            password=PASSWORD,
            role=role,
            organisation=organisation,
            email=self.email,
        )
        user.first_name, user.last_name = self.first_name, self.last_name
        user.save(update_fields=["first_name", "last_name"])
        return user


#: The world's government staff (the cast's and the history sweep's second reviewer and
#: coordinator): names that occur nowhere else, so the sweep finds a leak by substring.
STAFF = {
    "reviewer": Person(
        "zelda-okonkwo-quist", "Zelda", "Okonkwo-Quist", "zelda.oq@review-agency.example.gov"
    ),
    "reviewer2": Person(
        "ingeborg-vasquez-thorne",
        "Ingeborg",
        "Vasquez-Thorne",
        "ingeborg.vt@review-agency.example.gov",
    ),
    "coordinator": Person(
        "thaddeus-vantreight", "Thaddeus", "Vantreight", "t.vantreight@clearinghouse.example.gov"
    ),
    "coordinator2": Person(
        "philippa-marrowgate",
        "Philippa",
        "Marrowgate",
        "p.marrowgate@clearinghouse.example.gov",
    ),
    "admin": Person(
        "marisol-brackwater", "Marisol", "Brackwater", "m.brackwater@clearinghouse.example.gov"
    ),
}


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
    users = {}
    for name, (role, org) in orgs.items():
        person = STAFF.get(name)
        users[name] = (
            person.create(Role(role), org)
            if person
            else create_user(
                username=f"{name}-user", password=PASSWORD, role=Role(role), organisation=org
            )
        )
    return users


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
    finding = _released_finding(users["admin"], track, f"Finding on {lab}")
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


def _released_finding(user: User, track: TrackReview, title: str) -> ReviewFinding:
    """A finding `user` records on `track` and releases to the lab."""
    finding = reviews.record_finding(
        user,
        track,
        RecordFinding(
            category=ReviewFinding.Category.OTHER,
            severity=ReviewFinding.Severity.LOW,
            title=title,
            description="d",
        ),
    )
    return reviews.release_finding(user, finding)


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


#: Findings recorded on lab one's track for the history sweep: more than a page, so the
#: notice page's lists have a second page the sweep must follow.
SWEEP_FINDINGS = PER_PAGE + 5


def with_history(world: World) -> World:
    """Government staff act on every subject that has a history, for the history sweep.

    A second reviewer (on lab two's track) and a second coordinator join the cast's staff;
    the reviewers record and release findings (lab one's track gets more than a page of
    them), take notes and decide their tracks; the coordinators reopen, decline, accept,
    merge and bulk-triage reports of every reporting party; the admin replaces an SBOM,
    moves a finding, switches webhooks off and puts the policy in force again (every model
    is determined again, by the admin). Vendor two and operator two get clients too.
    """
    users = world.users
    users["reviewer2"] = STAFF["reviewer2"].create(Role.REVIEWER, users["reviewer"].organisation)
    users["coordinator2"] = STAFF["coordinator2"].create(
        Role.COORDINATOR, users["coordinator"].organisation
    )
    _review_history(world)
    _intake_history(world)
    _asset_history(world)
    activate_policy(users["admin"], ActivatePolicy(policy_id="eo-2026"))
    for party in ("lab1", "vendor", "operator"):
        endpoint = WebhookEndpoint.objects.get(pk=world.objects["endpoint"][party])
        deactivate_webhook(users["admin"], endpoint)
    for party in ("vendor2", "operator2"):
        token, secret = issue_token(users[party], "sweep")
        world.add("token", party, token.pk)
        world.api[party] = Client(headers={"Authorization": f"Bearer {secret}"})
        world.pages[party] = Client()
        world.pages[party].force_login(users[party])
    return world


def _review_history(world: World) -> None:
    users = world.users
    lab2 = TrackReview.objects.get(pk=world.objects["track"]["lab2"])
    reviews.assign_reviewer(
        users["admin"], lab2, AssignReviewer(reviewer=users["reviewer2"].username)
    )
    for reviewer, lab, count in (("reviewer", "lab1", SWEEP_FINDINGS), ("reviewer2", "lab2", 1)):
        track = TrackReview.objects.get(pk=world.objects["track"][lab])
        for number in range(count):
            _released_finding(users[reviewer], track, f"Sweep finding {number} on {lab}")
        reviews.add_note(users[reviewer], track, AddNote(body=f"internal note on {lab}"))
        decision = DecideTrack(decision=Decision.CLEARED, rationale="No concerns.")
        reviews.decide_track(users[reviewer], track, decision)


def _intake_history(world: World) -> None:
    users, report_ids = world.users, world.objects["report"]

    def triage(staff: str, party: str, action: TriageAction, **extra: Any) -> None:
        report = Report.objects.get(pk=report_ids[party])
        intake.triage(users[staff], report, Triage(action=action, **extra))

    # lab one's report, declined in `build`: reopened and decided again by both coordinators
    triage("coordinator2", "lab1", TriageAction.REOPEN)
    triage("coordinator", "lab1", TriageAction.DECLINE, reason="still not a vulnerability")
    triage("coordinator2", "lab1", TriageAction.REOPEN)
    triage("coordinator", "lab1", TriageAction.ACCEPT)
    # vendor two's report merged into another organisation's, taken back and merged again
    for staff, action in (
        ("coordinator2", "merge"),
        ("coordinator", "unmerge"),
        ("coordinator2", "merge"),
    ):
        extra = {"duplicate_of": report_ids["lab2"]} if action == "merge" else {}
        triage(staff, "vendor2", TriageAction(action), **extra)
    triage("coordinator2", "operator", TriageAction.REOPEN)
    triage("coordinator2", "vendor", TriageAction.REOPEN)
    accept = BulkTriage(action=TriageAction.ACCEPT, report_ids=[int(report_ids["operator2"])])
    intake.bulk_triage(users["coordinator2"], accept)
    triage("coordinator", "operator2", TriageAction.DECLINE, reason="out of scope")


def _asset_history(world: World) -> None:
    admin = world.users["admin"]
    asset = Asset.objects.get(pk=world.objects["asset"]["operator"])
    replace_sbom(admin, asset, ReplaceSbom(filename="plant-2.cdx.json"), SBOM)
    finding = AssetFinding.objects.get(pk=world.objects["asset_finding"]["operator"])
    change_finding_status(admin, finding, ChangeFindingStatus(status=OperatorStatus.REMEDIATED))
