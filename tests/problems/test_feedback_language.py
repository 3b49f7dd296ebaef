"""The grader's feedback in the learner's language: the API, the event stream, the page and
`manage.py grade --lang` render messages from their codes, and a wrong answer that behaves
like a mutant carries that misconception's explanation (problems/feedback.py)."""

from __future__ import annotations

import json
import re
from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from problems.grading import known_outputs_for_version
from problems.models import ProblemVersion, Submission
from problems.services.authoring import problem_publish_if_proven
from problems.services.submissions import submission_create
from problems.validation import problem_version_validate
from tests.factories import load_content_problems, make_graded_submission, make_user

pytestmark = pytest.mark.django_db

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
MUTANT = "swapped-input-forget-gates"


@pytest.fixture
def lstm_cell():
    (problem,) = load_content_problems("lstm-cell")
    version = problem.versions.get()
    problem_version_validate(version=version)
    problem_publish_if_proven(problem=problem)
    return problem


def _mutant(problem, name=MUTANT) -> dict:
    return next(m for m in problem.versions.get().engine_spec["mutants"] if m["name"] == name)


@pytest.fixture
def graded_mutant(lstm_cell, django_capture_on_commit_callbacks):
    user = make_user()
    with django_capture_on_commit_callbacks(execute=True):
        submission = submission_create(
            user=user, problem=lstm_cell, code=_mutant(lstm_cell)["code"]
        )
    submission.refresh_from_db()
    return user, submission


def test_validation_records_the_mutants_visible_outputs(lstm_cell):
    runs = {run["name"]: run for run in lstm_cell.versions.get().validation["runs"]}
    record = runs[MUTANT]["outputs"]
    visible = [t for t in lstm_cell.versions.get().engine_spec["tests"] if not t.get("hidden")]
    assert len(record) == len(visible)
    assert set(record[0]["outputs"]) == {"h", "c"}
    assert runs["reference"]["outputs"][0]["passed"] is True


def test_a_worker_decodes_a_versions_records_once_and_again_after_revalidation(
    lstm_cell, django_assert_num_queries
):
    # given a worker that has diagnosed against this version once
    version = lstm_cell.versions.get()
    first = known_outputs_for_version(version=version)
    assert MUTANT in [m.name for m in first.mutants]
    # when it grades the next submission, with the version read without its report
    lean = ProblemVersion.objects.defer("validation").get(pk=version.pk)
    with django_assert_num_queries(0):
        again = known_outputs_for_version(version=lean)
    # then the decoded records are the ones it kept, and the report was not read
    assert again is first
    # and a new validation of the version is decoded afresh
    problem_version_validate(version=version)
    renewed = known_outputs_for_version(version=version)
    assert renewed is not first
    assert [m.name for m in renewed.mutants] == [m.name for m in first.mutants]


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_api_shows_the_diagnosis_and_messages_in_the_request_language(graded_mutant, language):
    # given a submission that makes the swapped-gates mistake
    user, submission = graded_mutant
    feedback = _mutant(submission.problem)["feedback"][language]
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.force_authenticate(user)
    # when
    data = client.get(f"/api/submissions/{submission.pk}/").json()
    # then
    assert data["verdict"] == "WA"
    assert data["diagnosis"] == {"mutant": MUTANT, "message": feedback}
    failing = [t for t in data["tests"] if not t["passed"] and not t["hidden"]]
    texts = [data["message"]] + [t["message"] for t in failing]
    assert all("`" not in text for text in texts)
    if language == "ja":
        assert all(JAPANESE.search(text) for text in texts)
        assert "最大絶対誤差" in failing[0]["message"]
    else:
        assert not any(JAPANESE.search(text) for text in texts)
        assert data["message"].startswith(
            f"{len(data['tests'])} of {len(data['tests'])} tests failed"
        )
    assert data["message_data"]["code"] == "summary.failed"


def test_the_page_shows_the_diagnosis_above_the_test_table(graded_mutant, client):
    user, submission = graded_mutant
    client.force_login(user)
    page = client.get(f"/submissions/{submission.pk}/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert 'data-diagnosis="swapped-input-forget-gates"' in page
    assert "考えられる誤解" in page
    assert page.index("data-diagnosis") < page.index("test-table")
    assert "入力ゲート" in page  # the mutant's feedback, in Japanese
    assert "最大絶対誤差" in page


def test_the_event_stream_speaks_the_request_language(graded_mutant, client):
    user, submission = graded_mutant
    feedback = _mutant(submission.problem)["feedback"]["en"]
    client.force_login(user)
    response = client.get(f"/api/submissions/{submission.pk}/events/", HTTP_ACCEPT_LANGUAGE="en")
    text = b"".join(response.streaming_content).decode()
    data = json.loads(next(line[6:] for line in text.splitlines() if line.startswith("data: {")))
    assert data["diagnosis"]["message"] == feedback
    assert "tests failed" in data["message"]


def test_a_correct_answer_has_no_diagnosis(lstm_cell, django_capture_on_commit_callbacks):
    user = make_user()
    with django_capture_on_commit_callbacks(execute=True):
        submission = submission_create(
            user=user, problem=lstm_cell, code=lstm_cell.versions.get().engine_spec["solution"]
        )
    submission.refresh_from_db()
    assert submission.verdict == "AC" and submission.diagnosis is None
    client = APIClient(HTTP_ACCEPT_LANGUAGE="ja")
    client.force_authenticate(user)
    data = client.get(f"/api/submissions/{submission.pk}/").json()
    assert data["diagnosis"] is None
    assert JAPANESE.search(data["message"])


def test_a_result_stored_before_codes_shows_its_english_message(lstm_cell):
    # given a submission graded before messages had codes
    user = make_user()
    old = make_graded_submission(
        user,
        lstm_cell,
        verdict="WA",
        tests=[
            {"name": "t", "passed": False, "points": 0, "max_points": 1, "message": "old words"}
        ],
    )
    Submission.objects.filter(pk=old.pk).update(message="1 of 1 tests failed; old words")
    client = APIClient(HTTP_ACCEPT_LANGUAGE="ja")
    client.force_authenticate(user)
    data = client.get(f"/api/submissions/{old.pk}/").json()
    assert data["message"] == "1 of 1 tests failed; old words"
    assert data["tests"][0]["message"] == "old words"
    assert data["diagnosis"] is None


def test_grade_lang_ja_json_has_japanese_messages_and_the_diagnosis(lstm_cell, tmp_path):
    answer = tmp_path / "answer.py"
    answer.write_text(_mutant(lstm_cell)["code"])
    out = StringIO()
    call_command("grade", "lstm-cell", str(answer), "--lang", "ja", "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert result["verdict"] == "WA"
    assert JAPANESE.search(result["message"]) and "`" not in result["message"]
    assert result["diagnosis"] == {
        "mutant": MUTANT,
        "message": _mutant(lstm_cell)["feedback"]["ja"],
    }
    assert "outputs" not in result
    # and the default is English
    out = StringIO()
    call_command("grade", "lstm-cell", str(answer), "--json", stdout=out)
    english = json.loads(out.getvalue())
    assert not JAPANESE.search(english["message"])
    assert english["diagnosis"]["message"] == _mutant(lstm_cell)["feedback"]["en"]


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_api_titles_each_visible_test_in_the_request_language(graded_mutant, language):
    # given a graded wrong answer to a problem whose visible tests are labelled
    user, submission = graded_mutant
    spec = submission.problem.versions.get().engine_spec
    visible = [t for t in spec["tests"] if not t.get("hidden")]
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.force_authenticate(user)
    # when
    data = client.get(f"/api/submissions/{submission.pk}/").json()
    # then each visible test has its label as title, its name unchanged beside it
    shown = [t for t in data["tests"] if not t["hidden"]]
    assert [t["title"] for t in shown] == [t["label"][language] for t in visible]
    assert [t["name"] for t in shown] == [t["name"] for t in visible]
    assert all("title" not in t and "label" not in t for t in data["tests"] if t["hidden"])
    # and the summary names the first failing test by the same title
    first = next(t for t in shown if not t["passed"])
    named = f"テスト「{first['title']}」" if language == "ja" else f"'{first['title']}'"
    assert named in data["message"]


def test_the_page_names_the_tests_in_the_page_language(graded_mutant, client):
    user, submission = graded_mutant
    spec = submission.problem.versions.get().engine_spec
    first = spec["tests"][0]
    client.force_login(user)
    page = client.get(f"/submissions/{submission.pk}/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert f'data-test-name="{first["name"]}">{first["label"]["ja"]}</td>' in page
    assert f"<code>{first['name']}</code>" not in page


def test_a_test_stored_without_a_label_is_titled_by_its_name(lstm_cell):
    # given a submission graded before tests had labels
    user = make_user()
    old = make_graded_submission(
        user,
        lstm_cell,
        verdict="WA",
        tests=[
            {"name": "t", "passed": False, "points": 0, "max_points": 1, "message": "old words"},
            {"name": "hidden test 1", "passed": True, "points": 1, "max_points": 1, "hidden": True},
        ],
    )
    client = APIClient(HTTP_ACCEPT_LANGUAGE="ja")
    client.force_authenticate(user)
    tests = client.get(f"/api/submissions/{old.pk}/").json()["tests"]
    assert tests[0]["title"] == "t"
    assert "title" not in tests[1]


def test_a_hint_is_in_the_language_the_event_stream_passes_not_the_active_one(lstm_cell):
    # given a failed test with a bilingual hint, serialised for an English stream while the
    # thread's active language is Japanese (the stream's generator outlives its request)
    from django.utils import translation

    from problems.api.serializers import SubmissionSerializer

    hint = {"ja": "ゲートの順番を確認", "en": "check the order of the gates"}
    submission = make_graded_submission(
        make_user(),
        lstm_cell,
        verdict="WA",
        tests=[{"name": "t", "passed": False, "points": 0, "max_points": 1, "hint": hint}],
    )
    with translation.override("ja"):
        data = SubmissionSerializer(submission, context={"language": "en"}).data
    assert data["tests"][0]["hint"] == hint["en"]
