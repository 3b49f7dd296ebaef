"""Shared fixtures. Tests that need a real server are marked and skipped with a reason locally;
in CI (CI=true) the settings refuse to start without the servers, so nothing is skipped silently."""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings


def pytest_collection_modifyitems(config, items):
    reasons = {
        "postgres": (
            getattr(settings, "POSTGRES_AVAILABLE", True),
            "needs PostgreSQL on 127.0.0.1:5432",
        ),
        "redis": (getattr(settings, "REDIS_AVAILABLE", True), "needs Redis on 127.0.0.1:6379"),
    }
    for item in items:
        for marker, (available, reason) in reasons.items():
            if marker in item.keywords and not available:
                item.add_marker(pytest.mark.skip(reason=reason))


ROLES = ("anonymous", "owner", "stranger", "staff", "author", "reviewer", "superuser")


class RoleClients:
    """One user per role, as healthchecks' BaseTestCase gives every test an owner, a team
    member and a stranger: the owner is the learner whose work the test looks at.
    (Its imports are inside: this file is imported before Django's apps are ready.)"""

    def __init__(self):
        from tests.factories import make_role_user

        self.users = {
            "anonymous": None,
            "owner": make_role_user("learner", "owner"),
            "stranger": make_role_user("learner", "stranger"),
            "staff": make_role_user("staff"),
            "author": make_role_user("author"),
            "reviewer": make_role_user("reviewer"),
            "superuser": make_role_user("superuser"),
        }

    @property
    def owner(self):
        return self.users["owner"]

    def client(self, role: str, language: str = "en"):
        """A browser with the role's session (none for `anonymous`)."""
        from tests.factories import client_for

        return client_for(self.users[role], language)

    def api(self, role: str, language: str = "en"):
        """An API client authenticated as the role's user (not at all for `anonymous`)."""
        from rest_framework.test import APIClient

        client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
        if self.users[role] is not None:
            client.force_authenticate(self.users[role])
        return client


@pytest.fixture
def roles(db) -> RoleClients:
    return RoleClients()


@pytest.fixture
def private_cache(settings):
    """A cache of the test's own. Throttle counters and stream slots in the shared Redis are
    keyed by addresses and user ids that every test run (and every engineer's) reuses."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"test-{uuid.uuid4()}",
        }
    }


@pytest.fixture
def grading_off(settings):
    """Submissions stay queued: for tests of the API around grading, not of grading."""
    settings.GRADING_BACKEND = "none"


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    """The session's one headless Chromium (Debian's). Playwright's sync API allows one
    driver per thread, so every browser test shares this one."""
    import os
    from pathlib import Path

    if not Path(CHROMIUM).exists():
        message = f"needs Debian's chromium at {CHROMIUM}; `make install` installs it"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()
