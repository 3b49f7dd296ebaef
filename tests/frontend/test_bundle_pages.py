"""The offline bundle in Chromium, continued (tests/frontend/test_bundle.py has the math, the
editor and live grading): quiz keys, the timer, the progress chart, diagrams, the layout,
htmx, the language switch and what a verdict changes on the page."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import pytest

from tests.frontend.bundle_page import (
    ACCEPTED,
    ARTIFACTS,
    DESKTOP,
    FRONTEND,
    PHONE,
    WRONG,
    FakeGradingApi,
    capture_quiz_posts,
    submission,
)

pytestmark = pytest.mark.browser


def test_number_keys_pick_a_choice_and_enter_answers(open_page):
    page = open_page()
    posts = capture_quiz_posts(page)

    page.keyboard.press("2")
    assert page.is_checked("input[name='answer'][value='b']")
    page.keyboard.press("ArrowDown")
    assert page.is_checked("input[name='answer'][value='c']")
    page.keyboard.press("1")
    page.keyboard.press("Enter")
    page.wait_for_selector("#answered")

    assert posts[0]["answer"] == ["a"]
    assert posts[0]["timed_out"] == ["0"]


def test_digits_typed_into_a_text_field_are_not_taken_as_choices(open_page):
    page = open_page()
    page.eval_on_selector(
        "#quiz-form",
        "form => form.insertAdjacentHTML('beforeend', '<input type=number id=numeric>')",
    )

    page.click("#numeric")
    page.keyboard.type("2")

    assert page.input_value("#numeric") == "2"
    assert not page.is_checked("input[name='answer'][value='b']")


def test_the_timer_submits_the_quiz_when_it_reaches_zero(open_page):
    routes = {}

    def before_load(page):
        routes["posts"] = capture_quiz_posts(page)

    page = open_page(query="?deadline_in=4", before_load=before_load)
    posts = routes["posts"]

    page.wait_for_selector("#answered", timeout=10_000)

    assert posts[0]["timed_out"] == ["1"]
    assert "answer" not in posts[0]


def test_it_draws_the_score_over_time_as_svg(open_page):
    page = open_page()

    chart = page.locator("[data-progress-chart] svg")
    assert chart.get_attribute("aria-label") == "得点の推移"
    assert chart.locator("circle").count() == 4
    assert chart.locator("path.progress-chart__line").count() == 1


def test_it_draws_mermaid_diagrams_only_loading_mermaid_when_a_page_has_one(open_page):
    page = open_page()
    page.wait_for_selector("#diagram[data-diagram-rendered] svg", timeout=15_000)
    assert "潜在変数" in page.inner_text("#diagram")

    plain = open_page(query="?no_diagram")
    plain.wait_for_load_state("networkidle")
    assert not any(url.endswith("/dist/mermaid.js") for url in plain.requested)
    assert any(url.endswith("/dist/mermaid.js") for url in page.requested)
    # A flowchart needs none of the 1.5 MiB ELK layout engine.
    assert not any("/mermaid-chunks/elk-" in url for url in page.requested)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_page_fits_the_screen_with_a_verdict_shown(open_page, viewport):
    page = open_page(viewport=viewport)
    FakeGradingApi(events=[WRONG]).install(page)
    page.click("[data-submit-shortcut]")
    page.wait_for_selector("#submission-panel .badge[data-verdict='WA']")
    page.wait_for_selector("#diagram[data-diagram-rendered] svg", timeout=15_000)

    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = f"bundle-{viewport['width']}x{viewport['height']}.png"
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"


def test_htmx_sends_the_csrf_token_and_swapped_content_gets_math(open_page):
    page = open_page()
    page.context.add_cookies([{"name": "csrftoken", "value": "cookie-token", "url": page.url}])
    headers = []

    def fragment(route):
        headers.append(route.request.headers)
        route.fulfill(content_type="text/html", body="<p id='swapped' data-math>$a^2 + b^2$</p>")

    page.route("**/fragment/", fragment)
    page.click("#load-fragment")
    page.wait_for_selector("#swapped .katex")

    assert headers[0]["x-csrftoken"] == "cookie-token"


def test_choosing_a_language_submits_the_switch_without_its_fallback_button(open_page):
    page = open_page()
    posts = []

    def set_language(route):
        posts.append(parse_qs(route.request.post_data))
        route.fulfill(content_type="text/html", body="<p id='switched'>ok</p>")

    page.route("**/i18n/setlang/", set_language)
    assert not page.is_visible("[data-autosubmit-fallback]")

    page.select_option("#language", "en")
    page.wait_for_selector("#switched")

    assert posts[0]["language"] == ["en"]


def test_the_test_page_defines_exactly_the_documented_i18n_keys(open_page):
    # frontend/i18n-keys.json is the list a template's #i18n must cover; the test page
    # (whose strings every other test here checks are enough) must match it.
    page = open_page()
    documented = json.loads((FRONTEND / "i18n-keys.json").read_text(encoding="utf-8"))

    on_page = page.evaluate("Object.keys(JSON.parse(document.getElementById('i18n').textContent))")

    assert sorted(on_page) == sorted(documented)


@pytest.mark.parametrize(
    "history",
    [
        [],
        [{"date": "2026-11-01", "score": 0, "max_score": 0}],
        [{"date": "soon", "score": 1, "max_score": 2}],
    ],
    ids=["no-history", "nothing-tried", "bad-date"],
)
def test_the_chart_says_there_is_nothing_yet_instead_of_drawing_nonsense(open_page, history):
    page = open_page()

    page.evaluate(
        """history => {
            document.getElementById("progress-data").textContent = JSON.stringify(history);
            window.QuizSite.init(document.querySelector("[data-progress-chart]"));
        }""",
        history,
    )

    assert page.locator("[data-progress-chart] svg").count() == 0
    assert page.inner_text("[data-progress-chart]") == "まだ記録がありません。"


def test_no_score_is_shown_before_there_is_one(open_page):
    running = submission("running", score=0, max_score=0)
    api = FakeGradingApi(events=[running], details=[running])

    page = open_page(query="?follow=42", before_load=api.install)
    page.wait_for_selector("#submission-panel .badge[data-status='running']")

    panel = page.inner_text("#submission-panel")
    assert "採点中" in panel and "得点" not in panel


def test_a_failing_visible_test_shows_its_hint(open_page):
    failed = {
        "name": "values",
        "passed": False,
        "points": 0,
        "max_points": 6,
        "message": "h: max abs error 0.5",
        "hidden": False,
        "hint": "忘却ゲートが掛かる項を確かめましょう。",
    }
    api = FakeGradingApi(events=[submission("done", "WA", score=0, tests=[failed])])

    page = open_page(query="?follow=42", before_load=api.install)
    page.wait_for_selector("#submission-panel .badge[data-verdict='WA']")

    hint = page.inner_text("#submission-panel [data-test-hint]")
    assert hint.startswith("ヒント:") and "忘却ゲート" in hint


def test_an_accepted_submission_marks_the_problem_solved_without_a_reload(open_page):
    page = open_page()
    assert page.inner_text("[data-state-badge]") == "挑戦中"
    FakeGradingApi(events=[submission("running"), ACCEPTED]).install(page)

    page.click(".code-editor .cm-content")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#submission-panel .badge[data-verdict='AC']")

    assert page.inner_text("[data-state-badge]") == "✓ 正解済み"
    assert page.get_attribute("[data-state-badge] .badge", "data-state") == "solved"


def test_a_visible_tests_run_does_not_mark_it_solved(open_page):
    page = open_page()
    run = {**ACCEPTED, "visible_only": True}
    FakeGradingApi(events=[submission("running"), run]).install(page)

    page.click(".code-editor .cm-content")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#submission-panel .badge[data-verdict='AC']")

    assert page.inner_text("[data-state-badge]") == "挑戦中"


def test_the_explanation_arrives_with_an_accepted_verdict(open_page):
    page = open_page()
    assert page.locator("[data-explanation]").count() == 0
    fragment = '<details class="card" data-explanation open><summary>解説</summary><div class="prose" data-math><p>$f_t$ が前のセルの状態に掛かります。</p></div></details>'
    page.route(
        "**/problems/lstm-cell/explanation/",
        lambda route: route.fulfill(status=200, content_type="text/html", body=fragment),
    )
    FakeGradingApi(events=[submission("running"), ACCEPTED]).install(page)

    page.click(".code-editor .cm-content")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("[data-explanation]")

    assert "前のセルの状態" in page.inner_text("[data-explanation]")
    page.wait_for_selector("[data-explanation] .katex")  # its math typeset like the page's


def _picture(name, shape, expected, got, first_diff, **extra):
    return {
        "name": name,
        "shape": shape,
        "kind": "heatmap",
        "dtype": "float64",
        "expected": expected,
        "got": got,
        "got_shape": extra.pop("got_shape", shape),
        "first_diff": first_diff,
        **extra,
    }


def test_pictures_draw_what_differs_and_say_so_in_words(open_page):
    # given a failed visible test whose h has a NaN, a c of another shape, an array too large
    # to draw, and a hidden test (which never has pictures)
    values = {
        "outputs": [
            _picture(
                "h",
                [2, 3],
                [0.1, 0.2, 0.3, 0.4, 0.5, 0.6],
                [0.1, "NaN", 0.3, 0.4, 0.9, 0.6],
                [0, 1],
            ),
            _picture("c", [2, 3], [1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 6], None, got_shape=[3, 2]),
            {"name": "big", "shape": [5000], "kind": "heatmap", "omitted": "too_large"},
        ]
    }
    failed = {
        "name": "values",
        "passed": False,
        "points": 0,
        "max_points": 2,
        "message": "h: NaN",
        "hidden": False,
        "values": values,
    }
    hidden = {"name": "h1", "passed": False, "points": 0, "max_points": 1, "hidden": True}
    api = FakeGradingApi(events=[submission("done", "WA", score=0, tests=[failed, hidden])])

    page = open_page(query="?follow=42", before_load=api.install)
    page.wait_for_selector("#submission-panel .test-pictures details[open]")

    # then h: expected, got and |difference|, the first difference named
    h = page.locator(".picture-group[data-output=h]")
    assert h.locator("canvas.heatmap").count() == 3
    assert "(0, 1)" in h.locator(".picture-note").inner_text()
    assert (
        h.locator("canvas.heatmap").nth(1).get_attribute("aria-label").startswith("あなたの出力 h")
    )
    rows = h.locator(".picture-numbers tbody tr")
    assert rows.count() == 2  # the NaN and the 0.9
    assert "NaN" in rows.first.text_content()  # in a closed <details>: not rendered text
    # c: no difference picture for another shape, and a sentence saying why
    c = page.locator(".picture-group[data-output=c]")
    assert c.locator("canvas.heatmap").count() == 2
    assert "(3, 2)" in c.locator(".picture-note").inner_text()
    # the large array is named, not drawn
    big = page.locator(".picture-group").nth(2)
    assert big.locator("canvas").count() == 0 and "5000" in big.inner_text()
    assert page.locator(".test-row--hidden + .test-pictures").count() == 0


def test_the_pictures_say_where_the_largest_difference_is_when_it_is_not_the_first(open_page):
    # given: the first difference at (0, 0) is small, the largest (the message's) at (1, 1)
    picture = _picture("h", [2, 2], [0.0, 0.0, 0.0, 0.0], [0.1, 0.0, 0.0, 0.9], [0, 0])
    failed = {
        "name": "values",
        "passed": False,
        "points": 0,
        "max_points": 1,
        "message": "h: max abs error 0.9 at index (1, 1)",
        "hidden": False,
        "values": {"outputs": [picture]},
    }
    api = FakeGradingApi(events=[submission("done", "WA", score=0, tests=[failed])])
    page = open_page(query="?follow=42", before_load=api.install)
    page.wait_for_selector("#submission-panel .test-pictures details[open]")
    notes = page.locator(".picture-group[data-output=h] .picture-note").all_inner_texts()
    assert "(0, 0)" in notes[0] and notes[1] == "差が最も大きいのは位置 (1, 1) です。"
