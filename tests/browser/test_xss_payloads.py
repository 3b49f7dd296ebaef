"""Stored script-injection payloads in a statement run no script, for learners and in the admin."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from tests.factories import make_code_problem, make_problem
from tests.xss_payloads import XSS_PAYLOADS

pytestmark = pytest.mark.browser

# Every payload calls __xss(); defined in every frame before the page's own scripts run.
_TRAP = """
window.__xss = () => { console.log("XSS-EXECUTED"); };
"""
_STATEMENT = "Let $x^2 + y^2 = 1$.\n\n" + "\n\n".join(XSS_PAYLOADS)


@pytest.fixture
def trapped(browser, live_server, transactional_db):
    """A page whose executed payloads, dialogs and own script errors are recorded."""
    context = browser.new_context(viewport={"width": 1366, "height": 900}, base_url=live_server.url)
    context.set_default_timeout(20_000)
    context.add_init_script(_TRAP)
    page = context.new_page()
    page.route(lambda url: not url.startswith(live_server.url), lambda route: route.abort())
    record = {"executed": [], "dialogs": [], "page_errors": [], "csp": []}

    def on_console(message) -> None:
        if "XSS-EXECUTED" in message.text:
            record["executed"].append(page.url)
        elif "Content Security Policy" in message.text:
            record["csp"].append(message.text)

    def on_dialog(dialog) -> None:
        record["dialogs"].append(dialog.message)
        dialog.dismiss()

    page.on("console", on_console)
    page.on("dialog", on_dialog)
    page.on("pageerror", lambda error: record["page_errors"].append(str(error)))
    yield page, record
    context.close()


# The CSP would stop these even if the sanitiser let them through; the DOM must not hold them.
_INJECTED = """
() => [...document.querySelectorAll("body *")].flatMap((element) => [...element.attributes]
  .filter((a) => a.name.startsWith("on") || /^\\s*(javascript|data):/i.test(a.value))
  .map((a) => `${element.tagName} ${a.name}=${a.value}`))
"""


def _hover_and_focus_everything(page) -> None:
    # Handlers that need interaction (onmouseover, onfocus) get it.
    for link in page.locator("main a, .statement a").all()[:30]:
        link.hover()
        link.focus()


def test_no_payload_runs_on_the_learner_page(trapped):
    page, record = trapped
    problem = make_problem(statement_ja=_STATEMENT, statement_en=_STATEMENT)

    response = page.goto(f"/problems/{problem.slug}/")
    page.wait_for_selector("html[data-app-ready]", state="attached")
    _hover_and_focus_everything(page)
    page.wait_for_timeout(500)

    policy = response.headers["content-security-policy"]
    assert (
        "script-src 'self'" in policy
        and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    )
    assert page.locator(".katex").count() >= 1  # the page's own JS still renders math
    assert page.evaluate(_INJECTED) == []
    assert record["executed"] == [] and record["dialogs"] == []
    assert record["page_errors"] == []


def test_no_payload_runs_in_the_admin_preview_and_live_preview(trapped):
    page, record = trapped
    get_user_model().objects.create_superuser("root", "root@example.org", "pw-for-tests-123")
    problem = make_problem(statement_ja=_STATEMENT, statement_en=_STATEMENT)
    page.goto("/admin/login/")
    page.fill("#id_username", "root")
    page.fill("#id_password", "pw-for-tests-123")
    page.click("input[type=submit]")

    # the "preview as learner" page
    page.goto(f"/preview/problems/{problem.pk}/")
    page.wait_for_selector("html[data-app-ready]", state="attached")
    _hover_and_focus_everything(page)
    injected_in_preview = page.evaluate(_INJECTED)

    # the change form's live preview, in a sandboxed frame
    page.goto(f"/admin/problems/problem/{problem.pk}/change/")
    frame = page.frame_locator("#preview-statement_en")
    frame.locator(".katex").first.wait_for()
    sandbox = page.locator("#preview-statement_en").get_attribute("sandbox")
    page.wait_for_timeout(500)

    assert sandbox is not None and "allow-same-origin" not in sandbox
    assert injected_in_preview == []
    assert record["executed"] == [] and record["dialogs"] == []
    assert record["page_errors"] == []


_DIAGRAM = (
    "graph TD\n"
    '  A["<img src=x onerror=__xss()> start"] --> B["<b onmouseover=__xss()>end</b>"]\n'
    "  click A call __xss()\n"
    '  click B "javascript:__xss()"\n'
)


def test_mermaid_draws_a_hostile_diagram_under_the_csp_without_running_it(trapped):
    page, record = trapped
    problem = make_problem(diagram=_DIAGRAM)

    page.goto(f"/problems/{problem.slug}/")
    page.wait_for_selector("pre.mermaid[data-diagram-rendered] svg", state="attached")
    page.wait_for_timeout(500)

    assert record["executed"] == [] and record["dialogs"] == []
    assert record["page_errors"] == []
    assert page.evaluate(_INJECTED) == []


def test_the_code_editor_starts_under_the_csp(trapped):
    page, record = trapped
    get_user_model().objects.create_user("learner", password="pw-for-tests-123")
    problem = make_code_problem()
    page.goto("/accounts/login/")
    page.fill("#id_username", "learner")
    page.fill("#id_password", "pw-for-tests-123")
    page.press("#id_password", "Enter")
    page.wait_for_url("**/")

    page.goto(f"/problems/{problem.slug}/")
    page.wait_for_selector("html[data-editor-ready]", state="attached")

    assert page.locator(".cm-editor").count() >= 1
    assert record["page_errors"] == [] and record["csp"] == []
