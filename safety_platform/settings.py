"""One env-driven settings file. Every variable is documented in `.env.example`.

With no variable set the platform runs on embedded defaults: a SQLite file, a local-memory
cache and Celery on kombu's filesystem transport, so `make run` needs no server at all.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from safety_platform.lib.env import envbool, envcount, envint, envlist, envstr

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(envstr("VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)  # SQLite file, filesystem broker, media: all under var/

DEBUG = envbool("DEBUG", False)
# Production (DEBUG off) has no built-in key: sessions, password-reset links and signed values would otherwise be
# forged with a key anyone can read here. Without SECRET_KEY the setting stays empty, as in Django itself: the
# processes that serve (wsgi.py, the Celery worker and beat) refuse to start, saying what to do
# (safety_platform/lib/env.py: require_secret_key), and `check --deploy` reports it, while commands that need no
# key (makemigrations, makemessages, collectstatic) run bare. Development (DEBUG=1: `make run`) and the tests
# (tests/settings.py) fall back to a key that `check --deploy` flags.
SECRET_KEY = envstr("SECRET_KEY") or ("django-insecure-dev-only-key-change-me-in-production" if DEBUG else "")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
SITE_URL = envstr("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "captcha",
    "audit",
    "ops",
    "workdays",
    "organizations",
    "hazards",
    "notifications",
    "inspections",
    "duty_roster",
    "early_warnings",
    "emergency",
    "risks",
    "accidents",
    "oversight",
    "tipoffs",
    "dashboards",
    "work",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "safety_platform.lib.clientip.ClientAddressMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "safety_platform.lib.shedding.AdmissionMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "safety_platform.lib.replica.ReplicaPinMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "safety_platform.lib.images.UploadBudgetMiddleware",
]

ROOT_URLCONF = "safety_platform.urls"
WSGI_APPLICATION = "safety_platform.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "safety_platform.navigation.navigation",
            ],
        },
    },
]

# Database: PostgreSQL from DATABASE_URL; otherwise an embedded SQLite file for zero set-up.
SQLITE_PATH = VAR_DIR / "db.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL", f"sqlite:///{SQLITE_PATH}"), conn_max_age=envint("DB_CONN_MAX_AGE", 60)
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the worker write at once: WAL and IMMEDIATE transactions avoid "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Dashboards group a million hazards: PostgreSQL's 4 MB default work_mem spills those sorts to disk, and
    # JIT compilation costs more than it saves on queries of this size (measured in docs/benchmarks.md).
    # Added to any `options` of DATABASE_URL; set PG_OPTIONS empty behind PgBouncer in transaction mode, which
    # refuses startup options (then set work_mem and jit on the database: ALTER DATABASE … SET …).
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _extra = envstr("PG_OPTIONS", "-c work_mem=64MB -c jit=off")
    if _extra:
        _options["options"] = f"{_options.get('options', '')} {_extra}".strip()
# A PostgreSQL streaming replica for the reads that may be a few seconds old (docs/replica.md): dashboards, lists,
# the ledger export. Without DATABASE_REPLICA_URL there is no "replica" alias and every read goes to the primary.
DATABASE_REPLICA_URL = envstr("DATABASE_REPLICA_URL")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=envint("DB_CONN_MAX_AGE", 60))
    _replica_options = DATABASES["replica"].setdefault("OPTIONS", {})
    _replica_options.setdefault("connect_timeout", envint("REPLICA_CONNECT_TIMEOUT", 2))  # down: the primary, soon
    _pg_options = envstr("PG_OPTIONS", "-c work_mem=64MB -c jit=off")  # the same session settings as the primary
    if _pg_options:
        _replica_options["options"] = f"{_replica_options.get('options', '')} {_pg_options}".strip()
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # the test suite reads the test database through it
DATABASE_ROUTERS = ["safety_platform.lib.replica.ReplicaRouter"]
# After a write its user reads from the primary for this many seconds (longer than the lag tolerated); reads go to
# the primary while the replica is more than REPLICA_MAX_LAG seconds behind, asked every REPLICA_CHECK_SECONDS.
REPLICA_PIN_SECONDS = envint("REPLICA_PIN_SECONDS", 15)
REPLICA_MAX_LAG = float(envstr("REPLICA_MAX_LAG", "5"))
REPLICA_CHECK_SECONDS = float(envstr("REPLICA_CHECK_SECONDS", "3"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = envstr("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Keeps two platforms (two cities, or a test's processes and another's) apart in one Redis: keys, throttles,
# the dashboard's figures and the replica pin are all prefixed with it.
CACHES["default"]["KEY_PREFIX"] = envstr("CACHE_KEY_PREFIX", "")

AUTH_USER_MODEL = "organizations.User"
AUTHENTICATION_BACKENDS = [
    "organizations.login_limit.AddressLimitBackend",
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): a username is locked from one address after repeated failures.
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "organizations.views.lockout"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "safety_platform.lib.clientip.client_ip"
# Failed logins from one client address, whatever the usernames, before logins from it are refused for the rest
# of the window (organizations/login_limit.py; counted in the cache: Redis in production).
LOGIN_ADDRESS_LIMIT = envint("LOGIN_ADDRESS_LIMIT", 40)
LOGIN_ADDRESS_MINUTES = envint("LOGIN_ADDRESS_MINUTES", 60)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(envstr("STATIC_ROOT", str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(envstr("MEDIA_ROOT", str(VAR_DIR / "media")))
# Without collectstatic (make run, tests) whitenoise serves straight from the finders.
WHITENOISE_USE_FINDERS = envbool("WHITENOISE_USE_FINDERS", True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": envstr("STATICFILES_STORAGE", "django.contrib.staticfiles.storage.StaticFilesStorage")},
}

# Security. Production sets SECURE=1 behind HTTPS; see README "Configuration".
SECURE = envbool("SECURE", False)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE and envbool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000) if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE and envbool("SECURE_HSTS_PRELOAD", False)
# How many reverse proxies of ours stand in front (0: none, clients connect directly). It decides the client
# address (safety_platform/lib/clientip.py) and whether X-Forwarded-Proto is believed. "1"/"true" mean one.
BEHIND_PROXY = envcount("BEHIND_PROXY", 0)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 8 * 3600)
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "safety_platform.lib.errorpages.csrf_failure"  # the 403 page, saying what to do
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# Content-Security-Policy: the platform's own origin only; no inline script, no CDN.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so that a bad token answers 401 with WWW-Authenticate rather than 403.
        "rest_framework.authentication.TokenAuthentication",
        "safety_platform.lib.auth.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["safety_platform.lib.filtering.FilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "safety_platform.lib.pagination.CursorPagination",
    "DEFAULT_SCHEMA_CLASS": "safety_platform.lib.schema.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "safety_platform.lib.parsers.JSONParser",  # an object, never a 500 on deep nesting
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "safety_platform.lib.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"token": envstr("TOKEN_THROTTLE_RATE", "20/min")},
    # Our throttles ask safety_platform.lib.clientip; this keeps DRF's own get_ident() in step with it.
    "NUM_PROXIES": BEHIND_PROXY,
    "PAGE_SIZE": 50,
}
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append("rest_framework.renderers.BrowsableAPIRenderer")

SPECTACULAR_SETTINGS = {
    "TITLE": "City work-safety platform API",
    "DESCRIPTION": "Hazards, inspections, escalation, duty and the city's organisation. See API.md.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Ids in API paths (`<id:pk>`, see safety_platform/lib/api.py) are integers within a bigint.
    "PATH_CONVERTER_OVERRIDES": {"id": {"type": "integer", "minimum": 0, "maximum": 8_999_999_999_999_999_999}},
    "ENUM_NAME_OVERRIDES": {
        "HazardLevelEnum": "hazards.choices.Level",
        "RegionLevelEnum": "organizations.choices.RegionLevel",
        "HazardStatusEnum": "hazards.choices.Status",
        "InspectionStatusEnum": "inspections.choices.InspectionStatus",
        "InspectionKindEnum": "inspections.choices.InspectionKind",
        "PhotoKindEnum": "hazards.choices.PhotoKind",
        "DeliveryStateEnum": "notifications.choices.DeliveryState",
        "AnswerResultEnum": "inspections.choices.Result",
        "AccidentGradeEnum": "duty_roster.choices.Grade",
        "IncidentKindEnum": "duty_roster.choices.IncidentKind",
        "IncidentStepKindEnum": "duty_roster.models.IncidentStep.Kind",
        "IncidentFlagKindEnum": "duty_roster.models.IncidentFlag.Kind",
        "IncidentRelayLevelEnum": "duty_roster.models.IncidentRelay.Level",
        "OperatingStateEnum": "organizations.choices.OperatingState",
        "RescueTeamKindEnum": "emergency.rescue_choices.TeamKind",
        "ReadinessLevelEnum": "emergency.rescue_choices.Readiness",
        "RaisedReadinessLevelEnum": "emergency.rescue_choices.RAISED_LEVELS",
        # the hazard's source keeps the name it had before roll calls had a "called from" of their own
        "SourceEnum": "hazards.choices.Source",
        "RollCallSourceEnum": "duty_roster.models.RollCallTarget.Source",
        "WarningKindEnum": "early_warnings.choices.WarningKind",
        "WarningLevelEnum": "early_warnings.choices.WarningLevel",
        "WarningStatusEnum": "early_warnings.choices.WarningStatus",
        "WarningChangeEnum": "early_warnings.choices.WarningChange",
        # --- risk themes ---
        "RiskThemeKindEnum": "risks.choices.ThemeKind",
        "RiskThemeStatusEnum": "risks.choices.ThemeStatus",
        # --- risks: points ---
        "RiskColourEnum": "risks.choices.Colour",
        "RiskReevaluationReasonEnum": "risks.choices.ReevaluationReason",
        "RiskPointKindEnum": "risks.choices.PointKind",
        "RiskControlKindEnum": "risks.choices.ControlKind",
        "RiskMatrixValueEnum": [(v, v) for v in range(1, 6)],
        # --- accidents ---
        "AccidentTypeEnum": "risks.choices.AccidentType",
        "AccidentKindEnum": "accidents.choices.AccidentKind",
        "AccidentInvestigationEnum": "accidents.choices.Investigation",
        "AccidentDirectCauseEnum": "accidents.choices.DirectCause",
        "AccidentIndirectCauseEnum": "accidents.choices.IndirectCause",
        "LessonTaskStateEnum": "accidents.choices.TaskState",
        # --- oversight: enforcement ---
        "EnforcementActionKindEnum": "oversight.choices.ActionKind",
        "EnforcementActionStateEnum": "oversight.choices.ActionState",
        # --- oversight: illegal operations ---
        "IllegalKindEnum": "oversight.choices.IllegalKind",
        "IllegalSourceEnum": "oversight.choices.IllegalSource",
        "IllegalActionEnum": "oversight.choices.IllegalAction",
        "IllegalResultEnum": "oversight.choices.IllegalResult",
        # --- tip-offs: handling ---
        "TipOffKindEnum": "tipoffs.choices.Kind",
        "TipOffChannelEnum": "tipoffs.choices.Channel",
        "TipOffStaffChannelEnum": [(c, c) for c in ("phone", "letter", "visit", "email", "referred")],
        "TipOffStateEnum": "tipoffs.choices.State",
        "TipOffOutcomeEnum": "tipoffs.choices.Outcome",
        # --- tip-offs: rewards ---
        "TipOffRewardBasisEnum": "tipoffs.choices.RewardBasis",
        "TipOffRewardStateEnum": "tipoffs.choices.RewardState",
    },
}

# Celery: Redis when REDIS_URL is set; otherwise kombu's filesystem transport (no server needed).
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
if not REDIS_URL:
    _queue_dir = str(VAR_DIR / "celery" / "queue")
    for _folder in ("queue", "processed", "control"):
        (VAR_DIR / "celery" / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": _queue_dir,
        "data_folder_out": _queue_dir,
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "store_processed": False,
        "control_folder": str(VAR_DIR / "celery" / "control"),
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", 3600)}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
HEARTBEAT_INTERVAL = envint("HEARTBEAT_INTERVAL", 60)
# The escalation sweep and its self-check run every ESCALATION_SWEEP_INTERVAL seconds.
ESCALATION_SWEEP_INTERVAL = envint("ESCALATION_SWEEP_INTERVAL", 60)
CELERY_TASK_ROUTES = {"notifications.tasks.sweep": {"queue": "escalation"}}
CELERY_TASK_DEFAULT_QUEUE = "celery"
# Seconds between merges of the dashboard tally's appended rows (docs/dashboards.md).
TALLY_COMPACT_INTERVAL = envint("TALLY_COMPACT_INTERVAL", 300)
CELERY_BEAT_SCHEDULE = {
    "escalation-sweep": {
        "task": "notifications.tasks.sweep",
        "schedule": ESCALATION_SWEEP_INTERVAL,
        "options": {"expires": max(ESCALATION_SWEEP_INTERVAL - 5, 1)},
    },
    "duty-missed-check-ins": {
        "task": "duty_roster.tasks.missed_check_ins",
        "schedule": 60,
        "options": {"expires": 55},
    },
    "escalation-self-check": {
        "task": "notifications.tasks.self_check",
        "schedule": ESCALATION_SWEEP_INTERVAL,
        "options": {"expires": max(ESCALATION_SWEEP_INTERVAL - 5, 1)},
    },
    # Monday 08:00 Asia/Shanghai: last week's figures to department heads and territorial leaders.
    "weekly-summaries": {
        "task": "dashboards.tasks.weekly_summaries",
        "schedule": crontab(minute=0, hour=8, day_of_week=1),
        "options": {"expires": 6 * 3600},
    },
    # The dashboard tally's triggers append rows; merging them keeps the dashboard's reads short.
    "compact-tally": {
        "task": "dashboards.tasks.compact_tally",
        "schedule": TALLY_COMPACT_INTERVAL,
        "options": {"expires": max(TALLY_COMPACT_INTERVAL - 10, 1)},
    },
    # The day's risk check tasks and the missed ones (risks/checks.py): once a day, from the first run after midnight.
    "risk-checks": {
        "task": "risks.tasks.daily_checks",
        "schedule": envint("RISK_CHECK_RUN_INTERVAL", 600),
        "options": {"expires": max(envint("RISK_CHECK_RUN_INTERVAL", 600) - 10, 1)},
    },
    "purge-exports": {
        "task": "dashboards.tasks.purge_exports",
        "schedule": crontab(minute=30, hour=3),
        "options": {"expires": 3600},
    },
    # --- oversight board (#19): the day's signal counts for the board's trend, 02:30 Asia/Shanghai ---
    "oversight-signal-counts": {
        "task": "oversight.tasks.count_signals",
        "schedule": crontab(minute=30, hour=2),
        "options": {"expires": 6 * 3600},
    },
    # --- oversight enforcement (#19): Art. 113 proposals due since a major hazard opened after the penalties ---
    "oversight-article-113": {
        "task": "oversight.tasks.sweep_article_113",
        "schedule": crontab(minute=40, hour=2),
        "options": {"expires": 6 * 3600},
    },
    # `expires` just under the interval: a late run is dropped, not piled up.
    "heartbeat": {
        "task": "ops.tasks.heartbeat",
        "schedule": HEARTBEAT_INTERVAL,
        "options": {"expires": max(HEARTBEAT_INTERVAL - 1, 1)},
    },
}

EMAIL_BACKEND = envstr("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = envstr("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = envstr("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "安全生产平台 <noreply@localhost>")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# Domain settings.
# A hazard whose enterprise's industry no department supervises goes to the region's default department
# (flagged on the Department); this is the name shown when not even that exists.
UNSUPERVISED_LABEL = _("No supervising department")
# A hazard like one closed at the same enterprise, category and place within this many days is a recurrence.
HAZARD_RECURRENCE_DAYS = envint("HAZARD_RECURRENCE_DAYS", 180)
# Listed supervision (挂牌督办) of a major hazard (local practice, docs/hazards.md): listed within this many working
# days of its confirmation, the rectification order published within this many, the listing's deadline at most this
# many days after the listing; an extension asked at least this many working days before the listing's deadline and
# decided within this many; a supervising leader with no recorded action for this many days is reminded.
LISTING_FILE_WORKING_DAYS = envint("LISTING_FILE_WORKING_DAYS", 3)
LISTING_ORDER_WORKING_DAYS = envint("LISTING_ORDER_WORKING_DAYS", 5)
LISTING_MAX_DAYS = envint("LISTING_MAX_DAYS", 365)
EXTENSION_ASK_WORKING_DAYS = envint("EXTENSION_ASK_WORKING_DAYS", 20)
EXTENSION_DECIDE_WORKING_DAYS = envint("EXTENSION_DECIDE_WORKING_DAYS", 10)
LEADER_IDLE_DAYS = envint("LEADER_IDLE_DAYS", 30)
# Closing a major hazard schedules its department's look-back (回头看) this many calendar months later.
LOOKBACK_MONTHS = envint("LOOKBACK_MONTHS", 3)
# A ledger export of more rows than this runs as a Celery task with a progress bar instead of streaming at once.
EXPORT_SYNC_LIMIT = envint("EXPORT_SYNC_LIMIT", 5000)
# Finished export files are deleted after this many days.
EXPORT_KEEP_DAYS = envint("EXPORT_KEEP_DAYS", 7)
# The dashboard's figures are kept this many seconds per scope in the cache (0: computed on every request).
DASHBOARD_CACHE_SECONDS = envint("DASHBOARD_CACHE_SECONDS", 60)
# Admission control (safety_platform/lib/shedding.py, docs/load.md): at most ADMIT_CONCURRENT requests in Django at
# once per process, a request waiting at most ADMIT_WAIT_MS for a place, else 503 with Retry-After. 0: off (the
# default here, for `make run` and the tests; the Docker image sets 2).
ADMIT_CONCURRENT = envint("ADMIT_CONCURRENT", 0)
ADMIT_WAIT_MS = envint("ADMIT_WAIT_MS", 1000)
# Bounds of the dates and times people enter (safety_platform/lib/bounds.py): a deadline at most this many days
# ahead; a time that has happened (found, occurred, known) not before EARLIEST_DATE nor more than CLOCK_SKEW_MINUTES
# in the future; a planned day (shifts, holiday plans, campaigns, inspections) between the two.
DEADLINE_HORIZON_DAYS = envint("DEADLINE_HORIZON_DAYS", 3 * 365)
EARLIEST_DATE = date.fromisoformat(envstr("EARLIEST_DATE", "2000-01-01"))
CLOCK_SKEW_MINUTES = envint("CLOCK_SKEW_MINUTES", 5)
# Uploads: photos and evaluation documents. The type is read from the content, never from the name.
UPLOAD_MAX_BYTES = envint("UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
UPLOAD_MAX_PIXELS = envint("UPLOAD_MAX_PIXELS", 40_000_000)
# What all the photos of one request may add up to (a PNG counts twice or four times, a WebP four times).
UPLOAD_REQUEST_MAX_PIXELS = envint("UPLOAD_REQUEST_MAX_PIXELS", 120_000_000)
# Escalation and must-answer notices (叫应).
ESCALATION_BATCH_SIZE = envint("ESCALATION_BATCH_SIZE", 500)
ANSWER_LIMIT_MAJOR_MINUTES = envint("ANSWER_LIMIT_MAJOR_MINUTES", 30)
ANSWER_LIMIT_MINUTES = envint("ANSWER_LIMIT_MINUTES", 24 * 60)
# Government-side delays (docs/escalation.md): a hazard left `reported` this many working days goes to the
# supervising department's head; one left `awaiting_acceptance` this many calendar days (falling due on the next
# working day when that day is off) likewise; the territorial leader is told GOVERNMENT_DELAY_LEADER_WORKING_DAYS
# working days after the head.
REPORTED_CONFIRM_WORKING_DAYS = envint("REPORTED_CONFIRM_WORKING_DAYS", 3)
ACCEPTANCE_DAYS = envint("ACCEPTANCE_DAYS", 10)
GOVERNMENT_DELAY_LEADER_WORKING_DAYS = envint("GOVERNMENT_DELAY_LEADER_WORKING_DAYS", 2)
NOTIFY_WEBHOOK_URL = envstr("NOTIFY_WEBHOOK_URL")  # SMS / WeCom / DingTalk gateway; empty: no webhook channel
NOTIFY_WEBHOOK_SECRET = envstr("NOTIFY_WEBHOOK_SECRET")
NOTIFY_WEBHOOK_TIMEOUT = envint("NOTIFY_WEBHOOK_TIMEOUT", 10)
DELIVERY_MAX_ATTEMPTS = envint("DELIVERY_MAX_ATTEMPTS", 6)
# Checking the checkers: a self-check that found nothing is hollow when inspectors find hazards within this many
# days; an inspector whose key-unit inspections found nothing this many times in 180 days is listed.
SELF_CHECK_FOLLOW_UP_DAYS = envint("SELF_CHECK_FOLLOW_UP_DAYS", 90)
NOTHING_FOUND_THRESHOLD = envint("NOTHING_FOUND_THRESHOLD", 3)
# Incident information: minutes from the time known within which each grade must be reported (local practice).
INCIDENT_REPORT_MINUTES = {
    "especially_serious": envint("INCIDENT_REPORT_MINUTES_ESPECIALLY_SERIOUS", 30),
    "major": envint("INCIDENT_REPORT_MINUTES_MAJOR", 30),
    "large": envint("INCIDENT_REPORT_MINUTES_LARGE", 60),
    "general": envint("INCIDENT_REPORT_MINUTES_GENERAL", 120),
}
INCIDENT_ANSWER_MINUTES = envint("INCIDENT_ANSWER_MINUTES", 10)
# Handling (处置) of an incident, local practice: minutes from the time it was known by which each response step is
# due, by grade (the grade when the step is recorded). "closed" has no limit: an incident is open until it is closed.
INCIDENT_RESPONSE_MINUTES = {
    "on_scene": {"especially_serious": envint("INCIDENT_ON_SCENE_MINUTES_MAJOR", 30),
                 "major": envint("INCIDENT_ON_SCENE_MINUTES_MAJOR", 30),
                 "large": envint("INCIDENT_ON_SCENE_MINUTES_LARGE", 60),
                 "general": envint("INCIDENT_ON_SCENE_MINUTES_GENERAL", 120)},
    "rescue": {"especially_serious": envint("INCIDENT_RESCUE_MINUTES_MAJOR", 60),
               "major": envint("INCIDENT_RESCUE_MINUTES_MAJOR", 60),
               "large": envint("INCIDENT_RESCUE_MINUTES_LARGE", 120),
               "general": envint("INCIDENT_RESCUE_MINUTES_GENERAL", 240)},
    "under_control": {"especially_serious": envint("INCIDENT_CONTROL_MINUTES_MAJOR", 2880),
                      "major": envint("INCIDENT_CONTROL_MINUTES_MAJOR", 2880),
                      "large": envint("INCIDENT_CONTROL_MINUTES_LARGE", 1440),
                      "general": envint("INCIDENT_CONTROL_MINUTES_GENERAL", 720)},
}  # fmt: skip
# The reporting chain (Decree 493 art. 9-10): the unit to the county within 60 minutes of knowing, each level up
# within 120 minutes of its receipt.
INCIDENT_CHAIN_FIRST_MINUTES = envint("INCIDENT_CHAIN_FIRST_MINUTES", 60)
INCIDENT_CHAIN_FORWARD_MINUTES = envint("INCIDENT_CHAIN_FORWARD_MINUTES", 120)
# While an incident is open a follow-up report (续报) is due at each of these local times; none raises a notice.
INCIDENT_FOLLOWUP_TIMES = tuple(t.strip() for t in envstr("INCIDENT_FOLLOWUP_TIMES", "08:00,17:00").split(","))
ROLL_CALL_ANSWER_MINUTES = envint("ROLL_CALL_ANSWER_MINUTES", 5)  # a roll call is answered within this
# Early warnings (docs/warnings.md): each recipient post answers (叫应) within its level's minutes; the departments a
# kind of warning concerns, by the suffix of their code (`city-zjj` and its county mirrors `<county>-zjj`); "*" is all.
WARNING_ANSWER_MINUTES = {
    "red": envint("WARNING_ANSWER_MINUTES_RED", 10),
    "orange": envint("WARNING_ANSWER_MINUTES_ORANGE", 15),
    "yellow": envint("WARNING_ANSWER_MINUTES_YELLOW", 30),
    "blue": envint("WARNING_ANSWER_MINUTES_BLUE", 60),
}
# A warning of these levels reaches the townships' and streets' posts too (DOMAIN.md: a high-level warning is called
# down to township and village); the others stop at the county level, whose governments pass them on.
WARNING_TOWNSHIP_LEVELS = tuple(envlist("WARNING_TOWNSHIP_LEVELS", "orange,red"))
WARNING_DEPARTMENTS = {
    "rainstorm": ("zjj", "jtj", "slj", "yjj"),
    "typhoon": ("*",),
    "gale": ("zjj", "jtj", "yjj"),
    "high_temperature": ("zjj", "yjj"),
    "cold_wave": ("zjj", "jtj", "yjj"),
    "fog": ("jtj", "yjj"),
    "thunder_hail": ("zjj", "jtj", "yjj"),
    "snow_ice": ("zjj", "jtj", "yjj"),
    "forest_fire": ("lyj",),
    "geological": ("zrzyj", "zjj", "yjj"),
    "flood": ("slj", "zjj", "jtj", "yjj"),
    "other": ("yjj",),
}
# Duty: shifts start at this local time and last a day; the leader on duty not checked in this many minutes after
# the start raises an alert; the incoming shift arrives (and takes over) this many minutes before its start; the
# duty screen's code changes every so many seconds (the previous one is still taken); a phone's location counts
# within this many metres of the post (a post may set its own radius); the fewest officers per shift by unit kind
# (below it a day is understaffed; local practice).
DUTY_SHIFT_START = envstr("DUTY_SHIFT_START", "08:30")
DUTY_CHECKIN_MINUTES = envint("DUTY_CHECKIN_MINUTES", 15)
DUTY_HANDOVER_EARLY_MINUTES = envint("DUTY_HANDOVER_EARLY_MINUTES", 10)
DUTY_CHECKIN_CODE_SECONDS = envint("DUTY_CHECKIN_CODE_SECONDS", 60)
DUTY_CHECKIN_RADIUS_METERS = envint("DUTY_CHECKIN_RADIUS_METERS", 200)
DUTY_MIN_OFFICERS = {
    "city_office": envint("DUTY_MIN_OFFICERS_CITY", 4),
    "government": envint("DUTY_MIN_OFFICERS_COUNTY", 3),
    "department": envint("DUTY_MIN_OFFICERS_DEPARTMENT", 2),
    "enterprise": envint("DUTY_MIN_OFFICERS_ENTERPRISE", 1),
}
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES * 4
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Early warnings imported as CAP 1.2 (docs/warnings-cap.md): a message larger than this is refused unread; the
# public page of warnings in force may be cached this many seconds.
CAP_MAX_BYTES = envint("CAP_MAX_BYTES", 256 * 1024)
PUBLIC_WARNINGS_MAX_AGE = envint("PUBLIC_WARNINGS_MAX_AGE", 60)

# Emergency supplies (docs/emergency-supplies.md): stock expiring within this many days is an alert.
SUPPLY_EXPIRY_DAYS = envint("SUPPLY_EXPIRY_DAYS", 30)

# Risk graded control (docs/risks.md). LEC bands: D above the first is red, from the second orange, from the third
# yellow, below blue (DOMAIN.md: > 320, 160–320, 70–160, < 70). Risk-matrix bands: the least R of red, orange,
# yellow (20–25, 9–16, 4–8, 1–3). Thresholds differ between places, hence settings.
RISK_LEC_BANDS = tuple(int(v) for v in envlist("RISK_LEC_BANDS", "320,160,70"))
RISK_LS_BANDS = tuple(int(v) for v in envlist("RISK_LS_BANDS", "20,9,4"))
# A point is re-evaluated this many days after its last evaluation (yearly), sooner after an accident or change.
RISK_REEVALUATION_DAYS = envint("RISK_REEVALUATION_DAYS", 365)
# A second hazard at the same point within this many days makes the point due for re-evaluation.
RISK_REPEAT_HAZARD_DAYS = envint("RISK_REPEAT_HAZARD_DAYS", 90)

# The enterprise's own checks: how often a point is checked by its control level (day, week, month, quarter),
# e.g. RISK_CHECK_PERIODS="post:day,team:week,workshop:month,company:quarter"; during a published holiday theme
# red and orange points are checked at RISK_HOLIDAY_CHECK_PERIOD instead when that is more often.
RISK_CHECK_PERIODS = dict(item.split(":", 1) for item in envlist(
    "RISK_CHECK_PERIODS", "post:day,team:week,workshop:month,company:quarter"))  # fmt: skip
RISK_HOLIDAY_CHECK_PERIOD = envstr("RISK_HOLIDAY_CHECK_PERIOD", "day")
# A check answered faster than this many seconds per control is flagged hollow (走过场).
RISK_HOLLOW_SECONDS_PER_CONTROL = envint("RISK_HOLLOW_SECONDS_PER_CONTROL", 3)
# --- risk themes ---
# A risk theme's notice not confirmed by its time passes up to the superior post, who answers it within these hours.
RISK_THEME_PASS_UP_HOURS = envint("RISK_THEME_PASS_UP_HOURS", 24)

# Importing risk points from the Excel template (risks/importing.py): the largest file, what its ZIP may unpack to
# (a bomb is refused before parsing), the most points in one file, and how long the same file sent again for the
# same enterprise counts as a double submit (nothing written, the first import's answer).
RISK_IMPORT_MAX_BYTES = envint("RISK_IMPORT_MAX_BYTES", 5 * 1024 * 1024)
RISK_IMPORT_MAX_UNPACKED_BYTES = envint("RISK_IMPORT_MAX_UNPACKED_BYTES", 50 * 1024 * 1024)
RISK_IMPORT_MAX_ROWS = envint("RISK_IMPORT_MAX_ROWS", 5000)
RISK_IMPORT_REPEAT_MINUTES = envint("RISK_IMPORT_REPEAT_MINUTES", 10)

# Accidents and their lessons (docs/accidents.md). A lesson's self-check task not done by its deadline passes up to
# the superior post, who answers it within these hours.
ACCIDENT_LESSON_PASS_UP_HOURS = envint("ACCIDENT_LESSON_PASS_UP_HOURS", 24)
# A lesson's self-check is due within this many days at most (a comparison check is urgent, not a campaign).
ACCIDENT_LESSON_MAX_DAYS = envint("ACCIDENT_LESSON_MAX_DAYS", 90)
# The share (percent) of completed self-checks a department spot-checks (抽查) when it asks for a sample.
ACCIDENT_SPOT_CHECK_PERCENT = envint("ACCIDENT_SPOT_CHECK_PERCENT", 10)
# The issuing office's name on a warning circular, e.g. "XX市安全生产委员会办公室" (empty: the city office's name).
ACCIDENT_CIRCULAR_ISSUER = envstr("ACCIDENT_CIRCULAR_ISSUER", "")
# --- accidents: records (the investigation report, a PDF, uploaded when the investigation is closed) ---
ACCIDENT_REPORT_MAX_BYTES = envint("ACCIDENT_REPORT_MAX_BYTES", 20 * 1024 * 1024)

# No enterprise out of sight (docs/oversight.md). --- signals: an enterprise producing with no government inspection
# within these days is flagged: a key unit or one with a red risk point (HIGH), the others; the principal person
# not verified in post within these days ---
OVERSIGHT_INSPECTION_DAYS_HIGH = envint("OVERSIGHT_INSPECTION_DAYS_HIGH", 90)
OVERSIGHT_INSPECTION_DAYS = envint("OVERSIGHT_INSPECTION_DAYS", 365)
OVERSIGHT_VERIFICATION_DAYS = envint("OVERSIGHT_VERIFICATION_DAYS", 365)
# --- watches: the default visit interval; an alert (activity where none is allowed) answered within these hours ---
OVERSIGHT_WATCH_INTERVAL_DAYS = envint("OVERSIGHT_WATCH_INTERVAL_DAYS", 30)
OVERSIGHT_WATCH_ALERT_HOURS = envint("OVERSIGHT_WATCH_ALERT_HOURS", 4)
# --- enforcement: a suspension order lasts at most this many months; Art. 113's closure proposal when penalised this
# many times within the first number of days, or the second within the second, while a major hazard is open ---
OVERSIGHT_SUSPENSION_MAX_MONTHS = envint("OVERSIGHT_SUSPENSION_MAX_MONTHS", 6)
OVERSIGHT_ART113_SHORT = (envint("OVERSIGHT_ART113_SHORT_COUNT", 3), envint("OVERSIGHT_ART113_SHORT_DAYS", 180))
OVERSIGHT_ART113_LONG = (envint("OVERSIGHT_ART113_LONG_COUNT", 4), envint("OVERSIGHT_ART113_LONG_DAYS", 365))
# The issuing office's name on enforcement documents (empty: the issuing department's name).
OVERSIGHT_DOCUMENT_ISSUER = envstr("OVERSIGHT_DOCUMENT_ISSUER", "")

# Tip-offs (docs/tipoffs.md). --- time limits (2012 rules): closed within these days of acceptance, extended once by
# the second number; the answer within the third after verification; a reminder this many days before a limit ---
TIPOFF_HANDLING_DAYS = envint("TIPOFF_HANDLING_DAYS", 60)
TIPOFF_EXTENSION_DAYS = envint("TIPOFF_EXTENSION_DAYS", 30)
TIPOFF_FEEDBACK_DAYS = envint("TIPOFF_FEEDBACK_DAYS", 10)
TIPOFF_REMIND_DAYS = envint("TIPOFF_REMIND_DAYS", 7)
# A limit passed: the unit's head answers the notice within these hours, else it passes to their superior.
TIPOFF_OVERDUE_ANSWER_HOURS = envint("TIPOFF_OVERDUE_ANSWER_HOURS", 24)
# Reports of the same enterprise at the same place within these days are grouped as repeats.
TIPOFF_REPEAT_DAYS = envint("TIPOFF_REPEAT_DAYS", 7)
# --- the public form: per client address and per phone number (django-ratelimit, "count/period"), photos ---
TIPOFF_RATE_ADDRESS = envstr("TIPOFF_RATE_ADDRESS", "10/h")
TIPOFF_RATE_PHONE = envstr("TIPOFF_RATE_PHONE", "3/d")
TIPOFF_RATE_LOOKUP = envstr("TIPOFF_RATE_LOOKUP", "20/h")
# The enterprise names suggested while typing (one request per pause in typing).
TIPOFF_RATE_SUGGEST = envstr("TIPOFF_RATE_SUGGEST", "120/h")
TIPOFF_MAX_PHOTOS = envint("TIPOFF_MAX_PHOTOS", 6)

# Offline capture (docs/offline.md): photos taken on a phone are made this small (their longest side, in pixels) on
# the device before they are kept and sent, one request each.
OFFLINE_PHOTO_LONG_EDGE = envint("OFFLINE_PHOTO_LONG_EDGE", 1600)
TIPOFF_TEXT_LENGTH = envint("TIPOFF_TEXT_LENGTH", 5000)
# --- rewards (2018 rules): a share of the fine in percent, bounded; per concealed death by accident grade, bounded ---
TIPOFF_REWARD_FINE_PERCENT = envint("TIPOFF_REWARD_FINE_PERCENT", 15)
TIPOFF_REWARD_MIN = envint("TIPOFF_REWARD_MIN", 3_000)
TIPOFF_REWARD_MAX = envint("TIPOFF_REWARD_MAX", 300_000)
TIPOFF_REWARD_PER_DEATH = {
    "general": envint("TIPOFF_REWARD_DEATH_GENERAL", 30_000),
    "large": envint("TIPOFF_REWARD_DEATH_LARGE", 40_000),
    "major": envint("TIPOFF_REWARD_DEATH_MAJOR", 50_000),
    "especially_serious": envint("TIPOFF_REWARD_DEATH_ESPECIALLY_SERIOUS", 60_000),
}
# django-ratelimit counts in the shared cache (Redis when configured) by the client address as clientip decides it.
RATELIMIT_IP_META_KEY = "safety_platform.lib.clientip.client_ip"
RATELIMIT_VIEW = "tipoffs.public_views.limited"
# django-simple-captcha: drawn here with its bundled font; nothing is fetched.
CAPTCHA_LENGTH = 4
CAPTCHA_TIMEOUT = 10  # minutes
CAPTCHA_IMAGE_SIZE = (120, 44)
CAPTCHA_FONT_SIZE = 30
