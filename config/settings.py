"""Settings for Tiered Reader.

Everything that differs between a laptop and production comes from ``DJANGO_*``
environment variables (plus ``DATABASE_URL``). Production behaviour is switched
on by ``DJANGO_DEBUG=0``; it then refuses to start without a secret key.
"""

import os
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


# Off unless asked for: a forgotten variable must not expose debug pages in production.
DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off."
        )
    # Only ever used with DEBUG on, on a developer's machine.
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "csp",
    "axes",
    "template_partials.apps.SimpleAppConfig",
    # Cross-origin access to the annotation protocol (/annotations/); see the block at the end.
    "corsheaders",
    "reader",
]

MIDDLEWARE = [
    # First, as django-cors-headers asks, so that every answer on /annotations/ gets its CORS headers.
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Tier pages advertise the annotation service (Link header), the cached anonymous ones too.
    "reader.annotations.middleware.AnnotationServiceLinkMiddleware",
    # A cached tier page for an anonymous reader, before anything below runs.
    "reader.middleware.AnonymousTierPageMiddleware",
    # A cached tier page for a signed-in reader: with Redis one trip to it and no query; else one query.
    "reader.middleware.SignedInTierPageMiddleware",
    # Refuses a multipart or oversized body on any unsafe request before anything reads it.
    "reader.middleware.RequestBodyGuardMiddleware",
    # HTML compressed for clients that accept it (with Django's BREACH padding);
    # cached anonymous pages come compressed already.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # django-csp's, building the (fixed) policy once rather than on every response.
    "reader.middleware.ContentSecurityPolicyMiddleware",
    # ETag on every GET and 304 for a matching If-None-Match.
    "django.middleware.http.ConditionalGetMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            "builtins": [
                "django_htmx.templatetags.django_htmx",
                "template_partials.templatetags.partials",
            ],
            # template_partials needs its own loader wrapper to resolve
            # "template.html#partial-name"; SimpleAppConfig leaves that to us.
            "loaders": [
                (
                    "template_partials.loader.Loader",
                    [
                        (
                            "django.template.loaders.cached.Loader",
                            [
                                "django.template.loaders.filesystem.Loader",
                                "django.template.loaders.app_directories.Loader",
                            ],
                        )
                    ],
                )
            ],
        },
    }
]

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

DATABASES = {
    "default": dj_database_url.config(
        # Persistent connections: opening one (and, on SQLite, running the
        # PRAGMAs below) cost more than rendering a cached page.
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and one writer work at once; IMMEDIATE takes the write
    # lock at BEGIN so concurrent writers queue instead of failing mid-way.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not Django's shared-cache in-memory default, so that tests against
    # a live server see the same locking (WAL, busy timeout) as production.
    # Named per process: Django removes only the main file afterwards, and a new
    # database beside a stale -wal file reads as a disk I/O error.
    DATABASES["default"]["TEST"] = {
        "NAME": os.path.join(tempfile.gettempdir(), f"tiered-reader-test-{os.getpid()}.sqlite3")
    }

# Local memory by default; REDIS_URL shares one cache between app nodes.
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": (
        {
            # Django's, with one redis-py client per pool instead of one per call (reader/cache_backends.py).
            "BACKEND": "reader.cache_backends.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("DJANGO_CACHE_KEY_PREFIX", "tiered-reader"),
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tiered-reader"}
    )
}
# The sign-up and password-reset counters must never be evicted (an evicted slot is a free
# sign-up), and maxmemory applies to a whole Redis server: in production they live in a second,
# small Redis with noeviction. Development and tests share the default store, which tests clear.
THROTTLE_REDIS_URL = os.environ.get("THROTTLE_REDIS_URL", "")
CACHES["throttle"] = (
    {
        "BACKEND": "reader.cache_backends.RedisCache",
        "LOCATION": THROTTLE_REDIS_URL,
        "KEY_PREFIX": os.environ.get("DJANGO_CACHE_KEY_PREFIX", "tiered-reader"),
    }
    if THROTTLE_REDIS_URL
    else CACHES["default"]
)
# With a shared cache, sessions are read from it (and written through to the database, so an
# eviction signs no one out): a signed-in page then costs no session query.
if REDIS_URL:
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "config.storage.StaticStorage"
        )
    },
}

# Limits on what one reader can store.
MAX_NOTES_PER_READER = int(os.environ.get("DJANGO_MAX_NOTES_PER_READER", "5000"))
NOTE_SELECTION_MAX_LENGTH = 20_000
# A note form is a few kilobytes at most (a 10,000-character note and a 20,000-character quote, UTF-8).
NOTE_REQUEST_MAX_BYTES = 256 * 1024

# Where `make run` and `import_article` look for article sources.
ARTICLES_DIR = BASE_DIR / "content" / "articles"

SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# No script reads the CSRF cookie: templates put the token in forms and hx-headers.
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", True)
    if env_bool("DJANGO_BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

AUTHENTICATION_BACKENDS = [
    # Refuses logins for a locked-out account or address before checking the password.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Sign-in throttling (django-axes with reader/throttling.py). From one client address: at most
# DJANGO_LOGIN_FAILURE_LIMIT failed sign-ins per account and LOGIN_ADDRESS_FAILURE_LIMIT in all, counted
# until 15 minutes pass without a failure. Failures from one address never lock the account at another,
# and no sign-in or sign-up from the address erases them.
AXES_FAILURE_LIMIT = int(os.environ.get("DJANGO_LOGIN_FAILURE_LIMIT", "10"))
LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("DJANGO_LOGIN_ADDRESS_FAILURE_LIMIT", "30"))
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "reader.throttling.SignInThrottleHandler"
AXES_LOCKOUT_CALLABLE = "reader.throttling.lockout_response"
AXES_RESET_ON_SUCCESS = False
AXES_VERBOSE = False
# The client address is REMOTE_ADDR, or behind the TLS proxy (DJANGO_BEHIND_TLS_PROXY=1) the last
# X-Forwarded-For entry: the one the proxy appended, never one the client wrote. (django-ipware, which
# the AXES_IPWARE_* settings configure, is not installed: axes asks this callable.)
BEHIND_TLS_PROXY = env_bool("DJANGO_BEHIND_TLS_PROXY", False)
AXES_CLIENT_IP_CALLABLE = "reader.throttling.client_ip"
# Accounts created, and password-reset e-mails requested, per client address per hour (in the cache).
SIGNUP_LIMIT_PER_HOUR = int(os.environ.get("DJANGO_SIGNUP_LIMIT_PER_HOUR", "5"))
PASSWORD_RESET_LIMIT_PER_HOUR = int(os.environ.get("DJANGO_PASSWORD_RESET_LIMIT_PER_HOUR", "5"))

# E-mail (password reset): printed on the console in development; in production sent through the
# SMTP server in DJANGO_EMAIL_URL (dj-email-url, e.g. submission://user:password@smtp.example:587),
# else through localhost:25. A failed send is logged, and the reset page looks the same.
_email_url = os.environ.get("DJANGO_EMAIL_URL", "")
_email: dict = {}
if _email_url:
    import dj_email_url

    _email = dj_email_url.parse(_email_url)
    if "EMAIL_BACKEND" not in _email:
        raise ImproperlyConfigured(
            "DJANGO_EMAIL_URL: unknown scheme; use smtp://, submission:// (STARTTLS, port 587), "
            "smtp://…?ssl=True, or console://"
        )
    EMAIL_BACKEND = _email["EMAIL_BACKEND"]
    EMAIL_HOST = _email["EMAIL_HOST"] or "localhost"
    EMAIL_PORT = _email["EMAIL_PORT"] or 25
    EMAIL_HOST_USER = _email["EMAIL_HOST_USER"] or ""
    EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"] or ""
    EMAIL_USE_TLS = _email["EMAIL_USE_TLS"]
    EMAIL_USE_SSL = _email["EMAIL_USE_SSL"]
elif DEBUG:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# A stuck mail server must not hold a worker for long.
EMAIL_TIMEOUT = _email.get("EMAIL_TIMEOUT") or 10
DEFAULT_FROM_EMAIL = os.environ.get(
    "DJANGO_DEFAULT_FROM_EMAIL", _email.get("DEFAULT_FROM_EMAIL", "Tiered Reader <noreply@localhost>")
)
SERVER_EMAIL = _email.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
del _email_url, _email

# Content Security Policy (django-csp 4): only this origin, no inline script or
# style anywhere, and no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}

# --- Annotation protocol (W3C Web Annotation Protocol at /annotations/, README "Annotation protocol") ---
# Cross-origin access (django-cors-headers) only for the origins listed in DJANGO_ANNOTATION_CORS_ORIGINS
# (comma-separated, e.g. https://tool.example), only on /annotations/, and never with cookies: other
# sites' tools authenticate with a personal access token (Authorization: Bearer).
CORS_ALLOWED_ORIGINS = env_list("DJANGO_ANNOTATION_CORS_ORIGINS", [])
CORS_URLS_REGEX = r"^/annotations/"
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "DELETE"]
CORS_ALLOW_HEADERS = ["authorization", "content-type", "prefer", "if-match", "slug"]
CORS_EXPOSE_HEADERS = ["ETag", "Allow", "Vary", "Link", "Content-Type", "Location", "Content-Location"]
CORS_PREFLIGHT_MAX_AGE = 3600

# Hand-written alignment labels (<slug>.json): when an imported article has a
# file here, the import report measures its cross-tier links against it.
ALIGNMENT_LABELS_DIR = Path(
    os.environ.get("DJANGO_ALIGNMENT_LABELS_DIR", BASE_DIR / "tests" / "fixtures" / "alignment" / "blocks")
)

# Request bodies (reader.middleware.RequestBodyGuardMiddleware): every unsafe request is refused from its
# headers when it is multipart (415) or larger than its cap (413), before anything reads it; a body streamed
# without a length is read up to the cap. The note endpoints take NOTE_REQUEST_MAX_BYTES and the annotation
# container 64 KB of JSON; the admin's pages past its sign-in ADMIN_REQUEST_MAX_BYTES; everything else
# (sign-in, sign-up, password reset and change, tokens, sign-out) REQUEST_MAX_BYTES. The proxy sets the same
# caps (README "Deploying").
REQUEST_MAX_BYTES = int(os.environ.get("DJANGO_REQUEST_MAX_BYTES", str(16 * 1024)))
ADMIN_REQUEST_MAX_BYTES = int(os.environ.get("DJANGO_ADMIN_REQUEST_MAX_BYTES", str(512 * 1024)))
