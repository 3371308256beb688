"""Start the local OpenID Connect provider (provider.mjs, on oidc-provider) for a test.

Node is needed: missing, the test fails under CI and is skipped elsewhere, with the reason.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

SCRIPT = Path(__file__).with_name("provider.mjs")
CLIENT_ID = "clearinghouse-test"
CLIENT_SECRET = "test-only-client-secret-that-is-long-enough"


@dataclass(frozen=True)
class RunningProvider:
    """A provider answering at `issuer` for the client CLIENT_ID."""

    issuer: str

    @property
    def port(self) -> int:
        """The loopback port it listens on (for the outbound allow-list)."""
        port = urlsplit(self.issuer).port
        assert port is not None
        return port


@contextmanager
def running_provider(
    redirect_uri: str, accounts: Mapping[str, Mapping[str, Any]]
) -> Iterator[RunningProvider]:
    """A provider whose test accounts (login -> claims) sign in with any password."""
    node = shutil.which("node")
    if node is None:
        message = "node is not installed (the OIDC provider of the sign-in tests runs on it)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    environment = os.environ | {
        "OIDC_REDIRECT_URI": redirect_uri,
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_ACCOUNTS": json.dumps(accounts),
    }
    process = subprocess.Popen(
        [node, str(SCRIPT)],
        env=environment,
        cwd=SCRIPT.parents[2],  # node_modules of the repository
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None and process.stderr is not None
        line = process.stdout.readline()
        if not line:
            raise AssertionError(f"the OIDC provider did not start: {process.stderr.read()}")
        yield RunningProvider(json.loads(line)["issuer"])
    finally:
        process.terminate()
        process.wait(timeout=10)
