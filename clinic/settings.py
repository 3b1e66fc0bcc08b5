"""Settings for the clinic, read from the environment.

With no variable set everything runs on one machine with nothing to install: a SQLite
file and a filesystem Celery broker under ``var/``. ``DATABASE_URL`` and
``CELERY_BROKER_URL`` (or ``REDIS_URL``) switch to PostgreSQL and Redis. Every
variable is listed in the README.
"""

from pathlib import Path

import dj_database_url
import phonenumbers
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

from clinic.env import (
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_range,
    env_str,
    env_time_window,
    refuse_retired,
    require_above,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("CLINIC_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG and not env_bool("CLINIC_ALLOW_INSECURE_KEY", False):
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment (production), or set "
            "DEBUG=1 or CLINIC_ALLOW_INSECURE_KEY=1 for local development and tests."
        )
    SECRET_KEY = "insecure-development-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "clinic.apps.ClinicAdminConfig",  # the Django admin with the clinic's home page
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "phonenumber_field",
    "clinic",
    "patients",
    "courses",
    "hours",
    # Bootstrap's CSS as local static files: patient pages load nothing from a CDN.
    "bootstrap",
    "messaging",
]

MIDDLEWARE = [
    # Answers the load balancer's /health/ before host checks, HTTPS redirects and
    # sessions: see clinic.health.
    "clinic.health.LivenessMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "clinic.session_renewal.SessionRenewalMiddleware",
    # The language of the page: the clinic's, or the one a member of staff chose.
    "clinic.language.StaffLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "clinic.urls"
WSGI_APPLICATION = "clinic.wsgi.application"
ASGI_APPLICATION = "clinic.asgi.application"

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
                "clinic.context_processors.clinic",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        # An empty DATABASE_URL means "not set", as it does for the broker.
        env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'clinic.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0, minimum=0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share one SQLite file: wait for the writer instead of
    # failing with "database is locked", and let readers run beside it.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL;",
        }
    )
    # A file, not memory, so that a Celery worker started by a test sees the test data.
    DATABASES["default"].setdefault("TEST", {})["NAME"] = str(VAR_DIR / "test_clinic.sqlite3")
    # SQLite creates its file but not the folder it goes in (absent in a fresh clone).
    for _sqlite_file in (DATABASES["default"]["NAME"], DATABASES["default"]["TEST"]["NAME"]):
        Path(_sqlite_file).parent.mkdir(parents=True, exist_ok=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL compiles a query it costs high (JIT) before running it: for the admin's
    # lists over a chain's tables that took 40-570 ms where the query itself ran in 10-100.
    # The pages run short queries, where compiling never pays for itself.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    # A password like the user's own names ("Anna Kowalska", "kowalska anna") is refused.
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ["username", "first_name", "last_name", "email"]},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Language and time ----------------------------------------------------------------
# The clinic's language is what staff see, unless a member of staff chose another for
# themselves (clinic.language); each patient reads their own (Patient.language). Django's
# LocaleMiddleware is left out on purpose: it would pick the language, and with it the
# date input formats, from each browser's Accept-Language, and a browser set to US
# English ("en-US" falls back to Django's "en") would read 03/04/1964 as 4 March. Plain
# "en" is US formats too; no *_INPUT_FORMATS setting here overrides the locale's.
# The languages the product speaks, each named in itself so that anyone finds their
# own. "en-gb" rather than "en": Django's "en" writes and reads dates the US way.
LANGUAGES = [("en-gb", "English"), ("ru", "Русский")]
# Refused at start unless one of LANGUAGES: another code would show staff a language
# the clinic has no catalogue for, or (plain "en") dates the US way.
LANGUAGE_CODE = env_choice(
    "LANGUAGE_CODE",
    "en-gb",
    [code for code, _name in LANGUAGES],
    example=" or ".join(code for code, _name in LANGUAGES),
)
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
if not DEBUG:
    # The app serves its own static files (whitenoise, from the ``production`` extra):
    # gzip and Brotli copies and hashed names made by collectstatic, so a browser keeps
    # each file for a year and a new release changes its name. In DEBUG, runserver
    # serves them from the apps as they are.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
        "whitenoise.middleware.WhiteNoiseMiddleware",
    )
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {
            "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
        },
    }

LOGIN_URL = "admin:login"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Celery ---------------------------------------------------------------------------
# The filesystem transport needs no server, so web, worker and beat really run on a
# fresh machine. Redis is the production broker.
# The host part means nothing to the filesystem transport; naming one keeps kombu from
# warning about its absence at every start.
CELERY_BROKER_URL = (
    env_str("CELERY_BROKER_URL") or env_str("REDIS_URL") or "filesystem://localhost//"
)
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "control_folder": str(_broker_dir / "control"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Checked below, once the tasks' time limits are known.
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=1),
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict = {}
# The dispatch has a queue of its own, so that it never waits behind a long line of sends
# (it is what reclaims messages left behind by a dead worker). A worker started without
# -Q takes from both queues, in turn.
CELERY_TASK_QUEUES = [Queue("celery"), Queue("dispatch")]
CELERY_TASK_ROUTES = {"messaging.tasks.dispatch_due_messages_task": {"queue": "dispatch"}}

# --- E-mail ---------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30, minimum=1)
# The wait for the reply to the end of a message's content: 10 minutes (RFC 5321,
# 4.5.3.2.6). Only the clinic's subclass of Django's SMTP backend knows it, so that
# backend takes Django's place.
EMAIL_DATA_TIMEOUT = env_int("EMAIL_DATA_TIMEOUT", 600, minimum=1)
if EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend":
    EMAIL_BACKEND = "messaging.smtp.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "clinic@localhost")

# --- The clinic -----------------------------------------------------------------------
CLINIC_NAME = env_str("CLINIC_NAME", "Back in Balance Massage Clinic")
CLINIC_ADDRESS = env_str("CLINIC_ADDRESS", "12 Harbour Street, Anytown")
# Planned sessions a course of each kind may have (docs/clinic-rules.md, "Courses": 10-15 and 5-7).
CLINIC_THERAPEUTIC_SESSIONS = env_range("CLINIC_THERAPEUTIC_SESSIONS", (10, 15))
CLINIC_PREVENTIVE_SESSIONS = env_range("CLINIC_PREVENTIVE_SESSIONS", (5, 7))
# Honey massage needs a break of this many days between sessions.
CLINIC_HONEY_MIN_DAYS_BETWEEN = env_int("CLINIC_HONEY_MIN_DAYS_BETWEEN", 3, minimum=0)
# How long a session occupies the therapist's diary unless its course says otherwise:
# the massage itself, undressing and the patient's rest after it.
CLINIC_SESSION_MINUTES = env_int("CLINIC_SESSION_MINUTES", 60, minimum=10, maximum=240)
# Phone numbers typed without a +country code are read as this country's (GB: 020 7946
# 0018); every number is stored in E.164 (+442079460018) so one number has one spelling.
PHONENUMBER_DEFAULT_REGION = env_choice(
    "CLINIC_PHONE_REGION",
    "GB",
    phonenumbers.SUPPORTED_REGIONS,
    example="a two-letter country code in capitals, such as GB, IE or US",
)
PHONENUMBER_DB_FORMAT = "E164"
# Repeat courses a year after a course ends: 2 by default, 3 for some lumbar cases.
CLINIC_REPEAT_COURSES_PER_YEAR = env_int(
    "CLINIC_REPEAT_COURSES_PER_YEAR", 2, minimum=1, maximum=12
)

# --- Messages to patients and staff (messaging) ----------------------------------------
# Public address of the site, for the links in e-mails (patients have no other way in).
CLINIC_SITE_URL = env_str("CLINIC_SITE_URL", "http://localhost:8000").rstrip("/")
# Unanswered repeat-course reminders sent after a course before we stop asking.
CLINIC_MAX_REPEAT_REMINDERS = env_int("CLINIC_MAX_REPEAT_REMINDERS", 4, minimum=0, maximum=24)
# Days after a course ends that the end-of-course follow-up goes out.
CLINIC_FOLLOW_UP_DAYS = env_int("CLINIC_FOLLOW_UP_DAYS", 14, minimum=1, maximum=365)
# Days a link in a message (pain feedback) stays valid.
CLINIC_LINK_MAX_AGE_DAYS = env_int("CLINIC_LINK_MAX_AGE_DAYS", 14, minimum=1, maximum=365)
# Answers one feedback link takes in a window of so many minutes; more get a
# "try again later" page. Counted in the database, so shared by every web machine.
CLINIC_ANSWER_ATTEMPTS = env_int("CLINIC_ANSWER_ATTEMPTS", 10, minimum=1)
CLINIC_ANSWER_WINDOW_MINUTES = env_int("CLINIC_ANSWER_WINDOW_MINUTES", 60, minimum=1)
# Clinic-local hours in which messages may go out; what falls due outside waits.
CLINIC_SENDING_HOURS = env_time_window("CLINIC_SENDING_HOURS", "09:00-20:00")
# A reported pain this many points above the pain before the visit alerts the therapist.
CLINIC_PAIN_ALERT_RISE = env_int("CLINIC_PAIN_ALERT_RISE", 2, minimum=1, maximum=10)
# Messages one dispatch claims; the rest wait for the next dispatch.
CLINIC_DISPATCH_BATCH_SIZE = env_int("CLINIC_DISPATCH_BATCH_SIZE", 500, minimum=1)
# The bearer token /status/ asks for (clinic.health); unset, /status/ answers 404.
CLINIC_STATUS_TOKEN = env_str("CLINIC_STATUS_TOKEN")
CLINIC_DISPATCH_INTERVAL_SECONDS = env_int("CLINIC_DISPATCH_INTERVAL_SECONDS", 120, minimum=5)
# A claimed message not marked sent within this time is claimed again (a worker died).
# Longer than one attempt (checked below), so a live sender is not overtaken.
CLINIC_MESSAGE_LEASE_SECONDS = env_int("CLINIC_MESSAGE_LEASE_SECONDS", 900, minimum=1)
# First retry wait in seconds after a transient error, doubled at each retry up to the
# longest wait (5 minutes), for as long as the message matters: a visit reminder until
# its visit, the others for so many hours after they fell due.
CLINIC_MESSAGE_RETRY_BACKOFF = env_int("CLINIC_MESSAGE_RETRY_BACKOFF", 60, minimum=1)
CLINIC_MESSAGE_RETRY_BACKOFF_MAX = env_int("CLINIC_MESSAGE_RETRY_BACKOFF_MAX", 300, minimum=1)
CLINIC_MESSAGE_RETRY_HOURS = {
    kind: env_int(f"CLINIC_MESSAGE_RETRY_HOURS_{kind.upper()}", hours, minimum=1)
    for kind, hours in [
        ("repeat_course_reminder", 72),
        ("post_visit_check_in", 24),
        ("end_of_course_follow_up", 72),
        ("staff_alert", 24),
    ]
}
# Retries were once counted; a count cannot say how long an outage they outlast.
refuse_retired(
    "CLINIC_MESSAGE_MAX_RETRIES",
    instead="a message is retried for as long as it matters, set per kind by "
    "CLINIC_MESSAGE_RETRY_HOURS_REPEAT_COURSE_REMINDER, "
    "CLINIC_MESSAGE_RETRY_HOURS_END_OF_COURSE_FOLLOW_UP, "
    "CLINIC_MESSAGE_RETRY_HOURS_POST_VISIT_CHECK_IN and "
    "CLINIC_MESSAGE_RETRY_HOURS_STAFF_ALERT (a visit reminder until its visit).",
)
# Once the mail server accepted a message, how long marking it sent is tried again while
# the database is unreachable (a restart): what is not marked goes out twice.
CLINIC_MESSAGE_MARK_RETRY_SECONDS = env_int("CLINIC_MESSAGE_MARK_RETRY_SECONDS", 60, minimum=0)
# The send task's time limits bound one attempt: each SMTP command's wait is
# EMAIL_TIMEOUT at most, and the hard limit ends an attempt whose server answers every
# command just in time; then the wait for the reply to the end of DATA, then the time
# for the mark. Derived, so that a longer wait cannot be cut short by a fixed limit.
_attempt_waits = EMAIL_DATA_TIMEOUT + CLINIC_MESSAGE_MARK_RETRY_SECONDS
CLINIC_SEND_SOFT_TIME_LIMIT = EMAIL_TIMEOUT * 5 // 2 + _attempt_waits
CLINIC_SEND_TIME_LIMIT = EMAIL_TIMEOUT * 3 + _attempt_waits
# A shorter lease lets a dispatch claim a message again while its sender is still on it,
# and the message goes out twice. A retry gives its claim back, so one attempt is all a
# lease covers.
require_above(
    "CLINIC_MESSAGE_LEASE_SECONDS",
    CLINIC_MESSAGE_LEASE_SECONDS,
    CLINIC_SEND_TIME_LIMIT,
    why="one send attempt's time limit, from EMAIL_TIMEOUT, EMAIL_DATA_TIMEOUT and "
    "CLINIC_MESSAGE_MARK_RETRY_SECONDS",
)
CELERY_BEAT_SCHEDULE["dispatch-due-messages"] = {
    "task": "messaging.tasks.dispatch_due_messages_task",
    "schedule": CLINIC_DISPATCH_INTERVAL_SECONDS,
    # A dispatch that waited longer than an interval is replaced by the next one.
    "options": {"expires": CLINIC_DISPATCH_INTERVAL_SECONDS},
}

if "visibility_timeout" in CELERY_BROKER_TRANSPORT_OPTIONS:
    # Redis hands a task that is not acknowledged within this time to a second worker:
    # a shorter timeout runs a task twice at once.
    require_above(
        "CELERY_VISIBILITY_TIMEOUT",
        CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"],
        max(CELERY_TASK_TIME_LIMIT, CLINIC_SEND_TIME_LIMIT),
        why="the tasks' time limits",
    )

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"feed_tokens": {"()": "clinic.log_filters.HideCalendarFeedTokens"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # "Not Found: <path>" for a revoked calendar feed address.
    "loggers": {"django.request": {"filters": ["feed_tokens"]}},
}

# --- Course summaries and exports -----------------------------------------------------
# A clinically important improvement on the 0-10 pain scale needs a drop of at least
# this many points AND at least this percentage of the pain at the start (Farrar et al.,
# Pain 2001, give 2 points or 30%; the clinic asks for both by default).
CLINIC_IMPORTANT_IMPROVEMENT_POINTS = env_int(
    "CLINIC_IMPORTANT_IMPROVEMENT_POINTS", 2, minimum=1, maximum=10
)
CLINIC_IMPORTANT_IMPROVEMENT_PERCENT = env_int(
    "CLINIC_IMPORTANT_IMPROVEMENT_PERCENT", 30, minimum=1, maximum=100
)
# A TrueType font with Cyrillic and Arabic glyphs for the PDFs; empty means the DejaVu
# Sans that the matplotlib package ships (ReportLab's built-in fonts are Latin only).
CLINIC_PDF_FONT = env_str("CLINIC_PDF_FONT")
# --- Security: roles, audit trail, login protection, hardening -----------------------
# Kept in one block so the rest of the settings read as before. Off-by-default HTTPS
# settings would be a trap in production, so they default on whenever the process runs
# for real (DEBUG off and no CLINIC_ALLOW_INSECURE_KEY); tests and `scripts/run` stay on
# plain HTTP.
from datetime import timedelta  # noqa: E402

from csp.constants import NONCE, NONE, SELF  # noqa: E402

_PRODUCTION = not DEBUG and not env_bool("CLINIC_ALLOW_INSECURE_KEY", False)

INSTALLED_APPS += ["simple_history", "axes", "csp"]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "csp.middleware.CSPMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "simple_history.middleware.HistoryRequestMiddleware",
)
# Axes wants to be last so that it sees the response of the login view.
MIDDLEWARE.append("axes.middleware.AxesMiddleware")
TEMPLATES[0]["OPTIONS"]["context_processors"].append("csp.context_processors.nonce")

AUTHENTICATION_BACKENDS = [
    "clinic.auth.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "clinic.auth.LockoutHandler"
# Failures are counted three ways, each with its limit (clinic.auth.LockoutHandler):
# per user name and address (a mistyped password), per address across user names (one
# password tried on many staff) and per user name across addresses (one user name
# guessed from many machines).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address", "username"]
AXES_FAILURE_LIMIT = env_int("CLINIC_LOGIN_FAILURE_LIMIT", 5, minimum=1)
CLINIC_LOGIN_FAILURE_LIMITS = {
    "ip_address": env_int("CLINIC_LOGIN_FAILURES_PER_ADDRESS", 10, minimum=1),
    "username": env_int("CLINIC_LOGIN_FAILURES_PER_USER", 10, minimum=1),
}
# At an address a user name signed in from within these days, only its own failures
# there count against it (clinic.auth.LockoutHandler).
CLINIC_LOGIN_KNOWN_ADDRESS_DAYS = env_int("CLINIC_LOGIN_KNOWN_ADDRESS_DAYS", 90, minimum=0)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("CLINIC_LOGIN_LOCKOUT_MINUTES", 30, minimum=1))
# Failures during a lockout do not prolong it: it ends on time however long an attacker
# goes on, and the real user can sign in again.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
# Reverse proxies in front of Django: the client's address is read from X-Forwarded-For
# that many hops from the right (clinic.auth.client_ip_address).
# Therapists read the clinical record of the patients in their care only (a course of
# theirs or a session booked with them); on, they read every patient's.
CLINIC_THERAPISTS_SEE_ALL_PATIENTS = env_bool("CLINIC_THERAPISTS_SEE_ALL_PATIENTS", False)

CLINIC_PROXY_COUNT = env_int("CLINIC_PROXY_COUNT", 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "clinic.auth.client_ip_address"
if CLINIC_PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Staff sessions end after this many seconds without a request.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 30 * 60, minimum=60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _PRODUCTION)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", _PRODUCTION)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", _PRODUCTION)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if _PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", _PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", _PRODUCTION)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Scripts, styles, fonts and images only from our own origin. Patient pages that need an
# inline script use the per-request nonce: <script nonce="{{ request.csp_nonce }}">.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
# History is for reading. Reverting would write an old version past the services' rules
# (and past reception's read-only clinical fields).
SIMPLE_HISTORY_REVERT_DISABLED = True
AXES_VERBOSE = False
# Axes logs every successful login at INFO; lockouts and failures stay visible.
LOGGING.setdefault("loggers", {})["axes"] = {"level": env_str("AXES_LOG_LEVEL", "WARNING")}
