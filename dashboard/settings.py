"""Switchboard settings: every knob comes from an environment variable with a safe default.

The README's configuration table lists each variable; keep the two in step.
"""

import ipaddress
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from cryptography.fernet import Fernet
from csp.constants import NONE as CSP_NONE
from csp.constants import SELF as CSP_SELF

from dashboard.environment import Environment

BASE_DIR = Path(__file__).resolve().parent.parent
# The process's environment, over the variables of the file ENV_FILE names (systemd's format).
env = Environment.with_env_file()

DEBUG = env.bool("DEBUG", True)

# Where the SQLite database and collected static files live; `make run` creates it.
DATA_DIR = Path(env.str("DATA_DIR") or BASE_DIR / "var").resolve()


def _local_secret_key() -> str:
    """The key `make run` keeps in DATA_DIR, so local sessions survive restarts; else one for this process."""
    try:
        return (DATA_DIR / "secret_key").read_text().strip() or secrets.token_urlsafe(50)
    except OSError:
        return secrets.token_urlsafe(50)


SECRET_KEY = env.str("SECRET_KEY")
# Earlier keys, still accepted for sessions and share links signed with them: how a key is rotated.
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
if not DEBUG:
    env.require(
        "SECRET_KEY",
        SECRET_KEY,
        "With DEBUG off, set SECRET_KEY to a long random string, "
        "e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))'.",
    )
    env.require(
        "ALLOWED_HOSTS",
        ALLOWED_HOSTS,
        "With DEBUG off, set ALLOWED_HOSTS to the host names the dashboard is served under, "
        "comma-separated, e.g. ALLOWED_HOSTS=switchboard.example.com.",
    )
else:
    SECRET_KEY = SECRET_KEY or _local_secret_key()
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["localhost", "127.0.0.1", "[::1]"]

# --- OpenCX upstream -------------------------------------------------------------------------

OPENCX_API_TOKEN = env.str("OPENCX_API_TOKEN")
OPENCX_API_URL = env.url("OPENCX_API_URL", "https://api.open.cx")
# Several organizations as configuration: a JSON list of {"slug", "name", "token", "url"?}.
# OPENCX_API_TOKEN alone is the shorthand for one (slug "default"); staff add more in the admin.
OPENCX_ORGS = env.organizations("OPENCX_ORGS")
if OPENCX_ORGS is not None and OPENCX_API_TOKEN:
    env.problems.append(
        "OPENCX_ORGS and OPENCX_API_TOKEN are both set: name every organization in OPENCX_ORGS (slug "
        '"default" keeps the history recorded with OPENCX_API_TOKEN), and unset OPENCX_API_TOKEN.'
    )
# Keys that encrypt the API tokens entered in the admin (Fernet keys, comma-separated; the first
# encrypts, all decrypt).
ORG_TOKEN_KEYS = env.list("ORG_TOKEN_KEYS")
for _key in ORG_TOKEN_KEYS:
    try:
        Fernet(_key)
    except ValueError:
        env.problems.append(
            "ORG_TOKEN_KEYS holds a value that is not a Fernet key (32 bytes, url-safe base64): generate one with "
            "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'."
        )
        break
OPENCX_CACHE_TTL = env.number("OPENCX_CACHE_TTL", 60, minimum=0)
# The total time one read of OpenCX may take, retries included.
OPENCX_TIMEOUT = env.number("OPENCX_TIMEOUT", 10, minimum=0.1)
# The largest answer read from OpenCX, in megabytes (a fleet's list is far smaller; this stops a
# runaway or hostile answer from filling the memory).
OPENCX_MAX_BODY_MB = env.integer("OPENCX_MAX_BODY_MB", 512, minimum=1)
# Upstream requests allowed per minute, whatever people click; OpenCX allows 100.
OPENCX_CALLS_PER_MINUTE = env.integer("OPENCX_CALLS_PER_MINUTE", 30, minimum=1)
# Refreshes run in a thread of their own so no page waits (the test suite runs them inline).
REFRESH_IN_BACKGROUND = True
# Demo mode: a built-in fake OpenCX API on loopback serves a sample organization. It is what a
# local run with nothing configured gets; with DEBUG off it must be asked for (DEMO_MODE=1).
_CONFIGURED = bool(OPENCX_API_TOKEN) or OPENCX_ORGS is not None
DEMO_MODE = env.bool("DEMO_MODE", DEBUG and not _CONFIGURED)
if DEMO_MODE and _CONFIGURED:
    _given = "OPENCX_API_TOKEN" if OPENCX_API_TOKEN else "OPENCX_ORGS"
    env.problems.append(
        f"DEMO_MODE=1 and {_given} are both set: demo mode would hide the real fleet. "
        f"Unset DEMO_MODE to read OpenCX, or {_given} to serve the demo."
    )
elif not DEMO_MODE and not _CONFIGURED:
    env.problems.append(
        "OPENCX_API_TOKEN is not set"
        + (" and DEBUG is off" if not DEBUG else "")
        + ": set OPENCX_API_TOKEN to a read-only OpenCX API key (phone:read scope), or OPENCX_ORGS to several "
        "organizations (OPENCX_ORGS=[] when staff add them in the admin), or set DEMO_MODE=1 to serve the "
        "built-in demo organizations on purpose (a public demo: anyone may sign in as demo/demo)."
    )
DEMO_AGENTS = env.integer("DEMO_AGENTS", 150, minimum=0)
# Makes the demo's fake OpenCX misbehave from the start (staff can change it on the status page);
# `dashboard/demo/checks.py` checks the name.
DEMO_FAULT = env.str("DEMO_FAULT")

# Configuration findings: rule ids to switch off, and how old "not updated lately" is.
FINDINGS_DISABLED = env.list("FINDINGS_DISABLED")
FINDINGS_STALE_DAYS = env.integer("FINDINGS_STALE_DAYS", 180, minimum=1)

# Fields only people allowed to see sensitive fields (Operators, Staff) see; others see "hidden".
# Field names, or OpenCX's keys of fields this dashboard does not know yet (`dashboard/access/checks.py`).
SENSITIVE_FIELDS = env.list("SENSITIVE_FIELDS") or [
    "data_collection_webhook_url",
    "custom_llm",
    "provider_external_id",
    "instructions",
]

# The shrink guard: a read that returns no agents where there were some, or loses more than this
# share of them (percent), is held back; the same answer read for this long is accepted on its own.
SHRINK_GUARD_PERCENT = env.number("SHRINK_GUARD_PERCENT", 50, minimum=0)
SHRINK_GUARD_HOLD_MINUTES = env.number("SHRINK_GUARD_HOLD_MINUTES", 60, minimum=0)

# Change history: how many days recorded changes are kept; 0 records none.
HISTORY_RETENTION_DAYS = env.integer("HISTORY_RETENTION_DAYS", 90, minimum=0)
# Audit events and sign-in logs are deleted after this many days by `manage.py housekeeping`; 0 keeps them.
AUDIT_RETENTION_DAYS = env.integer("AUDIT_RETENTION_DAYS", 365, minimum=0)

# --- Operations ------------------------------------------------------------------------------

# Addresses or networks of the reverse proxies whose X-Forwarded-For is believed (sign-in limits,
# the audit log); empty means the client is REMOTE_ADDR.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        env.problems.append(f"TRUSTED_PROXIES names {_proxy!r}, which is not an IP address or network (CIDR).")
# /readyz answers 503 once the last good snapshot is older than this; 0 switches the limit off.
READY_MAX_STALE_SECONDS = env.integer("READY_MAX_STALE_SECONDS", 3600, minimum=0)
# /metrics is served only when this is set, and only to `Authorization: Bearer <METRICS_TOKEN>`.
METRICS_TOKEN = env.str("METRICS_TOKEN")
LOG_LEVEL = env.choice("LOG_LEVEL", "info", ("debug", "info", "warning", "error")).upper()
LOG_FORMAT = env.choice("LOG_FORMAT", "plain", ("plain", "json"))
# Error reporting to Sentry (sentry-sdk), off unless set; see dashboard/ops/error_reporting.py.
SENTRY_DSN = env.str("SENTRY_DSN")

# The read-only API: requests allowed per minute for each person (all their tokens together), and
# wrong tokens per minute from one client address before it gets 429 for every token.
API_REQUESTS_PER_MINUTE = env.integer("API_REQUESTS_PER_MINUTE", 120, minimum=1)
API_WRONG_TOKENS_PER_MINUTE = env.integer("API_WRONG_TOKENS_PER_MINUTE", 20, minimum=1)

# Change digests: webhooks are signed with this secret (none: webhooks are off) and may only go to
# these hosts (loopback ones may use http); links in digests start with SITE_URL.
DIGEST_WEBHOOK_SECRET = env.str("DIGEST_WEBHOOK_SECRET")
DIGEST_WEBHOOK_HOSTS = env.list("DIGEST_WEBHOOK_HOSTS") or ["hooks.slack.com"]
SITE_URL = env.str("SITE_URL", "http://127.0.0.1:8000")

# E-mail (digests): SMTP when EMAIL_HOST is set, else printed to the console (the demo's way).
EMAIL_HOST = env.str("EMAIL_HOST")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env.integer("EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", True)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", False)
if EMAIL_USE_SSL:
    EMAIL_USE_TLS = False  # Django refuses both; implicit TLS wins when asked for
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", "switchboard@localhost")

# --- Django ----------------------------------------------------------------------------------

INSTALLED_APPS = [
    "dashboard.access.admin_site.SwitchboardAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tables2",
    "bootstrap",
    "axes",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served from here: no CDN
    # The project (checks, template tags, the schema history), then the apps of its features.
    "dashboard.apps.ProjectConfig",
    "dashboard.orgs.apps.OrgsConfig",
    "dashboard.snapshots.apps.SnapshotsConfig",
    "dashboard.access.apps.AccessConfig",
    "dashboard.history.apps.HistoryConfig",
    "dashboard.agents.apps.AgentsConfig",
    "dashboard.api.apps.ApiConfig",
    "dashboard.digests.apps.DigestsConfig",
    "dashboard.demo.apps.DemoConfig",
    "dashboard.ops.apps.OpsConfig",
]

MIDDLEWARE = [
    # First: the request id every log line carries, and the request's latency for /metrics.
    "dashboard.ops.middleware.RequestContextMiddleware",
    # Before the host check and the HTTPS redirect: probes and metrics answer any Host over HTTP.
    "dashboard.ops.middleware.ProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # /o/<slug>/…: the organization a page reads (after the user is known, to 404 one they may not see).
    "dashboard.access.middleware.OrganizationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # The public demo's one shared account browses but changes nothing others see.
    "dashboard.demo.middleware.PublicDemoGuard",
    "django.contrib.messages.middleware.MessageMiddleware",
    "dashboard.snapshots.middleware.UpstreamErrorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # No cache keeps a page; a debug error page only for staff (its process_exception runs first).
    "dashboard.access.middleware.PrivateResponseMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dashboard.urls"
WSGI_APPLICATION = "dashboard.wsgi.application"

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
                "dashboard.access.context_processors.switchboard",
            ],
        },
    },
]

# SQLite in DATA_DIR is the embedded default; DATABASE_URL (postgres://…) selects PostgreSQL.
DATABASE_URL = env.str("DATABASE_URL")
DATABASES = {}
if DATABASE_URL:
    try:
        DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
        if DATABASES["default"]["ENGINE"].endswith("postgresql"):
            # An unreachable server fails a request (and /readyz) in seconds, not after TCP's minutes.
            DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
    except ValueError as error:
        env.problems.append(f"DATABASE_URL is not a database URL this dashboard can use: {error}")
if not DATABASES:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "switchboard.sqlite3",
            "OPTIONS": {
                # Several worker processes share this file: write-ahead logging lets readers go on while
                # one writes, and IMMEDIATE transactions make the cache's add() (the refresh lock) atomic.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }

# The snapshot of agents and the refresh lock live in the shared cache, which every worker
# process (and, with PostgreSQL or Redis, every host) must see, so one refresh serves them all.
# By default it is a table in the database (made by a migration); REDIS_URL selects Redis.
REDIS_URL = env.str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "switchboard",
            "TIMEOUT": None,
            "OPTIONS": {"socket_connect_timeout": 5},  # an unreachable Redis fails fast (and /readyz with it)
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "switchboard_cache",
            "TIMEOUT": None,
            "OPTIONS": {"MAX_ENTRIES": 1000},
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: a locked-out person is refused before their password is checked.
AUTHENTICATION_BACKENDS = ["dashboard.access.audit.AuditedAxesBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env.integer("SIGN_IN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env.number("SIGN_IN_LOCKOUT_MINUTES", 15, minimum=1))
# Keyed on the account and the client address together: wrong passwords for one account from one
# place lock that pair only, so nobody can lock others out. Across accounts, one address may fail
# SIGN_IN_ADDRESS_FAILURE_LIMIT times within the lockout period, however many sign-ins succeed in
# between (`dashboard/access/limits.py`).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
SIGN_IN_ADDRESS_FAILURE_LIMIT = env.integer("SIGN_IN_ADDRESS_FAILURE_LIMIT", 20, minimum=1)
AXES_HANDLER = "dashboard.access.limits.SignInLimits"
AXES_RESET_ON_SUCCESS = True  # "in a row": a successful sign-in clears that account's count from that address
# A refused attempt is refused, not counted: the lockout ends SIGN_IN_LOCKOUT_MINUTES after the last wrong password.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# The client's address: REMOTE_ADDR, or what a proxy in TRUSTED_PROXIES forwarded.
AXES_CLIENT_IP_CALLABLE = "dashboard.access.addresses.client_ip"

# Content-Security-Policy: this site's own scripts, styles and fonts only; no inline scripts.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [CSP_SELF],
        "script-src": [CSP_SELF],
        "style-src": [CSP_SELF],
        "img-src": [CSP_SELF, "data:"],  # Bootstrap draws its form icons as data: SVGs
        "font-src": [CSP_SELF],
        "connect-src": [CSP_SELF],
        "object-src": [CSP_NONE],
        "base-uri": [CSP_NONE],
        "form-action": [CSP_SELF],
        "frame-ancestors": [CSP_NONE],
    }
}

# The API (dashboard/api/): tokens only, JSON only, read-only; each view names its own classes too.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["dashboard.api.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["dashboard.api.renderers.FastJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "dashboard.api.errors.handle",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Switchboard API",
    "DESCRIPTION": (
        "Read-only JSON over the OpenCX phone agents Switchboard reads. Send a personal token "
        "(the API tokens page) as `Authorization: Bearer <token>`; it reads as its owner, whose role's "
        "hidden fields are left out. Every answer says when its snapshot was read."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "overview"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"  # collectstatic fills it for production
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

DJANGO_TABLES2_TEMPLATE = "tables/table.html"

# Every line to standard error, plain or one JSON object a line (LOG_FORMAT=json), carrying the
# request id and with share-link tokens masked; `dashboard/logs.py` has the pieces, which
# gunicorn.conf.py uses for gunicorn's own lines too.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "dashboard.logs.RequestIdFilter"},
        "mask_share_tokens": {"()": "dashboard.logs.MaskShareTokens"},
        "no_traceback": {"()": "dashboard.logs.NoTraceback"},
    },
    "formatters": {
        "plain": {"()": "dashboard.logs.PlainFormatter"},
        "json": {"()": "dashboard.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id", "mask_share_tokens"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's own console handlers would write plain lines beside ours: through the root only.
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        "django.server": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        # A request for a host not in ALLOWED_HOSTS is one line, not a traceback.
        "django.security.DisallowedHost": {"filters": ["no_traceback"]},
        # urllib3 logs request lines at DEBUG; keep it quiet so nothing upstream-related leaks by accident.
        "urllib3": {"level": "WARNING"},
    },
}

if not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env.integer("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading binds the whole domain to HTTPS for good: the admin's decision, not a default.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# What was wrong with the environment, reported by the system check in dashboard/checks.py.
ENVIRONMENT_PROBLEMS = env.problems
