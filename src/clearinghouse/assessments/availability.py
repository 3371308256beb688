"""Whether an optional suite can run here: `inspect_evals` installed, a Docker engine reachable.

No Django import, so `clearinghouse assess --list` answers without a database. The Docker
probe asks the engine itself (`docker info`, a few seconds at most) and remembers the answer
for a short while, so a page listing suites does not wait on it every time.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import time
from dataclasses import dataclass

from .catalog import CYBER, OPTIONAL_SUITES, SUITE_FAMILIES, OptionalSuite

PROBE_TIMEOUT_SECONDS = 5
REMEMBER_SECONDS = 30.0
DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock"
EXTRA = "clearinghouse[evals]"

_probed: tuple[float, str] | None = None


def docker_host() -> str:
    """The engine address the docker CLI (and Inspect's docker sandbox) would use."""
    return os.environ.get("DOCKER_HOST") or DEFAULT_DOCKER_HOST


def docker_problem() -> str:
    """Why no Docker engine can be used here, or "" when one answers."""
    global _probed
    now = time.monotonic()
    if _probed is not None and now - _probed[0] < REMEMBER_SECONDS:
        return _probed[1]
    problem = _probe()
    _probed = (now, problem)
    return problem


def forget_docker_probe() -> None:
    """Probe again next time (an engine was started or stopped)."""
    global _probed
    _probed = None


def _probe() -> str:
    docker = shutil.which("docker")
    if docker is None:
        return "needs a Docker engine: no `docker` command on this machine"
    try:
        answered = subprocess.run(  # noqa: S603  (fixed arguments)
            [docker, "info", "--format", "{{.ServerVersion}}"],
            capture_output=True,
            timeout=PROBE_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f"needs a Docker engine: {docker_host()} did not answer in time"
    except OSError as error:
        return f"needs a Docker engine: `docker info` could not run ({error})"
    if answered.returncode != 0 or not answered.stdout.strip():
        return f"needs a Docker engine: none reachable at {docker_host()}"
    return ""


def inspect_evals_problem() -> str:
    """Why `inspect_evals` cannot be used here, or ""."""
    if importlib.util.find_spec("inspect_evals") is None:
        return f"needs inspect_evals: install {EXTRA}"
    return ""


def problem(suite: OptionalSuite) -> str:
    """Every reason the suite cannot run here, joined; "" when it can."""
    del suite  # every optional suite needs the same two things today
    return "; ".join(p for p in (inspect_evals_problem(), docker_problem()) if p)


@dataclass(frozen=True)
class SuiteStatus:
    """A suite that can be started, and whether it can run here (if not, `reason` says why)."""

    name: str
    families: list[str]
    optional: bool
    title: str
    available: bool
    reason: str = ""


def suites() -> list[SuiteStatus]:
    """Our suites (always available), then the optional inspect_evals ones as they stand here."""
    ours = [
        SuiteStatus(
            name=name,
            families=list(families),
            optional=False,
            title="all four families" if name == CYBER else "one family of the cyber suite",
            available=True,
        )
        for name, families in SUITE_FAMILIES.items()
    ]
    optional = []
    for suite in OPTIONAL_SUITES.values():
        reason = problem(suite)
        optional.append(
            SuiteStatus(
                name=suite.name,
                families=[suite.name],
                optional=True,
                title=f"{suite.title}; inspect_evals task {suite.task}",
                available=not reason,
                reason=reason,
            )
        )
    return ours + optional
