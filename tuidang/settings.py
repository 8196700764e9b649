"""The one settings module. Everything that differs between machines comes from the
environment (see .env.example); with nothing set it is the embedded default that
`make run` serves: SQLite, tasks run in-process, DEBUG only when asked for.
"""

from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from tuidang.lib.access_log import request_record_filter, server_record_filter
from tuidang.lib.env import (
    env_bool,
    env_int,
    env_list,
    env_onion_origin,
    env_rate,
    env_str,
    env_url,
)
from tuidang.lib.http import root_file_headers

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY in the environment (see .env.example); "
            "only DEBUG=1 runs without one."
        )
    SECRET_KEY = "embedded-default-for-local-use-only"  # noqa: S105 - DEBUG only

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # The admin's site is volunteers.sites.VolunteerAdminSite: no sign-in of its own.
    "tuidang.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    # The OpenAPI schema, and Swagger UI's files served from our own static files.
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_ratelimit",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "tuidang.apps.TuidangConfig",
    "statements",
    "volunteers",
    "counts",
    "pages",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outermost after security, so every response carries the policy, redirects too.
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Above sessions and locale, so it sees the Vary they add before answering a 304;
    # below nothing that changes a body after it has taken the body's ETag.
    "tuidang.lib.http.PublicResponseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Second factor, session lifetime and session generation on /volunteer/ pages.
    "volunteers.middleware.VolunteerSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "tuidang.urls"
WSGI_APPLICATION = "tuidang.wsgi.application"

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
                "tuidang.context_processors.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
# CONN_HEALTH_CHECKS stays on. It costs each request that reads the database one `SELECT
# 1` round trip on its kept connection: 50-70 us here on loopback (2 cores), under the
# noise of `make bench-http` (BENCH_HTTP_HEALTH_CHECKS_OFF=1 measured 0.74x to 1.06x
# without it, 8 rounds on a busy machine). Public reads pay it once per 15 s per URL
# behind the compose nginx's micro-cache; what pays it every time is what no cache
# serves: submissions, receipt look-ups, volunteers' pages. Without it, after PostgreSQL
# restarts or fails over, each kept connection (a worker thread's) fails one request with
# a 500 before Django drops it at request end; that request can be someone's statement.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default serves requests and runs periodic tasks in one process:
    # IMMEDIATE transactions and a busy timeout keep concurrent writers from failing.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache (rate limits) and Celery broker ---------------------------------------
REDIS_URL = env_str("REDIS_URL")
EMBEDDED = not REDIS_URL

if EMBEDDED:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # One process, one user: a process-local cache is enough for rate limits here.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "tuidang"),
            # A dead Redis must cost a request half a second, not a hung worker.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    # Django's own RedisCache increments atomically; django-ratelimit just does not
    # list it.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite has no INCLUDE columns: the indexes still work there, only not index-only.
    SILENCED_SYSTEM_CHECKS += ["models.W040"]

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL or "memory://")
CELERY_TASK_ALWAYS_EAGER = EMBEDDED
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 100
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "tuidang")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
# The database is the record: each of these finds its work from rows, so a lost
# message only delays work until the next beat.
CELERY_BEAT_SCHEDULE = {
    "screen-statements": {
        "task": "statements.tasks.screen_statements",
        "schedule": timedelta(seconds=5),
        "options": {"expires": 5},
    },
    "sweep-paper-batches": {
        "task": "volunteers.tasks.sweep_paper_batches",
        "schedule": timedelta(hours=1),
        "options": {"expires": 3600},
    },
    "rollup-tallies": {
        "task": "counts.tasks.rollup_tallies",
        "schedule": timedelta(seconds=15),
        "options": {"expires": 15},
    },
    "rollup-review-figures": {
        "task": "counts.tasks.rollup_review_figures",
        "schedule": timedelta(seconds=15),
        "options": {"expires": 15},
    },
    "erase-callback-numbers": {
        "task": "volunteers.tasks.erase_callback_numbers",
        "schedule": timedelta(minutes=10),
        "options": {"expires": 600},
    },
    "rebuild-tallies": {
        "task": "counts.tasks.rebuild_tallies",
        "schedule": crontab(hour=3, minute=30),  # in CELERY_TIMEZONE, the tally zone
        # Not started within 12 hours, the night's run is dropped: see counts.tasks.
        "options": {"expires": 12 * 60 * 60},
    },
}
# Public reads (pages and API) may be served from shared caches for one rollup interval:
# the tallies they show change no more often than that. Then caches may serve the old
# copy while they fetch a new one, and for a day while the site is down.
PUBLIC_CACHE_MAX_AGE = int(CELERY_BEAT_SCHEDULE["rollup-tallies"]["schedule"].total_seconds())
PUBLIC_CACHE_STALE_WHILE_REVALIDATE = 60
PUBLIC_CACHE_STALE_IF_ERROR = 24 * 60 * 60

# --- Product settings -------------------------------------------------------------------
TALLY_TIME_ZONE = env_str("TALLY_TIME_ZONE", "Asia/Shanghai")
try:
    ZoneInfo(TALLY_TIME_ZONE)
except (ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(f"TALLY_TIME_ZONE {TALLY_TIME_ZONE!r} is not a time zone") from None

# Many submitters share one address (national proxies, Tor exits), so the per-address
# limits are generous; they stop a single script, review stops the rest.
INTAKE_RATE = env_rate("INTAKE_RATE", "30/m")
RECEIPT_LOOKUP_RATE = env_rate("RECEIPT_LOOKUP_RATE", "30/m")
# CSV exports (a month of statements each) per client: a year of months in a few
# minutes, while no one script can keep the workers busy streaming the same files.
EXPORT_RATE = env_rate("EXPORT_RATE", "60/h")
# Volunteer sign-in attempts per client: slows password guessing.
LOGIN_RATE = env_rate("LOGIN_RATE", "10/m")
# Behind a reverse proxy, the META key that holds the client address it saw (for
# example HTTP_X_REAL_IP). Used only to derive a keyed, day-scoped rate-limit signal.
CLIENT_ADDRESS_META_KEY = env_str("CLIENT_ADDRESS_META_KEY", "REMOTE_ADDR")

# The site's onion service (http://<name>.onion), if it has one: public pages name it in
# an Onion-Location header, so Tor Browser offers it. Unset: no header.
ONION_ORIGIN = env_onion_origin("ONION_ORIGIN")

# Links in every page's footer, each shown only when set: where to donate, and an about
# page elsewhere (unset: the footer links the site's own about page, pages:about).
DONATE_URL = env_url("DONATE_URL")
ABOUT_URL = env_url("ABOUT_URL")

# Crontab entries (the nightly rebuild) run by the clock of the tally days.
CELERY_TIMEZONE = TALLY_TIME_ZONE

# --- Auth -------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "volunteers.validators.MaximumLengthValidator"},
]
# The user is loaded with its account row (session generation) in the same query.
AUTHENTICATION_BACKENDS = ["volunteers.backends.AccountBackend"]
# Argon2 for every new or changed password; the others only to upgrade old hashes.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Longer passwords are refused before they are hashed.
PASSWORD_MAX_LENGTH = 256
LOGIN_URL = "volunteers:login"
LOGIN_REDIRECT_URL = "volunteers:review_queue"
LOGOUT_REDIRECT_URL = "volunteers:login"
# A volunteer's one-time setup link (set a password, enrol two-factor) lasts a day.
PASSWORD_RESET_TIMEOUT = 24 * 60 * 60
# Where this site is reached, for links printed outside a request (setup links).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Reviewers and coordinators always sign in with a second factor; this adds volunteers.
TWO_FACTOR_FOR_VOLUNTEERS = env_bool("TWO_FACTOR_FOR_VOLUNTEERS", False)
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "tuidang")
# A volunteer's session ends after this many idle minutes, and after 12 hours at most.
VOLUNTEER_IDLE_MINUTES = env_int("VOLUNTEER_IDLE_MINUTES", 30)
# A device that signed in before carries a signed cookie that exempts it from the
# per-account sign-in limit, so guessing from elsewhere cannot lock the volunteer out.
DEVICE_COOKIE_DAYS = env_int("DEVICE_COOKIE_DAYS", 90)

# API tokens for review tools stop working after this many days (and on sign-out
# everywhere, a new password or second factor, and deactivation).
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 90)

# --- Hotline ---------------------------------------------------------------------------
# Fernet keys (comma-separated) that encrypt callback numbers at rest: the first
# encrypts, every one decrypts, so a new key goes first and an old one is dropped once
# no number it encrypted is left (CALLBACK_RETENTION_DAYS later). Required like
# SECRET_KEY; the fixed key below is for DEBUG only.
CALLBACK_KEYS = env_list("CALLBACK_KEYS", [])
if not CALLBACK_KEYS:
    if not DEBUG:
        raise ImproperlyConfigured(
            "CALLBACK_KEYS is not set. Set CALLBACK_KEYS in the environment (see "
            ".env.example); only DEBUG=1 runs without one."
        )
    CALLBACK_KEYS = ["ZGV2LW9ubHktY2FsbGJhY2sta2V5LW5vdC1zZWNyZXQ="]  # DEBUG only
# Unanswered calls before a callback is closed, and the wait between two of them.
CALLBACK_MAX_ATTEMPTS = env_int("CALLBACK_MAX_ATTEMPTS", 3)
CALLBACK_RETRY_MINUTES = env_int("CALLBACK_RETRY_MINUTES", 120)
CALLBACK_LEASE_MINUTES = env_int("CALLBACK_LEASE_MINUTES", 15)
# Callbacks one volunteer may claim (each shows a number): a caller every two minutes is
# a full shift; more is someone reading the queue.
CALLBACK_CLAIM_RATE = env_rate("CALLBACK_CLAIM_RATE", "30/h")
# Every number is erased this many days after it came in, finished or not.
CALLBACK_RETENTION_DAYS = 14
INTAKE_BATCH_MAX_ITEMS = 1000
# The intake API's own body limit; every other request keeps DATA_UPLOAD_MAX_MEMORY_SIZE.
INTAKE_BATCH_MAX_BYTES = 1024 * 1024

# --- Entry for others -------------------------------------------------------------------
# Statements one volunteer may enter (a busy stand enters one every few seconds).
ENTRY_RATE = env_rate("ENTRY_RATE", "600/h")
# The public address printed small on receipt slips, where a person checks their code.
PUBLIC_SITE_URL = env_str("PUBLIC_SITE_URL", SITE_URL)
# A QR code of the receipt code (the code alone, never a URL) on each slip.
ENTRY_SLIP_QR = env_bool("ENTRY_SLIP_QR", True)

# --- Review -----------------------------------------------------------------------------
REVIEW_BATCH_SIZE = env_int("REVIEW_BATCH_SIZE", 25)
REVIEW_BATCH_MAX = 200
REVIEW_LEASE_MINUTES = env_int("REVIEW_LEASE_MINUTES", 15)
# How long a reviewer may undo their own decision.
REVIEW_UNDO_MINUTES = 5

# --- Paper batches ------------------------------------------------------------------------
# The largest CSV of paper forms a volunteer may upload (checked by the upload view
# itself: the global DATA_UPLOAD_MAX_MEMORY_SIZE stays small for the public side).
PAPER_UPLOAD_MAX_BYTES = env_int("PAPER_UPLOAD_MAX_BYTES", 8 * 1024 * 1024)

# --- Languages and time -----------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [
    ("zh-hans", _("Simplified Chinese")),
    ("zh-hant", _("Traditional Chinese")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Django's Chinese formats do not group digits; tallies run to hundreds of millions.
FORMAT_MODULE_PATH = ["tuidang.formats"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

# --- Static files -----------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Without collectstatic (tests, runserver) fall back to the plain file name.
WHITENOISE_MANIFEST_STRICT = False
# favicon.ico and robots.txt, served at the site's root; they have no hashed name, so
# root_file_headers gives them their own lifetime.
WHITENOISE_ROOT = BASE_DIR / "root"
WHITENOISE_ADD_HEADERS_FUNCTION = root_file_headers

# --- Request limits ---------------------------------------------------------------------
# A statement is at most 5,000 characters; even fully \u-escaped JSON fits in 64 KiB.
DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 100

# --- Security and privacy ---------------------------------------------------------------
# same-origin, not no-referrer: other sites learn nothing, and browsers keep sending a
# real Origin on our own form posts (under no-referrer Chromium sends "Origin: null",
# which would make every form post look cross-site).
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Strict"
# Volunteers may work on shared or seized devices: a session lasts a working day at most
# (counted from sign-in by volunteers.middleware, not renewed by activity).
SESSION_COOKIE_AGE = 12 * 60 * 60
# Only volunteers have sessions; their cookies never ride along with public requests.
SESSION_COOKIE_PATH = "/volunteer/"
CSRF_COOKIE_SAMESITE = "Strict"
CSRF_COOKIE_PATH = "/volunteer/"
CSRF_COOKIE_AGE = None  # ends with the browser session
# Messages ride in the session (scoped to /volunteer/), not in a cookie on "/" that the
# next public request would carry.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Nothing is loaded from another origin. Public pages have no script at all; volunteer
# pages load one same-origin file (static/volunteer/review.js), which posts back to the
# site with fetch (connect-src).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "connect-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["tuidang.lib.parsers.StrictJSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}

# The public API's schema (/api/v1/schema/) and its docs page (/api/v1/docs/).
SPECTACULAR_SETTINGS = {
    "TITLE": "tuidang public API",
    "DESCRIPTION": (
        "Published withdrawal statements and their daily tallies. Every statement is "
        "known by its registration number (16 digits, the last a Luhn check digit) and "
        "dated by its publication day in the tally time zone. Endpoints for volunteers' "
        "tools (review, intake) are not part of this API."
    ),
    "VERSION": "1",
    # The schema describes the API, not itself.
    "SERVE_INCLUDE_SCHEMA": False,
    "PREPROCESSING_HOOKS": ["tuidang.lib.openapi.public_endpoints_only"],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # A statement's status, wherever the API answers with one (the receipt's, the one an
    # action refused, the replaced statement's): one enum, one name.
    "ENUM_NAME_OVERRIDES": {"StatementStatusEnum": "statements.choices.Status"},
}

# Logs carry no client address and no user agent: the formats below have neither, and
# nothing in the code passes them (see tests/test_privacy.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "{asctime} {levelname} {name} {message}", "style": "{"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "filters": {
        # runserver (the embedded default) logs "Broken pipe from <address>" at INFO, and
        # every request line, setup links (which hold a token) included.
        "no_client_address": {
            "()": "django.utils.log.CallbackFilter",
            "callback": server_record_filter,
        },
        # django.request logs each 4xx and 5xx with its path: a refused setup link too.
        "no_secret_paths": {
            "()": "django.utils.log.CallbackFilter",
            "callback": request_record_filter,
        },
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.server": {
            "handlers": ["console"],
            "filters": ["no_client_address"],
            "propagate": False,
        },
        "django.request": {"filters": ["no_secret_paths"]},
    },
}
