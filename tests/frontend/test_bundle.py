"""The offline front-end bundle (frontend/dist/) in Chromium, on the static page
frontend/test/bundle.html: math, the code editor, live grading status, quiz keys, the timer,
the progress chart and diagrams, with every request that would leave the machine blocked and
counted. The grading API is faked in the browser, so no Django server is needed."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = ROOT / "frontend"
ARTIFACTS = ROOT / "tests" / "browser" / "artifacts"
STARTER = (
    "import numpy as np\n\n\ndef lstm_cell(x, h_prev, c_prev, W, U, b):\n"
    "    # TODO: gates i, f, o, g\n    pass\n"
)
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def submission(status, verdict=None, **fields):
    """A submission as GET /api/submissions/<id>/ returns it."""
    return {
        "id": 42,
        "status": status,
        "verdict": verdict,
        "score": None,
        "max_score": 10,
        "tests": [],
        "stdout": "",
        "stderr": "",
        "created_at": "2026-11-29T12:00:00Z",
        "finished_at": None,
        "message": "",
        **fields,
    }


ACCEPTED = submission(
    "done",
    "AC",
    score=10,
    tests=[
        {
            "name": "shapes",
            "passed": True,
            "points": 4,
            "max_points": 4,
            "message": "",
            "hidden": False,
        },
        {
            "name": "gates",
            "passed": True,
            "points": 3,
            "max_points": 3,
            "message": "",
            "hidden": False,
        },
        {"name": "h1", "passed": True, "points": 3, "max_points": 3, "message": "", "hidden": True},
    ],
    stdout="h_next.shape = (4, 8)\n",
)
WRONG = submission(
    "done",
    "WA",
    score=4,
    tests=[
        {
            "name": "shapes",
            "passed": True,
            "points": 4,
            "max_points": 4,
            "message": "",
            "hidden": False,
        },
        {
            "name": "gates",
            "passed": False,
            "points": 0,
            "max_points": 3,
            "message": "c_next differs at [0, 3]: expected 0.412, got 0.397 (forget gate?)",
            "hidden": False,
        },
        {
            "name": "secret-case",
            "passed": False,
            "points": 0,
            "max_points": 3,
            "message": "",
            "hidden": True,
        },
    ],
)


class FakeGradingApi:
    """Answers the page's calls to /api/: the POST, the event stream and the detail polls."""

    def __init__(
        self, *, events=None, details=(), post_status=202, post_headers=None, post_body=None
    ):
        self.events = events  # None: the event stream is not offered (404), so the page polls
        self.details = list(details)
        self.post_status = post_status
        self.post_headers = post_headers or {}
        self.post_body = post_body if post_body is not None else {"id": 42, "status": "queued"}
        self.posts = []
        self.polls = []

    def install(self, page):
        page.route("**/api/**", self.handle)
        return self

    def handle(self, route):
        request = route.request
        path = urlsplit(request.url).path
        if request.method == "POST":
            self.posts.append({"body": json.loads(request.post_data), "headers": request.headers})
            route.fulfill(status=self.post_status, json=self.post_body, headers=self.post_headers)
        elif path.endswith("/events/"):
            if self.events is None:
                route.fulfill(status=404, json={"detail": "Not found."})
                return
            stream = "".join(f"event: status\ndata: {json.dumps(e)}\n\n" for e in self.events)
            route.fulfill(status=200, content_type="text/event-stream", body=stream)
        else:
            self.poll(route)

    def poll(self, route):
        # The grader moves on one state per poll and then stays at the last one.
        current = self.details.pop(0) if len(self.details) > 1 else self.details[0]
        etag = f'"{abs(hash(json.dumps(current, sort_keys=True)))}"'
        seen = route.request.headers.get("if-none-match")
        self.polls.append(seen)
        if seen == etag:
            route.fulfill(status=304, headers={"ETag": etag})
        else:
            route.fulfill(status=200, json=current, headers={"ETag": etag})


@pytest.fixture(scope="module")
def bundle():
    if not (FRONTEND / "dist" / "app.js").exists():
        if shutil.which("npm") is None:
            pytest.fail("frontend/dist/ is missing and npm is not installed to build it")
        subprocess.run(["make", "-s", "-C", str(FRONTEND), "build"], check=True)
    return FRONTEND / "dist"


@pytest.fixture(scope="module")
def static_server(bundle):
    class QuietHandler(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=FRONTEND))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


# `browser` is the session's one Chromium, from tests/conftest.py.


@pytest.fixture
def open_page(browser, static_server):
    """open_page(query="", viewport=DESKTOP) -> a loaded page of the test bundle.

    Every test fails if the page asked for anything outside this machine, threw an error or
    wanted a string that #i18n does not have."""
    contexts = []
    outside = []
    errors = []

    def keep_local(route):
        url = urlsplit(route.request.url)
        if url.scheme in ("data", "blob") or url.hostname in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    def open_page(query="", viewport=DESKTOP, before_load=None):
        context = browser.new_context(viewport=viewport, locale="ja-JP")
        contexts.append(context)
        context.route("**/*", keep_local)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on(
            "console",
            lambda message: errors.append(message.text) if "#i18n" in message.text else None,
        )
        page.requested = []
        page.on("request", lambda request: page.requested.append(request.url))
        if before_load:
            before_load(page)
        page.goto(f"{static_server}/test/bundle.html{query}")
        page.wait_for_selector("html[data-app-ready][data-editor-ready]")
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert outside == [], f"requests left the machine: {outside}"
    assert errors == [], f"the page threw: {errors}"


def editor_code(page):
    return page.eval_on_selector("#code", "textarea => textarea.value")


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


def capture_quiz_posts(page):
    posts = []

    def answer(route):
        posts.append(parse_qs(route.request.post_data))
        route.fulfill(status=200, content_type="text/html", body="<p id='answered'>ok</p>")

    page.route("**/quiz/answer/", answer)
    return posts


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
