"""Tests: the machine's PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379).

Locally without PostgreSQL the suite falls back to SQLite and the tests that need a server
are skipped with a reason naming it; in CI (CI=true) a missing server is an error instead.
"""

import os
import socket

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


IN_CI = env_bool("CI", False)
POSTGRES_AVAILABLE = _reachable("127.0.0.1", 5432)
REDIS_AVAILABLE = _reachable("127.0.0.1", 6379)
if IN_CI and not (POSTGRES_AVAILABLE and REDIS_AVAILABLE):
    raise ImproperlyConfigured(
        "CI needs PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379; "
        f"reachable: postgres={POSTGRES_AVAILABLE}, redis={REDIS_AVAILABLE}."
    )

SECRET_KEY = "test-secret-key"
DEBUG = False
if POSTGRES_AVAILABLE and not os.environ.get("DATABASE_URL", "").startswith("sqlite"):
    DATABASES = {
        "default": dj_database_url.parse(  # noqa: F405
            os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/quizsite"
        )
    }
    # Concurrent test runs on one machine must not share (and drop) one test database.
    if not os.environ.get("DATABASE_URL"):
        DATABASES["default"]["TEST"] = {"NAME": f"test_quizsite_{os.getpid()}"}
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests grade synchronously unless a test starts real workers itself.
GRADING_BACKEND = os.environ.get("GRADING_BACKEND", "sync")
REDIS_URL = "redis://127.0.0.1:6379/15"
CELERY_BROKER_URL = REDIS_URL
# Real workers started by a test (tests/pipeline) share the cache with it, as in production
# (a grading's progress, problems/progress.py); other tests keep a per-process one.
SHARED_CACHE = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
if os.environ.get("QUIZ_TEST_SHARED_CACHE"):
    CACHES = {"default": SHARED_CACHE}
LOGGING = {"version": 1, "disable_existing_loggers": False}
