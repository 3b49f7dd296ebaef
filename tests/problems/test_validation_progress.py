"""A validation's live progress: recorded step by step by the validating process, served to
authors by a staff-only JSON endpoint, and drawn on the admin's problem and Validate pages."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.contrib.admin.models import LogEntry

from problems.content.loader import problem_version_sync
from problems.models import CodeSpec, Problem
from problems.selectors.authoring import validation_progress_get
from problems.services.authoring import problem_version_validation_start
from problems.validation import problem_version_validate, validate_version_by_id
from problems.validation_progress import (
    ValidationProgressRecorder,
    ValidationStep,
    validation_progress_read,
)
from tests.factories import load_content_problems, make_problem
from tests.silent_cache import silent_cache

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_cache")]


@pytest.fixture
def leaky_relu() -> Problem:
    (problem,) = load_content_problems("leaky-relu")
    return problem


def _gradings(problem: Problem) -> list[tuple[str, str]]:
    """(kind, name) of every grading a validation of the problem runs, in order."""
    spec = problem.versions.get().engine_spec
    return [
        ("reference", "reference"),
        *(("mutant", mutant["name"]) for mutant in spec["mutants"]),
        *(("alternative", entry["name"]) for entry in spec.get("alternatives", [])),
    ]


def _progress_url(version) -> str:
    return f"/admin/problems/problemversion/{version.pk}/progress/"


# -- recording -------------------------------------------------------------------------------


def test_it_records_every_grading_in_order_until_done_reaches_total(leaky_relu):
    # given a real code problem and a recorder that lets the test read the cache at each write
    version = leaky_relu.versions.get()
    seen: list[dict] = []
    recorder = ValidationProgressRecorder(
        version_id=version.pk, on_write=lambda _: seen.append(validation_progress_read(version.pk))
    )
    # when it is validated through the real grading path (the sandbox)
    report = problem_version_validate(version=version, progress=recorder)
    # then the cache said "running" with each grading in turn, then "passed" at total
    gradings = _gradings(leaky_relu)
    assert report.ok and len(gradings) >= 5
    total = len(gradings)
    assert seen[0]["state"] == "running" and seen[0]["done"] == 0 and seen[0]["total"] == total
    # (a grading that runs long also writes its own progress: one entry per step started here)
    running = [entry["step"] for entry in seen[1:-1] if entry["done"] < entry["step"]["number"]]
    started = [
        step
        for k, step in enumerate(running)
        if k == 0 or step["number"] != running[k - 1]["number"]
    ]
    assert [(step["kind"], step["name"]) for step in started] == gradings
    assert [step["number"] for step in started] == list(range(1, total + 1))
    mutants = [step for step in started if step["kind"] == "mutant"]
    assert [(step["index"], step["count"]) for step in mutants] == [
        (index, len(mutants)) for index in range(1, len(mutants) + 1)
    ]
    assert [entry["done"] for entry in seen] == sorted(entry["done"] for entry in seen)
    assert seen[-1]["state"] == "passed" and seen[-1]["done"] == total
    assert [(r["kind"], r["name"]) for r in seen[-1]["results"]] == gradings
    assert all(result["ok"] for result in seen[-1]["results"])


def test_the_progress_after_a_validation_shows_its_outcome(leaky_relu):
    version = leaky_relu.versions.get()
    problem_version_validate(version=version)  # the recorder the worker uses
    progress = validation_progress_get(version=version)
    assert progress.state == "passed" and not progress.is_live
    assert progress.done == progress.total == len(_gradings(leaky_relu))
    assert progress.percent == 100 and progress.remaining_seconds == 0
    assert progress.started_at <= progress.finished_at


def test_a_surviving_mutant_ends_the_progress_failed(leaky_relu):
    # given an edit that adds a "mutant" which is the solution itself
    from problems.content.loader import problem_version_sync

    spec = leaky_relu.code_spec
    spec.mutants = [*spec.mutants, {"name": "actually-correct", "code": spec.extra["solution"]}]
    spec.save()
    version, created = problem_version_sync(leaky_relu)
    assert created
    # when it is validated
    problem_version_validate(version=version)
    # then the last grading is the surviving mutant, and the outcome is "failed"
    entry = validation_progress_read(version.pk)
    assert entry["state"] == "failed" and entry["done"] == entry["total"]
    survivor = next(r for r in entry["results"] if r["name"] == "actually-correct")
    assert survivor == {"kind": "mutant", "name": "actually-correct", "ok": False, "verdict": "AC"}


def test_the_time_left_is_the_rate_so_far_times_the_steps_left(leaky_relu):
    # given two of six gradings done
    version = leaky_relu.versions.get()
    recorder = ValidationProgressRecorder(version_id=version.pk)
    recorder.start(total=6)
    for name in ("reference", "m1"):
        step = ValidationStep("mutant", name, 1, 5)
        recorder.step_started(step)
        recorder.step_finished(step, ok=True, verdict="WA")
    recorder.step_started(ValidationStep("mutant", "m2", 2, 5))
    entry = validation_progress_read(version.pk)
    started = datetime.fromisoformat(entry["started_at"])
    finished = datetime.fromisoformat(entry["step_finished_at"])
    # when an author looks 1 s after the second grading ended
    progress = validation_progress_get(version=version, now=finished + timedelta(seconds=1))
    # then four gradings are left at the mean time per grading, less the second already spent
    per_step = (finished - started).total_seconds() / 2
    assert progress.remaining_seconds == pytest.approx(max(0.0, 4 * per_step - 1))
    assert progress.elapsed_seconds == pytest.approx((finished - started).total_seconds() + 1)
    assert progress.step["name"] == "m2" and progress.step["number"] == 3


def test_a_validation_whose_process_went_silent_is_interrupted_not_running_for_ever(
    leaky_relu, settings
):
    # given a validation that started and then heard nothing from its worker
    version = leaky_relu.versions.get()
    recorder = ValidationProgressRecorder(version_id=version.pk)
    recorder.start(total=6)
    recorder.step_started(ValidationStep("reference", "reference", 1, 1))
    written = datetime.fromisoformat(validation_progress_read(version.pk)["updated_at"])
    quiet = timedelta(seconds=settings.VALIDATION_PROGRESS_STALE_SECONDS)
    # then it is running as long as it may be, and interrupted after that
    assert validation_progress_get(version=version, now=written + quiet).state == "running"
    late = validation_progress_get(version=version, now=written + quiet + timedelta(seconds=1))
    assert late.state == "interrupted" and not late.is_live and late.step is None


# -- the endpoint ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 403),
        ("owner", 403),  # a learner
        ("staff", 403),  # staff without the right to read code specs
        ("reviewer", 403),  # reads learners' work, not references and mutants
        ("author", 200),
        ("superuser", 200),
    ],
)
def test_it_serves_progress_to_authors_only(roles, leaky_relu, role, status):
    response = roles.client(role).get(_progress_url(leaky_relu.versions.get()))
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize(("role", "status"), [("owner", 403), ("author", 404)])
def test_an_unknown_version_is_a_404_for_authors_and_still_a_403_for_learners(roles, role, status):
    response = roles.client(role).get("/admin/problems/problemversion/987654/progress/")
    assert response.status_code == status


def test_a_version_never_validated_is_idle(roles, leaky_relu):
    body = roles.client("author").get(_progress_url(leaky_relu.versions.get())).json()
    assert body["state"] == "idle" and body["live"] is False
    assert body["text"]["step"] == "Not validated yet."


def test_the_endpoint_follows_a_validation_from_queued_to_passed(roles, leaky_relu, settings):
    settings.GRADING_BACKEND = "none"  # the worker is this test, below
    version = leaky_relu.versions.get()
    client = roles.client("author", "ja")
    # when the author asks for a validation
    problem_version_validation_start(version=version)
    queued = client.get(_progress_url(version)).json()
    # then it is queued until a worker starts it
    assert queued["state"] == "queued" and queued["live"] and queued["done"] == 0
    assert queued["text"]["step"] == "検証を始めるワーカーを待っています。"
    # and when the worker has run it, it has passed, with a link to the report
    validate_version_by_id(version.pk)
    done = client.get(_progress_url(version)).json()
    total = len(_gradings(leaky_relu))
    assert done["state"] == "passed" and done["live"] is False
    assert (done["done"], done["total"], done["percent"]) == (total, total, 100)
    assert done["text"]["step"] == f"{total} ステップ中 {total} ステップ目"
    assert done["text"]["outcome"].startswith("合格")
    assert done["report_url"] == f"/admin/problems/problem/{leaky_relu.pk}/validate/"
    assert done["version"] == {"id": version.pk, "number": 1}


@pytest.mark.parametrize(
    ("language", "step", "current", "estimating"),
    [
        ("en", "Step 2 of 6", "Mutant 1 of 5: wrong-sign", "estimating the time left"),
        (
            "ja",
            "6 ステップ中 2 ステップ目",
            "ミュータント（誤答例）5 個中 1 個目: wrong-sign",
            "残り時間を見積もっています",
        ),
    ],
)
def test_a_running_step_is_labelled_in_the_pages_language(
    roles, leaky_relu, language, step, current, estimating
):
    # given the reference graded and the first mutant running, as the worker records them
    version = leaky_relu.versions.get()
    recorder = ValidationProgressRecorder(version_id=version.pk)
    recorder.start(total=6)
    reference = ValidationStep("reference", "reference", 1, 1)
    recorder.step_started(reference)
    before_a_step_ends = roles.client("author", language).get(_progress_url(version)).json()
    recorder.step_finished(reference, ok=True, verdict="AC")
    recorder.step_started(ValidationStep("mutant", "wrong-sign", 1, 5))
    # when the author's page polls
    body = roles.client("author", language).get(_progress_url(version)).json()
    # then it says which step of how many, what runs, and the times
    assert estimating in before_a_step_ends["text"]["time"]
    assert body["state"] == "running" and body["live"] and (body["done"], body["total"]) == (1, 6)
    assert body["step"] == {
        "kind": "mutant",
        "name": "wrong-sign",
        "index": 1,
        "count": 5,
        "number": 2,
    }
    assert body["text"]["step"] == step and body["text"]["current"] == current
    assert body["remaining_seconds"] is not None and body["remaining_seconds"] >= 0
    assert body["results"] == [
        {"kind": "reference", "name": "reference", "ok": True, "verdict": "AC"}
    ]


# -- the pages -------------------------------------------------------------------------------


def test_save_and_validate_starts_a_validation_the_change_page_follows(roles, leaky_relu, settings):
    settings.GRADING_BACKEND = "none"
    client = roles.client("author")
    url = f"/admin/problems/problem/{leaky_relu.pk}/change/"
    page = client.get(url).content.decode()
    assert 'id="save-and-validate"' in page and 'id="validation-progress"' in page
    assert "admin-validation-progress.js" in page
    # when the author saves with "Save and validate"
    response = client.post(url, {**_as_posted(client.get(url)), "_validate": "1"}, follow=True)
    # then the change page follows the saved version's validation live, and the log says so
    body = response.content.decode()
    version = leaky_relu.versions.order_by("-number").first()
    assert response.redirect_chain[-1][0] == url
    assert f'data-validation-progress="{_progress_url(version)}"' in body
    assert 'data-live="true"' in body and 'data-state="queued"' in body
    assert LogEntry.objects.filter(
        object_id=str(leaky_relu.pk), change_message=f"Validation of v{version.number} started"
    ).exists()


def test_the_validate_page_reloads_itself_at_the_outcome_while_running(roles, leaky_relu, settings):
    settings.GRADING_BACKEND = "none"
    client = roles.client("author")
    running = client.post(f"/admin/problems/problem/{leaky_relu.pk}/validate/", follow=True)
    body = running.content.decode()
    assert 'id="validation-progress"' in body and "data-reload-on-finish" in body
    assert '<noscript><meta http-equiv="refresh"' in body  # without the script, it refreshes


def test_the_version_list_shows_each_versions_validation(roles, leaky_relu):
    problem_version_validate(version=leaky_relu.versions.get())
    body = roles.client("author").get("/admin/problems/problemversion/").content.decode()
    assert "validation-progress-compact" in body and "✔ validated" in body


def _as_posted(response) -> dict:
    """A change form's data as a browser posts it unchanged (the inlines' management forms too)."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is not None and value is not False:
                data[form.add_prefix(name)] = value
    return data


# A reference that trains for a moment and reports its steps as the grader helpers do.
TRAINING_RELU = (
    "import time\nimport numpy as np\n\n\ndef relu(x):\n"
    "    for step in range(1, 11):\n"
    "        time.sleep(0.1)\n"
    "        _grader_progress(step, 10, 1.0 / step)\n"
    "    return np.maximum(x, 0)\n"
)


def test_a_long_grading_records_its_own_training_steps():
    # given a problem whose reference takes a second, reporting its steps
    problem = make_problem("code", slug="training-relu", published=False)
    CodeSpec.objects.create(
        problem=problem,
        entry_points=["relu"],
        starter_code="def relu(x):\n    pass\n",
        reference={"code": TRAINING_RELU},
        tests=[{"name": "vector", "args": {"x": {"value": [-1.0, 2.0]}}}],
        mutants=[{"name": "identity", "code": "def relu(x):\n    return x\n"}],
    )
    problem_version_sync(problem)
    version = problem.versions.get()
    seen: list[dict] = []
    recorder = ValidationProgressRecorder(version_id=version.pk, on_write=seen.append)
    # when it is validated
    report = problem_version_validate(version=version, progress=recorder)
    # then while the reference ran, its own steps were recorded (in order), the mutant's not
    training = [
        (entry["step"]["kind"], entry["step"]["training"])
        for entry in seen
        if entry.get("step") and entry["step"].get("training")
    ]
    steps = [t["step"] for kind, t in training if "step" in t]
    assert report.ok, report.problems
    assert training and all(kind == "reference" for kind, _ in training)
    assert steps == sorted(steps) and all(t.get("total", 10) == 10 for _, t in training)


def test_a_cache_that_stops_answering_is_not_asked_at_each_training_step(settings, monkeypatch):
    # given: a Redis that takes connections and never answers; a grading's own steps are
    # written from inside the sandbox's watchdog loop
    from problems import validation_progress

    monkeypatch.setattr(validation_progress, "TRAINING_WRITE_EVERY", 0.0)  # every step due
    with silent_cache(settings) as silent:
        recorder = ValidationProgressRecorder(version_id=1)
        # when: the validation starts, and its reference reports ten training steps
        recorder.start(total=3)
        recorder.step_started(ValidationStep("reference", "reference", 1, 1))
        for step in range(1, 11):
            recorder.training({"phase": "train", "step": step, "total": 10})
        # then: the start (a read, a write) and the step were tried, each timing out; the
        # training steps were not
        asked = silent.connections()
    assert asked == 3
