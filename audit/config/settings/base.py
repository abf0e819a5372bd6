"""Settings shared by every environment; values that differ come from the environment."""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parents[3]


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_forms_gds",
    "django_filters",
    "simple_history",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "jobs",
    "standards",
    "cases",
    "audit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "audit.config.middleware.NeverStoreResponses",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "audit.config.middleware.HoldSignedOutSaves",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "audit.config.middleware.RejectControlCharactersInURL",
]

ROOT_URLCONF = "audit.config.urls"
WSGI_APPLICATION = "audit.config.wsgi.application"

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
                "csp.context_processors.nonce",
                "audit.config.context_processors.service",
            ],
            # Panels a room shows on pages of rooms below it (audit/improvement/panels.py).
            "libraries": {"improvement": "audit.improvement.panels"},
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'var' / 'audit.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# PostgreSQL's JIT compiles a query whose estimated cost is high, taking tens of milliseconds
# to save less than one on queries that read a few rows through an index (the reports index's
# counts read 120 rows and spent 32 ms compiling): off for this application's sessions.
for _database in [DATABASES["default"]]:
    if "postgresql" in _database["ENGINE"]:
        _database.setdefault("OPTIONS", {})["options"] = "-c jit=off"
if os.environ.get("DATABASE_REPLICA_URL"):
    # Report pages read from the replica; see audit/config/db_routers.py.
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=60, conn_health_checks=True
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    if "postgresql" in DATABASES["replica"]["ENGINE"]:
        DATABASES["replica"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DATABASE_ROUTERS = ["audit.config.db_routers.ReportReplicaRouter"]

# "reports" keeps built roll-ups under keys of everything they are built from, so an entry is
# never stale (audit/reports/rollup_cache.py). In each process's memory, as objects (unpickling
# them cost more than the rest of a read: audit/config/caches.py); a national roll-up and its
# JSON take a few megabytes, so at most REPORTS_CACHE_ENTRIES are kept, least recently used
# going first.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "reports": {
        "BACKEND": "audit.config.caches.ObjectCache",
        "LOCATION": "reports",
        "TIMEOUT": None,
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("REPORTS_CACHE_ENTRIES", "200"))},
    },
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "audit.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
GOVUK_FRONTEND_DIR = BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"
# MoJ Frontend (the Ministry of Justice's components on GOV.UK Frontend 5): sortable tables.
MOJ_FRONTEND_DIR = BASE_DIR / "node_modules" / "@ministryofjustice" / "frontend" / "moj"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("govuk", GOVUK_FRONTEND_DIR),
    ("moj", MOJ_FRONTEND_DIR),
]
# GOV.UK Frontend's compiled CSS asks for its fonts and images at /assets/.
WHITENOISE_ROOT = GOVUK_FRONTEND_DIR
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

# Sessions end after 30 minutes of inactivity and with the browser.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", 30 * 60))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
# The timeout warning opens this long before the session ends (static/js/timeout-warning.mjs).
SESSION_TIMEOUT_WARNING = int(os.environ.get("SESSION_TIMEOUT_WARNING", 5 * 60))
# A review page saved after its session ended is kept this long for its user to sign in again
# and save it (audit/held_saves.py).
HELD_SAVE_MAX_AGE = int(os.environ.get("HELD_SAVE_MAX_AGE", 24 * 60 * 60))
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# The reverse proxies in front of the service (addresses or networks, comma-separated). Only a
# request from one of them may say, in X-Forwarded-For, which address it was made from; and
# gunicorn takes X-Forwarded-Proto from them alone (audit/config/gunicorn_conf.py). Unset, no header
# is trusted. See docs/operations.md.
TRUSTED_PROXIES = env_list("DJANGO_TRUSTED_PROXIES")

# Sign-in throttling: failures are counted per username and address together, so nobody can
# lock out anyone else (audit/accounts/sign_in.py).
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "audit.accounts.sign_in.client_address"
AXES_LOCKOUT_CALLABLE = "audit.accounts.sign_in.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

SIMPLE_HISTORY_HISTORY_ID_USE_UUID = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "structured": {"()": "audit.config.logging.JsonFormatter"},
    },
    "filters": {"redact_case_data": {"()": "audit.config.logging.RedactCaseData"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "structured",
            "filters": ["redact_case_data"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Request bodies and case data never go to the logs.
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        # runserver's access lines, redacted like gunicorn's.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # A line per task started and finished is noise; failures still show.
        "django_tasks": {"level": "WARNING"},
    },
}

SERVICE_NAME = "Case Supervision Audit"
# The address the service is reached at, for the links in notification emails.
SERVICE_URL = os.environ.get("SERVICE_URL", "http://127.0.0.1:8000")

# Notification emails (audit/notifications/; docs/operations.md, "Email"): printed to the
# console unless EMAIL_BACKEND says otherwise; production sends them by SMTP.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "case-supervision-audit@localhost")
EMAIL_SUBJECT_PREFIX = ""

# Email: the reminders of improvement actions (manage.py send_action_reminders).
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "no-reply@localhost")

# Background jobs (jobs/; docs/operations.md, "Background jobs"): Django's tasks API through the
# django-tasks backport. "database" (the default) keeps the queue in the service's own database,
# worked by `manage.py run_jobs`; "rq" puts it on Redis (REDIS_URL) for workers on any machine
# (`manage.py rqworker default`; needs the optional `redis` extra: pip install -e '.[redis]').
JOBS_BACKEND = os.environ.get("JOBS_BACKEND", "database")
if JOBS_BACKEND == "rq":
    INSTALLED_APPS += ["django_rq"]
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {
        "default": {
            "URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
            "DEFAULT_TIMEOUT": 3600,
        }
    }
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A running job whose progress has not moved for this long is taken for lost (its worker killed)
# and queued again, up to JOBS_MAX_ATTEMPTS runs in all, then marked failed.
JOBS_STALLED_AFTER = int(os.environ.get("JOBS_STALLED_AFTER", 10 * 60))  # seconds
JOBS_MAX_ATTEMPTS = int(os.environ.get("JOBS_MAX_ATTEMPTS", 2))
# How often a worker looks for such jobs while it runs (besides when it starts).
JOBS_RECOVER_EVERY = int(os.environ.get("JOBS_RECOVER_EVERY", 60))  # seconds
# Files jobs make for their owners (report PDFs, jobs/files.py): a private folder of the project
# (made 0700), and how long a file is kept.
JOBS_OUTPUT_DIR = os.environ.get("JOBS_OUTPUT_DIR", str(BASE_DIR / "var" / "job-files"))
JOBS_OUTPUT_MAX_AGE = int(os.environ.get("JOBS_OUTPUT_MAX_AGE", 24 * 60 * 60))  # seconds

# Uploaded spreadsheets (cases/spreadsheets.py): a file past any of these is refused before it is
# parsed. Documented in docs/formats.md, "Limits on uploaded files".
SPREADSHEET_MAX_ROWS = 250_001  # every row: the header and blank rows included
SPREADSHEET_MAX_COLUMNS = 100
XLSX_MAX_UNPACKED_BYTES = 256 * 1024 * 1024  # all the workbook's parts, unpacked
XLSX_MAX_PARTS = 1_000
XLSX_MAX_SHARED_STRINGS = 500_000
XLSX_MAX_SHARED_STRINGS_BYTES = 50 * 1024 * 1024
# Cells in the area a worksheet's cell references span (rows x columns): calamine builds it whole.
XLSX_MAX_CELLS = 6_000_000

# Called by the caseload writer (cases.case_writes.after_cases_updated) with the ids of the cases
# it updated, in its transaction: `cases` may not import `audit`, whose counts depend on them.
CASE_UPDATE_HOOKS = ["audit.counts.contribution.record_case_change"]

# Caseload files between preview and confirmation (cases/uploads.py): a private folder of the
# project (made 0700), and how long an unconfirmed file is kept before it is swept away.
CASELOAD_UPLOAD_DIR = os.environ.get("CASELOAD_UPLOAD_DIR", str(BASE_DIR / "var" / "uploads"))
CASELOAD_UPLOAD_MAX_AGE = int(os.environ.get("CASELOAD_UPLOAD_MAX_AGE", 60 * 60))  # seconds

# Case data of a published inspection is kept this long after publication, then may be purged
# with `manage.py purge_case_data` (audit/retention/services.py; docs/operations.md,
# "Retention and purge").
CASE_DATA_RETENTION_DAYS = int(os.environ.get("CASE_DATA_RETENTION_DAYS", 2 * 365))


def require_secret_key(key):
    if not key or len(key) < 50:
        raise ImproperlyConfigured(
            "Set DJANGO_SECRET_KEY to a random string of at least 50 characters."
        )
    return key
