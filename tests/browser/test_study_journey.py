"""The learning loop in Chromium: a hint, a mistake, today's review, the notebook and the
dashboard's weak areas, in Japanese and English at desktop and phone width.

The study clock (a module global, so the live server's thread sees it too) stands still while
the learner answers and is then moved two minutes on, when the mistakes are due. Screenshots go
to tests/browser/artifacts/study-*.png."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from problems.models import Choice
from study import clock
from tests.browser.conftest import screenshots
from tests.browser.test_learner_journey import log_in
from tests.factories import make_choice_problem, make_section, make_user

pytestmark = [pytest.mark.browser, pytest.mark.slow]

T0 = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)
HINTS = [
    {"ja": "LSTM のゲートの数を数えましょう。", "en": "Count the LSTM's gates."},
    {
        "ja": "各ゲートは $4H$ 個ではなく $H$ 個の出力を持ちます。",
        "en": "Each gate has $H$ outputs.",
    },
]


def _answer(page, slug: str, key: str) -> None:
    page.goto(f"/problems/{slug}/")
    page.locator(f"input[name=answer][value='{key}']").check()
    page.locator("button[data-submit-shortcut]").click()
    page.wait_for_selector("#feedback")


def _curriculum():
    weak, strong = make_section("lstm-gates"), make_section("word2vec-basics")
    for section, title in ((weak, ("LSTM のゲート", "LSTM gates")), (strong, ("CBOW", "CBOW"))):
        section.title_ja, section.title_en = title
        section.save()
    hinted = make_choice_problem(
        section=weak,
        hints=HINTS,
        title_ja="LSTM のゲート数",
        title_en="How many gates",
        slug="lstm-gate-count",
    )
    others = [
        make_choice_problem(section=weak, title_ja=f"忘却ゲート {n}", title_en=f"Forget gate {n}")
        for n in (1, 2)
    ]
    right = [
        make_choice_problem(section=strong, title_ja=f"CBOW {n}", title_en=f"CBOW {n}")
        for n in (1, 2)
    ]
    for problem in [hinted, *others, *right]:
        Choice.objects.filter(problem=problem, key="2").update(
            text_ja="正しい選択肢", text_en="The right choice"
        )
    return hinted, others, right


def test_a_learner_reviews_their_mistakes_with_a_hint(bare_page, live_server):
    page, site = bare_page, live_server.url
    hinted, others, right = _curriculum()
    make_user("studier")
    log_in(page, "studier")
    with clock.frozen(T0):
        # given a hint read and three mistakes in one section, two right answers in another
        page.goto(f"/problems/{hinted.slug}/")
        page.locator("[data-hint-button]").click()
        expect(page.locator("[data-hint='1']")).to_contain_text("ゲートの数")
        expect(page.locator("[data-hint-button]")).to_contain_text("2")
        screenshots(page, site, f"/problems/{hinted.slug}/", "study-hint", show="#hints")
        for problem in [hinted, *others]:
            _answer(page, problem.slug, "1")
        expect(page.locator("[data-next-due]")).to_be_visible()
        for problem in right:
            _answer(page, problem.slug, "2")
    with clock.frozen(T0 + timedelta(minutes=2)):
        # when the learner opens today's review two minutes later
        page.goto("/review/")
        expect(page.locator("[data-review-badge='3']")).to_be_visible()
        items = page.locator("[data-review-item]")
        expect(items).to_have_count(3)
        expect(page.locator("[data-reason='mistake']")).to_have_count(3)
        screenshots(page, site, "/review/", "study-review")
        # then the review serves a mistake; answered right, it moves on
        page.locator("[data-review-start]").click()
        page.wait_for_url(re.compile(r"/problems/[a-z0-9-]+/\?review=1$"))
        page.locator("input[name=answer][value='2']").check()
        page.locator("button[data-submit-shortcut]").click()
        expect(page.locator("[data-review-next]")).to_be_visible()
        # and the notebook keeps the two still wrong, the dashboard names the weak section
        page.goto("/mistakes/")
        expect(page.locator("[data-mistake]")).to_have_count(2)
        screenshots(page, site, "/mistakes/", "study-mistakes")
        page.goto("/progress/")
        expect(page.locator("[data-weak-area='lstm-gates']")).to_contain_text(
            "LSTM gates"
        )  # the last screenshots left English on
        expect(page.locator("[data-weak-area='word2vec-basics']")).to_have_count(0)
        screenshots(page, site, "/progress/", "study-dashboard", show="[data-readiness]")
        page.context.add_cookies([{"name": "django_language", "value": "en", "url": site}])
        page.goto("/review/")
        expect(page.locator("h1")).to_have_text("Today's review")
