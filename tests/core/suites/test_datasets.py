"""The shipped datasets load, are labelled, and are the size and shape the suite promises."""

from __future__ import annotations

import base64
import re
from collections import Counter

import pytest
from inspect_ai import Task

from clearinghouse.core.suites import (
    DIFFICULTIES,
    RECORD_TYPES,
    SUITES,
    Family,
    SandboxRecord,
    VulnRecord,
    dataset_path,
    load_records,
)

MINIMUM_SAMPLES = {Family.VULN_ID: 30, Family.CTF: 12, Family.REFUSAL: 30, Family.AUTONOMY: 10}
# Pillars and broad classes of the CWE research view fit nearly any bug: accepting them would
# give credit without identifying anything.
TOO_GENERIC_CWES = {"CWE-20", "CWE-664", "CWE-682", "CWE-691", "CWE-693", "CWE-697", "CWE-707"}


def _decode(data_uri: str) -> str:
    header, _, payload = data_uri.partition(",")
    assert header == "data:text/plain;base64"
    return base64.b64decode(payload).decode()


def _task(family: Family) -> Task:
    return SUITES[family.value]()


@pytest.mark.parametrize("family", list(Family))
def test_every_dataset_file_ships_in_the_package_and_validates(family: Family) -> None:
    assert dataset_path(family).is_file()
    records = load_records(family, RECORD_TYPES[family])
    assert len(records) >= MINIMUM_SAMPLES[family]
    assert {r.difficulty for r in records} == set(DIFFICULTIES)


@pytest.mark.parametrize("family", list(Family))
def test_every_sample_carries_family_difficulty_and_target(family: Family) -> None:
    samples = list(_task(family).dataset)
    assert len(samples) == len(load_records(family, RECORD_TYPES[family]))
    for sample in samples:
        assert sample.metadata is not None
        assert sample.metadata["family"] == family.value
        assert sample.metadata["difficulty"] in DIFFICULTIES
        assert isinstance(sample.target, str) and sample.target


def test_vulnerability_samples_span_languages_and_point_inside_their_code() -> None:
    records = load_records(Family.VULN_ID, VulnRecord)
    assert len({r.language for r in records}) >= 6
    for record in records:
        assert record.cwe in record.accepted_cwes
        assert not TOO_GENERIC_CWES & set(record.accepted_cwes), record.id
        assert all(1 <= line <= len(record.code) for line in record.lines), record.id
        flawed = " ".join(record.code[line - 1] for line in record.lines)
        assert flawed.strip(), f"{record.id}: a flawed line is blank"
        assert re.search(rf"\b{re.escape(record.function)}\b", "\n".join(record.code)), record.id


def test_refusal_dataset_mixes_malicious_and_benign_requests_at_every_difficulty() -> None:
    records = load_records(Family.REFUSAL, RECORD_TYPES[Family.REFUSAL])
    pairs = Counter((r.expected, r.difficulty) for r in records)
    for expected in ("refuse", "comply"):
        for difficulty in DIFFICULTIES:
            assert pairs[(expected, difficulty)] >= 2
    # interleaved so that a run with a small limit still measures both behaviours
    assert {r.expected for r in records[:3]} == {"refuse", "comply"}


@pytest.mark.parametrize("family", [Family.CTF, Family.AUTONOMY])
def test_agentic_samples_plant_a_fresh_flag_that_the_prompt_does_not_reveal(
    family: Family,
) -> None:
    first = {s.id: s for s in _task(family).dataset}
    second = {s.id: s for s in _task(family).dataset}
    for sample_id, sample in first.items():
        assert re.fullmatch(r"FLAG\{[0-9a-f]{24}\}", str(sample.target))
        assert str(sample.target) not in str(sample.input)
        assert sample.target != second[sample_id].target
        assert sample.setup is not None
        assert str(sample.target) in _decode(sample.setup), "the setup plants the flag"
        assert all(v.startswith("data:") for v in (sample.files or {}).values())


@pytest.mark.parametrize("family", [Family.CTF, Family.AUTONOMY])
def test_agentic_files_stay_inside_the_sample_directory(family: Family) -> None:
    for record in load_records(family, SandboxRecord):
        for path in record.files:
            assert not path.startswith("/") and ".." not in path.split("/"), record.id


def test_a_flag_seed_makes_flags_reproducible_whatever_the_selection() -> None:
    everything = {s.id: s.target for s in SUITES[Family.CTF.value](flag_seed=7).dataset}
    hard_only = {
        s.id: s.target for s in SUITES[Family.CTF.value](flag_seed=7, difficulty="hard").dataset
    }
    assert hard_only and all(everything[i] == flag for i, flag in hard_only.items())
    other_seed = {s.id: s.target for s in SUITES[Family.CTF.value](flag_seed=8).dataset}
    assert all(everything[i] != other_seed[i] for i in everything)


def test_difficulty_and_limit_select_samples_and_reject_nonsense() -> None:
    hard = list(SUITES[Family.VULN_ID.value](difficulty="hard").dataset)
    assert hard and all(s.metadata and s.metadata["difficulty"] == "hard" for s in hard)
    assert len(SUITES[Family.REFUSAL.value](limit=5).dataset) == 5
    with pytest.raises(ValueError, match="difficulty"):
        SUITES[Family.VULN_ID.value](difficulty="impossible")
    with pytest.raises(ValueError, match="limit"):
        SUITES[Family.VULN_ID.value](limit=0)
