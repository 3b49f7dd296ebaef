"""The offline front-end bundle (frontend/dist/) in Chromium, on the static page
frontend/test/bundle.html: math, the code editor, live grading status, quiz keys, the timer,
the progress chart and diagrams, with every request that would leave the machine blocked and
counted. The grading API is faked in the browser, so no Django server is needed."""

from __future__ import annotations

import pytest

from tests.frontend.bundle_page import (
    ACCEPTED,
    STARTER,
    WRONG,
    FakeGradingApi,
    editor_code,
    submission,
)

pytestmark = pytest.mark.browser


def test_it_renders_every_kind_of_math_delimiter_with_katex(open_page):
    page = open_page()

    assert page.locator("#statement .katex").count() >= 5
    assert page.locator("#display-math .katex-display").count() == 1
    assert page.locator("#paren-math .katex").count() == 2
    assert page.locator("#paren-math .katex-display").count() == 1
    statement = page.inner_text("#statement")
    assert "$$" not in statement and "\\frac" not in statement
    assert page.inner_text("#statement code") == "$HOME"


def test_it_loads_katex_fonts_from_this_machine(open_page):
    page = open_page()
    page.evaluate("document.fonts.ready")

    loaded = page.evaluate(
        "[...document.fonts].filter(f => f.status === 'loaded').map(f => f.family.replaceAll('\"', ''))"
    )
    assert "KaTeX_Main" in loaded
    fonts = [url for url in page.requested if "/dist/katex/fonts/" in url]
    assert fonts, "KaTeX drew math without loading its fonts"


def test_it_turns_the_textarea_into_a_python_editor_where_tab_indents(open_page):
    page = open_page()
    assert page.locator(".code-editor .cm-lineNumbers").count() == 1
    # Python highlighting wraps tokens such as `import` and `def` in styled spans.
    assert page.locator(".code-editor .cm-line span", has_text="def").count() == 1
    assert not page.is_visible("#code")

    page.click(".code-editor .cm-content")
    page.keyboard.press("Control+a")
    page.keyboard.type("x = 1")
    page.keyboard.press("Home")
    page.keyboard.press("Tab")

    assert editor_code(page) == "    x = 1"
    assert page.evaluate("document.activeElement.closest('.cm-editor') !== null")


def test_escape_then_tab_leaves_the_editor(open_page):
    page = open_page()
    page.click(".code-editor .cm-content")

    page.keyboard.press("Escape")
    page.keyboard.press("Tab")

    assert page.evaluate("document.activeElement.closest('.cm-editor') === null")
    assert editor_code(page) == STARTER


def test_it_restores_the_draft_after_a_reload_and_resets_to_the_starter(open_page):
    page = open_page()
    page.click(".code-editor .cm-content")
    page.keyboard.press("Control+a")
    page.keyboard.type("print('my draft')")
    page.wait_for_function("localStorage.getItem('draft:lstm-cell:test') === \"print('my draft')\"")

    page.reload()
    page.wait_for_selector("html[data-editor-ready]")
    assert editor_code(page) == "print('my draft')"
    assert page.inner_text("[data-note='editor.draft_restored']") == "前回の下書きを復元しました。"

    page.click("[data-reset-starter]")
    assert editor_code(page) == STARTER
    assert page.evaluate("localStorage.getItem('draft:lstm-cell:test')") is None
    page.keyboard.press("Control+z")
    assert editor_code(page) == "print('my draft')"


def test_ctrl_enter_submits_and_the_verdict_arrives_by_server_sent_events(open_page):
    page = open_page()
    page.context.add_cookies([{"name": "csrftoken", "value": "cookie-token", "url": page.url}])
    api = FakeGradingApi(events=[submission("queued"), submission("running"), ACCEPTED]).install(
        page
    )

    page.click(".code-editor .cm-content")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#submission-panel .badge[data-verdict='AC']")

    assert api.posts[0]["body"] == {"code": STARTER, "visible_only": False}
    assert api.posts[0]["headers"]["x-csrftoken"] == "cookie-token"
    assert api.polls == [], "the page polled although the event stream worked"
    panel = page.inner_text("#submission-panel")
    assert "得点 10 / 10" in panel
    assert "h_next.shape = (4, 8)" in panel
    hidden = page.locator("#submission-panel .test-row--hidden")
    assert hidden.inner_text().split() == ["非公開テスト", "3", "合格"]


def test_a_reloaded_page_follows_the_submission_still_being_graded(open_page):
    api = FakeGradingApi(events=[submission("running"), ACCEPTED])

    page = open_page(query="?follow=42", before_load=api.install)
    page.wait_for_selector("#submission-panel .badge[data-verdict='AC']")

    assert api.posts == []
    assert page.get_attribute("#submission-panel", "aria-busy") == "false"


def test_it_polls_with_etags_when_there_is_no_event_stream(open_page):
    page = open_page()
    api = FakeGradingApi(
        details=[submission("queued"), submission("queued"), submission("running"), WRONG]
    ).install(page)

    page.click("button[name='visible_only'][value='true']")
    page.wait_for_selector("#submission-panel .badge[data-verdict='WA']", timeout=20_000)

    assert api.posts[0]["body"]["visible_only"] is True
    assert api.posts[0]["headers"]["x-csrftoken"] == "form-token"
    assert any(api.polls), "no poll sent If-None-Match"
    failed = page.locator("#submission-panel .test-row[data-passed='false']").first
    assert "expected 0.412, got 0.397" in failed.inner_text()
    hidden = page.locator("#submission-panel .test-row--hidden")
    assert "secret-case" not in hidden.inner_text()
    assert "不合格" in hidden.inner_text()


def test_each_visible_test_is_named_by_its_title_with_its_name_kept_beside(open_page):
    # given a result whose tests the API titled in Japanese (the label of each visible test)
    titled = {
        **WRONG,
        "tests": [
            {**WRONG["tests"][0], "title": "形が正しい"},
            {**WRONG["tests"][1], "title": "ゲートの値"},
            WRONG["tests"][2],
        ],
    }
    page = open_page()
    FakeGradingApi(details=[submission("running"), titled]).install(page)
    # when
    page.click("button[name='visible_only'][value='true']")
    page.wait_for_selector("#submission-panel .badge[data-verdict='WA']")
    # then the table reads in Japanese and the stable name stays on the row
    names = page.locator("#submission-panel .test-row:not(.test-row--hidden) .test-name")
    assert names.all_inner_texts() == ["形が正しい", "ゲートの値"]
    assert names.nth(1).get_attribute("data-test-name") == "gates"
    assert "gates" not in page.inner_text("#submission-panel .test-table")


def test_a_diagnosed_misconception_is_shown_above_the_tests_with_code_and_math(open_page):
    # given a wrong answer the API diagnosed as a known misconception
    diagnosed = {
        **WRONG,
        "diagnosis": {
            "mutant": "swapped-input-forget-gates",
            "message": "入力ゲートは $\\tanh(a)$ を書き込む量を決めます。`nn.LSTM` の順序ではありません。",
        },
    }
    page = open_page()
    FakeGradingApi(details=[submission("running"), diagnosed]).install(page)
    # when
    page.click("button[name='visible_only'][value='true']")
    page.wait_for_selector("#submission-panel [data-diagnosis='swapped-input-forget-gates']")
    # then the explanation comes before the test table, code as <code>, math by KaTeX
    section = page.locator("#submission-panel .diagnosis")
    assert "考えられる誤解" in section.inner_text()
    assert section.locator("code").inner_text() == "nn.LSTM"
    assert section.locator(".katex").count() == 1
    assert "`" not in section.inner_text()
    order = page.eval_on_selector(
        "#submission-panel",
        "p => p.querySelector('.diagnosis').compareDocumentPosition(p.querySelector('.test-table'))",
    )
    assert order & 4  # DOCUMENT_POSITION_FOLLOWING: the table comes after


def _training(step, losses, eta=None, phase="train"):
    state = {"phase": phase, "losses": losses, "eta_seconds": eta, "seq": step}
    if phase == "train":
        state.update(step=step, total=400, loss=losses[-1][1], part=0, parts=1)
    return submission("running", progress=state)


def _progress_value(page):
    return page.get_attribute("#submission-panel [data-training-progress] progress", "value")


def test_a_training_shows_its_step_loss_time_left_and_live_curve_until_the_verdict(open_page):
    # given: a grader that reports step 40, then 300 of 400 (polled: no event stream), then AC
    page = open_page()
    curve = [[1, 2.3], [100, 1.1], [200, 0.6], [300, 0.31]]
    FakeGradingApi(
        details=[_training(40, curve[:1], eta=30), _training(300, curve, eta=12), ACCEPTED]
    ).install(page)
    # when
    page.click("[data-submit-shortcut]")
    page.wait_for_selector("#submission-panel [data-training-progress][data-phase='train']")
    first = int(_progress_value(page))
    page.wait_for_function(
        "() => document.querySelector('#submission-panel progress')?.value >= 300"
    )
    # then: the bar moved, the step, loss and time left are said, the curve is drawn
    box = page.locator("#submission-panel [data-training-progress]")
    assert first == 40 and page.get_attribute("#submission-panel progress", "max") == "400"
    assert box.locator("[data-progress-step]").inner_text() == "400 ステップ中 300 ステップ目"
    assert box.locator("[data-progress-loss]").inner_text() == "現在の損失 0.3100"
    assert "残り約" in box.locator("[data-progress-eta]").inner_text()
    assert box.locator("[data-live-loss-chart] canvas").count() == 1
    assert page.locator("#submission-panel [data-note='slow_note']").count() == 0
    # and the verdict replaces it
    page.wait_for_selector("#submission-panel[data-status='done']")
    assert page.locator("#submission-panel [data-training-progress]").count() == 0


def test_progress_events_move_the_bar_in_place_and_the_hidden_part_has_no_numbers(open_page):
    page = open_page()
    events = [
        submission("running"),
        ("progress", _training(120, [[1, 2.0], [120, 0.9]], eta=5)["progress"]),
        ("progress", _training(121, [[1, 2.0], [120, 0.9]], eta=4, phase="hidden")["progress"]),
    ]
    FakeGradingApi(events=events, details=[submission("running")]).install(page)
    page.click("[data-submit-shortcut]")
    page.wait_for_selector("#submission-panel [data-training-progress][data-phase='hidden']")
    box = page.locator("#submission-panel [data-training-progress]")
    assert box.locator("[data-progress-step]").inner_text() == "非公開テストを実行しています"
    assert box.locator("[data-progress-loss]").is_hidden()
    assert _progress_value(page) is None  # indeterminate: no step to show
    assert "残り約" in box.locator("[data-progress-eta]").inner_text()


def test_it_says_the_grader_is_slow_when_no_verdict_comes(open_page):
    page = open_page()
    FakeGradingApi(details=[submission("queued")]).install(page)
    page.eval_on_selector("#submission-panel", "panel => { panel.dataset.slowAfterMs = '300'; }")

    page.click("[data-submit-shortcut]")
    page.wait_for_selector("#submission-panel [data-note='slow_note']")

    assert page.get_attribute("#submission-panel .badge", "data-status") == "queued"
    assert "採点に時間がかかっています" in page.inner_text("#submission-panel")


def test_it_explains_throttling_and_holds_the_buttons(open_page):
    page = open_page()
    FakeGradingApi(
        post_status=429,
        post_headers={"Retry-After": "30"},
        post_body={"detail": "Request was throttled."},
    ).install(page)

    page.click("[data-submit-shortcut]")
    page.wait_for_selector("#submission-panel .note--warn")

    panel = page.inner_text("#submission-panel")
    assert "30 秒後にもう一度" in panel
    assert "Request was throttled." in panel
    assert page.is_disabled("[data-submit-shortcut]")


def test_it_shows_why_a_submission_was_rejected(open_page):
    page = open_page()
    FakeGradingApi(
        post_status=400, post_body={"detail": "code is 80 KiB; the limit is 64 KiB"}
    ).install(page)

    page.click("[data-submit-shortcut]")
    page.wait_for_selector("#submission-panel .note--error")

    assert "code is 80 KiB; the limit is 64 KiB" in page.inner_text("#submission-panel")
    assert page.is_enabled("[data-submit-shortcut]")
