"""Every HTML form of the site, posted malformed: other charsets, deep nesting, NUL in values
and names, invalid UTF-8, oversize bodies, missing and duplicated fields, and the same post
twenty times at once. Each answer is counted by class; none may be a server error.

`pytest tests/frontend/test_fuzz_forms.py -s` prints the counts.
"""

from __future__ import annotations

from collections import Counter
from urllib.parse import quote_from_bytes

import pytest
from django.conf import settings
from django.test import Client
from rest_framework.throttling import SimpleRateThrottle

from problems.services.attempts import attempt_start
from tests.factories import (
    make_choice_problem,
    make_code_problem,
    make_quiz,
    make_text_problem,
    make_user,
)
from tests.threads import all_at_once

PASSWORD = "a-long-pass-123"
FORM = "application/x-www-form-urlencoded"
NESTED = "[" * 3000 + "]" * 3000


@pytest.fixture(autouse=True)
def _roomy_budgets(monkeypatch, settings, private_cache):
    """Budgets wide enough that the forms, not the throttles or lockouts, answer."""
    rates = {name: "100000/min" for name in SimpleRateThrottle.THROTTLE_RATES}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)
    settings.AXES_ENABLED = False
    settings.GRADING_BACKEND = "none"
    settings.SUBMISSIONS_IN_FLIGHT_PER_USER = 100000


def _site():
    """The forms: (name, url, a valid body as pairs, whether a learner posts it)."""
    learner = make_user("fuzzer")
    choice = make_choice_problem(slug="fuzz-choice")
    text = make_text_problem(slug="fuzz-text")
    code = make_code_problem(slug="fuzz-code")
    quiz = make_quiz([choice, text], slug="fuzz-quiz")
    attempt = attempt_start(user=learner, quiz=quiz)
    source = "def double(x):\n    return 2 * x\n"
    forms = [
        ("login", "/accounts/login/", [("username", "fuzzer"), ("password", PASSWORD)], False),
        (
            "sign-up",
            "/accounts/signup/",
            [("username", "newbie"), ("password1", PASSWORD), ("password2", PASSWORD)],
            False,
        ),
        ("admin login", "/admin/login/", [("username", "fuzzer"), ("password", PASSWORD)], False),
        ("choice answer", f"/problems/{choice.slug}/", [("answer", "2")], True),
        ("text answer", f"/problems/{text.slug}/", [("answer", "3x3")], True),
        ("code form", f"/problems/{code.slug}/", [("code", source)], True),
        ("code submit", f"/problems/{code.slug}/submit/", [("code", source)], True),
        ("quiz start", f"/quizzes/{quiz.slug}/start/", [], True),
        (
            "quiz answer",
            f"/attempts/{attempt.pk}/q/1/",
            [("answer", "2"), ("action", "answer")],
            True,
        ),
        ("quiz finish", f"/attempts/{attempt.pk}/finish/", [], True),
        (
            "choice answer, unsure",
            f"/problems/{choice.slug}/",
            [("answer", "2"), ("confidence", "unsure")],
            True,
        ),
        ("don't know", f"/problems/{text.slug}/", [("dont_know", "1")], True),
        ("hint", f"/problems/{text.slug}/hint/", [("n", "1"), ("next", "/")], True),
        ("bookmark", f"/problems/{text.slug}/bookmark/", [("next", "/")], True),
        ("show solution", f"/problems/{code.slug}/solution/", [], True),
        ("study a section", f"/sections/{text.section.slug}/study/", [], True),
        ("review settings", "/review/settings/", [("new_cards_per_day", "10")], True),
        ("language", "/i18n/setlang/", [("language", "en"), ("next", "/")], False),
        (
            "password change",
            "/accounts/password/",
            [("old_password", PASSWORD), ("new_password1", "x" * 12), ("new_password2", "x" * 12)],
            True,
        ),
        ("logout", "/accounts/logout/", [], True),
    ]
    return learner, forms


def _encode(pairs) -> bytes:
    return "&".join(
        f"{quote_from_bytes(k.encode())}={quote_from_bytes(v.encode())}" for k, v in pairs
    ).encode()


def _variants(pairs):
    """(name, body, content type) of each malformed version of a valid form body."""
    body = _encode(pairs) or b"x=1"
    first = pairs[0][0] if pairs else "answer"
    yield "valid", _encode(pairs), FORM
    for charset in ["bz2", "zlib", "base64", "hex", "utf-16", "x-no-such-charset"]:
        yield f"charset={charset}", body, f"{FORM}; charset={charset}"
    yield "deep nesting in a value", _encode([(first, NESTED), *pairs[1:]]), FORM
    yield "deep nesting in names", _encode([(f"{first}{NESTED}", "1")]), FORM
    yield "NUL in a value", _encode([(first, "a\x00b"), *pairs[1:]]), FORM
    yield "NUL in a name", _encode([(f"{first}\x00", "1"), *pairs]), FORM
    yield "raw NUL byte", body + b"&x=\x00", FORM
    yield "invalid UTF-8 escaped", body + b"&" + first.encode() + b"=%ff%fe%c3", FORM
    yield "invalid UTF-8 raw", body + b"&" + first.encode() + b"=\xff\xfe\xc3", FORM
    yield "oversize", b"a=" + b"x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10), FORM
    yield "too many fields", b"&".join(b"f%d=1" % n for n in range(1200)), FORM
    yield "missing fields", b"", FORM
    yield "duplicated fields", _encode([*pairs, *pairs]), FORM
    yield "only names", b"&".join(k.encode() for k, _ in pairs) or b"=", FORM
    yield "multipart without boundary", body, "multipart/form-data"
    yield "multipart, bad boundary", b"--x\r\n\r\n" + body, "multipart/form-data; boundary=y"
    yield "JSON to a form", b'{"answer": [[[[[1]]]]]}', "application/json"
    yield "no content type", body, ""


def _post(client: Client, url: str, body: bytes, content_type: str):
    try:
        return client.generic("POST", url, body, content_type=content_type).status_code
    except Exception as error:  # noqa: BLE001 - an escaped exception is the server error counted
        return error


def _class(status) -> str:
    return f"{status // 100}xx" if isinstance(status, int) else type(status).__name__


@pytest.mark.django_db
def test_no_malformed_form_post_is_a_server_error():
    # given every form of the site and a learner's session for those that need one
    learner, forms = _site()
    counts: Counter = Counter()
    failures = []
    # when each is posted in each malformed way, by a fresh browser
    for name, url, pairs, logged_in in forms:
        for variant, body, content_type in _variants(pairs):
            client = Client(HTTP_ACCEPT_LANGUAGE="ja", raise_request_exception=True)
            if logged_in:
                client.force_login(learner)
            status = _post(client, url, body, content_type)
            counts[_class(status)] += 1
            if not isinstance(status, int) or status >= 500:
                failures.append((name, variant, status))
    # then none is a server error
    print(
        f"\nHTML form fuzz: {sum(counts.values())} posts, by class: {dict(sorted(counts.items()))}"
    )
    assert failures == []
    assert sum(counts.values()) == len(forms) * len(list(_variants([("a", "b")])))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_no_form_posted_twenty_times_at_once_is_a_server_error():
    # given every form a learner posts (the logout last: it ends the session the others use)
    learner, forms = _site()
    counts: Counter = Counter()
    failures = []
    for name, url, pairs, logged_in in forms:
        # when twenty browsers post the same valid form at once
        def post(i, url=url, pairs=pairs, logged_in=logged_in):
            client = Client(HTTP_ACCEPT_LANGUAGE="en", raise_request_exception=False)
            if logged_in:
                client.force_login(learner)
            return _post(client, url, _encode(pairs), FORM)

        statuses = all_at_once(post)
        counts.update(_class(status) for status in statuses)
        failures += [(name, s) for s in statuses if not isinstance(s, int) or s >= 500]
    # then none is a server error
    print(
        f"\nConcurrent form posts: {sum(counts.values())}, by class: {dict(sorted(counts.items()))}"
    )
    assert failures == []
