"""Triage priority orders reports as the documented rule says, and every point has a reason."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest

from clearinghouse.core.scoring import (
    EpssScore,
    KevEntry,
    ScoringError,
    parse_cvss,
    triage_priority,
)
from clearinghouse.core.sectors import Sector

ENERGY = Sector.ENERGY
FINANCE = Sector.FINANCIAL_SERVICES
DAMS = Sector.DAMS
CRITICAL = parse_cvss("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H")  # 10.0
MEDIUM = parse_cvss("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N")  # 6.1
LOW = parse_cvss("CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N")


def kev(*, ransomware: bool = False) -> KevEntry:
    return KevEntry(
        cve_id="CVE-2024-0001",
        vendor="Example",
        product="Widget",
        vulnerability_name="Example Widget Buffer Overflow",
        date_added=dt.date(2024, 3, 1),
        due_date=dt.date(2024, 3, 22),
        known_ransomware_campaign_use=ransomware,
        required_action="Apply updates per vendor instructions.",
        short_description="A buffer overflow.",
        notes="",
        cwes=(),
    )


def epss(probability: float) -> EpssScore:
    return EpssScore("CVE-2024-0001", probability, probability)


def test_kev_and_act_outranks_a_non_kev_track_report_with_every_other_signal():
    urgent = triage_priority(kev=kev(), ssvc_decision="Act", cvss=LOW)
    loud = triage_priority(ssvc_decision="Track", cvss=CRITICAL, epss=epss(1.0), sectors=[ENERGY])
    assert urgent.rank_key < loud.rank_key


def test_kev_alone_outranks_any_non_kev_report_below_attend():
    listed = triage_priority(kev=kev())
    for decision in ("Track", "Track*", None):
        strongest = triage_priority(
            ssvc_decision=decision, cvss=CRITICAL, epss=epss(1.0), sectors=[ENERGY, FINANCE]
        )
        assert listed.points > strongest.points


@pytest.mark.parametrize("sector", [ENERGY, FINANCE])
def test_energy_and_finance_outrank_other_sectors_which_outrank_none(sector):
    common: dict[str, Any] = {"cvss": MEDIUM, "ssvc_decision": "Attend", "epss": epss(0.3)}
    first = triage_priority(**common, sectors=[sector])
    other = triage_priority(**common, sectors=[DAMS])
    none = triage_priority(**common)
    assert first.points > other.points > none.points


def test_ssvc_steps_order_track_trackstar_attend_act():
    points = [triage_priority(ssvc_decision=d).points for d in ("Track", "Track*", "Attend", "Act")]
    assert points == sorted(points) and len(set(points)) == 4


def test_ransomware_use_ranks_above_plain_kev():
    assert triage_priority(kev=kev(ransomware=True)).points > triage_priority(kev=kev()).points


def test_higher_cvss_or_epss_ranks_higher_with_all_else_equal():
    assert triage_priority(cvss=CRITICAL).points > triage_priority(cvss=MEDIUM).points
    assert triage_priority(cvss=MEDIUM).points > triage_priority(cvss=LOW).points
    assert triage_priority(epss=epss(0.9)).points > triage_priority(epss=epss(0.1)).points


def test_adding_any_signal_never_lowers_the_points():
    signals: dict[str, Any] = {
        "kev": kev(ransomware=True),
        "ssvc_decision": "Track",
        "cvss": LOW,
        "epss": epss(0.0),
        "sectors": [DAMS],
    }
    for size in range(len(signals)):
        for subset in itertools.combinations(signals, size):
            base = triage_priority(**{name: signals[name] for name in subset})
            for extra in set(signals) - set(subset):
                more = {name: signals[name] for name in (*subset, extra)}
                assert triage_priority(**more).points >= base.points


def test_reasons_say_why_and_add_up_to_the_points():
    result = triage_priority(
        kev=kev(ransomware=True),
        ssvc_decision="Act",
        cvss=parse_cvss("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"),
        epss=EpssScore("CVE-2024-0001", 0.94358, 0.99957),
        sectors=[FINANCE, ENERGY],
    )
    assert result.reasons[0].startswith("in CISA KEV since 2024-03-01 (+")
    assert result.reasons[1].startswith("known use in ransomware campaigns (+")
    assert result.reasons[2].startswith("SSVC: Act (+")
    assert result.reasons[3].startswith(
        "used in critical infrastructure: energy, financial services"
    )
    assert result.reasons[4].startswith("EPSS 0.944 (percentile 99.96%) (+")
    assert result.reasons[5].startswith("CVSS 4.0 9.3 Critical (CVSS-B) (+")
    assert sum(int(reason.rsplit("(+", 1)[1].rstrip(")")) for reason in result.reasons) == (
        result.points
    )


def test_no_signals_means_zero_points_and_no_reasons():
    assert triage_priority() == triage_priority(sectors=[])
    assert (triage_priority().points, triage_priority().reasons) == (0, ())


def test_unknown_ssvc_decision_or_sector_is_refused():
    with pytest.raises(ScoringError, match="'Immediate' is not a CISA outcome; allowed: Track"):
        triage_priority(ssvc_decision="Immediate")
    with pytest.raises(ValueError, match="'banking'"):
        triage_priority(sectors=["banking"])  # type: ignore[list-item]


def test_the_same_inputs_always_give_the_same_priority():
    inputs: dict[str, Any] = {
        "kev": kev(),
        "ssvc_decision": "Attend",
        "cvss": MEDIUM,
        "epss": epss(0.123),
    }
    assert len({triage_priority(**inputs) for _ in range(20)}) == 1
