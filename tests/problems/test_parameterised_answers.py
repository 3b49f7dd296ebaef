"""A variant per occurrence: what learners see, what is checked and stored, what reviews show."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import yaml
from django.utils import translation

from problems.content.exporter import export_files, export_to_directory
from problems.content.loader import ContentError, load_content
from problems.models import Answer, Course, Problem
from problems.parameterised import problem_as_answered, problem_for_learner
from problems.services.answers import answer_create
from problems.services.attempts import attempt_start
from problems.variants import occurrence_for, variant_seed
from tests.factories import client_for, load_content_problems, make_quiz, make_user
from tests.variantkit import CONTENT, parameterised_documents

pytestmark = pytest.mark.django_db

SLUGS = sorted(parameterised_documents())


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def problems():
    loaded = load_content_problems(*SLUGS)
    Problem.objects.update(is_published=True)  # as load_curriculum publishes non-code ones
    return {problem.slug: Problem.objects.get(pk=problem.pk) for problem in loaded}


def _right_response(shown):
    """What the learner who sees `shown` answers when right: the number, or the correct
    choice's text (another learner can only pick a choice by what it says)."""
    if shown.kind == "numeric":
        return shown.numeric_answer
    return next(choice.text_en for choice in shown.choices.all() if choice.is_correct)


def _as_response_of(shown, right):
    """`right` (another learner's right answer) as this learner would give it; None when
    none of this learner's choices says it."""
    if shown.kind == "numeric":
        return right
    return next((c.key for c in shown.choices.all() if c.text_en == right), None)


def _same_answer(a, b, problem) -> bool:
    if problem.kind == "numeric":
        return abs(a.numeric_answer - b.numeric_answer) <= problem.numeric_tolerance
    return _right_response(a) == _right_response(b)


def test_one_learners_right_answer_is_wrong_for_another_whose_answer_differs(problems):
    differ = copied = 0
    for slug in SLUGS:
        problem = problems[slug]
        for _pair in range(3):
            a, b = make_user(), make_user()
            shown_a = problem_for_learner(problem, user=a)
            shown_b = problem_for_learner(problem, user=b)
            right = _right_response(shown_a)
            given = _as_response_of(shown_b, right)
            if given is not None:
                answer, outcome = answer_create(user=b, problem=problem, response=given)
                assert outcome.correct == _same_answer(shown_a, shown_b, problem), slug
                copied += 1
                differ += not outcome.correct
            # and A's own right answer is right, stored with A's numbers
            mine = _as_response_of(shown_a, right)
            answer, outcome = answer_create(user=a, problem=problem, response=mine)
            assert outcome.correct, (slug, shown_a.rendered_variant.params)
            assert answer.variant["params"] == shown_a.rendered_variant.params
            assert answer.variant["occurrence"] == "practice:0"
    # the copied answers that could be given at all were mostly wrong: numbers differ
    assert copied >= 0.75 * 3 * len(SLUGS) and differ >= 0.8 * copied, (copied, differ)


def test_the_variant_is_stable_within_an_occurrence_and_fresh_for_the_next(problems):
    learner = make_user()
    problem = problems["lstm-param-count"]
    first = problem_for_learner(problem, user=learner)
    assert problem_for_learner(problem, user=learner).statement_en == first.statement_en
    answer_create(user=learner, problem=problem, response=first.numeric_answer)
    second = occurrence_for(user=learner, problem=problem)
    assert second.key == "practice:1"
    fresh = problem_for_learner(problem, user=learner)
    seed = variant_seed(user_id=learner.pk, problem_slug=problem.slug, key="practice:1")
    assert (
        fresh.rendered_variant.params
        == problem_as_answered(
            problem, Answer(variant={"params": fresh.rendered_variant.params})
        ).rendered_variant.params
    )
    assert fresh.rendered_variant == problem_for_learner(problem, user=learner).rendered_variant
    from problems.parameterised import problem_variant

    assert fresh.rendered_variant == problem_variant(problem, seed=seed).rendered_variant


def test_a_learners_variant_never_reaches_the_database(problems):
    shown = problem_for_learner(problems["lstm-param-count"], user=make_user())
    with pytest.raises(ValueError, match="for display; save the original"):
        shown.save()
    stored = problems["lstm-param-count"].__class__.objects.get(slug="lstm-param-count")
    assert "{{D}}" in stored.statement_en and stored.numeric_answer is None


def test_the_problem_page_shows_checks_and_explains_the_learners_variant(problems):
    learner = make_user()
    problem = problems["x-t-cutmix-label-weight"]
    shown = problem_for_learner(problem, user=learner)
    params = shown.rendered_variant.params
    client = client_for(learner)
    page = client.get("/problems/x-t-cutmix-label-weight/").content.decode()
    again = client.get("/problems/x-t-cutmix-label-weight/").content.decode()
    sentence = f"a rectangle {params['w']} pixels wide and {params['h']} pixels high"
    assert sentence in page and sentence in again and "{{" not in page
    answered = client.post(
        "/problems/x-t-cutmix-label-weight/", {"answer": f"{shown.numeric_answer:.3f}"}
    ).content.decode()
    assert sentence in answered
    assert f"{params['w']} \\times {params['h']} = {params['w'] * params['h']}" in answered
    (answer,) = Answer.objects.filter(user=learner)
    assert answer.is_correct and answer.variant["params"] == params
    # the next visit is the next occurrence: the numbers come from its own seed
    following = problem_for_learner(problem, user=learner)
    seed = variant_seed(user_id=learner.pk, problem_slug=problem.slug, key="practice:1")
    from problems.parameterised import problem_variant

    assert following.statement_en == problem_variant(problem, seed=seed).statement_en
    new = following.rendered_variant.params
    sentence = f"a rectangle {new['w']} pixels wide and {new['h']} pixels high"
    assert sentence in client.get("/problems/x-t-cutmix-label-weight/").content.decode()


def test_a_parameterised_choice_page_offers_the_variants_choices(problems):
    learner = make_user()
    problem = problems["conv-output-size-choice"]
    shown = problem_for_learner(problem, user=learner)
    page = client_for(learner).get("/problems/conv-output-size-choice/").content.decode()
    texts = [choice.text_en for choice in shown.choices.all()]
    assert len(texts) == 4 == len(set(texts))
    for choice in shown.choices.all():
        assert f'value="{choice.key}"' in page
    hidden = {c.key for c in problem.choices.all()} - {c.key for c in shown.choices.all()}
    for key in hidden:  # a choice this variant does not show cannot be answered
        response = client_for(learner).post(
            "/api/problems/conv-output-size-choice/answers/",
            {"answer": key},
            content_type="application/json",
        )
        assert response.status_code == 400
        assert "is not a choice of this problem" in response.json()["detail"]


def test_a_quiz_attempt_keeps_its_variant_and_its_review_shows_it(problems):
    learner = make_user()
    problem = problems["lstm-param-count"]
    quiz = make_quiz([problem])
    attempt = attempt_start(user=learner, quiz=quiz)
    shown = problem_for_learner(problem, user=learner, attempt=attempt)
    client = client_for(learner)
    url = f"/attempts/{attempt.pk}/q/1/"
    assert shown.statement_en.splitlines()[0] in client.get(url).content.decode()
    assert shown.statement_en.splitlines()[0] in client.get(url).content.decode()
    client.post(url, {"answer": str(int(shown.numeric_answer)), "action": "answer"})
    (answer,) = Answer.objects.filter(attempt=attempt)
    assert answer.is_correct and answer.variant == {
        "occurrence": f"attempt:{attempt.pk}",
        "params": shown.rendered_variant.params,
    }
    review = client.get(f"/attempts/{attempt.pk}/review/").content.decode()
    assert shown.statement_en.splitlines()[0] in review
    assert f"{int(shown.numeric_answer)}" in review
    # another attempt is another occurrence, with its own seed
    second = attempt_start(user=learner, quiz=quiz)
    assert (
        occurrence_for(user=learner, problem=problem, attempt=second).seed
        != occurrence_for(user=learner, problem=problem, attempt=attempt).seed
    )


def test_the_api_shows_and_checks_the_learners_variant(problems):
    learner = make_user()
    problem = problems["vae-kl-value"]
    shown = problem_for_learner(problem, user=learner)
    client = client_for(learner)
    detail = client.get("/api/problems/vae-kl-value/").json()
    assert detail["statement"] == shown.statement_en and "{{" not in detail["statement"]
    response = client.post(
        "/api/problems/vae-kl-value/answers/",
        {"answer": round(shown.numeric_answer, 3)},
        content_type="application/json",
    ).json()
    assert response["correct"] is True
    assert math.isclose(response["correct_answer"], shown.numeric_answer)
    assert response["explanation"] == shown.explanation_en
    # inside a quiz the API renders the attempt's variant; a malformed id is a sentence
    attempt = attempt_start(user=learner, quiz=make_quiz([problem]))
    in_quiz = problem_for_learner(problem, user=learner, attempt=attempt)
    got = client.get(f"/api/problems/vae-kl-value/?attempt={attempt.pk}").json()
    assert got["statement"] == in_quiz.statement_en
    bad = client.get("/api/problems/vae-kl-value/?attempt=x1")
    assert bad.status_code == 400 and "must be the id of your attempt" in bad.content.decode()
    in_ja = client_for(learner, language="ja").get("/api/problems/vae-kl-value/?attempt=x1")
    assert in_ja.status_code == 400 and "受験の番号" in in_ja.content.decode()
    other = client_for(make_user()).get(f"/api/problems/vae-kl-value/?attempt={attempt.pk}")
    assert other.status_code == 404


# -- the content format --------------------------------------------------------------------


def test_parameterised_problems_export_import_and_export_byte_identically(problems, tmp_path: Path):
    course = Course.objects.get()
    first = export_files(course=course)
    export_to_directory(course=course, root=tmp_path / "pack")
    report = load_content(tmp_path / "pack")
    assert not report.created and not report.new_versions
    assert export_files(course=course) == first
    exported = yaml.safe_load(first["01-rnn/conv-output-size-choice.yaml"])
    (source,) = CONTENT.glob("*/conv-output-size-choice.yaml")
    original = yaml.safe_load(source.read_text(encoding="utf-8"))
    for key in ("params", "answer_function", "choice_count", "statement", "explanation"):
        assert exported[key] == original[key], key
    assert [c.get("misconception") for c in exported["choices"]] == [
        c.get("misconception") for c in original["choices"]
    ]
    numeric = yaml.safe_load(first["02-lstm/lstm-param-count.yaml"])["numeric"]
    assert numeric == {"tolerance": 0.0, "unit": None}


def _pack(root: Path, document: dict) -> Path:
    (root / "01-rnn").mkdir(parents=True)
    (root / "course.yaml").write_text("slug: c\ntitle: {ja: c, en: c}\n", encoding="utf-8")
    (source,) = CONTENT.glob("01-rnn/_section.yaml")
    (root / "01-rnn/_section.yaml").write_text(source.read_text(encoding="utf-8"))
    (root / f"01-rnn/{document['slug']}.yaml").write_text(
        yaml.safe_dump(document, allow_unicode=True), encoding="utf-8"
    )
    return root


def test_the_loader_rejects_a_generator_that_can_draw_an_ill_posed_variant(tmp_path: Path):
    (source,) = CONTENT.glob("*/conv1d-output-length.yaml")
    document = yaml.safe_load(source.read_text(encoding="utf-8"))
    document["params"]["L"] = {"range": [3, 40]}
    with pytest.raises(ContentError) as raised:
        load_content(_pack(tmp_path, document))
    (error,) = raised.value.errors
    assert "conv1d-output-length.yaml: params: the generators can draw ill-posed variants" in error
    assert "is longer than the padded input" in error


def test_the_loader_names_a_written_answer_on_a_parameterised_problem(tmp_path: Path):
    (source,) = CONTENT.glob("*/conv1d-output-length.yaml")
    document = yaml.safe_load(source.read_text(encoding="utf-8"))
    document["numeric"]["answer"] = 997
    with pytest.raises(ContentError) as raised:
        load_content(_pack(tmp_path, document))
    assert raised.value.errors[0].endswith(
        "numeric.answer: a parameterised problem's answer is computed by its answer_function "
        "for each variant; remove numeric.answer."
    )


def test_an_answer_from_a_tab_with_older_numbers_is_refused_with_a_sentence(problems):
    learner = make_user()
    client = client_for(learner)
    shown = problem_for_learner(problems["lstm-param-count"], user=learner)
    right = str(int(shown.numeric_answer))
    first = client.post(
        "/problems/lstm-param-count/", {"answer": right, "occurrence": "practice:0"}
    ).content.decode()
    assert "changed since you opened it" not in first
    assert Answer.objects.get(user=learner).is_correct
    # the second tab still shows practice:0's numbers
    stale = client.post(
        "/problems/lstm-param-count/", {"answer": right, "occurrence": "practice:0"}
    )
    assert stale.status_code == 409
    assert "This question changed since you opened it" in stale.content.decode()
    assert Answer.objects.filter(user=learner).count() == 1


def _admin_form_data(problem) -> dict:
    from django.forms.models import model_to_dict

    from problems.admin.forms import ProblemForm

    data = model_to_dict(problem, fields=ProblemForm._meta.fields)
    data["tags"] = json.dumps(data["tags"])
    data["hints"] = json.dumps(data["hints"])
    data["numeric_answer"] = ""
    return {key: ("" if value is None else value) for key, value in data.items()}


def test_the_admin_refuses_an_edit_that_breaks_a_variant(problems):
    from problems.admin.forms import ProblemForm

    problem = problems["lstm-param-count"]
    unchanged = ProblemForm(data=_admin_form_data(problem), instance=problem)
    assert unchanged.is_valid(), unchanged.errors
    broken = _admin_form_data(problem)
    broken["statement_en"] = "An LSTM with input size {{input_size}}."
    form = ProblemForm(data=broken, instance=problem)
    assert not form.is_valid()
    assert "{{input_size}}: no value named 'input_size'" in " ".join(form.non_field_errors())
    answered = {**_admin_form_data(problem), "numeric_answer": "2480"}
    form = ProblemForm(data=answered, instance=problem)
    assert not form.is_valid() and "Leave the answer empty" in str(form.errors["numeric_answer"])
