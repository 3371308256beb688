"""Schemathesis against the live test server, as a lab, a coordinator and an operator.

Every operation of /api/openapi.json gets a fixed number of generated requests (valid and
invalid ones), bounded so the run stays within minutes; each answer must not be a 5xx, must
carry a status code and content type the document declares for the operation, and must match
the declared body schema. Path ids are drawn half the time from a seeded demo world, so the
requests reach real objects of the role's own tenant and of others, not only 404s.

Failures are collected over the whole run and listed together (one line per operation and
check), so one run shows everything that is wrong.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Err, Ok

EXAMPLES = 10  # per operation, role and generation mode: 1,360 requests a role
ROLES = {"lab": "northwind-dev", "coordinator": "coordinator", "operator": "prairie-operator"}
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
]

pytestmark = pytest.mark.django_db(transaction=True)


@dataclass
class Tally:
    """What one role's run sent and what it found."""

    operations: int = 0
    answers: Counter[int] = field(default_factory=Counter)  # status code -> how many
    failures: dict[str, str] = field(default_factory=dict)  # "op: check" -> first message

    def record(self, label: str, group: FailureGroup) -> None:
        for failure in group.exceptions:
            self.failures.setdefault(f"{label}: {failure.title}", failure.message)


def _world(role_user: str) -> dict[str, list[int]]:
    """Seed the demo world and return real ids per path parameter (own and other tenants)."""
    from clearinghouse.accounts.models import ApiToken, User
    from clearinghouse.accounts.services import issue_token
    from clearinghouse.advisories.models import Advisory
    from clearinghouse.assessments import services as assessments
    from clearinghouse.assessments.catalog import CYBER, Suite
    from clearinghouse.assessments.inputs import StartRun
    from clearinghouse.assessments.models import AssessmentRun, CandidateReport
    from clearinghouse.assets.models import Asset
    from clearinghouse.assets.models import Finding as AssetFinding
    from clearinghouse.demo import assessments as demo
    from clearinghouse.demo.seed import seed
    from clearinghouse.frontier.models import AIModel
    from clearinghouse.intake.models import Report, Submission
    from clearinghouse.notifications.inputs import RegisterWebhook
    from clearinghouse.notifications.models import WebhookEndpoint
    from clearinghouse.notifications.services import register_webhook
    from clearinghouse.reviews.models import AccessGrant, Notice, TrackReview
    from clearinghouse.reviews.models import Finding as ReviewFinding

    seed(assessments=False)  # the demo's Inspect run takes half a minute; one queued run will do
    notice = Notice.objects.get(ai_model__name=demo.MODEL)
    run = assessments.start_run(
        User.objects.get(username=demo.REVIEWER), notice, StartRun(suite=Suite(CYBER))
    )
    CandidateReport.objects.create(
        run=run, ai_model=notice.ai_model, sample_id="s1", cwe="CWE-79", summary="seeded"
    )
    for lab in ("northwind-dev", "helios-dev"):
        register_webhook(
            User.objects.get(username=lab), RegisterWebhook(url="https://hooks.example.org/in")
        )
    for username in (role_user, role_user, "helios-dev"):
        issue_token(User.objects.get(username=username), "seeded")

    def ids(model: Any) -> list[int]:
        return list(model.objects.order_by("pk").values_list("pk", flat=True))

    return {
        "model_id": ids(AIModel),
        "advisory_id": ids(Advisory),
        "asset_id": ids(Asset),
        "assets/findings": ids(AssetFinding),
        "reviews/findings": ids(ReviewFinding),
        "submission_id": ids(Submission),
        "report_id": ids(Report),
        "notice_id": ids(Notice),
        "grant_id": ids(AccessGrant),
        "track_id": ids(TrackReview),
        "run_id": ids(AssessmentRun),
        "candidate_id": ids(CandidateReport),
        "endpoint_id": ids(WebhookEndpoint),
        "token_id": ids(ApiToken),  # two tokens of the role (below) and one of another lab
    }


def _loaded(result: Ok[Any] | Err[Any]) -> Any:
    """An operation of the document; one schemathesis cannot read fails the test."""
    if isinstance(result, Err):
        raise result.err()
    return result.ok()


def _known(world: dict[str, list[int]], path: str, name: str) -> list[int]:
    if name == "finding_id":
        return world["assets/findings" if path.startswith("/api/assets/") else "reviews/findings"]
    return world.get(name, [])


def _fuzz(
    operation: Any, mode: GenerationMode, known: list[int], send: Callable[[Any], None]
) -> None:
    """Run `EXAMPLES` cases of one operation; half of them aim their path id at a real object."""
    names = [p.name for p in operation.path_parameters]
    picks = st.sampled_from(known) if known and names else st.none()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode), real=st.one_of(st.none(), picks))
    def run(case: Any, real: int | None) -> None:
        if real is not None and case.path_parameters:
            case.path_parameters[names[0]] = real
        send(case)

    run()


@pytest.fixture
def fuzz_settings(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CLEARINGHOUSE_ASSESSMENT_DIR = tmp_path / "assessments"
    settings.MEDIA_ROOT = tmp_path / "media"
    yield


@pytest.mark.parametrize("role", ROLES)
def test_the_api_holds_its_contract_under_generated_requests(
    role: str, live_server: Any, fuzz_settings: None, capsys: Any
) -> None:
    from clearinghouse.accounts.models import User
    from clearinghouse.accounts.services import issue_token

    started = time.monotonic()
    world = _world(ROLES[role])
    token, secret = issue_token(User.objects.get(username=ROLES[role]), "schemathesis")
    headers = {"Authorization": f"Bearer {secret}"}
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/openapi.json")
    tally = Tally()

    def send(case: Any) -> None:
        if case.path_parameters.get("token_id") == token.pk:  # never revoke the one in use
            case.path_parameters["token_id"] = world["token_id"][0]
        response = case.call(base_url=live_server.url, headers=headers, timeout=30)
        tally.answers[response.status_code] += 1
        try:
            case.validate_response(response, checks=CHECKS)
        except FailureGroup as group:
            tally.record(case.operation.label, group)

    # Deletions last, so the objects they remove were there for every other operation.
    operations = sorted(
        (_loaded(result) for result in schema.get_all_operations()),
        key=lambda op: (op.method.upper() == "DELETE", op.path, op.method),
    )
    for operation in operations:
        tally.operations += 1
        known = next((_known(world, operation.path, p.name) for p in operation.path_parameters), [])
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz(operation, mode, known, send)

    with capsys.disabled():
        answers = ", ".join(f"{code}: {n}" for code, n in sorted(tally.answers.items()))
        print(
            f"\nschemathesis as {role}: {tally.operations} operations, "
            f"{tally.answers.total()} requests ({answers}), {len(tally.failures)} failures, "
            f"{time.monotonic() - started:.0f} s"
        )
    assert not tally.failures, "\n\n".join(f"{k}\n{v}" for k, v in sorted(tally.failures.items()))
