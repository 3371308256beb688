"""Our deploy checks, beside Django's: `clearinghouse check --deploy` runs both.

Django's own deploy checks already cover the secret key's strength (security.W009), DEBUG
(W018), an empty ALLOWED_HOSTS (W020), HSTS (W004/W005), Secure cookies (W012/W016) and the
HTTPS redirect (W008). These add what is particular to how Clearinghouse runs. Any app may
register more with `@register(Tags.security, deploy=True)` in a `checks.py` its
`AppConfig.ready` imports.
"""

from __future__ import annotations

import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

from clearinghouse.core.sandboxes import user_problem

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


def _others_may_read(path: Path) -> bool:
    return bool(path.stat().st_mode & 0o077)


#: Checks of settings that cannot be used at all: every CLI verb refuses to start on them.
CONFIGURATION = "configuration"


@register(CONFIGURATION)
def outbound_allow_list(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[CheckMessage]:
    """CLEARINGHOUSE_OUTBOUND_ALLOW can be read; until it can, it allows nothing internal."""
    problem = settings.CLEARINGHOUSE_OUTBOUND_ALLOW_ERROR
    if not problem:
        return []
    return [
        Error(
            f"CLEARINGHOUSE_OUTBOUND_ALLOW: {problem}",
            hint="comma-separated HOST[:PORT] entries: a host name, an address, a CIDR "
            "network or [IPv6], e.g. models.internal:8443, 10.20.0.0/16",
            id="clearinghouse.E010",
        )
    ]


@register(Tags.security, deploy=True)
def data_dir_private(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    """The data directory and the files directly in it (database, kept secrets) are owner-only.

    A private directory already keeps other users out of everything below it; its own
    files are checked too in case the directory is opened up later.
    """
    data_dir = Path(settings.DATA_DIR)
    if not data_dir.is_dir():
        return []
    paths = [data_dir, *(child for child in data_dir.iterdir() if child.is_file())]
    return [
        Error(
            f"{path} is open to other users of this host "
            f"(mode {stat.filemode(path.stat().st_mode)})",
            hint=f"chmod {'700' if path.is_dir() else '600'} {path}",
            id="clearinghouse.E001",
        )
        for path in paths
        if _others_may_read(path)
    ]


@register(Tags.security, deploy=True)
def keys_apart_from_data(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[CheckMessage]:
    """Keys generated into the data directory (no variable or file configured) sit beside the
    database they protect: one copy or backup of the directory holds both. (The audit signing
    key has its own check, audit.W001.)"""
    return [
        Warning(
            f"{variable} is the key generated into the data directory {settings.DATA_DIR}, "
            "beside the data it protects",
            hint=f"set {variable}_FILE to a key file kept outside the data directory "
            f"(or {variable} from a secret store)",
            id="clearinghouse.W011",
        )
        for variable in settings.CLEARINGHOUSE_SECRETS_IN_DATA_DIR
    ]


@register(Tags.security, deploy=True)
def https_behind_proxy(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[CheckMessage]:
    """`clearinghouse serve` speaks plain HTTP: with the HTTPS redirect on, only the TLS
    proxy's header makes a request count as HTTPS; without it every page redirects forever."""
    if settings.SECURE_SSL_REDIRECT and not getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        return [
            Error(
                "the HTTPS redirect is on but no TLS proxy is trusted, so every request "
                "would be redirected again",
                hint="put a TLS proxy in front and set CLEARINGHOUSE_TRUSTED_PROXY=1 "
                "(or CLEARINGHOUSE_SSL_REDIRECT=0 if the proxy redirects HTTP itself)",
                id="clearinghouse.E002",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def policy_enforced(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    """The Content Security Policy is enforced, not only reported."""
    if not getattr(settings, "CONTENT_SECURITY_POLICY", None):
        return [
            Warning(
                "the Content Security Policy is only reported, not enforced",
                hint="unset CLEARINGHOUSE_CSP_REPORT_ONLY",
                id="clearinghouse.W003",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def sign_in_throttled(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    """Failed sign-ins are limited (django-axes is on with a positive limit)."""
    if not getattr(settings, "AXES_ENABLED", True) or settings.AXES_FAILURE_LIMIT < 1:
        return [
            Error(
                "failed sign-ins are not limited",
                hint="set CLEARINGHOUSE_LOGIN_FAILURE_LIMIT to a positive number",
                id="clearinghouse.E004",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def not_the_demo(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    """The demo's relaxed settings (plain HTTP, cookies without Secure) are for localhost."""
    if settings.DEMO:
        return [
            Error(
                "running with the demo's settings (CLEARINGHOUSE_DEMO)",
                hint="unset CLEARINGHOUSE_DEMO",
                id="clearinghouse.E005",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def named_hosts(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    """ALLOWED_HOSTS names the site: not any host, and not only this machine."""
    hosts = {host.strip() for host in settings.ALLOWED_HOSTS if host.strip()}
    if "*" in hosts:
        return [
            Error(
                "ALLOWED_HOSTS accepts any host name",
                hint="set CLEARINGHOUSE_ALLOWED_HOSTS to the site's name(s)",
                id="clearinghouse.E006",
            )
        ]
    if hosts and hosts <= LOOPBACK_HOSTS:
        return [
            Warning(
                "ALLOWED_HOSTS names only this machine, so the site answers no other name",
                hint="set CLEARINGHOUSE_ALLOWED_HOSTS to the site's name(s)",
                id="clearinghouse.W007",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def sign_in_possible(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    """Someone can sign in: passwords, or a single sign-on provider with its client secret."""
    oidc = settings.CLEARINGHOUSE_OIDC
    problems: list[CheckMessage] = []
    if oidc.issuer and not (oidc.client_id and oidc.client_secret):
        problems.append(
            Error(
                "single sign-on has an issuer but no client id or secret",
                hint="set CLEARINGHOUSE_OIDC_CLIENT_ID and CLEARINGHOUSE_OIDC_CLIENT_SECRET(_FILE)",
                id="clearinghouse.E020",
            )
        )
    if not settings.CLEARINGHOUSE_PASSWORD_SIGNIN and not oidc.enabled:
        problems.append(
            Error(
                "password sign-in is off and no single sign-on provider is configured: "
                "nobody can sign in",
                hint="configure CLEARINGHOUSE_OIDC_* or set CLEARINGHOUSE_PASSWORD_SIGNIN=1",
                id="clearinghouse.E021",
            )
        )
    return problems


@register(Tags.security, deploy=True)
def sandbox_user(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    """A local sandbox a real model may use runs its commands as a user of their own."""
    name = str(settings.CLEARINGHOUSE_ASSESSMENT.get("sandbox_user") or "")
    if name:
        problem = user_problem(name)
        if problem is None:
            return []
        return [
            Error(
                f"the local sandbox's user cannot be used: {problem}",
                hint="set CLEARINGHOUSE_ASSESSMENT_SANDBOX_USER to an unprivileged account "
                "and run the worker as root so it can switch to it",
                id="clearinghouse.E009",
            )
        ]
    if settings.CLEARINGHOUSE_ASSESSMENT_ALLOW_LOCAL_SANDBOX:
        return [
            Warning(
                "the local sandbox is allowed for real models, and their commands would run "
                "as the worker's own user (able to read its data directory and keys)",
                hint="set CLEARINGHOUSE_ASSESSMENT_SANDBOX_USER to an unprivileged account "
                "(the worker must run as root to switch to it), or use docker",
                id="clearinghouse.W008",
            )
        ]
    return []
