"""Settings shared by every environment, read from the environment (12-factor)."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

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
    "knox",
    "axes",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "problems",
    "study",
    "frontend",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "quizsite.middleware.RequestBodyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "quizsite.urls"
WSGI_APPLICATION = "quizsite.wsgi.application"
ASGI_APPLICATION = "quizsite.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "frontend" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "frontend.context_processors.review_badge",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the grader write while a learner reads; the busy timeout and IMMEDIATE
    # transactions make a second writer wait instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes counts failed logins per username and address (HTML, admin and the token API),
# so an attacker cannot lock the real user out from elsewhere; the lock lifts by itself.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "problems.api.auth.lockout_response"
# Reverse proxies in front of Django that append the client's address to X-Forwarded-For (the
# compose TLS proxy: 1). With 0 the header is ignored, so a client cannot pick its own address
# to dodge the login lockout or the sign-up throttle.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "problems.api.auth.client_ip"
# API tokens (django-rest-knox): stored hashed, expire, revoked by logout or a new password.
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=int(os.environ.get("API_TOKEN_TTL_HOURS", "24"))),
    "AUTH_HEADER_PREFIX": "Token",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "quizsite API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",  # served from our static files: no CDN, fits the CSP
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Japanese first; English available. The learner's choice is remembered in a cookie.
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
USE_I18N = True
TIME_ZONE = "Asia/Tokyo"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = (
    [BASE_DIR / "frontend" / "dist"] if (BASE_DIR / "frontend" / "dist").is_dir() else []
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # The token first: its WWW-Authenticate header makes an anonymous request a 401.
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["quizsite.parsers.StrictJSONParser"],
    "EXCEPTION_HANDLER": "problems.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,  # DRF throttles read the client's address the same way
    "DEFAULT_THROTTLE_RATES": {
        "submissions": os.environ.get("SUBMISSION_RATE", "30/min"),
        "answers": os.environ.get("ANSWER_RATE", "120/min"),
        "signups": os.environ.get("SIGNUP_RATE", "10/hour"),
    },
}

# Grading. Without a broker, submissions are graded in-process (threads of the web process);
# with REDIS_URL / CELERY_BROKER_URL they go to Celery workers.
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
GRADING_BACKEND = os.environ.get("GRADING_BACKEND", "celery" if CELERY_BROKER_URL else "inprocess")
GRADING_MAX_ATTEMPTS = 3  # a submission that killed its worker this often ends as IE
GRADING_LEASE_SECONDS = int(os.environ.get("GRADING_LEASE_SECONDS", "120"))
SUBMISSION_MAX_CODE_BYTES = 64 * 1024
# Request bodies: the API reads at most this much JSON (a 64 KiB submission escaped as JSON
# fits); HTML forms at most DATA_UPLOAD_MAX_MEMORY_SIZE (Django's 2.5 MB: admin content forms
# carry whole code specs).
# Larger bodies get a 413 with a sentence (quizsite/middleware.py, quizsite/parsers.py).
API_MAX_BODY_BYTES = int(os.environ.get("API_MAX_BODY_BYTES", str(256 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("FORM_MAX_BODY_BYTES", str(2621440)))
SUBMISSIONS_IN_FLIGHT_PER_USER = int(os.environ.get("SUBMISSIONS_IN_FLIGHT_PER_USER", "3"))
# Event streams are bounded long-polls: each ends after this long (the browser reconnects),
# and one user holds at most this many at once, so no one can take every web thread.
EVENT_STREAM_SECONDS = float(os.environ.get("EVENT_STREAM_SECONDS", "10"))
EVENT_STREAMS_PER_USER = int(os.environ.get("EVENT_STREAMS_PER_USER", "3"))
# A validation's live progress (problems/validation_progress.py) stays in the cache this long
# after its last write: past the validation task's hard limit (540 s), so a dead worker's
# "running" goes away, and long enough to show the outcome to an author who looks later.
VALIDATION_PROGRESS_TTL_SECONDS = int(os.environ.get("VALIDATION_PROGRESS_TTL_SECONDS", "3600"))
# A running validation whose process has written nothing for this long was interrupted (the
# task's hard limit is 540 s for the whole validation, so a healthy one never goes this quiet).
VALIDATION_PROGRESS_STALE_SECONDS = int(os.environ.get("VALIDATION_PROGRESS_STALE_SECONDS", "600"))

# Celery on Redis acknowledges early by default; here a task is acknowledged only after it
# ran, redelivered if its worker dies, and one task is reserved at a time.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
# Must exceed the hard time limit by a margin, or Redis redelivers tasks still running.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 600}
CELERY_TASK_DEFAULT_QUEUE = "grading"
CELERY_TASK_ROUTES = {"problems.tasks.*": {"queue": "grading"}}
CELERY_BEAT_SCHEDULE = {
    "sweep-stale-submissions": {"task": "problems.tasks.sweep_submissions", "schedule": 30.0},
}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

CONTENT_DIR = BASE_DIR / "content"

# Throttle counters must be shared by every web process: Redis when there is one. A Redis
# that stops answering fails a request within seconds rather than holding it for ever (a
# grading's progress is written from inside the sandbox's watchdog loop: problems/progress.py).
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Content-Security-Policy on every response (django-csp 4). No inline or eval'd script anywhere:
# templates load bundles from /static/. Mermaid writes <style> into its SVGs, hence the inline
# styles; images and KaTeX fonts may be data: URLs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
    }
}
