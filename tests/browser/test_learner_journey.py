"""What a learner does in the browser, against the live server with the real curriculum:
sign up, switch language, answer, take the mock exam, write LSTM code and see it graded."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from problems.models import Choice, Problem, Quiz
from tests.browser.conftest import ARTIFACTS, DESKTOP, PHONE, screenshots
from tests.factories import make_code_problem, make_user

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "pw-for-tests-123"
GRADING_TIMEOUT_MS = 90_000

LSTM_CORRECT = """\
import numpy as np


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def lstm(x, prev_h, prev_c, W, U, b):
    lstm_in = x.dot(W.T) + prev_h.dot(U.T) + b
    a, i, f, o = np.split(lstm_in, 4, axis=1)
    c = _sigmoid(i) * np.tanh(a) + _sigmoid(f) * prev_c
    h = _sigmoid(o) * np.tanh(c)
    return h, c
"""

# The seed's bug: every block goes through tanh before the gates' sigmoid.
LSTM_WRONG = LSTM_CORRECT.replace(
    "    a, i, f, o = np.split(lstm_in, 4, axis=1)\n",
    "    a, i, f, o = np.split(np.tanh(lstm_in), 4, axis=1)\n",
)


def log_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".site-user .who")).to_have_text(username)


def replace_editor_code(page, code: str) -> None:
    editor = page.locator(".code-editor .cm-content")
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    # Inserted as text, not typed key by key: the editor's auto-indent would re-indent it.
    page.keyboard.insert_text(code)


def test_a_newcomer_signs_up_switches_language_and_answers_right_and_wrong(page, site):
    # given the home page in Japanese (the default)
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    # when a newcomer signs up
    page.get_by_role("link", name="新規登録").first.click()
    page.fill("#id_username", "newcomer")
    page.fill("#id_password1", "a-long-pass-123")
    page.fill("#id_password2", "a-long-pass-123")
    page.get_by_role("button", name="アカウントを作成").click()
    expect(page.locator(".messages")).to_contain_text("ようこそ")
    # and switches to English (remembered on the next page)
    page.wait_for_selector("html[data-app-ready]", state="attached")
    page.select_option("#language", "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto("/progress/")
    expect(page.locator("h1")).to_have_text("Your progress")

    # then a choice question gives immediate feedback, wrong and right, keys 1-9 picking in
    # the order shown (this learner's own)
    correct = Choice.objects.get(problem__slug="sigmoid-derivative-max", is_correct=True)

    def shown_keys() -> list[str]:
        return page.locator("input[name=answer]").evaluate_all(
            "(inputs) => inputs.map((i) => i.value)"
        )

    page.goto("/problems/sigmoid-derivative-max/")
    page.wait_for_selector("html[data-app-ready]", state="attached")
    keys = shown_keys()
    wrong_index = next(i for i, key in enumerate(keys) if key != correct.key)
    page.locator("h1").click()  # focus on the page, not a text field
    page.keyboard.press(str(wrong_index + 1))
    page.keyboard.press("Enter")
    expect(page.locator("#feedback")).to_have_attribute("data-correct", "false")
    expect(page.locator("#feedback")).to_contain_text("Correct answer:")
    assert shown_keys() == keys  # the revealed choices in the order they were answered in
    # answering again is a fresh page, its choices in a new order; Enter follows the link
    page.locator("h1").click()
    page.keyboard.press("Enter")
    expect(page.locator("#feedback")).to_have_count(0)
    page.wait_for_selector("html[data-app-ready]", state="attached")
    right_index = shown_keys().index(correct.key)
    page.locator("h1").click()
    page.keyboard.press(str(right_index + 1))
    page.get_by_role("button", name="Check answer").click()
    expect(page.locator("#feedback")).to_have_attribute("data-correct", "true")
    expect(page.locator("#feedback .feedback__title")).to_have_text("Correct!")
    # the statement's and the explanation's math is typeset by KaTeX
    expect(page.locator(".statement .katex").first).to_be_visible()
    screenshots(page, site, "/problems/sigmoid-derivative-max/", "problem-math", ready=".katex")

    # a problem with a diagram gets it drawn by Mermaid, loaded only for that page
    page.goto("/problems/rnn-output-formula/")
    expect(page.locator("pre.mermaid svg")).to_be_visible()
    screenshots(page, site, "/problems/rnn-output-formula/", "diagram", ready="pre.mermaid svg")


def test_the_mock_exam_runs_to_its_review_screen(page, site):
    make_user("examinee")
    log_in(page, "examinee")
    quiz = Quiz.objects.get(slug="mock-exam")
    assert quiz.time_limit_minutes, "the full mock exam is timed"
    page.goto(f"/quizzes/{quiz.slug}/")
    page.locator("form[action$='/start/'] button").click()
    page.wait_for_url(re.compile(r"/q/1/$"))
    total = len(quiz.attempts.get().problem_order)
    assert total == quiz.draw_count == 60
    # one question per screen with its position and a running countdown
    for number in range(1, total + 1):
        expect(page.locator("[data-quiz-position]")).to_have_text(f"{number} / {total}")
        countdown = re.compile(r"^(\d+:)?\d+:\d\d$")  # 72 minutes: h:mm:ss
        expect(page.locator("[data-countdown-display]")).to_have_text(countdown)
        if number in (2, 5):
            # a question flagged to look at again shows in the question map
            page.locator("button[data-flag]").click()
            expect(page.locator("button[data-flag]")).to_have_attribute("aria-pressed", "true")
            expect(page.locator(f"nav a[data-flagged]:text-is('{number} ⚑')")).to_have_count(1)
        if number == 1:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=ARTIFACTS / "mock-exam-question-1366x768.png")
            page.set_viewport_size(PHONE)
            page.screenshot(path=ARTIFACTS / "mock-exam-question-390x844.png")
            page.set_viewport_size(DESKTOP)
        if page.locator("#quiz-form input[type=radio], #quiz-form input[type=checkbox]").count():
            page.locator("#quiz-form h1, #question-title").first.click()
            page.keyboard.press("1")
            page.keyboard.press("Enter")
        else:
            page.locator("#quiz-form input[name=answer]").fill("1")
            page.locator("#quiz-form input[name=answer]").press("Enter")
        if number < total:
            page.wait_for_url(re.compile(rf"/q/{number + 1}/$"))
    # the review lists every question with the answer given, the correct one, the explanation
    page.wait_for_url(re.compile(r"/review/$"))
    expect(page.locator(".review-item")).to_have_count(total)
    expect(page.locator(".review-item .explanation").first).not_to_be_empty()
    expect(page.locator("[data-score]")).to_have_text(re.compile(r"^\d+ / \d+$"))
    # with a score per section against the readiness line
    expect(page.locator("[data-section-scores] tbody tr")).to_have_count(12)
    expect(page.locator("[data-ready]")).to_be_visible()
    page.screenshot(path=ARTIFACTS / "mock-exam-review.png")
    page.screenshot(path=ARTIFACTS / "mock-exam-review-full.png", full_page=True)
    # and a review that shows only the flagged, or only the wrong, questions
    page.locator("[data-show-flagged]").click()
    expect(page.locator(".review-item")).to_have_count(2)
    page.locator("a[href='?show=wrong']").click()
    wrong = page.locator(".review-item[data-correct=false]")
    expect(page.locator(".review-item")).to_have_count(wrong.count())
    page.screenshot(path=ARTIFACTS / "mock-exam-review-wrong.png")


def test_a_quiz_left_half_done_is_resumed_from_home_and_abandoned(page, site):
    make_user("wanderer")
    log_in(page, "wanderer")
    quiz = Quiz.objects.get(slug="quiz-01-rnn")
    assert quiz.time_limit_minutes is None, "a section quiz is untimed"
    # given the section quiz started and its first question answered, then left
    page.goto(f"/quizzes/{quiz.slug}/")
    page.locator("form[action$='/start/'] button").click()
    page.wait_for_url(re.compile(r"/q/1/$"))
    page.locator("#quiz-form button[data-dont-know]").click()  # an answer: "I don't know"
    page.wait_for_url(re.compile(r"/q/2/$"))
    attempt = quiz.attempts.get()
    held = Problem.objects.get(pk=attempt.problem_order[2])
    # when the learner comes back to the home page: the quiz waits there, at question 2
    page.goto("/")
    panel = page.locator("[data-open-attempts]")
    expect(panel).to_contain_text(quiz.title_ja)
    screenshots(page, site, "/", "open-quiz-home", show="[data-open-attempts]")
    page.locator("[data-open-attempts] a[data-resume]").click()
    page.wait_for_url(re.compile(rf"/attempts/{attempt.pk}/q/2/$"))
    # a problem the quiz holds links to its question instead of refusing answers
    page.goto(f"/problems/{held.slug}/")
    expect(page.locator("form.answer-form")).to_have_count(0)
    screenshots(
        page, site, f"/problems/{held.slug}/", "open-quiz-problem", show="[data-in-open-quiz]"
    )
    page.locator("[data-in-open-quiz] a[data-resume]").click()
    page.wait_for_url(re.compile(rf"/attempts/{attempt.pk}/q/3/$"))
    # then abandoning it from the section page (in English now: the screenshots switched)
    # finishes it as it stands, with its review
    page.goto("/sections/01-rnn/")
    page.locator("[data-open-attempts] button[data-abandon]").click()
    page.wait_for_url(re.compile(rf"/attempts/{attempt.pk}/review/$"))
    expect(page.locator(".messages")).to_contain_text("it was finished as it stood")
    page.goto(f"/problems/{held.slug}/")
    expect(page.locator("form.answer-form")).to_have_count(1)
    page.goto("/")
    expect(page.locator("[data-open-attempts]")).to_have_count(0)


def test_lstm_code_is_graded_live_and_shows_in_history_and_progress(page, site):
    make_user("coder")
    log_in(page, "coder")
    page.goto("/progress/")
    lstm_solved = page.locator("tr[data-section='02-lstm'] [data-solved]")
    solved_before = int(lstm_solved.inner_text().split("/")[0])
    screenshots(page, site, "/", "home-before")

    # the code page: starter code in the editor, draft kept across a reload
    page.goto("/problems/lstm-cell/")
    page.wait_for_selector("html[data-editor-ready]", state="attached")
    expect(page.locator(".code-editor .cm-content")).to_contain_text("def lstm(")
    replace_editor_code(page, LSTM_CORRECT)
    page.wait_for_timeout(500)  # the draft is saved 300 ms after the last change
    page.reload()
    page.wait_for_selector("html[data-editor-ready]", state="attached")
    expect(page.locator(".code-editor .cm-content")).to_contain_text("_sigmoid(i) * np.tanh(a)")
    expect(page.locator("[data-note='editor.draft_restored']")).to_be_visible()

    # a correct solution: queued/running, then AC without reloading
    page.locator("button[data-action=submit]").click()
    panel = page.locator("#submission-panel")
    expect(panel).to_have_attribute("data-verdict", "AC", timeout=GRADING_TIMEOUT_MS)
    expect(panel.locator(".badge[data-verdict=AC]")).to_be_visible()
    expect(panel.locator(".test-row--hidden").first).to_be_visible()
    screenshots(
        page,
        site,
        "/problems/lstm-cell/",
        "code-ac",
        ready=".code-editor .cm-content",
        show="#submission-panel .submission__head",
    )

    # a wrong one: WA with a message that says what differs
    page.goto("/problems/lstm-cell/")
    page.wait_for_selector("html[data-editor-ready]", state="attached")
    replace_editor_code(page, LSTM_WRONG)
    page.locator("button[data-action=submit]").click()
    expect(panel).to_have_attribute("data-verdict", "WA", timeout=GRADING_TIMEOUT_MS)
    failed = panel.locator(".test-row[data-passed=false]:not(.test-row--hidden) .test-message")
    expect(failed.first).not_to_be_empty()

    # both are in the history; the filter keeps only the wrong one
    page.goto("/submissions/")
    expect(page.locator("tbody tr[data-verdict]")).to_have_count(2)
    page.goto("/submissions/?verdict=WA")
    expect(page.locator("tbody tr[data-verdict]")).to_have_count(1)
    page.locator("tbody tr[data-verdict=WA] a").first.click()
    expect(page.locator(".submitted-code")).to_contain_text("np.tanh(lstm_in)")

    # and the dashboard counts the solved LSTM problem
    page.goto("/progress/")
    expect(lstm_solved).to_contain_text(f"{solved_before + 1} /")
    expect(page.locator("[data-progress-chart] svg")).to_be_visible()
    screenshots(page, site, "/progress/", "dashboard", ready="[data-progress-chart] svg")
    screenshots(page, site, "/", "home")


def test_the_code_page_explains_throttling_and_a_slow_grader(bare_page, settings):
    # given a code problem whose grading never starts (no worker picks it up)
    settings.GRADING_BACKEND = "none"
    problem = make_code_problem()
    make_user("waiting")
    page = bare_page
    log_in(page, "waiting")
    page.goto(f"/problems/{problem.slug}/")
    page.wait_for_selector("html[data-editor-ready]", state="attached")
    # when the server says "too many submissions, retry in 30 s"
    throttled = {"detail": "You have 3 submissions still being graded; wait for one to finish."}
    page.route(
        "**/api/problems/*/submissions/",
        lambda route: route.fulfill(status=429, headers={"Retry-After": "30"}, json=throttled),
    )
    page.locator("button[data-action=run]").click()
    # then the learner reads when to retry, in their language, and the buttons wait
    panel = page.locator("#submission-panel")
    expect(panel).to_contain_text("提出が多すぎます。30 秒後にもう一度お試しください。")
    expect(panel).to_contain_text(throttled["detail"])
    expect(page.locator("button[data-action=submit]")).to_be_disabled()

    # when a submission is accepted but stays queued past the slow threshold
    page.unroute("**/api/problems/*/submissions/")
    page.goto(f"/problems/{problem.slug}/")
    page.evaluate("document.getElementById('submission-panel').dataset.slowAfterMs = '500'")
    page.locator("button[data-action=submit]").click()
    # then it shows the queued state and says the grader is slow
    expect(panel.locator(".badge[data-status=queued]")).to_have_text("採点待ち")
    expect(panel.locator("[data-note=slow_note]")).to_contain_text("採点に時間がかかっています")
