"""Xinyu settings: one file, read from the environment (see README, Configuration)."""

import json
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from xinyu.env import env_bool, env_int, env_list, env_networks, env_secret, env_str, sso_origins, syslog_target

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("XINYU_VAR_DIR", str(BASE_DIR / "var")))

# "development" (default), "production" or "test".
XINYU_ENV = env_str("XINYU_ENV", "development")
PRODUCTION = XINYU_ENV == "production"
DEBUG = env_bool("DEBUG", default=XINYU_ENV == "development")
# System checks to silence, by id ("xinyu.W001,…"): empty unless an operator sets it, so a silenced check is
# always a visible decision (CI silences xinyu.W001 while the State Council's next holiday arrangement is not
# in the policy file; see .ci/run).
SILENCED_SYSTEM_CHECKS = env_list("XINYU_SILENCED_CHECKS", [])

SECRET_KEY = env_secret("SECRET_KEY", var_dir=VAR_DIR, required=PRODUCTION)
# Keys kept outside the database: the audit chain's HMAC key and the field-encryption keys.
AUDIT_HMAC_KEY = env_secret("AUDIT_HMAC_KEY", var_dir=VAR_DIR, required=PRODUCTION)
# Where the access log ended when last checked (xinyu/audit/anchor.py): a file, best on another machine's
# mount, and optionally the system log ("/dev/log", "host:514" over UDP, "tcp://host:514").
AUDIT_ANCHOR_PATH = Path(env_str("AUDIT_ANCHOR_PATH") or str(VAR_DIR / "audit-anchor.json"))
AUDIT_ANCHOR_SYSLOG = env_str("AUDIT_ANCHOR_SYSLOG")
FIELD_ENCRYPTION_KEY = env_secret("FIELD_ENCRYPTION_KEY", var_dir=VAR_DIR, required=PRODUCTION)
FIELD_HASH_KEY = env_secret("FIELD_HASH_KEY", var_dir=VAR_DIR, required=PRODUCTION)
# Two-factor sign-in (TOTP) for everyone with T3 or T4 access, and step-up re-authentication before
# exports, break-glass and counselling notes (DESIGN.md §4). Only the test settings switch it off.
XINYU_ENFORCE_TWO_FACTOR = env_bool("XINYU_ENFORCE_TWO_FACTOR", default=True)
# Earlier encryption keys, still accepted for reading until `rotate_encryption_keys` has run.
FIELD_ENCRYPTION_OLD_KEYS = env_list("FIELD_ENCRYPTION_OLD_KEYS", [])

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Reverse proxies (addresses or networks, e.g. "127.0.0.1,10.0.0.0/8") whose X-Forwarded-For is believed;
# from anyone else the header is ignored and the socket's address is the client's.
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES")

INSTALLED_APPS = [
    "xinyu.policy",
    "xinyu.core",
    "xinyu.accounts",
    "xinyu.org",
    "xinyu.grants",
    "xinyu.audit",
    "xinyu.roster",
    "xinyu.concerns",
    "xinyu.notify",
    "xinyu.care",
    "xinyu.screening",
    "xinyu.counselling",
    "xinyu.referrals",
    "xinyu.privacy",
    "xinyu.studentfile",
    "xinyu.reports",
    "xinyu.compliance",
    "xinyu.courses",
    "xinyu.education",
    "xinyu.public",
    "xinyu.training",
    "xinyu.workforce",
    "xinyu.api",
    "xinyu.core.tasks_app.TasksDatabaseConfig",  # django_tasks_db, named in Chinese
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served from here: no CDN on a closed intranet
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "xinyu.core.middleware.DefaultLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "xinyu.core.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "xinyu.accounts.middleware.StaffIdleTimeoutMiddleware",
    "xinyu.accounts.middleware.TwoFactorMiddleware",
    "xinyu.accounts.middleware.ForcePasswordChangeMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "xinyu.urls"
WSGI_APPLICATION = "xinyu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "xinyu.core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'xinyu.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers work while a writer writes; IMMEDIATE avoids "database is locked" upgrades.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        # SQLite has one writer at a time: a write waits this long for the lock before "database is
        # locked". The longest write is a roster import's database phase, one transaction: 33 s for
        # 50,000 rows on a busy 2-core machine (bench/bench_roster_import.py). Well over that, so the task
        # worker and web requests wait for the import instead of failing (gunicorn's own 60 s still applies).
        "timeout": env_int("SQLITE_BUSY_TIMEOUT_SECONDS", 120),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["xinyu.accounts.backends.ThrottledModelBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Single sign-on (统一身份认证): CAS 2.0/3.0 and OpenID Connect, each off unless switched on (README,
# "Single sign-on"). The local password stays. Accounts are matched by 学号/工号 from the IdP's attributes;
# nobody is created by signing in. SSO_TRUST_IDP_MFA: a T3/T4 holder whose IdP asserts MFA (OIDC amr/acr,
# a CAS attribute) needs no second factor in Xinyu.
SSO_CAS_ENABLED = env_bool("SSO_CAS_ENABLED", default=False)
SSO_CAS_SERVER_URL = env_str("SSO_CAS_SERVER_URL")
SSO_CAS_VERSION = env_int("SSO_CAS_VERSION", 3)
SSO_CAS_USERNAME_ATTRIBUTE = env_str("SSO_CAS_USERNAME_ATTRIBUTE")  # empty: the CAS user itself
SSO_CAS_MFA_ATTRIBUTE = env_str("SSO_CAS_MFA_ATTRIBUTE")
SSO_CAS_MFA_VALUES = env_list("SSO_CAS_MFA_VALUES", ["true", "mfa"])
SSO_OIDC_ENABLED = env_bool("SSO_OIDC_ENABLED", default=False)
SSO_OIDC_DISCOVERY_URL = env_str("SSO_OIDC_DISCOVERY_URL")
SSO_OIDC_CLIENT_ID = env_str("SSO_OIDC_CLIENT_ID")
SSO_OIDC_CLIENT_SECRET = env_str("SSO_OIDC_CLIENT_SECRET")
SSO_OIDC_SCOPES = env_str("SSO_OIDC_SCOPES", "openid profile")
SSO_OIDC_USERNAME_CLAIM = env_str("SSO_OIDC_USERNAME_CLAIM", "preferred_username")
SSO_OIDC_MFA_AMR = env_list("SSO_OIDC_MFA_AMR", ["mfa", "otp", "hwk", "swk", "sms"])
SSO_OIDC_MFA_ACR = env_list("SSO_OIDC_MFA_ACR", [])
SSO_TRUST_IDP_MFA = env_bool("SSO_TRUST_IDP_MFA", default=False)
SSO_LOGOUT_AT_IDP = env_bool("SSO_LOGOUT_AT_IDP", default=True)
SSO_HTTP_TIMEOUT_SECONDS = env_int("SSO_HTTP_TIMEOUT_SECONDS", 10)
if SSO_CAS_ENABLED and not SSO_CAS_SERVER_URL:
    raise ImproperlyConfigured("SSO_CAS_ENABLED needs SSO_CAS_SERVER_URL (README, Single sign-on).")
if SSO_CAS_VERSION not in (2, 3):
    raise ImproperlyConfigured(f"SSO_CAS_VERSION must be 2 or 3, not {SSO_CAS_VERSION}")
if SSO_OIDC_ENABLED and not (SSO_OIDC_DISCOVERY_URL and SSO_OIDC_CLIENT_ID and SSO_OIDC_CLIENT_SECRET):
    raise ImproperlyConfigured(
        "SSO_OIDC_ENABLED needs SSO_OIDC_DISCOVERY_URL, SSO_OIDC_CLIENT_ID and SSO_OIDC_CLIENT_SECRET "
        "(README, Single sign-on)."
    )

# Login throttling: failures counted per account and per client address within the window.
LOGIN_FAILURE_LIMIT_PER_ACCOUNT = env_int("LOGIN_FAILURE_LIMIT_PER_ACCOUNT", 5)
LOGIN_FAILURE_LIMIT_PER_ADDRESS = env_int("LOGIN_FAILURE_LIMIT_PER_ADDRESS", 20)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60)
STAFF_IDLE_TIMEOUT_SECONDS = env_int("STAFF_IDLE_TIMEOUT_SECONDS", 30 * 60)
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 60 * 60)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_ROOT = VAR_DIR / "media"
# Outside production, WhiteNoise serves straight from the source folders (no collectstatic needed).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Background work: Django's tasks API; the database backend by default, RQ (Redis) to scale out.
TASK_BACKEND = env_str("TASK_BACKEND", "database")
if TASK_BACKEND == "rq":
    # RQ stops a job after DEFAULT_TIMEOUT seconds (RQ's own default, 180 s, would cut short a 50,000-row
    # roster import). A worker killed mid-job is not retried by RQ (django_tasks_rq sets no Retry; RQ moves
    # the job to its failed registry once the worker's heartbeat lapses): each job's own lease in the
    # database and the clock's sweeps run it again (README, "Several web machines").
    RQ_QUEUES = {
        "default": {
            "URL": env_str("REDIS_URL", "redis://127.0.0.1:6379/0"),
            "DEFAULT_TIMEOUT": env_int("RQ_JOB_TIMEOUT_SECONDS", 3600),
        }
    }
    # Workers (`manage.py rqworker default`) run Django tasks only with django_tasks_rq's job class: with RQ's
    # own, every task fails ("'Job' object has no attribute 'task_result'").
    RQ = {"JOB_CLASS": "django_tasks_rq.backend.Job"}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
elif TASK_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

_EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
_SMTP_OPTIONS = {
    "host": env_str("EMAIL_HOST", "localhost"),
    "port": env_int("EMAIL_PORT", 25),
    "username": env_str("EMAIL_HOST_USER"),
    "password": env_str("EMAIL_HOST_PASSWORD"),
    "use_tls": env_bool("EMAIL_USE_TLS", default=False),
    "use_ssl": env_bool("EMAIL_USE_SSL", default=False),
    "timeout": env_int("EMAIL_TIMEOUT", 20),
}
MAILERS = {
    "default": {
        "BACKEND": _EMAIL_BACKEND,
        "OPTIONS": _SMTP_OPTIONS if _EMAIL_BACKEND.endswith("smtp.EmailBackend") else {},
    }
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "xinyu@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Roster import limits, checked before anything is parsed (README, "Roster import"). A 50,000-row roster
# unpacks to about 30 MB (Excel, WPS) or 50 MB (text stored in the cells), with a shared-string table of a
# few MB; parsing reads about 5 MB of XML a second.
ROSTER_MAX_UPLOAD_BYTES = env_int("ROSTER_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
ROSTER_MAX_UNPACKED_BYTES = env_int("ROSTER_MAX_UNPACKED_BYTES", 100 * 1024 * 1024)
ROSTER_MAX_SHARED_STRINGS_BYTES = env_int("ROSTER_MAX_SHARED_STRINGS_BYTES", 32 * 1024 * 1024)
ROSTER_MAX_ROWS = env_int("ROSTER_MAX_ROWS", 50_000)
ROSTER_MAX_CELL_CHARS = env_int("ROSTER_MAX_CELL_CHARS", 1000)
# Larger files (by rows, or by XML to parse) run as a background task, never in a web request.
ROSTER_BACKGROUND_ROWS = env_int("ROSTER_BACKGROUND_ROWS", 2000)
ROSTER_WEB_MAX_PARSE_BYTES = env_int("ROSTER_WEB_MAX_PARSE_BYTES", 8 * 1024 * 1024)
# A background import whose worker stops renewing its lease for this long is taken as dead: it is run
# again from the start, at most ROSTER_JOB_MAX_ATTEMPTS times in all, then marked failed.
ROSTER_JOB_LEASE_SECONDS = env_int("ROSTER_JOB_LEASE_SECONDS", 120)
ROSTER_JOB_MAX_ATTEMPTS = env_int("ROSTER_JOB_MAX_ATTEMPTS", 2)
# An uploaded roster is deleted when its job ends, and after this many hours at the latest.
ROSTER_UPLOAD_MAX_AGE_HOURS = env_int("ROSTER_UPLOAD_MAX_AGE_HOURS", 24)

# The regulation's specifics (crisis levels, steps, deadlines, office hours): policy/<file>.toml whose
# id is XINYU_POLICY; the version in force is the latest whose effective date has come.
XINYU_POLICY_DIR = Path(env_str("XINYU_POLICY_DIR", str(BASE_DIR / "policy")))
XINYU_POLICY = env_str("XINYU_POLICY", "quzhou-2021")

# Notifications: the in-app inbox always; e-mail to people with an address; webhooks (an SMS gateway,
# 企业微信/钉钉 group robots) as JSON: [{"name": "wecom", "url": "https://…", "kind": "wecom", "urgent_only": true}].
XINYU_BASE_URL = env_str("XINYU_BASE_URL", "http://127.0.0.1:8000")
NOTIFY_EMAIL = env_bool("NOTIFY_EMAIL", default=True)
NOTIFY_WEBHOOKS = json.loads(env_str("NOTIFY_WEBHOOKS", "[]"))
# --- Notification delivery (xinyu/notify) ---------------------------------------------------------------
# NOTIFY_WEBHOOKS entries: name (a-z, 0-9, - and _; the outbox channel is webhook:<name>), url, kind
# ("sms": POST {"to": phone, "text": …} to a gateway; "wecom" / "dingtalk": a group robot's text message
# mentioning the recipient's phone), urgent_only (default false), secret (钉钉 加签, optional). Checked at
# start-up. What leaves Xinyu says only that an item waits, with a link: never anything about a student.
# A failed send is tried again after NOTIFY_RETRY_BASE_SECONDS, doubling up to NOTIFY_RETRY_MAX_SECONDS,
# NOTIFY_MAX_ATTEMPTS times in all. A worker holds a row it sends for NOTIFY_LEASE_SECONDS (urgent rows:
# NOTIFY_URGENT_LEASE_SECONDS, renewed while it sends); if it dies, the row is due again after that.
NOTIFY_MAX_ATTEMPTS = env_int("NOTIFY_MAX_ATTEMPTS", 10)
NOTIFY_RETRY_BASE_SECONDS = env_int("NOTIFY_RETRY_BASE_SECONDS", 15)
NOTIFY_RETRY_MAX_SECONDS = env_int("NOTIFY_RETRY_MAX_SECONDS", 3600)
NOTIFY_LEASE_SECONDS = env_int("NOTIFY_LEASE_SECONDS", 300)
# Urgent messages are claimed apart from the others, with a short lease the sending worker renews every
# third of it while it works: a worker killed mid-send delays an urgent SMS by this much, not minutes.
NOTIFY_URGENT_LEASE_SECONDS = env_int("NOTIFY_URGENT_LEASE_SECONDS", 30)
NOTIFY_WEBHOOK_TIMEOUT_SECONDS = env_int("NOTIFY_WEBHOOK_TIMEOUT_SECONDS", 10)
# --- end of notification delivery -----------------------------------------------------------------------
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Strict CSP: no inline scripts or styles anywhere; every asset is vendored and served from here.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
# Signing out is a form's POST that goes on to the IdP's logout page: browsers check the redirect against
# form-action, so the IdP's origins are allowed there.
SECURE_CSP["form-action"] += sso_origins(
    [SSO_CAS_SERVER_URL if SSO_CAS_ENABLED else "", SSO_OIDC_DISCOVERY_URL if SSO_OIDC_ENABLED else ""]
)
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
if AUDIT_ANCHOR_SYSLOG:
    LOGGING["handlers"]["audit_anchor_syslog"] = {
        "class": "logging.handlers.SysLogHandler",
        "facility": "auth",
        **syslog_target(AUDIT_ANCHOR_SYSLOG),
    }
    LOGGING["loggers"]["xinyu.audit.anchor"] = {"handlers": ["audit_anchor_syslog"], "level": "INFO"}

if XINYU_ENV == "test":
    # Fast hashing in tests only; production and development keep Argon2.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}

# The API (/api/v1/, xinyu.api): service tokens only, JSON only, one error shape, the OpenAPI schema.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["xinyu.api.auth.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["xinyu.api.auth.HasOperation"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "xinyu.api.errors.handle",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_THROTTLE_CLASSES": [],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "心育 Xinyu API",
    "DESCRIPTION": "Service accounts call it with `Authorization: Bearer xy_…`; each token may use named operations.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}
