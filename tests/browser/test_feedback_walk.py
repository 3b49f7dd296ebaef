"""Issue #16's walk: one learner, logged in on the Japanese site, goes through the feedback the
grader gives, as a user would, once in Japanese on a desktop and once in English on a phone:

1. a wrong LSTM cell (WA: the message in the page's language, heatmaps of what differs), then
   the right one (AC: the badge turns solved and the explanation appears, without a reload);
2. the GRU cell written with PyTorch's update convention: the box above the test table names
   that misconception, in the page's language;
3. a wrong choice: red with its feedback, the right one green;
4. an augmentation problem: input, expected and got as images;
5. the Seq2Seq training exercise: while it trains, a progress bar that advances, the step, the
   current loss, the time left and a live loss chart; after the verdict, the loss curve and the
   held-out window.

Screenshots go to tests/browser/artifacts/walk-*.png: `walk-<step>-live-<lang>-<size>.png` as
the learner saw the step, and, from the Japanese desktop walk, every step redrawn after a
reload in both languages and both viewports (`walk-<step>-<lang>-<size>.png`).
"""

from __future__ import annotations

import re
import time

import pytest
import yaml
from playwright.sync_api import expect

from problems.models import Choice
from tests.browser.conftest import ARTIFACTS, DESKTOP, PHONE, screenshots
from tests.browser.test_learner_journey import (
    LSTM_CORRECT,
    LSTM_WRONG,
    log_in,
    replace_editor_code,
)
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.slow]

GRADING_TIMEOUT_MS = 90_000
TRAINING_TIMEOUT_S = 240  # the Seq2Seq exercise trains twice: 10-25 s, more under load
CONTENT = ARTIFACTS.parents[2] / "content"
RED = "rgb(198, 40, 40)"  # --bad
GREEN = "rgb(26, 127, 55)"  # --ok

WORDS = {
    "ja": {
        "summary": "個のテストのうち",
        "mismatch": "最大絶対誤差",
        "expected": "期待値",
        "got": "あなたの出力",
        "diff": "差の絶対値",
        "solved": "正解済み",
        "explanation": "解説",
        "misconception": "考えられる誤解",
        "incorrect": "✗ 不正解：あなたの選択",
        "correct": "✓ 正解",
        "predicted": "予測",
        "training": "モデルを学習しています",
        "step": "ステップ",
        "loss": "現在の損失",
    },
    "en": {
        "summary": "tests failed",
        "mismatch": "max abs error",
        "expected": "Expected",
        "got": "Your output",
        "diff": "|Difference|",
        "solved": "Solved",
        "explanation": "Explanation",
        "misconception": "A likely misconception",
        "incorrect": "✗ Incorrect: your choice",
        "correct": "✓ Correct answer",
        "predicted": "Predicted",
        "training": "Training your model",
        "step": "Step",
        "loss": "current loss",
    },
}

WALKS = [
    pytest.param("ja", DESKTOP, id="ja-desktop"),
    pytest.param("en", PHONE, id="en-phone"),
]

# What the submission panel holds of the live progress (the UI contract of issue #16), read in
# one evaluation so that the observations of one moment belong together.
READ_PROGRESS = """panel => {
    const live = panel.querySelector("[data-training-progress]");
    const status = panel.dataset.status;
    if (!live) return {status, seen: false};
    const bar = live.querySelector("progress");
    const text = (selector) => {
        const element = panel.querySelector(selector);
        return element && !element.hidden ? element.textContent.trim() : null;
    };
    return {
        status,
        seen: true,
        visible: live.checkVisibility(),
        phase: live.dataset.phase ?? null,
        value: bar?.hasAttribute("value") ? Number(bar.getAttribute("value")) : null,
        max: bar?.hasAttribute("max") ? Number(bar.getAttribute("max")) : null,
        step: text("[data-progress-step]"),
        loss: text("[data-progress-loss]"),
        eta: text("[data-progress-eta]"),
        title: text(".training-progress__title"),
        chart: Boolean(panel.querySelector("[data-live-loss-chart] canvas")?.checkVisibility()),
    };
}"""


def _content(path: str) -> dict:
    return yaml.safe_load((CONTENT / path).read_text(encoding="utf-8"))["code"]


def _mutant(path: str, name: str) -> dict:
    return next(m for m in _content(path)["mutants"] if m["name"] == name)


def _prose(text: str) -> list[str]:
    """The parts of an author's text outside its $math$, as the page shows them: KaTeX draws
    the math, and `code` loses its backticks."""
    parts = (part.replace("`", "").strip() for part in text.split("$")[::2])
    return [part for part in parts if len(part) > 3]


def _size(viewport: dict) -> str:
    return f"{viewport['width']}x{viewport['height']}"


def _shot(page, name: str, language: str, viewport: dict, show: str) -> None:
    """The window as the learner sees the step, `show` scrolled to the top."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("() => document.fonts.ready.then(() => true)")
    page.locator(show).first.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.screenshot(path=ARTIFACTS / f"walk-{name}-live-{language}-{_size(viewport)}.png")


def _redrawn_everywhere(page, site: str, language: str, viewport: dict, **shots) -> None:
    """The step's page after a reload in both languages and both viewports (the Japanese
    desktop walk only: once is enough), then back to the walk's language and viewport."""
    if (language, viewport) != ("ja", DESKTOP):
        return
    path = re.sub(r"^https?://[^/]+", "", page.url)
    screenshots(page, site, path, **shots)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": site}])
    page.set_viewport_size(viewport)


def _no_sideways_scroll(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"


def _open_code_problem(page, slug: str, code: str) -> None:
    page.goto(f"/problems/{slug}/")
    page.wait_for_selector("html[data-editor-ready]", state="attached")
    replace_editor_code(page, code)


def _submit(page, slug: str, code: str) -> None:
    """Submits ``code`` as the learner would and waits for the verdict."""
    _open_code_problem(page, slug, code)
    page.locator("button[data-action=submit]").click()
    expect(page.locator("#submission-panel")).to_have_attribute(
        "data-status", "done", timeout=GRADING_TIMEOUT_MS
    )


def _switch_language(page, language: str) -> None:
    """With the header's language menu, as the learner would."""
    if page.locator("html").get_attribute("lang") == language:
        return
    page.wait_for_selector("html[data-app-ready]", state="attached")
    page.select_option("#language", language)
    expect(page.locator("html")).to_have_attribute("lang", language)


def _lstm_wrong_then_right(page, site: str, language: str, viewport: dict) -> None:
    words = WORDS[language]
    panel = page.locator("#submission-panel")
    # when the learner submits an LSTM cell that puts every block through tanh
    _submit(page, "lstm-cell", LSTM_WRONG)
    # then WA, with the summary and the first failure in the page's language
    expect(panel).to_have_attribute("data-verdict", "WA")
    expect(panel.locator(".submission__message")).to_contain_text(words["summary"])
    failed = panel.locator(".test-row[data-passed=false]:not(.test-row--hidden) .test-message")
    expect(failed.first).to_contain_text(words["mismatch"])
    if language == "ja":
        expect(panel.locator(".submission__message")).not_to_contain_text("tests failed")
    # and the first failing test's h and c as expected, got and |difference| heatmaps
    opened = panel.locator(".test-pictures details[open]")
    expect(opened).to_have_count(1)
    for output in ("h", "c"):
        group = opened.locator(f".picture-group[data-output={output}]")
        expect(group.locator("canvas.heatmap")).to_have_count(3)
        expect(group.locator("figcaption")).to_have_text(
            [words["expected"], words["got"], words["diff"]]
        )
    expect(page.locator("[data-state-badge] [data-state=attempted]")).to_be_visible()
    expect(page.locator("[data-explanation]")).to_have_count(0)
    _no_sideways_scroll(page)
    _shot(page, "1-lstm-wa", language, viewport, "#submission-panel")
    _redrawn_everywhere(
        page,
        site,
        language,
        viewport,
        name="walk-1-lstm-wa",
        ready="#submission-panel .test-pictures canvas.heatmap",
        show="#submission-panel",
    )

    # when the learner fixes it, on the same page
    _open_code_problem(page, "lstm-cell", LSTM_CORRECT)
    page.evaluate("() => { window.walkStayedOnThePage = true; }")
    page.locator("button[data-action=submit]").click()
    # then AC; the badge says solved and the explanation is there, all without a reload
    expect(panel).to_have_attribute("data-status", "done", timeout=GRADING_TIMEOUT_MS)
    expect(panel).to_have_attribute("data-verdict", "AC")
    badge = page.locator("[data-state-badge] [data-state=solved]")
    expect(badge).to_be_visible()
    expect(badge).to_contain_text(words["solved"])
    expect(page.locator("[data-state-badge] [data-state=attempted]")).to_have_count(0)
    explanation = page.locator("details[data-explanation]")
    expect(explanation).to_be_visible()
    expect(explanation.locator("summary")).to_have_text(words["explanation"])
    assert page.evaluate("() => window.walkStayedOnThePage === true"), "the page was reloaded"
    explanation.locator("summary").click()
    expect(explanation.locator(".prose .katex").first).to_be_visible()
    _shot(page, "1-lstm-ac", language, viewport, "#submission-panel")
    _shot(page, "1-lstm-explanation", language, viewport, "details[data-explanation]")
    _redrawn_everywhere(
        page,
        site,
        language,
        viewport,
        name="walk-1-lstm-ac",
        ready="details[data-explanation]",
        show="#submission-panel",
    )


def _gru_diagnosed(page, site: str, language: str, viewport: dict) -> None:
    words = WORDS[language]
    panel = page.locator("#submission-panel")
    mutant = _mutant("03-gru/gru-cell.yaml", "pytorch-update-convention")
    # when the learner writes the GRU update as PyTorch's nn.GRUCell does
    _submit(page, "gru-cell", mutant["code"])
    expect(panel).to_have_attribute("data-verdict", "WA")
    # then the box above the test table names the misconception, in the page's language
    box = panel.locator("[data-diagnosis=pytorch-update-convention]")
    expect(box).to_be_visible()
    expect(box.locator(".diagnosis__title")).to_have_text(words["misconception"])
    for part in _prose(mutant["feedback"][language]):
        expect(box).to_contain_text(part)
    other = "en" if language == "ja" else "ja"
    expect(box).not_to_contain_text(_prose(mutant["feedback"][other])[0])
    expect(box.locator(".katex").first).to_be_visible()
    table = panel.locator(".test-table")
    assert box.bounding_box()["y"] < table.bounding_box()["y"], "the diagnosis is below the table"
    _no_sideways_scroll(page)
    _shot(page, "2-gru-diagnosis", language, viewport, "#submission-panel")
    _redrawn_everywhere(
        page,
        site,
        language,
        viewport,
        name="walk-2-gru-diagnosis",
        ready="#submission-panel:has(.test-pictures) [data-diagnosis] .katex",
        show="#submission-panel",
    )


def _answer_wrong_choice(page, wrong: Choice) -> None:
    page.goto(f"/problems/{wrong.problem.slug}/")
    page.wait_for_selector("html[data-app-ready]", state="attached")
    page.locator(f"input[name=answer][value='{wrong.key}']").check()
    page.locator("form.answer-form button[data-submit-shortcut]").click()
    page.wait_for_selector("#feedback")


def _choice_marked(page, site: str, language: str, viewport: dict) -> None:
    words = WORDS[language]
    wrong = Choice.objects.select_related("problem").get(
        problem__slug="sigmoid-derivative-max", key="1"
    )
    # when the learner picks 0.15 for the sigmoid derivative's maximum
    _answer_wrong_choice(page, wrong)
    # then the pick is red and says why it is wrong; the right one is green
    picked = page.locator("label.choice--incorrect")
    expect(picked).to_have_count(1)
    expect(picked).to_have_css("border-top-color", RED)
    expect(picked.locator("[data-verdict=incorrect]")).to_have_text(words["incorrect"])
    feedback = picked.locator("[data-choice-feedback]")
    expect(feedback).to_be_visible()
    for part in _prose(wrong.feedback_ja if language == "ja" else wrong.feedback_en):
        expect(feedback).to_contain_text(part)
    right = page.locator("label.choice--correct")
    expect(right).to_have_count(1)
    expect(right).to_have_css("border-top-color", GREEN)
    expect(right.locator("[data-verdict=correct]")).to_have_text(words["correct"])
    _no_sideways_scroll(page)
    _shot(page, "3-choice", language, viewport, "label.choice--incorrect")
    if (language, viewport) != ("ja", DESKTOP):
        return
    # The feedback is the answer's response page, not a page to reload: answered again for
    # the other languages and viewports.
    for other_language in ("ja", "en"):
        page.context.add_cookies(
            [{"name": "django_language", "value": other_language, "url": site}]
        )
        for other_viewport in (DESKTOP, PHONE):
            page.set_viewport_size(other_viewport)
            _answer_wrong_choice(page, wrong)
            expect(page.locator("label.choice--incorrect [data-choice-feedback]")).to_be_visible()
            page.evaluate("() => document.fonts.ready.then(() => true)")
            page.locator("label.choice--incorrect").evaluate(
                "e => e.scrollIntoView({block: 'start'})"
            )
            size = _size(other_viewport)
            page.screenshot(path=ARTIFACTS / f"walk-3-choice-{other_language}-{size}.png")
    page.context.add_cookies([{"name": "django_language", "value": language, "url": site}])
    page.set_viewport_size(viewport)


def _augmentation_images(page, site: str, language: str, viewport: dict) -> None:
    words = WORDS[language]
    panel = page.locator("#submission-panel")
    upside_down = _mutant("11-fw-data-augmentation/horizontal-flip.yaml", "vertical-flip")
    # when the learner flips the image upside down instead of left to right
    _submit(page, "horizontal-flip", upside_down["code"])
    expect(panel).to_have_attribute("data-verdict", "WA")
    # then the first failing test shows the input, the expected and the got image
    opened = panel.locator(".test-pictures details[open]")
    images = opened.locator("canvas.picture-image")
    expect(images).to_have_count(3)
    captions = opened.locator("figure[data-picture] figcaption")
    expect(captions.nth(1)).to_have_text(words["expected"])
    expect(captions.nth(2)).to_have_text(words["got"])
    pixels = "c => Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data)"
    assert images.nth(1).evaluate(pixels) != images.nth(2).evaluate(pixels)
    _no_sideways_scroll(page)
    _shot(page, "4-flip", language, viewport, "#submission-panel .test-pictures details[open]")
    _redrawn_everywhere(
        page,
        site,
        language,
        viewport,
        name="walk-4-flip",
        ready="#submission-panel .test-pictures canvas.picture-image",
        show="#submission-panel .test-pictures details[open]",
    )


def _watch_training(page, language: str, viewport: dict) -> list[dict]:
    """What the panel showed of the training, polled until the verdict; shots on the way."""
    panel = page.locator("#submission-panel")
    observations: list[dict] = []
    shots: set[str] = set()
    deadline = time.monotonic() + TRAINING_TIMEOUT_S  # a guard against a hung run, not a check
    while True:
        seen = panel.evaluate(READ_PROGRESS)
        if seen["status"] in ("done", "error"):
            return observations
        assert time.monotonic() < deadline, f"no verdict after {TRAINING_TIMEOUT_S} s"
        if seen["seen"]:
            observations.append(seen)
            name = "5-progress-chart" if seen["chart"] else "5-progress"
            if name not in shots and seen["visible"]:
                shots.add(name)
                _shot(page, name, language, viewport, "#submission-panel")
        page.wait_for_timeout(100)


def _advanced(observations: list[dict]) -> bool:
    """Whether the step went up between two successive observations."""
    return any(
        (later["value"] or 0) > (earlier["value"] or 0)
        for earlier, later in zip(observations, observations[1:], strict=False)
    )


def _training_progress_and_curve(page, site: str, language: str, viewport: dict) -> None:
    words = WORDS[language]
    panel = page.locator("#submission-panel")
    solution = _content("10-fw-seq2seq/seq2seq-sin-cos-training.yaml")["solution"]
    # when the learner submits a Seq2Seq model that trains well
    _open_code_problem(page, "seq2seq-sin-cos-training", solution)
    page.locator("button[data-action=submit]").click()
    # then, while the grader trains it, the panel shows how far it has got
    # (checked last, after the verdict's pictures: _live_progress_shown)
    observations = _watch_training(page, language, viewport)
    # and after the verdict, the loss curve of the grader's run and a held-out window
    expect(panel).to_have_attribute("data-verdict", "AC")
    expect(panel.locator("[data-training-progress]")).not_to_be_visible()
    loss = panel.locator("figure[data-chart=loss][data-chart-drawn]")
    heldout = panel.locator("figure[data-chart=heldout][data-chart-drawn]")
    expect(loss).to_be_visible()
    expect(loss.locator("canvas")).not_to_have_count(0)
    expect(heldout).to_be_visible()
    expect(heldout.locator(".u-legend")).to_contain_text(words["predicted"])
    expect(page.locator("[data-state-badge] [data-state=solved]")).to_be_visible()
    _no_sideways_scroll(page)
    _shot(page, "5-loss", language, viewport, "figure[data-chart=loss]")
    _shot(page, "5-heldout", language, viewport, "figure[data-chart=heldout]")
    _redrawn_everywhere(
        page,
        site,
        language,
        viewport,
        name="walk-5-training",
        ready="#submission-panel figure[data-chart=heldout][data-chart-drawn]",
        show="#submission-panel figure[data-chart=loss]",
    )
    _live_progress_shown(observations, language)


def _live_progress_shown(observations: list[dict], language: str) -> None:
    """While it trained: a visible progress bar that advanced, step k of N, the current loss,
    the time left and, once there were two loss points, a live chart; in the page's language."""
    words = WORDS[language]
    assert observations, "no [data-training-progress] in #submission-panel during the training"
    assert any(o["visible"] for o in observations), "[data-training-progress] was never visible"
    assert all(o["title"] == words["training"] for o in observations), observations
    training = [o for o in observations if o["phase"] == "train"]
    assert training, f"no training phase was reported: {observations}"
    assert _advanced(training), f"the progress bar did not advance: {training}"
    for seen in training:
        assert seen["max"] and 0 <= seen["value"] <= seen["max"], seen
        # "Step 120 of 400", "400 ステップ中 120 ステップ目": the bar's numbers, in words
        assert words["step"] in seen["step"], seen
        assert {str(int(seen["value"])), str(int(seen["max"]))} <= set(
            re.findall(r"\d+", seen["step"])
        ), seen
        assert seen["eta"], seen
    with_loss = [o for o in training if o["loss"]]
    assert with_loss, f"no current loss was shown: {training}"
    assert words["loss"] in with_loss[-1]["loss"], with_loss[-1]
    assert re.search(r"\d", with_loss[-1]["loss"]), with_loss[-1]
    if language == "ja":
        assert not any("Step" in o["step"] for o in observations), observations
    assert any(o["chart"] for o in observations), "no live loss chart ([data-live-loss-chart])"


@pytest.mark.parametrize(("language", "viewport"), WALKS)
def test_a_learner_walks_through_the_graders_feedback(page, site, language, viewport):
    # given a learner who logs in on the Japanese site (the default), on their device
    make_user(f"walker-{language}")
    page.set_viewport_size(viewport)
    log_in(page, f"walker-{language}")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    # and reads it in their language
    _switch_language(page, language)

    _lstm_wrong_then_right(page, site, language, viewport)
    _gru_diagnosed(page, site, language, viewport)
    _choice_marked(page, site, language, viewport)
    _augmentation_images(page, site, language, viewport)
    _training_progress_and_curve(page, site, language, viewport)
