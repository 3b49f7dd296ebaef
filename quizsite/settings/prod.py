"""Production: refuses to start without SECRET_KEY; HTTPS only, secure cookies; DEBUG off unless asked."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Set it in the environment (see .env.example) before starting."
    )

SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
LANGUAGE_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# HTTPS: redirect and HSTS on unless the environment turns them off (e.g. a first test behind
# a proxy without a certificate). A year of HSTS; subdomains and preload only when asked.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# The health check is answered over plain HTTP, so compose and load balancers can probe it.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# X-Forwarded-Proto is trusted only when a proxy we run sets it (compose's Caddy does); a
# client talking to gunicorn directly could otherwise claim HTTPS.
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Static files: compressed and cached, but a file missing from the manifest (collected with
# other settings, or before a rebuild) is served under its plain name instead of a 500.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {
        "BACKEND": "quizsite.storage.LenientManifestStaticFilesStorage",
    },
}
# Preloading is a request to be listed in browsers' HSTS list, a commitment for the domain and
# every subdomain that an operator makes on purpose (SECURE_HSTS_PRELOAD=true), not a default.
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS = [*globals().get("SILENCED_SYSTEM_CHECKS", []), "security.W021"]
