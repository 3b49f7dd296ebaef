"""An author creates a code problem in the admin, validates it and publishes it."""

from __future__ import annotations

import json

import pytest

from problems.models import Problem, Section
from problems.roles import author_group
from tests.browser.conftest import ARTIFACTS
from tests.factories import make_section, make_user

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REFERENCE = "import numpy as np\n\ndef relu(x):\n    return np.maximum(x, 0)\n"
TESTS = [
    {"name": "matrix 3x5", "args": {"x": {"shape": [3, 5]}}},
    {"name": "zeros stay zero", "args": {"x": {"value": [0.0, -0.0, 1.5]}}},
    {"name": "hidden vector", "hidden": True, "args": {"x": {"shape": [7]}}},
]
MUTANTS = [
    {
        "name": "abs",
        "description": "absolute value, not ReLU",
        "code": "import numpy as np\n\ndef relu(x):\n    return np.abs(x)\n",
    },
    {
        "name": "in-place",
        "description": "clips its input",
        "code": "import numpy as np\n\ndef relu(x):\n    np.maximum(x, 0, out=x)\n    return x\n",
    },
]


@pytest.fixture
def author_page(browser, live_server, transactional_db, settings):
    settings.GRADING_BACKEND = "sync"
    author = make_user("author1", is_staff=True)
    author.groups.add(author_group())  # data from migrations is flushed between live-server tests
    context = browser.new_context(viewport={"width": 1366, "height": 900}, base_url=live_server.url)
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.route(lambda url: not url.startswith(live_server.url), lambda route: route.abort())
    page.goto("/admin/login/")
    page.fill("#id_username", "author1")
    page.fill("#id_password", "pw-for-tests-123")
    page.click("input[type=submit]")
    yield page
    context.close()


def test_an_author_creates_validates_and_publishes_a_code_problem(author_page):
    page = author_page
    section = make_section("authored")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # given the add form
    page.goto("/admin/problems/problem/add/")
    page.select_option("#id_section", str(section.pk))
    page.fill("#id_slug", "relu-authored")
    page.select_option("#id_kind", "code")
    page.fill("#id_points", "3")
    page.fill("#id_title_ja", "ReLU を実装する")
    page.fill("#id_title_en", "Implement ReLU")
    page.fill("#id_statement_ja", "`relu(x)` を実装してください: $\\max(x, 0)$")
    page.fill("#id_statement_en", "Implement `relu(x)`: $\\max(x, 0)$")
    page.fill("#id_explanation_ja", "`np.maximum(x, 0)` は新しい配列を返します。")
    page.fill("#id_explanation_en", "`np.maximum(x, 0)` returns a new array.")
    # and the code spec, as structured data
    page.fill("#id_code_spec-0-entry_points", json.dumps(["relu"]))
    page.fill("#id_code_spec-0-starter_code", "import numpy as np\n\ndef relu(x):\n    pass\n")
    page.fill("#id_code_spec-0-reference", json.dumps({"code": REFERENCE}))
    page.fill("#id_code_spec-0-tests", json.dumps(TESTS, indent=2))
    page.fill("#id_code_spec-0-mutants", json.dumps(MUTANTS, indent=2))
    page.fill("#id_code_spec-0-limits", json.dumps({"wall_seconds": 5, "memory_mb": 512}))
    # when the author saves it (unpublished)
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")
    problem = Problem.objects.get(slug="relu-authored")
    assert not problem.is_published and problem.versions.count() == 1
    # the live preview shows the statement rendered with KaTeX
    frame = page.frame_locator("#preview-statement_en")
    frame.locator(".katex").first.wait_for()
    page.screenshot(path=ARTIFACTS / "admin-problem-change.png", full_page=True)
    # and presses Validate
    page.click("#validate-button")
    page.wait_for_selector("#not-validated")
    page.click("#run-validation")
    page.wait_for_selector("#validation-table")
    assert "Passed" in page.inner_text("#validation-result")
    rows = page.locator("#validation-table tbody tr")
    assert rows.count() == len(TESTS)
    header = page.inner_text("#validation-table thead").lower()  # the admin upper-cases headers
    assert "reference" in header and "abs" in header and "in-place" in header
    page.screenshot(path=ARTIFACTS / "admin-validate.png", full_page=True)
    # then publishes it
    page.click("#publish-after-validate")
    page.wait_for_selector(".messagelist .success")
    assert "is published" in page.inner_text(".messagelist")
    problem.refresh_from_db()
    assert problem.is_published
    assert problem.versions.get().validated_at is not None


def test_a_spec_error_points_at_the_field(author_page):
    page = author_page
    section = Section.objects.first() or make_section("authored2")
    page.goto("/admin/problems/problem/add/")
    page.select_option("#id_section", str(section.pk))
    page.fill("#id_slug", "broken-spec")
    page.select_option("#id_kind", "code")
    for name in ("title", "statement", "explanation"):
        page.fill(f"#id_{name}_ja", "x")
        page.fill(f"#id_{name}_en", "x")
    page.fill("#id_code_spec-0-entry_points", json.dumps(["relu"]))
    page.fill("#id_code_spec-0-starter_code", "def relu(x):\n    pass\n")
    page.fill("#id_code_spec-0-reference", json.dumps({"code": REFERENCE}))
    page.fill(
        "#id_code_spec-0-tests", json.dumps([{"name": "bad", "args": {"x": {"shape": [3, -1]}}}])
    )
    page.click("input[name=_continue]")
    error = page.locator(
        ".field-tests .errorlist, .errors.field-tests, .form-row.field-tests .errorlist"
    ).first
    error.wait_for()
    assert "tests[0].args.x" in error.inner_text()
    assert not Problem.objects.filter(slug="broken-spec").exists()
