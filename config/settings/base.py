"""Settings shared by every environment; values come from the environment (django-environ)."""

from pathlib import Path

import environ
from celery.schedules import crontab

from guanxi.core.logs import formatter

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="guanxi-insecure-development-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "django_htmx",
    "simple_history",
    "axes",
    "guanxi.core",
    "guanxi.integrations.messaging",
    "guanxi.accounts",
    "guanxi.customers",
    "guanxi.tasks",
    "guanxi.catalog",
    "guanxi.segments",
    "guanxi.offers",
    "guanxi.marketing",
    "guanxi.sales",
    "guanxi.pool",
    "guanxi.orders",
    "guanxi.servicedesk",
    "guanxi.warranty",
    "guanxi.surveys",
    "guanxi.care",
    "guanxi.key_accounts",
    "guanxi.analytics",
    "guanxi.portal",
    "guanxi.privacy",
    "bench",
]

# Covering indexes (INCLUDE) serve PostgreSQL; SQLite builds them without the extra columns, which is
# what we want there, so its warning is noise on every command.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

MIDDLEWARE = [
    # First: the request id and the latency metric cover every other middleware.
    "guanxi.core.logs.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # Before anything that reads a request body; its refusals still get the two headers above.
    "guanxi.core.middleware.RequestLimitsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "guanxi.core.middleware.NoStoreMiddleware",
    # The inbound-SMS webhook: answered here, before sessions, CSRF, auth and the rest (signed, one INSERT).
    "guanxi.integrations.messaging.hook.SmsInboundHookMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "guanxi.core.middleware.SessionIdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    # NUL characters and impossible time-zone offsets: 422/400 before any view or database sees them.
    "guanxi.core.input_safety.RefuseUnsafeInputMiddleware",
    # Unmasked personal data shown to staff: one insert per request into the privacy access log.
    "guanxi.core.personal_access.PersonalAccessMiddleware",
]

ROOT_URLCONF = "config.urls"
# The REST API (a NinjaAPI), for `guanxi openapi`.
API_OBJECT = "config.api.api"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "guanxi.core.context_processors.navigation",
                "guanxi.core.context_processors.demo_status",
            ],
        },
    },
]

DATABASE_URL = env.str("DATABASE_URL", default="") or f"sqlite:///{VAR_DIR / 'guanxi.sqlite3'}"
DATABASES = {"default": env.db_url_config(DATABASE_URL)}
# A PostgreSQL read replica for report reads (dashboards, analyses, exports): guanxi/core/db_routing.py.
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
REPORT_DATABASE = ""
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = env.db_url_config(DATABASE_REPLICA_URL)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASES["replica"].setdefault("CONN_MAX_AGE", 60)
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    REPORT_DATABASE = "replica"
DATABASE_ROUTERS = ["guanxi.core.db_routing.ReplicaRouter"]
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the server read while a long import writes; busy timeout rides out short locks.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
# Persistent connections on both engines: opening one (SQLite: five PRAGMAs, the WAL switch
# taking a lock) cost ~5 ms of every request.
DATABASES["default"].setdefault("CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "guanxi.accounts.backends.UserWithTeamBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Failed logins: lock the username+address pair after 5 failures for 15 minutes, and the address
# alone after AXES_IP_FAILURE_LIMIT failures over any usernames (one address guessing many users).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_IP_FAILURE_LIMIT = env.int("AXES_IP_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "guanxi.accounts.lockout.LoginLockoutHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/login_locked.html"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True
# Numbers are grouped by thousands where templates ask for it (intcomma, |floatformat:"g"), in
# Chinese too (config/formats/zh_Hans); not everywhere (USE_THOUSAND_SEPARATOR), which would
# also group ids written into links and data attributes.
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Uploads (case attachments, import files and reports): never served by a URL, in any settings; only
# views that check who may read a file hand it out. MEDIA_URL is required by Django, nothing answers it.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"

# Checked before a request body is read (guanxi.core.middleware.RequestLimitsMiddleware): the longest
# URL, the largest body (a 10 MB case attachment and its framing), and the paths of the customer-import
# uploads, which may send up to IMPORT_MAX_BYTES.
REQUEST_URL_MAX_LENGTH = env.int("REQUEST_URL_MAX_LENGTH", default=8192)
REQUEST_BODY_MAX_BYTES = env.int("REQUEST_BODY_MAX_BYTES", default=10 * 1024 * 1024 + 64 * 1024)
REQUEST_BODY_LARGE_PATHS = [r"/customers/imports/upload/$", r"/api/v1/customers/imports$"]

# Requests larger than this are refused with 400 before any handler runs.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=1024 * 1024)

# Customer imports: the largest file accepted (refused before it is read), where validated rows
# wait for their commit, and from how many rows an import rebuilds a table's indexes afterwards
# instead of updating them row by row (PostgreSQL; the table is then locked until the commit).
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=500 * 1024 * 1024)
IMPORT_WORK_DIR = env.str("IMPORT_WORK_DIR", default=str(VAR_DIR / "imports"))
# The star schema's Parquet files (analytics), queried with DuckDB.
WAREHOUSE_DIR = env.str("WAREHOUSE_DIR", default=str(VAR_DIR / "warehouse"))
IMPORT_BULK_MIN_ROWS = env.int("IMPORT_BULK_MIN_ROWS", default=100_000)
# Such an import writes its rows as a replica (`session_replication_role`; the database role needs
# SET on it, see docs/deployment.md) and checks their foreign keys once, instead of dropping the keys,
# which would lock users, teams and brands against reading until it commits. False: always drop them.
IMPORT_SKIP_TRIGGERS = env.bool("IMPORT_SKIP_TRIGGERS", default=True)
# The heavy batch jobs (duplicate linkage, the value run, the star-schema build) run on this machine
# ("local": DuckDB, pandas) or on Apache Spark ("spark"): SPARK_MASTER local[N] or a cluster's URL,
# SPARK_CONF "key=value;..." Spark properties, SPARK_WORK_DIR where their inputs are written as
# Parquet (shared storage on a cluster). See docs/spark.md.
BATCH_ENGINE = env.str("BATCH_ENGINE", default="local")
SPARK_MASTER = env.str("SPARK_MASTER", default="local[2]")
SPARK_CONF = env.str("SPARK_CONF", default="")
SPARK_WORK_DIR = env.str("SPARK_WORK_DIR", default=str(VAR_DIR / "spark"))
# Independent batches of a set-based write (the escalation sweep's) run this many at a time, each in
# its own PostgreSQL connection (0: the machine's cores, at most 4; SQLite: always one at a time).
BATCH_WORKERS = env.int("BATCH_WORKERS", default=0)

SESSION_COOKIE_HTTPONLY = True
# Sign-in lifetime: at most SESSION_COOKIE_AGE seconds (default 12 h, a working day), signed out when
# the browser closes (SESSION_EXPIRE_AT_BROWSER_CLOSE) and after SESSION_IDLE_TIMEOUT seconds without
# a request (default 30 min; 0: no idle limit). API tokens live at most API_TOKEN_MAX_DAYS days
# (a token asked for without an expiry, or a longer one, gets that limit; 0: no limit).
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 12)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env.bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", default=True)
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
API_TOKEN_MAX_DAYS = env.int("API_TOKEN_MAX_DAYS", default=365)
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# No inline script anywhere: scripts are static files, data goes through json_script/data-attributes.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # Bootstrap's and ECharts' element styles; no script can run from a style.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
# Without Redis, tasks run inline so the embedded default needs no server.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
# Beat writes a heartbeat each tick (guanxi/core/beat.py); /healthz/workers wants one this recent.
CELERY_BEAT_SCHEDULER = "guanxi.core.beat.HeartbeatScheduler"
BEAT_HEARTBEAT_MAX_AGE = env.int("BEAT_HEARTBEAT_MAX_AGE", default=120)
# Crash safety (guanxi/core/jobs.py): tasks are acknowledged when they finish, so a worker killed
# mid-task leaves its message unacknowledged; the Redis broker hands it to another worker after the
# visibility timeout. The timeout must exceed the longest task (the 1M-customer runs take minutes)
# and the longest retry back-off, else a task still running or waiting would be delivered twice.
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    # How often a worker looks for messages whose worker died (seconds, every call).
    "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
    "unacked_restore_throttle": 1,
}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
# One message at a time per worker process: with late acknowledgement a prefetched message would
# wait behind a long task (and come back twice if the worker died).
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Transient errors (database or Redis unreachable, "try again later"): retry n waits between half and
# all of TASK_RETRY_BACKOFF × 2ⁿ seconds, at most TASK_RETRY_BACKOFF_MAX, TASK_MAX_RETRIES times.
TASK_RETRY_BACKOFF = env.float("TASK_RETRY_BACKOFF", default=2.0)
TASK_RETRY_BACKOFF_MAX = env.float("TASK_RETRY_BACKOFF_MAX", default=600.0)
TASK_MAX_RETRIES = env.int("TASK_MAX_RETRIES", default=5)
# Called in each `guanxi serve` worker once it started (guanxi.core.gunicorn_hooks.post_worker_init).
WORKER_START_HOOKS = [
    # Without a worker (no REDIS_URL): the inbound-SMS inbox applied by a thread beside the requests.
    "guanxi.integrations.messaging.inbound.start_inbox_applier",
]
CELERY_BEAT_SCHEDULE = {
    "servicedesk-sweep-clocks": {"task": "servicedesk.sweep_clocks", "schedule": 60.0},
    "servicedesk-sweep-commitments": {"task": "servicedesk.sweep_commitments", "schedule": 60.0},
    "tasks-send-reminders": {"task": "tasks.send_reminders", "schedule": 60.0},
    # Contracts past their end expire, renewal reminders for those ending soon: daily at 06:00.
    "orders-sweep-contracts": {"task": "orders.sweep_contracts", "schedule": crontab(hour=6, minute=0)},
    "marketing-send-campaigns": {"task": "marketing.send_campaigns", "schedule": 60.0},
    # Every customer's value, segments and member counts, nightly at 02:30.
    "segments-value-recompute": {"task": "segments.value_recompute", "schedule": crontab(hour=2, minute=30)},
    # The contact profiles survey sampling reads (contact frequency, main channel), nightly at 02:10.
    "segments-contact-profiles": {"task": "segments.contact_profiles_refresh", "schedule": crontab(hour=2, minute=10)},
    # The 公海 recycling sweep (warnings, then returns to the pool), nightly at 01:15.
    "pool-sweep": {"task": "pool.sweep", "schedule": crontab(hour=1, minute=15)},
    # The next-best-offer model, weekly on Sunday at 03:30.
    "offers-model-train": {"task": "offers.model_train", "schedule": crontab(hour=3, minute=30, day_of_week=0)},
    "analytics-churn-retrain": {
        "task": "analytics.churn_retrain",
        "schedule": crontab(hour=4, minute=0, day_of_month=1),
    },
    "analytics-churn-weekly-at-risk": {
        "task": "analytics.churn_weekly_at_risk",
        "schedule": crontab(hour=7, minute=0, day_of_week=1),
    },
    # Scheduled reports (weekly hotspot report, dashboard summary): due periods, hourly at :05.
    "analytics-reports-send": {"task": "analytics.reports_send_due", "schedule": crontab(minute=5)},
    # Unanswered surveys past their link's expiry, hourly.
    "surveys-expire": {"task": "surveys.expire", "schedule": crontab(minute=40)},
    # Survey-wave reminders to members who have not answered (once per member and round), hourly.
    "surveys-wave-reminders": {"task": "surveys.wave_reminders", "schedule": crontab(minute=25)},
    # The survey analysis snapshot: fold the rows answers appended (reads are exact either way), every 10 min.
    "surveys-analysis-compact": {"task": "surveys.analysis_compact", "schedule": crontab(minute="*/10")},
    # Customer care (birthdays, festivals, anniversaries): greetings and care tasks, daily at 07:00.
    "care-run": {"task": "care.run", "schedule": crontab(hour=7, minute=0)},
    # Key people's birthdays: care tasks for their key-account managers, daily at 07:10.
    "key-accounts-birthdays": {"task": "key_accounts.birthdays", "schedule": crontab(hour=7, minute=10)},
    # Green-channel steps past their time limit escalate to the owner's manager, every 10 minutes.
    "key-accounts-green-escalate": {"task": "key_accounts.green_escalate", "schedule": 600.0},
    # Bulk-queued messages (care greetings) handed to their backends every minute.
    "messaging-deliver-queued": {"task": "messaging.deliver_queued", "schedule": 60.0},
    # Inbound SMS the hook stored and nothing applied yet (normally applied right after): every minute.
    "messaging-inbox-apply": {"task": "messaging.inbox_apply", "schedule": 60.0},
    # Retention rules (privacy): personal data past its period deleted or anonymised, daily at 03:10.
    "privacy-retention-sweep": {"task": "privacy.retention_sweep", "schedule": crontab(hour=3, minute=10)},
    # The star schema: the rows changed since the last refresh, every 15 minutes.
    "analytics-warehouse-refresh": {"task": "analytics.warehouse_refresh", "schedule": 900.0},
}

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Outbound SMS and e-mail, one backend per channel; the local backend logs and keeps the outbox only.
MESSAGING_BACKENDS = {
    "sms": env("MESSAGING_SMS_BACKEND", default="guanxi.integrations.messaging.backends.LocalBackend"),
    "email": env("MESSAGING_EMAIL_BACKEND", default="guanxi.integrations.messaging.backends.LocalBackend"),
}

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# Logs: JSON lines with the request id (guanxi.core.logs; LOG_FORMAT=console for aligned text);
# LOG_REQUESTS adds one `request` line per request (at INFO: set LOG_LEVEL=INFO to see them).
LOG_FORMAT = env("LOG_FORMAT", default="json")
LOG_REQUESTS = env.bool("LOG_REQUESTS", default=True)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"one_line_refusals": {"()": "guanxi.core.request_log.OneLineRefusals"}},
    "formatters": {"structured": formatter(json=LOG_FORMAT == "json")},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
    "loggers": {"django.request": {"filters": ["one_line_refusals"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}
# /metrics (Prometheus) answers a bearer of this token (and signed-in administrators); empty: administrators only.
METRICS_TOKEN = env("METRICS_TOKEN", default="")

NINJA_PAGINATION_MAX_LIMIT = 200

# Interaction and transaction history (SPEC A.4): kept this many years, at least 3 (a system check
# refuses less); `guanxi history_retention --apply` deletes older rows. Outside systems' clocks may
# run this far ahead; bills are due after this many days; a transaction import takes this many rows.
HISTORY_RETENTION_YEARS = env.int("HISTORY_RETENTION_YEARS", default=3)
HISTORY_FUTURE_SKEW_SECONDS = env.int("HISTORY_FUTURE_SKEW_SECONDS", default=300)
BILLING_DUE_DAYS = env.int("BILLING_DUE_DAYS", default=30)
TRANSACTIONS_IMPORT_MAX_ROWS = env.int("TRANSACTIONS_IMPORT_MAX_ROWS", default=1000)

# Shared secret of the call center's CTI events (HMAC-SHA256); empty disables /api/v1/cti/events.
CTI_SHARED_SECRET = env("CTI_SHARED_SECRET", default="")
# Inbound SMS replies (survey answers, 退订) arrive signed with this secret, like the CTI events.
SMS_INBOUND_SECRET = env("SMS_INBOUND_SECRET", default="")

# Duplicate customers (一客一档): pairs at or above the review threshold go to the review queue;
# pairs at or above the auto-merge threshold are merged without review (unset = never).
DEDUPE_REVIEW_THRESHOLD = env.float("DEDUPE_REVIEW_THRESHOLD", default=0.8)
DEDUPE_AUTO_MERGE_THRESHOLD = env.float("DEDUPE_AUTO_MERGE_THRESHOLD", default=None)

# Satisfaction surveys: no customer gets a second survey within the quiet period (days); a web
# link expires after SURVEY_LINK_DAYS; SURVEY_PUBLIC_BASE_URL prefixes the links sent by SMS/e-mail.
SURVEY_QUIET_DAYS = env.int("SURVEY_QUIET_DAYS", default=30)
SURVEY_LINK_DAYS = env.int("SURVEY_LINK_DAYS", default=14)
SURVEY_PUBLIC_BASE_URL = env.str("SURVEY_PUBLIC_BASE_URL", default="")
# Prefixes the PDF link in the scheduled reports' e-mails (e.g. https://crm.example.com).
REPORTS_BASE_URL = env.str("REPORTS_BASE_URL", default="")

# PDF reports embed this TrueType CJK font (a .ttc collection's face PDF_FONT_INDEX); `make fonts`
# installs the default, Debian's fonts-wqy-microhei.
PDF_FONT_PATH = env.str("PDF_FONT_PATH", default="/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
PDF_FONT_INDEX = env.int("PDF_FONT_INDEX", default=0)
