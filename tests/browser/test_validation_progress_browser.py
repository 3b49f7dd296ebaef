"""An author saves a code problem with "Save and validate" and watches its validation advance
live on the change page (the server's own grading threads, the real sandbox), in ja and en,
then follows one to its report on the Validate page."""

from __future__ import annotations

import re
import time

import pytest

from problems.content.loader import problem_version_sync
from problems.models import CodeSpec
from problems.roles import author_group
from tests.browser.conftest import ARTIFACTS
from tests.factories import make_problem, make_user

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.usefixtures("private_cache")]

# A slow problem, as a training exercise is: each call takes a moment, so a validation (the
# reference and three mutants, each graded on every test) lasts long enough to watch.
SLOW_RELU = (
    "import time\nimport numpy as np\n\n\ndef relu(x):\n    time.sleep(0.3)\n    return {}\n"
)
MUTANTS = [
    {"name": "absolute-value", "code": SLOW_RELU.format("np.abs(x)")},
    {"name": "threshold-at-one", "code": SLOW_RELU.format("np.maximum(x, 1.0)")},
    {"name": "identity", "code": SLOW_RELU.format("x")},
]
TESTS = [
    {"name": "matrix 3x5", "args": {"x": {"shape": [3, 5]}}},
    {"name": "zeros stay zero", "args": {"x": {"value": [0.0, -0.0, 1.5]}}},
    {"name": "hidden vector", "hidden": True, "args": {"x": {"shape": [7]}}},
]
STEPS = 1 + len(MUTANTS)


@pytest.fixture
def slow_problem():
    problem = make_problem("code", slug="slow-relu", published=False)
    CodeSpec.objects.create(
        problem=problem,
        entry_points=["relu"],
        starter_code="import numpy as np\n\n\ndef relu(x):\n    pass\n",
        reference={"code": SLOW_RELU.format("np.maximum(x, 0)")},
        tests=TESTS,
        mutants=MUTANTS,
        limits={"wall_seconds": 10, "memory_mb": 512},
    )
    problem_version_sync(problem)
    return problem


@pytest.fixture
def author_page(browser, live_server, transactional_db, settings):
    """An author logged in to the admin. Uncaught script errors fail the test; console lines do
    not, since the change page's live-preview frames (origin null) log CORS refusals of KaTeX's
    fonts, which have nothing to do with the progress bar."""
    settings.GRADING_BACKEND = "inprocess"  # the live server's own threads validate
    author = make_user("author1", is_staff=True)
    author.groups.add(author_group())  # data from migrations is flushed between live-server tests
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, locale="ja-JP", base_url=live_server.url
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.route(lambda url: not url.startswith(live_server.url), lambda route: route.abort())
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    page.goto("/admin/login/")
    page.fill("#id_username", "author1")
    page.fill("#id_password", "pw-for-tests-123")
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")
    yield page
    context.close()
    assert errors == [], "JavaScript errors on the pages:\n" + "\n".join(errors)


def _watch(page, language: str) -> list[tuple[str, int, str, str]]:
    """(state, done, step, current grading) of the progress box each time it changes, until
    the validation is over; a picture of it half-way."""
    box = page.locator("#validation-progress")
    seen: list[tuple[str, int, str, str]] = []
    deadline = time.monotonic() + 120  # a bound on a broken run, not an assertion
    while time.monotonic() < deadline:
        # One read of the box (a script's redraw cannot fall between its parts).
        now = tuple(
            box.evaluate(
                """box => [box.dataset.state, Number(box.dataset.done),
                    box.querySelector('.vp-step').textContent,
                    box.querySelector('.vp-current').textContent]"""
            )
        )
        state, done = now[0], now[1]
        if not seen or seen[-1] != now:
            seen.append(now)
            if state == "running" and done == 2 and not any(s[1] == 2 for s in seen[:-1]):
                page.screenshot(path=ARTIFACTS / f"admin-validation-running-{language}.png")
        if state in ("passed", "failed"):
            return seen
        page.wait_for_timeout(150)
    raise AssertionError(f"the validation did not end; seen: {seen}")


@pytest.mark.parametrize(
    ("language", "step_pattern", "mutant_label", "outcome"),
    [
        (
            "ja",
            r"(?P<total>\d+) ステップ中 (?P<number>\d+) ステップ目",
            "ミュータント（誤答例）",
            "合格",
        ),
        ("en", r"Step (?P<number>\d+) of (?P<total>\d+)", "Mutant ", "Passed"),
    ],
)
def test_an_author_watches_a_validation_advance_then_pass(
    author_page, live_server, slow_problem, language, step_pattern, mutant_label, outcome
):
    page = author_page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    # given the problem's change page
    page.goto(f"/admin/problems/problem/{slow_problem.pk}/change/")
    assert page.get_attribute("#validation-progress", "data-state") == "idle"
    # when the author edits it and presses "Save and validate"
    page.fill("#id_title_en", "Implement ReLU (slowly)")
    page.click("#save-and-validate")
    page.wait_for_selector(".messagelist .success")
    seen = _watch(page, language)
    # then the bar advanced step by step while it ran, saying which grading was running
    running = [(done, step, current) for state, done, step, current in seen if state == "running"]
    steps = [re.fullmatch(step_pattern, step) for _, step, _ in running]
    assert all(match and match["total"] == str(STEPS) for match in steps), seen
    numbers = [int(match["number"]) for match in steps]
    assert len(set(numbers)) >= 2 and numbers == sorted(numbers), seen
    assert [done for done, _, _ in running] == sorted(done for done, _, _ in running)
    assert any(current.startswith(mutant_label) for _, _, current in running), seen
    # and then shows the outcome with a link to the report
    box = page.locator("#validation-progress")
    assert seen[-1][0] == "passed" and seen[-1][1] == STEPS
    assert outcome in box.locator(".vp-outcome").inner_text()
    assert box.locator(".vp-bar").evaluate("bar => bar.value === bar.max")
    href = box.locator(".vp-report").get_attribute("href")
    assert href == f"/admin/problems/problem/{slow_problem.pk}/validate/"
    version = slow_problem.versions.order_by("-number").first()
    assert version.validated_at is not None
    row = page.locator(".validation-progress-compact").first  # the version list agrees
    assert row.get_attribute("data-state") == "passed"
    page.screenshot(path=ARTIFACTS / f"admin-validation-passed-{language}.png")
    page.locator("#versions-group").screenshot(
        path=ARTIFACTS / f"admin-validation-versions-{language}.png"
    )
    # and the report is a click away
    page.click("#validation-progress .vp-report")
    page.wait_for_selector("#validation-table")


def test_the_validate_page_shows_the_report_when_its_validation_ends(
    author_page, live_server, slow_problem
):
    page = author_page
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    # given the Validate page
    page.goto(f"/admin/problems/problem/{slow_problem.pk}/validate/")
    # when the author runs the validation there
    page.click("#run-validation")
    page.wait_for_selector("#validation-progress[data-state=running]")
    page.wait_for_function(
        "() => Number(document.querySelector('#validation-progress').dataset.done) >= 1"
    )
    assert "Mutant" in page.inner_text("#validation-progress .vp-current")
    page.screenshot(path=ARTIFACTS / "admin-validate-running-en.png")
    # then the page reloads itself into the report when the last grading is done
    page.wait_for_selector("#validation-table", timeout=60_000)
    assert "Passed" in page.inner_text("#validation-result")
    assert page.locator("#validation-progress").count() == 0
