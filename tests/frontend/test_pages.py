"""The learner's pages: what they show, who may see them, in which language, in how many queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from frontend.templatetags.markup import render_markdown
from problems.models import Answer, Attempt, Submission
from problems.services import answer_create, attempt_finish, attempt_start
from tests.factories import (
    client_for,
    make_choice_problem,
    make_code_problem,
    make_graded_submission,
    make_problem,
    make_quiz,
    make_section,
    make_text_problem,
    make_user,
)

pytestmark = pytest.mark.django_db


# -- a curriculum big enough that an N+1 query shows ------------------------------------------


@pytest.fixture
def learner():
    return make_user("learner")


@pytest.fixture
def big_curriculum(learner):
    """Four sections of twelve problems of every kind, each answered or submitted by `learner`."""
    problems = []
    for _ in range(4):
        section = make_section()
        for index in range(12):
            if index % 4 == 0:
                problem = make_code_problem(section=section)
                make_graded_submission(learner, problem, verdict="AC" if index % 8 else "WA")
            elif index % 4 == 1:
                problem = make_text_problem(section=section)
                answer_create(user=learner, problem=problem, response="3x3")
            else:
                problem = make_choice_problem(section=section)
                answer_create(user=learner, problem=problem, response="1")
            problems.append(problem)
    quiz = make_quiz([p for p in problems if not p.is_code][:20], slug="mock-exam", minutes=30)
    attempt = attempt_start(user=learner, quiz=quiz)
    for problem_id in attempt.problem_order[:10]:
        problem = next(p for p in problems if p.pk == problem_id)
        answer_create(user=learner, problem=problem, response="2", attempt=attempt)
    return {"problems": problems, "quiz": quiz, "attempt": attempt}


def _pages(data):
    problems, quiz, attempt = data["problems"], data["quiz"], data["attempt"]
    code = next(p for p in problems if p.is_code)
    choice = next(p for p in problems if p.kind == "single_choice")
    submission = Submission.objects.filter(problem=code).first()
    return {
        "home": "/",
        "section": f"/sections/{problems[0].section.slug}/",
        "choice problem": f"/problems/{choice.slug}/",
        "code problem": f"/problems/{code.slug}/",
        "quiz": f"/quizzes/{quiz.slug}/",
        "quiz question": f"/attempts/{attempt.pk}/q/3/",
        "submissions": "/submissions/",
        "submission": f"/submissions/{submission.pk}/",
        "dashboard": "/progress/",
    }


PAGES = [
    "home",
    "section",
    "choice problem",
    "code problem",
    "quiz",
    "quiz question",
    "submissions",
    "submission",
    "dashboard",
]


@pytest.mark.parametrize("page", PAGES)
def test_heavy_pages_take_a_fixed_number_of_queries(
    page, big_curriculum, learner, django_assert_max_num_queries
):
    # given a learner with answers or submissions on 48 problems
    client = client_for(learner)
    url = _pages(big_curriculum)[page]
    # when the page is shown; then it does not query once per problem (the learning loop adds
    # a constant few: the header's review count, a problem's hints, bookmark and card, the
    # dashboard's cards, first answers and streak, the header's open quizzes)
    with django_assert_max_num_queries(19):
        response = client.get(url)
    assert response.status_code == 200


def test_review_takes_a_fixed_number_of_queries(
    big_curriculum, learner, django_assert_max_num_queries
):
    attempt = attempt_finish(attempt=big_curriculum["attempt"])
    client = client_for(learner)
    # the review's scores per section and earlier attempts are a constant two more
    with django_assert_max_num_queries(14):
        response = client.get(f"/attempts/{attempt.pk}/review/")
    assert response.status_code == 200
    assert response.content.count(b'class="review-item"') == 20


# -- progress shown where the learner looks ---------------------------------------------------


def test_home_shows_each_sections_solved_count(learner):
    section = make_section()
    solved, wrong, _untouched = (make_choice_problem(section=section) for _ in range(3))
    answer_create(user=learner, problem=solved, response="2")
    answer_create(user=learner, problem=wrong, response="1")
    body = client_for(learner).get("/").content.decode()
    assert "1 of 3 solved" in body


def test_section_marks_solved_and_attempted_problems(learner):
    section = make_section()
    solved = make_choice_problem(section=section)
    attempted = make_code_problem(section=section)
    untouched = make_choice_problem(section=section)
    answer_create(user=learner, problem=solved, response="2")
    make_graded_submission(learner, attempted, verdict="WA")
    body = client_for(learner).get(f"/sections/{section.slug}/").content.decode()
    assert f'data-problem="{solved.slug}" data-state="solved"' in body
    assert f'data-problem="{attempted.slug}" data-state="attempted"' in body
    assert f'data-problem="{untouched.slug}" data-state=""' in body


def test_a_visible_test_run_that_passes_does_not_count_as_solved(learner):
    problem = make_code_problem()
    make_graded_submission(learner, problem, verdict="AC", visible_only=True)
    body = client_for(learner).get(f"/sections/{problem.section.slug}/").content.decode()
    assert f'data-problem="{problem.slug}" data-state="attempted"' in body


def test_dashboard_counts_per_section_and_charts_the_days(learner):
    section = make_section()
    first, second = make_choice_problem(section=section), make_choice_problem(section=section)
    answer_create(user=learner, problem=first, response="2")
    answer_create(user=learner, problem=second, response="1")
    response = client_for(learner).get("/progress/")
    body = response.content.decode()
    assert '<td class="num" data-attempted>2 / 2</td>' in body
    assert '<td class="num" data-solved>1 / 2</td>' in body
    # one day: 2 of the 4 points tried (each problem is worth 2)
    assert '"score": 2.0, "max_score": 4.0' in body
    assert 'id="progress-data"' in body and "data-progress-chart" in body


# -- answering ----------------------------------------------------------------------------------


def test_a_right_choice_gets_immediate_praise_and_the_explanation(learner):
    problem = make_choice_problem(correct=("2",))
    response = client_for(learner).post(f"/problems/{problem.slug}/", {"answer": "2"})
    body = response.content.decode()
    assert 'data-correct="true"' in body and "Explanation" in body
    assert Answer.objects.get(user=learner, problem=problem).is_correct


def test_a_wrong_choice_shows_the_correct_one(learner):
    problem = make_choice_problem(correct=("3",))
    body = client_for(learner).post(f"/problems/{problem.slug}/", {"answer": "1"}).content
    assert b'data-correct="false"' in body
    # numbered as this learner saw the choices
    shown = Answer.objects.get(user=learner, problem=problem).variant["choice_order"]
    label = shown.index("3") + 1
    assert f"Correct answer: <strong data-math>{label}. Choice 3</strong>" in body.decode()


@pytest.mark.parametrize(
    ("make", "given", "correct"),
    [
        (lambda: make_problem("numeric"), "１/４", True),
        (lambda: make_problem("numeric"), "0.3", False),
        (make_text_problem, "３ｘ３", True),
    ],
)
def test_typed_answers_are_checked_at_once(learner, make, given, correct):
    problem = make()
    body = client_for(learner).post(f"/problems/{problem.slug}/", {"answer": given}).content
    assert f'data-correct="{str(correct).lower()}"'.encode() in body


def test_an_unreadable_number_says_what_to_type(learner):
    problem = make_problem("numeric")
    response = client_for(learner).post(f"/problems/{problem.slug}/", {"answer": "abc"})
    assert "is not a number" in response.content.decode()
    assert not Answer.objects.exists()


def test_answering_without_an_account_asks_to_log_in():
    problem = make_choice_problem()
    response = client_for().post(f"/problems/{problem.slug}/", {"answer": "2"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not Answer.objects.exists()


# -- the quiz flow ----------------------------------------------------------------------------


def test_a_quiz_goes_one_question_at_a_time_to_a_review_with_every_answer(learner):
    problems = [make_choice_problem(correct=("2",)) for _ in range(3)]
    quiz = make_quiz(problems)
    client = client_for(learner)
    # when the learner starts, answers the first right, skips the second, answers the third wrong
    start = client.post(f"/quizzes/{quiz.slug}/start/")
    attempt = Attempt.objects.get(user=learner)
    assert start["Location"] == f"/attempts/{attempt.pk}/q/1/"
    first = client.get(start["Location"]).content.decode()
    assert "1 / 3" in first and problems[0].title_en in first
    client.post(f"/attempts/{attempt.pk}/q/1/", {"answer": "2", "action": "answer"})
    client.post(f"/attempts/{attempt.pk}/q/2/", {"action": "skip"})
    done = client.post(f"/attempts/{attempt.pk}/q/3/", {"answer": "1", "action": "answer"})
    # then the last answer ends the attempt and the review shows all three
    assert done["Location"] == f"/attempts/{attempt.pk}/review/"
    review = client.get(done["Location"]).content.decode()
    assert review.count('data-correct="true"') == 1
    assert review.count('data-correct="false"') == 2
    assert "Not answered" in review and "2 / 6" in review
    # each question's correct choice is marked, and the wrong pick of the third as well
    assert review.count('data-verdict="correct"') == 3
    assert review.count('data-verdict="incorrect"') == 1


def test_the_mock_exam_refuses_answers_after_its_deadline(learner):
    problem = make_choice_problem(correct=("2",))
    quiz = make_quiz([problem, make_choice_problem()], minutes=30)
    attempt = attempt_start(user=learner, quiz=quiz)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    response = client_for(learner).post(
        f"/attempts/{attempt.pk}/q/1/", {"answer": "2", "action": "answer"}
    )
    assert response["Location"] == f"/attempts/{attempt.pk}/review/"
    assert not Answer.objects.filter(attempt=attempt).exists()
    assert Attempt.objects.get(pk=attempt.pk).finished_at is not None


def test_a_timed_question_shows_the_countdown(learner):
    quiz = make_quiz([make_choice_problem()], minutes=30)
    attempt = attempt_start(user=learner, quiz=quiz)
    body = client_for(learner).get(f"/attempts/{attempt.pk}/q/1/").content.decode()
    assert f'data-deadline="{attempt.deadline.isoformat()}"' in body
    assert "data-timeout-input" in body


def test_the_countdown_reaching_zero_finishes_with_the_answer_given(learner):
    problem = make_choice_problem(correct=("2",))
    quiz = make_quiz([problem, make_choice_problem()], minutes=30)
    attempt = attempt_start(user=learner, quiz=quiz)
    response = client_for(learner).post(
        f"/attempts/{attempt.pk}/q/1/", {"answer": "2", "timed_out": "1"}
    )
    assert response["Location"] == f"/attempts/{attempt.pk}/review/"
    assert Attempt.objects.get(pk=attempt.pk).score == problem.points


# -- who may see what ---------------------------------------------------------------------------


@pytest.fixture
def owned_submission(learner):
    problem = make_code_problem()
    tests = [
        {"name": "visible", "passed": False, "points": 0, "max_points": 1, "message": "h differs"},
        {
            "name": "secret-edge-case",
            "passed": False,
            "hidden": True,
            "points": 0,
            "max_points": 1,
            "message": "secret input 42 gave 7",
        },
    ]
    return make_graded_submission(learner, problem, verdict="WA", tests=tests)


def test_a_submission_page_shows_code_and_feedback_but_not_hidden_test_details(
    owned_submission, learner
):
    body = client_for(learner).get(f"/submissions/{owned_submission.pk}/").content.decode()
    assert "return 2 * x" in body and "h differs" in body
    assert "Hidden test 2" in body
    assert "secret-edge-case" not in body and "secret input 42" not in body


def test_the_submission_history_is_the_learners_own_and_filters_by_verdict(learner):
    problem = make_code_problem()
    accepted = make_graded_submission(learner, problem, verdict="AC")
    wrong = make_graded_submission(learner, problem, verdict="WA")
    theirs = make_graded_submission(make_user("other"), problem, verdict="AC")
    client = client_for(learner)
    everything = client.get("/submissions/").content.decode()
    only_wa = client.get("/submissions/?verdict=WA").content.decode()
    assert f"#{accepted.pk}<" in everything and f"#{wrong.pk}<" in everything
    assert f"#{theirs.pk}<" not in everything
    assert f"#{wrong.pk}<" in only_wa and f"#{accepted.pk}<" not in only_wa


@pytest.mark.parametrize("url", ["/submissions/", "/progress/", "/accounts/password/"])
def test_pages_that_need_an_account_redirect_to_login(url):
    response = client_for().get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


def test_forms_refuse_a_post_without_the_csrf_token(learner):
    problem = make_choice_problem()
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    assert 'name="csrfmiddlewaretoken"' in client.get(f"/problems/{problem.slug}/").content.decode()
    response = client.post(f"/problems/{problem.slug}/", {"answer": "2"})
    assert response.status_code == 403
    assert not Answer.objects.exists()


def test_signing_up_logs_the_learner_in():
    client = client_for()
    response = client.post(
        "/accounts/signup/",
        {"username": "newcomer", "password1": "a-long-pass-123", "password2": "a-long-pass-123"},
        follow=True,
    )
    assert response.context["user"].username == "newcomer"
    assert "Welcome! Your account is ready." in response.content.decode()


def test_an_unknown_page_gets_the_friendly_404():
    response = client_for().get("/problems/no-such-problem/")
    assert response.status_code == 404
    assert "Back to the sections" in response.content.decode()


# -- the code problem page ------------------------------------------------------------------------


def test_the_code_page_has_the_editor_with_the_starter_and_both_buttons(learner):
    problem = make_code_problem()
    body = client_for(learner).get(f"/problems/{problem.slug}/").content.decode()
    assert "data-code-editor" in body and f'data-draft-key="draft:{problem.slug}:' in body
    assert '<script id="starter-code" type="application/json">"def double(x):' in body
    assert f'data-api-url="/api/problems/{problem.slug}/submissions/"' in body
    assert (
        'name="visible_only" value="true"' in body and 'name="visible_only" value="false"' in body
    )
    assert "data-reset-starter" in body and "editor.js" in body
    assert 'id="i18n"' in body


def test_the_code_page_keeps_following_a_submission_still_being_graded(learner, grading_off):
    problem = make_code_problem()
    submission = Submission.objects.create(
        user=learner, problem=problem, problem_version=problem.versions.first(), code="x = 1"
    )
    body = client_for(learner).get(f"/problems/{problem.slug}/").content.decode()
    assert f'data-submission-id="{submission.pk}" data-initial-status="queued"' in body


def test_without_javascript_the_code_form_still_submits(learner, grading_off):
    problem = make_code_problem()
    response = client_for(learner).post(
        f"/problems/{problem.slug}/submit/", {"code": "def double(x):\n    return x + x\n"}
    )
    submission = Submission.objects.get(user=learner)
    assert response["Location"] == f"/submissions/{submission.pk}/"
    assert submission.visible_only is False


# -- languages and text ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "interface", "problem_text"),
    [("ja", "セクション", "問題文"), ("en", "Sections", "Statement")],
)
def test_the_interface_and_the_problem_follow_the_language(language, interface, problem_text):
    problem = make_choice_problem()
    body = client_for(language=language).get(f"/problems/{problem.slug}/").content.decode()
    assert f'<html lang="{language}">' in body
    assert interface in body and problem_text in body


def test_japanese_is_the_default_language():
    make_choice_problem()
    body = Client().get("/").content.decode()
    assert '<html lang="ja">' in body and "深層学習 試験対策" in body


def test_the_language_switch_is_remembered():
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert '<html lang="en">' in client.get("/").content.decode()


def test_the_scripts_strings_come_in_the_page_language():
    problem = make_code_problem()
    ja = client_for(language="ja").get(f"/problems/{problem.slug}/").content.decode()
    en = client_for(language="en").get(f"/problems/{problem.slug}/").content.decode()
    assert '"verdict.WA": "\\u4e0d\\u6b63\\u89e3"' in ja  # 不正解
    assert '"verdict.WA": "Wrong answer"' in en


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("$a_1 * b_2$ and $c_1 * d_2$", "$a_1 * b_2$ and $c_1 * d_2$"),
        ("$$\\frac{a_b}{c_d} < 1$$", "$$\\frac{a_b}{c_d} &lt; 1$$"),
        ("\\(x_i^2\\) **bold**", "\\(x_i^2\\) <strong>bold</strong>"),
        ("`$HOME` stays code", "<code>$HOME</code> stays code"),
    ],
)
def test_markdown_keeps_math_for_katex(markdown, expected):
    assert expected in render_markdown(markdown)


def test_markdown_drops_scripts_and_javascript_links():
    html = render_markdown(
        "<script>alert(1)</script> <img src=x onerror=alert(1)> [a](javascript:x)"
    )
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html


def test_home_offers_the_mock_exam_and_sections_offer_their_own_quiz():
    first, second = make_choice_problem(), make_choice_problem()
    make_quiz([first], slug="quiz-first")
    make_quiz([first, second], slug="mock-exam", minutes=30)
    home = client_for().get("/").content.decode()
    section = client_for().get(f"/sections/{first.section.slug}/").content.decode()
    assert "/quizzes/mock-exam/" in home and "/quizzes/quiz-first/" not in home
    assert "/quizzes/quiz-first/" in section and "/quizzes/mock-exam/" not in section


def test_the_review_renders_markdown_in_the_answers(learner):
    problem = make_choice_problem(correct=("2",))
    problem.choices.filter(key="2").update(text_en="`np.concatenate(...)`")
    attempt = attempt_start(user=learner, quiz=make_quiz([problem]))
    answer_create(user=learner, problem=problem, response="2", attempt=attempt)
    attempt_finish(attempt=attempt)
    body = client_for(learner).get(f"/attempts/{attempt.pk}/review/").content.decode()
    label = Answer.objects.get(attempt=attempt).variant["choice_order"].index("2") + 1
    assert f'<span class="key">{label}.</span> <code>np.concatenate(...)</code>' in body
    assert "`np.concatenate" not in body


def test_the_password_can_be_changed(learner):
    client = client_for(learner)
    assert client.get("/accounts/password/").status_code == 200
    response = client.post(
        "/accounts/password/",
        {
            "old_password": "pw-for-tests-123",
            "new_password1": "another-long-pass-456",
            "new_password2": "another-long-pass-456",
        },
    )
    assert response["Location"] == "/accounts/password/done/"
    learner.refresh_from_db()
    assert learner.check_password("another-long-pass-456")


def test_a_server_error_gets_a_friendly_page_in_both_languages(rf):
    from frontend.views import server_error

    response = server_error(rf.get("/"))
    body = response.content.decode()
    assert response.status_code == 500
    assert "エラーが発生しました" in body and "Something went wrong" in body


def test_a_code_problem_in_a_quiz_points_to_its_page_and_can_be_passed(learner):
    code, choice = make_code_problem(), make_choice_problem()
    attempt = attempt_start(user=learner, quiz=make_quiz([code, choice]))
    client = client_for(learner)
    page = client.get(f"/attempts/{attempt.pk}/q/1/").content.decode()
    assert f'href="/problems/{code.slug}/"' in page and 'name="answer"' not in page
    response = client.post(f"/attempts/{attempt.pk}/q/1/", {"action": "answer"})
    assert response["Location"] == f"/attempts/{attempt.pk}/q/2/"


def _po_entries(path) -> list[dict[str, str]]:
    """msgid/msgstr of each entry of a .po file (continuation lines joined)."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n")[1:]:
        entry, key = {"flags": ""}, None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] += line
            elif line.startswith(("msgid", "msgstr")):
                key, _, text = line.partition(" ")
                entry[key] = text[1:-1]
            elif line.startswith('"') and key:
                entry[key] += line[1:-1]
        if "msgid" in entry:  # obsolete entries (#~) have none
            entries.append(entry)
    return entries


def test_every_interface_string_has_a_compiled_japanese_translation():
    import gettext
    from pathlib import Path

    folder = Path(__file__).resolve().parents[2] / "locale/ja/LC_MESSAGES"
    entries = _po_entries(folder / "django.po")
    assert [e["msgid"] for e in entries if "fuzzy" in e["flags"]] == []
    assert [e["msgid"] for e in entries if not (e.get("msgstr") or e.get("msgstr[0]"))] == []
    with open(folder / "django.mo", "rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)
    singular = [e["msgid"].replace('\\"', '"') for e in entries if "msgstr" in e]
    assert [m for m in singular if catalog.gettext(m) == m] == []  # the .mo is up to date
