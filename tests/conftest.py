"""Shared fixtures. Tests that need a real server are marked and skipped with a reason locally;
in CI (CI=true) the settings refuse to start without the servers, so nothing is skipped silently."""

from __future__ import annotations

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
