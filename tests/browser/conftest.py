"""Playwright (sync API) driving Debian's Chromium against pytest-django's live server.

Playwright's sync API runs an event loop in the test's thread; Django refuses database access
from a thread with a running loop unless told this is deliberate."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.core.management import call_command

from problems.models import Problem, ProblemKind

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


# `browser` (the session's one Chromium) comes from tests/conftest.py.


@pytest.fixture
def site(live_server, settings, transactional_db):
    """The live server with the real curriculum; code is graded by the server's own threads.

    The load skips running every reference and mutant (tests/content proves the whole
    curriculum that way) and publishes the code problems itself: each test reloads the
    database, and validating 26 problems each time would triple the browser tests' time."""
    settings.GRADING_BACKEND = "inprocess"
    call_command("load_curriculum", skip_validation=True, verbosity=0)
    Problem.objects.filter(kind=ProblemKind.CODE).update(is_published=True)
    return live_server.url


def _open_page(browser, base_url: str):
    context = browser.new_context(viewport=DESKTOP, locale="ja-JP", base_url=base_url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    # Nothing may leave the machine: every request goes to the live server.
    page.route(lambda url: not url.startswith(base_url), lambda route: route.abort())
    errors: list[str] = []

    def on_console(message) -> None:
        # HTTP errors are logged as "Failed to load resource"; the tests check statuses.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            errors.append(f"{page.url}: {message.text}")

    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    page.on("console", on_console)
    yield page
    context.close()
    # A page whose script broke may still look right in a screenshot.
    assert errors == [], "JavaScript errors on the pages:\n" + "\n".join(errors)


@pytest.fixture
def page(browser, site):
    """A page on the live server with the real curriculum."""
    yield from _open_page(browser, site)


@pytest.fixture
def bare_page(browser, live_server, transactional_db):
    """A page on the live server with only what the test makes (no curriculum load)."""
    yield from _open_page(browser, live_server.url)


def screenshots(
    page, site: str, path: str, name: str, *, ready="html[data-app-ready]", show: str = ""
) -> None:
    """`name`-{ja,en}-{1366x768,390x844}.png of `path` under tests/browser/artifacts/: the window
    as the learner sees it, and `...-full.png`, the whole page. (In the full page, `vh` is the
    page's height, so the code editor's max-height grows while the shot is taken.) `show` is
    a selector scrolled into the window first."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for language in ("ja", "en"):
        page.context.add_cookies([{"name": "django_language", "value": language, "url": site}])
        for viewport in (DESKTOP, PHONE):
            page.set_viewport_size(viewport)
            page.goto(path)
            page.wait_for_selector(ready, state="attached")
            page.wait_for_function("document.fonts.status === 'loaded'")
            size = f"{viewport['width']}x{viewport['height']}"
            if show:
                page.locator(show).first.evaluate("e => e.scrollIntoView({block: 'start'})")
            page.screenshot(path=ARTIFACTS / f"{name}-{language}-{size}.png")
            page.screenshot(path=ARTIFACTS / f"{name}-{language}-{size}-full.png", full_page=True)
    page.set_viewport_size(DESKTOP)
