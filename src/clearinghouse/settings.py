"""Django settings: SQLite (WAL) by default, PostgreSQL when CLEARINGHOUSE_DATABASE_URL says so."""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from clearinghouse.core.egress import Allowlist

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("CLEARINGHOUSE_DATA_DIR", Path.cwd() / "var")).resolve()


def _kept_secret(variable: str, filename: str, generate: Callable[[], str]) -> str:
    """Use the configured value, else one generated once and kept in the data directory.

    Generated secrets suit a single machine; a deployment sets the variables (the database
    never holds them).
    """
    configured = os.environ.get(variable)
    if configured:
        return configured
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / filename
    if not path.exists():
        path.write_text(generate())
        path.chmod(0o600)
    return path.read_text().strip()


def _database(url: str | None) -> dict[str, object]:
    """Translate a postgres:// URL into Django's form; no URL means the embedded SQLite file."""
    if not url:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
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
    }


SECRET_KEY = _kept_secret(
    "CLEARINGHOUSE_SECRET_KEY", "secret_key", lambda: secrets.token_urlsafe(50)
)
DEBUG = os.environ.get("CLEARINGHOUSE_DEBUG") == "1"
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
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "clearinghouse.guard.RequestGuard",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

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
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"

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
CLEARINGHOUSE_OUTBOUND_ALLOW = Allowlist.parse(os.environ.get("CLEARINGHOUSE_OUTBOUND_ALLOW", ""))
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
    "max_upload_bytes": 64 * 1024 * 1024,
    "stale_after_seconds": 900,
}
# A real (non-scripted) model's tool calls run on this machine in the local sandbox: refused
# unless an admin sets this to 1 (scripted demo models may always use it).
CLEARINGHOUSE_ASSESSMENT_ALLOW_LOCAL_SANDBOX = (
    os.environ.get("CLEARINGHOUSE_ASSESSMENT_ALLOW_LOCAL_SANDBOX") == "1"
)
