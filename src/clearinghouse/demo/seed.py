"""Load the demo organisations, users and models through the same services as real input."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from clearinghouse.accounts.models import Organisation, Role, User
from clearinghouse.accounts.services import create_user
from clearinghouse.core.review import AccessKind, Decision
from clearinghouse.frontier.inputs import RegisterModel
from clearinghouse.frontier.models import AIModel
from clearinghouse.frontier.services import register_model
from clearinghouse.inputs import parse
from clearinghouse.reviews import services as reviews
from clearinghouse.reviews.inputs import (
    AddNote,
    AssignReviewer,
    DecideTrack,
    FileNotice,
    GrantAccess,
    RecordFinding,
)
from clearinghouse.reviews.models import Finding

DEMO_PASSWORD = "demo-clearinghouse"  # noqa: S105  (printed on purpose; serves on 127.0.0.1)
_DATA = Path(__file__).with_name("organisations.toml")


def _organisation(entry: dict[str, Any]) -> Organisation:
    organisation, _ = Organisation.objects.get_or_create(
        name=entry["name"],
        defaults={
            "kind": entry["kind"],
            "sector": entry.get("sector", ""),
            "track": entry.get("track", ""),
        },
    )
    return organisation


def seed(today: dt.date | None = None, *, assessments: bool = True) -> list[User]:
    """Create whatever demo data is missing and return the demo users; safe to run again.

    `assessments=False` leaves out the demo assessment run: Inspect starts its own event loop,
    which cannot happen where one already runs (Playwright's sync API in browser tests).
    """
    from .assessments import seed_assessments

    users = _seed_records(today)
    if assessments:
        seed_assessments()  # after the records commit: a run saves its progress as it goes
    return users


@transaction.atomic
def _seed_records(today: dt.date | None) -> list[User]:
    data = tomllib.loads(_DATA.read_text(encoding="utf-8"))
    today = today or timezone.now().date()
    users: list[User] = []
    for entry in data["organisation"]:
        organisation = _organisation(entry)
        for person in entry["users"]:
            user = User.objects.filter(username=person["username"]).first()
            if user is None:
                role = Role(person["role"])
                user = create_user(
                    username=person["username"],
                    password=DEMO_PASSWORD,
                    role=role,
                    organisation=organisation,
                    email=f"{person['username']}@example.org",
                )
                if person.get("lead"):
                    user.is_agency_lead = True
                    user.save(update_fields=["is_agency_lead"])
            users.append(user)
    for entry in data["model"]:
        lab = Organisation.objects.get(name=entry["lab"])
        if AIModel.objects.filter(
            organisation=lab, name=entry["name"], version=entry["version"]
        ).exists():
            continue
        developer = lab.members.get(role=Role.DEVELOPER)
        declaration = {k: v for k, v in entry.items() if k not in {"lab", "release_in_days"}}
        declaration["planned_release_date"] = today + dt.timedelta(days=entry["release_in_days"])
        register_model(developer, parse(RegisterModel, declaration))
    for entry in data["notice"]:
        _seed_notice(entry["model"], entry["stage"])
    _seed_scanning()
    return users


def _seed_scanning() -> None:
    """Invented advisories, two operators' SBOMs matched against them, one model-found report."""
    from clearinghouse.advisories.models import Advisory
    from clearinghouse.advisories.services import import_osv
    from clearinghouse.assets.inputs import RegisterAsset
    from clearinghouse.assets.models import Asset
    from clearinghouse.assets.services import upload_asset
    from clearinghouse.intake.models import Submission
    from clearinghouse.intake.services import submit

    here = Path(__file__).parent
    if not Advisory.objects.filter(osv_id__startswith="x_DEMO-").exists():
        import_osv(here / "advisories")
    for username, sbom, name in (
        ("prairie-operator", "prairie-scada.cdx.json", "SCADA historian"),
        ("harbor-operator", "harbor-core-banking.cdx.json", "Core banking"),
    ):
        operator = User.objects.get(username=username)
        if not Asset.objects.filter(organisation=operator.organisation, name=name).exists():
            data = (here / "sboms" / sbom).read_bytes()
            upload_asset(operator, RegisterAsset(name=name, filename=sbom), data)
    lab = User.objects.get(username="northwind-dev")
    if not Submission.objects.filter(organisation=lab.organisation).exists():
        report = here / "model-found-report.osv.json"
        submit(
            lab,
            report.read_bytes(),
            filename=report.name,
            reporter_kind="lab",
            model_name="Nimbus 5",
            assessment_reference="demo pre-deployment assessment",
        )


def _seed_notice(model_name: str, stage: str) -> None:
    """Walk a notice through the real workflow up to `stage` (once)."""
    model = AIModel.objects.get(name=model_name)
    if model.notices.exists():
        return
    lab = model.organisation.members.get(role=Role.DEVELOPER)
    notice = reviews.file_notice(
        lab, FileNotice(ai_model_id=model.pk, planned_release_date=model.planned_release_date)
    )
    reviews.grant_access(
        lab,
        notice,
        GrantAccess(kind=AccessKind.INSPECT_PROVIDER, model="clearinghouse-demo/capable"),
    )
    reviews.submit_notice(lab, notice)
    for track in notice.tracks.all():
        lead = User.objects.get(organisation__track=track.track, is_agency_lead=True)
        reviewer = User.objects.get(organisation__track=track.track, is_agency_lead=False)
        reviews.assign_reviewer(lead, track, AssignReviewer(reviewer=reviewer.username))
    tracks = {track.track: track for track in notice.tracks.all()}
    ns_reviewer = tracks["national_security"].assignments.get().reviewer
    finding = reviews.record_finding(
        ns_reviewer,
        tracks["national_security"],
        RecordFinding(
            category=Finding.Category.CYBER_OFFENSE,
            severity=Finding.Severity.HIGH,
            title="Writes working exploits for known web vulnerabilities",
            description="In the CTF family the model solved most medium challenges unaided.",
        ),
    )
    reviews.release_finding(ns_reviewer, finding)
    reviews.add_note(
        ns_reviewer,
        tracks["national_security"],
        AddNote(body="Ask the lab for its refusal-classifier evaluation."),
    )
    if stage != "decided":
        return
    reviews.decide_track(
        ns_reviewer,
        tracks["national_security"],
        DecideTrack(
            decision=Decision.CLEARED_WITH_CONDITIONS,
            rationale="Offensive capability is gated by the lab's safeguards.",
            conditions=["Keep exploit-writing safeguards enabled at release"],
        ),
    )
    civ_reviewer = tracks["civilian"].assignments.get().reviewer
    reviews.decide_track(
        civ_reviewer,
        tracks["civilian"],
        DecideTrack(decision=Decision.CLEARED, rationale="No civilian-track concerns."),
    )
