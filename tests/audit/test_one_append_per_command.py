"""Every audited service command of every app appends to the audit chain exactly once.

However many events a command records (a decision that also decides the notice, a feed import
that re-scores reports, a run that drafts findings and re-determines the model), they are
appended under one lock of the chain head, at the end of the command's one transaction
(`with audited():`). Each case sets up what its command acts on, then runs the command alone
inside `chain_appends`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from clearinghouse.accounts import services as accounts
from clearinghouse.accounts.inputs import NewOrganisation
from clearinghouse.accounts.models import OrganisationKind, Role
from clearinghouse.advisories.services import import_osv
from clearinghouse.assessments import services as assessments
from clearinghouse.assessments.catalog import Suite
from clearinghouse.assessments.inputs import StartRun, UploadLog
from clearinghouse.assessments.models import AssessmentRun, CandidateReport
from clearinghouse.assets import services as assets
from clearinghouse.assets.inputs import ChangeFindingStatus, OperatorStatus, RegisterAsset
from clearinghouse.assets.inputs import ReplaceSbom as ReplaceSbomInput
from clearinghouse.assets.models import Asset, Finding
from clearinghouse.audit.models import AuditEvent
from clearinghouse.core.oidc import SignInClaims
from clearinghouse.demo import scripted
from clearinghouse.frontier import services as frontier
from clearinghouse.frontier.inputs import ActivatePolicy, Designate, RegisterModel, UpdateModel
from clearinghouse.inputs import parse
from clearinghouse.intake import services as intake
from clearinghouse.intake.inputs import BulkTriage, Triage, TriageAction
from clearinghouse.intake.models import Report, Submission
from clearinghouse.notifications import services as notifications
from clearinghouse.notifications.inputs import RegisterWebhook
from clearinghouse.reviews import services as reviews
from clearinghouse.reviews.inputs import AddNote, AssignReviewer, EditDraft, FileNotice
from clearinghouse.reviews.models import Notice, TrackReview
from tests.advisories.conftest import osv_record, rematch_jobs, write_osv
from tests.assessments.conftest import assessment_settings, grant_endpoint, logs
from tests.intake.conftest import csaf_path, native
from tests.reviews.conftest import (
    CLEARED,
    GRANT,
    NOTE_WORTHY,
    covered_model,
    people,
    submitted,
    under_review,
)
from tests.shared_data import shared_data

__all__ = [
    "assessment_settings",
    "covered_model",
    "csaf_path",
    "grant_endpoint",
    "logs",
    "people",
    "rematch_jobs",
    "submitted",
    "under_review",
    "write_osv",
]

pytestmark = pytest.mark.django_db

#: name -> a setup taking the test's fixtures (`request.getfixturevalue`) and returning the
#: command to run, once.
Setup = Callable[[pytest.FixtureRequest], Callable[[], object]]
COMMANDS: dict[str, Setup] = {}


def command(name: str) -> Callable[[Setup], Setup]:
    def register(setup: Setup) -> Setup:
        COMMANDS[name] = setup
        return setup

    return register


def _people(request: pytest.FixtureRequest) -> dict[str, Any]:
    crew: dict[str, Any] = request.getfixturevalue("people")
    return crew


def _notice(request: pytest.FixtureRequest, fixture: str = "under_review") -> Notice:
    return Notice.objects.get(pk=request.getfixturevalue(fixture)["id"])


def _track(request: pytest.FixtureRequest, track: str = "national_security") -> TrackReview:
    return TrackReview.objects.get(notice=_notice(request), track=track)


def _bom(*versions: str) -> bytes:
    components = [
        {"type": "library", "name": "alpha", "version": v, "purl": f"pkg:pypi/alpha@{v}"}
        for v in versions
    ]
    return json.dumps(
        {"bomFormat": "CycloneDX", "specVersion": "1.5", "components": components}
    ).encode()


# -- accounts -------------------------------------------------------------------------------


@command("accounts.issue_token")
def _issue_token(request: pytest.FixtureRequest) -> Callable[[], object]:
    lab = _people(request)["lab1"]
    return lambda: accounts.issue_token(lab, "laptop")


@command("accounts.revoke_token")
def _revoke_token(request: pytest.FixtureRequest) -> Callable[[], object]:
    lab = _people(request)["lab1"]
    token, _ = accounts.issue_token(lab, "laptop")
    return lambda: accounts.revoke_token(lab, token)


@command("accounts.create_user")
def _create_user(request: pytest.FixtureRequest) -> Callable[[], object]:
    organisation = _people(request)["lab1"].organisation
    return lambda: accounts.create_user(
        username="newcomer",
        password="correct-horse-battery",
        role=Role.DEVELOPER,
        organisation=organisation,
    )


@command("accounts.create_organisation")
def _create_organisation(request: pytest.FixtureRequest) -> Callable[[], object]:
    admin = _people(request)["admin"]
    return lambda: accounts.create_organisation(
        admin, NewOrganisation(name="Lab Three", kind=OrganisationKind.LAB)
    )


@command("accounts.sign_in_from_provider")
def _sign_in(request: pytest.FixtureRequest) -> Callable[[], object]:
    _people(request)  # the "Agency" organisation the claims name
    claims = SignInClaims(
        issuer="https://login.agency.example",
        subject="person-1",
        organisation="Agency",
        role="reviewer",
        username="rivera",
        email="rivera@agency.example",
    )
    return lambda: accounts.sign_in_from_provider(claims)


@command("accounts.enrol_second_factor")
def _enrol(request: pytest.FixtureRequest) -> Callable[[], object]:
    from django_otp.oath import TOTP

    request.getfixturevalue("settings").CLEARINGHOUSE_TOTP_REQUIRED = True
    user = _people(request)["reviewer"]
    device = accounts.pending_authenticator(user)
    code = TOTP(device.bin_key, device.step, device.t0, device.digits).token()
    return lambda: accounts.enrol_second_factor(user, device, f"{code:06d}")


@command("accounts.reset_second_factor")
def _reset(request: pytest.FixtureRequest) -> Callable[[], object]:
    request.getfixturevalue("settings").CLEARINGHOUSE_TOTP_REQUIRED = True
    crew = _people(request)
    accounts.pending_authenticator(crew["reviewer"])
    return lambda: accounts.reset_second_factor(crew["admin"], crew["reviewer"])


# -- frontier -------------------------------------------------------------------------------


def _declaration(request: pytest.FixtureRequest, name: str) -> RegisterModel:
    declaration = request.getfixturevalue("declaration")
    return RegisterModel(**declaration(name=name, training_compute_flop=2e26))


@command("frontier.register_model")
def _register(request: pytest.FixtureRequest) -> Callable[[], object]:
    lab, command = _people(request)["lab1"], _declaration(request, "A")
    return lambda: frontier.register_model(lab, command)


@command("frontier.update_model")
def _update(request: pytest.FixtureRequest) -> Callable[[], object]:
    lab = _people(request)["lab1"]
    model = frontier.register_model(lab, _declaration(request, "A"))
    return lambda: frontier.update_model(lab, model, UpdateModel(training_compute_flop=3e26))


@command("frontier.designate")
def _designate(request: pytest.FixtureRequest) -> Callable[[], object]:
    crew = _people(request)
    model = frontier.register_model(crew["lab1"], _declaration(request, "A"))
    designation = Designate(authority="Agency", reference="D-1", designated_on=dt.date(2026, 1, 2))
    return lambda: frontier.designate(crew["reviewer"], model, designation)


@command("frontier.activate_policy")
def _activate(request: pytest.FixtureRequest) -> Callable[[], object]:
    crew = _people(request)
    for name in ("A", "B"):  # one determination each, all in the one append
        frontier.register_model(crew["lab1"], _declaration(request, name))
    policy = ActivatePolicy(policy_id="eo-2026-draft")
    return lambda: frontier.activate_policy(crew["admin"], policy)


# -- reviews --------------------------------------------------------------------------------


@command("reviews.file_notice")
def _file(request: pytest.FixtureRequest) -> Callable[[], object]:
    lab, model = _people(request)["lab1"], request.getfixturevalue("covered_model")
    release = dt.date.today() + dt.timedelta(days=45)
    notice = FileNotice(ai_model_id=model.pk, planned_release_date=release)
    return lambda: reviews.file_notice(lab, notice)


def _draft(request: pytest.FixtureRequest) -> Notice:
    lab, model = _people(request)["lab1"], request.getfixturevalue("covered_model")
    release = dt.date.today() + dt.timedelta(days=45)
    return reviews.file_notice(lab, FileNotice(ai_model_id=model.pk, planned_release_date=release))


@command("reviews.update_draft")
def _edit(request: pytest.FixtureRequest) -> Callable[[], object]:
    lab, draft = _people(request)["lab1"], _draft(request)
    return lambda: reviews.update_draft(lab, draft, EditDraft(training_data_summary="Web text."))


@command("reviews.submit_notice")
def _submit_notice(request: pytest.FixtureRequest) -> Callable[[], object]:
    lab, draft = _people(request)["lab1"], _draft(request)
    return lambda: reviews.submit_notice(lab, draft)


@command("reviews.withdraw_notice")
def _withdraw(request: pytest.FixtureRequest) -> Callable[[], object]:
    lab, notice = _people(request)["lab1"], _notice(request)
    reviews.grant_access(lab, notice, GRANT)  # revoked by the withdrawal, in its transaction
    return lambda: reviews.withdraw_notice(lab, notice)


def _decided(request: pytest.FixtureRequest) -> Notice:
    crew = _people(request)
    reviews.decide_track(crew["ns_reviewer"], _track(request), CLEARED)
    reviews.decide_track(crew["civ_reviewer"], _track(request, "civilian"), CLEARED)
    return _notice(request)


@command("reviews.mark_released")
def _released(request: pytest.FixtureRequest) -> Callable[[], object]:
    lab, notice = _people(request)["lab1"], _decided(request)
    return lambda: reviews.mark_released(lab, notice)


@command("reviews.grant_access")
def _grant(request: pytest.FixtureRequest) -> Callable[[], object]:
    lab, notice = _people(request)["lab1"], _notice(request, "submitted")
    return lambda: reviews.grant_access(lab, notice, GRANT)


@command("reviews.revoke_access")
def _revoke(request: pytest.FixtureRequest) -> Callable[[], object]:
    lab = _people(request)["lab1"]
    grant = reviews.grant_access(lab, _notice(request, "submitted"), GRANT)
    return lambda: reviews.revoke_access(lab, grant)


@command("reviews.assign_reviewer")
def _assign(request: pytest.FixtureRequest) -> Callable[[], object]:
    crew, notice = _people(request), _notice(request, "submitted")
    track = TrackReview.objects.get(notice=notice, track="national_security")
    assignment = AssignReviewer(reviewer=crew["ns_reviewer"].username)
    # the first assignment also starts the review: two events
    return lambda: reviews.assign_reviewer(crew["ns_lead"], track, assignment)


@command("reviews.record_finding")
def _finding(request: pytest.FixtureRequest) -> Callable[[], object]:
    reviewer, track = _people(request)["ns_reviewer"], _track(request)
    return lambda: reviews.record_finding(reviewer, track, NOTE_WORTHY)


@command("reviews.release_finding")
def _release(request: pytest.FixtureRequest) -> Callable[[], object]:
    reviewer = _people(request)["ns_reviewer"]
    finding = reviews.record_finding(reviewer, _track(request), NOTE_WORTHY)
    return lambda: reviews.release_finding(reviewer, finding)


@command("reviews.attach_evidence")
def _evidence(request: pytest.FixtureRequest) -> Callable[[], object]:
    reviewer = _people(request)["ns_reviewer"]
    finding = reviews.record_finding(reviewer, _track(request), NOTE_WORTHY)
    upload = SimpleUploadedFile("log.txt", b"transcript")
    return lambda: reviews.attach_evidence(reviewer, finding, upload, 1000)


@command("reviews.add_note")
def _note(request: pytest.FixtureRequest) -> Callable[[], object]:
    reviewer, track = _people(request)["ns_reviewer"], _track(request)
    return lambda: reviews.add_note(reviewer, track, AddNote(body="Ask the lab."))


@command("reviews.decide_track")
def _decide(request: pytest.FixtureRequest) -> Callable[[], object]:
    crew = _people(request)
    reviews.decide_track(crew["ns_reviewer"], _track(request), CLEARED)
    civilian = _track(request, "civilian")
    # the last decision also decides the notice and tells the lab: several events
    return lambda: reviews.decide_track(crew["civ_reviewer"], civilian, CLEARED)


@command("reviews.run_clock")
def _clock(request: pytest.FixtureRequest) -> Callable[[], object]:
    notice = _notice(request)
    Notice.objects.filter(pk=notice.pk).update(
        review_deadline=timezone.now() - dt.timedelta(days=1)
    )
    return lambda: reviews.run_clock()  # one notice overdue: one unit of work


# -- assessments ----------------------------------------------------------------------------

REFUSAL = StartRun(suite=Suite("cyber_refusal"))


def _granted(request: pytest.FixtureRequest) -> Notice:
    notice = _notice(request)
    request.getfixturevalue("grant_endpoint")(notice.pk, "http://127.0.0.1:9/v1")
    return notice


@command("assessments.start_run")
def _start(request: pytest.FixtureRequest) -> Callable[[], object]:
    reviewer, notice = _people(request)["ns_reviewer"], _granted(request)
    return lambda: assessments.start_run(reviewer, notice, REFUSAL)


@command("assessments.resume_run")
def _resume(request: pytest.FixtureRequest) -> Callable[[], object]:
    reviewer = _people(request)["ns_reviewer"]
    run = assessments.start_run(reviewer, _granted(request), REFUSAL)
    AssessmentRun.objects.filter(pk=run.pk).update(status="failed", failure_reason="x")
    return lambda: assessments.resume_run(reviewer, AssessmentRun.objects.get(pk=run.pk))


@command("assessments.execute (failed)")
def _execute_failed(request: pytest.FixtureRequest) -> Callable[[], object]:
    crew = _people(request)
    run = assessments.start_run(crew["ns_reviewer"], _granted(request), REFUSAL)
    reviews.revoke_access(crew["lab1"], reviews.usable_grant(run.notice))  # type: ignore[arg-type]
    return lambda: assessments.execute(run.pk)


@command("assessments.execute (completed)")
def _execute(request: pytest.FixtureRequest) -> Callable[[], object]:
    run = assessments.start_run(_people(request)["ns_reviewer"], _granted(request), REFUSAL)
    # takes the run (no event), runs it, records the completion with its findings and level
    return lambda: assessments.execute(run.pk, model=scripted.mock(scripted.refusing()))


@command("assessments.upload_log")
def _upload(request: pytest.FixtureRequest) -> Callable[[], object]:
    lab, notice = _people(request)["lab1"], _notice(request)
    path = request.getfixturevalue("logs")["eval"]
    upload = parse(UploadLog, {"file": SimpleUploadedFile(path.name, path.read_bytes())})
    return lambda: assessments.upload_log(lab, notice, upload, 10_000_000)


@command("assessments.send_candidate")
def _send(request: pytest.FixtureRequest) -> Callable[[], object]:
    crew, notice = _people(request), _notice(request)
    run = AssessmentRun.objects.create(
        notice=notice,
        suite="cyber_vuln_id",
        families=["cyber_vuln_id"],
        target="lab-model",
        status=AssessmentRun.Status.COMPLETED,
        started_by=crew["ns_reviewer"],
    )
    candidate = CandidateReport.objects.create(
        run=run, ai_model=notice.ai_model, sample_id="s-1", cwe="CWE-89", summary="SQL injection."
    )
    # files an intake submission with its report inside the command: one append
    return lambda: assessments.send_candidate(crew["coordinator"], candidate)


# -- advisories and assets ------------------------------------------------------------------


@command("advisories.import_osv")
def _import(request: pytest.FixtureRequest) -> Callable[[], object]:
    admin = _people(request)["admin"]
    feed = request.getfixturevalue("write_osv")(osv_record("PYSEC-A", "alpha"))
    return lambda: import_osv(feed, actor=admin)


def _operator_asset(request: pytest.FixtureRequest) -> tuple[Any, Asset]:
    operator = _people(request)["operator"]
    import_osv(request.getfixturevalue("write_osv")(osv_record("PYSEC-A", "alpha")))
    asset = assets.upload_asset(operator, RegisterAsset(name="Plant 5"), _bom("1.0", "1.1"))
    return operator, asset


@command("assets.upload_asset")
def _asset(request: pytest.FixtureRequest) -> Callable[[], object]:
    operator = _people(request)["operator"]
    import_osv(request.getfixturevalue("write_osv")(osv_record("PYSEC-A", "alpha")))
    # matched at once against the stored advisory, in the same transaction
    return lambda: assets.upload_asset(operator, RegisterAsset(name="Plant 5"), _bom("1.0"))


@command("assets.replace_sbom")
def _replace(request: pytest.FixtureRequest) -> Callable[[], object]:
    operator, asset = _operator_asset(request)
    # one finding closed (1.0 removed), one opened (1.2 added)
    return lambda: assets.replace_sbom(operator, asset, ReplaceSbomInput(), _bom("1.1", "1.2"))


@command("assets.change_finding_status")
def _status(request: pytest.FixtureRequest) -> Callable[[], object]:
    operator, asset = _operator_asset(request)
    finding = Finding.objects.filter(asset=asset).first()
    assert finding is not None
    remediated = ChangeFindingStatus(status=OperatorStatus.REMEDIATED)
    return lambda: assets.change_finding_status(operator, finding, remediated)


# -- intake ---------------------------------------------------------------------------------


def _report(request: pytest.FixtureRequest, title: str = "Found by Cirrus") -> Report:
    lab = _people(request)["lab1"]
    outcome = intake.submit(lab, native({"title": title, "aliases": ["CVE-2021-31344"]}))
    report = outcome.submission.reports.first()
    assert report is not None
    return report


@command("intake.submit")
def _intake_submit(request: pytest.FixtureRequest) -> Callable[[], object]:
    vendor = _people(request)["vendor"]
    document = request.getfixturevalue("csaf_path").read_bytes()
    # received and processed (four reports, dedup links): one append
    return lambda: intake.submit(vendor, document)


@command("intake.process (the worker's part of a deferred submission)")
def _process(request: pytest.FixtureRequest) -> Callable[[], object]:
    vendor = _people(request)["vendor"]
    document = request.getfixturevalue("csaf_path").read_bytes()
    submission = intake.submit(vendor, document, background=True).submission
    return lambda: intake.process(submission.pk)


@command("intake.submit_many")
def _many(request: pytest.FixtureRequest) -> Callable[[], object]:
    lab = _people(request)["lab1"]
    uploads = [intake.Upload(native({"title": f"Bug {n}"}), filename=f"{n}.json") for n in (1, 2)]
    return lambda: intake.submit_many(lab, uploads)


@command("intake.resumed (the same document sent again)")
def _resent(request: pytest.FixtureRequest) -> Callable[[], object]:
    lab, document = _people(request)["lab1"], native({"title": "Bug"})
    submission = intake.submit(lab, document, background=True).submission
    Submission.objects.filter(pk=submission.pk).update(status="failed")
    return lambda: intake.submit(lab, document)


@command("intake.submit_many (a stalled document again, new ones in two groups)")
def _many_mixed(request: pytest.FixtureRequest) -> Callable[[], object]:
    lab, stalled = _people(request)["lab1"], native({"title": "Stalled"})
    submission = intake.submit(lab, stalled, background=True).submission
    Submission.objects.filter(pk=submission.pk).update(status="failed")
    request.getfixturevalue("settings").CLEARINGHOUSE_INTAKE_MAX_ITEMS = 1  # a group each
    uploads = [intake.Upload(stalled, filename="stalled.json")] + [
        intake.Upload(native({"title": f"Bug {n}"}), filename=f"{n}.json") for n in (1, 2)
    ]
    return lambda: intake.submit_many(lab, uploads)


@command("intake.retry")
def _retry(request: pytest.FixtureRequest) -> Callable[[], object]:
    lab = _people(request)["lab1"]
    submission = intake.submit(lab, native({"title": "Bug"}), background=True).submission
    Submission.objects.filter(pk=submission.pk).update(status="failed")
    return lambda: intake.retry(lab, submission)


@command("intake.triage")
def _triage(request: pytest.FixtureRequest) -> Callable[[], object]:
    coordinator, report = _people(request)["coordinator"], _report(request)
    return lambda: intake.triage(coordinator, report, Triage(action=TriageAction.ACCEPT))


@command("intake.bulk_triage")
def _bulk(request: pytest.FixtureRequest) -> Callable[[], object]:
    coordinator = _people(request)["coordinator"]
    ids = [_report(request, title).pk for title in ("One", "Two")]
    bulk = BulkTriage(action=TriageAction.ACCEPT, report_ids=ids)
    return lambda: intake.bulk_triage(coordinator, bulk)


@command("intake.import_kev")
def _kev(request: pytest.FixtureRequest) -> Callable[[], object]:
    coordinator = _people(request)["coordinator"]
    _report(request)  # re-scored by the import
    path = shared_data("kev/known_exploited_vulnerabilities.json")
    return lambda: intake.import_kev(coordinator, path)


@command("intake.import_epss")
def _epss(request: pytest.FixtureRequest) -> Callable[[], object]:
    coordinator = _people(request)["coordinator"]
    _report(request)
    path = request.getfixturevalue("tmp_path") / "epss.csv"
    path.write_text(
        "#model_version:v2025.03.14,score_date:2026-11-20T00:00:00+0000\n"
        "cve,epss,percentile\nCVE-2021-31344,0.42000,0.97000\n"
    )
    return lambda: intake.import_epss(coordinator, path)


# -- notifications --------------------------------------------------------------------------

HOOK = RegisterWebhook(url="https://soc.utility.example/hook")


@command("notifications.register_webhook")
def _hook(request: pytest.FixtureRequest) -> Callable[[], object]:
    operator = _people(request)["operator"]
    return lambda: notifications.register_webhook(operator, HOOK)


@command("notifications.deactivate_webhook")
def _unhook(request: pytest.FixtureRequest) -> Callable[[], object]:
    operator = _people(request)["operator"]
    endpoint, _ = notifications.register_webhook(operator, HOOK)
    return lambda: notifications.deactivate_webhook(operator, endpoint)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_command_appends_to_the_chain_once(
    name: str, request: pytest.FixtureRequest, chain_appends: Any
) -> None:
    act = COMMANDS[name](request)
    events = AuditEvent.objects.count()
    with chain_appends() as appends:
        act()
    assert AuditEvent.objects.count() > events, "the command recorded nothing"
    assert appends.count == 1


#: Where the apps' commands live; a public function there that opens `audited()` is a command.
SERVICE_MODULES = [
    "accounts.services",
    "advisories.services",
    "assessments.services",
    "assets.services",
    "frontier.services",
    "intake.services._feeds",
    "intake.services._submission",
    "intake.services._triage",
    "notifications.services",
    "reviews.services",
]


def test_every_audited_command_has_a_case_above() -> None:
    import importlib
    import inspect

    covered = {name.split(" ")[0] for name in COMMANDS}
    missing = []
    for module_name in SERVICE_MODULES:
        module = importlib.import_module(f"clearinghouse.{module_name}")
        app = module_name.split(".")[0]
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ != module.__name__ or name.startswith("_"):
                continue
            if "audited()" in inspect.getsource(function) and f"{app}.{name}" not in covered:
                missing.append(f"{app}.{name}")
    assert not missing, f"add a case for {missing}"
