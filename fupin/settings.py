"""Django settings for fupin.

Everything that differs between a laptop and a deployment comes from the environment:
DATABASE_URL (default: SQLite under var/), FUPIN_SECRET_KEY, FUPIN_DEBUG, FUPIN_ALLOWED_HOSTS.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("FUPIN_VAR_DIR", BASE_DIR / "var"))

SECRET_KEY = os.environ.get("FUPIN_SECRET_KEY", "fupin-dev-only-secret-change-me-in-production-0123456789")
DEBUG = os.environ.get("FUPIN_DEBUG", "0") == "1"
ALLOWED_HOSTS = os.environ.get("FUPIN_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "fupin.regions",
    "fupin.accounts",
    "fupin.audit",
    "fupin.policy",
    "fupin.registry",
    "fupin.identification",
    "fupin.exits",
    "fupin.helpers",
    "fupin.visits",
    "fupin.plans",
    "fupin.funds",
    "fupin.credit",
    "fupin.assets",
    "fupin.monitoring",
    "fupin.crosscheck",
    "fupin.ledger",
    "fupin.measures",
    "fupin.stats",
    "fupin.assessment",
    "fupin.demo",
    "fupin.benchmark",
    "fupin.web",
    "fupin.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "fupin.audit.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "fupin.urls"
WSGI_APPLICATION = "fupin.wsgi.application"

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
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# PostgreSQL in production and CI (DATABASE_URL=postgres://postgres@127.0.0.1:5432/fupin);
# SQLite under var/ as the embedded default so one command runs everything on a laptop.
_default_sqlite = f"sqlite:///{VAR_DIR / 'fupin.sqlite3'}"
# FUPIN_DB_CONN_MAX_AGE: seconds a server thread keeps its database connection (0 = one per request).
# Set it under gunicorn (e.g. 600): a new PostgreSQL connection costs more than a household page.
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL") or _default_sqlite,
                                              conn_max_age=int(os.environ.get("FUPIN_DB_CONN_MAX_AGE", "0")),
                                              conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE avoids "database is locked" when two writers race; WAL lets readers go on.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        # A page cache of up to 16 MB per connection instead of SQLite's 2 MB: a job's bulk writes
        # otherwise spill pages to disk before the commit (10,000 cross-check suspects: 0.12 → 0.09 s).
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-16384;",
    }
elif DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql"):
    # JIT compilation costs seconds on the correlated subqueries of the statistics refresh and the
    # cross-check rules (measured: 240k-person refresh 17.5 s with JIT, 8.0 s without) and gains
    # nothing on queries that read through indexes.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and sessions ------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
# Security policy (not poverty policy): how many wrong passwords lock an account, and for how long.
FUPIN_LOGIN_MAX_FAILURES = int(os.environ.get("FUPIN_LOGIN_MAX_FAILURES", "5"))
FUPIN_LOCKOUT_MINUTES = int(os.environ.get("FUPIN_LOCKOUT_MINUTES", "15"))
# Idle session timeout: the cookie is renewed on every request and dies after this many seconds idle.
SESSION_COOKIE_AGE = int(os.environ.get("FUPIN_SESSION_IDLE_SECONDS", str(30 * 60)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
# API tokens expire after this many days.
FUPIN_API_TOKEN_DAYS = int(os.environ.get("FUPIN_API_TOKEN_DAYS", "30"))
# Only trust X-Forwarded-For when a reverse proxy in front of us sets it.
FUPIN_TRUST_X_FORWARDED_FOR = os.environ.get("FUPIN_TRUST_X_FORWARDED_FOR", "0") == "1"
# The business date (业务日期) the system works on, YYYY-MM-DD; empty = today. Only the demo sets it:
# its registry ends in 2020, so it runs as of the end of that year (see Makefile). Record times
# in the audit trail always stay the real clock.
FUPIN_TODAY = os.environ.get("FUPIN_TODAY", "")

# --- Language and time ----------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files: served by the app itself (intranet deployments have no CDN) --------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "media"

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "fupin.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "fupin.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "fupin.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "fupin 精准扶贫信息管理系统 API",
    "DESCRIPTION": "区域范围内的数据接口。认证：会话（浏览器）或 `Authorization: Token <令牌>`。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # One name per choice set that several fields share.
    "ENUM_NAME_OVERRIDES": {"HouseholdStatusEnum": "fupin.registry.choices.HouseholdStatus"},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

AUTHENTICATION_BACKENDS = ["fupin.accounts.backends.LockoutAwareBackend"]
