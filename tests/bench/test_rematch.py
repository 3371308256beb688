"""`bench rematch`: the synthetic estate, the timed lookup's completeness, the verb's output."""

from __future__ import annotations

import pytest

from clearinghouse.advisories.models import Advisory
from clearinghouse.assets.models import Asset, Component, Finding
from clearinghouse.audit.models import AuditEvent
from clearinghouse.bench import _estate as benchmark
from clearinghouse.cli import main
from clearinghouse.core.formats.osv import read_osv
from clearinghouse.core.matching import Component as Key
from clearinghouse.core.scanning import build_index
from tests.shared_data import shared_data


@pytest.fixture
def pip_corpus():
    return list(read_osv(shared_data("osv/pypi/pip"), allow_short_commits=True))


def test_estate_rows_draw_the_hot_fraction_from_the_corpus_and_respect_the_cap(pip_corpus):
    corpus = benchmark.corpus_versions(pip_corpus)
    assert set(corpus) == {("PyPI", "pip")}
    rows = list(benchmark.estate_rows(corpus, 10_000, 0.2, seed=1))
    hot = [row for row in rows if row[1] == "pip"]
    assert len(rows) == 10_000 and 1_700 < len(hot) < 2_300
    assert {version for _, _, version in hot} <= set(corpus[("PyPI", "pip")])
    capped = list(benchmark.estate_rows(corpus, 10_000, 0.2, seed=1, hot_limit=50))
    assert sum(1 for row in capped if row[1] == "pip") == 50


@pytest.mark.django_db(transaction=True)
def test_the_timed_lookup_lists_every_affected_component_and_clearing_removes_the_estate(
    pip_corpus, org
):
    corpus = benchmark.corpus_versions(pip_corpus)
    rows = benchmark.estate_rows(corpus, 1_200, 0.3, seed=2)
    benchmark.grow_estate(rows, 1_200)
    assert Component.objects.count() == 1_200 and Asset.objects.count() == 3
    advisory = next(a for a in pip_corpus if a.id == "PYSEC-2023-228")
    index = build_index([advisory])
    expected = sum(
        1 for c in Component.objects.all() if index.match(Key(c.ecosystem, c.package, c.version))
    )
    lookup = benchmark.list_affected(advisory, repeats=1)
    assert expected > 0
    assert (lookup.affected, lookup.candidates) == (
        expected,
        Component.objects.filter(package="pip").count(),
    )
    real = org("Real Grid", "operator", sector="energy")
    Asset.objects.create(organisation=real, name="SCADA", sbom_format="cyclonedx-json")
    benchmark.clear_estate()
    assert Component.objects.count() == 0
    assert list(Asset.objects.values_list("name", flat=True)) == ["SCADA"]


@pytest.mark.django_db(transaction=True)
def test_bench_rematch_prints_each_size_and_the_growth_then_cleans_up(capsys):
    argv = ["bench", "rematch", "--advisories", str(shared_data("osv/pypi/pip"))]
    assert main([*argv, "--sizes", "300,3000", "--samples", "3"]) == 0
    out = capsys.readouterr().out
    assert "registered 300 components" in out and "registered 3,000 components" in out
    assert out.count("new advisory -> affected components: median") == 2
    assert "growth 300 -> 3,000 components:" in out
    assert out.count("re-match task end to end") == 2
    # The store keeps the corpus but the three timed advisories; the estate and all that
    # the timed re-matches wrote (findings, notices, audit events) are gone.
    corpus = {a.id for a in read_osv(shared_data("osv/pypi/pip"), allow_short_commits=True)}
    assert len(corpus) - Advisory.objects.count() == 3
    assert Component.objects.count() == 0 and Finding.objects.count() == 0
    assert not AuditEvent.objects.filter(action="asset.rematched").exists()


@pytest.mark.django_db(transaction=True)
def test_bench_rematch_refuses_bad_sizes_and_a_database_with_real_assets(capsys, org):
    argv = ["bench", "rematch", "--advisories", str(shared_data("osv/pypi/pip"))]
    for bad in (
        ["--sizes", "1000,10"],
        ["--sizes", "ten"],
        ["--hot-fraction", "0"],
        ["--database", "mysql://somewhere/db"],
    ):
        assert main([*argv, *bad]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("error: "), err
    Asset.objects.create(
        organisation=org("Real Grid", "operator", sector="energy"),
        name="SCADA",
        sbom_format="cyclonedx-json",
    )
    assert main([*argv, "--sizes", "100"]) == 2
    assert "dedicated" in capsys.readouterr().err
    assert Component.objects.count() == 0
