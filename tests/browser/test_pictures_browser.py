"""Pictures of what differs, in Chromium against the live server with the real curriculum:
a wrong LSTM cell shows expected, got and |difference| heatmaps, an augmentation problem its
input, expected and got images, the Seq2Seq training exercise its loss curve and a held-out
window; in ja and en, desktop and phone. The page agrees with itself: the badge and the
problem list (open in another tab) follow the verdict without a reload.

Screenshots: tests/browser/artifacts/pictures-*.png."""

from __future__ import annotations

import re

import pytest
import yaml
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, DESKTOP, PHONE
from tests.browser.test_learner_journey import (
    LSTM_CORRECT,
    LSTM_WRONG,
    log_in,
    replace_editor_code,
)
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.slow]

GRADING_TIMEOUT_MS = 90_000
TRAINING_TIMEOUT_MS = 240_000  # the Seq2Seq exercise trains twice: 10-25 s, more under load
CONTENT = ARTIFACTS.parents[2] / "content"

LABELS = {
    "ja": {"expected": "期待値", "got": "あなたの出力", "diff": "差の絶対値", "predicted": "予測"},
    "en": {
        "expected": "Expected",
        "got": "Your output",
        "diff": "|Difference|",
        "predicted": "Predicted",
    },
}


def _mutant(path: str, name: str) -> str:
    spec = yaml.safe_load((CONTENT / path).read_text(encoding="utf-8"))["code"]
    return next(m["code"] for m in spec["mutants"] if m["name"] == name)


def _set_language(page, site: str, language: str) -> None:
    page.context.add_cookies([{"name": "django_language", "value": language, "url": site}])


def _submit(page, slug: str, code: str, timeout: int) -> int:
    """Submits ``code`` on the problem's page and waits for the verdict; the submission's id."""
    page.goto(f"/problems/{slug}/")
    page.wait_for_selector("html[data-editor-ready]", state="attached")
    replace_editor_code(page, code)
    with page.expect_response(re.compile(rf"/api/problems/{slug}/submissions/$")) as created:
        page.locator("button[data-action=submit]").click()
    expect(page.locator("#submission-panel")).to_have_attribute(
        "data-status", "done", timeout=timeout
    )
    return created.value.json()["id"]


def _shoot(page, name: str, language: str, viewport: dict, show: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_function("document.fonts.status === 'loaded'")
    page.locator(show).first.evaluate("e => e.scrollIntoView({block: 'start'})")
    size = f"{viewport['width']}x{viewport['height']}"
    page.screenshot(path=ARTIFACTS / f"pictures-{name}-{language}-{size}.png")
    page.locator(show).first.screenshot(
        path=ARTIFACTS / f"pictures-{name}-{language}-{size}-detail.png"
    )


def _distinct_colours(canvas) -> int:
    return canvas.evaluate(
        """c => {
            const data = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
            const seen = new Set();
            for (let k = 0; k < data.length; k += 4) seen.add(data[k] + "," + data[k + 1] + "," + data[k + 2]);
            return seen.size;
        }"""
    )


def _pixels(canvas) -> list[int]:
    return canvas.evaluate(
        "c => Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data)"
    )


def _reload_at(page, site: str, language: str, viewport: dict) -> None:
    """The same submission after a reload: the server's panel is redrawn from its JSON."""
    _set_language(page, site, language)
    page.set_viewport_size(viewport)
    page.reload()
    page.wait_for_selector("#submission-panel .test-pictures", state="attached")


def test_a_wrong_lstm_cell_shows_expected_got_and_difference_heatmaps(page, site):
    make_user("picturer")
    log_in(page, "picturer")
    # the section's problem list, open in a second tab of the same browser
    other = page.context.new_page()
    other.goto("/sections/02-lstm/")
    other.wait_for_selector("html[data-app-ready]", state="attached")
    row = other.locator("tr[data-problem=lstm-cell]")
    expect(row).not_to_have_attribute("data-state", re.compile("attempted|solved"))
    page.bring_to_front()  # a background tab draws no frames: no screenshots, no charts

    for language in ("ja", "en"):
        labels = LABELS[language]
        _set_language(page, site, language)
        page.set_viewport_size(DESKTOP)
        # when a wrong LSTM cell is submitted
        submission_id = _submit(page, "lstm-cell", LSTM_WRONG, GRADING_TIMEOUT_MS)
        panel = page.locator("#submission-panel")
        expect(panel).to_have_attribute("data-verdict", "WA")
        # then the first failing test's pictures are open: h and c, three heatmaps each
        opened = panel.locator(".test-pictures details[open]")
        expect(opened).to_have_count(1)
        for output in ("h", "c"):
            group = opened.locator(f".picture-group[data-output={output}]")
            expect(group.locator("canvas.heatmap")).to_have_count(3)
            captions = group.locator("figcaption")
            expect(captions).to_have_text([labels["expected"], labels["got"], labels["diff"]])
            # each picture says what it shows in words, and is not blank
            expected_canvas = group.locator("canvas.heatmap").first
            expect(expected_canvas).to_have_attribute("aria-label", re.compile(labels["expected"]))
            assert _distinct_colours(expected_canvas) > 5
            expect(group.locator(".picture-note").first).to_contain_text(
                re.compile(r"\(\d+, \d+\)")
            )
            expect(group.locator(".scale-bar")).to_have_count(3)
        # and no hidden test has pictures, on the page or in the API
        expect(panel.locator(".test-row--hidden + .test-pictures")).to_have_count(0)
        detail = page.request.get(f"/api/submissions/{submission_id}/").json()
        assert any(t.get("values") for t in detail["tests"] if not t["hidden"])
        assert all("values" not in t for t in detail["tests"] if t["hidden"])
        # the badge says 挑戦中 at once, and the list in the other tab follows the verdict
        expect(page.locator("[data-state-badge] [data-state=attempted]")).to_be_visible()
        expect(row).to_have_attribute("data-state", "attempted")
        _shoot(page, "lstm", language, DESKTOP, "#submission-panel .test-pictures details[open]")
        # on a phone, after a reload, the same pictures are drawn from the stored result
        _reload_at(page, site, language, PHONE)
        phone_group = page.locator(".test-pictures details[open] .picture-group[data-output=h]")
        expect(phone_group.locator("canvas.heatmap")).to_have_count(3)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page scrolls sideways on a phone ({width} px)"
        _shoot(page, "lstm", language, PHONE, "#submission-panel .test-pictures details[open]")
    # a third wrong one brings the offer to read the model solution, without a reload
    page.set_viewport_size(DESKTOP)
    page.goto("/problems/lstm-cell/")
    expect(page.locator("[data-give-up]")).to_have_count(0)
    _submit(page, "lstm-cell", LSTM_WRONG, GRADING_TIMEOUT_MS)
    expect(page.locator("[data-give-up]")).to_be_visible()
    # a right one: 挑戦中 becomes 正解済み here and in the other tab, still without a reload
    _submit(page, "lstm-cell", LSTM_CORRECT, GRADING_TIMEOUT_MS)
    expect(page.locator("#submission-panel")).to_have_attribute("data-verdict", "AC")
    expect(page.locator("[data-state-badge] [data-state=solved]")).to_be_visible()
    expect(page.locator("[data-state-badge] [data-state=attempted]")).to_have_count(0)
    expect(row).to_have_attribute("data-state", "solved")
    other.close()


def test_an_augmentation_problem_shows_input_expected_and_got_as_images(page, site):
    make_user("flipper")
    log_in(page, "flipper")
    upside_down = _mutant("11-fw-data-augmentation/horizontal-flip.yaml", "vertical-flip")
    for language in ("ja", "en"):
        labels = LABELS[language]
        _set_language(page, site, language)
        page.set_viewport_size(DESKTOP)
        _submit(page, "horizontal-flip", upside_down, GRADING_TIMEOUT_MS)
        expect(page.locator("#submission-panel")).to_have_attribute("data-verdict", "WA")
        opened = page.locator("#submission-panel .test-pictures details[open]")
        images = opened.locator("canvas.picture-image")
        expect(images).to_have_count(3)  # the input img, expected, got
        expect(opened.locator("figure[data-picture] figcaption").nth(1)).to_have_text(
            labels["expected"]
        )
        # an upside-down image is not the mirrored one: the pictures differ
        assert _pixels(images.nth(1)) != _pixels(images.nth(2))
        expect(opened.locator("canvas.heatmap")).to_have_count(1)  # |difference|
        _shoot(page, "flip", language, DESKTOP, "#submission-panel .test-pictures details[open]")
        _reload_at(page, site, language, PHONE)
        expect(page.locator(".test-pictures details[open] canvas.picture-image")).to_have_count(3)
        _shoot(page, "flip", language, PHONE, "#submission-panel .test-pictures details[open]")


def test_the_seq2seq_exercise_shows_its_loss_curve_and_a_held_out_window(page, site):
    make_user("trainer")
    log_in(page, "trainer")
    # a model whose decoder ignores the encoder's state: it trains, and fails the held-out MSE
    wrong = _mutant("10-fw-seq2seq/seq2seq-sin-cos-training.yaml", "no-state-from-encoder")
    _set_language(page, site, "ja")
    page.set_viewport_size(DESKTOP)
    _submit(page, "seq2seq-sin-cos-training", wrong, TRAINING_TIMEOUT_MS)
    expect(page.locator("#submission-panel")).to_have_attribute("data-verdict", "WA")
    for language in ("ja", "en"):
        for viewport in (DESKTOP, PHONE):
            if (language, viewport) != ("ja", DESKTOP):
                _reload_at(page, site, language, viewport)
            loss = page.locator("figure[data-chart=loss][data-chart-drawn]")
            heldout = page.locator("figure[data-chart=heldout][data-chart-drawn]")
            expect(loss).to_be_visible()
            expect(heldout).to_be_visible()
            expect(loss.locator("canvas")).not_to_have_count(0)
            expect(heldout.locator(".u-legend")).to_contain_text(LABELS[language]["predicted"])
            expect(loss.locator("[role=img]")).to_have_attribute("aria-label", re.compile(r"400"))
            _shoot(page, "seq2seq-loss", language, viewport, "figure[data-chart=loss]")
            _shoot(page, "seq2seq-heldout", language, viewport, "figure[data-chart=heldout]")
