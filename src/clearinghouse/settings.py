"""Django settings: SQLite (WAL) by default, PostgreSQL when CLEARINGHOUSE_DATABASE_URL says so."""

from __future__ import annotations

import base64
import datetime as dt
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

from clearinghouse.core.egress import Allowlist
from clearinghouse.core.oidc import ClientSettings

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("CLEARINGHOUSE_DATA_DIR", Path.cwd() / "var")).resolve()
# Everything this process creates (the SQLite database, evidence, transcripts, kept secrets)
# is its owner's alone: every entry point (CLI, WSGI, manage, tests) loads these settings.
os.umask(0o077)


def _flag(variable: str, default: bool) -> bool:
    """A yes/no setting: 1/true/yes/on or 0/false/no/off; unset means the default."""
    value = os.environ.get(variable, "").strip().lower()
    if not value:
        return default
    if value not in {"1", "true", "yes", "on", "0", "false", "no", "off"}:
        raise ImproperlyConfigured(f"{variable} must be 1 or 0, not {value!r}")
    return value in {"1", "true", "yes", "on"}


# `clearinghouse demo` sets this: plain HTTP on this machine, so the HTTPS-only defences are off.
DEMO = _flag("CLEARINGHOUSE_DEMO", False)


def _data_dir() -> None:
    """Create the data directory for its owner only (nothing in it is for other users)."""
    if not DATA_DIR.exists():
        DATA_DIR.mkdir(parents=True, mode=0o700)
        DATA_DIR.chmod(0o700)


def _secret(variable: str) -> str:
    """The variable's value, else the contents of the file `<variable>_FILE` names, else ""."""
    configured = os.environ.get(variable)
    if configured:
        return configured
    file = os.environ.get(f"{variable}_FILE")
    if file:
        try:
            return Path(file).read_text().strip()
        except (OSError, UnicodeDecodeError) as error:
            raise ImproperlyConfigured(f"{variable}_FILE: cannot read {file} ({error})") from None
    return ""


#: The secrets `_kept_secret` keeps in the data directory, beside the database, because the
#: environment gives none (`check --deploy` warns of each: clearinghouse.W011).
CLEARINGHOUSE_SECRETS_IN_DATA_DIR: list[str] = []


def _kept_secret(variable: str, filename: str, generate: Callable[[], str]) -> str:
    """Use the configured value (the variable, else the file `<variable>_FILE` names), else
    one generated once and kept in the data directory.

    Generated secrets suit a single machine; a deployment sets the variables or files (the
    database never holds them; a file suits secrets mounted by systemd or a container).
    """
    configured = _secret(variable)
    if configured:
        return configured
    _data_dir()
    CLEARINGHOUSE_SECRETS_IN_DATA_DIR.append(variable)
    path = DATA_DIR / filename
    if not path.exists():
        path.write_text(generate())
        path.chmod(0o600)
    return path.read_text().strip()


def _database(url: str | None) -> dict[str, object]:
    """Translate a postgres:// URL into Django's form; no URL means the embedded SQLite file."""
    if not url:
        _data_dir()
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "clearinghouse.sqlite3",
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise ValueError(f"CLEARINGHOUSE_DATABASE_URL must be postgres://…, not {parts.scheme}://")
    query = dict(item.split("=", 1) for item in parts.query.split("&") if "=" in item)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": query.pop("host", parts.hostname or ""),
        "PORT": str(parts.port or ""),
        "CONN_MAX_AGE": 60,
        # No JIT compilation: it pays off on long analytic queries, and here it cost 15-20 ms
        # on short ones whose cost estimate crossed its threshold (dedup's look-up in a large
        # store; docs/benchmarks.md).
        "OPTIONS": {"options": "-c jit=off"},
    }


SECRET_KEY = _kept_secret(
    "CLEARINGHOUSE_SECRET_KEY", "secret_key", lambda: secrets.token_urlsafe(50)
)
DEBUG = _flag("CLEARINGHOUSE_DEBUG", False)
ALLOWED_HOSTS = os.environ.get("CLEARINGHOUSE_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
CSRF_TRUSTED_ORIGINS = [
    origin
    for origin in os.environ.get("CLEARINGHOUSE_CSRF_TRUSTED_ORIGINS", "").split(",")
    if origin
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # its Swagger UI from our own static files, not a CDN
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "clearinghouse.accounts",
    "clearinghouse.audit",
    "clearinghouse.frontier",
    "clearinghouse.advisories",
    "clearinghouse.assets",
    "clearinghouse.intake",
    "clearinghouse.assessments",
    "clearinghouse.reviews",
    "clearinghouse.notifications",
    "clearinghouse.background",
    "clearinghouse.web",
    "clearinghouse.security",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "clearinghouse.guard.RequestGuard",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "clearinghouse.accounts.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]

ROOT_URLCONF = "clearinghouse.urls"
WSGI_APPLICATION = "clearinghouse.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "clearinghouse.web.context.navigation",
            ],
        },
    },
]

DATABASES = {"default": _database(os.environ.get("CLEARINGHOUSE_DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out sign-in before any check
    "clearinghouse.accounts.backends.PasswordBackend",  # refuses all passwords when turned off
    "clearinghouse.accounts.backends.ProviderBackend",  # OpenID Connect, when configured
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sign-in (docs/security.md "Sign-in"): passwords, single sign-on, the second factor.
CLEARINGHOUSE_PASSWORD_SIGNIN = _flag("CLEARINGHOUSE_PASSWORD_SIGNIN", True)
CLEARINGHOUSE_TOTP_REQUIRED = _flag("CLEARINGHOUSE_TOTP_REQUIRED", False)
_oidc_roles = os.environ.get("CLEARINGHOUSE_OIDC_ALLOWED_ROLES", "reviewer,coordinator")
CLEARINGHOUSE_OIDC = ClientSettings(
    issuer=os.environ.get("CLEARINGHOUSE_OIDC_ISSUER", ""),  # empty: single sign-on is off
    client_id=os.environ.get("CLEARINGHOUSE_OIDC_CLIENT_ID", ""),
    client_secret=_secret("CLEARINGHOUSE_OIDC_CLIENT_SECRET"),  # or ..._SECRET_FILE
    organisation_claim=os.environ.get("CLEARINGHOUSE_OIDC_ORGANISATION_CLAIM", "organisation"),
    role_claim=os.environ.get("CLEARINGHOUSE_OIDC_ROLE_CLAIM", "role"),
    allowed_roles=tuple(role.strip() for role in _oidc_roles.split(",") if role.strip()),
    label=os.environ.get("CLEARINGHOUSE_OIDC_LABEL", ClientSettings.label),
)
# mozilla-django-oidc's own settings; the provider's endpoints come from its discovery document.
OIDC_RP_SCOPES = os.environ.get("CLEARINGHOUSE_OIDC_SCOPES", "openid profile email")
OIDC_RP_SIGN_ALGO = os.environ.get("CLEARINGHOUSE_OIDC_SIGN_ALGORITHM", "RS256")
OIDC_USE_PKCE = True
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:oidc_callback"
OIDC_TIMEOUT = 10
OTP_TOTP_ISSUER = os.environ.get("CLEARINGHOUSE_TOTP_ISSUER", "Clearinghouse")

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
# Front-end libraries come from npm (package.json); `scripts/setup` installs them.
_NODE_MODULES = Path(
    os.environ.get("CLEARINGHOUSE_NODE_MODULES", PACKAGE_DIR.parent.parent / "node_modules")
)
STATICFILES_DIRS = [
    *(
        (f"uswds/{part}", _NODE_MODULES / "@uswds" / "uswds" / "dist" / part)
        for part in ("css", "fonts", "img", "js")
    ),
    ("htmx", _NODE_MODULES / "htmx.org" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Intake limits (read by intake.services._limits); the request limits follow from them, so a
# document the intake accepts is never refused earlier as a bare 400/413 of Django's.
CLEARINGHOUSE_INTAKE_MAX_BYTES = int(
    os.environ.get("CLEARINGHOUSE_INTAKE_MAX_BYTES", str(20 * 1024 * 1024))
)
CLEARINGHOUSE_INTAKE_MAX_BATCH_DOCUMENTS = int(
    os.environ.get("CLEARINGHOUSE_INTAKE_MAX_BATCH_DOCUMENTS", "1000")
)
# A raw JSON/YAML document is the body itself: allow it whole, plus room for a form's fields.
DATA_UPLOAD_MAX_MEMORY_SIZE = CLEARINGHOUSE_INTAKE_MAX_BYTES + 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = CLEARINGHOUSE_INTAKE_MAX_BATCH_DOCUMENTS
FILE_UPLOAD_PERMISSIONS = 0o600  # Django's default is 0o644: readable by every user
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
X_FRAME_OPTIONS = "DENY"

# `clearinghouse serve` processes (each with --threads threads) sharing one socket.
CLEARINGHOUSE_SERVE_PROCESSES = int(os.environ.get("CLEARINGHOUSE_SERVE_PROCESSES", "1"))

# HTTPS and cookies: on unless this is the demo, each configurable (docs/security.md).
# `clearinghouse serve` speaks plain HTTP, so production has a TLS proxy in front; trusting
# its header is what makes a request count as HTTPS (and its X-Forwarded-For the client).
SECURE_SSL_REDIRECT = _flag("CLEARINGHOUSE_SSL_REDIRECT", not DEMO)
CLEARINGHOUSE_TRUSTED_PROXY = _flag("CLEARINGHOUSE_TRUSTED_PROXY", False)
if CLEARINGHOUSE_TRUSTED_PROXY:
    _ssl_header = os.environ.get("CLEARINGHOUSE_PROXY_SSL_HEADER", "X-Forwarded-Proto")
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _ssl_header.upper().replace("-", "_"), "https")
SECURE_HSTS_SECONDS = int(
    os.environ.get("CLEARINGHOUSE_HSTS_SECONDS", "0" if DEMO else str(365 * 24 * 3600))
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _flag("CLEARINGHOUSE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = _flag("CLEARINGHOUSE_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = _flag("CLEARINGHOUSE_SECURE_COOKIES", not DEMO)
SESSION_COOKIE_HTTPONLY = CSRF_COOKIE_HTTPONLY = True  # pages put the CSRF token in the HTML
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(os.environ.get("CLEARINGHOUSE_SESSION_SECONDS", str(8 * 3600)))
# Joining the browsers' HSTS preload list is the domain owner's decision, not a default.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# Content Security Policy: this instance's own files only; no inline script or style.
_CSP = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
if _flag("CLEARINGHOUSE_CSP_REPORT_ONLY", False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP
else:
    CONTENT_SECURITY_POLICY = _CSP

# Failed sign-ins (django-axes): after the limit, that username from that address is refused
# (429) even with the right password until the cool-off ends (0 minutes: until an admin
# runs `python -m django axes_reset_username`). CLEARINGHOUSE_LOGIN_LOCKOUT names what a
# lockout counts by: `+` joins parameters, `,` separates alternatives.
AXES_FAILURE_LIMIT = int(os.environ.get("CLEARINGHOUSE_LOGIN_FAILURE_LIMIT", "5"))
_cooloff = int(os.environ.get("CLEARINGHOUSE_LOGIN_COOLOFF_MINUTES", "15"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=_cooloff) if _cooloff else None
AXES_LOCKOUT_PARAMETERS = [
    alternative.split("+")
    for alternative in os.environ.get("CLEARINGHOUSE_LOGIN_LOCKOUT", "username+ip_address").split(
        ","
    )
]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "security/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "clearinghouse.security.client.client_address"
# A single sign-on the provider vouched for but our claim mapping refused is no failed guess.
AXES_WHITELIST_CALLABLE = "clearinghouse.accounts.backends.refused_after_the_provider_vouched"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

EMAIL_BACKEND = os.environ.get(
    "CLEARINGHOUSE_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)

CLEARINGHOUSE_POLICY_DIR = Path(
    os.environ.get("CLEARINGHOUSE_POLICY_DIR", PACKAGE_DIR / "policies")
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": os.environ.get("CLEARINGHOUSE_LOG_LEVEL", "WARNING"),
    },
}

# Fernet keys for model-access credentials, newest first (comma-separated) so keys can rotate.
CLEARINGHOUSE_CREDENTIAL_KEYS = _kept_secret(
    "CLEARINGHOUSE_CREDENTIAL_KEYS",
    "credential_keys",
    lambda: base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
).split(",")
# Internal destinations the server may call for tenants (webhooks, model endpoints): none by
# default; comma-separated HOST[:PORT], address or CIDR entries (clearinghouse.core.egress).
# An entry that cannot be read allows nothing and is reported by the check clearinghouse.E010
# (every CLI verb refuses to start on it), not raised here as a traceback.
try:
    CLEARINGHOUSE_OUTBOUND_ALLOW = Allowlist.parse(
        os.environ.get("CLEARINGHOUSE_OUTBOUND_ALLOW", "")
    )
    CLEARINGHOUSE_OUTBOUND_ALLOW_ERROR = ""
except ValueError as error:
    CLEARINGHOUSE_OUTBOUND_ALLOW, CLEARINGHOUSE_OUTBOUND_ALLOW_ERROR = Allowlist(), str(error)
# The audit chain's Ed25519 signing key, kept outside the database (PEM file, or the base64
# seed in the variable); neither set: one generated into the data directory (single machine).
CLEARINGHOUSE_AUDIT = {
    "signing_key": os.environ.get("CLEARINGHOUSE_AUDIT_SIGNING_KEY", ""),
    "signing_key_file": os.environ.get("CLEARINGHOUSE_AUDIT_SIGNING_KEY_FILE", ""),
    "public_keys_file": os.environ.get("CLEARINGHOUSE_AUDIT_PUBLIC_KEYS_FILE", ""),
    "checkpoint_every": int(os.environ.get("CLEARINGHOUSE_AUDIT_CHECKPOINT_EVERY", "1000")),
}
CLEARINGHOUSE_WEBHOOK_TIMEOUT_SECONDS = 10
CLEARINGHOUSE_WEBHOOK_MAX_ATTEMPTS = 6
# Back-off before a failed delivery's next attempt: this many seconds, doubling, at most an hour.
CLEARINGHOUSE_WEBHOOK_RETRY_SECONDS = float(
    os.environ.get("CLEARINGHOUSE_WEBHOOK_RETRY_SECONDS", "30")
)
# A worker's heartbeat lease: a task whose worker has not beaten for this long is re-queued
# (its worker died), and given up on after its workers died under it MAX_LOST times.
CLEARINGHOUSE_WORKER_LEASE_SECONDS = float(
    os.environ.get("CLEARINGHOUSE_WORKER_LEASE_SECONDS", "60")
)
CLEARINGHOUSE_WORKER_MAX_LOST = 3
# Items of a background submission turned into reports per transaction (the resume step).
CLEARINGHOUSE_INTAKE_CHUNK_ITEMS = int(os.environ.get("CLEARINGHOUSE_INTAKE_CHUNK_ITEMS", "250"))
MEDIA_ROOT = DATA_DIR / "media"
CLEARINGHOUSE_MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
# Assessments on Inspect: bounds every run keeps (Inspect's own defaults retry forever).
# sandbox "auto" uses docker where a Docker engine answers, else the scrubbed local sandbox.
CLEARINGHOUSE_ASSESSMENT = {
    "max_retries": int(os.environ.get("CLEARINGHOUSE_ASSESSMENT_MAX_RETRIES", "3")),
    "timeout_seconds": int(os.environ.get("CLEARINGHOUSE_ASSESSMENT_TIMEOUT", "120")),
    "time_limit_seconds": 900,
    "token_limit": 200_000,
    "message_limit": 40,
    "max_tokens": 4096,
    "sample_limit": int(os.environ.get("CLEARINGHOUSE_ASSESSMENT_SAMPLE_LIMIT", "0")) or None,
    "max_connections": 4,
    "sandbox": os.environ.get("CLEARINGHOUSE_ASSESSMENT_SANDBOX", "auto"),
    # the unprivileged user the local sandbox runs commands as (the worker must be root)
    "sandbox_user": os.environ.get("CLEARINGHOUSE_ASSESSMENT_SANDBOX_USER", ""),
    "max_upload_bytes": 64 * 1024 * 1024,
    "stale_after_seconds": 900,
}
# A real (non-scripted) model's tool calls run on this machine in the local sandbox: refused
# unless an admin sets this to 1 (scripted demo models may always use it).
CLEARINGHOUSE_ASSESSMENT_ALLOW_LOCAL_SANDBOX = (
    os.environ.get("CLEARINGHOUSE_ASSESSMENT_ALLOW_LOCAL_SANDBOX") == "1"
)
