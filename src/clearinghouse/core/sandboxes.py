"""Where an assessment's tool calls run, and what the local sandbox lets them see.

Inspect's own ``local`` sandbox runs a model's commands with the worker's whole environment
(database URL, signing keys, any key in ``os.environ``), so a model that runs ``env`` writes
them into its transcript. ``clearinghouse-local`` is the same sandbox with a scrubbed
environment: PATH, LANG and a HOME inside the sample's own temporary directory, plus what the
tool itself passes, minus anything named like a secret. It is still the worker's machine
(network and what other users may read are not hidden), which is why a real model is refused
it unless an admin allows it (`sandbox_choice`). By default it is also the worker's user; with
a sandbox user configured (`commands_run_as`, CLEARINGHOUSE_ASSESSMENT_SANDBOX_USER) each
command is started as that unprivileged user instead (``setpriv``, which needs a worker that
may switch user, i.e. root), in a sample directory handed over to it, so the worker's own files
(data directory, keys, database) and processes are out of its reach.
"""

from __future__ import annotations

import base64
import contextlib
import os
import pwd
import re
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, overload

from inspect_ai.util import ExecResult, SandboxEnvironment, SandboxEnvironmentConfigType, sandboxenv
from inspect_ai.util._sandbox._cli import SANDBOX_CLI
from inspect_ai.util._sandbox.local import LocalSandboxEnvironment
from typing_extensions import override

__all__ = [
    "SCRIPTED_PROVIDERS",
    "SCRUBBED_LOCAL",
    "SandboxChoice",
    "SandboxUser",
    "ScrubbedLocalSandbox",
    "commands_run_as",
    "is_scripted",
    "sandbox_choice",
    "scrubbed_environment",
    "user_problem",
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


@dataclass(frozen=True)
class SandboxUser:
    """The unprivileged account the local sandbox's commands run as."""

    name: str
    uid: int
    gid: int

    @classmethod
    def named(cls, name: str) -> SandboxUser:
        """Look the account up (a name or a numeric uid); KeyError when there is none."""
        entry = pwd.getpwuid(int(name)) if name.isdecimal() else pwd.getpwnam(name)
        return cls(entry.pw_name, entry.pw_uid, entry.pw_gid)


def user_problem(name: str) -> str | None:
    """Why the sandbox user `name` cannot be used by this process, or None when it can."""
    try:
        user = SandboxUser.named(name)
    except (KeyError, OverflowError):
        return f"there is no user {name!r} on this machine"
    if user.uid == 0 or user.uid == os.geteuid():
        return f"{name!r} is not an unprivileged user of its own (uid {user.uid})"
    if os.geteuid() != 0:
        return f"the worker (uid {os.geteuid()}) cannot switch to another user; run it as root"
    return None


_run_as: ContextVar[SandboxUser | None] = ContextVar("clearinghouse_sandbox_user", default=None)


@contextlib.contextmanager
def commands_run_as(user: SandboxUser | None) -> Iterator[None]:
    """Local sandboxes created in this block run their commands as `user` (None: the
    worker's own user)."""
    token = _run_as.set(user)
    try:
        yield
    finally:
        _run_as.reset(token)


def _hand_over(path: Path, user: SandboxUser | None) -> None:
    if user is not None:
        os.chown(path, user.uid, user.gid)


@sandboxenv(name=SCRUBBED_LOCAL)
class ScrubbedLocalSandbox(LocalSandboxEnvironment):
    """Inspect's local sandbox, each command started with `scrubbed_environment` only (and
    as the sandbox user, when one is set for the run)."""

    def __init__(self) -> None:
        super().__init__()
        self._user = _run_as.get()
        _hand_over(Path(self.directory.name), self._user)

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
        if not home.exists():
            home.mkdir()
            _hand_over(home, self._user)
        requested = dict(env or {})
        if cmd and cmd[0] == SANDBOX_CLI:  # what the parent's exec adds for its tools
            self._sandbox_tools_used = True
            requested[self._SANDBOX_TOOLS_DIR_ENV] = str(self._sandbox_tools_dir)
        environment = scrubbed_environment(os.environ, str(home), requested)
        wrapped = ["env", "-i", *(f"{k}={v}" for k, v in environment.items()), *cmd]
        if self._user is not None:
            switch = [f"--reuid={self._user.uid}", f"--regid={self._user.gid}", "--clear-groups"]
            wrapped = ["setpriv", *switch, "--", *wrapped]
        return await super().exec(
            wrapped, input, cwd, None, user, timeout, timeout_retry, concurrency
        )

    @override
    async def write_file(self, file: str, contents: str | bytes) -> None:
        """With a sandbox user, written by a command as that user (so a tool can put a file
        only where the user may: never over the worker's own files); else as Inspect does."""
        if self._user is None:
            return await super().write_file(file, contents)
        data = contents.encode() if isinstance(contents, str) else contents
        script = 'mkdir -p -- "$(dirname -- "$1")" && base64 -d > "$1"'
        result = await self.exec(
            ["sh", "-c", script, "sh", self._resolve_file(file)],
            input=base64.b64encode(data),
        )
        if not result.success:
            raise PermissionError(f"cannot write {file}: {result.stderr.strip()}")

    @overload
    async def read_file(self, file: str, text: Literal[True] = True) -> str: ...

    @overload
    async def read_file(self, file: str, text: Literal[False]) -> bytes: ...

    @override
    async def read_file(self, file: str, text: bool = True) -> str | bytes:
        """With a sandbox user, read by a command as that user (a tool cannot read what the
        user may not: the worker's keys, its database); else as Inspect does."""
        if self._user is None:
            return await super().read_file(file, text)  # type: ignore[call-overload,no-any-return]
        result = await self.exec(["base64", "--", self._resolve_file(file)])
        if not result.success:  # the errors Inspect's tools expect from a sandbox's read_file
            why = result.stderr.strip()
            error = PermissionError if "Permission denied" in why else FileNotFoundError
            raise (IsADirectoryError if "Is a directory" in why else error)(f"{file}: {why}")
        data = base64.b64decode(result.stdout)
        return data.decode("utf-8") if text else data
