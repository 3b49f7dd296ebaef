"""Code drafts live in the browser; logging out removes them for the next person."""

from __future__ import annotations

import pytest

from tests.factories import make_user

pytestmark = pytest.mark.browser


def test_logging_out_removes_the_code_drafts_kept_in_the_browser(bare_page):
    page = bare_page
    make_user("shared-pc")
    page.goto("/accounts/login/")
    page.fill("#id_username", "shared-pc")
    page.fill("#id_password", "pw-for-tests-123")
    page.click("main button[type=submit], main input[type=submit]")
    page.wait_for_selector("html[data-app-ready]", state="attached")
    page.evaluate(
        "localStorage.setItem('draft:lstm-cell:1', 'def lstm(): ...'); localStorage.setItem('other', 'kept')"
    )
    page.click("form[data-clear-drafts] button")
    page.wait_for_url("**/")
    kept = page.evaluate(
        "[localStorage.getItem('draft:lstm-cell:1'), localStorage.getItem('other')]"
    )
    assert kept == [None, "kept"]
