"""Settings for SCT Monitor: one module, every deployment choice read from the environment."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

# One switch for trying the production setup on this machine over plain HTTP: no HTTPS redirect,
# no secure-only cookies, no HSTS. It is refused unless every allowed host is this machine, so a
# real deployment cannot run with it by mistake.
INSECURE_LOCAL_HTTP = env_bool("INSECURE_LOCAL_HTTP", False)
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}

# A development key is only acceptable while DEBUG is on; production must bring its own.
_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
SECRET_KEY = env_str("SECRET_KEY") or (_DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG or INSECURE_LOCAL_HTTP else "")
if INSECURE_LOCAL_HTTP and not set(ALLOWED_HOSTS) <= LOCAL_HOSTS:
    raise ImproperlyConfigured(
        "INSECURE_LOCAL_HTTP is for a trial on this machine only: ALLOWED_HOSTS must be 127.0.0.1, localhost "
        f"or ::1, not {', '.join(sorted(set(ALLOWED_HOSTS) - LOCAL_HOSTS))}."
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "csp",
    "simple_history",
    "django_tables2",
    "django_filters",
    "govuk_frontend_django",
    "kpis",
    "audits",
    "finance",
    # Last: its post_migrate hook sets up the roles once every app's permissions exist.
    "sct_monitor",
]

MIDDLEWARE = [
    # First: a request body over its URL's limit is refused from its headers, before anything reads it.
    "sct_monitor.limits.BodySizeLimitMiddleware",
    # Pages leave compressed (static files come precompressed from WhiteNoise, gzip and Brotli).
    # Django's GZip pads each response at random, against BREACH-style guessing of the CSRF token.
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "sct_monitor.headers.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Results remembered on the versions of the tables they read: those versions are read once
    # per request, and again after the request writes.
    "sct_monitor.table_memo.TableMemoMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # CsrfViewMiddleware reads request.POST in process_view, which runs after every middleware's
    # request phase; the upload check below therefore sees the request before its body is read.
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Upload URLs take a body only from a signed-in administrator.
    "sct_monitor.limits.UploadPermissionMiddleware",
    # Every page needs a login unless its view is marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Signs out after the idle timeout and after the absolute limit from sign-in (with a message).
    "sct_monitor.signin.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes after the rest, so that it sees authentication results.
    "axes.middleware.AxesMiddleware",
    # Last: serves a stored board page (or a 304) once sign-in, timeouts and roles are settled.
    "sct_monitor.page_cache.PageCacheMiddleware",
]

# Board pages are kept in each app server's memory, keyed on the data version that every write
# advances (sct_monitor/page_cache.py), so a copy is never stale, whichever server wrote.
PAGE_CACHE_ENABLED = env_bool("PAGE_CACHE_ENABLED", True)
PAGE_CACHE_ENTRIES = env_int("PAGE_CACHE_ENTRIES", 300)
# The largest page kept: a report on hundreds of indicators runs to about 3 MB (kept with its
# gzipped copy, about a tenth of that), and is the page that costs most to render.
PAGE_CACHE_MAX_BYTES = env_int("PAGE_CACHE_MAX_BYTES", 4 * 1024 * 1024)
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "default"},
    "pages": {
        # Kept as they are, not pickled: a stored page is frozen bytes (sct_monitor/memory_cache.py).
        "BACKEND": "sct_monitor.memory_cache.ImmutableValuesCache",
        "LOCATION": "pages",
        "TIMEOUT": None,  # a copy is only ever replaced by a newer version, never timed out
        "OPTIONS": {"MAX_ENTRIES": PAGE_CACHE_ENTRIES, "CULL_FREQUENCY": 4},
    },
}

ROOT_URLCONF = "sct_monitor.urls"
WSGI_APPLICATION = "sct_monitor.wsgi.application"

TEMPLATES = [
    {
        # Django's, with large pieces of markup put into a page once it has rendered
        # (sct_monitor/late_markup.py).
        "BACKEND": "sct_monitor.late_markup.DjangoTemplates",
        "NAME": "django",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sct_monitor.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
}
# A database that accepts connections and never answers must not hold a worker: PostgreSQL gives
# up connecting after DB_CONNECT_TIMEOUT seconds and cancels a statement after DB_STATEMENT_TIMEOUT.
DB_CONNECT_TIMEOUT = env_int("DB_CONNECT_TIMEOUT", 5)
DB_STATEMENT_TIMEOUT = env_int("DB_STATEMENT_TIMEOUT", 60)  # seconds; 0 for none
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "connect_timeout": DB_CONNECT_TIMEOUT,
            "options": f"-c statement_timeout={DB_STATEMENT_TIMEOUT * 1000}",
        }
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # One machine's database: a write-ahead log, so pages are read while an import (in a process
    # of its own) writes, and every commit still synced (SQLite's default, FULL); 16 MB of page
    # cache a connection rather than 2 MB, so an import comparing 100,000 stored figures reads
    # the file once (64 MB was no faster, and counted in the process's memory).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "init_command", "PRAGMA journal_mode=WAL; PRAGMA cache_size=-16384; PRAGMA temp_store=MEMORY"
    )
# /healthz answers 503 when the database has not answered within this many seconds.
HEALTHZ_TIMEOUT = float(env_str("HEALTHZ_TIMEOUT", "1.5"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading the signed-in user with one plain statement (sessions.py).
    "sct_monitor.sessions.AccountBackend",
]
SESSION_ENGINE = "sct_monitor.sessions"
# Applied when a password is set through a form (password change, the administration pages).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"

# Sign-in throttling, counted two ways, each for an hour: SIGN_IN_FAILURES_PER_ADDRESS failures
# from one address (whatever usernames it tried) lock that address, and SIGN_IN_FAILURES_PER_USERNAME
# failures for one username (from any addresses) lock that username. The per-username limit is the
# higher, so one address is stopped before it could lock anyone's account: only failures from
# several addresses can. An administrator can unlock under Administration > Axes.
SIGN_IN_FAILURES_PER_ADDRESS = env_int("SIGN_IN_FAILURES_PER_ADDRESS", 10)
SIGN_IN_FAILURES_PER_USERNAME = env_int("SIGN_IN_FAILURES_PER_USERNAME", 20)
if not 0 < SIGN_IN_FAILURES_PER_ADDRESS < SIGN_IN_FAILURES_PER_USERNAME:
    raise ImproperlyConfigured(
        "SIGN_IN_FAILURES_PER_USERNAME must be higher than SIGN_IN_FAILURES_PER_ADDRESS (and both above 0), "
        "so that one address cannot lock an account."
    )
AXES_HANDLER = "sct_monitor.signin.SignInThrottle"
AXES_FAILURE_LIMIT = "sct_monitor.signin.failure_limit"
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The client's address is REMOTE_ADDR, unless TRUSTED_PROXY_HEADER names a header that the proxy in
# front sets to the client's address (nginx: proxy_set_header X-Real-IP $remote_addr), and the
# request came from one of TRUSTED_PROXY_ADDRESSES. A header from anyone else is ignored.
TRUSTED_PROXY_HEADER = env_str("TRUSTED_PROXY_HEADER")
TRUSTED_PROXY_ADDRESSES = env_list("TRUSTED_PROXY_ADDRESSES", "127.0.0.1,::1")
AXES_CLIENT_IP_CALLABLE = "sct_monitor.signin.client_ip"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed, far-future-cacheable names in production; plain names while developing.
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "sct_monitor.storage.StaticStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Security headers and cookies. HTTPS settings are on unless DEBUG or INSECURE_LOCAL_HTTP is on,
# or each is explicitly switched off.
_HTTPS = not (DEBUG or INSECURE_LOCAL_HTTP)
SESSION_COOKIE_HTTPONLY = True
# A sign-in lasts SESSION_COOKIE_AGE from signing in, however busy (the absolute limit), and ends
# sooner after SESSION_IDLE_TIMEOUT without a request.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 60 * 60)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", _HTTPS)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", _HTTPS)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _HTTPS)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if _HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", _HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", _HTTPS)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp): scripts and everything else only from this site, no
# inline script, no eval, no plugins, no framing, forms post only here.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        # Stylesheets only from this site, no inline style at all. plotly.js would inject <style>
        # elements; the chart pages hold elements that tell it not to, and serve its rules as
        # static/css/plotly-global.css instead (kpis/templatetags/kpi_charts.py). Styles it sets
        # from script go through the CSSOM, which the policy does not govern.
        "style-src": ["'self'"],
    }
}
# Features the service never uses are switched off for the page and anything it embeds.
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), encrypted-media=(), fullscreen=(), "
    "geolocation=(), gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), "
    "picture-in-picture=(), publickey-credentials-get=(), screen-wake-lock=(), serial=(), usb=(), "
    "xr-spatial-tracking=()"
)

# Request size caps. A body larger than its URL allows is refused (413) from its Content-Length
# before it is read (sct_monitor/limits.py): upload URLs allow IMPORT_MAX_BYTES plus the form
# around the file, every other URL DATA_UPLOAD_MAX_MEMORY_SIZE.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = env_int("FILE_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)

DJANGO_TABLES2_TEMPLATE = "django_tables2/table.html"

TRUST_NAME = env_str("TRUST_NAME", "Sandwell Children's Trust")
# The local authority the trust serves, for DfE comparisons: its old code, ONS code and region.
HOME_LA_CODE = env_str("HOME_LA_CODE", "333")
HOME_LA_ONS_CODE = env_str("HOME_LA_ONS_CODE", "E08000028")
HOME_LA_NAME = env_str("HOME_LA_NAME", "Sandwell")
HOME_REGION = env_str("HOME_REGION", "West Midlands")
# Which statistical-neighbour model an SN average uses: "current" (the DfE's LAIT: the model in
# force today, for every year) or "at_the_time" (the model in force on the date a figure describes).
SN_MODEL_RULE = env_str("SN_MODEL_RULE", "current")
if SN_MODEL_RULE not in ("current", "at_the_time"):
    raise ImproperlyConfigured("SN_MODEL_RULE must be 'current' or 'at_the_time'.")
SERVICE_NAME = "SCT Monitor"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # WeasyPrint reports each step of each page at INFO; only its warnings matter.
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Imports: the largest file and the most rows one import may hold.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 20 * 1024 * 1024)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 200_000)
# An .xlsx is a zip: the most its parts may unpack to, whatever the file's own size.
IMPORT_MAX_UNPACKED_BYTES = env_int("IMPORT_MAX_UNPACKED_BYTES", 200 * 1024 * 1024)
# A file with more rows than this, confirmed on the web page, is imported in a process of its own
# while the page follows it, so no request waits for it (or is cut off by the app server's timeout).
IMPORT_BACKGROUND_ROWS = env_int("IMPORT_BACKGROUND_ROWS", 10_000)
# A background import still running after this many minutes has stopped (its process was killed):
# it wrote nothing, since an import commits all at once or not at all.
IMPORT_RUNNING_LIMIT_MINUTES = env_int("IMPORT_RUNNING_LIMIT_MINUTES", 30)

# Retention (the purge command): uploads previewed but never confirmed keep their file this many
# hours; sign-in records (attempts, lock-outs, the sign-in log with addresses) this many days.
IMPORT_PREVIEW_RETENTION_HOURS = env_int("IMPORT_PREVIEW_RETENTION_HOURS", 24)
SIGN_IN_RECORD_RETENTION_DAYS = env_int("SIGN_IN_RECORD_RETENTION_DAYS", 90)
SIMPLE_HISTORY_REVERT_DISABLED = True  # history is read, never replayed over the workflow
