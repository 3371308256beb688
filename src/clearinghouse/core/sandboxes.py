"""Where an assessment's tool calls run, and what the local sandbox lets them see.

Inspect's own ``local`` sandbox runs a model's commands with the worker's whole environment
(database URL, signing keys, any key in ``os.environ``), so a model that runs ``env`` writes
them into its transcript. ``clearinghouse-local`` is the same sandbox with a scrubbed
environment: PATH, LANG and a HOME inside the sample's own temporary directory, plus what the
tool itself passes, minus anything named like a secret. It is still the worker's machine and
user (files, network and the processes' own ``/proc`` entries are not hidden), which is why a
real model is refused it unless an admin allows it (`sandbox_choice`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from inspect_ai.util import ExecResult, SandboxEnvironment, SandboxEnvironmentConfigType, sandboxenv
from inspect_ai.util._sandbox._cli import SANDBOX_CLI
from inspect_ai.util._sandbox.local import LocalSandboxEnvironment
from typing_extensions import override

__all__ = [
    "SCRIPTED_PROVIDERS",
    "SCRUBBED_LOCAL",
    "SandboxChoice",
    "ScrubbedLocalSandbox",
    "is_scripted",
    "sandbox_choice",
    "scrubbed_environment",
]

SCRUBBED_LOCAL = "clearinghouse-local"
SCRIPTED_PROVIDERS = ("clearinghouse-demo/", "mockllm/")
"""Models that only replay a script: their commands are ours, not a model's choice."""

_KEPT = ("PATH", "LANG")
_SECRET_NAME = re.compile(
    r"KEY|SECRET|TOKEN|PASSW|CREDENTIAL|AUTH|COOKIE|SESSION|DATABASE|_DSN|^CLEARINGHOUSE_",
    re.IGNORECASE,
)


def scrubbed_environment(
    parent: Mapping[str, str], home: str, requested: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The whole environment a sandboxed command gets: PATH and LANG from `parent`, HOME set
    to `home`, and the variables the tool asked for unless their names look like secrets."""
    environment = {name: parent[name] for name in _KEPT if name in parent}
    environment.setdefault("LANG", "C.UTF-8")
    environment["HOME"] = home
    for name, value in (requested or {}).items():
        if not _SECRET_NAME.search(name):
            environment[name] = value
    return environment


def is_scripted(model: str) -> bool:
    """A scripted stand-in (the demo's models, Inspect's mockllm), not a real model."""
    return model.startswith(SCRIPTED_PROVIDERS)


@dataclass(frozen=True)
class SandboxChoice:
    """The sandbox agentic tasks get, or why they may not run here (`refused`)."""

    sandbox: str
    refused: str = ""


def sandbox_choice(
    setting: str, *, docker_problem: str | None, scripted: bool, allow_local: bool
) -> SandboxChoice:
    """Apply the sandbox setting (``auto``, ``docker`` or ``local``) to one target model.

    ``auto`` takes docker where a Docker engine answers; otherwise, as with ``local``, the
    scrubbed local sandbox, which only scripted models get unless `allow_local` (the admin
    setting). Nothing falls back silently: a refusal says what was missing.
    """
    if setting == "docker" or (setting == "auto" and docker_problem is None):
        return SandboxChoice("docker")
    if setting not in {"auto", "local"}:
        return SandboxChoice(
            "", refused=f"unknown sandbox setting {setting!r} (auto, docker, local)"
        )
    if scripted or allow_local:
        return SandboxChoice(SCRUBBED_LOCAL)
    why = f"no Docker engine here ({docker_problem})" if setting == "auto" else "sandbox is local"
    return SandboxChoice(
        SCRUBBED_LOCAL,
        refused=(
            f"{why}, and a real model's tool calls would run on the worker machine itself; "
            "an admin can allow that with CLEARINGHOUSE_ASSESSMENT_ALLOW_LOCAL_SANDBOX=1"
        ),
    )


@sandboxenv(name=SCRUBBED_LOCAL)
class ScrubbedLocalSandbox(LocalSandboxEnvironment):
    """Inspect's local sandbox, each command started with `scrubbed_environment` only."""

    @override
    @classmethod
    async def sample_init(
        cls,
        task_name: str,
        config: SandboxEnvironmentConfigType | None,
        metadata: dict[str, str],
    ) -> dict[str, SandboxEnvironment]:
        """One scrubbed sandbox per sample."""
        return {"default": cls()}

    @override
    async def exec(
        self,
        cmd: list[str],
        input: str | bytes | None = None,
        cwd: str | None = None,
        env: dict[str, str] | None = None,
        user: str | None = None,
        timeout: int | None = None,
        timeout_retry: bool = True,
        concurrency: bool = True,
    ) -> ExecResult[str]:
        """Run `cmd` under ``env -i`` with the scrubbed environment (Inspect's subprocess
        starts from the worker's ``os.environ``; ``env -i`` discards it)."""
        home = Path(self.directory.name) / ".home"
        home.mkdir(exist_ok=True)
        requested = dict(env or {})
        if cmd and cmd[0] == SANDBOX_CLI:  # what the parent's exec adds for its tools
            self._sandbox_tools_used = True
            requested[self._SANDBOX_TOOLS_DIR_ENV] = str(self._sandbox_tools_dir)
        environment = scrubbed_environment(os.environ, str(home), requested)
        wrapped = ["env", "-i", *(f"{k}={v}" for k, v in environment.items()), *cmd]
        return await super().exec(
            wrapped, input, cwd, None, user, timeout, timeout_retry, concurrency
        )
