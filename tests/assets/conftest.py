"""Scanning fixtures: the re-match recorder, real advisories for pip, a real container SBOM."""

from __future__ import annotations

from pathlib import Path

import pytest

from clearinghouse.advisories.services import import_osv
from tests.advisories.conftest import rematch_jobs, write_osv  # noqa: F401  (fixtures)
from tests.shared_data import shared_data


@pytest.fixture
def pip_advisories(db: None) -> Path:
    """The PyPA advisories for pip, imported; PYSEC-2023-228 affects pip 22.1.2."""
    path = shared_data("osv/pypi/pip")
    import_osv(path)
    return path


@pytest.fixture
def alpine_python_sbom() -> Path:
    """A syft SPDX SBOM of a Python image: 84 components, pip 22.1.2 among them."""
    (path,) = shared_data("sbom/containers").glob("spdx-syft-balenalib_artik533s-alpine-python-*")
    return path
