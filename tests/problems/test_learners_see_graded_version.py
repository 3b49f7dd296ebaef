"""Learners see the statement of the version they are graded against: an author's edit of a
published code problem is shown in the admin preview only, until it validates."""

from __future__ import annotations

import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from problems.content.loader import load_content
from problems.models import Problem
from problems.services import submission_create
from problems.validation import problem_publish_if_proven, problem_version_validate
from tests.factories import CONTENT, load_content_problems, make_user

pytestmark = pytest.mark.django_db

SLUG = "gradient-clipping"
DRAFT_TITLE = "Clipping, rewritten by the author"
DRAFT_STATEMENT = "A rewritten statement that has not been validated yet."
DRAFT_STARTER = "def gradient_clipping(grad, threshold):\n    # rewritten_starter\n    pass\n"
DRAFT_HINT = "A hint only the draft has."


class _FormFields(HTMLParser):
    """The fields of the admin's change form, as a browser would post them back."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, str] = {}
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") == "checkbox":
                if "checked" in attrs:
                    self.data[name] = attrs.get("value") or "on"
            else:
                self.data[name] = attrs.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            # Django starts a textarea with a newline the browser drops.
            text = data[1:] if not self.data[self._textarea] and data.startswith("\n") else data
            self.data[self._textarea] += text


@pytest.fixture
def published() -> Problem:
    (problem,) = load_content_problems(SLUG)
    report = problem_version_validate(version=problem.versions.get())
    assert report.ok, report.problems
    assert problem_publish_if_proven(problem=problem)
    return problem


@pytest.fixture
def author() -> Client:
    user = make_user("author", is_staff=True)
    user.groups.add(Group.objects.get(name="author"))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def learner() -> Client:
    client = Client()
    client.force_login(make_user("learner"))
    return client


def _edit_in_the_admin(author: Client, problem: Problem, **changes: str) -> None:
    url = f"/admin/problems/problem/{problem.pk}/change/"
    fields = _FormFields()
    fields.feed(author.get(url).content.decode())
    data = fields.data
    data.update(
        title_en=DRAFT_TITLE,
        statement_en=DRAFT_STATEMENT,
        hints=f'[{{"ja": "{DRAFT_HINT}", "en": "{DRAFT_HINT}"}}]',
        **changes,
    )
    data["code_spec-0-starter_code"] = DRAFT_STARTER
    response = author.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    if response.status_code != 302:  # say what the form refused
        errors = [response.context["adminform"].form.errors.as_text()]
        errors += [str(f.formset.errors) for f in response.context["inline_admin_formsets"]]
        pytest.fail("the admin refused the edit: " + " ".join(errors))


def _learner_views(learner: Client, problem: Problem) -> dict[str, str]:
    english = {"HTTP_ACCEPT_LANGUAGE": "en"}
    page = learner.get(f"/problems/{problem.slug}/", **english).content.decode()
    section = learner.get(f"/sections/{problem.section.slug}/", **english).content.decode()
    detail = learner.get(f"/api/problems/{problem.slug}/", **english).json()
    listed = learner.get(f"/api/problems/?section={problem.section.slug}", **english).json()
    hint = learner.get(f"/api/problems/{problem.slug}/hints/1/", **english).json()
    return {
        "page": page,
        "section": section,
        "api title": detail["title"],
        "api statement": detail["statement"],
        "api starter": detail["code"]["starter_code"],
        "api list title": next(p["title"] for p in listed["results"] if p["slug"] == SLUG),
        "hint": hint.get("text", ""),
    }


def test_an_unvalidated_edit_is_not_shown_to_learners_until_it_validates(
    published, author, learner
):
    # given: what learners see of the validated version
    before = _learner_views(learner, published)
    original_statement = before["api statement"]
    assert DRAFT_STATEMENT not in original_statement
    # when: the author edits the published problem in the admin, without validating
    _edit_in_the_admin(author, published)
    # then: the edit is saved as a new version, the problem stays published ...
    problem = Problem.objects.get(pk=published.pk)
    assert problem.is_published and problem.statement_en == DRAFT_STATEMENT
    draft = problem.versions.order_by("-number").first()
    assert draft.number == 2 and draft.validated_at is None
    # ... and learners see nothing of it, on the page nor through the API
    during = _learner_views(learner, problem)
    for view, shown in during.items():
        assert DRAFT_TITLE not in shown and DRAFT_STATEMENT not in shown, view
        assert "rewritten_starter" not in shown and DRAFT_HINT not in shown, view
    assert during["api statement"] == original_statement
    assert during["api starter"] == before["api starter"]
    assert during["api title"] == during["api list title"] == before["api title"]
    # and their code is still graded against the version whose statement they read
    learner_user = make_user("learner-2")
    submission = submission_create(user=learner_user, problem=problem, code="x = 1\n")
    assert submission.problem_version.number == 1
    # when: the edit validates
    report = problem_version_validate(version=draft)
    assert report.ok, report.problems
    # then: learners see it
    after = _learner_views(learner, problem)
    assert DRAFT_STATEMENT in after["page"] and after["api statement"] == DRAFT_STATEMENT
    assert DRAFT_TITLE in after["section"] and after["api list title"] == DRAFT_TITLE
    assert (
        after["api starter"].strip() == DRAFT_STARTER.strip()
        and "rewritten_starter" in after["page"]
    )
    assert after["hint"] == DRAFT_HINT
    assert Problem.objects.get(pk=problem.pk).learner_content is None


def test_the_admin_preview_shows_the_draft(published, author):
    # given: an edit waiting for validation, edited once more (it stays published meanwhile)
    _edit_in_the_admin(author, published)
    _edit_in_the_admin(author, published, title_ja="書き直した題")
    problem = Problem.objects.get(pk=published.pk)
    assert problem.is_published and problem.versions.count() == 3
    # when
    preview = author.get(
        f"/admin/problems/problem/{published.pk}/preview/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    # then
    assert DRAFT_TITLE in preview and DRAFT_STATEMENT in preview
    assert "rewritten_starter" in preview


def test_a_failed_validation_keeps_learners_on_the_validated_version(published, author, learner):
    # given: an edit whose reference no longer gets full marks
    _edit_in_the_admin(author, published)
    problem = Problem.objects.get(pk=published.pk)
    problem.code_spec.extra = {**problem.code_spec.extra, "solution": "def nothing():\n    pass\n"}
    problem.code_spec.save()
    from problems.content.loader import problem_version_sync

    version, _ = problem_version_sync(problem)
    # when
    assert not problem_version_validate(version=version).ok
    # then
    shown = _learner_views(learner, problem)
    assert DRAFT_STATEMENT not in shown["page"] and DRAFT_STATEMENT not in shown["api statement"]


def test_changed_content_loaded_from_files_waits_for_validation_too(published, learner, tmp_path):
    # given: the content folder with the problem's English statement rewritten
    source = next(CONTENT.glob(f"*/{SLUG}.yaml"))
    folder = tmp_path / "content" / source.parent.name
    folder.mkdir(parents=True)
    shutil.copy(source.parent / "_section.yaml", folder)
    text = source.read_text(encoding="utf-8")
    marker = "  en: |\n    The code version of"
    assert marker in text
    edited = text.replace(marker, f"  en: |\n    {DRAFT_STATEMENT}\n\n    The code version of", 1)
    (folder / source.name).write_text(edited, encoding="utf-8")
    (tmp_path / "content" / "course.yaml").write_text(
        "slug: test-course\ntitle: {ja: test-course, en: test-course}\n", encoding="utf-8"
    )
    # when: it is loaded (load_curriculum validates afterwards; here nothing has yet)
    report = load_content(Path(tmp_path / "content"))
    # then
    assert report.new_versions == [SLUG]
    shown = _learner_views(learner, published)
    assert DRAFT_STATEMENT not in shown["page"] and DRAFT_STATEMENT not in shown["api statement"]
