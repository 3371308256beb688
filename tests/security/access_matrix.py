"""Who may use each route: the expected answer of every cell of the authorization matrix.

Declared once, per route (`"METHOD path"`, API paths as the OpenAPI document spells them,
pages as the URL conf does), as `Who(own=..., any=...)`:

- `any`: roles allowed on every object (or, for routes without one, allowed at all);
- `own`: roles allowed only on their own tenant's object (a lab its models, a reporter its
  reports, an operator its assets, the cast reviewer the notice whose track it works on);
- everyone else is refused. Anonymous visitors are refused with 401 (API) or a redirect to
  the sign-in page; a signed-in role is refused with 404 where it may not see the object
  (`SEES`: existence is not revealed) and with 403 where it may see it but not act, or the
  route has no object. `not_found` lists roles refused with 404 on a route without a path
  object because the body names an object they may not see.
- `body` (a dict, or a function of the world and the role) is the input sent with a
  mutating request where an empty one would be refused by validation before permission
  is asked; `files` are attached as a multipart upload.

An allowed cell may answer anything that is not a refusal and not a 5xx (a 422 for an
input, a 409 for a state). A refused mutating cell must change nothing: the row counts of
every table and the rows the path names stay as they were.

A new route fails `test_every_route_is_declared` until it has an entry here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Set
from dataclasses import dataclass, field
from typing import Any

from .world import ROLES, SBOM, World

Body = dict[str, Any] | Callable[[World, str], dict[str, Any]]

LABS = frozenset({"lab1", "lab2"})
SIGNED_IN = frozenset(ROLES) - {"anonymous"}
ADMIN = frozenset({"admin"})
DESK = frozenset({"coordinator", "admin"})  # the clearinghouse: coordinators and admins
REVIEW = frozenset({"reviewer", "admin"})  # agency reviewers and admins
REPORTERS = frozenset({"lab1", "lab2", "vendor", "operator"})
NOBODY: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Who:
    """Which roles may use a route: on any object, or on their own tenant's only."""

    any: Set[str] = NOBODY
    own: Set[str] = NOBODY
    not_found: Set[str] = NOBODY
    body: Body | None = None
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    public: bool = False  # anonymous visitors too (the sign-in page, the API's document)

    def allows(self, role: str, tenancy: str) -> bool:
        if role == "anonymous":
            return self.public
        return role in self.any or (role in self.own and tenancy in {"own", "-"})


def _today(days: int = 0) -> str:
    return (dt.date.today() + dt.timedelta(days=days)).isoformat()


#: Who may see each kind of object (a refusal on an object the role may see is a 403).
SEES = {
    "model": Who(own=LABS, any=REVIEW),
    "notice": Who(own=LABS | {"reviewer"}, any=ADMIN),
    "track": Who(own=LABS | {"reviewer"}, any=ADMIN),
    "grant": Who(own=LABS | {"reviewer"}, any=ADMIN),
    "review_finding": Who(own=LABS | {"reviewer"}, any=ADMIN),  # released to the lab
    "platform_run": Who(own={"reviewer"}, any=ADMIN),  # our runs stay internal
    "candidate": Who(own={"reviewer"}, any=DESK),
    "submission": Who(own=REPORTERS, any=DESK),
    "report": Who(own=REPORTERS, any=DESK),
    "asset": Who(own={"operator"}, any=DESK),
    "asset_finding": Who(own={"operator"}, any=DESK),
    "endpoint": Who(own=SIGNED_IN, any=ADMIN),
    "token": Who(own=SIGNED_IN),
    "advisory": Who(any=SIGNED_IN),
}


def _sees(kind: str) -> Who:
    """Exactly the roles that may see the object: its detail page and answer."""
    return SEES[kind]


_DECLARATION = {
    "name": "Matrix Model",
    "version": "2",
    "training_compute_flop": 1e24,
    "modalities": ["text"],
    "capabilities": [],
    "tools": [],
    "planned_release_date": _today(60),
    "deployment_channels": ["api"],
}
_DESIGNATION = {"authority": "Office of Review", "reference": "M-1", "designated_on": _today()}
_FINDING = {"category": "other", "severity": "low", "title": "t", "description": "d"}
_DECISION = {"decision": "cleared", "rationale": "No concerns."}
_GRANT = {"kind": "inspect_provider", "model": "hf/org/model"}
_LOG = {"file": ("log.json", b"{}")}


def _lab_one_model(world: World, role: str) -> dict[str, Any]:
    return {"ai_model_id": world.objects["model"]["lab1"], "planned_release_date": _today(45)}


def _assign(world: World, role: str) -> dict[str, Any]:
    return {"reviewer": world.users["reviewer"].username}


def _bulk(world: World, role: str) -> dict[str, Any]:
    return {"action": "decline", "reason": "r", "report_ids": [world.objects["report"]["lab2"]]}


def _split(world: World, role: str) -> dict[str, Any]:
    return {"member": world.objects["report"]["vendor2"]}


def _merge(world: World, role: str) -> dict[str, Any]:
    return {"report": world.objects["report"]["operator"]}


API: dict[str, Who] = {
    # accounts: every signed-in user has its own tokens
    "GET /api/accounts/me": Who(any=SIGNED_IN),
    "GET /api/accounts/tokens": Who(any=SIGNED_IN),
    "POST /api/accounts/tokens": Who(any=SIGNED_IN),
    "DELETE /api/accounts/tokens/{token_id}": Who(own=SIGNED_IN),
    # frontier: the registry (lists are filtered: everyone may ask)
    "GET /api/frontier/models": Who(any=SIGNED_IN),
    "POST /api/frontier/models": Who(any=LABS, body=_DECLARATION),
    "GET /api/frontier/models/{model_id}": _sees("model"),
    "PATCH /api/frontier/models/{model_id}": Who(own=LABS),
    "GET /api/frontier/models/{model_id}/determinations": _sees("model"),
    "POST /api/frontier/models/{model_id}/designation": Who(any=REVIEW, body=_DESIGNATION),
    "GET /api/frontier/policies": Who(any=SIGNED_IN),
    "POST /api/frontier/policies/active": Who(any=ADMIN, body={"policy_id": "eo-2026"}),
    "POST /api/frontier/policies/check": Who(any=SIGNED_IN),
    # advisories: public reference data for every signed-in user
    "GET /api/advisories/": Who(any=SIGNED_IN),
    "GET /api/advisories/export": Who(any=SIGNED_IN),
    "GET /api/advisories/{advisory_id}": _sees("advisory"),
    # assets: an operator's own; coordinators see all; admins may also change them
    "GET /api/assets/": Who(any=SIGNED_IN),
    "POST /api/assets/": Who(
        any={"operator"}, body={"name": "Plant X"}, files={"sbom": ("x.cdx.json", SBOM)}
    ),
    "POST /api/assets/{asset_id}/sbom": Who(
        own={"operator"}, any=ADMIN, files={"sbom": ("x.cdx.json", SBOM)}
    ),
    "GET /api/assets/{asset_id}/revisions": _sees("asset"),
    "GET /api/assets/findings/{finding_id}": _sees("asset_finding"),
    "POST /api/assets/findings/{finding_id}/status": Who(
        own={"operator"}, any=ADMIN, body={"status": "remediated"}
    ),
    "GET /api/assets/findings/{finding_id}/changes": _sees("asset_finding"),
    "GET /api/assets/impact/{advisory_id}": Who(any=DESK),
    "GET /api/assets/{asset_id}": _sees("asset"),
    "GET /api/assets/{asset_id}/components": _sees("asset"),
    "GET /api/assets/{asset_id}/findings": _sees("asset"),
    # intake: reporters their own submissions and reports; the desk all and triages
    "POST /api/intake/submissions": Who(any=SIGNED_IN),
    "GET /api/intake/submissions": Who(any=SIGNED_IN),
    "POST /api/intake/submissions/batch": Who(any=SIGNED_IN),
    "POST /api/intake/submissions/{submission_id}/retry": Who(own=REPORTERS, any=DESK),
    "GET /api/intake/submissions/{submission_id}": _sees("submission"),
    "GET /api/intake/submissions/{submission_id}/reports": _sees("submission"),
    "GET /api/intake/reports": Who(any=SIGNED_IN),
    "POST /api/intake/reports/bulk": Who(any=DESK, body=_bulk),
    "GET /api/intake/reports/{report_id}": _sees("report"),
    "POST /api/intake/reports/{report_id}/triage": Who(
        any=DESK, body={"action": "decline", "reason": "r"}
    ),
    "GET /api/intake/reports/{report_id}/cluster": _sees("report"),
    "POST /api/intake/reports/{report_id}/cluster/split": Who(any=DESK, body=_split),
    "POST /api/intake/reports/{report_id}/cluster/merge": Who(any=DESK, body=_merge),
    # reviews: the filing lab acts on its notice; reviewers of a track and admins review it
    "GET /api/reviews/notices": Who(any=SIGNED_IN),
    "POST /api/reviews/notices": Who(
        any={"lab1"}, not_found={"lab2", "coordinator", "vendor", "operator"}, body=_lab_one_model
    ),
    "GET /api/reviews/notices/{notice_id}": _sees("notice"),
    "PATCH /api/reviews/notices/{notice_id}": Who(own=LABS),
    "POST /api/reviews/notices/{notice_id}/submit": Who(own=LABS),
    "POST /api/reviews/notices/{notice_id}/withdraw": Who(own=LABS),
    "POST /api/reviews/notices/{notice_id}/release": Who(own=LABS),
    "POST /api/reviews/notices/{notice_id}/access-grants": Who(own=LABS, body=_GRANT),
    "DELETE /api/reviews/access-grants/{grant_id}": Who(own=LABS),
    "POST /api/reviews/tracks/{track_id}/assignments": Who(any=ADMIN, body=_assign),
    "GET /api/reviews/notices/{notice_id}/findings": _sees("notice"),
    "POST /api/reviews/tracks/{track_id}/findings": Who(own={"reviewer"}, any=ADMIN, body=_FINDING),
    "POST /api/reviews/findings/{finding_id}/release": Who(own={"reviewer"}, any=ADMIN),
    "POST /api/reviews/findings/{finding_id}/evidence": Who(
        own={"reviewer"}, any=ADMIN, files={"file": ("evidence.txt", b"evidence")}
    ),
    "GET /api/reviews/tracks/{track_id}/notes": _sees("track"),
    "POST /api/reviews/tracks/{track_id}/notes": Who(
        own={"reviewer"}, any=ADMIN, body={"body": "a note"}
    ),
    "POST /api/reviews/tracks/{track_id}/decision": Who(
        own={"reviewer"}, any=ADMIN, body=_DECISION
    ),
    "GET /api/reviews/notices/{notice_id}/report.pdf": _sees("notice"),
    # assessments: reviewers of the notice and admins run them; the desk files candidates
    "GET /api/assessments/suites": Who(any=SIGNED_IN),
    "GET /api/assessments/runs": Who(any=SIGNED_IN),
    "POST /api/assessments/notices/{notice_id}/runs": Who(
        own={"reviewer"}, any=ADMIN, body={"suite": "cyber"}
    ),
    "POST /api/assessments/notices/{notice_id}/logs": Who(
        own=LABS | {"reviewer"}, any=ADMIN, files=_LOG
    ),
    "GET /api/assessments/runs/{run_id}": _sees("platform_run"),
    "GET /api/assessments/runs/{run_id}/samples": _sees("platform_run"),
    "POST /api/assessments/runs/{run_id}/resume": Who(own={"reviewer"}, any=ADMIN),
    "GET /api/assessments/candidates": Who(any=SIGNED_IN),
    "POST /api/assessments/candidates/{candidate_id}/report": Who(any=DESK),
    # notifications: an organisation's own webhooks (admins may switch any off)
    "GET /api/notifications/webhooks": Who(any=SIGNED_IN),
    "POST /api/notifications/webhooks": Who(any=SIGNED_IN),
    "DELETE /api/notifications/webhooks/{endpoint_id}": Who(own=SIGNED_IN, any=ADMIN),
    "GET /api/notifications/deliveries": Who(any=SIGNED_IN),
}

PAGES: dict[str, Who] = {
    "GET ": Who(any=SIGNED_IN),
    "GET account/login/": Who(any=SIGNED_IN, public=True),
    "POST account/login/": Who(any=SIGNED_IN, public=True),
    "POST account/logout/": Who(any=SIGNED_IN, public=True),
    # single sign-on is not configured in the test settings: its routes are not there at all
    # (tests/accounts/test_signin.py and the browser tests cover them with a provider)
    "GET account/sso/start/": Who(not_found=frozenset(ROLES)),
    "GET account/sso/callback/": Who(not_found=frozenset(ROLES)),
    # every signed-in user reaches the second-factor steps (those who need none are sent on)
    "GET account/second-factor/": Who(any=SIGNED_IN),
    "POST account/second-factor/": Who(any=SIGNED_IN),
    "GET account/second-factor/enrol/": Who(any=SIGNED_IN),
    "POST account/second-factor/enrol/": Who(any=SIGNED_IN),
    "GET account/tokens/": Who(any=SIGNED_IN),
    "POST account/tokens/": Who(any=SIGNED_IN),
    "POST account/tokens/<int:token_id>/revoke/": Who(own=SIGNED_IN),
    "GET notifications/webhooks/": Who(any=SIGNED_IN),
    "POST notifications/webhooks/": Who(any=SIGNED_IN),
    "POST notifications/webhooks/<int:endpoint_id>/deactivate/": Who(own=SIGNED_IN, any=ADMIN),
    # frontier
    "GET models/": Who(any=SIGNED_IN),
    "GET models/register/": Who(any=LABS),
    "POST models/register/": Who(any=LABS),
    "POST models/preview/": Who(any=SIGNED_IN),
    "GET models/<int:model_id>/": _sees("model"),
    "GET models/<int:model_id>/edit/": Who(own=LABS),
    "POST models/<int:model_id>/edit/": Who(own=LABS),
    "POST models/<int:model_id>/designate/": Who(any=REVIEW, body=_DESIGNATION),
    "GET policies/": Who(any=SIGNED_IN),
    "POST policies/": Who(any=ADMIN, body={"policy_id": "eo-2026"}),
    # advisories
    "GET advisories/": Who(any=SIGNED_IN),
    "GET advisories/<str:osv_id>/": _sees("advisory"),
    # assets
    "GET assets/": Who(any=DESK | {"operator"}),
    "POST assets/": Who(any={"operator"}),
    "GET assets/<int:asset_id>/": _sees("asset"),
    "GET assets/<int:asset_id>/components/": _sees("asset"),
    "POST assets/<int:asset_id>/sbom/": Who(
        own={"operator"}, any=ADMIN, files={"sbom": ("x.cdx.json", SBOM)}
    ),
    "POST assets/findings/<int:finding_id>/status/": Who(
        own={"operator"}, any=ADMIN, body={"status": "remediated"}
    ),
    "GET impact/": Who(any=DESK),
    "GET impact/<str:osv_id>/": Who(any=DESK),
    # intake
    "GET intake/": Who(any=SIGNED_IN),
    "POST intake/": Who(any=SIGNED_IN),
    "GET intake/submissions/": Who(any=SIGNED_IN),
    "GET intake/submissions/<int:submission_id>/": _sees("submission"),
    "GET intake/submissions/<int:submission_id>/progress/": _sees("submission"),
    "POST intake/submissions/<int:submission_id>/retry/": Who(own=REPORTERS, any=DESK),
    "GET intake/submissions/<int:submission_id>/original/": _sees("submission"),
    "GET intake/reports/": Who(any=SIGNED_IN),
    "POST intake/reports/": Who(any=DESK),
    "GET intake/reports/<int:report_id>/": _sees("report"),
    "POST intake/reports/<int:report_id>/": Who(
        any=DESK, body={"action": "decline", "reason": "r"}
    ),
    "GET intake/reports/<int:report_id>/cluster/": _sees("report"),
    "POST intake/reports/<int:report_id>/cluster/split/": Who(any=DESK, body=_split),
    "POST intake/reports/<int:report_id>/cluster/merge/": Who(any=DESK, body=_merge),
    # reviews
    "GET reviews/": Who(any=SIGNED_IN),
    "GET reviews/file/<int:model_id>/": Who(own=LABS),
    "POST reviews/file/<int:model_id>/": Who(own=LABS, body={"planned_release_date": _today(45)}),
    "GET reviews/notices/<int:notice_id>/": _sees("notice"),
    "GET reviews/notices/<int:notice_id>/report/": _sees("notice"),
    "GET reviews/notices/<int:notice_id>/report.pdf": _sees("notice"),
    "POST reviews/notices/<int:notice_id>/grant/": Who(own=LABS, body=_GRANT),
    "POST reviews/notices/<int:notice_id>/<str:action>/": Who(own=LABS),
    "POST reviews/access-grants/<int:grant_id>/revoke/": Who(own=LABS),
    "POST reviews/tracks/<int:track_id>/assign/": Who(any=ADMIN, body=_assign),
    "POST reviews/tracks/<int:track_id>/findings/": Who(own={"reviewer"}, any=ADMIN, body=_FINDING),
    "POST reviews/tracks/<int:track_id>/notes/": Who(
        own={"reviewer"}, any=ADMIN, body={"body": "a note"}
    ),
    "POST reviews/tracks/<int:track_id>/decide/": Who(own={"reviewer"}, any=ADMIN, body=_DECISION),
    "POST reviews/findings/<int:finding_id>/release/": Who(own={"reviewer"}, any=ADMIN),
    # assessments
    "POST assessments/notices/<int:notice_id>/start/": Who(
        own={"reviewer"}, any=ADMIN, body={"suite": "cyber"}
    ),
    "POST assessments/notices/<int:notice_id>/upload/": Who(
        own=LABS | {"reviewer"}, any=ADMIN, files=_LOG
    ),
    "GET assessments/runs/<int:run_id>/": _sees("platform_run"),
    "GET assessments/runs/<int:run_id>/progress/": _sees("platform_run"),
    "POST assessments/runs/<int:run_id>/resume/": Who(own={"reviewer"}, any=ADMIN),
    "GET assessments/runs/<int:run_id>/logs/<int:index>/": _sees("platform_run"),
    "GET assessments/candidates/": Who(any=DESK | {"reviewer"}),
    "POST assessments/candidates/<int:candidate_id>/send/": Who(any=DESK),
}

#: Values of path parameters that are not objects: each is a cell of its own.
VARIANTS = {"action": ("save", "submit", "withdraw", "release")}

#: The admin site (Django's own views): administrators only; others are sent to its sign-in.
ADMIN_SITE = Who(any=ADMIN)

#: Routes that end the session: asked with a client of their own.
SIGNS_OUT = {"POST account/logout/"}
