"""EPSS daily files parse with their model line, gzipped or not, and bad lines are named."""

from __future__ import annotations

import datetime as dt
import gzip
import io
from pathlib import Path

import pytest

from clearinghouse.core.scoring import ScoringError, load_epss_scores

# Hand-written in the published format; the numbers are illustrative, not a real day's scores.
SAMPLE = Path(__file__).parent / "data" / "epss_scores-sample.csv"


def test_sample_file_parses_model_line_and_every_row():
    result = load_epss_scores(SAMPLE)
    assert result.model_version == "v2025.03.14"
    assert result.score_date == dt.datetime(2025, 8, 25, 12, 55, tzinfo=dt.UTC)
    assert len(result.scores) == 5
    log4shell = result.scores["CVE-2021-44228"]
    assert (log4shell.probability, log4shell.percentile) == (0.94358, 0.99957)
    assert result.scores["CVE-2025-0001"].probability == 0.0


def test_gzipped_file_parses_the_same(tmp_path):
    zipped = tmp_path / "epss_scores-sample.csv.gz"
    zipped.write_bytes(gzip.compress(SAMPLE.read_bytes()))
    assert load_epss_scores(zipped) == load_epss_scores(SAMPLE)


def test_file_without_the_model_line_parses_with_no_metadata():
    lines = SAMPLE.read_text().splitlines(keepends=True)[1:]
    result = load_epss_scores(io.BytesIO("".join(lines).encode()))
    assert (result.model_version, result.score_date) == (None, None)
    assert len(result.scores) == 5


def test_older_offset_style_score_date_is_accepted():
    text = "#model_version:v2023.03.01,score_date:2023-03-29T00:00:00+0000\ncve,epss,percentile\n"
    result = load_epss_scores(io.BytesIO(text.encode()))
    assert result.score_date == dt.datetime(2023, 3, 29, tzinfo=dt.UTC)


def _with_row(row: str) -> io.BytesIO:
    return io.BytesIO((SAMPLE.read_text() + row + "\n").encode())


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("CVE-2025-0002,1.2,0.5", r"line 8: epss '1.2' is outside 0..1"),
        ("CVE-2025-0002,0.2,-0.1", r"line 8: percentile '-0.1' is outside 0..1"),
        ("CVE-2025-0002,nan,0.5", r"line 8: epss 'nan' is outside 0..1"),
        ("CVE-2025-0002,high,0.5", r"line 8: epss 'high' is not a number"),
        ("GHSA-xxxx-yyyy-zzzz,0.1,0.5", r"line 8: 'GHSA-xxxx-yyyy-zzzz' is not a CVE ID"),
        ("CVE-2025-0002,0.1", r"line 8: expected 3 fields, got 2"),
        ("CVE-2021-44228,0.1,0.5", r"line 8: CVE-2021-44228 is listed twice"),
    ],
)
def test_bad_rows_are_refused_with_their_line_number(row, message):
    with pytest.raises(ScoringError, match=message):
        load_epss_scores(_with_row(row))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("cve,score\n", r"line 1: expected header cve,epss,percentile"),
        ("#model_version:v1,score_date:2025\ncve,epss,percentile\n", r"score_date '2025'"),
        ("#model_version:v1,score_date:2025-01-01T00:00\ncve,epss,percentile\n", r"no time zone"),
        ("#just a comment\ncve,epss,percentile\n", r"line 1: expected '#key:value"),
        ("#model_version:v1\ncve;epss;percentile\n", r"line 2: expected header"),
    ],
)
def test_bad_header_or_model_line_is_refused(text, message):
    with pytest.raises(ScoringError, match=message):
        load_epss_scores(io.BytesIO(text.encode()))


def test_non_utf8_corrupt_gzip_and_oversized_files_are_refused():
    with pytest.raises(ScoringError, match="not UTF-8"):
        load_epss_scores(io.BytesIO(b"cve,epss,percentile\n\xff\xfe\n"))
    with pytest.raises(ScoringError, match="not a valid gzip file"):
        load_epss_scores(io.BytesIO(b"\x1f\x8bnot really gzip"))
    with pytest.raises(ScoringError, match="larger than the 100-byte limit"):
        load_epss_scores(SAMPLE, max_bytes=100)
