"""Authoring: validation gates publishing, versions keep old grades true, regrade keeps history,
content packs round-trip, and permissions keep references to staff."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.test import Client

from problems.content.exporter import export_files, export_to_directory
from problems.content.loader import load_content, problem_version_sync
from problems.models import Course, GradingRecord, Problem, RegradeBatch, Submission
from problems.selectors.authoring import problem_report, regrade_batch_progress
from problems.services.answers import answer_create
from problems.services.authoring import problem_publish_if_proven, submissions_regrade
from problems.services.submissions import submission_create
from problems.validation import problem_version_validate, spec_validate
from tests.factories import load_content_problems, make_choice_problem, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def lstm_cell() -> Problem:
    (problem,) = load_content_problems("lstm-cell")
    return problem


def spec_of(problem: Problem) -> dict:
    return copy.deepcopy(problem.versions.order_by("-number").first().engine_spec)


# -- validation ------------------------------------------------------------------------------


def test_validation_passes_a_proven_problem_and_it_can_be_published(lstm_cell):
    report = problem_version_validate(version=lstm_cell.versions.get())
    assert report.ok, report.problems
    assert report.runs[0].name == "reference" and report.runs[0].verdict == "AC"
    spec = spec_of(lstm_cell)
    mutants = {m["name"] for m in spec["mutants"]}
    alternatives = {a["name"] for a in spec.get("alternatives", [])}
    assert all(run.verdict != "AC" for run in report.runs if run.name in mutants)
    assert all(run.verdict == "AC" for run in report.runs if run.name in alternatives)
    assert len(mutants) >= 2 and len(alternatives) >= 2
    assert problem_publish_if_proven(problem=lstm_cell)


def test_validation_refuses_a_problem_whose_alternative_is_rejected(lstm_cell):
    from problems.validation import spec_validate

    spec = spec_of(lstm_cell)
    spec["alternatives"] = [
        {"name": "not-really-correct", "code": spec["mutants"][0]["code"]},
    ]
    report = spec_validate(spec)
    assert not report.ok
    assert any("Alternative 'not-really-correct'" in p for p in report.problems)


def test_validation_refuses_a_problem_whose_reference_fails(lstm_cell):
    spec = spec_of(lstm_cell)
    spec["solution"] = spec["mutants"][0]["code"]  # a wrong "reference"
    report = spec_validate(spec)
    assert not report.ok
    assert "reference solution gets WA" in report.problems[0]


def test_validation_refuses_a_problem_whose_mutant_survives(lstm_cell):
    spec = spec_of(lstm_cell)
    spec["mutants"].append({"name": "actually-correct", "code": spec["solution"]})
    report = spec_validate(spec)
    assert not report.ok
    assert any("Mutant 'actually-correct' passes every test" in line for line in report.problems)


def test_an_unvalidated_code_problem_is_not_published(lstm_cell):
    assert not problem_publish_if_proven(problem=lstm_cell)
    assert not Problem.objects.get(pk=lstm_cell.pk).is_published


# -- versions and regrade --------------------------------------------------------------------


def _validated(problem: Problem) -> Problem:
    problem_version_validate(version=problem.versions.order_by("-number").first())
    problem_publish_if_proven(problem=problem)
    return problem


def test_editing_creates_a_version_and_learners_stay_on_the_validated_one(lstm_cell):
    _validated(lstm_cell)
    learner = make_user()
    first = submission_create(user=learner, problem=lstm_cell, code=spec_of(lstm_cell)["solution"])
    # when the author changes the tests (drops the last one) and saves
    lstm_cell.code_spec.tests = lstm_cell.code_spec.tests[:-1]
    lstm_cell.code_spec.save()
    version, created = problem_version_sync(lstm_cell)
    assert created and version.number == 2
    # then new submissions are still graded against v1 until v2 validates
    second = submission_create(user=learner, problem=lstm_cell, code=spec_of(lstm_cell)["solution"])
    assert first.problem_version.number == 1 and second.problem_version.number == 1
    problem_version_validate(version=version)
    third = submission_create(user=learner, problem=lstm_cell, code=spec_of(lstm_cell)["solution"])
    assert third.problem_version.number == 2
    assert lstm_cell.versions.get(number=1).snapshot != lstm_cell.versions.get(number=2).snapshot


def test_regrade_keeps_the_old_verdict_and_records_the_new_one(
    lstm_cell, django_capture_on_commit_callbacks
):
    # given a wrong answer graded WA against v1
    _validated(lstm_cell)
    learner = make_user()
    wrong = spec_of(lstm_cell)["mutants"][0]["code"]
    with django_capture_on_commit_callbacks(execute=True):  # grading runs after the commit
        submission = submission_create(user=learner, problem=lstm_cell, code=wrong)
    submission.refresh_from_db()
    assert submission.verdict == "WA" and submission.problem_version.number == 1
    old_score = submission.score
    # and a v2 whose only test is one this mutant passes… (a broken fix an author could make)
    spec = spec_of(lstm_cell)
    lstm_cell.code_spec.tests = [
        t for t in spec["tests"] if t.get("name") == spec["tests"][0]["name"]
    ]
    lstm_cell.code_spec.mutants = []
    lstm_cell.code_spec.save()
    v2, _ = problem_version_sync(lstm_cell)
    v2.validated_at = v2.created_at  # trusted here; validation itself is tested above
    v2.save()
    # when the author regrades
    with django_capture_on_commit_callbacks(execute=True):
        batch = submissions_regrade(
            submissions=Submission.objects.all(), user=make_user(is_staff=True), description="fix"
        )
    # then the old verdict is kept in history and the new one recorded against v2
    submission.refresh_from_db()
    assert submission.problem_version == v2 and submission.status == "done"
    history = GradingRecord.objects.get(submission=submission)
    assert (
        history.verdict == "WA"
        and history.score == old_score
        and history.problem_version.number == 1
    )
    assert submission.max_score == spec["tests"][0].get("points", 1)
    progress = regrade_batch_progress(batch=batch)
    assert progress.total == progress.finished == 1


def test_the_report_shows_share_correct_and_common_wrong_answers():
    problem = make_choice_problem(correct=("2",))
    for response in ["2", "3", "3", "1"]:
        answer_create(user=make_user(), problem=problem, response=response)
    report = problem_report(problem=problem)
    assert report.attempts == 4 and report.correct == 1 and report.learners == 4
    assert report.wrong_answers[0] == ("3", 2)


# -- content packs ---------------------------------------------------------------------------


def test_export_import_export_is_byte_identical(tmp_path: Path):
    load_content_problems("lstm-cell", "sigmoid-derivative-max", "cnn-output-size")
    course = Course.objects.get()
    first = export_files(course=course)
    export_to_directory(course=course, root=tmp_path / "pack")
    report = load_content(tmp_path / "pack")
    assert not report.created and not report.new_versions
    assert export_files(course=course) == first
    assert set(first) >= {"course.yaml", "02-lstm/lstm-cell.yaml", "02-lstm/_section.yaml"}
    # the wrong choices' feedback travels with the pack
    assert first["02-lstm/sigmoid-derivative-max.yaml"].count("feedback:") == 3


def test_an_imported_pack_creates_problems_in_an_empty_database(tmp_path: Path):
    load_content_problems("lstm-cell", "cnn-output-size")
    files = export_files(course=Course.objects.get())
    export_to_directory(course=Course.objects.get(), root=tmp_path / "pack")
    Submission.objects.all().delete()
    Problem.objects.all().delete()
    load_content(tmp_path / "pack")
    assert set(Problem.objects.values_list("slug", flat=True)) == {"lstm-cell", "cnn-output-size"}
    assert export_files(course=Course.objects.get()) == files


# -- permissions and the admin ---------------------------------------------------------------


@pytest.fixture
def author():
    user = make_user("author", is_staff=True)
    user.groups.add(Group.objects.get(name="author"))
    return user


def admin_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_author_can_edit_problems_in_the_admin(author, lstm_cell):
    response = admin_client(author).get(f"/admin/problems/problem/{lstm_cell.pk}/change/")
    assert response.status_code == 200
    assert b"code_spec" in response.content  # authors see and edit the code spec


def test_a_learner_cannot_reach_the_admin(lstm_cell):
    response = admin_client(make_user()).get(f"/admin/problems/problem/{lstm_cell.pk}/change/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_staff_without_the_author_role_do_not_see_references(lstm_cell):
    staff = make_user(is_staff=True)
    assert (
        admin_client(staff).get(f"/admin/problems/problem/{lstm_cell.pk}/change/").status_code
        == 403
    )
    assert (
        admin_client(staff).get(f"/admin/problems/problem/{lstm_cell.pk}/validate/").status_code
        == 403
    )


def test_the_validate_button_shows_the_table_and_is_logged(
    author, lstm_cell, django_capture_on_commit_callbacks
):
    client = admin_client(author)
    url = f"/admin/problems/problem/{lstm_cell.pk}/validate/"
    before = client.get(url).content.decode()
    assert 'id="not-validated"' in before  # looking at the page changes nothing
    assert lstm_cell.versions.get().validated_at is None
    with django_capture_on_commit_callbacks(execute=True):  # the validation starts at the commit
        assert client.post(url).status_code == 302
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="validation-table"' in body and "Passed" in body
    start = body.index('id="validation-table"')
    table = body[start : body.index("</table>", start)]
    assert table.count("<tr>") == 1 + len(spec_of(lstm_cell)["tests"])  # header + one row per test
    assert LogEntry.objects.filter(
        object_id=str(lstm_cell.pk), change_message__contains="Validation of v1 started"
    ).exists()


def test_validation_runs_in_the_background_and_the_page_follows_it(author, lstm_cell, settings):
    from problems.validation import validate_version_by_id

    settings.GRADING_BACKEND = "none"  # the worker is this test, below
    client = admin_client(author)
    url = f"/admin/problems/problem/{lstm_cell.pk}/validate/"
    running = client.post(url, follow=True).content.decode()
    assert 'id="validation-running"' in running and 'http-equiv="refresh"' in running
    validate_version_by_id(lstm_cell.versions.get().pk)  # what the worker does
    done = client.get(url).content.decode()
    assert 'id="validation-table"' in done and 'http-equiv="refresh"' not in done
    assert lstm_cell.versions.get().validated_at is not None


def test_publishing_an_unvalidated_code_problem_is_refused_in_the_admin(author, lstm_cell):
    response = admin_client(author).post(
        f"/admin/problems/problem/{lstm_cell.pk}/publish/", follow=True
    )
    assert "validate it first" in response.content.decode()
    assert not Problem.objects.get(pk=lstm_cell.pk).is_published


def test_the_live_preview_renders_markdown_and_keeps_math_for_katex(author, lstm_cell):
    response = admin_client(author).post(
        "/admin/problems/problem/preview-markup/", {"text": "**太字** and $\\sigma(x)$"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<strong>太字</strong>" in body and "$\\sigma(x)$" in body
    assert "data-math" in body and "app.js" in body


@pytest.fixture
def viewer():
    """Staff who may look at problems and submissions, and nothing more."""
    from django.contrib.auth.models import Permission

    user = make_user("viewer", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            codename__in=["view_problem", "view_course", "view_submission", "view_problemversion"]
        )
    )
    return user


@pytest.mark.parametrize(
    ("changelist", "action"),
    [
        ("problem", "unpublish_selected"),
        ("problem", "publish_selected"),
        ("problem", "validate_selected"),
        ("problem", "regrade_selected"),
        ("problem", "export_selected"),
        ("course", "export_pack"),
    ],
)
def test_view_only_staff_cannot_run_author_actions(viewer, lstm_cell, changelist, action):
    problem_validated = _validated(lstm_cell)
    target = (
        problem_validated.pk if changelist == "problem" else problem_validated.section.course.pk
    )
    response = admin_client(viewer).post(
        f"/admin/problems/{changelist}/", {"action": action, "_selected_action": [target]}
    )
    assert response.get("Content-Type") != "application/zip"
    assert Problem.objects.get(pk=lstm_cell.pk).is_published
    assert not LogEntry.objects.filter(user=viewer).exists()
    assert not RegradeBatch.objects.exists()


def test_snapshots_are_hidden_from_staff_who_may_not_see_references(viewer, lstm_cell):
    version = lstm_cell.versions.get()
    response = admin_client(viewer).get(f"/admin/problems/problemversion/{version.pk}/change/")
    assert response.status_code in (302, 403)


def test_the_admin_preview_shows_the_problem_as_learners_see_it(author, lstm_cell):
    response = admin_client(author).get(f"/preview/problems/{lstm_cell.pk}/")
    assert response.status_code == 200
    assert "LSTM" in response.content.decode()
    assert admin_client(author).post(f"/preview/problems/{lstm_cell.pk}/").status_code == 405


def test_a_code_problem_is_worth_what_its_tests_add_up_to(tmp_path: Path):
    import shutil

    from problems.content.loader import load_selected
    from tests.factories import CONTENT

    # given a content file whose `points:` (99) disagrees with its tests
    shutil.copytree(CONTENT / "02-lstm", tmp_path / "02-lstm")
    source = tmp_path / "02-lstm" / "lstm-cell.yaml"
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("\npoints: ", "\npoints: 99 #", 1), encoding="utf-8")
    (problem,) = load_selected(tmp_path, ["lstm-cell"], course_slug="points-test")
    # then the problem's points (the page's header, a quiz's maximum) are the graded maximum
    graded = problem.versions.get().engine_spec
    assert problem.points == sum(test.get("points", 1) for test in graded["tests"]) != 99
