"""Settings for Family Hubs Network, read from the environment.

The embedded default (no environment at all) is SQLite under var/, an in-memory
channel layer, a local-memory cache and tasks run immediately. Production sets
DATABASE_URL and REDIS_URL so several ASGI processes share state.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)


def _dev_secret_key() -> str:
    # A stable key per checkout so sessions survive `make run` restarts.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key_file = VAR_DIR / "dev-secret-key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
    return key_file.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = _dev_secret_key()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    # allauth's OpenID Connect provider made strict (signature, nonce, PKCE always); the stock
    # "openid_connect" app is not installed, so no provider can skip those checks or the policy,
    # and its URLs cannot shadow these (both live under /accounts/oidc/).
    "community.accounts.sso",
    "taggit",
    "channels",
    "community.accounts",
    "community.forum",
    "community.moderation",
    "community.supportline",
    "community.training",
    "community.library",
    "community.conversations",
    "community.search",
    "community.insight",
    "community.polls",
    "community.feedback",
    "api",
    "community.privacy",
    "notifications",
    "realtime",
    "webhooks",
    "importer",
    "django_tasks_db",
    "ops",
]

MIDDLEWARE = [
    # Outermost, so its time and status cover everything below (one log line per request).
    "ops.logs.RequestLogMiddleware",
    "community.middleware.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "community.middleware.RejectUnreadableInputMiddleware",
    "community.ratelimits.RateLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "notifications.presence.PresenceMiddleware",
    "api.middleware.DiscourseJsonMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"

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
                "community.forum.context_processors.navigation",
            ],
        },
    }
]

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    # Under ASGI every request runs in a new thread, so persistent connections are never
    # reused: pool them instead (psycopg's pool); CONN_MAX_AGE must then be 0.
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Django's backend, sending the worker's task rows with the COMMIT (one round trip
        # less before a new post's live event: community/postgresql).
        DATABASES["default"]["ENGINE"] = "community.postgresql"
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": 2,
            "max_size": int(os.environ.get("DATABASE_POOL_SIZE", 10)),
        }
        # No JIT: a page's queries take milliseconds, and at national size the planner's
        # cost estimates for search pass jit_above_cost, where compiling took ~100 ms of a
        # 150 ms query (docs/bench-national.md). Random page reads priced as what they are
        # when the hot tables and indexes are in memory (PostgreSQL's or the OS's cache):
        # at the default 4 the planner ANDed a bitmap of every post of the public spaces
        # (325,000 entries, 30-110 ms) to a search word's 5,000 to save reading 3,000 pages.
        # Prepared statements only where asked for: community/compiled.py prepares its hot
        # queries (fixed SQL, planned once per connection); Django's own cursors bind on the
        # client and never prepare. Django turns them off for external poolers (PgBouncer in
        # transaction mode), which this project does not use; its pool is psycopg's. None
        # turns the compiled queries' preparing off. plan_cache_mode: the generic plan from
        # the first execution on, not five custom plans (each planned) per statement and
        # pooled connection first; it only touches prepared statements, so only those.
        DATABASES["default"]["OPTIONS"].setdefault(
            "options", "-c jit=off -c random_page_cost=1.1 -c plan_cache_mode=force_generic_plan"
        )
        DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 1_000_000_000)
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            # A file, not memory, so servers started by the tests share the test database.
            "TEST": {"NAME": str(VAR_DIR / "test-db.sqlite3")},
        }
    }
# `make test` runs the unit and browser suites side by side, each in a test database of its
# own: the browser suite's names carry this suffix.
TEST_DATABASE_SUFFIX = os.environ.get("TEST_DATABASE_SUFFIX", "")
if TEST_DATABASE_SUFFIX:
    _default = DATABASES["default"]
    if _default["ENGINE"] == "django.db.backends.sqlite3":
        _default["TEST"] = {"NAME": str(VAR_DIR / f"test-db{TEST_DATABASE_SUFFIX}.sqlite3")}
    else:
        _default["TEST"] = {"NAME": f"test_{_default['NAME']}{TEST_DATABASE_SUFFIX}"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
# The cache may live in its own Redis (with maxmemory and allkeys-lru), apart from the layer's.
CACHE_REDIS_URL = os.environ.get("CACHE_REDIS_URL", "") or REDIS_URL
if REDIS_URL:
    CACHES = {
        "default": {
            # Redis down: the cache behaves as empty (config/cache.py), pages and writes go on.
            "BACKEND": "config.cache.DegradingRedisCache",
            "LOCATION": CACHE_REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_PREFIX", "fhn"),
            # Fail fast when Redis is unreachable rather than hold the request.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 2},
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # redis-py 8 times reads out after 5 s, which kills channels_redis's blocking
                # receive on a quiet socket (channels_redis#422): no read timeout; a pool big
                # enough for a reconnect storm; room for bursts before messages are dropped.
                "hosts": [{"address": REDIS_URL, "socket_timeout": None, "max_connections": 1000}],
                "prefix": os.environ.get("CACHE_PREFIX", "fhn"),
                "capacity": 5000,
                "expiry": 60,
            },
        }
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        # Thread views buffered by the web process and flushed by the worker
        # (community/forum/viewcounts.py) must be seen by both: a local-memory cache is one
        # process's own, so the embedded default keeps this buffer in files under var/.
        "views": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / f"view-counts{TEST_DATABASE_SUFFIX}"),
            "OPTIONS": {"MAX_ENTRIES": 1_000_000},  # never cull buffered views at random
        },
    }
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Background tasks (emails, digests, notification fan-out, search indexing, exports) and the
# scheduled jobs run in the worker (`manage.py run_worker`) with django-tasks-db: the task row
# is written in the transaction that asks for it, so a task is never lost to a crash between
# commit and enqueue. The embedded default runs tasks immediately, inside the request.
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "django.tasks.backends.immediate.ImmediateBackend")
if TASKS_BACKEND == "db":
    TASKS_BACKEND = "django_tasks_db.DatabaseBackend"
TASKS = {"default": {"BACKEND": TASKS_BACKEND}}
# A task that raises is tried again after 1×, 2×, 4×… this many seconds, then recorded failed.
TASK_MAX_ATTEMPTS = int(os.environ.get("TASK_MAX_ATTEMPTS", 5))
TASK_RETRY_BACKOFF_SECONDS = float(os.environ.get("TASK_RETRY_BACKOFF_SECONDS", 10))
# How many reverse proxies in front append to X-Forwarded-For (nginx alone: 1); the visitor's
# address for rate limits and view counts is read from there. 0: no proxy, REMOTE_ADDR as is.
TRUSTED_PROXY_HOPS = int(os.environ.get("TRUSTED_PROXY_HOPS", 0))
# How often an idle worker looks for work, and when a silent worker counts as gone (its
# running task is then put back for another worker).
WORKER_POLL_SECONDS = float(os.environ.get("WORKER_POLL_SECONDS", 0.05))
WORKER_STALE_SECONDS = int(os.environ.get("WORKER_STALE_SECONDS", 30))
# /metrics answers a scraper that sends "Authorization: Bearer <METRICS_TOKEN>" (or a superuser).
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
# Tests and demos only: run named scheduled jobs every N seconds ("moderation_timers=2,...").
SCHEDULE_EVERY_SECONDS = {
    name: int(seconds)
    for name, _, seconds in (item.partition("=") for item in env_list("SCHEDULE_EVERY_SECONDS", []))
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "community.accounts.backends.MemberBackend",
    "community.accounts.backends.MemberAllauthBackend",
    # Last: counts a failed sign-in for the limiter the first backend asks (see backends.py).
    "community.accounts.backends.SignInFailures",
]
# Failed sign-ins (any form, admin included) allowed in about five minutes before the next
# attempt is refused with the wait, whatever the password: per account, and per address.
SIGN_IN_FAILURES_PER_ACCOUNT = int(os.environ.get("SIGN_IN_FAILURES_PER_ACCOUNT", 5))
SIGN_IN_FAILURES_PER_ADDRESS = int(os.environ.get("SIGN_IN_FAILURES_PER_ADDRESS", 20))
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "forum:latest"
LOGOUT_REDIRECT_URL = "forum:latest"

# Sessions are read on every signed-in request: keep them in the cache, backed by the DB.
# Django's cached_db sessions, read together with their member (community/accounts/sessions.py).
SESSION_ENGINE = "community.accounts.sessions"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_USER_DISPLAY = "community.accounts.models.display_name_of"
ACCOUNT_SIGNUP_FORM_CLASS = "community.accounts.forms.ProfileSignupForm"
ACCOUNT_ADAPTER = "community.accounts.adapter.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Family Hubs Network] "
# Failed sign-ins are counted by community.ratelimits (see accounts/backends.py), shared with
# the admin's sign-in; allauth keeps limiting the emails it sends and sign-ups.
ACCOUNT_RATE_LIMITS = {"login": None, "login_failed": None, "signup": "20/m/ip"}
# Organisation sign-in (OpenID Connect, community/accounts/sso): providers from OIDC_PROVIDERS
# (a JSON list, see the README) beside any added in the admin as social applications.
SOCIALACCOUNT_ADAPTER = "community.accounts.adapter.SocialAccountAdapter"
SOCIALACCOUNT_FORMS = {"signup": "community.accounts.sso.forms.OrganisationSignupForm"}
# Always ask (age band, display name) before making an account; never link by email alone.
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = False
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False


def _oidc_apps() -> list[dict]:
    from community.accounts.sso.config import apps_from_environment

    try:
        return apps_from_environment(os.environ.get("OIDC_PROVIDERS", ""))
    except ValueError as e:
        raise ImproperlyConfigured(str(e)) from e


SOCIALACCOUNT_PROVIDERS = {"organisation": {"APPS": _oidc_apps(), "OAUTH_PKCE_ENABLED": True}}

# Email goes to the console unless an SMTP host is configured.
if os.environ.get("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["EMAIL_HOST"],
                "port": int(os.environ.get("EMAIL_PORT", 587)),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Family Hubs Network <network@familyhubs.example>"
)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"

# Uploads: checked by content, images re-encoded.
UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", 8 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Moderation: flags whose weights add up to this hide a post until a moderator reviews it.
FLAG_HIDE_THRESHOLD = float(os.environ.get("FLAG_HIDE_THRESHOLD", 3))
# New accounts' first N posts wait for approval (0 turns this off).
NEW_MEMBER_POSTS_HELD = int(os.environ.get("NEW_MEMBER_POSTS_HELD", 1))
NEW_ACCOUNTS_NEED_APPROVAL = env_bool("NEW_ACCOUNTS_NEED_APPROVAL", False)

POSTS_PER_MINUTE = int(os.environ.get("POSTS_PER_MINUTE", 6))
# Flags a member (not a moderator) may raise in an hour: flags can hide posts, so they are
# limited like posts (community.ratelimits).
FLAGS_PER_HOUR = int(os.environ.get("FLAGS_PER_HOUR", 20))

FORUM_POSTS_PER_PAGE = 20
FORUM_THREADS_PER_PAGE = 30
LIBRARY_RESOURCES_PER_PAGE = 20
ANONYMOUS_PAGE_CACHE_SECONDS = 300
# Thread views (community/forum/viewcounts.py): one per member or visitor address per thread
# in this window (as Discourse counts one per user or IP per topic within some hours),
# buffered in the cache alias below a minute at a time, kept there this long for the worker.
VIEW_COUNT_WINDOW_SECONDS = int(os.environ.get("VIEW_COUNT_WINDOW_SECONDS", 8 * 60 * 60))
VIEW_COUNT_BUFFER_SECONDS = 60
VIEW_COUNT_KEEP_SECONDS = 24 * 60 * 60
VIEW_COUNT_CACHE = "views" if "views" in CACHES else "default"
# Rendered posts and thread rows shared between members (community/fragments.py); off only
# to compare against a full render.
FRAGMENT_CACHE_ENABLED = env_bool("FRAGMENT_CACHE", True)
# Each process also keeps the shared pages it served, split into parts and holes, up to this
# many bytes (community/fragments.py): a hot page then costs no Redis read of its HTML.
SHARED_PAGES_IN_PROCESS_BYTES = int(os.environ.get("SHARED_PAGES_IN_PROCESS_BYTES", 64 * 2**20))


def _dev_vapid_keys() -> dict:
    # Like the dev secret key: a VAPID key pair per checkout, so devices stay subscribed.
    import base64
    import json

    key_file = VAR_DIR / "dev-vapid-keys.json"
    if not key_file.exists():
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec

        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key = ec.generate_private_key(ec.SECP256R1())

        def b64(data: bytes) -> str:
            return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

        public = key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        private = key.private_numbers().private_value.to_bytes(32, "big")
        key_file.write_text(json.dumps({"public": b64(public), "private": b64(private)}))
    return json.loads(key_file.read_text())


# Web push (notifications/webpush.py): the VAPID key pair (base64url: the public key as an
# uncompressed P-256 point, the private key as its 32 raw bytes) and a contact for push services.
VAPID_PUBLIC_KEY = os.environ.get("VAPID_PUBLIC_KEY", "")
VAPID_PRIVATE_KEY = os.environ.get("VAPID_PRIVATE_KEY", "")
if not (VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY) and DEBUG:
    _vapid = _dev_vapid_keys()
    VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY = _vapid["public"], _vapid["private"]
VAPID_SUBJECT = os.environ.get("VAPID_SUBJECT", "mailto:network@familyhubs.example")

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    # The service worker (static/sw.js, served at /sw.js) and the web app manifest.
    "worker-src": [CSP.SELF],
    "manifest-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Probes and the scraper may talk plain HTTP to the process behind the proxy.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31536000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

# LOG_FORMAT=json: one JSON object per line (requests, tasks, errors), for log shippers.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "ops.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        # Each task run is logged by django.tasks at INFO; ours says the same in one line.
        "django.tasks": {"level": os.environ.get("TASKS_LOG_LEVEL", "WARNING")},
        # One line per request and per task: on by default in production (DEBUG off).
        "ops.requests": {
            "level": os.environ.get("REQUEST_LOG_LEVEL", "WARNING" if DEBUG else "INFO")
        },
        "ops.tasks": {"level": os.environ.get("TASK_LOG_LEVEL", "INFO")},
        "ops.worker": {"level": "INFO"},
    },
}

# Absolute links in emails (unsubscribe, "read and reply").
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# SupportLine: the organiser address on calendar invitations, and the first-response
# service level in working days (English bank holidays excluded).
SUPPORTLINE_EMAIL = os.environ.get("SUPPORTLINE_EMAIL", "supportline@familyhubs.example")
SUPPORTLINE_FIRST_RESPONSE_WORKING_DAYS = 2
# Requests a signed-out visitor may send from one address in an hour (each emails an invitation).
SUPPORTLINE_VISITOR_REQUESTS_PER_HOUR = int(
    os.environ.get("SUPPORTLINE_VISITOR_REQUESTS_PER_HOUR", 5)
)

SAFEGUARDING_CONTACT = os.environ.get(
    "SAFEGUARDING_CONTACT",
    "The centre's designated safeguarding lead: safeguarding@familyhubs.example",
)

# The Discourse-compatible API's rate limits, per member (or per address when signed out).
API_RATE = os.environ.get("API_RATE", "120/m")
API_WRITE_RATE = os.environ.get("API_WRITE_RATE", "30/m")
# Privacy and members' rights (community/privacy).
# Confirmed work addresses on these domains verify practitioners, commissioners and experts.
VERIFIED_EMAIL_DOMAINS = env_list("VERIFIED_EMAIL_DOMAINS", ["nhs.net", "*.nhs.uk", "*.gov.uk"])
ACCOUNT_DELETION_GRACE_DAYS = int(os.environ.get("ACCOUNT_DELETION_GRACE_DAYS", 14))
FORMER_MEMBER_USERNAME = "former-member"
VISITOR_REPORTS_PER_HOUR = int(os.environ.get("VISITOR_REPORTS_PER_HOUR", 5))
MEMBERS_PER_PAGE = 50

# Webhooks (webhooks/): payload URLs must resolve to public addresses, except these hosts
# (a receiver on the same private network, or the tests' loopback receiver).
WEBHOOK_ALLOWED_HOSTS = env_list("WEBHOOK_ALLOWED_HOSTS", [])
