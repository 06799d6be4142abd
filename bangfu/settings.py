"""Bangfu's one settings module, read from the environment.

DATABASE_URL      sqlite:///var/bangfu.sqlite3 (default) or postgres://user@host:5432/name
BANGFU_DATA_KEY   base64 of 32 random bytes: the key personal data is encrypted with.
                  When unset, var/data.key is used (and created by `bangfu demo`/`make run`).
SECRET_KEY        Django's signing key; var/secret.key when unset.
DEBUG             "1" to turn Django's debug pages on.
ALLOWED_HOSTS     comma-separated host names.
BANGFU_HTTPS      "1" in production behind TLS: Secure cookies, HSTS, the proxy's X-Forwarded-Proto
                  trusted (docs/deploy.md). BANGFU_SSL_REDIRECT=1 also redirects http to https.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("BANGFU_VAR_DIR", PROJECT_DIR / "var"))


def _local_secret(name: str, make) -> str:
    """A secret kept in var/ for the embedded default; production passes it by environment."""
    path = VAR_DIR / name
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(make())
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = os.environ.get("DEBUG", "") == "1"
SECRET_KEY = os.environ.get("SECRET_KEY") or _local_secret("secret.key", lambda: secrets.token_urlsafe(50))
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",  # the API docs page from ninja's own static files, not a CDN (the CSP allows no other origin)
    "csp",
    "axes",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "bangfu.regions",
    "bangfu.accounts",
    "bangfu.privacy",
    "bangfu.registry",
    "bangfu.demo",
    "bangfu.imports",
    "bangfu.programmes",
    "bangfu.activities",
    "bangfu.compliance",
    "bangfu.exports",
    "bangfu.documents",
    "bangfu.procedures",
    "bangfu.funds",
    "bangfu.subsidies",
    "bangfu.measures",
    "bangfu.crosschecks",
    "bangfu.quality",
    "bangfu.rules",
]

MIDDLEWARE = [
    "bangfu.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "bangfu.middleware.NulByteMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "bangfu.middleware.BangfuErrorMiddleware",
    "bangfu.middleware.ReferenceStampMiddleware",
]

ROOT_URLCONF = "bangfu.urls"
WSGI_APPLICATION = "bangfu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'bangfu.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),  # `bangfu serve` keeps them 60 s
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one writer writes; IMMEDIATE takes the write lock
    # at BEGIN, so two writers queue instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"].setdefault("TEST", {})["NAME"] = os.environ.get("BANGFU_TEST_SQLITE") or None

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # JIT compiling adds about a second to each large report query and saves nothing on the
    # short ones (PERFORMANCE.md); compliance roll-ups are the queries it would touch.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
    # The statements bangfu/sql.py runs (the compliance statements, the pages' pairings) are prepared on
    # their second run in a connection and keep one generic plan for the connection's life: PostgreSQL
    # planned them as long as or longer than it ran them, and the generic plan ran as fast or faster on
    # every page measured (docs/performance.md). Only prepared statements follow plan_cache_mode; the
    # rest of the ORM (client-side binding) never prepares.
    # BANGFU_PG_PREPARE=0 for a pooler that cannot keep prepared statements (docs/deploy.md).
    if os.environ.get("BANGFU_PG_PREPARE", "1") != "0":
        DATABASES["default"]["OPTIONS"]["prepare_threshold"] = 1
        DATABASES["default"]["OPTIONS"]["options"] += " -c plan_cache_mode=force_generic_plan"

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
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "bangfu.accounts.backends.ModelBackend",  # Django's, reading the user's region with the user
]

# Lock an account + address out for 15 minutes after 5 failed logins (django-axes).
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600  # the footer's language choice outlives the browser session
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise serves from here after collectstatic
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "media"

SESSION_ENGINE = "bangfu.accounts.sessions"  # Django's database sessions, read by a prepared statement
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 12

# Every Statement (bangfu/sql.py) also compiled anew and compared with what it kept: the tests turn it on.
BANGFU_SQL_CHECK = os.environ.get("BANGFU_SQL_CHECK", "") == "1"

# Production behind TLS, one switch (docs/deploy.md): the reverse proxy terminates TLS and sets
# X-Forwarded-Proto; cookies go over https only; browsers are told to use https for a year (HSTS).
BANGFU_HTTPS = os.environ.get("BANGFU_HTTPS", "") == "1"
if BANGFU_HTTPS:
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("BANGFU_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_SSL_REDIRECT = os.environ.get("BANGFU_SSL_REDIRECT", "") == "1"

# Content-Security-Policy on every response (django-csp): scripts, styles, fonts and requests of this
# site only, no inline script, style attribute or eval; images also as data: URLs (charts, the API docs).
# Pages keep to it: JS in static files (bangfu/static/bangfu/), layout in site.css; a browser test
# loads each role's pages and fails on any violation (bangfu/tests/test_csp.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Background work: run at once in the embedded default; a database-backed worker
# (`bangfu db_worker`) in production with TASKS_BACKEND=database.
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks_db.DatabaseBackend"
            if os.environ.get("TASKS_BACKEND") == "database"
            else "django_tasks.backends.immediate.ImmediateBackend"
        )
    }
}

# Personal data encryption (bangfu.privacy). 32 bytes, base64.
BANGFU_DATA_KEY = os.environ.get("BANGFU_DATA_KEY") or _local_secret(
    "data.key", lambda: __import__("base64").b64encode(secrets.token_bytes(32)).decode()
)

# Every record names its request (bangfu.middleware.RequestIdMiddleware: the id on the 500 page and in
# the X-Request-ID header); every unhandled error reaches the log with its traceback through django.request.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "bangfu": {"handlers": ["console"], "level": os.environ.get("BANGFU_LOG_LEVEL", "INFO")},
        "axes": {"handlers": ["console"], "level": "WARNING"},
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": True},
    },
}

# Uploads (bangfu/imports/uploads.py): the largest file the pages and the API accept (the command line
# `bangfu import` has no size limit), and for an .xlsx/.ods what it may expand to, checked before
# anything is expanded: total uncompressed size and compression ratio of each member (a real register
# compresses 5–20 times; a zip bomb 1000). At most BANGFU_IMPORT_MAX_ROWS data rows a file.
BANGFU_UPLOAD_MAX_MB = int(os.environ.get("BANGFU_UPLOAD_MAX_MB", "100"))
BANGFU_UPLOAD_MAX_EXPANDED_MB = int(os.environ.get("BANGFU_UPLOAD_MAX_EXPANDED_MB", "2048"))
BANGFU_UPLOAD_MAX_RATIO = int(os.environ.get("BANGFU_UPLOAD_MAX_RATIO", "100"))
BANGFU_IMPORT_MAX_ROWS = int(os.environ.get("BANGFU_IMPORT_MAX_ROWS", "2000000"))

# Page sizes for lists; every list paginates.
BANGFU_PAGE_SIZE = 50

# Exports (bangfu.exports): a list longer than this many rows is written by a background task and
# fetched from 我的导出; shorter ones download at once. Finished files (MEDIA_ROOT/exports/) are kept
# this many days, then `bangfu export_cleanup` (run daily, e.g. from cron) deletes them with their jobs.
BANGFU_EXPORT_BACKGROUND_ROWS = int(os.environ.get("BANGFU_EXPORT_BACKGROUND_ROWS", "5000"))
BANGFU_EXPORT_RETENTION_DAYS = int(os.environ.get("BANGFU_EXPORT_RETENTION_DAYS", "7"))

# Reminders of what is due this week (bangfu.compliance.reminders): the sender classes, comma-
# separated in BANGFU_REMINDER_SENDERS; a real SMS gateway is one more class (see that module).
BANGFU_REMINDER_SENDERS = [s for s in os.environ.get(
    "BANGFU_REMINDER_SENDERS",
    "bangfu.compliance.reminders.EmailSender,bangfu.compliance.reminders.LoggingSmsSender").split(",") if s]
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "bangfu@localhost")
