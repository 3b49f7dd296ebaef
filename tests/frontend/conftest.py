"""Fixtures of the bundle tests (test_bundle*.py): the built bundle, a static server of
frontend/, and `open_page`, which fails a test whose page reached outside the machine."""

from __future__ import annotations

import shutil
import subprocess
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from tests.frontend.bundle_page import DESKTOP, FRONTEND


@pytest.fixture(scope="module")
def bundle():
    if not (FRONTEND / "dist" / "app.js").exists():
        if shutil.which("npm") is None:
            pytest.fail("frontend/dist/ is missing and npm is not installed to build it")
        subprocess.run(["make", "-s", "-C", str(FRONTEND), "build"], check=True)
    return FRONTEND / "dist"


@pytest.fixture(scope="module")
def static_server(bundle):
    class QuietHandler(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=FRONTEND))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


# `browser` is the session's one Chromium, from tests/conftest.py.


@pytest.fixture
def open_page(browser, static_server):
    """open_page(query="", viewport=DESKTOP) -> a loaded page of the test bundle.

    Every test fails if the page asked for anything outside this machine, threw an error or
    wanted a string that #i18n does not have."""
    contexts = []
    outside = []
    errors = []

    def keep_local(route):
        url = urlsplit(route.request.url)
        if url.scheme in ("data", "blob") or url.hostname in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    def open_page(query="", viewport=DESKTOP, before_load=None):
        context = browser.new_context(viewport=viewport, locale="ja-JP")
        contexts.append(context)
        context.route("**/*", keep_local)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on(
            "console",
            lambda message: errors.append(message.text) if "#i18n" in message.text else None,
        )
        page.requested = []
        page.on("request", lambda request: page.requested.append(request.url))
        if before_load:
            before_load(page)
        page.goto(f"{static_server}/test/bundle.html{query}")
        page.wait_for_selector("html[data-app-ready][data-editor-ready]")
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert outside == [], f"requests left the machine: {outside}"
    assert errors == [], f"the page threw: {errors}"
