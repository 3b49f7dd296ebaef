"""Every endpoint and page that shows a learner's work, walked by every role.

The owner sees their work; another learner, staff without permissions and authors get a 404
(they cannot tell which ids exist); reviewers (`problems.view_learner_work`) and superusers
read it; anonymous visitors are sent to log in (pages) or get a 401 (API). In the admin,
authors see which submissions exist (to regrade them) but not the code in them. Pages that are
each user's own (the dashboard, the history) show the owner's work to the owner alone.
"""

from __future__ import annotations

import pytest

from problems import events
from problems.models import Answer, Submission
from problems.services.answers import answer_create
from problems.services.attempts import attempt_finish, attempt_start
from tests.conftest import ROLES
from tests.factories import make_code_problem, make_graded_submission, make_quiz, make_text_problem

MARKER = "owner-work-7f3a"  # in the owner's code, output and answer; nowhere else

LOGIN = "login"  # a redirect to the login page (of the site or of the admin)
LEARNER_WORK = {
    "anonymous": LOGIN,
    "owner": 200,
    "stranger": 404,
    "staff": 404,
    "author": 404,
    "reviewer": 200,
    "superuser": 200,
}
API_LEARNER_WORK = {**LEARNER_WORK, "anonymous": 401}
OWN_PAGE = {role: (LOGIN if role == "anonymous" else 200) for role in ROLES}
API_OWN_LIST = {**OWN_PAGE, "anonymous": 401}
# Only the learner who took an attempt answers in it, whatever anyone else may read.
ANSWERING = {**LEARNER_WORK, "owner": 302, "reviewer": 404, "superuser": 404}
ANSWER_PAGE = {**ANSWERING, "owner": 200}
API_ANSWERING = {**ANSWERING, "anonymous": 401, "owner": 201}
ADMIN_SUBMISSION = {
    "anonymous": LOGIN,
    "owner": LOGIN,
    "stranger": LOGIN,
    "staff": 403,
    "author": 200,
    "reviewer": 200,
    "superuser": 200,
}
ADMIN_LEARNERS_ONLY = {**ADMIN_SUBMISSION, "author": 403}
# Nobody has solved the code problem or given it up, and the text problem has no hints.
NOT_YET_SOLVED = {role: (LOGIN if role == "anonymous" else 404) for role in ROLES}
API_NO_SUCH_THING = {**NOT_YET_SOLVED, "anonymous": 401}

# Who reads the owner's work in a 200 (the marker, or what stands for the work on a list).
READERS = {"owner", "reviewer", "superuser"}
OWNER_ONLY = {"owner"}
ADMIN_READERS = {"reviewer", "superuser"}
NOBODY: set[str] = set()

# (name, method, url, expected status per role, who reads the work, what shows it)
ENDPOINTS = [
    ("submission page", "get", "/submissions/{submission}/", LEARNER_WORK, READERS, MARKER),
    ("submission API", "api", "/api/submissions/{submission}/", API_LEARNER_WORK, READERS, MARKER),
    (
        "event stream",
        "get",
        "/api/submissions/{submission}/events/",
        API_LEARNER_WORK,
        READERS,
        MARKER,
    ),
    ("attempt review", "get", "/attempts/{attempt}/review/", LEARNER_WORK, READERS, MARKER),
    ("attempt question", "get", "/attempts/{open_attempt}/q/1/", ANSWER_PAGE, NOBODY, MARKER),
    ("answer in attempt", "post", "/attempts/{open_attempt}/q/1/", ANSWERING, NOBODY, MARKER),
    ("finish attempt", "post", "/attempts/{open_attempt}/finish/", ANSWERING, NOBODY, MARKER),
    ("answer via API", "api-post", "/api/problems/{text}/answers/", API_ANSWERING, NOBODY, MARKER),
    ("submission history", "get", "/submissions/", OWN_PAGE, OWNER_ONLY, "#{submission}<"),
    (
        "progress dashboard",
        "get",
        "/progress/",
        OWN_PAGE,
        OWNER_ONLY,
        "/attempts/{attempt}/review/",
    ),
    (
        "submission list API",
        "api",
        "/api/submissions/",
        API_OWN_LIST,
        OWNER_ONLY,
        '"id":{submission},',
    ),
    ("mistake notebook", "get", "/mistakes/", OWN_PAGE, OWNER_ONLY, "/problems/{text}/"),
    (
        "review API",
        "api",
        "/api/review/?until=2099-01-01T00:00:00Z",
        API_OWN_LIST,
        OWNER_ONLY,
        '"slug":"{code}"',
    ),
    ("review page", "get", "/review/", OWN_PAGE, NOBODY, MARKER),
    ("hints API", "api", "/api/problems/{text}/hints/1/", API_NO_SUCH_THING, NOBODY, MARKER),
    (
        "explanation fragment",
        "get",
        "/problems/{code}/explanation/",
        NOT_YET_SOLVED,
        NOBODY,
        MARKER,
    ),
    ("admin cards", "get", "/admin/study/card/", ADMIN_LEARNERS_ONLY, ADMIN_READERS, "{code}"),
    (
        "admin reviews",
        "get",
        "/admin/study/reviewlog/",
        ADMIN_LEARNERS_ONLY,
        ADMIN_READERS,
        "{code}",
    ),
    ("progress API", "api", "/api/progress/", API_OWN_LIST, OWNER_ONLY, "{text}"),
    (
        "admin submission",
        "get",
        "/admin/problems/submission/{submission}/change/",
        ADMIN_SUBMISSION,
        ADMIN_READERS,
        MARKER,
    ),
    (
        "admin attempt",
        "get",
        "/admin/problems/attempt/{attempt}/change/",
        ADMIN_LEARNERS_ONLY,
        NOBODY,
        MARKER,
    ),
    (
        "admin answer",
        "get",
        "/admin/problems/answer/{answer}/change/",
        ADMIN_LEARNERS_ONLY,
        ADMIN_READERS,
        MARKER,
    ),
]
RECORDS_AN_ANSWER = {"answer in attempt", "answer via API"}


@pytest.fixture
def owners_work(roles, private_cache):
    """The owner's graded submission (the marker in its code and output), a finished attempt
    (the marker in its answer) and an attempt still open."""
    code = make_code_problem()
    text = make_text_problem(accepted=["3x3"])
    submission = make_graded_submission(
        roles.owner,
        code,
        verdict="WA",
        code=f"def double(x):\n    return 3 * x  # {MARKER}\n",
        stdout=f"printed {MARKER}\n",
    )
    finished = attempt_start(user=roles.owner, quiz=make_quiz([text], slug="finished"))
    answer, _ = answer_create(user=roles.owner, problem=text, response=MARKER, attempt=finished)
    attempt_finish(attempt=finished)
    open_attempt = attempt_start(user=roles.owner, quiz=make_quiz([text], slug="open"))
    # the graded submission is a review of the code problem: the owner has a card for it
    events.announce(events.submission_graded, sender=Submission, submission=submission)
    return {
        "code": code.slug,
        "submission": submission.pk,
        "attempt": finished.pk,
        "answer": answer.pk,
        "open_attempt": open_attempt.pk,
        "text": text.slug,
    }


def _send(roles, role: str, method: str, url: str, ids: dict):
    if method == "api":
        return roles.api(role).get(url)
    if method == "api-post":
        data = {"answer": "3x3", "attempt": ids["open_attempt"]}
        return roles.api(role).post(url, data, format="json")
    client = roles.client(role)
    if method == "post":
        return client.post(url, {"answer": "3x3"})
    return client.get(url)


def _body(response) -> str:
    if getattr(response, "streaming", False):
        try:
            return b"".join(response.streaming_content).decode()
        finally:
            response.close()  # frees the user's stream slot
    return response.content.decode()


def _params():
    for endpoint in ENDPOINTS:
        # The stream closes its database connection between polls, as a worker thread must:
        # outside a test transaction.
        marks = [pytest.mark.django_db(transaction=True)] if "/events/" in endpoint[2] else []
        yield pytest.param(*endpoint, marks=marks, id=endpoint[0])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method", "url", "expected", "readers", "evidence"), _params())
def test_it_gives_each_role_what_it_may_see(
    roles, owners_work, role, name, method, url, expected, readers, evidence
):
    # given the owner's work
    url, evidence = url.format(**owners_work), evidence.format(**owners_work)
    answers_before = Answer.objects.count()
    # when the role asks for it
    response = _send(roles, role, method, url, owners_work)
    body = _body(response)
    # then the status is the role's, and only who may read the work reads it
    if expected[role] == LOGIN:
        assert response.status_code == 302
        assert "/login/" in response["Location"]
    else:
        assert response.status_code == expected[role], body[:300]
    assert (evidence in body) == (role in readers and response.status_code == 200)
    assert role in readers or MARKER not in body
    # and only the owner's own answers are recorded
    recorded = Answer.objects.count() - answers_before
    assert recorded == (1 if name in RECORDS_AN_ANSWER and role == "owner" else 0)


def test_the_submission_api_answers_the_owner_with_the_submission(roles, owners_work):
    body = roles.api("owner").get(f"/api/submissions/{owners_work['submission']}/").json()
    assert body["id"] == owners_work["submission"] and body["status"] == "done"


def test_an_author_sees_in_the_admin_which_submissions_exist_but_not_their_code(roles, owners_work):
    # given an author, who regrades submissions
    client = roles.client("author")
    # when they open the submission list and one submission
    listing = client.get("/admin/problems/submission/").content.decode()
    page = client.get(f"/admin/problems/submission/{owners_work['submission']}/change/")
    # then both answer, naming the learner and the verdict, with neither code nor output
    assert f"/admin/problems/submission/{owners_work['submission']}/change/" in listing
    assert "owner" in page.content.decode() and "WA" in page.content.decode()
    assert MARKER not in page.content.decode()


DRAFT = {
    "anonymous": 404,
    "owner": 404,
    "stranger": 404,
    "staff": 404,
    "author": 200,
    "reviewer": 200,  # reviewers may view problems, to read submissions to them
    "superuser": 200,
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("client_kind", ["page", "api"])
def test_an_unpublished_problem_is_for_those_who_may_view_problems(roles, role, client_kind):
    # given a draft in a section with a published problem
    draft = make_text_problem(slug="draft-problem", published=False)
    make_text_problem(slug="published-neighbour", section=draft.section)
    # when the role opens it
    if client_kind == "page":
        response = roles.client(role).get(f"/problems/{draft.slug}/")
    else:
        response = roles.api(role).get(f"/api/problems/{draft.slug}/")
    # then only who may view problems gets it; for anyone else it does not exist
    assert response.status_code == DRAFT[role]


# The admin's "Preview as learner" (a learner page the admin links to): staff who may view
# problems in the admin; other staff are refused, and everyone else is sent to the admin's login.
PREVIEW = {
    "anonymous": LOGIN,
    "owner": LOGIN,
    "stranger": LOGIN,
    "staff": 403,
    "author": 200,
    "reviewer": 200,
    "superuser": 200,
}


@pytest.mark.parametrize("role", ROLES)
def test_the_preview_of_a_draft_is_for_staff_who_may_view_problems(roles, role):
    # given a draft no learner can open
    draft = make_text_problem(slug="draft-in-preview", published=False)
    # when the role opens its preview
    response = roles.client(role).get(f"/preview/problems/{draft.pk}/")
    # then staff who may view problems see it as learners would; nobody else does
    if PREVIEW[role] == LOGIN:
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]
    else:
        assert response.status_code == PREVIEW[role]
    assert (draft.title_en in response.content.decode()) == (PREVIEW[role] == 200)
