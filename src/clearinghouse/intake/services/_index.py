"""Dedup's store-wide index: which stored reports a new one could duplicate, at any store size.

Two tables, in the database (shared by every web and worker process, kept across restarts):

- `ReportKey` postings: each report's exact keys (aliases, fingerprint), its product names
  and package URLs, and its `SIGNATURE_WORDS` heaviest words;
- `TermFrequency`: how many reports use each word and product key, and how many reports
  there are: the store's word weights (IDF). A report's vector, and so its signature and its
  scores, do not depend on which batch it came in.

A new report probes with its exact keys (which always win), its product keys and its
`PROBE_WORDS` heaviest words, leaving out stop words of the store and terms more than
`MAX_POSTINGS` reports use (so a look-up reads a bounded number of postings at any size);
the stored reports sharing most of them, `CANDIDATES_PER_REPORT` at most, are its
candidates (one query per chunk of a batch). Reports of the same batch are found among each
other by the same rule, in memory, so a document sent alone or in a batch meets the same
candidates. Declined reports are left out by the query; merges and splits change no posting
(groups are read live).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from django.db import connection

from clearinghouse.core.scoring.dedup import Report as DedupReport
from clearinghouse.core.scoring.dedup import Vocabulary, heaviest, text_of, word_counts

from ..models import Report, ReportKey, TermFrequency
from . import _rows

#: A report's heaviest words written to the index, and how many a new report looks up.
SIGNATURE_WORDS = 16
PROBE_WORDS = 16
#: Stored reports compared with each new one (the best by keys shared). 10 found the same
#: groups on CISA 2017-2020 at a fifth of the cost, but fewer on the held-out 2021-2022
#: (docs/benchmarks.md), so 50 stays.
CANDIDATES_PER_REPORT = 50
#: A product key or word used by more stored reports than this is not looked up: it says
#: little about which bug a report is, and its postings would make the look-up grow with
#: the store (a product name in 2 % of a million reports is 20,000 rows to join).
MAX_POSTINGS = 1000
#: An exact key (a shared alias or fingerprint) outranks any number of shared words.
_EXACT = 1000
_EXACT_PREFIXES = ("alias:", "fp:")


def _probe_rows() -> int:
    """Probe rows per look-up query: three parameters each, within SQLite's 999 (PostgreSQL
    takes 65,535)."""
    return 330 if connection.vendor == "sqlite" else 10_000


@dataclass(frozen=True)
class Entry:
    """A new report as the index sees it: its word counts and its non-word keys."""

    pk: int
    words: Counter[str]
    keys: frozenset[str]

    @property
    def exact(self) -> frozenset[str]:
        """Aliases and fingerprint: a report sharing one is always a candidate."""
        return frozenset(k for k in self.keys if k.startswith(_EXACT_PREFIXES))

    @property
    def counted(self) -> set[str]:
        """What this report adds to the term counts: its words and its product keys."""
        return set(self.words) | (self.keys - self.exact)


def entry(report: Report, keys: Iterable[str], dedup: DedupReport) -> Entry:
    """A report's index entry, from its dedup view and its blocking keys."""
    return Entry(report.pk, word_counts(text_of(dedup)), frozenset(keys))


@dataclass
class Counts:
    """The store's counts of some terms, and of reports: what new documents arrive into."""

    terms: Counter[str]
    reports: int

    def read(self, terms: Iterable[str]) -> None:
        """Add the stored counts of terms not read yet (one query per 500)."""
        wanted = sorted(set(terms) - set(self.terms))
        for start in range(0, len(wanted), 500):
            rows = TermFrequency.objects.filter(term__in=wanted[start : start + 500])
            self.terms.update(dict(rows.values_list("term", "reports")))
        # A term no report uses is read once only.
        self.terms.update({term: 0 for term in wanted if term not in self.terms})

    def arrivals(self, documents: Sequence[Sequence[Entry]]) -> Iterator[Vocabulary]:
        """The store's vocabulary as each document arrives, itself and those before counted.

        Each is valid until the next is taken (they share one running count), which is how a
        batch is weighed exactly as the same documents sent one by one.
        """
        running, reports = Counter(self.terms), self.reports
        for document in documents:
            for new in document:
                running.update(new.counted)
            reports += len(document)
            yield Vocabulary(reports, running)


def counts(terms: Iterable[str]) -> Counts:
    """The store's counts of these terms and of its reports."""
    found = Counts(Counter(), 0)
    found.read([*terms, TermFrequency.REPORTS])
    found.reports = found.terms.pop(TermFrequency.REPORTS, 0)
    return found


def postings_of(new: Entry, words: Vocabulary) -> set[str]:
    """The keys a report is found by: exact and product keys, and its heaviest words."""
    signature = heaviest(words.vector(new.words), SIGNATURE_WORDS)
    return set(new.keys) | {f"w:{word}" for word in signature}


def _selective(term: str, words: Vocabulary) -> bool:
    """Whether a term is worth looking up: no stop word, and in few enough stored reports."""
    return words.idf(term) is not None and words.frequency.get(term, 0) <= MAX_POSTINGS


def _probe(new: Entry, words: Vocabulary) -> dict[str, int]:
    """The keys a new report looks up, each with its weight (common terms left out)."""
    probe = {key: _EXACT for key in new.exact}
    probe |= {key: 1 for key in new.keys - new.exact if _selective(key, words)}
    heavy = heaviest(words.vector(new.words), PROBE_WORDS)
    probe |= {f"w:{word}": 1 for word in heavy if _selective(word, words)}
    return probe


def _ranked(shared: Mapping[int, int]) -> list[int]:
    """The best `CANDIDATES_PER_REPORT` by weight shared, the newest first among equals."""
    order = sorted(shared.items(), key=lambda pair: (-pair[1], -pair[0]))
    return [pk for pk, _ in order[:CANDIDATES_PER_REPORT]]


def _stored_matches(probes: Mapping[int, Mapping[str, int]]) -> dict[int, dict[int, int]]:
    """For each new report, the stored reports sharing its probe keys, with the weight shared.

    The database ranks and cuts (a window per new report), so at most
    `CANDIDATES_PER_REPORT` rows per new report come back whatever the store's size.
    """
    found: dict[int, dict[int, int]] = {pk: {} for pk in probes}
    chunk: list[tuple[int, str, int]] = []
    most = _probe_rows()
    for pk, probe in probes.items():
        rows = [(pk, key, weight) for key, weight in sorted(probe.items())]
        if chunk and len(chunk) + len(rows) > most:
            _match_chunk(chunk, found)
            chunk = []
        chunk += rows[:most]
    if chunk:
        _match_chunk(chunk, found)
    return found


def _match_chunk(rows: Sequence[tuple[int, str, int]], found: dict[int, dict[int, int]]) -> None:
    quote = connection.ops.quote_name
    keys, reports = quote(ReportKey._meta.db_table), quote(Report._meta.db_table)
    values = ", ".join(["(%s, %s, %s)"] * len(rows))
    # Only table names from the models' metadata are formatted in; every value is a parameter.
    sql = f"""
        SELECT new_id, report_id, shared FROM (
            SELECT p.column1 AS new_id, k.report_id AS report_id, SUM(p.column3) AS shared,
                   ROW_NUMBER() OVER (
                       PARTITION BY p.column1 ORDER BY SUM(p.column3) DESC, k.report_id DESC
                   ) AS place
            FROM (VALUES {values}) AS p
            JOIN {keys} k ON k.key = p.column2
            JOIN {reports} r ON r.id = k.report_id
            WHERE r.status <> %s
            GROUP BY p.column1, k.report_id
        ) ranked WHERE place <= %s
    """  # noqa: S608
    params = [value for row in rows for value in row]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, Report.Status.DECLINED, CANDIDATES_PER_REPORT])
        for new_id, report_id, shared in cursor.fetchall():
            found[new_id][report_id] = int(shared)


def look_up(
    documents: Sequence[Sequence[Entry]], store: Counts
) -> tuple[dict[int, list[int]], dict[int, set[str]]]:
    """Each new report's candidates (stored and earlier new ones), and its postings.

    Documents in arrival order. An earlier report of the same batch counts as stored: it is
    ranked with the stored ones by the postings it gets, weighed as of its own arrival, so a
    batch meets exactly the candidates its documents would meet one by one.
    """
    probes: dict[int, dict[str, int]] = {}
    postings: dict[int, set[str]] = {}
    for document, words in zip(documents, store.arrivals(documents), strict=True):
        for new in document:
            probes[new.pk], postings[new.pk] = _probe(new, words), postings_of(new, words)
    matches = _stored_matches(probes)
    posted: defaultdict[str, list[int]] = defaultdict(list)
    for pk, keys in postings.items():
        for key in keys:
            posted[key].append(pk)
    for later, probe in probes.items():
        for key, weight in probe.items():
            for earlier in posted.get(key, ()):
                if earlier < later:
                    matches[later][earlier] = matches[later].get(earlier, 0) + weight
    return {pk: _ranked(shared) for pk, shared in matches.items()}, postings


def add(new: Sequence[Entry], postings: Mapping[int, set[str]]) -> None:
    """Write the new reports' postings and add them to the term counts."""
    _rows.insert(
        ReportKey,
        ["report", "key"],
        ((report.pk, key[:300]) for report in new for key in sorted(postings[report.pk])),
    )
    counts: Counter[str] = Counter()
    for report in new:
        counts.update(term[:300] for term in report.counted)
    counts[TermFrequency.REPORTS] += len(new)
    _rows.add_counts(TermFrequency, counts.items())
