"""Revealed choices in Chromium, with the real curriculum, in Japanese and English, at desktop and
phone width: the wrong pick red with ✗ and its feedback (math typeset), the right one green with
✓, the correct set of a multiple-choice problem as a list, and the same marks in a quiz review.
Screenshots go to tests/browser/artifacts/choice-feedback-*.png."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from problems.models import Choice, Quiz
from problems.services.answers import answer_create
from problems.services.attempts import attempt_finish, attempt_start
from tests.browser.conftest import ARTIFACTS, DESKTOP, PHONE, screenshots
from tests.browser.test_learner_journey import log_in
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.slow]

RED = "rgb(198, 40, 40)"  # --bad
GREEN = "rgb(26, 127, 55)"  # --ok
VERDICT_WORDS = {
    "ja": {"incorrect": "✗ 不正解：あなたの選択", "correct": "✓ 正解"},
    "en": {"incorrect": "✗ Incorrect: your choice", "correct": "✓ Correct answer"},
}


def _set_language(page, site: str, language: str) -> None:
    page.context.add_cookies([{"name": "django_language", "value": language, "url": site}])


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert width <= 0, f"the page scrolls sideways by {width}px"


def _answer_on_the_page(page, slug: str, keys: list[str]) -> None:
    page.goto(f"/problems/{slug}/")
    page.wait_for_selector("html[data-app-ready]", state="attached")
    for key in keys:
        page.locator(f"input[name=answer][value='{key}']").check()
    page.locator("form.answer-form button[data-submit-shortcut]").click()
    page.wait_for_selector("#feedback")
    # Awaited in one evaluation: polling with wait_for_function evaluates strings, which the
    # page's Content-Security-Policy forbids.
    page.evaluate("() => document.fonts.ready.then(() => true)")


def test_a_wrong_pick_is_red_with_its_feedback_and_the_right_one_green(page, site):
    make_user("chooser")
    log_in(page, "chooser")
    wrong = Choice.objects.get(problem__slug="sigmoid-derivative-max", key="1")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for language in ("ja", "en"):
        _set_language(page, site, language)
        for viewport in (DESKTOP, PHONE):
            page.set_viewport_size(viewport)
            # when the learner picks 0.15 for the sigmoid derivative's maximum
            _answer_on_the_page(page, "sigmoid-derivative-max", [wrong.key])
            picked = page.locator("label.choice--incorrect")
            right = page.locator("label.choice--correct")
            # then the pick is red, says ✗ in words, and explains itself with typeset math
            expect(picked).to_have_count(1)
            expect(picked).to_have_css("border-top-color", RED)
            expect(picked.locator("[data-verdict=incorrect]")).to_have_text(
                VERDICT_WORDS[language]["incorrect"]
            )
            feedback = picked.locator("[data-choice-feedback]")
            expect(feedback).to_be_visible()
            expect(feedback.locator(".katex").first).to_be_visible()
            text = wrong.feedback_ja if language == "ja" else wrong.feedback_en
            expect(feedback).to_contain_text(text.rsplit("$", 1)[-1].strip())
            # and the right one is green with ✓
            expect(right).to_have_css("border-top-color", GREEN)
            expect(right.locator("[data-verdict=correct]")).to_have_text(
                VERDICT_WORDS[language]["correct"]
            )
            _no_sideways_scroll(page)
            size = f"{viewport['width']}x{viewport['height']}"
            picked.evaluate("e => e.scrollIntoView({block: 'start'})")
            page.screenshot(path=ARTIFACTS / f"choice-feedback-single-{language}-{size}.png")
    page.set_viewport_size(DESKTOP)


def test_a_multiple_choice_answer_lists_the_correct_set(page, site):
    make_user("multi")
    log_in(page, "multi")
    for language in ("ja", "en"):
        _set_language(page, site, language)
        for viewport in (DESKTOP, PHONE):
            page.set_viewport_size(viewport)
            # when the learner picks one right statement and one wrong one about time series
            _answer_on_the_page(page, "time-series-data", ["1", "3"])
            # then the wrong one is red with its feedback, a missed right one green
            expect(page.locator("label.choice--incorrect")).to_have_count(1)
            expect(page.locator("label.choice--incorrect [data-choice-feedback]")).to_be_visible()
            expect(page.locator("label.choice--correct")).to_have_count(3)
            # and the correct set is a list of three, one per line
            items = page.locator("#feedback ul.answer-set > li")
            expect(items).to_have_count(3)
            tops = [box["y"] for box in (items.nth(i).bounding_box() for i in range(3))]
            assert tops == sorted(tops) and len(set(tops)) == 3
            _no_sideways_scroll(page)
            size = f"{viewport['width']}x{viewport['height']}"
            page.locator("label.choice--incorrect").evaluate(
                "e => e.scrollIntoView({block: 'start'})"
            )
            page.screenshot(path=ARTIFACTS / f"choice-feedback-multiple-{language}-{size}.png")
    page.set_viewport_size(DESKTOP)


def test_the_review_of_a_finished_quiz_marks_the_choices(page, site):
    learner = make_user("reviewed")
    log_in(page, "reviewed")
    # given the RNN quiz answered with a wrong choice for every choice problem, then finished
    quiz = Quiz.objects.get(slug="quiz-01-rnn")
    attempt = attempt_start(user=learner, quiz=quiz)
    for item in quiz.items.select_related("problem"):
        problem = item.problem
        wrong = problem.choices.filter(is_correct=False).first()
        if wrong is not None:
            answer_create(user=learner, problem=problem, response=[wrong.key], attempt=attempt)
    attempt_finish(attempt=attempt)
    path = f"/attempts/{attempt.pk}/review/"
    # then each reviewed choice problem shows its wrong pick red with feedback, the right green
    page.goto(path)
    answered = page.locator(".review-item:has(.choice--incorrect)")
    expect(answered.first).to_be_visible()
    count = answered.count()
    assert count >= 5
    expect(page.locator(".review-item .choice--incorrect [data-choice-feedback]")).to_have_count(
        count
    )
    expect(page.locator(".choice--static.choice--incorrect").first).to_have_css(
        "border-top-color", RED
    )
    expect(page.locator(".choice--static.choice--correct").first).to_have_css(
        "border-top-color", GREEN
    )
    screenshots(page, site, path, "choice-feedback-review", show=".review-item .choice--incorrect")
