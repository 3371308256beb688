"""A sweep of every page and API GET route, as labs and reporters: no staff identity leaks.

Issue #11 ("nothing leaked"). In the matrix's world after government staff acted on every
subject with a history (`world.with_history`: two reviewers, two coordinators and an admin
with names that occur nowhere else), every lab, vendor and operator of the world GETs every
page and every API GET route, with the path filled with its own tenant's objects, following
every page of a paged list (`?page=N` links on pages, `offset` in the API). No answer may
hold a staff member's username, first or last name, full name or e-mail: pages, JSON, the
report PDF (its streams inflated) and files alike.

So that the sweep cannot pass by seeing nothing, each party must see history entries on
its pages, each entry's actor must be a person of its own organisation or one of the
redacted party labels (`audit.permissions.PARTY`), the labels of the government parties
must appear, and a staff member reading the same pages does find the names.

Routes come from the URL conf and the OpenAPI document (tests/security/routes.py), so a new
route is swept without a change here; a route whose path cannot be filled with a party's
own object, where the matrix says the party may see such objects, fails until the world
seeds one or `UNFILLED` says why not.
"""

from __future__ import annotations

import html
import json
import re
import zlib
from collections import Counter
from dataclasses import dataclass, field

import pytest
from django.http import HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.test import Client

from clearinghouse.accounts.models import OrganisationKind
from clearinghouse.audit.permissions import PARTY

from . import access_matrix as matrix
from .cells import FIXED, kind_of
from .routes import Route, api_operations, page_patterns
from .world import STAFF, World

pytestmark = pytest.mark.django_db

#: The parties swept (every non-government user of the world) and their role in the matrix.
SWEPT = {
    "lab1": "lab1",
    "lab2": "lab2",
    "vendor": "vendor",
    "vendor2": "vendor",
    "operator": "operator",
    "operator2": "operator",
}

#: Where a party's own object of a kind is of another kind: the runs a lab sees are its own
#: self-reported runs, not the platform runs the matrix's `run_id` names.
OWN_INSTEAD = {"platform_run": "run"}

#: (route, matrix role) pairs whose path cannot be filled with the party's own object
#: although the matrix lets that role see such objects, each with the reason.
UNFILLED: dict[tuple[str, str], str] = {}

#: The routes that must render history to each kind of party (a lower bound: more may).
HISTORY_PAGES = {
    "lab": {"GET models/<int:model_id>/", "GET reviews/notices/<int:notice_id>/"},
    "reporter": {
        "GET intake/reports/<int:report_id>/",
        "GET intake/submissions/<int:submission_id>/",
    },
    "operator": {
        "GET assets/<int:asset_id>/",
        "GET /api/assets/findings/{finding_id}/changes",
    },
}

#: The most pages of one list the sweep follows (a guard against a link loop).
MAX_PAGES = 50

#: A link to another page of a list on the same page: `?page=2`, or a second list's own
#: `?<list>_page=2`, keeping the other query parameters.
_PAGE_LINK = re.compile(r'href="(\?[^"]*?page=\d+[^"]*)"')
#: One entry of `audit/_history.html` (sequence, time, actor) and of the notice timeline.
_HISTORY_ROW = re.compile(r"<tr><td>\d+</td><td>[^<]*</td><td>([^<]*)</td>")
_TIMELINE_ITEM = re.compile(
    r'usa-process-list__heading">[^<]*</p><p class="margin-0">[^<·]*· ([^<·]*?)(?: · [^<]*)?</p>'
)
_PDF_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)


def swept_routes() -> list[Route]:
    """Every API GET operation and every page a browser can GET.

    Page patterns declared in the matrix only for POST (forms' targets) are left out; an
    undeclared page is swept (and fails the matrix until declared).
    """
    api = [route for route in api_operations() if route.method == "GET"]
    pages = [
        Route("GET", pattern)
        for pattern in page_patterns()
        if f"GET {pattern}" in matrix.PAGES or f"POST {pattern}" not in matrix.PAGES
    ]
    return sorted(api + pages, key=lambda route: route.key)


def _own(world: World, kind: str, party: str, role: str) -> int | str | None:
    key = world.objects.get(OWN_INSTEAD.get(kind, ""), {}).get(party) or world.own(kind, party)
    if key is None and role in matrix.SEES[kind].any:  # shared reference data (advisories)
        key = world.other(kind, role)
    return key


def fill(world: World, route: Route, party: str) -> dict[str, object] | str | None:
    """The path's values from `party`'s own objects; None where the matrix refuses the role
    such objects (it proves the 404); a message naming the kind where none was seeded."""
    role = SWEPT[party]
    values: dict[str, object] = {}
    for param in route.params:
        if param in FIXED:
            values[param] = FIXED[param]
            continue
        kind = kind_of(route, param)
        key = _own(world, kind, party, role)
        if key is None:
            if matrix.SEES[kind].allows(role, "own"):
                return f"{route.key} as {party}: no own {kind} in the world"
            return None
        values[param] = key
    return values


def body_text(response: HttpResponseBase) -> str:
    """The answer as text; a PDF's streams inflated so its drawn text is searchable."""
    assert isinstance(response, HttpResponse | StreamingHttpResponse), type(response)
    content = response.getvalue()
    if content.startswith(b"%PDF"):
        parts = [content]
        for match in _PDF_STREAM.finditer(content):
            try:
                parts.append(zlib.decompress(match.group(1)))
            except zlib.error:
                parts.append(match.group(1))
        content = b"\n".join(parts)
    return content.decode("utf-8", "replace")


@dataclass
class Answer:
    url: str
    status: int
    text: str


def fetch_every_page(client: Client, route: Route, url: str) -> list[Answer]:
    """The route's answer and, for a paged list, every further page of it."""
    answers: list[Answer] = []
    pending, seen = [url], {url, f"{url}?page=1"}
    while pending and len(answers) < MAX_PAGES:
        current = pending.pop(0)
        response = client.get(current)
        text = body_text(response)
        answers.append(Answer(current, response.status_code, text))
        if response.status_code != 200:
            continue
        following: list[str] = []
        if route.is_api and response.get("Content-Type", "").startswith("application/json"):
            data = json.loads(text)
            if isinstance(data, dict) and {"items", "count"} <= data.keys():
                done = int(current.partition("offset=")[2] or 0) + len(data["items"])
                if data["items"] and done < data["count"]:
                    following.append(f"{url}?offset={done}")
        elif not route.is_api:
            path = current.partition("?")[0]
            following = [path + html.unescape(link) for link in _PAGE_LINK.findall(text)]
        for link in following:
            if link not in seen:
                seen.add(link)
                pending.append(link)
    return answers


#: Fields of API answers that name who did something (a status change's `by`, a note's
#: author, a run's starter, a track's reviewers).
ACTOR_FIELDS = frozenset({"by", "actor", "author", "started_by", "reviewers"})


def _json_actors(value: object) -> list[str]:
    if isinstance(value, list):
        return [name for item in value for name in _json_actors(item)]
    if not isinstance(value, dict):
        return []
    found = []
    for key, item in value.items():
        if key in ACTOR_FIELDS and item:
            found += item if isinstance(item, list) else [str(item)]
        else:
            found += _json_actors(item)
    return found


def actors(text: str) -> list[str]:
    """Who acted, in every entry a page's audit trail or timeline or an API answer shows."""
    if text.startswith(("{", "[")):
        try:
            return _json_actors(json.loads(text))
        except ValueError:
            return []
    found = []
    for testid, end, entry in (
        ("history", "</table>", _HISTORY_ROW),
        ("timeline", "</ol>", _TIMELINE_ITEM),
    ):
        for section in text.split(f'data-testid="{testid}"')[1:]:
            found += [html.unescape(a).strip() for a in entry.findall(section.partition(end)[0])]
    return found


def staff_identities(world: World) -> dict[str, str]:
    """Every string naming a government staff member, with whom it names."""
    return {
        text.casefold(): name
        for name, person in STAFF.items()
        if name in world.users
        for text in person.identity
    }


@dataclass
class Sweep:
    leaks: list[str] = field(default_factory=list)
    unfilled: list[str] = field(default_factory=list)
    #: `UNFILLED` entries of this party's role whose path did fill: no longer true
    stale: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    #: route key -> the actors of the entries it showed, over all its pages
    history: dict[str, Counter[str]] = field(default_factory=dict)
    #: route key -> how many pages of it were fetched
    pages: Counter[str] = field(default_factory=Counter)


def sweep(world: World, party: str, routes: list[Route]) -> Sweep:
    found, names = Sweep(), staff_identities(world)
    role = SWEPT[party]
    for route in routes:
        values = fill(world, route, party)
        if isinstance(values, str):
            if (route.key, role) not in UNFILLED:
                found.unfilled.append(values)
            continue
        if values is None:
            continue
        if (route.key, role) in UNFILLED:
            found.stale.append((route.key, role))
        client = (world.api if route.is_api else world.pages)[party]
        for answer in fetch_every_page(client, route, route.url(values)):
            found.pages[route.key] += 1
            if answer.status >= 500:
                found.errors.append(f"{answer.url}: {answer.status}")
            folded = answer.text.casefold()
            for text, name in names.items():
                if text in folded:
                    found.leaks.append(f"{answer.url} names {name} ({text!r})")
            shown = actors(answer.text)
            if shown:
                found.history.setdefault(route.key, Counter()).update(shown)
    return found


@pytest.fixture(scope="module")
def routes() -> list[Route]:
    return swept_routes()


@pytest.mark.parametrize("party", sorted(SWEPT))
def test_no_page_or_answer_names_government_staff(
    history_world: World, routes: list[Route], party: str
) -> None:
    world = history_world
    found = sweep(world, party, routes)
    assert not found.unfilled, "seed the object in world.py or declare in UNFILLED: " + "; ".join(
        found.unfilled
    )
    assert not found.stale, f"declared in UNFILLED but filled: {found.stale}"
    assert not found.errors, "server errors: " + "; ".join(found.errors)
    assert not found.leaks, "staff named to " + party + ":\n" + "\n".join(found.leaks)

    # not vacuous: the history pages rendered entries, each actor one the party may know
    kind = "lab" if party.startswith("lab") else "operator" if party.startswith("operator") else ""
    expected = HISTORY_PAGES["reporter"] | HISTORY_PAGES.get(kind, set())
    assert expected <= found.history.keys(), f"{party} saw history only on {sorted(found.history)}"
    own_people = {
        user.username
        for user in world.users.values()
        if user.organisation_id == world.users[party].organisation_id
    }
    shown = sum(found.history.values(), Counter[str]())
    strangers = set(shown) - own_people - set(PARTY.values()) - {"system", "matching"}
    assert not strangers, f"{party} was shown actors {sorted(strangers)}"
    government = {PARTY[OrganisationKind.CLEARINGHOUSE]} | (
        {PARTY[OrganisationKind.AGENCY]} if kind == "lab" else set()
    )
    assert government <= set(shown), f"{party} saw no redacted staff in {dict(shown)}"
    assert (
        shown[PARTY[OrganisationKind.CLEARINGHOUSE]] + shown[PARTY[OrganisationKind.AGENCY]] >= 2
    ), found.history


def test_the_sweep_follows_every_page_of_a_timeline_page(
    history_world: World, routes: list[Route]
) -> None:
    """Lab one's notice page lists more than a page of findings: the sweep reads page two."""
    found = sweep(history_world, "lab1", routes)
    notice = "GET reviews/notices/<int:notice_id>/"
    assert found.pages[notice] >= 2, found.pages
    assert found.history[notice].total() > 0


def test_staff_reading_the_same_pages_see_the_names(history_world: World) -> None:
    """The search finds a name where one is shown: the admin sees who reviewed and triaged."""
    world = history_world
    names = staff_identities(world)
    notice = world.objects["notice"]["lab1"]
    report = world.objects["report"]["lab1"]
    seen = set()
    for url in (f"/reviews/notices/{notice}/", f"/intake/reports/{report}/"):
        folded = world.pages["admin"].get(url).content.decode().casefold()
        seen |= {name for text, name in names.items() if text in folded}
    assert {"reviewer", "coordinator", "coordinator2"} <= seen


def test_the_report_pdf_text_is_searched(history_world: World) -> None:
    """The inflated PDF holds the drawn text (the lab's model name), so a name would show."""
    notice = history_world.objects["notice"]["lab1"]
    response = history_world.pages["lab1"].get(f"/reviews/notices/{notice}/report.pdf")
    assert response.status_code == 200
    assert "Model lab1" in body_text(response)
