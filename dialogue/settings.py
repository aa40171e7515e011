"""Django settings for the Dialogue portal.

Every deployment setting comes from the environment (see README, "Settings").
With nothing set, the portal runs embedded: SQLite and a file-based Celery broker
under var/.
"""

import os
from pathlib import Path

import csp.constants
from django.utils.translation import gettext_lazy as _

from dialogue.config import (
    SettingError,
    broker_from_env,
    cache_from_env,
    database_from_env,
    env_bool,
    env_list,
    env_seconds,
    env_size,
    secret_key_from_env,
    site_url_from_env,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("DIALOGUE_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = secret_key_from_env(DEBUG, VAR_DIR)
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
if not DEBUG and not ALLOWED_HOSTS:
    raise SettingError("ALLOWED_HOSTS", "required when DEBUG is off")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "dialogue.admin_apps.DialogueAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "import_export",
    "simple_history",
    "dialogue.admin_apps.AxesConfig",
    "csp",
    "django_otp",
    "dialogue.admin_apps.TOTPDevicesConfig",
    "dialogue.admin_apps.StaticDevicesConfig",
    "dialogue",
    "dialogue.outbox",
    "delegations",
    "agenda",
    "declaration",
    "travel",
    "accreditation",
    "dialogue.packs",
    "dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "dialogue.middleware.MeetingTimeZoneMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes last, so that it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dialogue.urls"
WSGI_APPLICATION = "dialogue.wsgi.application"

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
                "csp.context_processors.nonce",
            ],
        },
    },
]

DATABASES = {"default": database_from_env(VAR_DIR / "dialogue.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
_VALIDATORS = "django.contrib.auth.password_validation."
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": _VALIDATORS + name}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]

# Staff log in with a password and a TOTP code (or a recovery code) whenever
# DEBUG is off; in development it can be switched on to try it.
STAFF_TWO_FACTOR = not DEBUG or env_bool("STAFF_TWO_FACTOR", False)
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Dialogue secretariat")
# The admin never shows a TOTP key or its QR code (enrolment prints them once,
# from `manage.py two_factor`): whoever reads the admin must not copy a factor.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Staff login throttling (django-axes): lock a username+address after 5 failures.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "dialogue/locked_out.html"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# One way to write dates in each language (dialogue/timefmt.py says which).
FORMAT_MODULE_PATH = ["dialogue.formats"]

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Front-end packages from the npm registry (package.json), installed into
# node_modules/ by `make setup` and the Docker build, never committed: jsQR
# reads badge codes on the door's check-in page where the browser has no
# BarcodeDetector. Left out when not installed (the page then takes typed codes).
JSQR_DIR = BASE_DIR / "node_modules" / "jsqr" / "dist"
if JSQR_DIR.is_dir():
    STATICFILES_DIRS.append(("vendor/jsqr", JSQR_DIR))
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# WhiteNoise warns on every request when the folder is missing (before collectstatic).
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Media holds passports-adjacent and pack files: it is never served under a
# public URL; views stream files after checking access.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media-not-public/"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
# For django.core.mail.backends.filebased.EmailBackend: one file per connection.
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "sent-mail"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# A mail server that hangs must not outlast the email's claim (WORK_LEASE_SECONDS).
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "8"))
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Dialogue secretariat <secretariat@localhost>"
)
# Link tokens are stored sealed with these keys (delegations.tokens): the first
# seals, every one opens, so a key can be rotated. Empty: derived from SECRET_KEY
# (then changing SECRET_KEY makes stored links unprintable, not unusable).
LINK_TOKEN_KEYS = env_list("LINK_TOKEN_KEYS", [])
# Links in emails and the mail-merge command are absolute.
# In development, `make demo` writes the address it serves on to var/site-url,
# so a mail merge run from another terminal prints links that open.
SITE_URL = site_url_from_env(DEBUG, VAR_DIR)

# Celery: the broker comes from CELERY_BROKER_URL (see dialogue/celery.py).
CELERY_BROKER_URL, CELERY_BROKER_TRANSPORT_OPTIONS = broker_from_env(VAR_DIR)
CELERY_BROKER_CONNECTION_TIMEOUT = 5
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = int(os.environ.get("CELERY_TASK_SOFT_TIME_LIMIT", "120"))
CELERY_TASK_TIME_LIMIT = int(os.environ.get("CELERY_TASK_TIME_LIMIT", "180"))
CELERY_WORKER_MAX_TASKS_PER_CHILD = int(
    os.environ.get("CELERY_WORKER_MAX_TASKS_PER_CHILD", "200")
)
CELERY_WORKER_MAX_MEMORY_PER_CHILD = 600_000  # KiB: recycle a child past ~600 MB
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Our loggers say INFO by default; libraries (fontTools subsets fonts at every
# pack, WeasyPrint) only warn, unless LOG_LEVEL asks for more of everything.
LOG_LEVEL = os.environ.get("LOG_LEVEL", "").upper()
LIBRARY_LOG_LEVEL = LOG_LEVEL or "WARNING"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "dialogue": {"level": LOG_LEVEL or "INFO"},
        "delegations": {"level": LOG_LEVEL or "INFO"},
        "declaration": {"level": LOG_LEVEL or "INFO"},
        "agenda": {"level": LOG_LEVEL or "INFO"},
        "fontTools": {"level": LIBRARY_LOG_LEVEL},
        "weasyprint": {"level": LIBRARY_LOG_LEVEL},
        "pydyf": {"level": LIBRARY_LOG_LEVEL},
        # The file broker has no host; kombu warns about it on every connection.
        "kombu.connection": {"level": "ERROR"},
    },
}

# Content-Security-Policy on every response (django-csp): scripts only from our
# own static files or with the request's nonce, nothing framed, nothing fetched
# off the host. Inline styles stay allowed (the admin and our templates use
# style attributes; a style cannot run code). django-import-export's export form
# has one inline handler; its hash is allowed alone ('unsafe-hashes'), not any
# inline script.
IMPORT_EXPORT_TOGGLE_HANDLER = "'sha256-wid4zL8fR53ZYy1ljOepzR77Dn6vWUUxuNnnWWBP3I8='"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", csp.constants.NONCE],
        "script-src-attr": ["'unsafe-hashes'", IMPORT_EXPORT_TOGGLE_HANDLER],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    # Production sits behind a TLS-terminating proxy.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # The container healthcheck speaks plain HTTP from inside the host.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True

# --- Packs (issue 6) ---------------------------------------------------------
# Redis keeps a delivered, unacknowledged message (acks_late) and gives it to
# another worker after visibility_timeout; it must outlast the hard time limit,
# or a long render would be delivered twice. Checked every 10 s.
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": CELERY_TASK_TIME_LIMIT + 60,
        "unacked_restore_interval": 10,
        "unacked_restore_throttle": 1,
    }
# Each worker node also reads its own queue, so a travel list goes back to the
# node that keeps its layout (dialogue/routing.py). Redis only: the embedded
# filesystem broker keeps the one common queue.
CELERY_WORKER_DIRECT = CELERY_BROKER_URL.startswith(("redis://", "rediss://"))
# A worker claims a pack or an email for this long and renews the claim every
# third of it while it works (dialogue.leases); each worker sweeps this often
# (s) for claims that lapsed (their worker died) and queues that work again. A
# dead worker's pack is rendered again within about lease + sweep + render.
WORK_LEASE_SECONDS = int(os.environ.get("WORK_LEASE_SECONDS", "10"))
PACK_SWEEP_INTERVAL = int(os.environ.get("PACK_SWEEP_INTERVAL", "5"))
# A render stopped this many times (worker died, hard time limit) is failed.
PACK_MAX_ATTEMPTS = int(os.environ.get("PACK_MAX_ATTEMPTS", "3"))


# Uploads through a focal point's link, checked by their bytes.
ACCREDITATION_CREDENTIALS_MAX_BYTES = env_size(
    "ACCREDITATION_CREDENTIALS_MAX_BYTES", 10 * 1024 * 1024
)
BADGE_PHOTO_MAX_BYTES = env_size("BADGE_PHOTO_MAX_BYTES", 5 * 1024 * 1024)
# Paint the pages every pack shares once and replay them (dialogue/packs/replay.py);
# off, or on a WeasyPrint outside the versions it was written for, every page is
# painted afresh (the same PDF, slower).
PACK_REPLAY = env_bool("PACK_REPLAY", True)
# Packs follow their inputs: a change marks the packs it is in stale, and they
# are re-rendered once no change came for this many seconds (a burst of edits
# gives one render per pack).
PACK_LIVE_DELAY = float(os.environ.get("PACK_LIVE_DELAY", "2"))

# --- Participant pages (issue 16) --------------------------------------------
# A link page is kept rendered in the cache until an input changes
# (delegations.page_cache). CACHE_URL is Redis in production (its own db); on
# the embedded default it is a folder under var/, which the web processes and
# the worker share: a page must stop showing what a worker's change replaced,
# and local memory would be one process's alone. PAGE_CACHE_SECONDS bounds how
# long a page is kept (0: never kept).
CACHES = cache_from_env(VAR_DIR)
PAGE_CACHE_SECONDS = env_seconds("PAGE_CACHE_SECONDS", 600)
# A link's last opening is written at most this often (s): reading the page
# again and again costs no write.
LINK_OPENED_EVERY = 300

# --- Import/export of delegates and flights (issue 3) -------------------------
# Files wait between preview and confirm under MEDIA_ROOT/import-tmp (0o700 folder,
# 0o600 files), never in the world-readable system temp folder. Every import runs
# in one transaction. Formula escaping is ours (delegations.spreadsheets): the
# library's IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT only strips a leading "=".
IMPORT_EXPORT_TMP_STORAGE_CLASS = "delegations.spreadsheets.PrivateImportStorage"
IMPORT_EXPORT_USE_TRANSACTIONS = True
