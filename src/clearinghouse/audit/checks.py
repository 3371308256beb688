"""Deploy checks for the audit chain: a signing key kept outside the data, owner-only, used."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register

from clearinghouse.core.checkpoints import UnreadableKey

from . import signing


@register(deploy=True)
def audit_signing_key(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """A deployment signs its audit chain with a key it configured and keeps private."""
    config = settings.CLEARINGHOUSE_AUDIT
    problems: list[CheckMessage] = []
    if signing.checkpoint_every() <= 0:
        problems.append(
            Error(
                "CLEARINGHOUSE_AUDIT_CHECKPOINT_EVERY is 0: no checkpoints to export",
                hint="leave it at the default (1000) or another positive number",
                id="audit.E001",
            )
        )
    if not config["signing_key"] and not config["signing_key_file"]:
        problems.append(
            Warning(
                "no audit signing key configured: the one generated into the data directory "
                "sits next to the database it protects",
                hint="set CLEARINGHOUSE_AUDIT_SIGNING_KEY_FILE to a key file kept elsewhere",
                id="audit.W001",
            )
        )
    file = signing.key_file()
    if file is not None and file.exists() and file.stat().st_mode & 0o077:
        problems.append(
            Error(
                f"the audit signing key file {file} is readable by others",
                hint=f"chmod 600 {file}",
                id="audit.E002",
            )
        )
    try:
        signing.signing_key()
    except (UnreadableKey, OSError) as error:
        problems.append(Error(f"the audit signing key cannot be read: {error}", id="audit.E003"))
    return problems
